//! OSV advisories for Vigilo: reading them, deciding whether a package
//! version is affected, and matching SBOM components (package URLs) against
//! hundreds of thousands of them quickly.
//!
//! ```no_run
//! use std::path::Path;
//! use vigilo_osv::Index;
//!
//! let index = Index::load(Path::new("osv/npm/all.zip"))?;
//! let purl = "pkg:npm/lodash@4.17.20".parse()?;
//! let report = index.query_report(&purl);
//! for found in &report.matches {
//!     println!("{} (fixed in {:?})", found.advisory.id, found.fixed);
//! }
//! for error in &report.errors {
//!     eprintln!("not evaluated: {error}");
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Matching
//!
//! Matching follows the "Evaluation" section of the OSV schema: a version is
//! affected when it equals, by its ecosystem's ordering, a version in an
//! affected entry's `versions` list, or lies in one of its `SEMVER` or
//! `ECOSYSTEM` ranges (events sorted by version, `introduced: "0"` before
//! everything, `fixed` exclusive, `last_affected` inclusive, below some
//! `limit`). Versions are ordered by `vigilo-versions`. `GIT` ranges name
//! commits and are never matched by a version string; withdrawn advisories
//! never match; package names are compared as each ecosystem's registry does
//! (PyPI per PEP 503, crates.io, NuGet, Packagist, Debian, Alpine, Hex and Pub
//! case-insensitively, the rest exactly).
//!
//! # Errors that do not stop matching
//!
//! A component whose version its ecosystem cannot parse, or an advisory
//! range holding such a version, cannot be evaluated. [`Index::query`]
//! reports no match for it; [`Index::query_report`] returns the same matches
//! together with one [`OsvError`] per component or advisory that could not
//! be evaluated, each naming the version string (and the advisory), so that
//! a surveillance run can list what it could not decide instead of silently
//! calling it unaffected.
//!
//! # Performance
//!
//! [`load`] inflates and parses records on all cores. [`Index::load`] does
//! the same but reads only what the index keeps of each record (a
//! [`Summary`], the ranges and `versions` lists), never materialising whole
//! [`Advisory`] values. [`Index::build`] (and `Index::load`) parse every
//! range's versions once and turn each package's ranges into small
//! integer positions on the sorted list of that package's event versions, so
//! a query costs one hash lookup, one version parse, one binary search and
//! integer comparisons per advisory of the package. [`Index::query_many`]
//! matches a whole fleet's components on all cores, each distinct component
//! once. [`Inventory`] turns the question around for a newly published
//! advisory: it holds the fleet's components and evaluates only that
//! advisory against the components of the packages it names.
//! `benches/index.rs` measures all of it at OSV scale.

mod error;
mod eval;
mod index;
mod inventory;
mod load;
mod model;
mod par;
mod purl;
mod skim;

pub use error::{Format, OsvError};
pub use eval::affects;
pub use index::{Index, Match, QueryReport, Reports};
pub use inventory::Inventory;
pub use load::{load, parse_json, parse_yaml};
pub use model::{
    Advisory, Affected, Event, Package, Range, RangeKind, Reference, ReferenceKind, Severity,
    SeverityKind, Summary,
};
pub use purl::osv_package;
