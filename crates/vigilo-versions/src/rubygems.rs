//! RubyGems versions, ordered as `Gem::Version#<=>`. Hand-written because no Rust
//! crate implements `Gem::Version`.
//!
//! `Gem::Version` rejects strings such as `1beta` that OSV data and osv-scanner
//! accept, so after a leading digit any string is read the way `Gem::Version`
//! reads a valid one: `-` means `.pre.`, runs of digits and runs of letters are
//! segments, and every other character only separates segments.

use std::cmp::Ordering;

use crate::error::ParseFailure;
use crate::num::Num;

/// `Gem::Version#canonical_segments`: trailing zeros are dropped from the leading
/// numeric segments and from the segments after the first letter segment, so the
/// list never ends in a zero.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct GemVersion {
    segments: Vec<Segment>,
}

/// Variant order is Gem's rule that a string segment precedes a number.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Segment {
    /// Compared case-sensitively by bytes, as Ruby compares strings.
    Text(Box<str>),
    Number(Num),
}

const MISSING: Segment = Segment::Number(Num::ZERO);

pub(crate) fn parse(s: &str) -> Result<GemVersion, ParseFailure> {
    if !s.starts_with(|c: char| c.is_ascii_digit()) {
        return Err(ParseFailure::at(0, "a digit"));
    }
    let expanded = s.replace('-', ".pre.");
    let mut segments = Vec::new();
    let mut rest = expanded.as_str();
    while let Some(start) = rest.find(|c: char| c.is_ascii_alphanumeric()) {
        rest = &rest[start..];
        let is_digit = rest.starts_with(|c: char| c.is_ascii_digit());
        let len = rest
            .find(|c: char| !c.is_ascii_alphanumeric() || c.is_ascii_digit() != is_digit)
            .unwrap_or(rest.len());
        let (segment, tail) = rest.split_at(len);
        segments.push(if is_digit {
            Segment::Number(Num::from_digits(segment))
        } else {
            Segment::Text(segment.into())
        });
        rest = tail;
    }
    let first_text = segments
        .iter()
        .position(|seg| matches!(seg, Segment::Text(_)))
        .unwrap_or(segments.len());
    let mut text_part = segments.split_off(first_text);
    drop_trailing_zeros(&mut segments);
    drop_trailing_zeros(&mut text_part);
    segments.append(&mut text_part);
    Ok(GemVersion { segments })
}

fn drop_trailing_zeros(segments: &mut Vec<Segment>) {
    while segments.last() == Some(&MISSING) {
        segments.pop();
    }
}

impl Ord for GemVersion {
    /// Missing segments count as zero, so `1.a` < `1` < `1.1`.
    fn cmp(&self, other: &Self) -> Ordering {
        let len = self.segments.len().max(other.segments.len());
        (0..len)
            .map(|i| {
                let a = self.segments.get(i).unwrap_or(&MISSING);
                let b = other.segments.get(i).unwrap_or(&MISSING);
                a.cmp(b)
            })
            .find(|o| o.is_ne())
            .unwrap_or(Ordering::Equal)
    }
}

impl PartialOrd for GemVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmp(a: &str, b: &str) -> Ordering {
        parse(a).unwrap().cmp(&parse(b).unwrap())
    }

    #[test]
    fn hyphen_means_pre() {
        assert_eq!(cmp("1.0-1", "1.0.pre.1"), Ordering::Equal);
        assert_eq!(cmp("1.0-1", "1.0"), Ordering::Less);
        assert_eq!(cmp("1.0-1", "1.0.a"), Ordering::Greater);
    }

    #[test]
    fn trailing_zeros_do_not_count() {
        assert_eq!(cmp("1.0.0", "1"), Ordering::Equal);
        assert_eq!(cmp("1.0.a.0", "1.a"), Ordering::Equal);
        assert_eq!(cmp("1.a", "1"), Ordering::Less);
    }
}
