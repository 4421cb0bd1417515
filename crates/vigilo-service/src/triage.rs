//! The triage clock (SPEC §3.1): a ticket is due for triage a configurable number of hours
//! after it was received, and the queue lists overdue tickets first.

use crate::model::Ticket;
use jiff::{SignedDuration, Timestamp};
use serde::Serialize;
use vigilo_registry::Invalid;

/// ISO 13485 leaves the period to the manufacturer; 48 h is SPEC §3.1's default.
pub const DEFAULT_TRIAGE_HOURS: i64 = 48;

/// The setting that overrides [`DEFAULT_TRIAGE_HOURS`].
pub const TRIAGE_HOURS_SETTING: &str = "triage_hours";

/// Hours are whole and between 1 and 30 days: a longer "triage" period is no triage.
pub fn parse_triage_hours(field: &str, value: &str) -> Result<i64, Invalid> {
    match value.trim().parse::<i64>() {
        Ok(h) if (1..=720).contains(&h) => Ok(h),
        _ => Err(Invalid::new(
            field,
            format!("{value:?} is not valid: expected a whole number of hours from 1 to 720"),
        )),
    }
}

pub fn triage_due(received_at: Timestamp, hours: i64) -> Timestamp {
    received_at
        .checked_add(SignedDuration::from_hours(hours))
        .unwrap_or(Timestamp::MAX)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub enum TriageState {
    /// Not triaged and past its due instant.
    Overdue,
    /// Not triaged, still within its period.
    Open,
    Triaged,
    Closed,
}

impl TriageState {
    pub fn as_str(&self) -> &'static str {
        match self {
            TriageState::Overdue => "overdue",
            TriageState::Open => "open",
            TriageState::Triaged => "triaged",
            TriageState::Closed => "closed",
        }
    }
}

pub fn state(ticket: &Ticket, as_of: Timestamp) -> TriageState {
    if ticket.closed_at.is_some() {
        TriageState::Closed
    } else if ticket.classification.is_some() {
        TriageState::Triaged
    } else if ticket.triage_due < as_of {
        TriageState::Overdue
    } else {
        TriageState::Open
    }
}

/// Time left to triage (negative once overdue); `None` once triaged.
pub fn time_left(ticket: &Ticket, as_of: Timestamp) -> Option<SignedDuration> {
    ticket
        .classification
        .is_none()
        .then(|| ticket.triage_due.duration_since(as_of))
}

/// "3 h 20 min", "-1 d 2 h": short enough for a queue column.
pub fn format_left(left: SignedDuration) -> String {
    let sign = if left.is_negative() { "-" } else { "" };
    let minutes = left.as_secs().unsigned_abs() / 60;
    let (d, h, m) = (minutes / 1440, minutes / 60 % 24, minutes % 60);
    if d > 0 {
        format!("{sign}{d} d {h} h")
    } else if h > 0 {
        format!("{sign}{h} h {m} min")
    } else {
        format!("{sign}{m} min")
    }
}

/// The intake queue's order: overdue first (longest overdue on top), then open by due instant,
/// then triaged and closed, newest first.
pub fn queue_order(a: &Ticket, b: &Ticket, as_of: Timestamp) -> std::cmp::Ordering {
    let (sa, sb) = (state(a, as_of), state(b, as_of));
    sa.cmp(&sb).then_with(|| match sa {
        TriageState::Overdue | TriageState::Open => {
            a.triage_due.cmp(&b.triage_due).then(a.id.cmp(&b.id))
        }
        TriageState::Triaged | TriageState::Closed => {
            b.received_at.cmp(&a.received_at).then(b.id.cmp(&a.id))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Channel, TicketClass};

    pub(crate) fn ticket(id: i64, received: &str, hours: i64) -> Ticket {
        let received_at: Timestamp = received.parse().unwrap();
        Ticket {
            id,
            channel: Channel::Phone,
            received_at,
            reporter: None,
            device: Some(1),
            device_hint: None,
            summary: "alarm".into(),
            description: None,
            attachments: vec![],
            source_ref: None,
            opened_by: "triage.tom".into(),
            triage_due: triage_due(received_at, hours),
            classification: None,
            triage_reason: None,
            triaged_by: None,
            triaged_at: None,
            closed_by: None,
            closed_at: None,
        }
    }

    #[test]
    fn due_is_received_plus_the_period_in_absolute_time() {
        // Across the EU daylight-saving change of 2026-03-29 the period stays 48 real hours.
        let t = ticket(1, "2026-03-28T10:00:00Z", 48);
        assert_eq!(t.triage_due.to_string(), "2026-03-30T10:00:00Z");
        assert_eq!(
            ticket(2, "2026-03-28T10:00:00Z", 24).triage_due.to_string(),
            "2026-03-29T10:00:00Z"
        );
    }

    #[test]
    fn overdue_only_after_the_due_instant() {
        let t = ticket(1, "2026-03-01T10:00:00Z", 48);
        assert_eq!(
            state(&t, "2026-03-03T10:00:00Z".parse().unwrap()),
            TriageState::Open
        );
        assert_eq!(
            state(&t, "2026-03-03T10:00:01Z".parse().unwrap()),
            TriageState::Overdue
        );
        let triaged = Ticket {
            classification: Some(TicketClass::Service),
            ..t
        };
        assert_eq!(
            state(&triaged, "2026-04-01T00:00:00Z".parse().unwrap()),
            TriageState::Triaged
        );
        assert_eq!(time_left(&triaged, Timestamp::UNIX_EPOCH), None);
    }

    #[test]
    fn the_queue_puts_overdue_first() {
        let as_of: Timestamp = "2026-03-05T12:00:00Z".parse().unwrap();
        let mut q = [
            ticket(1, "2026-03-05T08:00:00Z", 48), // open, due 03-07
            ticket(2, "2026-03-02T08:00:00Z", 48), // overdue by 1 d 4 h
            Ticket {
                classification: Some(TicketClass::Complaint),
                ..ticket(3, "2026-03-01T08:00:00Z", 48)
            },
            ticket(4, "2026-03-01T08:00:00Z", 48), // overdue by 2 d 4 h
            ticket(5, "2026-03-04T08:00:00Z", 48), // open, due 03-06
        ];
        q.sort_by(|a, b| queue_order(a, b, as_of));
        let ids: Vec<i64> = q.iter().map(|t| t.id).collect();
        assert_eq!(ids, [4, 2, 5, 1, 3]);
        assert_eq!(format_left(time_left(&q[0], as_of).unwrap()), "-2 d 4 h");
        assert_eq!(format_left(time_left(&q[2], as_of).unwrap()), "20 h 0 min");
    }

    #[test]
    fn hours_setting_is_bounded() {
        assert_eq!(parse_triage_hours("triage-hours", "24").unwrap(), 24);
        for bad in ["0", "721", "1.5", "two"] {
            let e = parse_triage_hours("triage-hours", bad).unwrap_err();
            assert!(e.problem.contains("1 to 720"), "{e}");
        }
    }
}
