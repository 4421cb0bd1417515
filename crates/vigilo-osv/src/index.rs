//! The advisory index: built once, queried for every SBOM component.

use std::collections::hash_map;
use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

use vigilo_purl::Purl;
use vigilo_versions::{Ecosystem, VersionError};

use crate::eval::{Entry, Listed, Parsed, Placed, evaluate};
use crate::purl::{component, ecosystem_release, index_name};
use crate::{Advisory, Affected, OsvError, Package as OsvPackage, par};

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
#[derive(Debug)]
pub struct Index {
    advisories: Vec<Advisory>,
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
    advisory: usize,
    affected: usize,
    /// The entry's distribution release (`12` of `Debian:12`), as its
    /// position in [`Package::releases`].
    release: Option<u32>,
    /// Boxed because it is rare and would otherwise double the entry's size.
    ranges: Result<Entry, Box<VersionError>>,
    /// `None` once computed and empty, as for most entries.
    listed: OnceLock<Option<Box<Listed>>>,
}

/// An advisory affecting a queried component.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Match<'a> {
    pub advisory: &'a Advisory,
    /// Which of `advisory.affected` matched; an advisory may match through
    /// several entries, each reported.
    pub affected_index: usize,
    /// The `fixed` versions above the component's version in the matching
    /// ranges, in ascending order per range: the versions that would end
    /// this match. Empty when no range names one (unfixed, `last_affected`
    /// only, or matched through the `versions` list alone).
    pub fixed: Vec<String>,
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
    pub fn per_advisory(&self) -> Vec<(&'a Advisory, Vec<String>)> {
        let mut by_id: BTreeMap<&str, (&'a Advisory, Vec<String>)> = BTreeMap::new();
        for m in &self.matches {
            let (_, fixed) = by_id
                .entry(m.advisory.id.as_str())
                .or_insert((m.advisory, Vec::new()));
            for f in &m.fixed {
                if !fixed.contains(f) {
                    fixed.push(f.clone());
                }
            }
        }
        by_id.into_values().collect()
    }
}

/// What makes two purls the same component to the index: ecosystem slot,
/// normalised name, version and release.
type Same<'p> = (usize, Box<str>, &'p str, Option<String>);

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

/// An affected entry, parsed but not yet placed.
struct Located {
    advisory: usize,
    affected: usize,
    release: Option<Box<str>>,
    parsed: Result<Parsed, VersionError>,
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
        let advisories = latest_per_id(advisories);
        let numbered: Vec<_> = advisories.iter().enumerate().collect();
        let located = par::map(&numbered, |&(position, advisory)| {
            locate(position, advisory)
        });
        let mut grouped: Vec<HashMap<Box<str>, Vec<Located>>> =
            Ecosystem::ALL.iter().map(|_| HashMap::new()).collect();
        for (slot, name, entry) in located.into_iter().flatten() {
            grouped[slot].entry(name).or_default().push(entry);
        }
        let grouped: Vec<(usize, Box<str>, Vec<Located>)> = grouped
            .into_iter()
            .enumerate()
            .flat_map(|(slot, names)| {
                names
                    .into_iter()
                    .map(move |(name, entries)| (slot, name, entries))
            })
            .collect();
        let placed = par::map(&grouped, |(_, _, entries)| place(entries));
        let mut packages: Vec<HashMap<Box<str>, Package>> =
            Ecosystem::ALL.iter().map(|_| HashMap::new()).collect();
        for ((slot, name, _), package) in grouped.into_iter().zip(placed) {
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
        let mut distinct: HashMap<Same<'_>, usize> = HashMap::new();
        let mut evaluated: Vec<&Purl> = Vec::new();
        let mut of = Vec::new();
        for purl in purls {
            // Without a version, the error names the purl itself: no sharing.
            let key = component(purl).and_then(|component| {
                let slot = slot(component.ecosystem)?;
                let name = index_name(component.ecosystem, &component.name).into();
                Some((slot, name, component.version?, component.release))
            });
            let at = match key {
                Some(key) => *distinct.entry(key).or_insert(evaluated.len()),
                None => evaluated.len(),
            };
            if at == evaluated.len() {
                evaluated.push(purl);
            }
            of.push(at);
        }
        Reports {
            reports: par::map(&evaluated, |purl| self.query_report(purl)),
            of,
        }
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
        let mut report = QueryReport::default();
        let Some(component) = component(purl) else {
            return report;
        };
        let ecosystem = component.ecosystem;
        let package = slot(ecosystem).and_then(|slot| {
            self.packages[slot].get(index_name(ecosystem, &component.name).as_ref())
        });
        let Some(package) = package else {
            return report;
        };
        let Some(version) = component.version else {
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
        let wanted = component.release.as_deref().map(|wanted| {
            let found = package.releases.iter().position(|r| **r == *wanted);
            found.map(narrow)
        });
        for target in package.targets.iter() {
            if let (Some(entry), Some(wanted)) = (target.release, wanted)
                && Some(entry) != wanted
            {
                continue;
            }
            let advisory = &self.advisories[target.advisory];
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
                                let affected = &advisory.affected[target.affected];
                                Listed::new(affected, ecosystem, placed, *entry)
                            })
                            .as_deref()
                    };
                    if let Some(fixed) = evaluate(placed, *entry, listed, &v, at) {
                        report.matches.push(Match {
                            advisory,
                            affected_index: target.affected,
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

    /// The indexed advisories, in the order given to [`Index::build`].
    pub fn advisories(&self) -> &[Advisory] {
        &self.advisories
    }
}

fn latest_per_id(advisories: Vec<Advisory>) -> Vec<Advisory> {
    let mut chosen: HashMap<&str, usize> = HashMap::with_capacity(advisories.len());
    for (position, advisory) in advisories.iter().enumerate() {
        match chosen.entry(&advisory.id) {
            hash_map::Entry::Vacant(slot) => {
                slot.insert(position);
            }
            hash_map::Entry::Occupied(mut slot) => {
                if advisory.modified > advisories[*slot.get()].modified {
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
            let ecosystem = package.ecosystem.parse::<Ecosystem>().ok()?;
            Some((position, affected, package, ecosystem, slot(ecosystem)?))
        })
}

/// The affected entries of `advisory`, at `position` in the index, that a
/// purl can name, with their ranges parsed, each with its package's
/// ecosystem slot and folded name.
fn locate(position: usize, advisory: &Advisory) -> Vec<(usize, Box<str>, Located)> {
    matchable(advisory)
        .map(|(affected_index, affected, package, ecosystem, slot)| {
            (
                slot,
                index_name(ecosystem, &package.name).into(),
                Located {
                    advisory: position,
                    affected: affected_index,
                    release: ecosystem_release(ecosystem, &package.ecosystem),
                    parsed: Parsed::new(affected, ecosystem),
                },
            )
        })
        .collect()
}

/// One package's entries placed on the scale of all their versions.
fn place(entries: &[Located]) -> Package {
    let (placed, placed_entries) =
        Placed::new(entries.iter().map(|entry| entry.parsed.as_ref().ok()));
    let mut releases: Vec<Box<str>> = Vec::new();
    let mut release_of = |release: &str| {
        let found = releases.iter().position(|known| **known == *release);
        narrow(found.unwrap_or_else(|| {
            releases.push(release.into());
            releases.len() - 1
        }))
    };
    let targets = entries
        .iter()
        .zip(placed_entries)
        .map(|(entry, placed_entry)| Target {
            advisory: entry.advisory,
            affected: entry.affected,
            release: entry.release.as_deref().map(&mut release_of),
            ranges: match &entry.parsed {
                Ok(_) => Ok(placed_entry),
                Err(error) => Err(Box::new(error.clone())),
            },
            listed: OnceLock::new(),
        })
        .collect();
    Package {
        placed,
        releases: releases.into(),
        targets,
    }
}

fn narrow(n: usize) -> u32 {
    u32::try_from(n).expect("a package names fewer than 2^32 releases")
}
