//! Where a vigilance case stands at an instant: its deadlines per market, the 24-hour
//! escalation, and which reports were late.

use crate::model::{Acknowledgement, Category, Counting, Decision, Market, ReportKind, Submission};
use crate::period;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use serde::Serialize;
use vigilo_registry::{Country, word_enum};
use vigilo_service::VigilanceCase;

/// A person with the vigilance role must take a flagged case within this time (SPEC §3.3's
/// "hours from suspected serious incident to the vigilance officer").
pub const ESCALATION: SignedDuration = SignedDuration::from_hours(24);

/// What is known about one case.
#[derive(Debug, Clone, Copy)]
pub struct CaseFacts<'a> {
    pub case: &'a VigilanceCase,
    /// The device's country; `None` while the device is unidentified.
    pub country: Option<Country>,
    pub decisions: &'a [Decision],
    pub acknowledgement: Option<&'a Acknowledgement>,
    pub submissions: &'a [Submission],
}

word_enum!(
    /// Where a deadline stands: open, passed without an initial report, met, or met late.
    DeadlineState { Open = "open", Overdue = "overdue", Met = "met", Late = "late" }
);

/// A report deadline: the decided category's, or the strictest of the market until decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Deadline {
    pub market: Market,
    pub category: Category,
    /// False while the category is undecided and the strictest one is shown.
    pub decided: bool,
    pub days: u32,
    /// The date of the instant the clock runs from, in the organisation's time zone (day 0).
    pub awareness_date: Date,
    /// Awareness date plus the days.
    pub calendar_due_date: Date,
    /// The legal last day: EU periods moved by Regulation 1182/71 Art. 3; for US 30-day
    /// reports the calendar date; for 5-day reports the fifth work day.
    pub due_date: Date,
    /// The end of the due date in the organisation's time zone.
    pub due_at: Timestamp,
    pub rule: String,
    pub state: DeadlineState,
    /// The initial report that answers this deadline, if any.
    pub report: Option<i64>,
    /// Seconds from the instant asked about to `due_at`; negative once overdue.
    pub seconds_left: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Escalation {
    pub due_at: Timestamp,
    pub acknowledged_by: Option<String>,
    pub acknowledged_at: Option<Timestamp>,
    /// From the flag to the vigilance officer (SPEC §3.4's "hours from suspected serious
    /// incident to the vigilance officer"), in whole minutes.
    pub minutes_to_acknowledgement: Option<i64>,
    /// Not acknowledged within 24 h of the flag.
    pub breached: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SubmissionStatus {
    #[serde(flatten)]
    pub submission: Submission,
    /// An initial report submitted after its deadline's end.
    pub late: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseStatus {
    pub id: i64,
    pub ticket: i64,
    pub device: Option<i64>,
    pub country: Option<Country>,
    pub market: Option<Market>,
    pub aware_at: Timestamp,
    pub flagged_by: String,
    pub flagged_at: Timestamp,
    /// The category in force; `None` until decided.
    pub category: Option<Category>,
    pub rationale: Option<String>,
    /// Every decision, oldest first: a superseded one stays on record.
    pub decisions: Vec<Decision>,
    pub deadlines: Vec<Deadline>,
    pub escalation: Escalation,
    pub submissions: Vec<SubmissionStatus>,
    /// A final report is in, or the case was decided not reportable.
    pub closed: bool,
}

/// A category must belong to the market of the device's country; "not reportable" fits any.
pub fn check_category(category: Category, country: Option<Country>) -> Result<(), String> {
    let (Some(wanted), Some(country)) = (category.market(), country) else {
        return Ok(());
    };
    match country.market() {
        Some(market) if market == wanted => Ok(()),
        Some(market) => Err(format!(
            "`{category}` is a {wanted} category; the device is in {country}, whose market is {market}"
        )),
        None => Err(format!(
            "`{category}` is a {wanted} category; the device is in {country}, which is in neither the EU nor the US market"
        )),
    }
}

/// The instant a new decision's clock runs from: the incident's awareness, unless the case was
/// last judged not reportable, in which case it is when reportability became known
/// (`reportability_aware_at`, or the decision itself when not given).
pub fn clock_from(
    case: &VigilanceCase,
    previous: Option<&Decision>,
    reportability_aware_at: Option<Timestamp>,
    decided_at: Timestamp,
) -> Timestamp {
    match previous {
        Some(d) if d.category == Category::NotReportable => {
            reportability_aware_at.unwrap_or(decided_at)
        }
        _ => reportability_aware_at.unwrap_or(case.aware_at),
    }
}

/// The deadline of `category` (which has a period) counted from `clock_from`.
#[allow(clippy::too_many_arguments)]
fn deadline(
    market: Market,
    category: Category,
    decided: bool,
    clock_from: Timestamp,
    zone: &TimeZone,
    is_working: &dyn Fn(Market, Date) -> bool,
    submissions: &[Submission],
    as_of: Timestamp,
) -> Option<Deadline> {
    let (days, counting) = category.period()?;
    let awareness_date = clock_from.to_zoned(zone.clone()).date();
    let working = |d: Date| is_working(market, d);
    let due_date = match counting {
        Counting::EuDays => period::eu_due(awareness_date, days, working),
        Counting::CalendarDays => period::calendar_due(awareness_date, days),
        Counting::WorkDays => period::work_days_due(awareness_date, days, working),
    };
    let due_at = end_of(due_date, zone);
    let report = first_initial(submissions, market);
    let state = match report {
        Some(s) if s.submitted_at <= due_at => DeadlineState::Met,
        Some(_) => DeadlineState::Late,
        None if as_of > due_at => DeadlineState::Overdue,
        None => DeadlineState::Open,
    };
    Some(Deadline {
        market,
        category,
        decided,
        days,
        awareness_date,
        calendar_due_date: period::calendar_due(awareness_date, days),
        due_date,
        due_at,
        rule: if decided {
            category.rule().to_owned()
        } else {
            format!(
                "undecided: the strictest {market} period applies ({})",
                category.rule()
            )
        },
        state,
        report: report.map(|s| s.id),
        seconds_left: due_at.duration_since(as_of).as_secs(),
    })
}

/// The end of a civil date in a zone: the first instant of the next day there.
fn end_of(date: Date, zone: &TimeZone) -> Timestamp {
    date.tomorrow()
        .ok()
        .and_then(|d| d.to_zoned(zone.clone()).ok())
        .map(|z| z.timestamp())
        .unwrap_or(Timestamp::MAX)
}

fn first_initial(submissions: &[Submission], market: Market) -> Option<&Submission> {
    submissions
        .iter()
        .filter(|s| {
            s.market == market && matches!(s.kind, ReportKind::Initial | ReportKind::InitialFinal)
        })
        .min_by_key(|s| (s.submitted_at, s.id))
}

/// The latest decision: by decision instant, then by id (record order).
pub fn latest(decisions: &[Decision]) -> Option<&Decision> {
    decisions.iter().max_by_key(|d| (d.decided_at, d.id))
}

/// Where the case stands at `as_of`. `is_working` answers for the calendar of the market in
/// the device's country (its public holidays).
pub fn status(
    facts: CaseFacts<'_>,
    zone: &TimeZone,
    is_working: &dyn Fn(Market, Date) -> bool,
    as_of: Timestamp,
) -> CaseStatus {
    let case = facts.case;
    let market = facts.country.and_then(|c| c.market());
    let decision = latest(facts.decisions);
    let markets: Vec<Market> = match market {
        Some(m) => vec![m],
        // Unidentified device or a country outside both markets: both clocks run, strictest.
        None => vec![Market::Eu, Market::Us],
    };
    let deadlines: Vec<Deadline> = match decision {
        Some(d) => d
            .category
            .market()
            .and_then(|m| {
                deadline(
                    m,
                    d.category,
                    true,
                    d.clock_from,
                    zone,
                    is_working,
                    facts.submissions,
                    as_of,
                )
            })
            .into_iter()
            .collect(),
        None => markets
            .iter()
            .filter_map(|&m| {
                deadline(
                    m,
                    Category::strictest(m),
                    false,
                    case.aware_at,
                    zone,
                    is_working,
                    facts.submissions,
                    as_of,
                )
            })
            .collect(),
    };
    let submissions = facts
        .submissions
        .iter()
        .map(|s| SubmissionStatus {
            late: deadlines
                .iter()
                .any(|d| d.report == Some(s.id) && d.state == DeadlineState::Late),
            submission: s.clone(),
        })
        .collect();
    let escalation_due = case
        .flagged_at
        .checked_add(ESCALATION)
        .unwrap_or(Timestamp::MAX);
    let escalation = Escalation {
        due_at: escalation_due,
        acknowledged_by: facts.acknowledgement.map(|a| a.person.clone()),
        acknowledged_at: facts.acknowledgement.map(|a| a.at),
        minutes_to_acknowledgement: facts
            .acknowledgement
            .map(|a| a.at.duration_since(case.flagged_at).as_secs() / 60),
        breached: match facts.acknowledgement {
            Some(a) => a.at > escalation_due,
            None => as_of > escalation_due,
        },
    };
    let closed = decision.is_some_and(|d| d.category == Category::NotReportable)
        || facts
            .submissions
            .iter()
            .any(|s| matches!(s.kind, ReportKind::Final | ReportKind::InitialFinal));
    let mut decisions = facts.decisions.to_vec();
    decisions.sort_by_key(|d| (d.decided_at, d.id));
    CaseStatus {
        id: case.id,
        ticket: case.ticket,
        device: case.device,
        country: facts.country,
        market,
        aware_at: case.aware_at,
        flagged_by: case.flagged_by.clone(),
        flagged_at: case.flagged_at,
        category: decision.map(|d| d.category),
        rationale: decision.map(|d| d.rationale.clone()),
        decisions,
        deadlines,
        escalation,
        submissions,
        closed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::{Weekday, date};

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn berlin() -> TimeZone {
        TimeZone::get("Europe/Berlin").unwrap()
    }

    fn case(aware_at: &str) -> VigilanceCase {
        VigilanceCase {
            id: 1,
            ticket: 7,
            device: Some(3),
            aware_at: ts(aware_at),
            flagged_by: "triage.koch".into(),
            flagged_at: ts(aware_at),
        }
    }

    /// Weekends, and for the US market 2026's Independence Day observed (Friday 3 July).
    fn calendars(market: Market, d: Date) -> bool {
        let weekend = matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday);
        let observed_july_4 = market == Market::Us && d == date(2026, 7, 3);
        !weekend && !observed_july_4
    }

    fn decision(category: Category, clock_from: &str, at: &str) -> Decision {
        Decision {
            id: 10,
            case_id: 1,
            category,
            rationale: "assessed".into(),
            clock_from: ts(clock_from),
            decided_by: "vig.braun".into(),
            decided_at: ts(at),
        }
    }

    fn submission(market: Market, kind: ReportKind, at: &str) -> Submission {
        Submission {
            id: 20,
            case_id: 1,
            market,
            kind,
            submitted_at: ts(at),
            reference: None,
            recorded_by: "vig.braun".into(),
            recorded_at: ts(at),
        }
    }

    fn facts<'a>(
        case: &'a VigilanceCase,
        country: &str,
        decisions: &'a [Decision],
        submissions: &'a [Submission],
    ) -> CaseFacts<'a> {
        CaseFacts {
            case,
            country: Some(Country::parse("country", country).unwrap()),
            decisions,
            acknowledgement: None,
            submissions,
        }
    }

    #[test]
    fn an_undecided_case_shows_the_strictest_period_of_its_market() {
        let c = case("2026-03-04T09:00:00Z");
        let s = status(
            facts(&c, "DE", &[], &[]),
            &berlin(),
            &calendars,
            ts("2026-03-04T10:00:00Z"),
        );
        assert_eq!(s.category, None);
        assert_eq!(s.deadlines.len(), 1);
        let d = &s.deadlines[0];
        assert_eq!(
            (d.market, d.category, d.decided),
            (Market::Eu, Category::SeriousPublicHealthThreat, false)
        );
        assert_eq!(d.calendar_due_date, date(2026, 3, 6));
        assert_eq!(d.due_date, date(2026, 3, 6));
        assert!(d.rule.starts_with("undecided"), "{}", d.rule);
        assert_eq!(d.state, DeadlineState::Open);
    }

    #[test]
    fn an_unidentified_device_runs_both_markets_strictest_clocks() {
        let c = case("2026-07-01T15:00:00Z");
        let f = CaseFacts {
            country: None,
            ..facts(&c, "DE", &[], &[])
        };
        let s = status(f, &TimeZone::UTC, &calendars, ts("2026-07-01T16:00:00Z"));
        let due: Vec<_> = s.deadlines.iter().map(|d| (d.market, d.due_date)).collect();
        // US: Thu 2, (Fri 3 observed holiday), Mon 6, Tue 7, Wed 8, Thu 9.
        assert_eq!(
            due,
            [
                (Market::Eu, date(2026, 7, 3)),
                (Market::Us, date(2026, 7, 9))
            ]
        );
    }

    #[test]
    fn the_awareness_date_is_taken_in_the_organisation_zone_across_a_dst_change() {
        // 23:30 UTC on 28 March is 00:30 on 29 March in Berlin, the night clocks go forward.
        let c = case("2026-03-28T23:30:00Z");
        let d = [decision(
            Category::SeriousIncident,
            "2026-03-28T23:30:00Z",
            "2026-03-30T08:00:00Z",
        )];
        let s = status(
            facts(&c, "DE", &d, &[]),
            &berlin(),
            &calendars,
            ts("2026-03-30T08:00:00Z"),
        );
        let dl = &s.deadlines[0];
        assert_eq!(dl.awareness_date, date(2026, 3, 29));
        assert_eq!(dl.calendar_due_date, date(2026, 4, 13));
        assert_eq!(dl.due_date, date(2026, 4, 13));
        // The day ends at midnight summer time: 22:00 UTC.
        assert_eq!(dl.due_at, ts("2026-04-13T22:00:00Z"));
        // In UTC the same instant is still 28 March.
        let utc = status(
            facts(&c, "DE", &d, &[]),
            &TimeZone::UTC,
            &calendars,
            ts("2026-03-30T08:00:00Z"),
        );
        assert_eq!(utc.deadlines[0].awareness_date, date(2026, 3, 28));
        // …and in autumn, 22:30 UTC on 24 October is already the 25th in Berlin.
        let c = case("2026-10-24T22:30:00Z");
        let d = [decision(
            Category::DeathOrUnanticipatedSeriousDeterioration,
            "2026-10-24T22:30:00Z",
            "2026-10-26T08:00:00Z",
        )];
        let s = status(
            facts(&c, "DE", &d, &[]),
            &berlin(),
            &calendars,
            ts("2026-10-26T08:00:00Z"),
        );
        assert_eq!(s.deadlines[0].awareness_date, date(2026, 10, 25));
        // +10 = Wednesday 4 November; winter time, the day ends at 23:00 UTC.
        assert_eq!(s.deadlines[0].due_at, ts("2026-11-04T23:00:00Z"));
    }

    #[test]
    fn a_five_day_report_skips_the_observed_federal_holiday() {
        let c = case("2026-07-01T14:00:00Z");
        let d = [decision(
            Category::Mdr5Day,
            "2026-07-01T14:00:00Z",
            "2026-07-01T15:00:00Z",
        )];
        let ny = TimeZone::get("America/New_York").unwrap();
        let s = status(
            facts(&c, "US", &d, &[]),
            &ny,
            &calendars,
            ts("2026-07-02T12:00:00Z"),
        );
        let dl = &s.deadlines[0];
        assert_eq!(dl.calendar_due_date, date(2026, 7, 6));
        assert_eq!(dl.due_date, date(2026, 7, 9));
    }

    #[test]
    fn a_report_after_the_due_date_is_late_and_an_unreported_one_overdue() {
        let c = case("2026-03-02T09:00:00Z");
        let d = [decision(
            Category::SeriousIncident,
            "2026-03-02T09:00:00Z",
            "2026-03-03T09:00:00Z",
        )];
        // Due Tuesday 17 March, the day ending at 23:00 UTC in Berlin.
        let on_time = [submission(
            Market::Eu,
            ReportKind::Initial,
            "2026-03-17T22:59:59Z",
        )];
        let late = [submission(
            Market::Eu,
            ReportKind::Initial,
            "2026-03-17T23:00:01Z",
        )];
        let as_of = ts("2026-03-20T00:00:00Z");
        let s = status(facts(&c, "DE", &d, &on_time), &berlin(), &calendars, as_of);
        assert_eq!(s.deadlines[0].state, DeadlineState::Met);
        assert!(!s.submissions[0].late);
        let s = status(facts(&c, "DE", &d, &late), &berlin(), &calendars, as_of);
        assert_eq!(s.deadlines[0].state, DeadlineState::Late);
        assert!(s.submissions[0].late);
        let s = status(facts(&c, "DE", &d, &[]), &berlin(), &calendars, as_of);
        assert_eq!(s.deadlines[0].state, DeadlineState::Overdue);
        assert!(s.deadlines[0].seconds_left < 0);
        // A follow-up is not an initial report.
        let follow = [submission(
            Market::Eu,
            ReportKind::FollowUp,
            "2026-03-10T10:00:00Z",
        )];
        let s = status(facts(&c, "DE", &d, &follow), &berlin(), &calendars, as_of);
        assert_eq!(s.deadlines[0].state, DeadlineState::Overdue);
    }

    #[test]
    fn a_case_judged_not_reportable_then_reportable_runs_from_the_second_awareness() {
        let c = case("2026-03-02T09:00:00Z");
        let first = decision(
            Category::NotReportable,
            "2026-03-02T09:00:00Z",
            "2026-03-03T09:00:00Z",
        );
        let s = status(
            facts(&c, "DE", std::slice::from_ref(&first), &[]),
            &berlin(),
            &calendars,
            ts("2026-03-04T00:00:00Z"),
        );
        assert!(s.deadlines.is_empty());
        assert!(s.closed);
        let from = clock_from(
            &c,
            Some(&first),
            Some(ts("2026-04-01T08:00:00Z")),
            ts("2026-04-02T08:00:00Z"),
        );
        let second = Decision {
            id: 11,
            category: Category::SeriousIncident,
            clock_from: from,
            decided_at: ts("2026-04-02T08:00:00Z"),
            ..first.clone()
        };
        let both = [first, second];
        let s = status(
            facts(&c, "DE", &both, &[]),
            &berlin(),
            &calendars,
            ts("2026-04-02T09:00:00Z"),
        );
        assert_eq!(s.category, Some(Category::SeriousIncident));
        assert_eq!(s.decisions.len(), 2);
        // 1 April + 15 = Thursday 16 April.
        assert_eq!(s.deadlines[0].due_date, date(2026, 4, 16));
        assert!(!s.closed);
    }

    #[test]
    fn an_unacknowledged_case_breaches_the_escalation_after_24_hours() {
        let c = case("2026-03-02T09:00:00Z");
        let f = facts(&c, "DE", &[], &[]);
        assert!(
            !status(f, &berlin(), &calendars, ts("2026-03-03T08:59:59Z"))
                .escalation
                .breached
        );
        assert!(
            status(f, &berlin(), &calendars, ts("2026-03-03T09:00:01Z"))
                .escalation
                .breached
        );
        let late_ack = Acknowledgement {
            id: 1,
            case_id: 1,
            person: "vig.braun".into(),
            at: ts("2026-03-03T10:00:00Z"),
        };
        let timely = Acknowledgement {
            at: ts("2026-03-02T15:00:00Z"),
            ..late_ack.clone()
        };
        let s = status(
            CaseFacts {
                acknowledgement: Some(&late_ack),
                ..f
            },
            &berlin(),
            &calendars,
            ts("2026-03-10T00:00:00Z"),
        );
        assert!(s.escalation.breached);
        assert_eq!(s.escalation.minutes_to_acknowledgement, Some(25 * 60));
        let s = status(
            CaseFacts {
                acknowledgement: Some(&timely),
                ..f
            },
            &berlin(),
            &calendars,
            ts("2026-03-10T00:00:00Z"),
        );
        assert!(!s.escalation.breached);
    }

    #[test]
    fn a_category_must_fit_the_device_market() {
        assert!(
            check_category(Category::Mdr30Day, Some(Country::parse("c", "DE").unwrap()))
                .unwrap_err()
                .contains("market is EU")
        );
        assert!(
            check_category(
                Category::SeriousIncident,
                Some(Country::parse("c", "DE").unwrap())
            )
            .is_ok()
        );
        assert!(
            check_category(
                Category::NotReportable,
                Some(Country::parse("c", "CH").unwrap())
            )
            .is_ok()
        );
        assert!(
            check_category(
                Category::SeriousIncident,
                Some(Country::parse("c", "CH").unwrap())
            )
            .is_err()
        );
        assert!(check_category(Category::Mdr5Day, None).is_ok());
    }
}
