//! Maintenance due (SPEC §3.2; MDR Annex I §23.4): from the product's IFU schedule and each
//! device's last completed event of that type, which devices are due or overdue for what.

use jiff::civil::Date;
use serde::Serialize;
use vigilo_registry::schedule::{Interval, Schedule};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub enum DueStatus {
    Overdue,
    Due,
}

/// Where a device's clock for an event type starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case", tag = "from", content = "date")]
pub enum Baseline {
    /// The last event of the type that passed.
    LastService(Date),
    /// Never serviced for it: counted from manufacture.
    Manufactured(Date),
    /// Never serviced and no manufacturing date on record: due at once, so someone looks.
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DueItem {
    pub event_type: String,
    pub interval: Interval,
    pub baseline: Baseline,
    /// `None` with an unknown baseline.
    pub due_on: Option<Date>,
    pub status: DueStatus,
}

/// The schedule's entries for one device that fall due on or before `as_of + horizon_days`.
/// `last_passed(type)` gives the date of the device's last passed event of that type. Only a
/// passed event resets the clock: a failed or incomplete battery change leaves it due.
pub fn due_items(
    schedule: &Schedule,
    manufactured_on: Option<Date>,
    last_passed: impl Fn(&str) -> Option<Date>,
    as_of: Date,
    horizon_days: i32,
) -> Vec<DueItem> {
    let horizon = as_of.saturating_add(jiff::Span::new().days(horizon_days));
    schedule
        .iter()
        .filter_map(|(event_type, interval)| {
            let baseline = match (last_passed(event_type), manufactured_on) {
                (Some(d), _) => Baseline::LastService(d),
                (None, Some(d)) => Baseline::Manufactured(d),
                (None, None) => Baseline::Unknown,
            };
            let due_on = match baseline {
                Baseline::LastService(d) | Baseline::Manufactured(d) => Some(interval.next_due(d)),
                Baseline::Unknown => None,
            };
            let status = match due_on {
                Some(d) if d > horizon => return None,
                Some(d) if d >= as_of => DueStatus::Due,
                _ => DueStatus::Overdue,
            };
            Some(DueItem {
                event_type: event_type.clone(),
                interval: *interval,
                baseline,
                due_on,
                status,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use vigilo_registry::schedule::parse_schedule;

    #[test]
    fn last_passed_event_resets_the_clock() {
        let schedule = parse_schedule("s", "battery-replacement=24m,calibration=12m").unwrap();
        let last = |t: &str| match t {
            "battery-replacement" => Some(date(2024, 8, 31)),
            _ => None,
        };
        let items = due_items(
            &schedule,
            Some(date(2025, 12, 1)),
            last,
            date(2026, 11, 21),
            30,
        );
        // Battery: 2024-08-31 + 24 months = 2026-08-31, overdue. Calibration: manufactured
        // 2025-12-01 + 12 months = 2026-12-01, within the 30-day horizon.
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].event_type, "battery-replacement");
        assert_eq!(items[0].due_on, Some(date(2026, 8, 31)));
        assert_eq!(items[0].status, DueStatus::Overdue);
        assert_eq!(items[1].baseline, Baseline::Manufactured(date(2025, 12, 1)));
        assert_eq!(items[1].due_on, Some(date(2026, 12, 1)));
        assert_eq!(items[1].status, DueStatus::Due);
        let later = due_items(
            &schedule,
            Some(date(2025, 12, 1)),
            last,
            date(2026, 11, 21),
            5,
        );
        assert_eq!(later.len(), 1, "calibration falls outside a 5-day horizon");
    }

    #[test]
    fn due_on_the_day_is_due_not_overdue_and_unknown_baseline_is_overdue() {
        let schedule = parse_schedule("s", "calibration=12m").unwrap();
        let items = due_items(
            &schedule,
            None,
            |_| Some(date(2025, 11, 21)),
            date(2026, 11, 21),
            0,
        );
        assert_eq!(items[0].status, DueStatus::Due);
        let items = due_items(&schedule, None, |_| None, date(2026, 11, 21), 0);
        assert_eq!(items[0].baseline, Baseline::Unknown);
        assert_eq!(items[0].status, DueStatus::Overdue);
    }
}
