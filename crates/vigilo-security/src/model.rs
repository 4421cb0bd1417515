//! The security records as they are stored and exported. Field names are the stored names.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use vigilo_registry::word_enum;

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

word_enum!(
    /// The steps of a CVE drill after the match, in the order the real loop takes them.
    DrillStep {
        Triaged = "triaged",
        VexExported = "vex-exported",
        AdvisoryDrafted = "advisory-drafted",
        CustomersNotified = "customers-notified"
    }
);

/// One timed step of a drill.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DrillStepRecord {
    /// `matched` for the first step, then a [`DrillStep`] word.
    pub step: String,
    pub at: Timestamp,
    /// From the drill's start.
    pub elapsed_seconds: i64,
    pub by: String,
    pub note: String,
}

/// A software version the drill's advisory reached, with the devices running it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DrillReach {
    pub product: String,
    pub version: String,
    pub purls: Vec<String>,
    pub devices: i64,
}

/// A CVE drill (EN IEC 81001-5-1 §9): the whole loop run on a chosen real advisory, kept apart
/// from real findings (its matches live here, never in the findings or the queue), each step
/// timed, filed as training evidence when finished.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Drill {
    pub id: i64,
    pub advisory: String,
    pub aliases: Vec<String>,
    pub reach: Vec<DrillReach>,
    pub steps: Vec<DrillStepRecord>,
    pub started_by: String,
    pub started_at: Timestamp,
    pub finished_at: Option<Timestamp>,
    /// The training records the drill was filed as.
    pub trainings: Vec<i64>,
}

impl Drill {
    /// Everyone who started the drill or took a step, in order of first appearance.
    pub fn participants(&self) -> Vec<String> {
        let mut people = vec![self.started_by.clone()];
        for s in &self.steps {
            if !people.contains(&s.by) {
                people.push(s.by.clone());
            }
        }
        people
    }

    /// The steps of the real loop not yet taken.
    pub fn missing_steps(&self) -> Vec<DrillStep> {
        DrillStep::WORDS
            .iter()
            .map(|(_, s)| *s)
            .filter(|s| !self.steps.iter().any(|r| r.step == s.as_str()))
            .collect()
    }
}
