//! Per-type rules from the purl-spec type definitions (`types/*-definition.json`
//! at package-url/purl-spec 16f3d0e39343d47d1ac3d559b7e110f25eac1513).
//!
//! The `packageurl` crate carries an older snapshot of these rules that cannot
//! be overridden (it requires a cpan namespace, lowercases npm names and has
//! no alpm, bazel, brew, git, luarocks, opam, swid or yocto rules), so the
//! rules live here. A unit test checks this table against every definition
//! file in `tests/data/purl-spec/types`.

use crate::{Component, Purl};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Namespace {
    Optional,
    Required,
    Prohibited,
}

pub(crate) struct Rules {
    pub(crate) ty: &'static str,
    pub(crate) namespace: Namespace,
    /// Components the definition marks `"case_sensitive": false`; their
    /// canonical form is lowercase.
    pub(crate) lowercase: &'static [Component],
    pub(crate) required_qualifiers: &'static [&'static str],
}

const fn rules(
    ty: &'static str,
    namespace: Namespace,
    lowercase: &'static [Component],
    required_qualifiers: &'static [&'static str],
) -> Rules {
    Rules {
        ty,
        namespace,
        lowercase,
        required_qualifiers,
    }
}

use Component::{Name, Namespace as Ns, Subpath, Version};
use Namespace::{Optional, Prohibited, Required};

pub(crate) const RULES: &[Rules] = &[
    rules("alpm", Required, &[Ns, Name], &[]),
    rules("apk", Required, &[Ns, Name], &[]),
    rules("bazel", Prohibited, &[], &[]),
    rules("bitbucket", Required, &[Ns, Name], &[]),
    rules("bitnami", Prohibited, &[Name], &[]),
    rules("brew", Optional, &[Ns, Name], &[]),
    rules("cargo", Prohibited, &[], &[]),
    rules("chrome-extension", Prohibited, &[Name], &[]),
    rules("cocoapods", Prohibited, &[], &[]),
    rules("composer", Required, &[Ns, Name], &[]),
    rules("conan", Optional, &[], &[]),
    rules("conda", Prohibited, &[], &[]),
    rules("cpan", Optional, &[], &[]),
    rules("cran", Prohibited, &[], &[]),
    rules("deb", Required, &[Ns, Name], &[]),
    rules("docker", Optional, &[], &[]),
    rules("gem", Prohibited, &[], &[]),
    rules("generic", Optional, &[], &[]),
    rules("git", Required, &[], &[]),
    rules("github", Required, &[Ns, Name], &[]),
    // The golang notes still say "shall be lowercased", but the definition
    // marks both case sensitive, and Go module paths are: lowercasing
    // github.com/Azure/... would stop matching Go advisories.
    rules("golang", Required, &[], &[]),
    rules("hackage", Prohibited, &[], &[]),
    rules("hex", Optional, &[Ns, Name], &[]),
    rules("huggingface", Required, &[Version], &[]),
    rules("julia", Prohibited, &[], &["uuid"]),
    rules("luarocks", Optional, &[Ns, Name], &[]),
    rules("maven", Required, &[], &[]),
    rules("mlflow", Prohibited, &[], &[]),
    rules("npm", Optional, &[], &[]),
    rules("nuget", Prohibited, &[], &[]),
    rules("oci", Prohibited, &[Name, Version], &[]),
    rules("opam", Prohibited, &[], &[]),
    rules("otp", Prohibited, &[Name, Subpath], &[]),
    rules("pub", Prohibited, &[Name], &[]),
    rules("pypi", Prohibited, &[Name, Version], &[]),
    rules("qpkg", Required, &[Ns], &[]),
    rules("rpm", Required, &[Ns], &[]),
    rules("swid", Optional, &[], &["tag_id"]),
    rules("swift", Required, &[], &[]),
    rules("vcpkg", Prohibited, &[], &[]),
    rules("vscode-extension", Required, &[Ns, Name, Version], &[]),
    rules("yocto", Optional, &[Ns], &[]),
];

/// A type rule that the components break.
pub(crate) struct Violation {
    pub(crate) component: Component,
    pub(crate) expected: String,
}

fn violation(component: Component, expected: impl Into<String>) -> Violation {
    Violation {
        component,
        expected: expected.into(),
    }
}

/// git names are repository paths below the host (`codeberg.org` /
/// `forgejo/forgejo`), so their '/' separates segments instead of being
/// percent-encoded as in other names.
pub(crate) fn name_is_path(ty: &str) -> bool {
    ty == "git"
}

/// Applies the normalisation of `purl.ty` and checks its constraints. Types
/// without a definition (e.g. legacy `bintray`) have no rules.
pub(crate) fn apply(purl: &mut Purl) -> Result<(), Violation> {
    let Some(rules) = RULES.iter().find(|rules| rules.ty == purl.ty) else {
        return Ok(());
    };
    match (rules.namespace, &purl.namespace) {
        (Required, None) => {
            return Err(violation(
                Ns,
                format!("a namespace, which type {} requires", purl.ty),
            ));
        }
        (Prohibited, Some(_)) => {
            return Err(violation(
                Ns,
                format!("no namespace, which type {} prohibits", purl.ty),
            ));
        }
        _ => {}
    }
    for component in rules.lowercase {
        let text = match component {
            Ns => purl.namespace.as_mut(),
            Name => Some(&mut purl.name),
            Version => purl.version.as_mut(),
            Subpath => purl.subpath.as_mut(),
            Component::Scheme | Component::Type | Component::Qualifiers => None,
        };
        if let Some(text) = text {
            *text = text.to_lowercase();
        }
    }
    if let Some(missing) = rules
        .required_qualifiers
        .iter()
        .find(|key| !purl.qualifiers.contains_key(**key))
    {
        return Err(violation(
            Component::Qualifiers,
            format!("a {missing:?} qualifier, which type {} requires", purl.ty),
        ));
    }
    type_specific(purl)
}

/// Rules the definitions state in prose or as `permitted_characters`.
fn type_specific(purl: &mut Purl) -> Result<(), Violation> {
    match purl.ty.as_str() {
        "pypi" => purl.name = purl.name.replace('_', "-"),
        "pub" => {
            purl.name = purl
                .name
                .chars()
                .map(|c| match c {
                    'a'..='z' | '0'..='9' | '_' => c,
                    _ => '_',
                })
                .collect();
        }
        // Databricks model names are case insensitive, other servers' are not.
        "mlflow"
            if purl
                .qualifiers
                .get("repository_url")
                .is_some_and(|url| url.contains("databricks")) =>
        {
            purl.name = purl.name.to_lowercase();
        }
        "git" if purl.namespace.as_deref().is_some_and(|ns| ns.contains('/')) => {
            return Err(violation(Ns, "the git host alone, without '/'"));
        }
        "cpan" if purl.name.contains("::") => {
            return Err(violation(
                Name,
                "a CPAN distribution name, not a module name containing \"::\"",
            ));
        }
        "chrome-extension" => {
            if purl.name.len() != 32 || !purl.name.bytes().all(|b| (b'a'..=b'p').contains(&b)) {
                return Err(violation(
                    Name,
                    "a 32-letter extension id of letters a to p",
                ));
            }
            let dotted_numbers = |v: &str| {
                v.split('.').count() <= 4
                    && v.split('.')
                        .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()))
            };
            if purl.version.as_deref().is_some_and(|v| !dotted_numbers(v)) {
                return Err(violation(Version, "one to four dot-separated numbers"));
            }
        }
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::fs;

    use serde_json::Value;

    use super::*;

    const DEFINITIONS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/purl-spec");

    fn lowercased(definition: &Value) -> BTreeSet<&'static str> {
        [
            ("namespace_definition", "namespace"),
            ("name_definition", "name"),
            ("version_definition", "version"),
            ("subpath_definition", "subpath"),
        ]
        .into_iter()
        .filter(|(key, _)| definition[key]["case_sensitive"] == Value::Bool(false))
        .map(|(_, component)| component)
        .collect()
    }

    #[test]
    fn rules_match_every_type_definition() {
        let index: Value = serde_json::from_str(
            &fs::read_to_string(format!("{DEFINITIONS}/purl-types-index.json")).unwrap(),
        )
        .unwrap();
        let listed: BTreeSet<&str> = index
            .as_array()
            .unwrap()
            .iter()
            .filter_map(Value::as_str)
            .collect();
        let ours: BTreeSet<&str> = RULES.iter().map(|rules| rules.ty).collect();
        assert_eq!(ours, listed, "one rule set per registered type");

        for rules in RULES {
            let path = format!("{DEFINITIONS}/types/{}-definition.json", rules.ty);
            let definition: Value =
                serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
            let requirement = definition["namespace_definition"]["requirement"].as_str();
            let namespace = match requirement {
                Some("required") => Required,
                Some("prohibited") => Prohibited,
                _ => Optional,
            };
            assert_eq!(rules.namespace, namespace, "{path}: namespace requirement");
            let ours: BTreeSet<&str> = rules
                .lowercase
                .iter()
                .map(|component| match component {
                    Ns => "namespace",
                    Name => "name",
                    Version => "version",
                    Subpath => "subpath",
                    other => panic!("{other} cannot be lowercased"),
                })
                .collect();
            assert_eq!(
                ours,
                lowercased(&definition),
                "{path}: case-insensitive components"
            );
            let required: Vec<&str> = definition["qualifiers_definition"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|qualifier| qualifier["requirement"] == "required")
                .filter_map(|qualifier| qualifier["key"].as_str())
                .collect();
            assert_eq!(
                rules.required_qualifiers, required,
                "{path}: required qualifiers"
            );
        }
    }
}
