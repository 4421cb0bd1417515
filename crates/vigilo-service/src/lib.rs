//! Service and support operations (SPEC §3.1, §3.2): the records of tickets, complaints,
//! vigilance flags and service events, and the rules about them that need no storage.
//! Time comes in as a parameter.

pub mod authorisation;
pub mod complaint;
pub mod lots;
pub mod maintenance;
pub mod model;
pub mod triage;

pub use model::*;
