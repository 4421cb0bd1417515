//! Vigilo's store. One schema, versioned migrations, two backends (SQLite embedded, PostgreSQL
//! for scale-out) behind sqlx's `Any` driver; every write goes through [`WriteTx`], which appends
//! the audit event in the same transaction.

mod accounts;
pub mod advisories;
mod audit;
mod db;
pub mod drafts;
pub mod drills;
mod error;
pub mod fsca;
pub mod intel;
mod query;
mod record;
pub mod registry;
pub mod requests;
pub mod sbom;
pub mod schema;
pub mod security;
pub mod service;
pub mod sources;
pub mod tickets;
pub mod trends;
pub mod vex;
pub mod vigilance;
mod write;

pub use accounts::WebSession;
pub use audit::{AuditFilter, Verified};
pub use db::{Backend, OpenMode, Store};
pub use error::{Error, Result};
pub use query::Select;
pub use record::{Record, SqlValue, to_record};
pub use vigilo_audit::{AuditEvent, Break, Hash};
pub use write::WriteTx;
