//! Cybersecurity PMS rules (SPEC §3.5; EN IEC 81001-5-1 §9, MDCG 2019-16): the severity a
//! triage starts from, the four triage outcomes with the criteria that recommend one, the
//! response-time targets per severity, and the VEX status a finding's triage gives. Pure: the
//! store supplies the records and the instant.

pub mod model;
pub mod response;
pub mod triage;

pub use model::{
    Drill, DrillReach, DrillStep, DrillStepRecord, ProblemReport, Signal, TriageRecord,
};
pub use response::{Response, ResponseState, ResponseTargets, Target};
pub use triage::{
    Assessment, Criteria, Exploitability, Harm, Justification, Outcome, Rating, Reachability,
    Remediation, SignalKind, TriageInput, VexState, assess, recommend,
};
