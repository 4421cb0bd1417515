//! Reading a purl string into decoded, canonical components.

use std::collections::BTreeMap;

use crate::syntax::{self, Flaw};
use crate::{Component, Purl, PurlError, types};

/// How qualifier keys that are not lowercase are treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Keys {
    /// Rejected, as ECMA-427 requires.
    Strict,
    /// Lowercased, as the first purl specification did.
    Fold,
}

struct Input<'a> {
    text: &'a str,
}

impl Input<'_> {
    fn error(&self, offset: usize, component: Component, expected: impl Into<String>) -> PurlError {
        PurlError::new(self.text, offset, component, expected)
    }

    /// Turns a flaw found at `flaw.offset` of a slice starting at byte `at`.
    fn flaw(&self, at: usize, component: Component) -> impl Fn(Flaw) -> PurlError + '_ {
        move |flaw| self.error(at + flaw.offset, component, flaw.expected)
    }

    fn decode(&self, raw: &str, at: usize, component: Component) -> Result<String, PurlError> {
        syntax::decode(raw).map_err(self.flaw(at, component))
    }

    /// Decodes namespace or subpath segments, which cannot hold a '/' of their own.
    fn decode_segments(
        &self,
        segments: &[(usize, &str)],
        component: Component,
    ) -> Result<Vec<String>, PurlError> {
        segments
            .iter()
            .map(|&(at, raw)| {
                let segment = self.decode(raw, at, component)?;
                if segment.contains('/') {
                    return Err(self.error(at, component, "no encoded '/' (%2F) inside a segment"));
                }
                Ok(segment)
            })
            .collect()
    }
}

/// `(byte offset in the whole input, segment)` for the non-empty segments of
/// `text`, which starts at byte `at` of the input.
fn located(text: &str, separator: char, at: usize) -> Vec<(usize, &str)> {
    syntax::segments(text, separator)
        .map(|(offset, segment)| (at + offset, segment))
        .collect()
}

pub(crate) fn parse(text: &str, keys: Keys) -> Result<Purl, PurlError> {
    let input = Input { text };
    // Separators are found from the right, as the specification's parsing steps
    // do; components are then checked from the left so that the first error
    // reported is the leftmost one.
    let (head, subpath_at) = match text.rfind('#') {
        Some(i) => (&text[..i], Some(i + 1)),
        None => (text, None),
    };
    let (head, qualifiers_at) = match head.rfind('?') {
        Some(i) => (&head[..i], Some(i + 1)),
        None => (head, None),
    };

    let colon = head
        .find(':')
        .filter(|&i| head[..i].eq_ignore_ascii_case("pkg"))
        .ok_or_else(|| input.error(0, Component::Scheme, "the scheme \"pkg:\""))?;
    // Parsers must accept and ignore slashes after the scheme (`pkg://npm/...`).
    let type_at = colon + 1 + head[colon + 1..].bytes().take_while(|&b| b == b'/').count();
    let after_scheme = &head[type_at..];
    let type_len = after_scheme.find('/').unwrap_or(after_scheme.len());
    let ty = syntax::check_type(&after_scheme[..type_len])
        .map_err(input.flaw(type_at, Component::Type))?;
    if type_len == after_scheme.len() {
        return Err(input.error(head.len(), Component::Name, "'/' and a name after the type"));
    }
    let path_at = type_at + type_len + 1;
    let path = &head[path_at..];

    // An '@' with a '/' after it starts an unencoded npm scope (`@babel/core`),
    // not a version.
    let version_sep = path.rfind('@').filter(|&i| !path[i + 1..].contains('/'));
    let names = &path[..version_sep.unwrap_or(path.len())];
    let version_at = path_at + version_sep.map_or(names.len(), |i| i + 1);

    // "name/@1.0" has an empty name: the suite rejects it rather than
    // dropping the trailing '/' and reading the namespace's last segment as
    // the name.
    if names.ends_with('/') {
        return Err(input.error(
            path_at + names.len(),
            Component::Name,
            "a name after the last '/'",
        ));
    }
    let segments = located(names, '/', path_at);
    let namespace_len = if types::name_is_path(&ty) {
        segments.len().min(1)
    } else {
        segments.len().saturating_sub(1)
    };
    let (namespace_segments, name_segments) = segments.split_at(namespace_len);
    let name_at = name_segments
        .first()
        .map_or(path_at + names.len(), |&(at, _)| at);
    let namespace_at = namespace_segments.first().map_or(name_at, |&(at, _)| at);

    let namespace = Some(
        input
            .decode_segments(namespace_segments, Component::Namespace)?
            .join("/"),
    )
    .filter(|namespace| !namespace.is_empty());
    let decoded = name_segments
        .iter()
        .map(|&(at, raw)| input.decode(raw, at, Component::Name))
        .collect::<Result<Vec<_>, _>>()?
        .join("/");
    let name = if types::name_is_path(&ty) {
        syntax::tidy_path(&decoded, |_| true)
    } else {
        decoded
    };
    if name.is_empty() {
        return Err(input.error(name_at, Component::Name, "a name"));
    }
    let version = match version_sep {
        Some(i) => Some(input.decode(&path[i + 1..], version_at, Component::Version)?)
            .filter(|version| !version.is_empty()),
        None => None,
    };

    let qualifiers = match qualifiers_at {
        Some(at) => {
            let end = subpath_at.map_or(text.len(), |subpath| subpath - 1);
            parse_qualifiers(&input, &text[at..end], at, keys)?
        }
        None => BTreeMap::new(),
    };

    let subpath = match subpath_at {
        Some(at) => {
            let mut kept =
                input.decode_segments(&located(&text[at..], '/', at), Component::Subpath)?;
            kept.retain(|segment| !syntax::is_dot_segment(segment));
            Some(kept.join("/")).filter(|subpath| !subpath.is_empty())
        }
        None => None,
    };

    let mut purl = Purl {
        ty,
        namespace,
        name,
        version,
        qualifiers,
        subpath,
    };
    types::apply(&mut purl).map_err(|violation| {
        let at = match violation.component {
            Component::Namespace => namespace_at,
            Component::Name => name_at,
            Component::Version => version_at,
            Component::Qualifiers => qualifiers_at.unwrap_or(head.len()),
            Component::Subpath => subpath_at.unwrap_or(text.len()),
            Component::Scheme | Component::Type => type_at,
        };
        input.error(at, violation.component, violation.expected)
    })?;
    Ok(purl)
}

fn parse_qualifiers(
    input: &Input<'_>,
    raw: &str,
    at: usize,
    keys: Keys,
) -> Result<BTreeMap<String, String>, PurlError> {
    let mut qualifiers = BTreeMap::new();
    for (pair_at, pair) in located(raw, '&', at) {
        let (key, value) = pair
            .split_once('=')
            .ok_or_else(|| input.error(pair_at, Component::Qualifiers, "key=value"))?;
        let key = syntax::check_key(key, keys == Keys::Fold)
            .map_err(input.flaw(pair_at, Component::Qualifiers))?;
        let value = input.decode(value, pair_at + key.len() + 1, Component::Qualifiers)?;
        // A pair with an empty value is the same as no pair at all.
        if value.is_empty() {
            continue;
        }
        if qualifiers.contains_key(&key) {
            return Err(input.error(
                pair_at,
                Component::Qualifiers,
                format!("each qualifier key once, found {key:?} again"),
            ));
        }
        qualifiers.insert(key, value);
    }
    Ok(qualifiers)
}
