use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A calendar month. Valid months have `month` in 1..=12 and `year` in jiff's range
/// -9999..=9999; [`Month::new`] and parsing check this, building the struct directly does not.
/// Ordered chronologically (year, then month). Serialized as its display form, `"2026-03"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    pub year: i16,
    pub month: i8,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MonthError {
    #[error("expected a month as YYYY-MM (e.g. 2026-03), got {0:?}")]
    Syntax(String),
    #[error("month must be 01 to 12, got {0:?}")]
    MonthOutOfRange(String),
    #[error("year must be -9999 to 9999, got {0}")]
    YearOutOfRange(i16),
}

impl Month {
    pub fn new(year: i16, month: i8) -> Result<Month, MonthError> {
        if !(1..=12).contains(&month) {
            return Err(MonthError::MonthOutOfRange(month.to_string()));
        }
        if !(-9999..=9999).contains(&year) {
            return Err(MonthError::YearOutOfRange(year));
        }
        Ok(Month { year, month })
    }

    /// # Panics
    /// Past December 32767, where the year no longer fits an `i16`.
    pub fn next(self) -> Month {
        Month::from_index(self.index() + 1)
    }

    /// # Panics
    /// Before January -32768, where the year no longer fits an `i16`.
    pub fn prev(self) -> Month {
        Month::from_index(self.index() - 1)
    }

    /// # Panics
    /// If the month is not valid (see [`Month`]).
    pub fn first_day(self) -> jiff::civil::Date {
        jiff::civil::date(self.year, self.month, 1)
    }

    /// Months since January of year 0, so that month arithmetic is integer arithmetic.
    pub(crate) fn index(self) -> i64 {
        i64::from(self.year) * 12 + i64::from(self.month) - 1
    }

    pub(crate) fn from_index(index: i64) -> Month {
        let year = i16::try_from(index.div_euclid(12)).expect("year beyond the range of i16");
        let month = (index.rem_euclid(12) + 1) as i8;
        Month { year, month }
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.year < 0 {
            write!(f, "-{:04}-{:02}", -i32::from(self.year), self.month)
        } else {
            write!(f, "{:04}-{:02}", self.year, self.month)
        }
    }
}

impl FromStr for Month {
    type Err = MonthError;

    /// Accepts exactly `YYYY-MM` with years 0000 to 9999: months in surveillance data are
    /// never before the Common Era, and a strict form catches swapped or truncated fields.
    fn from_str(s: &str) -> Result<Month, MonthError> {
        let syntax = || MonthError::Syntax(s.to_owned());
        let bytes = s.as_bytes();
        if bytes.len() != 7
            || bytes[4] != b'-'
            || !bytes[..4].iter().chain(&bytes[5..]).all(u8::is_ascii_digit)
        {
            return Err(syntax());
        }
        let year: i16 = s[..4].parse().map_err(|_| syntax())?;
        let month: i8 = s[5..].parse().map_err(|_| syntax())?;
        if !(1..=12).contains(&month) {
            return Err(MonthError::MonthOutOfRange(s[5..].to_owned()));
        }
        Ok(Month { year, month })
    }
}

impl Serialize for Month {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Month {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Month, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_displays() {
        let m: Month = "2026-03".parse().unwrap();
        assert_eq!(
            m,
            Month {
                year: 2026,
                month: 3
            }
        );
        assert_eq!(m.to_string(), "2026-03");
        assert_eq!(Month::new(7, 1).unwrap().to_string(), "0007-01");
    }

    #[test]
    fn rejects_other_forms_saying_what_was_expected() {
        for bad in [
            "2026-3",
            "26-03",
            "2026/03",
            "2026-03-01",
            "",
            "２０２６-03",
            "+026-03",
        ] {
            let err = bad.parse::<Month>().unwrap_err();
            assert!(
                err.to_string().contains("expected a month as YYYY-MM"),
                "{bad:?}: {err}"
            );
        }
        for bad in ["2026-00", "2026-13"] {
            let err = bad.parse::<Month>().unwrap_err();
            assert!(err.to_string().contains("01 to 12"), "{bad:?}: {err}");
        }
    }

    #[test]
    fn new_checks_ranges() {
        assert!(Month::new(2026, 12).is_ok());
        assert!(Month::new(2026, 13).is_err());
        assert!(Month::new(2026, 0).is_err());
        assert!(Month::new(10000, 1).is_err());
        assert!(Month::new(-9999, 1).is_ok());
    }

    #[test]
    fn next_and_prev_cross_year_boundaries() {
        let dec = Month::new(2025, 12).unwrap();
        let jan = Month::new(2026, 1).unwrap();
        assert_eq!(dec.next(), jan);
        assert_eq!(jan.prev(), dec);
        assert_eq!(
            Month::new(0, 1).unwrap().prev(),
            Month {
                year: -1,
                month: 12
            }
        );
    }

    #[test]
    fn orders_chronologically() {
        let mut months =
            ["2026-01", "2025-12", "2026-10", "2025-02"].map(|s| s.parse::<Month>().unwrap());
        months.sort();
        let shown: Vec<String> = months.iter().map(Month::to_string).collect();
        assert_eq!(shown, ["2025-02", "2025-12", "2026-01", "2026-10"]);
    }

    #[test]
    fn first_day_is_a_jiff_date() {
        let m = Month::new(2024, 2).unwrap();
        assert_eq!(m.first_day(), jiff::civil::date(2024, 2, 1));
        assert_eq!(m.first_day().days_in_month(), 29);
    }

    #[test]
    fn serializes_as_its_display_form() {
        let m = Month::new(2026, 3).unwrap();
        assert_eq!(serde_json::to_string(&m).unwrap(), "\"2026-03\"");
        assert_eq!(serde_json::from_str::<Month>("\"2026-03\"").unwrap(), m);
        assert!(serde_json::from_str::<Month>("\"March 2026\"").is_err());
    }
}
