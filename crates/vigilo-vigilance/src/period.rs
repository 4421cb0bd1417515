//! Reporting periods counted in days from the awareness date.
//!
//! EU periods follow Regulation (EEC, Euratom) No 1182/71 Art. 3 as MDCG 2023-3 Rev.2 applies
//! it to MDR Art. 87: the day of the event is not counted (3(1)), the period ends at the end of
//! its last day (3(2)(b)), a last day that is a Saturday, Sunday or public holiday moves to the
//! end of the next working day (3(4)), and a period of two days or more holds at least two
//! working days (3(5)). US periods follow 21 CFR 803: calendar days for 30-day reports
//! (803.50) and work days for 5-day reports (803.53, work day as defined in 803.3).

use jiff::ToSpan;
use jiff::civil::Date;

/// A calendar that never has a working day would loop for ever; no real calendar has a year
/// without one, so the search stops there.
const MAX_SEARCH_DAYS: i32 = 366;

fn next_day(d: Date) -> Date {
    d.checked_add(1.day()).unwrap_or(d)
}

/// The first working day on or after `from`.
fn working_on_or_after(from: Date, is_working: &impl Fn(Date) -> bool) -> Date {
    let mut d = from;
    for _ in 0..MAX_SEARCH_DAYS {
        if is_working(d) {
            return d;
        }
        d = next_day(d);
    }
    d
}

/// The date `days` calendar days after `start` (day 0).
pub fn calendar_due(start: Date, days: u32) -> Date {
    start.checked_add((days as i64).days()).unwrap_or(Date::MAX)
}

/// The last day of an EU period of `days` days from `start` (day 0) under 1182/71 Art. 3.
pub fn eu_due(start: Date, days: u32, is_working: impl Fn(Date) -> bool) -> Date {
    let mut due = working_on_or_after(calendar_due(start, days), &is_working);
    if days >= 2 {
        let mut working = 0;
        let mut d = next_day(start);
        while d <= due {
            working += usize::from(is_working(d));
            d = next_day(d);
        }
        while working < 2 {
            due = working_on_or_after(next_day(due), &is_working);
            working += 1;
        }
    }
    due
}

/// The `days`-th work day after `start` (21 CFR 803.53: "within 5 work days after the day on
/// which you become aware").
pub fn work_days_due(start: Date, days: u32, is_working: impl Fn(Date) -> bool) -> Date {
    let mut due = start;
    for _ in 0..days {
        due = working_on_or_after(next_day(due), &is_working);
    }
    due
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::{Weekday, date};

    fn weekdays(d: Date) -> bool {
        !matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday)
    }

    fn with_holidays(holidays: &'static [Date]) -> impl Fn(Date) -> bool {
        move |d| weekdays(d) && !holidays.contains(&d)
    }

    #[test]
    fn a_period_ending_on_a_working_day_ends_that_day() {
        // Monday 2026-03-02 + 15 = Tuesday 2026-03-17.
        assert_eq!(eu_due(date(2026, 3, 2), 15, weekdays), date(2026, 3, 17));
    }

    #[test]
    fn a_last_day_on_a_weekend_moves_to_monday() {
        // Thursday 2026-03-05 + 2 = Saturday → Monday.
        assert_eq!(eu_due(date(2026, 3, 5), 2, weekdays), date(2026, 3, 9));
        // Friday 2026-03-06 + 15 = Saturday 21st → Monday 23rd.
        assert_eq!(eu_due(date(2026, 3, 6), 15, weekdays), date(2026, 3, 23));
    }

    #[test]
    fn a_two_day_period_holds_two_working_days() {
        // Friday 2026-03-06 + 2 = Sunday → Monday, which holds only one working day (Monday);
        // Art. 3(5) extends it to Tuesday.
        assert_eq!(eu_due(date(2026, 3, 6), 2, weekdays), date(2026, 3, 10));
        // Thursday before Easter in Germany: Good Friday and Easter Monday are holidays.
        static EASTER_2026: [Date; 2] = [date(2026, 4, 3), date(2026, 4, 6)];
        let de = with_holidays(&EASTER_2026);
        // +2 = Saturday → next working day Tuesday 7th holds one working day → Wednesday 8th.
        assert_eq!(eu_due(date(2026, 4, 2), 2, &de), date(2026, 4, 8));
        // The ten-day period from the same Thursday ends Sunday 12th → Monday 13th.
        assert_eq!(eu_due(date(2026, 4, 2), 10, &de), date(2026, 4, 13));
    }

    #[test]
    fn a_last_day_on_a_public_holiday_moves_to_the_next_working_day() {
        // 2026-12-10 + 15 = Friday 25 December (holiday), 26th Saturday, 27th Sunday → Monday 28th.
        static XMAS: [Date; 2] = [date(2026, 12, 25), date(2026, 12, 26)];
        assert_eq!(
            eu_due(date(2026, 12, 10), 15, with_holidays(&XMAS)),
            date(2026, 12, 28)
        );
    }

    #[test]
    fn five_work_days_skip_weekends_and_federal_holidays() {
        // Aware Wednesday 2026-07-01; Friday 3 July is Independence Day observed.
        static JULY4: [Date; 1] = [date(2026, 7, 3)];
        // Thu 2, Mon 6, Tue 7, Wed 8, Thu 9.
        assert_eq!(
            work_days_due(date(2026, 7, 1), 5, with_holidays(&JULY4)),
            date(2026, 7, 9)
        );
        assert_eq!(calendar_due(date(2026, 7, 1), 30), date(2026, 7, 31));
    }

    proptest::proptest! {
        #[test]
        fn eu_due_is_a_working_day_no_earlier_than_the_calendar_day(
            offset in 0i64..20_000, days in 1u32..40,
        ) {
            let start = date(1990, 1, 1).checked_add(offset.days()).unwrap();
            let due = eu_due(start, days, weekdays);
            proptest::prop_assert!(due >= calendar_due(start, days));
            proptest::prop_assert!(weekdays(due));
            // Moving past a weekend never takes more than the weekend, plus the two-working-day
            // rule for the shortest periods.
            proptest::prop_assert!(due <= calendar_due(start, days).checked_add(4.days()).unwrap());
        }
    }
}
