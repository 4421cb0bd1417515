//! Packagist versions, ordered as OSV does: PHP's `version_compare` after removing
//! a leading `v`/`V` (which Composer strips but `version_compare` would not).
//! Hand-written because no Rust crate implements `version_compare`.
//!
//! The input is split at `.`, `-`, `_`, `+` and at every switch between digits and
//! non-digits. Non-numeric parts rank by their prefix, as PHP's special forms:
//! any other string < `dev` < `alpha` = `a` < `beta` = `b` < `RC` = `rc` < `#` < `pl` = `p`.
//! A number ranks like `#` against those words, and a version that runs out of
//! parts continues as if padded with `#`, except that any number beats the padding.
//!
//! `version_compare` itself is not a total order: it holds `1.2.3.#` equal to both
//! `1.2.3` and `1.2.3.1`. Here a `#` part is exactly the padding, so it stays equal
//! to `1.2.3` and sorts before `1.2.3.1`.

use std::cmp::Ordering;

use crate::num::Num;

/// Trailing [`Part::Hole`]s are removed, so derived equality matches the padded order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PackagistVersion {
    parts: Vec<Part>,
}

/// Variant order is the ranking described in the module documentation.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Part {
    Unknown,
    Dev,
    Alpha,
    Beta,
    Rc,
    /// `#`, and what a shorter version is padded with.
    Hole,
    Number(Num),
    Patch,
}

impl Part {
    fn word(text: &str) -> Part {
        const FORMS: [(&str, Part); 10] = [
            ("dev", Part::Dev),
            ("alpha", Part::Alpha),
            ("a", Part::Alpha),
            ("beta", Part::Beta),
            ("b", Part::Beta),
            ("RC", Part::Rc),
            ("rc", Part::Rc),
            ("#", Part::Hole),
            ("pl", Part::Patch),
            ("p", Part::Patch),
        ];
        FORMS
            .into_iter()
            .find(|(form, _)| text.starts_with(form))
            .map_or(Part::Unknown, |(_, part)| part)
    }
}

pub(crate) fn parse(s: &str) -> PackagistVersion {
    let body = s.strip_prefix(['v', 'V']).unwrap_or(s);
    let mut parts = Vec::new();
    let mut rest = body;
    while let Some(start) = rest.find(|c| !matches!(c, '.' | '-' | '_' | '+')) {
        rest = &rest[start..];
        let is_digit = rest.starts_with(|c: char| c.is_ascii_digit());
        let len = rest
            .find(|c: char| matches!(c, '.' | '-' | '_' | '+') || c.is_ascii_digit() != is_digit)
            .unwrap_or(rest.len());
        let (text, tail) = rest.split_at(len);
        parts.push(if is_digit {
            Part::Number(Num::from_digits(text))
        } else {
            Part::word(text)
        });
        rest = tail;
    }
    while parts.last() == Some(&Part::Hole) {
        parts.pop();
    }
    PackagistVersion { parts }
}

impl Ord for PackagistVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        let len = self.parts.len().max(other.parts.len());
        (0..len)
            .map(|i| {
                let a = self.parts.get(i).unwrap_or(&Part::Hole);
                let b = other.parts.get(i).unwrap_or(&Part::Hole);
                a.cmp(b)
            })
            .find(|o| o.is_ne())
            .unwrap_or(Ordering::Equal)
    }
}

impl PartialOrd for PackagistVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmp(a: &str, b: &str) -> Ordering {
        parse(a).cmp(&parse(b))
    }

    #[test]
    fn special_forms_match_by_prefix_and_rank_as_php() {
        assert_eq!(cmp("1.0-foo", "1.0-dev"), Ordering::Less);
        assert_eq!(cmp("1.0-develop", "1.0-dev"), Ordering::Equal);
        assert_eq!(cmp("1.0-patch1", "1.0"), Ordering::Greater);
        assert_eq!(cmp("1.0.p", "1.0.5"), Ordering::Greater);
        assert_eq!(cmp("1.0.0", "1.0"), Ordering::Greater);
        assert_eq!(cmp("v1.0", "1.0"), Ordering::Equal);
    }
}
