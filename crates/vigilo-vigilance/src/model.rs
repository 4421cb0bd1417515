//! The vigilance records (SPEC §2, §3.3). A case itself is opened by flagging a ticket
//! (`vigilo_service::VigilanceCase`); these records are what happens to it afterwards. Each is
//! an append-only fact: a later decision supersedes an earlier one without erasing it.

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use vigilo_incident::mir::{MirIncident, MirInvestigation, MirPatient};
pub use vigilo_registry::country::Market;
use vigilo_registry::word_enum;

word_enum!(
    /// The reporting category a vigilance officer decides (SPEC §5), each with its period.
    Category {
        SeriousPublicHealthThreat = "serious-public-health-threat",
        DeathOrUnanticipatedSeriousDeterioration = "death-or-unanticipated-serious-deterioration",
        SeriousIncident = "serious-incident",
        Mdr30Day = "mdr-30-day",
        Mdr5Day = "mdr-5-day",
        NotReportable = "not-reportable"
    }
);

word_enum!(
    /// MIR "type of report" and its FDA equivalents (MDCG 2023-3 Q&A 8: an initial report may
    /// be incomplete and followed by follow-ups; a final report closes the case).
    ReportKind {
        Initial = "initial",
        FollowUp = "follow-up",
        InitialFinal = "initial-final",
        Final = "final"
    }
);

/// How a category's period is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counting {
    /// Regulation 1182/71 Art. 3 with the reporting country's public holidays.
    EuDays,
    /// Calendar days, no adjustment (21 CFR 803.50).
    CalendarDays,
    /// Work days: Monday to Friday except federal holidays (21 CFR 803.3).
    WorkDays,
}

impl Category {
    /// The market the category belongs to; `None` for "not reportable", which any market may
    /// decide.
    pub fn market(&self) -> Option<Market> {
        match self {
            Category::SeriousPublicHealthThreat
            | Category::DeathOrUnanticipatedSeriousDeterioration
            | Category::SeriousIncident => Some(Market::Eu),
            Category::Mdr30Day | Category::Mdr5Day => Some(Market::Us),
            Category::NotReportable => None,
        }
    }

    /// The reporting period in days and how it is counted; `None` for "not reportable".
    pub fn period(&self) -> Option<(u32, Counting)> {
        match self {
            Category::SeriousPublicHealthThreat => Some((2, Counting::EuDays)),
            Category::DeathOrUnanticipatedSeriousDeterioration => Some((10, Counting::EuDays)),
            Category::SeriousIncident => Some((15, Counting::EuDays)),
            Category::Mdr30Day => Some((30, Counting::CalendarDays)),
            Category::Mdr5Day => Some((5, Counting::WorkDays)),
            Category::NotReportable => None,
        }
    }

    /// The legal source of the period.
    pub fn rule(&self) -> &'static str {
        match self {
            Category::SeriousPublicHealthThreat => "MDR Art. 87(4): 2 days",
            Category::DeathOrUnanticipatedSeriousDeterioration => "MDR Art. 87(5): 10 days",
            Category::SeriousIncident => "MDR Art. 87(3): 15 days",
            Category::Mdr30Day => "21 CFR 803.50: 30 calendar days",
            Category::Mdr5Day => "21 CFR 803.53: 5 work days",
            Category::NotReportable => "not reportable",
        }
    }

    /// The shortest period of a market: what applies until the category is decided.
    pub fn strictest(market: Market) -> Category {
        match market {
            Market::Eu => Category::SeriousPublicHealthThreat,
            Market::Us => Category::Mdr5Day,
        }
    }
}

/// The 24-hour escalation's acknowledgement: a person with the vigilance role has taken the
/// case (one per case).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Acknowledgement {
    pub id: i64,
    pub case_id: i64,
    pub person: String,
    pub at: Timestamp,
}

/// A reportability decision with its rationale; "not reportable" is a decision too. The clock
/// of a reportable decision runs from `clock_from`: the incident's awareness instant, or the
/// instant the manufacturer became aware of its reportability when an earlier decision had
/// judged it not reportable (MIR 7.3 records both dates).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Decision {
    pub id: i64,
    pub case_id: i64,
    pub category: Category,
    pub rationale: String,
    pub clock_from: Timestamp,
    pub decided_by: String,
    pub decided_at: Timestamp,
}

/// A report submitted to an authority, with the instant it was submitted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Submission {
    pub id: i64,
    pub case_id: i64,
    pub market: Market,
    pub kind: ReportKind,
    pub submitted_at: Timestamp,
    pub reference: Option<String>,
    pub recorded_by: String,
    pub recorded_at: Timestamp,
}

/// Documents that hold fractional numbers (rates, p-values, a patient's weight) are kept in
/// their record as JSON text: the audit chain's canonical form has no floats (vigilo-audit).
pub mod json_text {
    use serde::de::{DeserializeOwned, Error as _};
    use serde::ser::Error as _;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<T: Serialize, S: Serializer>(value: &T, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&serde_json::to_string(value).map_err(S::Error::custom)?)
    }

    pub fn deserialize<'de, T: DeserializeOwned, D: Deserializer<'de>>(
        d: D,
    ) -> Result<T, D::Error> {
        serde_json::from_str(&String::deserialize(d)?).map_err(D::Error::custom)
    }
}

/// An organisation-maintained public holiday of a country, beyond the national ones computed
/// by rule (a regional holiday at the competent authority's seat, a one-off closure).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HolidayRecord {
    pub id: i64,
    pub country: String,
    pub date: Date,
    pub name: String,
    /// The file it was imported from.
    pub source: String,
}

/// The incident facts a report draft needs, kept as the MIR form's own sections 2–5 (incident,
/// patient, investigation, comments) as the investigation goes on; the administrative,
/// manufacturer and device sections come from the records Vigilo already holds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields, default)]
pub struct IncidentDetails {
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub incident: MirIncident,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub patient: MirPatient,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub investigation: MirInvestigation,
    pub comments: Option<String>,
}

/// The current incident facts of a case (one record per case, replaced as it evolves).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseDetails {
    /// The case's id.
    pub id: i64,
    #[serde(with = "json_text")]
    pub details: IncidentDetails,
    pub updated_by: String,
    pub updated_at: Timestamp,
}

/// An IMDRF code given to a ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TicketCode {
    pub id: i64,
    pub ticket: i64,
    /// IMDRF AET annex letter.
    pub annex: String,
    pub code: String,
    pub coded_by: String,
    pub coded_at: Timestamp,
}

/// A field safety corrective action (MDR Art. 89, 21 CFR 806): its scope over the product's
/// devices and the field safety notice. Empty scope lists do not narrow the scope; non-empty
/// ones all must match.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Fsca {
    pub id: String,
    pub title: String,
    pub product: String,
    /// Software versions the devices run.
    pub versions: Vec<String>,
    /// Device lots, or part lots fitted in service.
    pub lots: Vec<String>,
    pub serials: Vec<String>,
    pub countries: Vec<String>,
    pub reason: String,
    /// The field safety notice text.
    pub notice: String,
    pub case_id: Option<i64>,
    pub opened_by: String,
    pub opened_at: Timestamp,
}

/// A device in an FSCA's scope when it was opened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FscaDevice {
    pub id: i64,
    pub fsca: String,
    pub device: i64,
    pub serial: String,
    pub country: String,
    /// The device's customer, or [`NO_CUSTOMER`].
    pub customer: String,
    pub software: Option<String>,
}

/// The customer name under which devices without a recorded customer are listed: someone must
/// still find and notify them.
pub const NO_CUSTOMER: &str = "(no customer recorded)";

/// A customer's acknowledgement of a field safety notice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FscaAcknowledgement {
    pub id: i64,
    pub fsca: String,
    pub customer: String,
    pub acknowledged_at: Timestamp,
    pub recorded_by: String,
    pub recorded_at: Timestamp,
}

word_enum!(
    /// What a monthly PMS review decided about its signals (ISO 13485 8.4, MDR Art. 83(3)).
    ReviewDecision {
        NoAction = "no-action",
        Monitor = "monitor",
        Capa = "capa",
        TrendReport = "trend-report"
    }
);

/// A monthly PMS service-data review: the month's signals as built, and the decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Review {
    /// The month, `YYYY-MM`.
    pub id: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    #[serde(with = "json_text")]
    pub signals: serde_json::Value,
    pub decision: ReviewDecision,
    pub notes: String,
    pub reviewer: String,
    pub reviewed_at: Timestamp,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_reportable_category_has_a_market_and_a_period() {
        for (_, c) in Category::WORDS {
            assert_eq!(c.market().is_some(), c.period().is_some(), "{c}");
        }
        assert_eq!(
            Category::strictest(Market::Eu).period(),
            Some((2, Counting::EuDays))
        );
    }
}
