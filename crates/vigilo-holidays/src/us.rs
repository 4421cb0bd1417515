//! US federal holidays, the calendar of FDA's "work days" (21 CFR 803.3).

use jiff::ToSpan;
use jiff::civil::{Date, Weekday, date};

use crate::Holiday;

enum Rule {
    Fixed(i8, i8),
    /// The nth such weekday of the month, -1 the last.
    Nth(i8, i8, Weekday),
}

/// 5 U.S.C. 6103(a) with the year each holiday, or its current rule, began. The
/// Uniform Monday Holiday Act moved three of them to Mondays from 1971 and Veterans
/// Day to October from 1971 to 1977. Inauguration Day (6103(c)) is left out: it is a
/// holiday only for employees in and around the District of Columbia.
const HOLIDAYS: &[(&str, Rule, i16, i16)] = &[
    ("New Year's Day", Rule::Fixed(1, 1), i16::MIN, i16::MAX),
    (
        "Birthday of Martin Luther King, Jr.",
        Rule::Nth(1, 3, Weekday::Monday),
        1986,
        i16::MAX,
    ),
    ("Washington's Birthday", Rule::Fixed(2, 22), i16::MIN, 1970),
    (
        "Washington's Birthday",
        Rule::Nth(2, 3, Weekday::Monday),
        1971,
        i16::MAX,
    ),
    ("Memorial Day", Rule::Fixed(5, 30), i16::MIN, 1970),
    (
        "Memorial Day",
        Rule::Nth(5, -1, Weekday::Monday),
        1971,
        i16::MAX,
    ),
    (
        "Juneteenth National Independence Day",
        Rule::Fixed(6, 19),
        2021,
        i16::MAX,
    ),
    ("Independence Day", Rule::Fixed(7, 4), i16::MIN, i16::MAX),
    (
        "Labor Day",
        Rule::Nth(9, 1, Weekday::Monday),
        i16::MIN,
        i16::MAX,
    ),
    ("Columbus Day", Rule::Fixed(10, 12), 1937, 1970),
    (
        "Columbus Day",
        Rule::Nth(10, 2, Weekday::Monday),
        1971,
        i16::MAX,
    ),
    ("Veterans Day", Rule::Fixed(11, 11), 1938, 1970),
    (
        "Veterans Day",
        Rule::Nth(10, 4, Weekday::Monday),
        1971,
        1977,
    ),
    ("Veterans Day", Rule::Fixed(11, 11), 1978, i16::MAX),
    (
        "Thanksgiving Day",
        Rule::Nth(11, -1, Weekday::Thursday),
        i16::MIN,
        1941,
    ),
    (
        "Thanksgiving Day",
        Rule::Nth(11, 4, Weekday::Thursday),
        1942,
        i16::MAX,
    ),
    ("Christmas Day", Rule::Fixed(12, 25), i16::MIN, i16::MAX),
];

pub(crate) fn federal_holidays(year: i16) -> Vec<Holiday> {
    let mut holidays = Vec::new();
    for (name, rule, from, until) in HOLIDAYS {
        if !(*from..=*until).contains(&year) {
            continue;
        }
        let day = match *rule {
            Rule::Fixed(month, day) => date(year, month, day),
            Rule::Nth(month, nth, weekday) => nth_weekday(year, month, nth, weekday),
        };
        holidays.push(Holiday {
            date: day,
            name: (*name).to_owned(),
        });
        if let Some(observed) = observed(day) {
            holidays.push(Holiday {
                date: observed,
                name: format!("{name} (observed)"),
            });
        }
    }
    // New Year's Day of the next year is observed on 31 December of this one when
    // it falls on a Saturday; OPM lists it in this year's calendar.
    let next_new_year = date(year, 12, 31).saturating_add(1.day());
    if next_new_year.weekday() == Weekday::Saturday {
        holidays.push(Holiday {
            date: date(year, 12, 31),
            name: "New Year's Day (observed)".into(),
        });
    }
    holidays.retain(|h| h.date.year() == year);
    holidays.sort_by_key(|h| h.date);
    holidays
}

/// Executive Order 11582 and 5 U.S.C. 6103(b): a Saturday holiday is observed on
/// the Friday before, a Sunday one on the Monday after.
fn observed(day: Date) -> Option<Date> {
    match day.weekday() {
        Weekday::Saturday => Some(day.saturating_add((-1).day())),
        Weekday::Sunday => Some(day.saturating_add(1.day())),
        _ => None,
    }
}

fn nth_weekday(year: i16, month: i8, nth: i8, weekday: Weekday) -> Date {
    date(year, month, 1)
        .nth_weekday_of_month(nth, weekday)
        .expect("every month has a first to fourth and a last of each weekday")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn observed_on(year: i16) -> Vec<(Date, String)> {
        federal_holidays(year)
            .into_iter()
            .filter(|h| h.name.ends_with("(observed)"))
            .map(|h| (h.date, h.name))
            .collect()
    }

    #[test]
    fn saturday_and_sunday_holidays_are_observed_on_the_nearest_weekday() {
        let obs = observed_on(2021);
        assert!(obs.contains(&(
            date(2021, 6, 18),
            "Juneteenth National Independence Day (observed)".into()
        )));
        assert!(obs.contains(&(date(2021, 7, 5), "Independence Day (observed)".into())));
        assert!(obs.contains(&(date(2021, 12, 24), "Christmas Day (observed)".into())));
        assert!(
            observed_on(2022).contains(&(date(2022, 12, 26), "Christmas Day (observed)".into()))
        );
        assert!(
            observed_on(2023).contains(&(date(2023, 11, 10), "Veterans Day (observed)".into()))
        );
    }

    #[test]
    fn new_year_on_a_saturday_is_observed_in_the_year_before() {
        // 1 January 2022 and 2028 are Saturdays.
        assert!(
            observed_on(2021).contains(&(date(2021, 12, 31), "New Year's Day (observed)".into()))
        );
        assert!(
            observed_on(2027).contains(&(date(2027, 12, 31), "New Year's Day (observed)".into()))
        );
        assert!(observed_on(2028).iter().all(|(d, _)| d.month() != 1));
        // 1 January 2023 is a Sunday: observed on Monday 2 January of the same year.
        assert!(
            observed_on(2023).contains(&(date(2023, 1, 2), "New Year's Day (observed)".into()))
        );
    }

    #[test]
    fn eleven_holidays_from_2021() {
        let names = |year| {
            let mut names: Vec<String> = federal_holidays(year)
                .into_iter()
                .filter(|h| !h.name.ends_with("(observed)"))
                .map(|h| h.name)
                .collect();
            names.dedup();
            names.len()
        };
        assert_eq!(names(2020), 10);
        assert_eq!(names(2021), 11);
        assert_eq!(names(2035), 11);
    }

    #[test]
    fn monday_holidays_follow_the_uniform_monday_holiday_act() {
        let on = |year, name: &str| {
            federal_holidays(year)
                .into_iter()
                .find(|h| h.name == name)
                .map(|h| h.date)
        };
        assert_eq!(
            on(2025, "Birthday of Martin Luther King, Jr."),
            Some(date(2025, 1, 20))
        );
        assert_eq!(on(2025, "Washington's Birthday"), Some(date(2025, 2, 17)));
        assert_eq!(on(2025, "Memorial Day"), Some(date(2025, 5, 26)));
        assert_eq!(on(2025, "Labor Day"), Some(date(2025, 9, 1)));
        assert_eq!(on(2025, "Columbus Day"), Some(date(2025, 10, 13)));
        assert_eq!(on(2025, "Thanksgiving Day"), Some(date(2025, 11, 27)));
        assert_eq!(on(1975, "Veterans Day"), Some(date(1975, 10, 27)));
    }
}
