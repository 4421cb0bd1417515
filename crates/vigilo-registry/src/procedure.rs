//! Controlled procedures (ISO 13485 4.2.4): which version governs a service event type on a
//! given day. A later effective version supersedes the earlier one from its effective date.

use crate::model::ProcedureVersion;
use jiff::civil::Date;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum ProcedureStatus {
    /// Not yet approved: no effective date.
    Draft,
    /// Approved with an effective date still to come.
    Scheduled,
    Effective,
    Superseded,
}

impl std::fmt::Display for ProcedureStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ProcedureStatus::Draft => "draft",
            ProcedureStatus::Scheduled => "scheduled",
            ProcedureStatus::Effective => "effective",
            ProcedureStatus::Superseded => "superseded",
        })
    }
}

/// The version of one procedure in force on `day`: the one with the latest effective date not
/// after `day`. `versions` are the versions of a single procedure.
pub fn in_force(versions: &[ProcedureVersion], day: Date) -> Option<&ProcedureVersion> {
    versions
        .iter()
        .filter(|v| v.effective_on.is_some_and(|d| d <= day))
        .max_by_key(|v| v.effective_on)
}

pub fn status(
    version: &ProcedureVersion,
    siblings: &[ProcedureVersion],
    today: Date,
) -> ProcedureStatus {
    match version.effective_on {
        None => ProcedureStatus::Draft,
        Some(d) if d > today => ProcedureStatus::Scheduled,
        Some(_) => match in_force(siblings, today) {
            Some(current) if current.id != version.id => ProcedureStatus::Superseded,
            _ => ProcedureStatus::Effective,
        },
    }
}

/// The procedure versions that govern `event_type` on `day`: for every procedure, its version in
/// force that day, if that version lists the event type. `all` holds every version of every
/// procedure.
pub fn governing(all: &[ProcedureVersion], event_type: &str, day: Date) -> Vec<ProcedureVersion> {
    let mut ids: Vec<&str> = all.iter().map(|v| v.procedure_id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    ids.into_iter()
        .filter_map(|id| {
            let versions: Vec<ProcedureVersion> = all
                .iter()
                .filter(|v| v.procedure_id == id)
                .cloned()
                .collect();
            in_force(&versions, day).cloned()
        })
        .filter(|v| v.governs.iter().any(|t| t == event_type))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn v(id: i64, version: &str, effective: Option<Date>, governs: &[&str]) -> ProcedureVersion {
        ProcedureVersion {
            id,
            procedure_id: "SOP-BAT".into(),
            version: version.into(),
            title: "Battery replacement".into(),
            governs: governs.iter().map(|s| s.to_string()).collect(),
            effective_on: effective,
        }
    }

    #[test]
    fn later_version_supersedes_from_its_effective_date() {
        let all = [
            v(1, "1", Some(date(2024, 1, 1)), &["battery-replacement"]),
            v(2, "2", Some(date(2025, 6, 1)), &["battery-replacement"]),
            v(3, "3", None, &["battery-replacement"]),
        ];
        assert_eq!(in_force(&all, date(2023, 12, 31)), None);
        assert_eq!(in_force(&all, date(2025, 5, 31)).unwrap().version, "1");
        assert_eq!(in_force(&all, date(2025, 6, 1)).unwrap().version, "2");
        let today = date(2025, 7, 1);
        assert_eq!(status(&all[0], &all, today), ProcedureStatus::Superseded);
        assert_eq!(status(&all[1], &all, today), ProcedureStatus::Effective);
        assert_eq!(status(&all[2], &all, today), ProcedureStatus::Draft);
        assert_eq!(
            status(&all[1], &all, date(2025, 1, 1)),
            ProcedureStatus::Scheduled
        );
    }

    #[test]
    fn governing_follows_the_version_in_force() {
        let mut all = vec![
            v(
                1,
                "1",
                Some(date(2024, 1, 1)),
                &["battery-replacement", "functional-check"],
            ),
            v(2, "2", Some(date(2025, 6, 1)), &["battery-replacement"]),
        ];
        all.push(ProcedureVersion {
            procedure_id: "SOP-FC".into(),
            ..v(3, "1", Some(date(2025, 6, 1)), &["functional-check"])
        });
        let ids = |day| -> Vec<(String, String)> {
            governing(&all, "functional-check", day)
                .into_iter()
                .map(|p| (p.procedure_id, p.version))
                .collect()
        };
        assert_eq!(ids(date(2025, 1, 1)), [("SOP-BAT".into(), "1".into())]);
        assert_eq!(ids(date(2025, 6, 1)), [("SOP-FC".into(), "1".into())]);
    }
}
