//! Organisation-maintained holiday files: what they yield, how they fail, and the
//! CSV form.

use jiff::civil::Date;

/// One holiday read from an organisation's calendar file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ImportedHoliday {
    /// ISO 3166-1 alpha-2, upper case.
    pub country: String,
    pub date: jiff::civil::Date,
    pub name: String,
}

/// A holiday file that cannot be read, naming the file, the 1-based line and what
/// was expected there, e.g. "holidays.csv line 4: expected a date YYYY-MM-DD in
/// column `date`, found `2026-13-01`".
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{source_name} line {line}: expected {expected}, found `{found}`")]
pub struct HolidayFileError {
    pub source_name: String,
    pub line: usize,
    pub expected: String,
    pub found: String,
}

impl HolidayFileError {
    pub(crate) fn new(
        source: &str,
        line: usize,
        expected: impl Into<String>,
        found: impl Into<String>,
    ) -> Self {
        HolidayFileError {
            source_name: source.to_owned(),
            line,
            expected: expected.into(),
            found: found.into(),
        }
    }
}

/// Reads a CSV calendar: a header row naming the columns `country`, `date` and
/// `name` (in any order, any case; other columns are ignored), then one holiday a
/// row with the date as YYYY-MM-DD and the country as ISO 3166-1 alpha-2. Without
/// a `country` column, or where its cell is empty, `default_country` is the country
/// (upper-cased, not checked: it is the caller's, not the file's); without either it
/// is an error. `source` is the file name used in errors.
pub fn parse_holiday_csv(
    text: &str,
    source: &str,
    default_country: Option<&str>,
) -> Result<Vec<ImportedHoliday>, HolidayFileError> {
    // Spreadsheet programs write a byte-order mark that would glue itself to the
    // first column's name.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let header = reader.headers().map_err(|e| csv_error(source, &e))?.clone();
    let column = |name: &str| header.iter().position(|h| h.eq_ignore_ascii_case(name));
    let header_line = || header.iter().collect::<Vec<_>>().join(",");
    let (Some(date_column), Some(name_column)) = (column("date"), column("name")) else {
        return Err(HolidayFileError::new(
            source,
            1,
            "a header row with the columns `date` and `name`",
            header_line(),
        ));
    };
    let country_column = column("country");
    if country_column.is_none() && default_country.is_none() {
        return Err(HolidayFileError::new(
            source,
            1,
            "a `country` column, as no default country was given",
            header_line(),
        ));
    }
    let default_country = default_country.map(str::to_ascii_uppercase);

    let mut holidays = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| csv_error(source, &e))?;
        let line = record.position().map_or(0, |p| p.line() as usize);
        let cell = |column: usize| record.get(column).unwrap_or_default();

        let country = match (
            country_column.map(cell).filter(|c| !c.is_empty()),
            &default_country,
        ) {
            (Some(code), _) => isocountry::CountryCode::for_alpha2_caseless(code)
                .map(|c| c.alpha2().to_owned())
                .map_err(|_| {
                    HolidayFileError::new(
                        source,
                        line,
                        "an ISO 3166-1 alpha-2 country code in column `country`",
                        code,
                    )
                })?,
            (None, Some(default)) => default.clone(),
            (None, None) => {
                return Err(HolidayFileError::new(
                    source,
                    line,
                    "a country code in column `country`, as no default country was given",
                    "",
                ));
            }
        };
        let date = parse_iso_date(cell(date_column)).ok_or_else(|| {
            HolidayFileError::new(
                source,
                line,
                "a date YYYY-MM-DD in column `date`",
                cell(date_column),
            )
        })?;
        let name = cell(name_column);
        if name.is_empty() {
            return Err(HolidayFileError::new(
                source,
                line,
                "a holiday name in column `name`",
                name,
            ));
        }
        holidays.push(ImportedHoliday {
            country,
            date,
            name: name.to_owned(),
        });
    }
    Ok(holidays)
}

fn csv_error(source: &str, error: &csv::Error) -> HolidayFileError {
    let line = error.position().map_or(0, |p| p.line() as usize);
    match error.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => HolidayFileError::new(
            source,
            line,
            format!("{expected_len} fields, as in the header row"),
            format!("{len} fields"),
        ),
        _ => HolidayFileError::new(source, line, "a CSV record", error.to_string()),
    }
}

/// Exactly YYYY-MM-DD, nothing around it.
fn parse_iso_date(text: &str) -> Option<Date> {
    let bytes = text.as_bytes();
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    date_from_digits(&text[0..4], &text[5..7], &text[8..10])
}

/// A calendar date from its year, month and day written in ASCII digits only.
pub(crate) fn date_from_digits(year: &str, month: &str, day: &str) -> Option<Date> {
    let number = |digits: &str| -> Option<i16> {
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        digits.parse().ok()
    };
    let month = i8::try_from(number(month)?).ok()?;
    let day = i8::try_from(number(day)?).ok()?;
    Date::new(number(year)?, month, day).ok()
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;

    fn error(text: &str, default: Option<&str>) -> String {
        parse_holiday_csv(text, "holidays.csv", default)
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn reads_rows_in_file_order() {
        let text = "country,date,name\nDE,2026-12-24,Christmas Eve (company)\nat,2026-12-31,\"Silvester, afternoon\"\n";
        let rows = parse_holiday_csv(text, "holidays.csv", None).unwrap();
        assert_eq!(
            rows,
            vec![
                ImportedHoliday {
                    country: "DE".into(),
                    date: date(2026, 12, 24),
                    name: "Christmas Eve (company)".into()
                },
                ImportedHoliday {
                    country: "AT".into(),
                    date: date(2026, 12, 31),
                    name: "Silvester, afternoon".into()
                },
            ]
        );
    }

    #[test]
    fn columns_in_any_order_with_extras_bom_and_crlf() {
        let text = "\u{feff}Name , Date,Comment\r\nPlant closure,2026-08-14,summer\r\n";
        let rows = parse_holiday_csv(text, "plant.csv", Some("ie")).unwrap();
        assert_eq!(
            rows,
            vec![ImportedHoliday {
                country: "IE".into(),
                date: date(2026, 8, 14),
                name: "Plant closure".into()
            }]
        );
    }

    #[test]
    fn an_empty_country_cell_takes_the_default() {
        let text = "country,date,name\n,2026-05-15,Bridge day\n";
        assert_eq!(
            parse_holiday_csv(text, "h.csv", Some("FR")).unwrap()[0].country,
            "FR"
        );
        assert_eq!(
            error(text, None),
            "holidays.csv line 2: expected a country code in column `country`, as no default country was given, found ``"
        );
    }

    #[test]
    fn a_bad_date_names_its_line() {
        let text = "country,date,name\nDE,2026-01-02,A\nDE,2026-02-03,B\nDE,2026-13-01,C\n";
        assert_eq!(
            error(text, None),
            "holidays.csv line 4: expected a date YYYY-MM-DD in column `date`, found `2026-13-01`"
        );
        for bad in [
            "2026-2-03",
            "03.02.2026",
            "2026-02-30",
            "+2026-02-03",
            "2026-02-03T00:00",
        ] {
            let text = format!("country,date,name\nDE,{bad},B\n");
            assert!(
                error(&text, None).starts_with("holidays.csv line 2: expected a date"),
                "{bad}"
            );
        }
    }

    #[test]
    fn a_quoted_name_spanning_lines_puts_later_errors_on_their_own_line() {
        let text = "country,date,name\nDE,2026-01-02,\"two\nlines\"\nDE,2026-01-32,C\n";
        assert_eq!(
            error(text, None),
            "holidays.csv line 4: expected a date YYYY-MM-DD in column `date`, found `2026-01-32`"
        );
    }

    #[test]
    fn bad_country_missing_name_and_ragged_rows() {
        assert_eq!(
            error("country,date,name\nDX,2026-01-02,A\n", None),
            "holidays.csv line 2: expected an ISO 3166-1 alpha-2 country code in column `country`, found `DX`"
        );
        assert_eq!(
            error("country,date,name\nDE,2026-01-02,\n", None),
            "holidays.csv line 2: expected a holiday name in column `name`, found ``"
        );
        assert_eq!(
            error("country,date,name\nDE,2026-01-02,A\nDE,2026-01-03\n", None),
            "holidays.csv line 3: expected 3 fields, as in the header row, found `2 fields`"
        );
    }

    #[test]
    fn header_problems_are_line_one() {
        assert_eq!(
            error("country,day,name\nDE,2026-01-02,A\n", None),
            "holidays.csv line 1: expected a header row with the columns `date` and `name`, found `country,day,name`"
        );
        assert_eq!(
            error("date,name\n2026-01-02,A\n", None),
            "holidays.csv line 1: expected a `country` column, as no default country was given, found `date,name`"
        );
    }

    #[test]
    fn a_header_alone_is_an_empty_calendar() {
        assert_eq!(
            parse_holiday_csv("country,date,name\n", "h.csv", None).unwrap(),
            vec![]
        );
    }
}
