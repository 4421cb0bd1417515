//! SemVer-style versions: npm, crates.io, Go and Hex (SemVer 2.0 precedence),
//! NuGet (SemVer 2.0 with a fourth component and case-insensitive labels) and Pub
//! (Dart `pub_semver`, which also orders build metadata).
//!
//! Hand-written instead of using the `semver` crate: OSV records and osv-scanner
//! accept inputs that strict SemVer parsers reject — a leading `v` (Go, npm), fewer
//! or more than three numeric components, components beyond `u64` — and
//! `semver::Version`'s `Ord` also orders build metadata, which SemVer precedence
//! ignores. The lenient reading below is osv-scanner's: for valid SemVer it gives
//! exactly SemVer precedence.

use std::borrow::Cow;

use crate::error::ParseFailure;
use crate::num::Num;

/// How one SemVer-like ecosystem differs from plain SemVer 2.0.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Flavor {
    /// Numeric components that form the release; further ones join the tail.
    release_len: usize,
    /// NuGet compares pre-release labels case-insensitively.
    fold_case: bool,
    /// Pub orders versions that differ only in build metadata.
    order_build: bool,
}

pub(crate) const SEMVER: Flavor = Flavor {
    release_len: 3,
    fold_case: false,
    order_build: false,
};

pub(crate) const NUGET: Flavor = Flavor {
    release_len: 4,
    fold_case: true,
    order_build: false,
};

pub(crate) const PUB: Flavor = Flavor {
    release_len: 3,
    fold_case: false,
    order_build: true,
};

/// Field order is comparison order, so `Ord` can be derived.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct SemverLike {
    /// Trailing zeros removed, so that `1.2` and `1.2.0` are equal, as in osv-scanner.
    release: Vec<Num>,
    stage: Stage,
    /// Empty unless the flavor orders build metadata; an empty list sorts first, as
    /// Dart's "builds come after no build".
    build: Vec<Identifier>,
}

/// Variant order gives SemVer's rule that a pre-release precedes its release.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Stage {
    /// Identifiers compare pairwise, and a shorter equal prefix sorts first.
    Pre(Vec<Identifier>),
    Release,
}

/// Variant order gives SemVer's rule that numeric identifiers precede alphanumeric ones.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Identifier {
    Numeric(Num),
    /// Compared by bytes, i.e. ASCII order.
    Text(Box<str>),
}

pub(crate) fn parse(s: &str, flavor: Flavor) -> Result<SemverLike, ParseFailure> {
    let body = s.strip_prefix('v').unwrap_or(s);
    if !body.starts_with(|c: char| c.is_ascii_digit()) {
        return Err(ParseFailure::at(s.len() - body.len(), "a digit"));
    }
    // Dots only separate numeric components (repeated dots are tolerated, as in
    // osv-scanner); the first other character starts the pre-release/build tail.
    let tail_start = body
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(body.len());
    let mut release: Vec<Num> = body[..tail_start]
        .split('.')
        .filter(|part| !part.is_empty())
        .map(Num::from_digits)
        .collect();
    let mut tail = Cow::Borrowed(&body[tail_start..]);
    if release.len() > flavor.release_len {
        // osv-scanner appends surplus components to the tail, so `1.2.3.4` orders
        // like `1.2.3` with pre-release `.4`.
        let mut owned = tail.into_owned();
        for extra in release.drain(flavor.release_len..) {
            owned.push('.');
            owned.push_str(&extra.to_string());
        }
        tail = Cow::Owned(owned);
    }
    while release.last().is_some_and(Num::is_zero) {
        release.pop();
    }

    let (pre, build) = tail.split_once('+').unwrap_or((&tail, ""));
    let pre = pre.strip_prefix('-').unwrap_or(pre);
    let stage = if pre.is_empty() {
        Stage::Release
    } else {
        Stage::Pre(identifiers(pre, flavor.fold_case))
    };
    let build = if flavor.order_build && !build.is_empty() {
        identifiers(build, false)
    } else {
        Vec::new()
    };
    Ok(SemverLike {
        release,
        stage,
        build,
    })
}

fn identifiers(dotted: &str, fold_case: bool) -> Vec<Identifier> {
    dotted
        .split('.')
        .map(|part| {
            if !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()) {
                Identifier::Numeric(Num::from_digits(part))
            } else if fold_case {
                Identifier::Text(part.to_ascii_lowercase().into())
            } else {
                Identifier::Text(part.into())
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cmp::Ordering;

    fn cmp(flavor: Flavor, a: &str, b: &str) -> Ordering {
        parse(a, flavor).unwrap().cmp(&parse(b, flavor).unwrap())
    }

    #[test]
    fn go_pseudo_versions_and_incompatible_order_as_semver() {
        assert_eq!(
            cmp(
                SEMVER,
                "v0.0.0-20191109021931-daa7c04131f5",
                "v0.0.0-20200101000000-aaaaaaaaaaaa"
            ),
            Ordering::Less
        );
        assert_eq!(
            cmp(SEMVER, "v1.2.4-0.20191109021931-daa7c04131f5", "v1.2.4"),
            Ordering::Less
        );
        assert_eq!(
            cmp(SEMVER, "v1.2.3", "v1.2.4-0.20191109021931-daa7c04131f5"),
            Ordering::Less
        );
        assert_eq!(
            cmp(SEMVER, "v2.0.0+incompatible", "v2.0.0"),
            Ordering::Equal
        );
    }

    #[test]
    fn nuget_ignores_label_case_and_pads_four_components() {
        assert_eq!(cmp(NUGET, "1.0.0-BETA", "1.0.0-beta"), Ordering::Equal);
        assert_eq!(cmp(NUGET, "1.0", "1.0.0.0"), Ordering::Equal);
        assert_eq!(cmp(NUGET, "1.0.0.1", "1.0.0"), Ordering::Greater);
    }

    #[test]
    fn pub_orders_build_metadata_like_pre_releases() {
        assert_eq!(cmp(PUB, "1.2.3+9", "1.2.3+10"), Ordering::Less);
        assert_eq!(cmp(PUB, "1.2.3", "1.2.3+0"), Ordering::Less);
        assert_eq!(cmp(SEMVER, "1.2.3+9", "1.2.3+10"), Ordering::Equal);
    }

    #[test]
    fn rejects_inputs_without_a_leading_number() {
        assert_eq!(parse("vx", SEMVER), Err(ParseFailure::at(1, "a digit")));
        assert_eq!(parse("-1", SEMVER), Err(ParseFailure::at(0, "a digit")));
    }
}
