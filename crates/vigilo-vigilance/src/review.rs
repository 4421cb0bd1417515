//! The monthly PMS service-data review as read back (SPEC §3.4): a review with its recorded
//! material, and the quarterly summary of a quarter's reviews.

use crate::model::{Review, ReviewDecision};
use jiff::Timestamp;
use serde::Serialize;
use vigilo_registry::Invalid;

/// A recorded review with its material as a JSON object (the record keeps it as text).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReviewView {
    /// The month, YYYY-MM.
    pub id: String,
    /// The month's review material as built when recorded: complaints, suspected serious
    /// incidents, the signalling assessments.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub signals: serde_json::Value,
    pub decision: ReviewDecision,
    pub notes: String,
    pub reviewer: String,
    pub reviewed_at: Timestamp,
}

impl ReviewView {
    /// How many subjects signalled in the material recorded.
    pub fn signal_count(&self) -> usize {
        self.signals["signals"].as_array().map_or(0, Vec::len)
    }
}

impl From<Review> for ReviewView {
    fn from(r: Review) -> Self {
        ReviewView {
            id: r.id,
            signals: r.signals,
            decision: r.decision,
            notes: r.notes,
            reviewer: r.reviewer,
            reviewed_at: r.reviewed_at,
        }
    }
}

/// A calendar quarter, `YYYY-Qn`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quarter {
    pub year: i16,
    /// 1–4.
    pub quarter: i8,
}

impl Quarter {
    pub fn parse(field: &str, value: &str) -> Result<Quarter, Invalid> {
        let bad = || {
            Invalid::new(
                field,
                format!("{value:?} is not a quarter: expected YYYY-Qn, e.g. 2026-Q4"),
            )
        };
        let (year, q) = value.trim().split_once("-Q").ok_or_else(bad)?;
        let year: i16 = year.parse().map_err(|_| bad())?;
        let quarter: i8 = q.parse().map_err(|_| bad())?;
        if !(1..=4).contains(&quarter) {
            return Err(bad());
        }
        Ok(Quarter { year, quarter })
    }

    /// The quarter a month (1–12) falls in.
    pub fn of_month(year: i16, month: i8) -> Quarter {
        Quarter {
            year,
            quarter: (month - 1) / 3 + 1,
        }
    }

    /// Its three months, `YYYY-MM`.
    pub fn months(&self) -> [String; 3] {
        let first = (self.quarter - 1) * 3 + 1;
        [0, 1, 2].map(|i| format!("{:04}-{:02}", self.year, first + i))
    }
}

impl std::fmt::Display for Quarter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-Q{}", self.year, self.quarter)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QuarterMonth {
    /// YYYY-MM.
    pub month: String,
    pub reviewed: bool,
    pub decision: Option<ReviewDecision>,
    pub signals: usize,
    pub complaints: Option<i64>,
    pub suspected_serious: Option<i64>,
    pub notes: Option<String>,
}

/// The quarterly summary of the monthly reviews.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Quarterly {
    /// E.g. 2026-Q1.
    pub quarter: String,
    pub months: Vec<QuarterMonth>,
    pub not_reviewed: Vec<String>,
    /// Months whose review decided more than "no action".
    pub months_with_action: Vec<String>,
}

/// The summary of `quarter` from the recorded reviews.
pub fn quarterly(quarter: Quarter, reviews: &[ReviewView]) -> Quarterly {
    let months = quarter.months();
    let reviewed = |m: &String| reviews.iter().find(|r| r.id == *m);
    Quarterly {
        quarter: quarter.to_string(),
        months: months
            .iter()
            .map(|m| {
                let r = reviewed(m);
                QuarterMonth {
                    month: m.clone(),
                    reviewed: r.is_some(),
                    decision: r.map(|r| r.decision),
                    signals: r.map_or(0, ReviewView::signal_count),
                    complaints: r.and_then(|r| r.signals["complaints"].as_i64()),
                    suspected_serious: r.and_then(|r| r.signals["suspected_serious"].as_i64()),
                    notes: r.map(|r| r.notes.clone()),
                }
            })
            .collect(),
        not_reviewed: months
            .iter()
            .filter(|m| reviewed(m).is_none())
            .cloned()
            .collect(),
        months_with_action: months
            .iter()
            .filter(|m| reviewed(m).is_some_and(|r| r.decision != ReviewDecision::NoAction))
            .cloned()
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn review(id: &str, decision: ReviewDecision) -> ReviewView {
        ReviewView {
            id: id.into(),
            signals: serde_json::json!({"complaints": 4, "suspected_serious": 1, "signals": [{}]}),
            decision,
            notes: "n".into(),
            reviewer: "pia".into(),
            reviewed_at: Timestamp::UNIX_EPOCH,
        }
    }

    #[test]
    fn quarters_parse_and_list_their_months() {
        let q = Quarter::parse("--quarter", "2026-Q4").unwrap();
        assert_eq!(q.months(), ["2026-10", "2026-11", "2026-12"]);
        assert_eq!(Quarter::of_month(2026, 2).to_string(), "2026-Q1");
        for bad in ["2026-Q5", "2026Q1", "Q1-2026", "2026-Q"] {
            assert!(Quarter::parse("--quarter", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_summary_names_unreviewed_months_and_those_with_action() {
        let reviews = [
            review("2026-10", ReviewDecision::TrendReport),
            review("2026-11", ReviewDecision::NoAction),
            review("2026-07", ReviewDecision::Capa),
        ];
        let q = quarterly(Quarter::parse("q", "2026-Q4").unwrap(), &reviews);
        assert_eq!(q.not_reviewed, ["2026-12"]);
        assert_eq!(q.months_with_action, ["2026-10"]);
        assert_eq!((q.months[0].signals, q.months[0].complaints), (1, Some(4)));
    }
}
