use jiff::ToSpan;
use jiff::civil::{Date, Weekday, date};
use proptest::prelude::*;
use vigilo_holidays::{WorkCalendar, national_holidays, supported_countries, us_federal_holidays};

fn country() -> impl Strategy<Value = &'static str> {
    proptest::sample::select(supported_countries())
}

proptest! {
    #[test]
    fn national_holidays_are_sorted_unique_and_in_their_year(country in country(), year in 1900i16..=2199) {
        let holidays = national_holidays(country, year).unwrap();
        prop_assert!(!holidays.is_empty());
        prop_assert!(holidays.windows(2).all(|w| w[0].date < w[1].date), "{country} {year}: {holidays:?}");
        prop_assert!(holidays.iter().all(|h| h.date.year() == year && !h.name.is_empty()));
    }

    #[test]
    fn us_federal_holidays_are_sorted_and_in_their_year(year in 1900i16..=2199) {
        let holidays = us_federal_holidays(year);
        prop_assert!(holidays.windows(2).all(|w| w[0].date <= w[1].date));
        prop_assert!(holidays.iter().all(|h| h.date.year() == year));
        // An observed day is always a weekday.
        prop_assert!(holidays
            .iter()
            .filter(|h| h.name.ends_with("(observed)"))
            .all(|h| !matches!(h.date.weekday(), Weekday::Saturday | Weekday::Sunday)));
    }

    #[test]
    fn weekends_are_never_working_days(
        country in prop_oneof![country(), Just("US")],
        year in 1900i16..=2198,
        offset in 0i64..366,
        extra in proptest::collection::vec(0i64..366, 0..5),
    ) {
        let first = date(year, 1, 1);
        let extra: Vec<Date> = extra.into_iter().map(|d| first.saturating_add(d.days())).collect();
        let calendar = WorkCalendar::for_country(country, year, year + 1, extra.clone());
        let day = first.saturating_add(offset.days());
        let weekend = matches!(day.weekday(), Weekday::Saturday | Weekday::Sunday);
        if weekend {
            prop_assert!(!calendar.is_working_day(day));
        }
        prop_assert_eq!(calendar.is_working_day(day), !weekend && !calendar.is_holiday(day));
        prop_assert!(extra.iter().all(|&d| calendar.is_holiday(d) && !calendar.is_working_day(d)));
    }
}
