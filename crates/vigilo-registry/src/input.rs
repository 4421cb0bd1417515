//! Parsing of user input into domain values, with errors that name the input and what was
//! expected.

use jiff::Timestamp;
use jiff::civil::Date;

/// Input that does not have the expected form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {problem}")]
pub struct Invalid {
    /// What the input was: a flag (`--country`), a column (`line 7, column serial`), a file.
    pub field: String,
    /// What is wrong and what was expected instead.
    pub problem: String,
}

impl Invalid {
    pub fn new(field: impl Into<String>, problem: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            problem: problem.into(),
        }
    }

    /// The same problem, placed inside a larger input (`file.csv line 7`).
    pub fn within(self, place: impl std::fmt::Display) -> Self {
        Self {
            field: format!("{place}, {}", self.field),
            problem: self.problem,
        }
    }
}

fn quoted(value: &str) -> String {
    format!("{value:?}")
}

/// An identifier chosen by a person (organisation, person, product, procedure, event type, part):
/// letters, digits and `.`, `_`, `-`, starting with a letter or digit, at most 64 characters, so
/// that it can be typed, put in a URL path and read aloud on the phone.
pub fn identifier(field: &str, value: &str) -> Result<String, Invalid> {
    let ok_start = value
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric());
    let ok_rest = value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if value.is_empty() || value.len() > 64 || !ok_start || !ok_rest {
        return Err(Invalid::new(
            field,
            format!(
                "{} is not an identifier: expected 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit",
                quoted(value)
            ),
        ));
    }
    Ok(value.to_owned())
}

/// Free text that must not be blank (names, titles, reasons).
pub fn text(field: &str, value: &str) -> Result<String, Invalid> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(Invalid::new(field, "must not be empty"));
    }
    Ok(trimmed.to_owned())
}

/// A serial, lot or version as printed on a label: any visible characters, no control
/// characters, at most 64.
pub fn label(field: &str, value: &str) -> Result<String, Invalid> {
    let trimmed = value.trim();
    if trimmed.is_empty() || trimmed.chars().count() > 64 || trimmed.chars().any(char::is_control) {
        return Err(Invalid::new(
            field,
            format!(
                "{} is not valid: expected 1 to 64 printable characters",
                quoted(value)
            ),
        ));
    }
    Ok(trimmed.to_owned())
}

/// A calendar date, `YYYY-MM-DD`.
pub fn date(field: &str, value: &str) -> Result<Date, Invalid> {
    let well_formed = value.len() == 10
        && value.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    let parsed = well_formed.then(|| value.parse::<Date>().ok()).flatten();
    parsed.ok_or_else(|| {
        Invalid::new(
            field,
            format!(
                "{} is not a date: expected YYYY-MM-DD (a real calendar day)",
                quoted(value)
            ),
        )
    })
}

/// An instant, RFC 3339 with an explicit offset (`2026-03-01T09:30:00Z`, `…+01:00`).
pub fn instant(field: &str, value: &str) -> Result<Timestamp, Invalid> {
    value.parse::<Timestamp>().map_err(|_| {
        Invalid::new(
            field,
            format!(
                "{} is not an instant: expected RFC 3339 with a time zone offset, e.g. 2026-03-01T09:30:00Z",
                quoted(value)
            ),
        )
    })
}

/// An IANA time zone name (`Europe/Berlin`), checked against the bundled tz database.
pub fn timezone(field: &str, value: &str) -> Result<String, Invalid> {
    let name = value.trim();
    jiff::tz::TimeZone::get(name).map(|_| name.to_owned()).map_err(|_| {
        Invalid::new(
            field,
            format!("{value:?} is not an IANA time zone: expected a name such as Europe/Berlin or UTC"),
        )
    })
}

/// A whole number of at least `min`.
pub fn count(field: &str, value: &str, min: i64) -> Result<i64, Invalid> {
    match value.trim().parse::<i64>() {
        Ok(n) if n >= min => Ok(n),
        _ => Err(Invalid::new(
            field,
            format!(
                "{} is not valid: expected a whole number ≥ {min}",
                quoted(value)
            ),
        )),
    }
}

/// One of a fixed set of words.
pub fn choice<T: Copy>(field: &str, value: &str, options: &[(&str, T)]) -> Result<T, Invalid> {
    options
        .iter()
        .find(|(name, _)| *name == value)
        .map(|(_, v)| *v)
        .ok_or_else(|| {
            let names: Vec<&str> = options.iter().map(|(n, _)| *n).collect();
            Invalid::new(
                field,
                format!(
                    "{} is not valid: expected one of {}",
                    quoted(value),
                    names.join(", ")
                ),
            )
        })
}

/// Comma-separated items, each parsed by `item`; empty items are errors, duplicates removed.
pub fn list<T: Ord>(
    field: &str,
    value: &str,
    item: impl Fn(&str, &str) -> Result<T, Invalid>,
) -> Result<Vec<T>, Invalid> {
    let mut out = Vec::new();
    for (i, part) in value.split(',').enumerate() {
        let part = part.trim();
        if part.is_empty() {
            return Err(Invalid::new(
                field,
                format!("item {} of {} is empty", i + 1, quoted(value)),
            ));
        }
        out.push(item(field, part)?);
    }
    out.sort();
    out.dedup();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers() {
        assert_eq!(identifier("--id", "SOP-012.v2_a").unwrap(), "SOP-012.v2_a");
        for bad in ["", "-x", "a b", "ä", &"x".repeat(65)] {
            let e = identifier("--id", bad).unwrap_err();
            assert_eq!(e.field, "--id");
            assert!(e.problem.contains("expected 1 to 64"), "{e}");
        }
    }

    #[test]
    fn dates_name_the_input_and_the_form() {
        assert_eq!(
            date("--date", "2024-02-29").unwrap().to_string(),
            "2024-02-29"
        );
        for bad in [
            "2023-02-29",
            "2024-2-1",
            "24-02-01",
            "2024-13-01",
            "yesterday",
        ] {
            let e = date("--date", bad).unwrap_err();
            assert!(e.to_string().starts_with("--date: \""), "{e}");
            assert!(e.problem.contains("YYYY-MM-DD"), "{e}");
        }
    }

    #[test]
    fn instants_need_an_offset() {
        assert!(instant("--at", "2026-03-01T09:30:00Z").is_ok());
        assert_eq!(
            instant("--at", "2026-03-01T10:30:00+01:00").unwrap(),
            instant("--at", "2026-03-01T09:30:00Z").unwrap()
        );
        assert!(instant("--at", "2026-03-01T09:30:00").is_err());
        assert!(instant("--at", "2026-03-01").is_err());
    }

    #[test]
    fn lists_report_the_empty_item() {
        let e = list("--countries", "AT,,DE", |_, s| Ok(s.to_owned())).unwrap_err();
        assert_eq!(e.to_string(), "--countries: item 2 of \"AT,,DE\" is empty");
        assert_eq!(
            list("--x", "b, a,b", |_, s| Ok(s.to_owned())).unwrap(),
            vec!["a", "b"]
        );
    }

    #[test]
    fn time_zones_come_from_the_tz_database() {
        assert_eq!(
            timezone("--timezone", "Europe/Vienna").unwrap(),
            "Europe/Vienna"
        );
        assert!(timezone("--timezone", "Mars/Olympus").is_err());
    }

    #[test]
    fn counts_and_choices() {
        assert_eq!(count("--qty", "12", 1).unwrap(), 12);
        assert!(count("--qty", "0", 1).is_err());
        assert!(count("--qty", "1.5", 1).is_err());
        let e = choice("--result", "maybe", &[("pass", true), ("fail", false)]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "--result: \"maybe\" is not valid: expected one of pass, fail"
        );
    }

    #[test]
    fn labels_reject_control_characters() {
        assert_eq!(label("--serial", " SN 001 ").unwrap(), "SN 001");
        assert!(label("--serial", "SN\u{1d}1").is_err());
        assert!(label("--serial", "  ").is_err());
    }
}
