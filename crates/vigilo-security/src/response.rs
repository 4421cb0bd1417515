//! Response-time targets per severity (SPEC §3.5: configurable; default critical 72 h, high
//! 30 days, routine next release) and the measured elapsed time of each signal.

use jiff::{SignedDuration, Timestamp};
use serde::Serialize;
use vigilo_registry::{Invalid, word_enum};

use crate::Rating;

pub const CRITICAL_HOURS_SETTING: &str = "security_critical_hours";
pub const HIGH_DAYS_SETTING: &str = "security_high_days";
pub const DEFAULT_CRITICAL_HOURS: i64 = 72;
pub const DEFAULT_HIGH_DAYS: i64 = 30;

/// What a signal of one severity must be triaged within.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "hours", rename_all = "kebab-case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Target {
    /// Within this many hours of the signal.
    Within(i64),
    /// With the next planned release: no clock.
    NextRelease,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ResponseTargets {
    pub critical_hours: i64,
    pub high_days: i64,
}

impl Default for ResponseTargets {
    fn default() -> Self {
        ResponseTargets {
            critical_hours: DEFAULT_CRITICAL_HOURS,
            high_days: DEFAULT_HIGH_DAYS,
        }
    }
}

impl ResponseTargets {
    /// Critical and high have clocks; the rest, and signals no vector scored, go with the next
    /// release. An unscored signal is not given a clock it may not need, but it stays in the
    /// queue until triaged, where its rating is the first thing a triager sees.
    pub fn target(&self, rating: Rating) -> Target {
        match rating {
            Rating::Critical => Target::Within(self.critical_hours),
            Rating::High => Target::Within(self.high_days * 24),
            _ => Target::NextRelease,
        }
    }
}

/// Parses a target setting's value: a whole number of hours or days, 1 to 10,000.
pub fn parse_target(field: &str, value: &str) -> Result<i64, Invalid> {
    match value.trim().parse::<i64>() {
        Ok(n) if (1..=10_000).contains(&n) => Ok(n),
        _ => Err(Invalid::new(
            field,
            format!("{value:?} is not a whole number from 1 to 10000"),
        )),
    }
}

word_enum!(
    /// Where a signal's response stands: still open within or past its target, triaged within
    /// or after it, or with no clock (next release).
    ResponseState {
        Open = "open",
        Breached = "breached",
        Met = "met",
        Late = "late",
        NextRelease = "next-release"
    }
);

/// A signal's response time at an instant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Response {
    pub target: Target,
    pub opened_at: Timestamp,
    pub due_at: Option<Timestamp>,
    pub triaged_at: Option<Timestamp>,
    /// From the signal to its triage, or to the instant asked about while untriaged.
    pub elapsed_seconds: i64,
    pub state: ResponseState,
}

impl Response {
    pub fn at(
        target: Target,
        opened_at: Timestamp,
        triaged_at: Option<Timestamp>,
        now: Timestamp,
    ) -> Response {
        let until = triaged_at.unwrap_or(now);
        let elapsed_seconds = until.duration_since(opened_at).as_secs();
        let due_at = match target {
            Target::Within(hours) => opened_at
                .checked_add(SignedDuration::from_hours(hours))
                .ok(),
            Target::NextRelease => None,
        };
        let state = match (due_at, triaged_at) {
            (None, _) => ResponseState::NextRelease,
            (Some(due), Some(done)) if done <= due => ResponseState::Met,
            (Some(_), Some(_)) => ResponseState::Late,
            (Some(due), None) if now <= due => ResponseState::Open,
            (Some(_), None) => ResponseState::Breached,
        };
        Response {
            target,
            opened_at,
            due_at,
            triaged_at,
            elapsed_seconds,
            state,
        }
    }

    /// Past its target, triaged or not: what the breach list shows.
    pub fn breached(&self) -> bool {
        matches!(self.state, ResponseState::Breached | ResponseState::Late)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn defaults_follow_the_spec() {
        let targets = ResponseTargets::default();
        assert_eq!(targets.target(Rating::Critical), Target::Within(72));
        assert_eq!(targets.target(Rating::High), Target::Within(720));
        for routine in [Rating::Medium, Rating::Low, Rating::None, Rating::Unscored] {
            assert_eq!(targets.target(routine), Target::NextRelease);
        }
    }

    #[test]
    fn states_through_a_critical_signals_life() {
        let opened = t("2026-11-02T09:00:00Z");
        let target = Target::Within(72);
        let open = Response::at(target, opened, None, t("2026-11-05T08:59:59Z"));
        assert_eq!(open.state, ResponseState::Open);
        assert_eq!(open.due_at, Some(t("2026-11-05T09:00:00Z")));
        assert_eq!(open.elapsed_seconds, 72 * 3600 - 1);
        let breached = Response::at(target, opened, None, t("2026-11-05T09:00:01Z"));
        assert_eq!(breached.state, ResponseState::Breached);
        assert!(breached.breached());
        let met = Response::at(
            target,
            opened,
            Some(t("2026-11-05T09:00:00Z")),
            t("2026-12-01T00:00:00Z"),
        );
        assert_eq!(met.state, ResponseState::Met);
        assert_eq!(met.elapsed_seconds, 72 * 3600);
        let late = Response::at(
            target,
            opened,
            Some(t("2026-11-06T00:00:00Z")),
            t("2026-12-01T00:00:00Z"),
        );
        assert_eq!(late.state, ResponseState::Late);
        assert!(late.breached());
        let routine = Response::at(Target::NextRelease, opened, None, t("2027-06-01T00:00:00Z"));
        assert_eq!(routine.state, ResponseState::NextRelease);
        assert!(!routine.breached());
    }

    #[test]
    fn target_settings_are_checked() {
        assert_eq!(parse_target("security-critical-hours", " 48 "), Ok(48));
        let e = parse_target("security-high-days", "0").unwrap_err();
        assert_eq!(e.field, "security-high-days");
        assert!(parse_target("x", "2.5").is_err());
    }
}
