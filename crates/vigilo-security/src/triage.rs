//! Triage of a security signal to one of SPEC §3.5's four outcomes, from its CVSS severity and
//! three judgements made in the device's context.

use serde::Serialize;
use vigilo_registry::{Refusal, word_enum};

word_enum!(
    /// Where a signal in the security intake queue came from.
    SignalKind {
        CveMatch = "cve-match",
        VendorAdvisory = "vendor-advisory",
        ThreatIntel = "threat-intel"
    }
);
word_enum!(
    /// SPEC §3.5's triage outcomes: closed as not relevant; a software problem report
    /// (IEC 62304 §6.2); patch management (critical); a potential serious incident or trend,
    /// which goes to vigilance.
    Outcome {
        NotRelevant = "not-relevant",
        ProblemReport = "problem-report",
        PatchManagement = "patch-management",
        PotentialSeriousIncident = "potential-serious-incident"
    }
);
word_enum!(
    /// Exploitability in the device's context: listed in CISA KEV or otherwise known
    /// exploited, a public exploit, theoretical only, or not exploitable as deployed.
    Exploitability {
        KnownExploited = "known-exploited",
        PublicExploit = "public-exploit",
        Theoretical = "theoretical",
        NotExploitable = "not-exploitable"
    }
);
word_enum!(
    /// Whether the vulnerable code can be reached in the device as built and configured.
    Reachability { Reachable = "reachable", NotReachable = "not-reachable", Unknown = "unknown" }
);
word_enum!(
    /// Patient-harm plausibility should the vulnerability be exploited (ISO 14971 severity,
    /// coarsened to what triage can judge).
    Harm { Serious = "serious", NonSerious = "non-serious", None = "none" }
);
word_enum!(
    /// Why a component is not affected: the OpenVEX and CSAF 2.0 labels, which the VEX
    /// exports map to their formats.
    Justification {
        ComponentNotPresent = "component_not_present",
        VulnerableCodeNotPresent = "vulnerable_code_not_present",
        VulnerableCodeNotInExecutePath = "vulnerable_code_not_in_execute_path",
        VulnerableCodeCannotBeControlledByAdversary = "vulnerable_code_cannot_be_controlled_by_adversary",
        InlineMitigationsAlreadyExist = "inline_mitigations_already_exist"
    }
);
word_enum!(
    /// What kind of remedy an affected outcome's action is (CSAF remediation categories;
    /// CycloneDX `analysis.response`).
    Remediation {
        VendorFix = "vendor-fix",
        Workaround = "workaround",
        Mitigation = "mitigation",
        NoFixPlanned = "no-fix-planned",
        NoneAvailable = "none-available"
    }
);
word_enum!(
    /// Qualitative severity (CVSS v3.x/v4.0 scale); `unscored` when no vector could be scored.
    Rating {
        Critical = "critical",
        High = "high",
        Medium = "medium",
        Low = "low",
        None = "none",
        Unscored = "unscored"
    }
);

impl From<vigilo_cvss::Severity> for Rating {
    fn from(severity: vigilo_cvss::Severity) -> Self {
        match severity {
            vigilo_cvss::Severity::Critical => Rating::Critical,
            vigilo_cvss::Severity::High => Rating::High,
            vigilo_cvss::Severity::Medium => Rating::Medium,
            vigilo_cvss::Severity::Low => Rating::Low,
            vigilo_cvss::Severity::None => Rating::None,
        }
    }
}

/// The severity a triage starts from.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Assessment {
    pub rating: Rating,
    /// The chosen vector's score, one decimal as CVSS prints it.
    pub score: Option<String>,
    pub vector: Option<String>,
    /// Every scored vector, v4.0 and v3.x both reported (SPEC §3.5 scores both).
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub scores: Vec<vigilo_cvss::Score>,
    /// Vectors that did not score, each with the reason.
    pub problems: Vec<String>,
}

/// Scores every vector and rates the signal by the highest v3.x or v4.0 base score; v2.0 only
/// when no newer vector is given. The highest rather than the newest, because the two versions
/// disagree for some vectors and a medical device's triage errs towards patient safety.
pub fn assess<S: AsRef<str>>(vectors: &[S]) -> Assessment {
    let mut scores = Vec::new();
    let mut problems = Vec::new();
    for vector in vectors {
        match vigilo_cvss::score(vector.as_ref()) {
            Ok(score) => scores.push(score),
            Err(error) => problems.push(error.to_string()),
        }
    }
    let current = |s: &&vigilo_cvss::Score| s.version != vigilo_cvss::CvssVersion::V2_0;
    let chosen = if scores.iter().any(|s| current(&s)) {
        scores
            .iter()
            .filter(current)
            .max_by(|a, b| a.base_score.total_cmp(&b.base_score))
    } else {
        scores
            .iter()
            .max_by(|a, b| a.base_score.total_cmp(&b.base_score))
    };
    Assessment {
        rating: chosen.map_or(Rating::Unscored, |s| s.severity.into()),
        score: chosen.map(|s| format!("{:.1}", s.base_score)),
        vector: chosen.map(|s| s.vector.clone()),
        scores: scores.clone(),
        problems,
    }
}

/// The three judgements made in the device's context.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Criteria {
    pub exploitability: Exploitability,
    pub reachability: Reachability,
    pub harm: Harm,
}

/// The outcome the criteria point to. The triager may choose another; the recommendation is
/// kept beside the decision so a reviewer sees every deviation.
///
/// - Not reachable, or not exploitable as deployed: not relevant.
/// - Otherwise a plausible path to serious harm: potential serious incident.
/// - Otherwise critical, or known exploited at medium or above: patch management.
/// - Otherwise: a software problem report, fixed through the maintenance process.
pub fn recommend(rating: Rating, criteria: Criteria) -> Outcome {
    if criteria.reachability == Reachability::NotReachable
        || criteria.exploitability == Exploitability::NotExploitable
    {
        return Outcome::NotRelevant;
    }
    if criteria.harm == Harm::Serious {
        return Outcome::PotentialSeriousIncident;
    }
    let exploited = criteria.exploitability == Exploitability::KnownExploited;
    if rating == Rating::Critical
        || (exploited && matches!(rating, Rating::High | Rating::Medium | Rating::Unscored))
    {
        return Outcome::PatchManagement;
    }
    Outcome::ProblemReport
}

/// A triage decision as asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TriageInput {
    pub outcome: Outcome,
    pub criteria: Criteria,
    pub rationale: String,
    pub justification: Option<Justification>,
    /// What is done about an affected product: the VEX action statement.
    pub action: Option<String>,
    pub remediation: Option<Remediation>,
}

impl TriageInput {
    /// Checks the decision is complete and consistent with its own criteria; every gap is
    /// named in one refusal.
    pub fn check(&self) -> Result<(), Refusal> {
        let mut missing = Vec::new();
        if self.rationale.trim().is_empty() {
            missing.push("a rationale (required to close a triage)".to_owned());
        }
        let blank_action = self.action.as_deref().is_none_or(|a| a.trim().is_empty());
        match self.outcome {
            Outcome::NotRelevant => {
                match self.justification {
                    None => missing.push(format!(
                        "a VEX justification ({})",
                        words(Justification::WORDS)
                    )),
                    Some(j)
                        if claims_unreachable(j)
                            && self.criteria.reachability == Reachability::Reachable =>
                    {
                        missing.push(format!(
                            "a justification consistent with the criteria: {j} contradicts reachability \"reachable\""
                        ));
                    }
                    Some(_) => {}
                }
                if self.remediation.is_some() {
                    missing.push("no remedy: \"not-relevant\" leaves nothing to remedy".to_owned());
                }
            }
            Outcome::ProblemReport | Outcome::PatchManagement => {
                if blank_action {
                    missing.push(
                        "an action (what is done about the affected version: the VEX action statement)"
                            .to_owned(),
                    );
                }
                if self.justification.is_some() {
                    missing.push(
                        "no justification: a justification explains \"not-relevant\" only"
                            .to_owned(),
                    );
                }
                if self.remediation.is_none() {
                    missing.push(format!(
                        "the kind of remedy ({})",
                        words(Remediation::WORDS)
                    ));
                }
            }
            Outcome::PotentialSeriousIncident => {
                if self.justification.is_some() {
                    missing.push(
                        "no justification: a justification explains \"not-relevant\" only"
                            .to_owned(),
                    );
                }
            }
        }
        if missing.is_empty() {
            Ok(())
        } else {
            Err(Refusal::new(
                format!(
                    "a {} triage needs a rationale{}",
                    self.outcome,
                    match self.outcome {
                        Outcome::NotRelevant => " and a VEX justification",
                        Outcome::ProblemReport | Outcome::PatchManagement => {
                            " and an action with its kind of remedy"
                        }
                        Outcome::PotentialSeriousIncident => "",
                    }
                ),
                missing.join("; "),
            ))
        }
    }
}

fn claims_unreachable(j: Justification) -> bool {
    matches!(
        j,
        Justification::ComponentNotPresent
            | Justification::VulnerableCodeNotPresent
            | Justification::VulnerableCodeNotInExecutePath
    )
}

fn words<T>(pairs: &[(&str, T)]) -> String {
    pairs.iter().map(|(w, _)| *w).collect::<Vec<_>>().join(", ")
}

/// A finding's status in a VEX statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum VexState {
    /// Not triaged yet.
    UnderInvestigation,
    NotAffected {
        justification: Justification,
    },
    Affected {
        action: String,
        remediation: Remediation,
    },
    /// The version carries the component at a version the advisory no longer affects, while
    /// an earlier version of the product was affected.
    Fixed {
        fixed_in: Option<String>,
    },
}

impl VexState {
    /// The status a triage decision gives; `vigilance` names the case a potential serious
    /// incident went to, for the action statement. An affected decision without a remedy kind
    /// (a potential serious incident) has none available yet.
    pub fn of(
        outcome: Outcome,
        justification: Option<Justification>,
        action: Option<&str>,
        remediation: Option<Remediation>,
        vigilance: Option<&str>,
    ) -> VexState {
        match (outcome, justification) {
            (Outcome::NotRelevant, Some(justification)) => VexState::NotAffected { justification },
            // A not-relevant triage without a justification cannot be stored (`check`); should
            // one be read, claiming not_affected without a reason would be worse than this.
            (Outcome::NotRelevant, None) => VexState::UnderInvestigation,
            _ => {
                let mut text = action.unwrap_or_default().trim().to_owned();
                if let Some(case) = vigilance {
                    if !text.is_empty() {
                        text.push(' ');
                    }
                    text.push_str(&format!(
                        "Assessed as a potential serious incident ({case})."
                    ));
                }
                if text.is_empty() {
                    text = "Under assessment by the manufacturer.".to_owned();
                }
                VexState::Affected {
                    action: text,
                    remediation: remediation.unwrap_or(Remediation::NoneAvailable),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn criteria(e: Exploitability, r: Reachability, h: Harm) -> Criteria {
        Criteria {
            exploitability: e,
            reachability: r,
            harm: h,
        }
    }

    #[test]
    fn highest_current_score_decides_and_both_versions_are_reported() {
        let a = assess(&[
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:L/VI:N/VA:N/SC:N/SI:N/SA:N",
            "AV:N/AC:L/Au:N/C:C/I:C/A:C",
        ]);
        assert_eq!(a.rating, Rating::Critical);
        assert_eq!(a.score.as_deref(), Some("9.8"));
        assert_eq!(a.scores.len(), 3);
        assert!(a.problems.is_empty());
    }

    #[test]
    fn v2_decides_only_alone_and_bad_vectors_are_named() {
        let a = assess(&["AV:N/AC:L/Au:N/C:P/I:N/A:N", "CVSS:3.1/AV:X"]);
        assert_eq!(a.rating, Rating::Medium);
        assert_eq!(a.score.as_deref(), Some("5.0"));
        assert_eq!(a.problems.len(), 1, "{:?}", a.problems);
        assert!(a.problems[0].contains("CVSS:3.1/AV:X"), "{:?}", a.problems);
        assert_eq!(assess::<&str>(&[]).rating, Rating::Unscored);
    }

    #[test]
    fn recommendations_follow_the_criteria() {
        use Exploitability::*;
        use Harm as H;
        use Reachability::*;
        let r = |rating, e, reach, h| recommend(rating, criteria(e, reach, h));
        assert_eq!(
            r(Rating::Critical, KnownExploited, NotReachable, H::Serious),
            Outcome::NotRelevant
        );
        assert_eq!(
            r(Rating::Critical, NotExploitable, Reachable, H::Serious),
            Outcome::NotRelevant
        );
        assert_eq!(
            r(Rating::Low, Theoretical, Unknown, H::Serious),
            Outcome::PotentialSeriousIncident
        );
        assert_eq!(
            r(Rating::Critical, Theoretical, Reachable, H::NonSerious),
            Outcome::PatchManagement
        );
        assert_eq!(
            r(Rating::Medium, KnownExploited, Reachable, H::None),
            Outcome::PatchManagement
        );
        assert_eq!(
            r(Rating::Low, KnownExploited, Reachable, H::None),
            Outcome::ProblemReport
        );
        assert_eq!(
            r(Rating::High, PublicExploit, Reachable, H::NonSerious),
            Outcome::ProblemReport
        );
    }

    fn input(outcome: Outcome) -> TriageInput {
        TriageInput {
            outcome,
            criteria: criteria(
                Exploitability::Theoretical,
                Reachability::Unknown,
                Harm::None,
            ),
            rationale: "Assessed by the security board.".into(),
            justification: None,
            action: None,
            remediation: None,
        }
    }

    #[test]
    fn not_relevant_needs_a_justification_the_criteria_do_not_contradict() {
        let refused = input(Outcome::NotRelevant).check().unwrap_err();
        assert!(
            refused
                .missing
                .contains("a VEX justification (component_not_present"),
            "{refused:?}"
        );
        let mut reachable = input(Outcome::NotRelevant);
        reachable.criteria.reachability = Reachability::Reachable;
        reachable.justification = Some(Justification::VulnerableCodeNotInExecutePath);
        let refused = reachable.check().unwrap_err();
        assert!(
            refused.missing.contains("contradicts reachability"),
            "{refused:?}"
        );
        reachable.justification = Some(Justification::InlineMitigationsAlreadyExist);
        assert!(reachable.check().is_ok());
    }

    #[test]
    fn every_gap_is_named_at_once() {
        let mut i = input(Outcome::PatchManagement);
        i.rationale = "  ".into();
        i.justification = Some(Justification::ComponentNotPresent);
        let refused = i.check().unwrap_err();
        assert_eq!(
            refused.rule,
            "a patch-management triage needs a rationale and an action with its kind of remedy"
        );
        assert!(
            refused.missing.contains("the kind of remedy (vendor-fix"),
            "{refused:?}"
        );
        assert!(refused.missing.contains("a rationale"), "{refused:?}");
        assert!(refused.missing.contains("an action"), "{refused:?}");
        assert!(refused.missing.contains("no justification"), "{refused:?}");
        i.rationale = "Fix ships in 2.1.1.".into();
        i.justification = None;
        i.action = Some("Update to 2.1.1.".into());
        i.remediation = Some(Remediation::VendorFix);
        assert!(i.check().is_ok());
        assert!(input(Outcome::PotentialSeriousIncident).check().is_ok());
    }

    #[test]
    fn vex_states() {
        assert_eq!(
            VexState::of(
                Outcome::NotRelevant,
                Some(Justification::ComponentNotPresent),
                None,
                None,
                None
            ),
            VexState::NotAffected {
                justification: Justification::ComponentNotPresent
            }
        );
        assert_eq!(
            VexState::of(
                Outcome::PotentialSeriousIncident,
                None,
                None,
                None,
                Some("vigilance case 4")
            ),
            VexState::Affected {
                action: "Assessed as a potential serious incident (vigilance case 4).".into(),
                remediation: Remediation::NoneAvailable,
            }
        );
    }

    fn any_criteria() -> impl Strategy<Value = (Rating, Criteria)> {
        (
            prop::sample::select(Rating::WORDS.iter().map(|(_, r)| *r).collect::<Vec<_>>()),
            prop::sample::select(
                Exploitability::WORDS
                    .iter()
                    .map(|(_, r)| *r)
                    .collect::<Vec<_>>(),
            ),
            prop::sample::select(
                Reachability::WORDS
                    .iter()
                    .map(|(_, r)| *r)
                    .collect::<Vec<_>>(),
            ),
            prop::sample::select(Harm::WORDS.iter().map(|(_, r)| *r).collect::<Vec<_>>()),
        )
            .prop_map(|(rating, e, r, h)| (rating, criteria(e, r, h)))
    }

    proptest! {
        /// A recommendation is "not relevant" exactly when the code is unreachable or not
        /// exploitable, and serious harm otherwise always goes to vigilance.
        #[test]
        fn serious_harm_goes_to_vigilance((rating, c) in any_criteria()) {
            let outcome = recommend(rating, c);
            let excluded = c.reachability == Reachability::NotReachable
                || c.exploitability == Exploitability::NotExploitable;
            prop_assert_eq!(outcome == Outcome::NotRelevant, excluded);
            if c.harm == Harm::Serious && !excluded {
                prop_assert_eq!(outcome, Outcome::PotentialSeriousIncident);
            }
        }
    }
}
