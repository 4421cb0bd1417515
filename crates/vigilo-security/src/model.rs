//! The security records as they are stored and exported. Field names are the stored names.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::{
    Exploitability, Harm, Justification, Outcome, Rating, Reachability, Remediation, SignalKind,
};

/// A signal entered by hand: a vendor's advisory or a threat-intelligence note. CVE matches
/// are the findings themselves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Signal {
    pub id: i64,
    pub kind: SignalKind,
    pub title: String,
    pub body: String,
    /// Where it came from: the vendor's advisory id or URL, the report's reference.
    pub reference: Option<String>,
    pub cves: Vec<String>,
    /// CVSS vectors as the source gives them.
    pub cvss: Vec<String>,
    pub product: Option<String>,
    pub versions: Vec<String>,
    pub received_at: Timestamp,
    /// The drill this signal belongs to; drill signals never appear among real ones.
    pub drill: Option<i64>,
    pub recorded_by: String,
    pub recorded_at: Timestamp,
}

/// One triage decision on a finding or a signal. Decisions are appended: the latest is the
/// signal's standing triage, the earlier ones stay on record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TriageRecord {
    pub id: i64,
    pub finding: Option<i64>,
    pub signal: Option<i64>,
    pub outcome: Outcome,
    pub rating: Rating,
    pub score: Option<String>,
    pub vector: Option<String>,
    pub exploitability: Exploitability,
    pub reachability: Reachability,
    pub harm: Harm,
    /// What the criteria pointed to when the decision was taken.
    pub recommended: Outcome,
    pub rationale: String,
    pub justification: Option<Justification>,
    pub action: Option<String>,
    pub remediation: Option<Remediation>,
    /// The software problem report this decision opened.
    pub problem_report: Option<i64>,
    /// The ticket that carries the vigilance case this decision opened.
    pub vigilance_ticket: Option<i64>,
    pub decided_by: String,
    pub decided_at: Timestamp,
}

/// A software problem report (IEC 62304 §6.2, §9) opened from a security triage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProblemReport {
    pub id: i64,
    pub title: String,
    /// `finding:12` or `signal:3`.
    pub origin: String,
    pub product: Option<String>,
    pub version: Option<String>,
    pub rating: Rating,
    /// Patch management: to be fixed ahead of the next release.
    pub critical: bool,
    pub description: String,
    pub opened_by: String,
    pub opened_at: Timestamp,
}
