//! Maintenance schedules from the IFU (MDR Annex I §23.4): an interval per service event type.

use crate::input::{self, Invalid};
use jiff::civil::Date;
use jiff::{Span, ToSpan};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Interval {
    pub count: u16,
    pub unit: IntervalUnit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntervalUnit {
    Days,
    Weeks,
    Months,
    Years,
}

impl Interval {
    pub fn parse(field: &str, value: &str) -> Result<Self, Invalid> {
        let bad = || {
            Invalid::new(
                field,
                format!(
                    "{value:?} is not an interval: expected a whole number of days, weeks, months or years such as 90d, 6w, 24m, 1y"
                ),
            )
        };
        let v = value.trim();
        let (digits, unit) = v.split_at(v.len().saturating_sub(1));
        let unit = match unit {
            "d" => IntervalUnit::Days,
            "w" => IntervalUnit::Weeks,
            "m" => IntervalUnit::Months,
            "y" => IntervalUnit::Years,
            _ => return Err(bad()),
        };
        match digits.parse::<u16>() {
            Ok(count) if count > 0 && digits.bytes().all(|b| b.is_ascii_digit()) => {
                Ok(Interval { count, unit })
            }
            _ => Err(bad()),
        }
    }

    fn span(&self) -> Span {
        let n = i64::from(self.count);
        match self.unit {
            IntervalUnit::Days => n.days(),
            IntervalUnit::Weeks => n.weeks(),
            IntervalUnit::Months => n.months(),
            IntervalUnit::Years => n.years(),
        }
    }

    /// The date the next event is due after one done on `last`. Month arithmetic clamps to the
    /// end of the month (a battery changed on 31 August is due on 28/29 February).
    pub fn next_due(&self, last: Date) -> Date {
        last.saturating_add(self.span())
    }
}

impl fmt::Display for Interval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let unit = match self.unit {
            IntervalUnit::Days => 'd',
            IntervalUnit::Weeks => 'w',
            IntervalUnit::Months => 'm',
            IntervalUnit::Years => 'y',
        };
        write!(f, "{}{unit}", self.count)
    }
}

impl TryFrom<String> for Interval {
    type Error = Invalid;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Interval::parse("interval", &value)
    }
}

impl From<Interval> for String {
    fn from(i: Interval) -> String {
        i.to_string()
    }
}

/// Service event type → interval.
pub type Schedule = BTreeMap<String, Interval>;

/// Parses `battery-replacement=24m,calibration=12m`.
pub fn parse_schedule(field: &str, value: &str) -> Result<Schedule, Invalid> {
    let mut schedule = Schedule::new();
    if value.trim().is_empty() {
        return Ok(schedule);
    }
    for item in value.split(',') {
        let Some((kind, interval)) = item.split_once('=') else {
            return Err(Invalid::new(
                field,
                format!(
                    "{item:?} is not an entry: expected EVENT-TYPE=INTERVAL, e.g. calibration=12m"
                ),
            ));
        };
        let kind = input::identifier(field, kind.trim())?;
        let interval = Interval::parse(field, interval)?;
        if schedule.insert(kind.clone(), interval).is_some() {
            return Err(Invalid::new(
                field,
                format!("event type {kind:?} is listed twice"),
            ));
        }
    }
    Ok(schedule)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn schedules_parse() {
        let s = parse_schedule("--schedule", "battery-replacement=24m, calibration=12m").unwrap();
        assert_eq!(s["battery-replacement"].to_string(), "24m");
        assert_eq!(s["calibration"].unit, IntervalUnit::Months);
        assert!(parse_schedule("--schedule", "").unwrap().is_empty());
    }

    #[test]
    fn schedule_errors_name_the_entry() {
        let e = parse_schedule("--schedule", "calibration").unwrap_err();
        assert!(e.problem.contains("EVENT-TYPE=INTERVAL"), "{e}");
        let e = parse_schedule("--schedule", "calibration=12x").unwrap_err();
        assert!(e.problem.contains("\"12x\" is not an interval"), "{e}");
        for bad in ["0m", "m", "-3m", "+3m", "99999999y"] {
            assert!(Interval::parse("i", bad).is_err(), "{bad}");
        }
        let e = parse_schedule("--schedule", "a=1y,a=2y").unwrap_err();
        assert!(e.problem.contains("twice"));
    }

    #[test]
    fn next_due_clamps_month_ends() {
        let i = Interval::parse("i", "6m").unwrap();
        assert_eq!(i.next_due(date(2025, 8, 31)), date(2026, 2, 28));
        let y = Interval::parse("i", "1y").unwrap();
        assert_eq!(y.next_due(date(2024, 2, 29)), date(2025, 2, 28));
        assert_eq!(
            Interval::parse("i", "2w")
                .unwrap()
                .next_due(date(2026, 1, 1)),
            date(2026, 1, 15)
        );
    }
}
