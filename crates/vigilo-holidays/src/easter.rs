//! Easter Sunday, the anchor of every movable Christian holiday in the tables.
//!
//! Written out rather than taken from the `computus` crate: the two algorithms are
//! a dozen lines of integer arithmetic each, and the crate would add a dependency
//! (with its own `jiff` version range) for no more than that.

use jiff::civil::{Date, date};

/// Western (Gregorian) Easter Sunday of `year`, by the anonymous Gregorian
/// algorithm (Meeus/Jones/Butcher). Valid for every Gregorian year jiff supports
/// from 1583 on.
///
/// # Panics
/// If `year` is outside jiff's range (-9999..=9999).
pub fn easter(year: i16) -> Date {
    let y = i32::from(year);
    let a = y % 19;
    let b = y / 100;
    let c = y % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    date(year, month as i8, day as i8)
}

/// Orthodox Easter Sunday of `year` as a Gregorian date: Easter by the Julian
/// computus (Meeus), moved by the Julian calendar's drift, as the Greek, Cypriot,
/// Romanian and Bulgarian churches keep it.
///
/// # Panics
/// If `year` is outside 1583..=9999.
pub fn orthodox_easter(year: i16) -> Date {
    let y = i32::from(year);
    let a = y % 4;
    let b = y % 7;
    let c = y % 19;
    let d = (19 * c + 15) % 30;
    let e = (2 * a + 4 * b - d + 34) % 7;
    let month = (d + e + 114) / 31;
    let day = (d + e + 114) % 31 + 1;
    // Julian Easter always falls after the Julian leap day, so the drift of the
    // whole year applies: 13 days in 1900..=2099, 14 in 2100..=2199.
    let drift = y / 100 - y / 400 - 2;
    let julian = date(year, month as i8, day as i8);
    julian.saturating_add(jiff::Span::new().days(i64::from(drift)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn western_easter_known_dates() {
        for (year, month, day) in [
            (1900, 4, 15),
            (1943, 4, 25),
            (1954, 4, 18),
            (1961, 4, 2),
            (2000, 4, 23),
            (2008, 3, 23),
            (2019, 4, 21),
            (2024, 3, 31),
            (2025, 4, 20),
            (2026, 4, 5),
            (2038, 4, 25),
            (2100, 3, 28),
            (2199, 4, 14),
        ] {
            assert_eq!(easter(year), date(year, month, day), "{year}");
        }
    }

    #[test]
    fn orthodox_easter_known_dates() {
        for (year, month, day) in [
            (1900, 4, 22),
            (2000, 4, 30),
            (2021, 5, 2),
            (2024, 5, 5),
            (2025, 4, 20),
            (2026, 4, 12),
            (2027, 5, 2),
            (2035, 4, 29),
            (2100, 5, 2),
        ] {
            assert_eq!(orthodox_easter(year), date(year, month, day), "{year}");
        }
    }

    #[test]
    fn easter_is_always_a_sunday_in_spring() {
        for year in 1900..=2199 {
            for (sunday, earliest, latest) in [
                (easter(year), date(year, 3, 22), date(year, 4, 25)),
                (orthodox_easter(year), date(year, 4, 3), date(year, 5, 9)),
            ] {
                assert_eq!(sunday.weekday(), jiff::civil::Weekday::Sunday, "{year}");
                assert!((earliest..=latest).contains(&sunday), "{year}: {sunday}");
            }
        }
    }
}
