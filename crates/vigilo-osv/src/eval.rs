//! Range evaluation per the OSV schema's "Evaluation" section.
//!
//! Versions are parsed once and placed on a [`Scale`]: the sorted, distinct
//! event versions of one package across all its advisories. A range then
//! keeps only small integer positions on that scale, so evaluating a
//! component against every advisory of its package costs one binary search
//! for the component's version and integer comparisons afterwards, instead
//! of version comparisons per event.

use std::cell::OnceCell;

use vigilo_versions::{Ecosystem, Version, VersionError};

use crate::OsvError;
use crate::model::{Affected, Event, Range};

/// The distinct event versions of one package, sorted.
///
/// A version's position is odd (`2i + 1`) when it equals point `i` and even
/// (`2i`) when it lies strictly between points `i - 1` and `i`, so positions
/// order exactly as the versions do. Position 0 also stands for
/// `introduced: "0"`, which every version is at or above.
#[derive(Debug)]
pub(crate) struct Scale {
    points: Box<[Version]>,
}

impl Scale {
    /// The scale of `versions`, and each one's position on it. The versions
    /// are moved into the scale, not copied: at OSV's scale, copies of every
    /// parsed version dropped right after left the heap fragmented.
    fn new(versions: Vec<Version>) -> (Scale, Vec<u32>) {
        let mut order: Vec<usize> = (0..versions.len()).collect();
        order.sort_unstable_by(|a, b| versions[*a].cmp(&versions[*b]));
        let mut positions = vec![0; versions.len()];
        let mut firsts = Vec::new();
        for (at, &index) in order.iter().enumerate() {
            if at == 0 || versions[order[at - 1]] != versions[index] {
                firsts.push(index);
            }
            positions[index] = narrow(2 * firsts.len() - 1);
        }
        let mut versions: Vec<Option<Version>> = versions.into_iter().map(Some).collect();
        let points = firsts
            .into_iter()
            .filter_map(|index| versions[index].take())
            .collect();
        (Scale { points }, positions)
    }

    pub(crate) fn position(&self, v: &Version) -> u32 {
        match self.points.binary_search(v) {
            Ok(index) => narrow(2 * index + 1),
            Err(index) => narrow(2 * index),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Introduced,
    Fixed,
    LastAffected,
}

/// The ordered ranges of one affected entry, parsed but not yet placed on
/// their package's scale.
#[derive(Debug)]
pub(crate) struct Parsed {
    /// Every version the ranges name, which the spans point into.
    versions: Vec<Version>,
    spans: Vec<ParsedSpan>,
}

#[derive(Debug)]
struct ParsedSpan {
    /// Positions in [`Parsed::versions`]; `None` is `introduced: "0"`, which
    /// parsing would put after pre-releases such as npm `0.0.0-alpha`.
    bounds: Vec<(Kind, Option<usize>)>,
    limits: Vec<usize>,
    /// A `*` limit: no upper bound at all.
    unlimited: bool,
}

impl Parsed {
    /// Parses the `SEMVER` and `ECOSYSTEM` ranges' event versions; `GIT` and
    /// unknown range types are left out because no version string can be
    /// placed in them.
    pub(crate) fn new(ranges: &[Range], ecosystem: Ecosystem) -> Result<Parsed, VersionError> {
        let mut versions = Vec::new();
        let mut parse = |s: &str| {
            versions.push(vigilo_versions::parse(ecosystem, s)?);
            Ok::<_, VersionError>(versions.len() - 1)
        };
        let mut spans = Vec::new();
        for range in ranges.iter().filter(|range| range.kind.is_ordered()) {
            let mut span = ParsedSpan {
                bounds: Vec::with_capacity(range.events.len()),
                limits: Vec::new(),
                unlimited: false,
            };
            for event in &range.events {
                let bound = match event {
                    Event::Introduced(v) if v == "0" => (Kind::Introduced, None),
                    Event::Introduced(v) => (Kind::Introduced, Some(parse(v)?)),
                    Event::Fixed(v) => (Kind::Fixed, Some(parse(v)?)),
                    Event::LastAffected(v) => (Kind::LastAffected, Some(parse(v)?)),
                    Event::Limit(v) if v.contains('*') => {
                        span.unlimited = true;
                        continue;
                    }
                    Event::Limit(v) => {
                        span.limits.push(parse(v)?);
                        continue;
                    }
                };
                span.bounds.push(bound);
            }
            spans.push(span);
        }
        Ok(Parsed { versions, spans })
    }
}

/// The ordered ranges of all affected entries of one package, placed on the
/// package's [`Scale`] and stored contiguously with the `fixed` versions'
/// text, so that evaluating a version against every entry of a package walks
/// a few small arrays instead of chasing pointers into each advisory: the
/// index spends its query time on memory latency otherwise.
#[derive(Debug)]
pub(crate) struct Placed {
    scale: Scale,
    spans: Box<[Span]>,
    bounds: Box<[Bound]>,
    /// The `fixed` versions as the records spell them, concatenated.
    fixed: Box<str>,
}

/// The spans of one entry within its [`Placed`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct Entry {
    spans: [u32; 2],
}

/// A bound's position while [`Placed::new`] has not yet placed its version:
/// `introduced: "0"`, placed at 0.
const UNVERSIONED: u32 = u32::MAX;

/// Positions and offsets are `u32` because that halves the arrays a query
/// walks. No package comes near 2^31 events (its records would need hundreds
/// of gigabytes first), so positions also stay below `u32::MAX`, which
/// [`Span::limit`] uses as "no limit".
fn narrow(n: usize) -> u32 {
    u32::try_from(n).expect("a package's events and fixed versions fit u32 offsets")
}

#[derive(Debug)]
struct Span {
    /// This span's slice of [`Placed::bounds`], sorted by position.
    bounds: [u32; 2],
    /// Positions at or above this are outside the range; `u32::MAX` when
    /// there is no limit (no position reaches it: see [`narrow`]).
    limit: u32,
}

#[derive(Debug)]
struct Bound {
    position: u32,
    /// For `fixed` events, the version's slice of [`Placed::fixed`].
    text: [u32; 2],
    kind: Kind,
}

impl Placed {
    /// Places every entry's ranges on the scale of all their versions; the
    /// entries come back in the same order, `None` (an entry whose ranges did
    /// not parse) as an entry without ranges.
    pub(crate) fn new(entries: Vec<Option<Parsed>>) -> (Placed, Vec<Entry>) {
        // First every bound with its version's index in `versions` for a
        // position, since the versions go to the scale only once all are known.
        let mut versions = Vec::new();
        let mut spans = Vec::new();
        let mut limits: Vec<Vec<usize>> = Vec::new();
        let mut bounds = Vec::new();
        let mut fixed = String::new();
        let mut placed_entries = Vec::with_capacity(entries.len());
        for entry in entries {
            let first_span = spans.len();
            if let Some(Parsed {
                versions: own,
                spans: own_spans,
            }) = entry
            {
                let offset = versions.len();
                for span in own_spans {
                    let first_bound = bounds.len();
                    for (kind, v) in span.bounds {
                        let start = fixed.len();
                        if let (Kind::Fixed, Some(v)) = (kind, v) {
                            fixed.push_str(own[v].as_str());
                        }
                        bounds.push(Bound {
                            position: v.map_or(UNVERSIONED, |v| narrow(offset + v)),
                            text: [narrow(start), narrow(fixed.len())],
                            kind,
                        });
                    }
                    limits.push(if span.unlimited {
                        Vec::new()
                    } else {
                        span.limits.iter().map(|v| offset + v).collect()
                    });
                    spans.push(Span {
                        bounds: [narrow(first_bound), narrow(bounds.len())],
                        limit: u32::MAX,
                    });
                }
                versions.extend(own);
            }
            placed_entries.push(Entry {
                spans: [narrow(first_span), narrow(spans.len())],
            });
        }
        let (scale, positions) = Scale::new(versions);
        for bound in &mut bounds {
            bound.position = match bound.position {
                UNVERSIONED => 0,
                v => positions[v as usize],
            };
        }
        for (span, limits) in spans.iter_mut().zip(limits) {
            // Stable, so events of equal versions keep the record's order,
            // as the stable sort in OSV.dev's own evaluation does.
            bounds[span.bounds[0] as usize..span.bounds[1] as usize]
                .sort_by_key(|bound| bound.position);
            // Below *some* limit is below the largest one.
            if let Some(limit) = limits.iter().map(|v| positions[*v]).max() {
                span.limit = limit;
            }
        }
        let placed = Placed {
            scale,
            spans: spans.into(),
            bounds: bounds.into(),
            fixed: fixed.into(),
        };
        (placed, placed_entries)
    }

    pub(crate) fn position(&self, v: &Version) -> u32 {
        self.scale.position(v)
    }

    fn spans(&self, entry: Entry) -> &[Span] {
        &self.spans[entry.spans[0] as usize..entry.spans[1] as usize]
    }

    fn bounds(&self, span: &Span) -> &[Bound] {
        &self.bounds[span.bounds[0] as usize..span.bounds[1] as usize]
    }

    /// The schema's loop over sorted events, stopping at the first event
    /// above the version: none after it can change the verdict.
    fn span_contains(&self, span: &Span, at: u32) -> bool {
        if at >= span.limit {
            return false;
        }
        let mut vulnerable = false;
        for bound in self.bounds(span) {
            if at < bound.position {
                break;
            }
            match bound.kind {
                Kind::Introduced => vulnerable = true,
                Kind::Fixed => vulnerable = false,
                Kind::LastAffected if at > bound.position => vulnerable = false,
                Kind::LastAffected => {}
            }
        }
        vulnerable
    }

    pub(crate) fn contains(&self, entry: Entry, at: u32) -> bool {
        self.spans(entry)
            .iter()
            .any(|span| self.span_contains(span, at))
    }

    /// The `fixed` versions above position `at` in the entry's ranges that
    /// contain it, or `None` when no range does.
    fn fixes(&self, entry: Entry, at: u32) -> Option<Vec<&str>> {
        let mut found: Option<Vec<&str>> = None;
        for span in self
            .spans(entry)
            .iter()
            .filter(|span| self.span_contains(span, at))
        {
            let found = found.get_or_insert_with(Vec::new);
            for bound in self.bounds(span) {
                if bound.kind == Kind::Fixed && bound.position > at {
                    let text = &self.fixed[bound.text[0] as usize..bound.text[1] as usize];
                    if !found.contains(&text) {
                        found.push(text);
                    }
                }
            }
        }
        found
    }
}

/// An entry's `versions` list, compared with the ecosystem's equality
/// (Maven `1.0` is `1.0.0`, PyPI `1.0` is `1.0.0`).
#[derive(Debug)]
pub(crate) struct Listed {
    /// Sorted, for binary search.
    parsed: Box<[Version]>,
    /// Strings the ecosystem cannot parse; the schema only promises they are
    /// versions "in whatever syntax", so they match only themselves.
    unparsed: Box<[Box<str>]>,
}

impl Listed {
    /// Keeps only the listed versions outside the entry's ranges: OSV.dev
    /// lists every version inside them too, and those are matched already.
    /// `None` when none is left, as for most entries.
    pub(crate) fn new<'s>(
        versions: impl IntoIterator<Item = &'s str>,
        ecosystem: Ecosystem,
        placed: &Placed,
        entry: Entry,
    ) -> Option<Box<Listed>> {
        let mut parsed = Vec::new();
        let mut unparsed = Vec::new();
        for version in versions {
            match vigilo_versions::parse(ecosystem, version) {
                Ok(v) if !placed.contains(entry, placed.position(&v)) => parsed.push(v),
                Ok(_) => {}
                Err(_) => unparsed.push(version.into()),
            }
        }
        if parsed.is_empty() && unparsed.is_empty() {
            return None;
        }
        parsed.sort_unstable();
        Some(Box::new(Listed {
            parsed: parsed.into(),
            unparsed: unparsed.into(),
        }))
    }

    pub(crate) fn contains(&self, v: &Version) -> bool {
        self.parsed.binary_search(v).is_ok()
            || self.unparsed.iter().any(|listed| **listed == *v.as_str())
    }
}

/// The fixes to report when `v` (at position `at`) is affected: see
/// [`Placed::fixes`]; a version matched only through the `versions` list has
/// none. `None` when unaffected. `listed` is only asked for when the ranges
/// do not decide.
pub(crate) fn evaluate<'p, 'l>(
    placed: &'p Placed,
    entry: Entry,
    listed: impl FnOnce() -> Option<&'l Listed>,
    v: &Version,
    at: u32,
) -> Option<Vec<&'p str>> {
    placed.fixes(entry, at).or_else(|| {
        listed()
            .is_some_and(|listed| listed.contains(v))
            .then(Vec::new)
    })
}

/// Whether `version` of the package is affected per the OSV schema's
/// evaluation rules: it equals (by the ecosystem's ordering) a version in
/// `affected.versions`, or lies in one of the `SEMVER` or `ECOSYSTEM` ranges.
///
/// `GIT` ranges (and range types this crate does not know) never match a
/// version string: placing a version in a commit range needs the repository's
/// history. Only the `versions` list, which OSV.dev fills with the tags in
/// such ranges, can match them.
///
/// Neither the package name nor the advisory's withdrawal is checked here;
/// [`crate::Index`] does both.
///
/// # Errors
///
/// [`OsvError::Version`] when `version`, or a version in one of the ordered
/// ranges, is not a version of `ecosystem`; the error names the string.
pub fn affects(affected: &Affected, ecosystem: Ecosystem, version: &str) -> Result<bool, OsvError> {
    let as_error = |error| OsvError::Version {
        advisory: None,
        error,
    };
    let alone = Alone::new(affected, ecosystem).map_err(as_error)?;
    let v = vigilo_versions::parse(ecosystem, version).map_err(as_error)?;
    Ok(alone.affects(&v))
}

/// One affected entry compiled on its own, to evaluate versions against
/// without an index (a single check, or a new advisory against a fleet). Its
/// `versions` list is parsed on the first version the ranges do not decide.
pub(crate) struct Alone<'a> {
    affected: &'a Affected,
    ecosystem: Ecosystem,
    placed: Placed,
    entry: Entry,
    listed: OnceCell<Option<Box<Listed>>>,
}

impl<'a> Alone<'a> {
    /// # Errors
    ///
    /// When a version in one of the ordered ranges is not a version of
    /// `ecosystem`.
    pub(crate) fn new(affected: &'a Affected, ecosystem: Ecosystem) -> Result<Self, VersionError> {
        let parsed = Parsed::new(&affected.ranges, ecosystem)?;
        let (placed, entries) = Placed::new(vec![Some(parsed)]);
        Ok(Alone {
            affected,
            ecosystem,
            placed,
            entry: entries[0],
            listed: OnceCell::new(),
        })
    }

    pub(crate) fn affects(&self, v: &Version) -> bool {
        let listed = || {
            self.listed
                .get_or_init(|| {
                    Listed::new(
                        self.affected.versions.iter().map(String::as_str),
                        self.ecosystem,
                        &self.placed,
                        self.entry,
                    )
                })
                .as_deref()
        };
        evaluate(&self.placed, self.entry, listed, v, self.placed.position(v)).is_some()
    }
}
