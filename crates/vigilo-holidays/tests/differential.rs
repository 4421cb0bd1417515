//! The rule tables against an independent reference: the Python `holidays`
//! package's public holidays for 2020–2035, committed as a fixture (see
//! tests/data/SOURCES.md). Dates are compared per country and year, exactly, but
//! for the exceptions below; names differ in wording and are not compared.

use std::collections::{BTreeMap, BTreeSet};

use jiff::civil::Date;
use vigilo_holidays::{national_holidays, supported_countries, us_federal_holidays};

#[derive(serde::Deserialize)]
struct Fixture {
    years: [i16; 2],
    holidays: Vec<Row>,
}

#[derive(serde::Deserialize)]
struct Row {
    country: String,
    date: Date,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum OnlyIn {
    Python,
    Vigilo,
}

struct Exception {
    country: &'static str,
    only_in: OnlyIn,
    dates: &'static [&'static str],
    why: &'static str,
}

const EXCEPTIONS: &[Exception] = &[
    Exception {
        country: "HU",
        only_in: OnlyIn::Python,
        dates: &[
            "2020-08-21",
            "2020-12-24",
            "2021-12-24",
            "2022-03-14",
            "2022-10-31",
            "2024-08-19",
            "2024-12-24",
            "2024-12-27",
            "2025-05-02",
            "2025-10-24",
            "2025-12-24",
            "2026-01-02",
            "2026-08-21",
        ],
        why: "bridge days of the yearly ministerial decree, each traded for a worked Saturday: \
              not public holidays, and a calendar that cannot make that Saturday a working \
              day would be wrong either way; an organisation adds them as extra dates",
    },
    Exception {
        country: "LV",
        only_in: OnlyIn::Python,
        dates: &[
            "2020-06-22",
            "2021-05-03",
            "2021-06-25",
            "2021-11-19",
            "2023-05-05",
            "2024-12-23",
            "2024-12-30",
            "2025-05-02",
            "2025-11-17",
            "2026-01-02",
            "2026-06-22",
        ],
        why: "working days moved by Cabinet order in exchange for a worked Saturday, as in Hungary",
    },
    Exception {
        country: "BG",
        only_in: OnlyIn::Python,
        dates: &["2025-12-31", "2026-01-02"],
        why: "non-working days declared once by Council of Ministers resolution 808 of 2025, \
              not public holidays of the Labour Code",
    },
    Exception {
        country: "NL",
        only_in: OnlyIn::Vigilo,
        dates: &[
            "2021-05-05",
            "2022-05-05",
            "2023-05-05",
            "2024-05-05",
            "2026-05-05",
            "2027-05-05",
            "2028-05-05",
            "2029-05-05",
            "2031-05-05",
            "2032-05-05",
            "2033-05-05",
            "2034-05-05",
        ],
        why: "Liberation Day is a holiday every year under Algemene termijnenwet art. 3, the \
              statute that moves Dutch time limits; Python lists it only every fifth year, when \
              most collective agreements give the day off",
    },
];

fn date(text: &str) -> Date {
    text.parse().unwrap()
}

fn reference() -> (Fixture, BTreeMap<(String, i16), BTreeSet<Date>>) {
    let text = include_str!("data/python-holidays-2020-2035.json");
    let fixture: Fixture = serde_json::from_str(text).unwrap();
    let mut by_year: BTreeMap<(String, i16), BTreeSet<Date>> = BTreeMap::new();
    for row in &fixture.holidays {
        by_year
            .entry((row.country.clone(), row.date.year()))
            .or_default()
            .insert(row.date);
    }
    (fixture, by_year)
}

#[test]
fn every_country_matches_python_holidays_but_for_the_listed_exceptions() {
    let (fixture, by_year) = reference();
    let mut used = BTreeSet::new();
    let mut differences = Vec::new();
    let countries = supported_countries().iter().copied().chain(["US"]);
    for country in countries {
        for year in fixture.years[0]..=fixture.years[1] {
            let ours: BTreeSet<Date> = if country == "US" {
                us_federal_holidays(year)
                    .into_iter()
                    .map(|h| h.date)
                    .collect()
            } else {
                national_holidays(country, year)
                    .unwrap()
                    .into_iter()
                    .map(|h| h.date)
                    .collect()
            };
            let python = by_year
                .get(&(country.to_owned(), year))
                .cloned()
                .unwrap_or_default();
            let sides = [
                (OnlyIn::Python, python.difference(&ours)),
                (OnlyIn::Vigilo, ours.difference(&python)),
            ];
            for (only_in, dates) in sides {
                for &day in dates {
                    let excepted = EXCEPTIONS.iter().position(|e| {
                        e.country == country
                            && e.only_in == only_in
                            && e.dates.iter().any(|d| date(d) == day)
                    });
                    match excepted {
                        Some(index) => {
                            used.insert((index, day));
                        }
                        None => differences.push(format!("{country} {day}: only in {only_in:?}")),
                    }
                }
            }
        }
    }
    assert!(
        differences.is_empty(),
        "unexplained differences:\n{}",
        differences.join("\n")
    );

    // An exception that no longer matches anything is stale: the tables or the
    // fixture changed, and it would hide the next real difference.
    for (index, exception) in EXCEPTIONS.iter().enumerate() {
        for d in exception.dates {
            assert!(
                used.contains(&(index, date(d))),
                "stale exception {} {d} ({})",
                exception.country,
                exception.why
            );
        }
    }
}

#[test]
fn the_fixture_covers_every_supported_country_and_the_us() {
    let (fixture, by_year) = reference();
    assert_eq!(fixture.years, [2020, 2035]);
    for country in supported_countries().iter().copied().chain(["US"]) {
        for year in 2020..=2035 {
            assert!(
                by_year.contains_key(&(country.to_owned(), year)),
                "{country} {year}"
            );
        }
    }
}
