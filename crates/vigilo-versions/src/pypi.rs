//! PyPI versions: PEP 440 through `pep440_rs`, which implements the same ordering
//! as Python's `packaging`. Strings that are not PEP 440 are still accepted, as
//! osv-scanner does, and ordered by the rules of `packaging`'s former
//! `LegacyVersion` (setuptools' historic `parse_version`): all of them sort before
//! every PEP 440 version. `pep440_rs` has no legacy mode, so that part is written here.

use std::str::FromStr;

/// Variant order puts legacy versions before every PEP 440 version, as
/// `LegacyVersion`'s fixed epoch of -1 did.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum PypiVersion {
    /// `LegacyVersion`'s comparison key: the parts compare as strings, pairwise.
    Legacy(Vec<Box<str>>),
    Pep440(pep440_rs::Version),
}

pub(crate) fn parse(s: &str) -> PypiVersion {
    match pep440_rs::Version::from_str(s) {
        Ok(version) => PypiVersion::Pep440(version),
        Err(_) => PypiVersion::Legacy(legacy_key(s)),
    }
}

/// Ports the comparison key of `packaging.version.LegacyVersion`.
fn legacy_key(s: &str) -> Vec<Box<str>> {
    let lowered = s.to_lowercase();
    let mut parts: Vec<Box<str>> = Vec::new();
    for token in legacy_tokens(&lowered).chain(std::iter::once("final")) {
        let part: Box<str> = match token {
            "." => continue,
            "pre" | "preview" | "rc" => "*c".into(),
            "-" => "*final-".into(),
            "dev" => "*@".into(),
            digits if digits.starts_with(|c: char| c.is_ascii_digit()) => {
                // Zero-padded so that string comparison orders numbers of up to 8 digits.
                format!("{digits:0>8}").into()
            }
            word => format!("*{word}").into(),
        };
        if part.starts_with('*') {
            // A pre-release tag drops the hyphens before it, so `1.0-a` is `1.0a`.
            if &*part < "*final" {
                while parts.last().is_some_and(|p| &**p == "*final-") {
                    parts.pop();
                }
            }
            // Trailing zeros of each numeric series do not count, so `1.0` is `1`.
            while parts.last().is_some_and(|p| &**p == "00000000") {
                parts.pop();
            }
        }
        parts.push(part);
    }
    parts
}

/// Splits like `re.split(r"(\d+|[a-z]+|\.|-)", s)`: digit runs, lowercase letter runs,
/// single dots and hyphens, and the runs of any other characters between them.
fn legacy_tokens(s: &str) -> impl Iterator<Item = &str> {
    #[derive(PartialEq)]
    enum Class {
        Digit,
        Letter,
        Single,
        Other,
    }
    fn class(c: char) -> Class {
        match c {
            '0'..='9' => Class::Digit,
            'a'..='z' => Class::Letter,
            '.' | '-' => Class::Single,
            _ => Class::Other,
        }
    }
    let mut rest = s;
    std::iter::from_fn(move || {
        let first = rest.chars().next()?;
        let kind = class(first);
        let len = if kind == Class::Single {
            1
        } else {
            rest.find(|c| class(c) != kind).unwrap_or(rest.len())
        };
        let (token, tail) = rest.split_at(len);
        rest = tail;
        Some(token)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_versions_sort_before_pep440_ones() {
        let legacy = parse("0.9-doduo");
        assert!(matches!(legacy, PypiVersion::Legacy(_)));
        assert!(legacy < parse("0.0.1.dev0"));
    }

    #[test]
    fn legacy_key_matches_setuptools() {
        let key = |s| {
            legacy_key(s)
                .iter()
                .map(|p| p.to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(key("1.0-a1"), ["00000001", "*a", "00000001", "*final"]);
        assert_eq!(key("2.0_b"), ["00000002", "*_", "*b", "*final"]);
        assert_eq!(key("1.0-1"), ["00000001", "*final-", "00000001", "*final"]);
        assert_eq!(key("x.DEV"), ["*x", "*@", "*final"]);
    }
}
