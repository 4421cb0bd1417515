//! The fleet's components, arranged to answer "whom does this new advisory
//! affect?" without re-matching every SBOM.

use std::collections::{BTreeSet, HashMap};

use vigilo_purl::Purl;
use vigilo_versions::{Ecosystem, Version};

use crate::eval::Alone;
use crate::index::{matchable, slot};
use crate::purl::{component, ecosystem_release, index_name};
use crate::{Advisory, OsvError};

/// Every component of a fleet's SBOMs, each with the owner the caller gives
/// it (typically the software version whose SBOM lists it), filed like the
/// [`crate::Index`] files advisories: by ecosystem and folded package name.
///
/// [`Inventory::affected_by`] then evaluates one advisory against only the
/// components of the packages it names, so a newly published advisory is
/// traced to its owners in time proportional to those components rather
/// than to the fleet. The answer is the one the index would give: an owner
/// is affected exactly when [`crate::Index::query`], on an index built from
/// that advisory alone, matches one of its components.
#[derive(Debug)]
pub struct Inventory<O> {
    /// One map per [`Ecosystem::ALL`] position, as in the index.
    packages: Vec<HashMap<Box<str>, Vec<Held<O>>>>,
    len: usize,
}

#[derive(Debug)]
struct Held<O> {
    version: Version,
    release: Option<String>,
    owner: O,
}

impl<O> Default for Inventory<O> {
    fn default() -> Self {
        Inventory {
            packages: Ecosystem::ALL.iter().map(|_| HashMap::new()).collect(),
            len: 0,
        }
    }
}

impl<O: Ord> Inventory<O> {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds the component `purl` names, owned by `owner`.
    ///
    /// Components of purl types without an OSV ecosystem are passed over, as
    /// the index passes them over.
    ///
    /// # Errors
    ///
    /// [`OsvError::MissingVersion`] or [`OsvError::Version`] when the purl
    /// has no version or one its ecosystem cannot parse: the component is not
    /// kept, since no advisory could be evaluated against it, and the error
    /// is the one [`crate::Index::query_report`] gives for it whenever its
    /// package has advisories.
    pub fn insert(&mut self, purl: &Purl, owner: O) -> Result<(), OsvError> {
        let Some(component) = component(purl) else {
            return Ok(());
        };
        let Some(slot) = slot(component.ecosystem) else {
            return Ok(());
        };
        let Some(version) = component.version else {
            return Err(OsvError::MissingVersion {
                purl: purl.to_string(),
            });
        };
        let version = vigilo_versions::parse(component.ecosystem, version).map_err(|error| {
            OsvError::Version {
                advisory: None,
                error,
            }
        })?;
        let name = index_name(component.ecosystem, &component.name);
        self.packages[slot]
            .entry(name.into())
            .or_default()
            .push(Held {
                version,
                release: component.release,
                owner,
            });
        self.len += 1;
        Ok(())
    }

    /// The owners of the components `advisory` affects, each once.
    ///
    /// A withdrawn advisory affects no one, and neither does an affected
    /// entry whose ranges hold a version its ecosystem cannot parse (the
    /// index reports such an entry as an error and matches nothing through
    /// it).
    pub fn affected_by(&self, advisory: &Advisory) -> BTreeSet<&O> {
        let mut owners = BTreeSet::new();
        for (_, affected, package, ecosystem, slot) in matchable(advisory) {
            let Some(held) = self.packages[slot].get(index_name(ecosystem, &package.name).as_ref())
            else {
                continue;
            };
            let Ok(alone) = Alone::new(affected, ecosystem) else {
                continue;
            };
            let release = ecosystem_release(ecosystem, &package.ecosystem);
            for component in held {
                if other_release(release.as_deref(), component.release.as_deref()) {
                    continue;
                }
                if alone.affects(&component.version) {
                    owners.insert(&component.owner);
                }
            }
        }
        owners
    }

    /// How many components the inventory holds.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// Whether an entry for distribution release `entry` is out of scope for a
/// component of release `wanted`: either side without a release matches all,
/// as in the index.
fn other_release(entry: Option<&str>, wanted: Option<&str>) -> bool {
    matches!((entry, wanted), (Some(entry), Some(wanted)) if entry != wanted)
}
