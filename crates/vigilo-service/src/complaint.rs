//! The complaint record (ISO 13485 8.2.2): a complaint is closed only when it has been
//! investigated, its reportability decided and its correction/CAPA decided, each with reasons.

use crate::model::{Complaint, Correction, Reportability};

/// What a complaint still lacks before it may be closed, in the order 8.2.2 lists them. Empty
/// when it may be closed. `has_vigilance_case`: a reportable complaint must have been flagged
/// (a vigilance case carries the report).
pub fn missing_for_closure(c: &Complaint, has_vigilance_case: bool) -> Vec<&'static str> {
    let mut missing = Vec::new();
    if c.investigation.is_none() {
        missing.push("an investigation");
    }
    match (c.reportability, &c.reportability_rationale) {
        (None, _) => missing.push("a reportability decision"),
        (Some(_), None) => missing.push("the rationale of the reportability decision"),
        (Some(Reportability::Reportable), Some(_)) if !has_vigilance_case => {
            missing.push("a vigilance case (flag the ticket as a suspected serious incident)")
        }
        _ => {}
    }
    match (c.correction, &c.correction_rationale) {
        (None, _) => missing.push("a correction/CAPA decision"),
        (Some(_), None) => missing.push("the rationale of the correction/CAPA decision"),
        (Some(Correction::Capa), Some(_)) if c.capa_ref.is_none() => {
            missing.push("the CAPA reference")
        }
        _ => {}
    }
    missing
}

#[cfg(test)]
mod tests {
    use super::*;

    fn empty() -> Complaint {
        Complaint::open(1)
    }

    #[test]
    fn a_new_complaint_lacks_all_three_decisions() {
        assert_eq!(
            missing_for_closure(&empty(), false),
            [
                "an investigation",
                "a reportability decision",
                "a correction/CAPA decision"
            ]
        );
    }

    #[test]
    fn reportable_needs_a_case_and_capa_needs_its_reference() {
        let c = Complaint {
            investigation: Some("battery cell defect".into()),
            reportability: Some(Reportability::Reportable),
            reportability_rationale: Some("led to loss of therapy".into()),
            correction: Some(Correction::Capa),
            correction_rationale: Some("supplier lot issue".into()),
            ..empty()
        };
        assert_eq!(
            missing_for_closure(&c, false),
            [
                "a vigilance case (flag the ticket as a suspected serious incident)",
                "the CAPA reference"
            ]
        );
        let done = Complaint {
            capa_ref: Some("CAPA-2026-014".into()),
            ..c
        };
        assert!(missing_for_closure(&done, true).is_empty());
    }

    #[test]
    fn not_reportable_is_a_decision_too() {
        let c = Complaint {
            investigation: Some("user error, IFU followed wrongly".into()),
            reportability: Some(Reportability::NotReportable),
            reportability_rationale: Some("no harm, no malfunction".into()),
            correction: Some(Correction::None),
            correction_rationale: Some("IFU is clear".into()),
            ..empty()
        };
        assert!(missing_for_closure(&c, false).is_empty());
    }
}
