//! Vigilance (SPEC §3.3): reporting categories per market, the deadlines counted from the
//! awareness date, the 24-hour escalation to the vigilance officer, and late reports. Time and
//! public-holiday calendars come in as parameters.

pub mod case;
pub mod fsca;
pub mod model;
pub mod period;
pub mod review;

pub use case::{CaseFacts, CaseStatus, Deadline, DeadlineState, Escalation, SubmissionStatus};
pub use model::*;
