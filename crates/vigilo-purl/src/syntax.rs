//! Character-level rules shared by parsing and building.

use std::fmt;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};

/// ECMA-427 "Character encoding": inside a component only the alphanumerics,
/// `.-_~` and the colon stay as they are; everything else, the separator
/// characters included, is percent-encoded.
const ENCODE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'.')
    .remove(b'-')
    .remove(b'_')
    .remove(b'~')
    .remove(b':');

pub(crate) fn encode(text: &str) -> impl fmt::Display + '_ {
    utf8_percent_encode(text, ENCODE)
}

/// A problem at a byte offset of the text that was checked.
pub(crate) struct Flaw {
    pub(crate) offset: usize,
    pub(crate) expected: String,
}

impl Flaw {
    fn new(offset: usize, expected: impl Into<String>) -> Self {
        Self {
            offset,
            expected: expected.into(),
        }
    }
}

/// Percent-decodes `raw`. A '%' that does not start an escape is an error
/// rather than a literal: the spec allows '%' only as an escape, and keeping
/// it would make the canonical form decode to something else.
pub(crate) fn decode(raw: &str) -> Result<String, Flaw> {
    let bytes = raw.as_bytes();
    if let Some((offset, _)) = raw.match_indices('%').find(|&(i, _)| {
        !bytes
            .get(i + 1..i + 3)
            .is_some_and(|hex| hex.iter().all(u8::is_ascii_hexdigit))
    }) {
        return Err(Flaw::new(offset, "two hex digits after '%'"));
    }
    percent_decode_str(raw)
        .decode_utf8()
        .map(|text| text.into_owned())
        .map_err(|_| Flaw::new(0, "percent-escapes that decode to UTF-8"))
}

/// Returns the lowercase (canonical) type.
pub(crate) fn check_type(ty: &str) -> Result<String, Flaw> {
    let bad = ty.char_indices().find(|&(i, c)| {
        !(c.is_ascii_alphabetic() || i > 0 && (c.is_ascii_digit() || c == '.' || c == '-'))
    });
    match bad {
        Some((0, c)) => Err(Flaw::new(
            0,
            format!("an ASCII letter to start the type, found {c:?}"),
        )),
        Some((offset, c)) => Err(Flaw::new(
            offset,
            format!("only ASCII letters, digits, '.' and '-' in the type, found {c:?}"),
        )),
        None if ty.is_empty() => Err(Flaw::new(0, "a type")),
        None => Ok(ty.to_ascii_lowercase()),
    }
}

/// Checks a qualifier key; `fold` lowercases it first instead of rejecting
/// uppercase letters.
pub(crate) fn check_key(key: &str, fold: bool) -> Result<String, Flaw> {
    let key = if fold {
        key.to_ascii_lowercase()
    } else {
        key.to_owned()
    };
    let bad = key.char_indices().find(|&(i, c)| {
        !(c.is_ascii_lowercase()
            || i > 0 && (c.is_ascii_digit() || c == '.' || c == '-' || c == '_'))
    });
    match bad {
        Some((0, c)) => Err(Flaw::new(
            0,
            format!("a lowercase ASCII letter to start the qualifier key, found {c:?}"),
        )),
        Some((offset, c)) => Err(Flaw::new(
            offset,
            format!(
                "only lowercase ASCII letters, digits, '.', '-' and '_' in the qualifier key, found {c:?}"
            ),
        )),
        None if key.is_empty() => Err(Flaw::new(0, "a qualifier key before '='")),
        None => Ok(key),
    }
}

/// The non-empty segments of `text` between `separator`s, with their byte
/// offsets in `text`.
pub(crate) fn segments(text: &str, separator: char) -> impl Iterator<Item = (usize, &str)> {
    text.split(separator)
        .scan(0, move |start, segment| {
            let offset = *start;
            *start += segment.len() + separator.len_utf8();
            Some((offset, segment))
        })
        .filter(|(_, segment)| !segment.is_empty())
}

/// Subpath segments that are dropped: they would make the path climb or stay.
pub(crate) fn is_dot_segment(segment: &str) -> bool {
    segment == "." || segment == ".."
}

/// Joins the non-empty segments of a '/'-separated path that `keep` accepts.
pub(crate) fn tidy_path(path: &str, keep: fn(&str) -> bool) -> String {
    segments(path, '/')
        .map(|(_, segment)| segment)
        .filter(|segment| keep(segment))
        .collect::<Vec<_>>()
        .join("/")
}
