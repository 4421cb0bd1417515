//! The advisory index: built once, queried for every SBOM component.

use std::collections::hash_map;
use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

use vigilo_purl::Purl;
use vigilo_versions::{Ecosystem, VersionError};

use crate::eval::{Entry, Listed, Parsed, Placed, evaluate};
use crate::purl::{component, ecosystem_release, index_name};
use crate::{Advisory, OsvError, par};

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
    targets: Box<[Target]>,
}

/// One affected entry of one advisory, ready for evaluation.
#[derive(Debug)]
struct Target {
    advisory: usize,
    affected: usize,
    /// The entry's distribution release (`12` of `Debian:12`).
    release: Option<Box<str>>,
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

/// An affected entry, parsed but not yet placed.
struct Located {
    advisory: usize,
    affected: usize,
    release: Option<Box<str>>,
    parsed: Result<Parsed, VersionError>,
}

fn slot(ecosystem: Ecosystem) -> Option<usize> {
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
        for target in package.targets.iter() {
            let other_release = match (&target.release, &component.release) {
                (Some(entry), Some(wanted)) => **entry != **wanted,
                _ => false,
            };
            if other_release {
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

/// The affected entries of `advisory`, at `position` in the index, that a
/// purl can name, with their ranges parsed, each with its package's
/// ecosystem slot and folded name.
fn locate(position: usize, advisory: &Advisory) -> Vec<(usize, Box<str>, Located)> {
    if advisory.withdrawn.is_some() {
        return Vec::new();
    }
    let mut located = Vec::new();
    for (affected_index, affected) in advisory.affected.iter().enumerate() {
        let Some(package) = &affected.package else {
            continue;
        };
        let Ok(ecosystem) = package.ecosystem.parse::<Ecosystem>() else {
            continue;
        };
        let Some(slot) = slot(ecosystem) else {
            continue;
        };
        located.push((
            slot,
            index_name(ecosystem, &package.name).into(),
            Located {
                advisory: position,
                affected: affected_index,
                release: ecosystem_release(ecosystem, &package.ecosystem),
                parsed: Parsed::new(affected, ecosystem),
            },
        ));
    }
    located
}

/// One package's entries placed on the scale of all their versions.
fn place(entries: &[Located]) -> Package {
    let (placed, placed_entries) =
        Placed::new(entries.iter().map(|entry| entry.parsed.as_ref().ok()));
    let targets = entries
        .iter()
        .zip(placed_entries)
        .map(|(entry, placed_entry)| Target {
            advisory: entry.advisory,
            affected: entry.affected,
            release: entry.release.clone(),
            ranges: match &entry.parsed {
                Ok(_) => Ok(placed_entry),
                Err(error) => Err(Box::new(error.clone())),
            },
            listed: OnceLock::new(),
        })
        .collect();
    Package { placed, targets }
}
