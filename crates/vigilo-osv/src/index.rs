//! The advisory index: built once, queried for every SBOM component.

use std::collections::BTreeMap;
use std::collections::hash_map;
use std::path::Path;
use std::sync::OnceLock;

use foldhash::{HashMap, HashMapExt};
use vigilo_purl::Purl;
use vigilo_versions::{Ecosystem, VersionError};

use crate::eval::{Entry, Listed, Parsed, Placed, evaluate};
use crate::model::{Range, Summary};
use crate::purl::{component, ecosystem_release, index_name};
use crate::skim::{self, Listing};
use crate::{Advisory, Affected, OsvError, Package as OsvPackage, load, par};

/// Advisories arranged for matching package URLs.
///
/// Built once from many advisories, then shared (it is `Sync`) by every
/// query. Building parses each range's versions once, files every affected
/// entry under its ecosystem and normalised package name, and turns each
/// range into positions on the package's sorted list of event versions. A
/// query is then one hash lookup, one parse of the component's version, one
/// binary search, and integer comparisons per advisory of the package.
///
/// An entry's `versions` list is parsed the first time a query needs it (a
/// version outside the entry's ranges), keeping only the listed versions
/// outside the ranges: OSV.dev lists every version inside them too, so
/// parsing them all up front would multiply the build time for lists that
/// rarely decide anything.
///
/// Of each advisory the index keeps its [`Summary`], and of each affected
/// entry its compiled ranges and `versions` list: not the whole record.
#[derive(Debug)]
pub struct Index {
    advisories: Vec<Summary>,
    /// One map per [`Ecosystem::ALL`] position, keyed by the name as
    /// [`index_name`] folds it.
    packages: Vec<HashMap<Box<str>, Package>>,
}

#[derive(Debug)]
struct Package {
    placed: Placed,
    /// The distinct releases the entries name, so that targets hold a small
    /// number instead of a pointer to a string each query would compare:
    /// heavily advised packages have thousands of targets.
    releases: Box<[Box<str>]>,
    targets: Box<[Target]>,
}

/// One affected entry of one advisory, ready for evaluation.
#[derive(Debug)]
struct Target {
    /// Positions as `u32` because a package may hold thousands of targets.
    advisory: u32,
    affected: u32,
    /// The entry's distribution release (`12` of `Debian:12`), as its
    /// position in [`Package::releases`].
    release: Option<u32>,
    /// Boxed because it is rare and would otherwise double the entry's size.
    ranges: Result<Entry, Box<VersionError>>,
    versions: Listing,
    /// `versions` parsed; `None` once computed and empty, as for most entries.
    listed: OnceLock<Option<Box<Listed>>>,
}

/// An advisory affecting a queried component.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Match<'a> {
    pub advisory: &'a Summary,
    /// Which of the record's `affected` entries matched; an advisory may
    /// match through several entries, each reported.
    pub affected_index: usize,
    /// The `fixed` versions above the component's version in the matching
    /// ranges, in ascending order per range: the versions that would end
    /// this match. Empty when no range names one (unfixed, `last_affected`
    /// only, or matched through the `versions` list alone). Borrowed from
    /// the index: a fleet's re-match yields millions of matches.
    pub fixed: Vec<&'a str>,
}

/// Everything a query found: the matches, and why some advisories of the
/// component's package could not be evaluated.
///
/// When the component itself cannot be evaluated (its version does not parse
/// in its ecosystem, or it has none), `matches` is empty and `errors` holds
/// that one error. Otherwise each advisory whose ranges hold a version the
/// ecosystem cannot parse adds an error naming the advisory and version, and
/// the other advisories are still matched.
#[derive(Debug, Default)]
pub struct QueryReport<'a> {
    pub matches: Vec<Match<'a>>,
    pub errors: Vec<OsvError>,
}

impl<'a> QueryReport<'a> {
    /// The matches one per advisory, in id order, each with the `fixed` versions of all its
    /// matching entries (first occurrence kept): a finding is about an advisory, however many
    /// of its entries name the package.
    pub fn per_advisory(&self) -> Vec<(&'a Summary, Vec<String>)> {
        let mut by_id: BTreeMap<&str, (&'a Summary, Vec<String>)> = BTreeMap::new();
        for m in &self.matches {
            let (_, fixed) = by_id
                .entry(m.advisory.id.as_str())
                .or_insert((m.advisory, Vec::new()));
            for f in &m.fixed {
                if !fixed.iter().any(|known| known == f) {
                    fixed.push((*f).to_owned());
                }
            }
        }
        by_id.into_values().collect()
    }
}

/// What makes two purls the same component to the index: the package they
/// name in it (by address), version and release; `None` for every purl whose
/// package the index does not hold, whose report is empty.
type Same<'p> = Option<(usize, &'p str, Option<&'p str>)>;

/// A purl's package in the index, and what else a query needs of the purl.
struct Found<'i, 'p> {
    package: &'i Package,
    ecosystem: Ecosystem,
    version: Option<&'p str>,
    release: Option<String>,
}

/// The reports of [`Index::query_many`], one per purl, in the order given;
/// purls naming the same component share one.
#[derive(Debug)]
pub struct Reports<'a> {
    reports: Vec<QueryReport<'a>>,
    /// For each purl, its report's position in `reports`.
    of: Vec<usize>,
}

impl<'a> Reports<'a> {
    /// The report of the purl at `position`.
    pub fn get(&self, position: usize) -> Option<&QueryReport<'a>> {
        self.of.get(position).map(|at| &self.reports[*at])
    }

    /// The reports in the order of the purls.
    pub fn iter(&self) -> impl Iterator<Item = &QueryReport<'a>> {
        self.of.iter().map(|at| &self.reports[*at])
    }

    pub fn len(&self) -> usize {
        self.of.len()
    }

    pub fn is_empty(&self) -> bool {
        self.of.is_empty()
    }
}

/// One record reduced to what the index keeps: what [`Index::build`] and
/// [`Index::load`] make of each record, on all cores, before filing the
/// entries by package.
pub(crate) struct Prepared {
    summary: Summary,
    entries: Vec<Located>,
}

/// An affected entry a purl can name, not yet placed.
///
/// Its ranges are parsed only when its package's entries are placed, and
/// dropped once they are: a parsed version is several times the size of its
/// string, and holding every record's at once before placing them was most
/// of the build's peak memory, which the process then kept.
struct Located {
    slot: usize,
    /// As [`index_name`] folds it.
    name: Box<str>,
    affected: u32,
    release: Option<Box<str>>,
    ranges: Vec<Range>,
    versions: Listing,
}

/// A package's entries, each with its advisory's position in the index.
type Entries = Vec<(u32, Located)>;

/// An affected entry with a package, as either reader has it.
pub(crate) struct Named<'r> {
    pub(crate) position: usize,
    pub(crate) ecosystem: &'r str,
    pub(crate) name: &'r str,
    pub(crate) ranges: Vec<Range>,
    pub(crate) versions: Listing,
}

impl Prepared {
    /// Keeps the entries a purl can name: none when the advisory is
    /// withdrawn, nor those whose ecosystem has no version ordering here.
    pub(crate) fn new<'r>(summary: Summary, entries: impl Iterator<Item = Named<'r>>) -> Prepared {
        let entries = entries
            .filter(|_| summary.withdrawn.is_none())
            .filter_map(|entry| {
                let (ecosystem, slot) = indexed(entry.ecosystem)?;
                Some(Located {
                    slot,
                    name: index_name(ecosystem, entry.name).into(),
                    affected: narrow(entry.position),
                    release: ecosystem_release(ecosystem, entry.ecosystem),
                    ranges: entry.ranges,
                    versions: entry.versions,
                })
            })
            .collect();
        Prepared { summary, entries }
    }

    fn of(advisory: Advisory) -> Prepared {
        let summary = Summary::from(&advisory);
        let mut affected = advisory.affected;
        let entries = affected
            .iter_mut()
            .enumerate()
            .filter_map(|(position, affected)| {
                let package = affected.package.as_ref()?;
                Some(Named {
                    position,
                    ecosystem: &package.ecosystem,
                    name: &package.name,
                    ranges: std::mem::take(&mut affected.ranges),
                    versions: Listing::new(affected.versions.iter().map(String::as_str)),
                })
            });
        Prepared::new(summary, entries)
    }
}

/// The ecosystem and its slot in the index, for an OSV ecosystem spelling
/// (with any `:<release>` suffix) that has a version ordering here.
fn indexed(spelled: &str) -> Option<(Ecosystem, usize)> {
    let ecosystem = spelled.parse::<Ecosystem>().ok()?;
    Some((ecosystem, slot(ecosystem)?))
}

pub(crate) fn slot(ecosystem: Ecosystem) -> Option<usize> {
    Ecosystem::ALL.iter().position(|known| *known == ecosystem)
}

impl Index {
    /// Indexes `advisories`.
    ///
    /// Records sharing an id are one advisory, and the most recently
    /// modified is kept (the first of equals), so that a record present in
    /// two sources is reported once. Withdrawn advisories are kept but never
    /// match; so are affected entries without a package or whose ecosystem
    /// has no version ordering here, since no package URL can name them.
    pub fn build(advisories: Vec<Advisory>) -> Index {
        Index::file(par::map_owned(advisories, Prepared::of))
    }

    /// Indexes the OSV records under `path`, read as [`crate::load`] reads
    /// them, as [`Index::build`] would index what `load` returns.
    ///
    /// Faster than the two, and never holding the whole records: only what
    /// the index keeps is read into memory, on all cores.
    ///
    /// # Errors
    ///
    /// Those of [`crate::load`], for the same files and records.
    pub fn load(path: &Path) -> Result<Index, OsvError> {
        let records = load::read(path, |format, bytes, _| {
            load::parse::<skim::Advisory>(format, bytes).map(skim::Advisory::prepare)
        })?;
        Ok(Index::file(records))
    }

    /// Files the prepared records' entries by package and places each
    /// package's entries on its scale.
    fn file(records: Vec<Prepared>) -> Index {
        let records = latest_per_id(records);
        let mut advisories = Vec::with_capacity(records.len());
        let mut grouped: Vec<HashMap<Box<str>, Entries>> =
            Ecosystem::ALL.iter().map(|_| HashMap::new()).collect();
        for (position, record) in records.into_iter().enumerate() {
            for mut entry in record.entries {
                let name = std::mem::take(&mut entry.name);
                grouped[entry.slot]
                    .entry(name)
                    .or_default()
                    .push((narrow(position), entry));
            }
            advisories.push(record.summary);
        }
        let grouped: Vec<(usize, Box<str>, Entries)> = grouped
            .into_iter()
            .enumerate()
            .flat_map(|(slot, names)| {
                names
                    .into_iter()
                    .map(move |(name, entries)| (slot, name, entries))
            })
            .collect();
        let placed = par::map_owned(grouped, |(slot, name, entries)| {
            (slot, name, place(entries))
        });
        let mut packages: Vec<HashMap<Box<str>, Package>> =
            Ecosystem::ALL.iter().map(|_| HashMap::new()).collect();
        for (slot, name, package) in placed {
            packages[slot].insert(name, package);
        }
        Index {
            advisories,
            packages,
        }
    }

    /// The advisories that affect the component `purl` names, as
    /// [`Index::query_report`] finds them, without its errors: a component
    /// that cannot be evaluated simply has no matches here.
    pub fn query(&self, purl: &Purl) -> Vec<Match<'_>> {
        self.query_report(purl).matches
    }

    /// [`Index::query_report`] for every purl of `purls`, on all cores,
    /// evaluating each distinct component (ecosystem, normalised name,
    /// version and release) once.
    ///
    /// Meant for re-matching a fleet: the SBOMs of one product's releases
    /// share most of their components, which are then evaluated once.
    pub fn query_many<'p>(&self, purls: impl IntoIterator<Item = &'p Purl>) -> Reports<'_> {
        let purls: Vec<&Purl> = purls.into_iter().collect();
        // On all cores too: finding the package is a third of a query.
        let found = par::map(&purls, |purl| self.find(purl));
        let mut distinct: HashMap<Same<'_>, usize> = HashMap::new();
        let mut evaluated: Vec<usize> = Vec::new();
        let mut of = Vec::with_capacity(purls.len());
        for (position, found) in found.iter().enumerate() {
            // Without a version, the error names the purl itself: no sharing.
            let key = match found {
                None => Some(None),
                Some(found) => found.version.map(|version| {
                    let package = std::ptr::from_ref(found.package) as usize;
                    Some((package, version, found.release.as_deref()))
                }),
            };
            let at = match key {
                Some(key) => *distinct.entry(key).or_insert(evaluated.len()),
                None => evaluated.len(),
            };
            if at == evaluated.len() {
                evaluated.push(position);
            }
            of.push(at);
        }
        Reports {
            reports: par::map(&evaluated, |&position| match &found[position] {
                Some(found) => self.evaluate(purls[position], found),
                None => QueryReport::default(),
            }),
            of,
        }
    }

    /// The package `purl` names, if the index holds it.
    fn find<'p>(&self, purl: &'p Purl) -> Option<Found<'_, 'p>> {
        let component = component(purl)?;
        let ecosystem = component.ecosystem;
        let name = index_name(ecosystem, &component.name);
        let package = self.packages[slot(ecosystem)?].get(name.as_ref())?;
        Some(Found {
            package,
            ecosystem,
            version: component.version,
            release: component.release,
        })
    }

    /// The advisories that affect the component `purl` names, and the errors
    /// that kept any from being evaluated.
    ///
    /// Purls whose type has no OSV ecosystem here (see
    /// [`crate::osv_package`]) and packages without advisories yield an empty
    /// report. For Debian and Alpine, a `distro` qualifier that names a
    /// release (`debian-12`, `bookworm`, `alpine-3.19.1`) restricts matching
    /// to that release's entries and to entries without a release.
    pub fn query_report(&self, purl: &Purl) -> QueryReport<'_> {
        match self.find(purl) {
            Some(found) => self.evaluate(purl, &found),
            None => QueryReport::default(),
        }
    }

    fn evaluate<'i>(&'i self, purl: &Purl, found: &Found<'i, '_>) -> QueryReport<'i> {
        let mut report = QueryReport::default();
        let Found {
            package,
            ecosystem,
            version,
            ref release,
        } = *found;
        let Some(version) = version else {
            report.errors.push(OsvError::MissingVersion {
                purl: purl.to_string(),
            });
            return report;
        };
        let v = match vigilo_versions::parse(ecosystem, version) {
            Ok(v) => v,
            Err(error) => {
                report.errors.push(OsvError::Version {
                    advisory: None,
                    error,
                });
                return report;
            }
        };
        let at = package.placed.position(&v);
        // `Some(None)`: a release no entry names, so only entries without one apply.
        let wanted = release.as_deref().map(|wanted| {
            let found = package.releases.iter().position(|r| **r == *wanted);
            found.map(narrow)
        });
        for target in package.targets.iter() {
            if let (Some(entry), Some(wanted)) = (target.release, wanted)
                && Some(entry) != wanted
            {
                continue;
            }
            let advisory = &self.advisories[target.advisory as usize];
            match &target.ranges {
                Err(error) => report.errors.push(OsvError::Version {
                    advisory: Some(advisory.id.clone()),
                    error: (**error).clone(),
                }),
                Ok(entry) => {
                    let placed = &package.placed;
                    let listed = || {
                        target
                            .listed
                            .get_or_init(|| {
                                Listed::new(target.versions.iter(), ecosystem, placed, *entry)
                            })
                            .as_deref()
                    };
                    if let Some(fixed) = evaluate(placed, *entry, listed, &v, at) {
                        report.matches.push(Match {
                            advisory,
                            affected_index: target.affected as usize,
                            fixed,
                        });
                    }
                }
            }
        }
        report
    }

    /// How many advisories the index holds, after merging records that share an id.
    pub fn len(&self) -> usize {
        self.advisories.len()
    }

    pub fn is_empty(&self) -> bool {
        self.advisories.is_empty()
    }

    /// The indexed advisories' summaries, in the order of the records given
    /// to [`Index::build`] or read by [`Index::load`].
    pub fn advisories(&self) -> &[Summary] {
        &self.advisories
    }
}

fn latest_per_id(advisories: Vec<Prepared>) -> Vec<Prepared> {
    let mut chosen: HashMap<&str, usize> = HashMap::with_capacity(advisories.len());
    for (position, advisory) in advisories.iter().enumerate() {
        match chosen.entry(&advisory.summary.id) {
            hash_map::Entry::Vacant(slot) => {
                slot.insert(position);
            }
            hash_map::Entry::Occupied(mut slot) => {
                if advisory.summary.modified > advisories[*slot.get()].summary.modified {
                    slot.insert(position);
                }
            }
        }
    }
    if chosen.len() == advisories.len() {
        return advisories;
    }
    let mut keep = vec![false; advisories.len()];
    for position in chosen.into_values() {
        keep[position] = true;
    }
    advisories
        .into_iter()
        .zip(keep)
        .filter_map(|(advisory, keep)| keep.then_some(advisory))
        .collect()
}

/// The affected entries of `advisory` that a purl can name, each with its
/// position, package, ecosystem and ecosystem slot: none when the advisory is
/// withdrawn, nor entries without a package or whose ecosystem has no
/// version ordering here.
pub(crate) fn matchable(
    advisory: &Advisory,
) -> impl Iterator<Item = (usize, &Affected, &OsvPackage, Ecosystem, usize)> {
    let entries: &[Affected] = match advisory.withdrawn {
        None => &advisory.affected,
        Some(_) => &[],
    };
    entries
        .iter()
        .enumerate()
        .filter_map(|(position, affected)| {
            let package = affected.package.as_ref()?;
            let (ecosystem, slot) = indexed(&package.ecosystem)?;
            Some((position, affected, package, ecosystem, slot))
        })
}

/// One package's entries placed on the scale of all their versions.
fn place(entries: Entries) -> Package {
    let mut parsed = Vec::with_capacity(entries.len());
    let mut rest = Vec::with_capacity(entries.len());
    for (advisory, entry) in entries {
        let ecosystem = Ecosystem::ALL[entry.slot];
        let error = match Parsed::new(&entry.ranges, ecosystem) {
            Ok(ranges) => {
                parsed.push(Some(ranges));
                None
            }
            Err(error) => {
                parsed.push(None);
                Some(Box::new(error))
            }
        };
        rest.push((
            advisory,
            entry.affected,
            entry.release,
            error,
            entry.versions,
        ));
    }
    let (placed, placed_entries) = Placed::new(parsed);
    let mut releases: Vec<Box<str>> = Vec::new();
    let mut release_of = |release: &str| {
        let found = releases.iter().position(|known| **known == *release);
        narrow(found.unwrap_or_else(|| {
            releases.push(release.into());
            releases.len() - 1
        }))
    };
    let targets = rest
        .into_iter()
        .zip(placed_entries)
        .map(
            |((advisory, affected, release, error, versions), placed_entry)| Target {
                advisory,
                affected,
                release: release.as_deref().map(&mut release_of),
                ranges: error.map_or(Ok(placed_entry), Err),
                versions,
                listed: OnceLock::new(),
            },
        )
        .collect();
    Package {
        placed,
        releases: releases.into(),
        targets,
    }
}

/// Releases, advisories and their entries are far fewer than 2^32: each
/// advisory is a record of its own.
fn narrow(n: usize) -> u32 {
    u32::try_from(n).expect("fewer than 2^32 releases, advisories and entries")
}
