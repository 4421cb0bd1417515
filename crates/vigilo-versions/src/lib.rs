//! Orders package versions per ecosystem exactly as OSV does, for matching SBOM
//! components against OSV advisories.
//!
//! A version string is parsed once into a [`Version`], whose [`Ord`] is the
//! ecosystem's ordering; comparisons work on the parsed form and, apart from
//! Debian numbers longer than 19 digits, do not allocate.
//!
//! | Ecosystem | Ordering | Implementation |
//! |---|---|---|
//! | npm, crates.io, Hex | SemVer 2.0 precedence; build metadata ignored | lenient SemVer (below) |
//! | Go | SemVer with `v` prefix; `+incompatible` ignored, pseudo-versions as pre-releases | lenient SemVer |
//! | NuGet | SemVer 2.0 with a fourth component, case-insensitive labels | lenient SemVer |
//! | Pub | Dart `pub_semver`: build metadata ordered after pre-release | lenient SemVer |
//! | PyPI | PEP 440; non-PEP 440 strings as `packaging`'s `LegacyVersion`, before all PEP 440 versions | `pep440_rs` |
//! | Maven | Maven's version order specification, as `ComparableVersion`, made total | hand-written |
//! | RubyGems | `Gem::Version` | hand-written |
//! | Packagist | PHP `version_compare` with a leading `v` removed | hand-written |
//! | Debian | dpkg (`epoch:upstream-revision`, `~` first) | `debversion` |
//! | Alpine | apk-tools | hand-written |
//!
//! Where an ecosystem's own tool rejects strings that OSV data and osv-scanner
//! accept, this crate follows osv-scanner; each module documents how. Every
//! ecosystem rejects the empty string and strings containing whitespace or control
//! characters, which no OSV version contains.
//!
//! Versions of different ecosystems never compare equal; they are ordered by
//! [`Ecosystem`] first, which only exists so that [`Ord`] is total.

mod alpine;
mod debian;
mod ecosystem;
mod error;
mod maven;
mod num;
mod packagist;
mod pypi;
mod rubygems;
mod semver_like;

use std::cmp::Ordering;
use std::fmt;

pub use ecosystem::Ecosystem;
pub use error::VersionError;

use error::ParseFailure;

/// A version string parsed for one ecosystem.
///
/// Equality is the ecosystem's: Maven `1.0` equals `1.0.0`, and npm `1.2.3+a`
/// equals `1.2.3+b`. [`Version::as_str`] still returns the string as given.
#[derive(Debug, Clone)]
pub struct Version {
    ecosystem: Ecosystem,
    original: Box<str>,
    key: Key,
}

/// Each ecosystem's comparison key; two versions of one ecosystem always hold the
/// same variant, so the derived order never compares across variants.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Key {
    SemverLike(semver_like::SemverLike),
    PyPI(pypi::PypiVersion),
    Maven(maven::MavenVersion),
    RubyGems(rubygems::GemVersion),
    Packagist(packagist::PackagistVersion),
    Debian(debversion::Version),
    Alpine(alpine::AlpineVersion),
}

impl Version {
    /// Parses `s` as a version of `ecosystem`.
    pub fn parse(ecosystem: Ecosystem, s: &str) -> Result<Version, VersionError> {
        parse_key(ecosystem, s)
            .map(|key| Version {
                ecosystem,
                original: s.into(),
                key,
            })
            .map_err(|failure| failure.into_error(ecosystem, s))
    }

    pub fn ecosystem(&self) -> Ecosystem {
        self.ecosystem
    }

    /// The string this version was parsed from.
    pub fn as_str(&self) -> &str {
        &self.original
    }
}

fn parse_key(ecosystem: Ecosystem, s: &str) -> Result<Key, ParseFailure> {
    if s.is_empty() {
        return Err(ParseFailure::at(0, "a version, not an empty string"));
    }
    if let Some((at, _)) = s
        .char_indices()
        .find(|(_, c)| c.is_whitespace() || c.is_control())
    {
        return Err(ParseFailure::at(
            at,
            "no whitespace or control characters in a version",
        ));
    }
    Ok(match ecosystem {
        Ecosystem::Npm | Ecosystem::CratesIo | Ecosystem::Go | Ecosystem::Hex => {
            Key::SemverLike(semver_like::parse(s, semver_like::SEMVER)?)
        }
        Ecosystem::NuGet => Key::SemverLike(semver_like::parse(s, semver_like::NUGET)?),
        Ecosystem::Pub => Key::SemverLike(semver_like::parse(s, semver_like::PUB)?),
        Ecosystem::PyPI => Key::PyPI(pypi::parse(s)),
        Ecosystem::Maven => Key::Maven(maven::parse(s)),
        Ecosystem::RubyGems => Key::RubyGems(rubygems::parse(s)?),
        Ecosystem::Packagist => Key::Packagist(packagist::parse(s)),
        Ecosystem::Debian => Key::Debian(debian::parse(s)?),
        Ecosystem::Alpine => Key::Alpine(alpine::parse(s)),
    })
}

impl PartialEq for Version {
    fn eq(&self, other: &Self) -> bool {
        self.ecosystem == other.ecosystem && self.key == other.key
    }
}

impl Eq for Version {}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        self.ecosystem
            .cmp(&other.ecosystem)
            .then_with(|| self.key.cmp(&other.key))
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.original)
    }
}

/// Parses `s` as a version of `eco`.
pub fn parse(eco: Ecosystem, s: &str) -> Result<Version, VersionError> {
    Version::parse(eco, s)
}

/// Orders two version strings of `eco`.
pub fn compare(eco: Ecosystem, a: &str, b: &str) -> Result<Ordering, VersionError> {
    Ok(parse(eco, a)?.cmp(&parse(eco, b)?))
}

/// Sorts version strings of `eco` ascending. The sort is stable: versions that
/// compare equal (such as Maven `1.0` and `1.0.0`) keep their input order.
/// Fails on the first string that does not parse.
pub fn sort(eco: Ecosystem, versions: &[&str]) -> Result<Vec<String>, VersionError> {
    let mut parsed = versions
        .iter()
        .map(|v| parse(eco, v))
        .collect::<Result<Vec<_>, _>>()?;
    parsed.sort();
    Ok(parsed.into_iter().map(|v| v.original.into()).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_ecosystem_input_position_and_expectation() {
        let err = parse(Ecosystem::Npm, "1.0 beta").unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid npm version \"1.0 beta\" at character 4: \
             expected no whitespace or control characters in a version"
        );
        let err = parse(Ecosystem::Debian, "é:1").unwrap_err();
        assert_eq!(
            err,
            VersionError::InvalidVersion {
                ecosystem: Ecosystem::Debian,
                input: "é:1".into(),
                position: Some(1),
                expected: "a numeric epoch before ':'",
            }
        );
        let err = parse(Ecosystem::Go, "vé").unwrap_err();
        assert!(
            err.to_string().contains("at character 2: expected a digit"),
            "{err}"
        );
    }

    #[test]
    fn sort_is_stable_for_equal_versions() {
        let sorted = sort(Ecosystem::Maven, &["1.0.0", "0.9", "1", "1.0", "1-ga"]).unwrap();
        assert_eq!(sorted, ["0.9", "1.0.0", "1", "1.0", "1-ga"]);
    }

    #[test]
    fn versions_keep_their_text_and_ecosystem() {
        let v = parse(Ecosystem::CratesIo, "1.2.3+build").unwrap();
        assert_eq!(v.as_str(), "1.2.3+build");
        assert_eq!(v.to_string(), "1.2.3+build");
        assert_eq!(v.ecosystem(), Ecosystem::CratesIo);
        assert_eq!(v, parse(Ecosystem::CratesIo, "1.2.3").unwrap());
        assert_ne!(v, parse(Ecosystem::Npm, "1.2.3").unwrap());
    }
}
