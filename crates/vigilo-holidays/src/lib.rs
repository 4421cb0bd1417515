//! Public-holiday calendars for vigilance deadlines: the periods of EU MDR
//! Art. 87 counted under Regulation (EEC, Euratom) No 1182/71, whose Art. 2 leaves
//! "public holidays" to each Member State, and FDA's "work days" of 21 CFR 803,
//! which are the US federal ones.
//!
//! National holidays are computed by rule ([`national_holidays`]) for the EU and
//! EEA states and Switzerland, federal ones as OPM observes them
//! ([`us_federal_holidays`]); an organisation adds its own days from CSV or
//! iCalendar files ([`parse_holiday_csv`], [`parse_holiday_ical`]) into a
//! [`WorkCalendar`]. Pure: no clock, no I/O.

mod easter;
mod files;
mod ical;
mod rules;
mod us;

use std::collections::BTreeSet;
use std::ops::RangeInclusive;

use jiff::civil::Date;

pub use easter::{easter, orthodox_easter};
pub use files::{HolidayFileError, ImportedHoliday, parse_holiday_csv};
pub use ical::parse_holiday_ical;

/// One public holiday. Holidays of a country that share a date are one
/// `Holiday` whose name joins theirs with " / ".
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Holiday {
    pub date: jiff::civil::Date,
    pub name: String,
}

/// The years the rules are written and tested for. Outside them
/// [`national_holidays`] answers `None` and [`us_federal_holidays`] nothing: the
/// statutes of 1899 or 2200 are not what the tables say.
pub const SUPPORTED_YEARS: RangeInclusive<i16> = 1900..=2199;

/// ISO 3166-1 alpha-2 codes for which [`national_holidays`] computes the calendar
/// by rule: the 27 EU Member States, Iceland, Liechtenstein, Norway and Switzerland.
pub fn supported_countries() -> &'static [&'static str] {
    rules::supported()
}

/// The national (country-wide, statutory) public holidays of `country` (ISO
/// alpha-2, upper case) in `year`, computed by rule; sorted by date, one entry per
/// date. Movable feasts follow the Gregorian computus, and the Orthodox one for
/// GR, CY, RO and BG. Regional holidays (German Länder, Spanish communities, Swiss
/// cantons, …) and days off decreed year by year in exchange for a worked Saturday
/// (Hungary, Latvia, Bulgaria) are not included.
///
/// `None` when the country is not supported or `year` is outside
/// [`SUPPORTED_YEARS`]. The US is served by [`us_federal_holidays`].
pub fn national_holidays(country: &str, year: i16) -> Option<Vec<Holiday>> {
    if !SUPPORTED_YEARS.contains(&year) {
        return None;
    }
    rules::holidays(country, year)
}

/// US federal holidays (5 U.S.C. 6103) of `year`: each on its legal date and, when
/// that is a Saturday or Sunday, again on the date OPM observes it (the Friday
/// before, the Monday after) with a name ending in "(observed)". Juneteenth from
/// 2021 on. New Year's Day of `year + 1` on a Saturday is observed on 31 December
/// of `year` and listed here. Sorted by date; empty outside [`SUPPORTED_YEARS`].
pub fn us_federal_holidays(year: i16) -> Vec<Holiday> {
    if !SUPPORTED_YEARS.contains(&year) {
        return Vec::new();
    }
    us::federal_holidays(year)
}

/// A working-day calendar: Saturdays and Sundays are never working days; the
/// holidays are the given dates.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkCalendar {
    holidays: BTreeSet<Date>,
}

impl WorkCalendar {
    pub fn new(holidays: impl IntoIterator<Item = jiff::civil::Date>) -> Self {
        WorkCalendar {
            holidays: holidays.into_iter().collect(),
        }
    }

    /// [`national_holidays`] of `country` over the years `first..=last`, merged with
    /// `extra` (organisation-maintained dates); "US" takes [`us_federal_holidays`].
    /// A country without rules, or years outside [`SUPPORTED_YEARS`], contribute
    /// no dates, leaving `extra` alone.
    pub fn for_country(
        country: &str,
        first: i16,
        last: i16,
        extra: impl IntoIterator<Item = jiff::civil::Date>,
    ) -> Self {
        let mut holidays: BTreeSet<Date> = extra.into_iter().collect();
        for year in first..=last {
            let national = if country.eq_ignore_ascii_case("US") {
                us_federal_holidays(year)
            } else {
                national_holidays(country, year).unwrap_or_default()
            };
            holidays.extend(national.into_iter().map(|h| h.date));
        }
        WorkCalendar { holidays }
    }

    pub fn is_working_day(&self, date: jiff::civil::Date) -> bool {
        !rules::is_weekend(date) && !self.is_holiday(date)
    }

    /// Whether `date` is one of the calendar's holidays, whatever its weekday.
    pub fn is_holiday(&self, date: jiff::civil::Date) -> bool {
        self.holidays.contains(&date)
    }
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;

    #[test]
    fn supported_countries_are_the_eu_and_eea_states_and_switzerland() {
        let mut codes = supported_countries().to_vec();
        codes.sort_unstable();
        let mut expected = "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE IS LI NO CH"
            .split(' ')
            .collect::<Vec<_>>();
        expected.sort_unstable();
        assert_eq!(codes, expected);
    }

    #[test]
    fn unsupported_country_or_year_is_none() {
        assert_eq!(national_holidays("US", 2025), None);
        assert_eq!(national_holidays("XX", 2025), None);
        assert_eq!(national_holidays("DE", 1899), None);
        assert_eq!(national_holidays("DE", 2200), None);
        assert!(us_federal_holidays(2200).is_empty());
    }

    #[test]
    fn germany_has_its_nine_nationwide_holidays() {
        let de = national_holidays("DE", 2026).unwrap();
        assert_eq!(de.len(), 9, "{de:?}");
        assert!(de.iter().all(|h| h.name != "Reformation Day"));
        assert!(
            national_holidays("DE", 2017)
                .unwrap()
                .iter()
                .any(|h| h.name == "Reformation Day")
        );
    }

    #[test]
    fn denmark_abolished_great_prayer_day_from_2024() {
        let has_prayer_day = |year| {
            national_holidays("DK", year)
                .unwrap()
                .iter()
                .any(|h| h.name == "Great Prayer Day")
        };
        assert!(has_prayer_day(2023));
        assert!(!has_prayer_day(2024));
    }

    #[test]
    fn same_date_holidays_are_merged() {
        let cz = national_holidays("CZ", 2025).unwrap();
        assert_eq!(cz[0].date, date(2025, 1, 1));
        assert_eq!(
            cz[0].name,
            "New Year's Day / Restoration Day of the Independent Czech State"
        );
    }

    #[test]
    fn bulgarian_weekend_holidays_move_to_the_next_free_working_days() {
        let bg: Vec<Date> = national_holidays("BG", 2021)
            .unwrap()
            .into_iter()
            .map(|h| h.date)
            .collect();
        // 1 May 2021 was Holy Saturday; Easter Sunday and Monday followed.
        assert!(bg.contains(&date(2021, 5, 4)));
        // Christmas on Saturday and Sunday: Monday 27 and Tuesday 28 December.
        assert!(bg.contains(&date(2021, 12, 27)));
        assert!(bg.contains(&date(2021, 12, 28)));
    }

    #[test]
    fn greek_may_day_moves_out_of_holy_week() {
        let gr = national_holidays("GR", 2024).unwrap();
        assert!(
            gr.iter()
                .any(|h| h.date == date(2024, 5, 7) && h.name == "Labour Day")
        );
        assert!(gr.iter().all(|h| h.date != date(2024, 5, 1)));
    }

    #[test]
    fn spain_has_no_national_date_for_a_sunday_holiday() {
        let es = national_holidays("ES", 2023).unwrap();
        assert!(es.iter().all(|h| h.date != date(2023, 1, 1)));
        assert!(es.iter().any(|h| h.date == date(2023, 1, 6)));
    }

    #[test]
    fn work_calendar_skips_weekends_and_holidays() {
        let cal = WorkCalendar::for_country("DE", 2025, 2026, [date(2025, 12, 24)]);
        assert!(!cal.is_working_day(date(2025, 12, 24)));
        assert!(!cal.is_working_day(date(2025, 12, 25)));
        assert!(!cal.is_working_day(date(2025, 12, 27)));
        assert!(cal.is_working_day(date(2025, 12, 29)));
        assert!(
            cal.is_holiday(date(2026, 10, 3)),
            "a Saturday holiday is still a holiday"
        );
        assert!(!cal.is_holiday(date(2026, 10, 4)));
    }

    #[test]
    fn work_calendar_for_the_us_uses_observed_federal_holidays() {
        let cal = WorkCalendar::for_country("US", 2021, 2021, []);
        assert!(!cal.is_working_day(date(2021, 7, 5)));
        assert!(!cal.is_working_day(date(2021, 12, 31)));
        assert!(cal.is_working_day(date(2021, 12, 30)));
    }

    #[test]
    fn work_calendar_for_an_unknown_country_keeps_the_extra_dates() {
        let cal = WorkCalendar::for_country("XX", 2025, 2025, [date(2025, 3, 3)]);
        assert!(!cal.is_working_day(date(2025, 3, 3)));
        assert!(cal.is_working_day(date(2025, 1, 1)));
        assert_eq!(WorkCalendar::new([date(2025, 3, 3)]), cal);
    }
}
