//! From package URLs to OSV packages, and the name equality each ecosystem uses.

use std::borrow::Cow;

use vigilo_purl::Purl;
use vigilo_versions::Ecosystem;

/// What the index needs of an SBOM component.
pub(crate) struct Component<'a> {
    pub(crate) ecosystem: Ecosystem,
    /// As [`osv_package`] returns it; borrowed from the purl when it is
    /// just the purl's name, as it mostly is.
    pub(crate) name: Cow<'a, str>,
    pub(crate) version: Option<&'a str>,
    /// The distribution release for ecosystems whose OSV names carry one
    /// (`Debian:12`, `Alpine:v3.19`), when the purl tells it.
    pub(crate) release: Option<String>,
}

/// The OSV ecosystem and package name of a purl, e.g. `pkg:npm/%40scope/x` →
/// (`npm`, `@scope/x`), `pkg:maven/g/a` → (`Maven`, `g:a`), `pkg:pypi/Foo_Bar`
/// → (`PyPI`, `foo-bar`), `pkg:golang/github.com/x/y` → (`Go`,
/// `github.com/x/y`), `pkg:composer/v/n` → (`Packagist`, `v/n`).
///
/// `pkg:cargo`, `nuget`, `gem`, `hex` and `pub` map to `crates.io`, `NuGet`,
/// `RubyGems`, `Hex` and `Pub`; `pkg:deb/debian` and `pkg:apk/alpine` to
/// `Debian` and `Alpine`, named after the source package when the `upstream`
/// qualifier gives it (as SBOM generators write for binary packages built from
/// a differently named source, and OSV names source packages). PyPI names are
/// normalised per PEP 503, as OSV writes them; other names are returned as
/// written, and [`crate::Index`] applies each ecosystem's own case rules.
///
/// `None` for purl types without an OSV ecosystem here (e.g. `generic`,
/// `github`, `pkg:deb/ubuntu`).
pub fn osv_package(purl: &Purl) -> Option<(Ecosystem, String)> {
    component(purl).map(|component| (component.ecosystem, component.name.into_owned()))
}

pub(crate) fn component(purl: &Purl) -> Option<Component<'_>> {
    let namespace = purl.namespace.as_deref();
    let name = Cow::Borrowed(purl.name.as_str());
    let joined = |separator: &str| match namespace {
        Some(namespace) => Cow::Owned(format!("{namespace}{separator}{}", purl.name)),
        None => name.clone(),
    };
    let mut version = purl.version.as_deref();
    let mut release = None;
    let (ecosystem, name) = match purl.ty.as_str() {
        "npm" => (Ecosystem::Npm, joined("/")),
        "maven" => (Ecosystem::Maven, joined(":")),
        "pypi" => (Ecosystem::PyPI, pep503(&purl.name)),
        "golang" => (Ecosystem::Go, joined("/")),
        "cargo" => (Ecosystem::CratesIo, name),
        "nuget" => (Ecosystem::NuGet, name),
        "gem" => (Ecosystem::RubyGems, name),
        "composer" => (Ecosystem::Packagist, joined("/")),
        "hex" => (Ecosystem::Hex, name),
        "pub" => (Ecosystem::Pub, name),
        ty @ ("deb" | "apk") => {
            let ecosystem = match (ty, namespace?) {
                ("deb", "debian") => Ecosystem::Debian,
                ("apk", "alpine") => Ecosystem::Alpine,
                _ => return None,
            };
            release = purl
                .qualifiers
                .get("distro")
                .and_then(|distro| distro_release(ecosystem, distro));
            // "upstream" is "source" or "source@version"; OSV ranges are in
            // the source package's versions.
            let (name, source_version) = match purl.qualifiers.get("upstream") {
                Some(upstream) => upstream
                    .split_once('@')
                    .map_or((upstream.as_str(), None), |(name, v)| (name, Some(v))),
                None => (purl.name.as_str(), None),
            };
            version = source_version.or(version);
            (ecosystem, Cow::Borrowed(name))
        }
        _ => return None,
    };
    Some(Component {
        ecosystem,
        name,
        version,
        release,
    })
}

/// The name as the index compares it: folded per ecosystem where its registry
/// treats spellings as one package.
pub(crate) fn index_name(ecosystem: Ecosystem, name: &str) -> Cow<'_, str> {
    match ecosystem {
        Ecosystem::PyPI => pep503(name),
        // crates.io treats `-` and `_` and letter case as the same name.
        Ecosystem::CratesIo => fold(name, |c| match c {
            '_' => '-',
            c => c.to_ascii_lowercase(),
        }),
        Ecosystem::NuGet
        | Ecosystem::Packagist
        | Ecosystem::Debian
        | Ecosystem::Alpine
        | Ecosystem::Hex
        | Ecosystem::Pub => fold(name, |c| c.to_ascii_lowercase()),
        Ecosystem::Npm | Ecosystem::Maven | Ecosystem::Go | Ecosystem::RubyGems => {
            Cow::Borrowed(name)
        }
    }
}

/// Maps characters, borrowing when none changes.
fn fold(name: &str, map: impl Fn(char) -> char) -> Cow<'_, str> {
    if name.chars().all(|c| map(c) == c) {
        Cow::Borrowed(name)
    } else {
        Cow::Owned(name.chars().map(map).collect())
    }
}

/// PEP 503: lowercase, with every run of `-`, `_` and `.` as one `-`.
fn pep503(name: &str) -> Cow<'_, str> {
    let separator = |c: char| matches!(c, '-' | '_' | '.');
    let normal = !name.contains(|c: char| c.is_ascii_uppercase() || matches!(c, '_' | '.'))
        && !name.contains("--");
    if normal {
        return Cow::Borrowed(name);
    }
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if !separator(c) {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    Cow::Owned(out)
}

/// The release named by an OSV ecosystem's suffix (`Debian:12` → `12`,
/// `Alpine:v3.19` → `v3.19`), for the ecosystems whose suffix is a release.
pub(crate) fn ecosystem_release(ecosystem: Ecosystem, spelled: &str) -> Option<Box<str>> {
    match ecosystem {
        Ecosystem::Debian | Ecosystem::Alpine => spelled.split_once(':').map(|(_, r)| r.into()),
        _ => None,
    }
}

/// Debian's releases by code name, as `distro` qualifiers often give them.
const DEBIAN_CODENAMES: [(&str, &str); 8] = [
    ("wheezy", "7"),
    ("jessie", "8"),
    ("stretch", "9"),
    ("buster", "10"),
    ("bullseye", "11"),
    ("bookworm", "12"),
    ("trixie", "13"),
    ("forky", "14"),
];

/// The OSV release for a purl's `distro` qualifier: SBOM generators write
/// `debian-11`, `debian-11.6`, `bullseye`, `alpine-3.18.4` or `3.18`, while
/// OSV writes `Debian:11` and `Alpine:v3.18`. `None` when it cannot be told,
/// so that every release's advisories are considered.
fn distro_release(ecosystem: Ecosystem, distro: &str) -> Option<String> {
    let distro = distro.to_ascii_lowercase();
    let mut parts = distro
        .trim_start_matches(|c: char| c.is_ascii_alphabetic() || c == '-')
        .split('.');
    let is_number = |part: &&str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    match ecosystem {
        Ecosystem::Debian => parts
            .next()
            .filter(is_number)
            .map(str::to_owned)
            .or_else(|| {
                let codename = distro.strip_prefix("debian-").unwrap_or(&distro);
                DEBIAN_CODENAMES
                    .iter()
                    .find(|(known, _)| *known == codename)
                    .map(|(_, number)| (*number).to_owned())
            }),
        Ecosystem::Alpine => {
            let major = parts.next().filter(is_number)?;
            let minor = parts.next().filter(is_number)?;
            Some(format!("v{major}.{minor}"))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pep503_folds_case_and_separator_runs() {
        assert_eq!(pep503("Foo_Bar"), "foo-bar");
        assert_eq!(pep503("zope.interface"), "zope-interface");
        assert_eq!(pep503("a-_.b"), "a-b");
        assert_eq!(pep503("a--b"), "a-b");
        assert!(matches!(pep503("jinja2"), Cow::Borrowed(_)));
    }

    #[test]
    fn distro_qualifiers_name_osv_releases() {
        let debian = |d| distro_release(Ecosystem::Debian, d);
        let alpine = |d| distro_release(Ecosystem::Alpine, d);
        assert_eq!(debian("debian-11").as_deref(), Some("11"));
        assert_eq!(debian("debian-12.4").as_deref(), Some("12"));
        assert_eq!(debian("bookworm").as_deref(), Some("12"));
        assert_eq!(debian("debian-trixie").as_deref(), Some("13"));
        assert_eq!(debian("sid"), None);
        assert_eq!(alpine("alpine-3.18.4").as_deref(), Some("v3.18"));
        assert_eq!(alpine("3.19").as_deref(), Some("v3.19"));
        assert_eq!(alpine("v3.20").as_deref(), Some("v3.20"));
        assert_eq!(alpine("edge"), None);
    }

    #[test]
    fn index_names_fold_per_ecosystem() {
        assert_eq!(index_name(Ecosystem::CratesIo, "Serde_JSON"), "serde-json");
        assert_eq!(
            index_name(Ecosystem::NuGet, "Newtonsoft.Json"),
            "newtonsoft.json"
        );
        assert_eq!(index_name(Ecosystem::Npm, "JSONStream"), "JSONStream");
        assert_eq!(index_name(Ecosystem::Maven, "g:A"), "g:A");
    }
}
