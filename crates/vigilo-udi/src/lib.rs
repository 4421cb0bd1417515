//! Parsing of GS1 Unique Device Identifiers (UDI) as printed on or scanned
//! from medical devices.
//!
//! Two input forms are accepted by [`parse`]:
//!
//! * the bracketed human-readable form, e.g.
//!   `(01)09506000134352(17)201225(10)ABC123(21)XYZ-9`, in any AI order with
//!   optional whitespace between elements;
//! * the element string a barcode scanner emits, e.g.
//!   `]d201095060001343521720122510ABC123<GS>21XYZ`, where the symbology
//!   identifier (`]d2`) and a leading GS are optional and GS (0x1D) ends a
//!   variable-length field that is not last.
//!
//! Only the AIs a UDI needs are supported: (01) GTIN, (10) lot, (11)
//! production date, (17) expiry date and (21) serial number.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// ASCII group separator, which scanners emit in place of FNC1.
const GS: char = '\u{1d}';
const GTIN_LEN: usize = 14;
const DATE_LEN: usize = 6;
const MAX_TEXT_LEN: usize = 20;
const SYMBOLOGY_IDS: [&str; 5] = ["]C1", "]d2", "]Q3", "]e0", "]J1"];
const SUPPORTED_AI: &str = "a supported AI (01, 10, 11, 17 or 21)";

/// A parsed UDI. Serialises dates as `YYYY-MM-DD`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Udi {
    /// AI (01): the 14-digit GTIN, check digit verified.
    pub gtin: String,
    /// AI (21).
    pub serial: Option<String>,
    /// AI (10).
    pub lot: Option<String>,
    /// AI (11).
    pub manufactured: Option<Date>,
    /// AI (17).
    pub expiry: Option<Date>,
}

/// Why an input is not a valid UDI, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("position {position}: expected {expected}, found {found}")]
pub struct UdiError {
    /// 1-based character (not byte) position in the input.
    pub position: usize,
    pub expected: String,
    pub found: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ai {
    Gtin,
    Lot,
    Manufactured,
    Expiry,
    Serial,
}

impl Ai {
    fn from_code(code: &str) -> Option<Ai> {
        Some(match code {
            "01" => Ai::Gtin,
            "10" => Ai::Lot,
            "11" => Ai::Manufactured,
            "17" => Ai::Expiry,
            "21" => Ai::Serial,
            _ => return None,
        })
    }

    fn code(self) -> &'static str {
        match self {
            Ai::Gtin => "01",
            Ai::Lot => "10",
            Ai::Manufactured => "11",
            Ai::Expiry => "17",
            Ai::Serial => "21",
        }
    }

    fn name(self) -> &'static str {
        match self {
            Ai::Gtin => "GTIN",
            Ai::Lot => "lot",
            Ai::Manufactured => "production date",
            Ai::Expiry => "expiry date",
            Ai::Serial => "serial number",
        }
    }

    fn label(self) -> String {
        format!("{} (AI {})", self.name(), self.code())
    }

    /// `None` for variable-length AIs, which need a terminator in element strings.
    fn fixed_len(self) -> Option<usize> {
        match self {
            Ai::Gtin => Some(GTIN_LEN),
            Ai::Manufactured | Ai::Expiry => Some(DATE_LEN),
            Ai::Lot | Ai::Serial => None,
        }
    }
}

/// Whether `digits` is a GTIN-8, -12, -13 or -14 with a correct mod-10 check digit.
pub fn gtin_check_digit_is_valid(digits: &str) -> bool {
    let bytes = digits.as_bytes();
    if !matches!(bytes.len(), 8 | 12 | 13 | 14) || !bytes.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let values: Vec<u8> = bytes.iter().map(|b| b - b'0').collect();
    let Some((&check, body)) = values.split_last() else {
        return false;
    };
    check_digit(body) == check
}

/// GS1 mod-10 over digit values: weights 3,1,3,… counted from the digit
/// nearest the check digit, which makes it independent of the GTIN length.
fn check_digit(body: &[u8]) -> u8 {
    let sum: u32 = body
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| u32::from(d) * if i % 2 == 0 { 3 } else { 1 })
        .sum();
    // Lossless: the value is below 10.
    ((10 - sum % 10) % 10) as u8
}

/// Parses a UDI in bracketed human-readable or element-string form.
///
/// `reference_year` is the current calendar year; it resolves two-digit years
/// by the GS1 General Specifications century rule (§7.12).
pub fn parse(input: &str, reference_year: i16) -> Result<Udi, UdiError> {
    let mut chars: Vec<char> = input.chars().collect();
    // Scanners in keyboard mode commonly append CR/LF; whitespace is never
    // valid data, so trimming it cannot change a valid UDI.
    while chars.last().is_some_and(|c| c.is_whitespace()) {
        chars.pop();
    }
    let mut parser = Parser {
        chars,
        at: 0,
        reference_year,
        seen: Vec::new(),
        udi: Udi {
            gtin: String::new(),
            serial: None,
            lot: None,
            manufactured: None,
            expiry: None,
        },
    };
    parser.skip_whitespace();
    if parser.peek().is_none() {
        return Err(parser.error(parser.at, "a GS1 UDI"));
    }
    if parser.peek() == Some('(') {
        parser.bracketed()?;
    } else {
        parser.element_string()?;
    }
    if !parser.seen.contains(&Ai::Gtin) {
        return Err(parser.error(parser.at, "AI (01) GTIN"));
    }
    Ok(parser.udi)
}

impl Udi {
    /// The bracketed human-readable form, fixed-length AIs first.
    ///
    /// A `(` inside a lot or serial is written `\(`, as in the GS1 Barcode
    /// Syntax Engine, because otherwise it would read as the start of an AI.
    pub fn to_hri(&self) -> String {
        self.elements()
            .into_iter()
            .map(|(ai, value)| format!("({}){}", ai.code(), value.replace('(', "\\(")))
            .collect()
    }

    /// The element string as encoded in a barcode (without symbology
    /// identifier or leading FNC1), with GS after a variable-length field
    /// only where another field follows.
    pub fn to_element_string(&self) -> String {
        let elements = self.elements();
        let mut out = String::new();
        for (i, (ai, value)) in elements.iter().enumerate() {
            out.push_str(ai.code());
            out.push_str(value);
            if ai.fixed_len().is_none() && i + 1 < elements.len() {
                out.push(GS);
            }
        }
        out
    }

    /// Variable-length fields go last so that at most one GS is needed.
    fn elements(&self) -> Vec<(Ai, String)> {
        let mut elements = vec![(Ai::Gtin, self.gtin.clone())];
        elements.extend(self.manufactured.map(|d| (Ai::Manufactured, yymmdd(d))));
        elements.extend(self.expiry.map(|d| (Ai::Expiry, yymmdd(d))));
        elements.extend(self.lot.clone().map(|v| (Ai::Lot, v)));
        elements.extend(self.serial.clone().map(|v| (Ai::Serial, v)));
        elements
    }
}

fn yymmdd(date: Date) -> String {
    format!(
        "{:02}{:02}{:02}",
        date.year().rem_euclid(100),
        date.month(),
        date.day()
    )
}

/// GS1 character set 82: the only characters allowed in lot and serial.
fn is_cs82(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!\"%&'()*+,-./:;<=>?_".contains(c)
}

/// GS1 General Specifications §7.12: a sliding 100-year window, 49 years back
/// and 50 years forward from the reference year.
fn resolve_century(yy: i32, reference_year: i16) -> i32 {
    let reference = i32::from(reference_year);
    let century = reference.div_euclid(100) * 100;
    match yy - reference.rem_euclid(100) {
        51.. => century - 100 + yy,
        ..=-50 => century + 100 + yy,
        _ => century + yy,
    }
}

/// A field's characters with their indices in the input, which differ from
/// contiguous positions when an escape was removed.
struct Field {
    chars: Vec<(usize, char)>,
    /// Index of the character that ended the field.
    end: usize,
}

struct Parser {
    chars: Vec<char>,
    at: usize,
    reference_year: i16,
    seen: Vec<Ai>,
    udi: Udi,
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    fn skip_whitespace(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.at += 1;
        }
    }

    fn describe(&self, index: usize) -> String {
        self.chars
            .get(index)
            .map_or_else(|| "end of input".to_owned(), |c| format!("{c:?}"))
    }

    fn error(&self, index: usize, expected: impl Into<String>) -> UdiError {
        self.error_found(index, expected, self.describe(index))
    }

    fn error_found(
        &self,
        index: usize,
        expected: impl Into<String>,
        found: impl Into<String>,
    ) -> UdiError {
        UdiError {
            position: index + 1,
            expected: expected.into(),
            found: found.into(),
        }
    }

    fn bracketed(&mut self) -> Result<(), UdiError> {
        loop {
            self.skip_whitespace();
            let start = self.at;
            match self.peek() {
                None => return Ok(()),
                Some('(') => self.at += 1,
                Some(_) => return Err(self.error(start, "'(' starting an AI")),
            }
            let code_start = self.at;
            while self.peek().is_some_and(|c| c.is_ascii_digit()) {
                self.at += 1;
            }
            let code: String = self.chars[code_start..self.at].iter().collect();
            let ai = match Ai::from_code(&code) {
                Some(ai) => ai,
                None if code.is_empty() => return Err(self.error(code_start, SUPPORTED_AI)),
                None => {
                    return Err(self.error_found(code_start, SUPPORTED_AI, format!("{code:?}")));
                }
            };
            if self.peek() != Some(')') {
                return Err(self.error(self.at, "')' closing the AI"));
            }
            self.at += 1;
            let field = self.bracketed_field();
            self.store(ai, start, &field)?;
        }
    }

    /// Data runs to the next unescaped `(`, whitespace or the end.
    fn bracketed_field(&mut self) -> Field {
        let mut chars = Vec::new();
        while let Some(c) = self.peek() {
            if c == '(' || c.is_whitespace() {
                break;
            }
            if c == '\\' && self.chars.get(self.at + 1) == Some(&'(') {
                self.at += 1;
            }
            chars.push((self.at, self.chars[self.at]));
            self.at += 1;
        }
        Field {
            chars,
            end: self.at,
        }
    }

    fn element_string(&mut self) -> Result<(), UdiError> {
        if self.peek() == Some(']') {
            let prefix: String = self.chars[self.at..].iter().take(3).collect();
            if !SYMBOLOGY_IDS.contains(&prefix.as_str()) {
                return Err(self.error_found(
                    self.at,
                    "a GS1 symbology identifier (]C1, ]d2, ]Q3, ]e0 or ]J1)",
                    format!("{prefix:?}"),
                ));
            }
            self.at += 3;
        }
        if self.peek() == Some(GS) {
            self.at += 1;
        }
        while self.peek().is_some() {
            let start = self.at;
            let code: String = self.chars[start..].iter().take(2).collect();
            let ai = Ai::from_code(&code)
                .ok_or_else(|| self.error_found(start, SUPPORTED_AI, format!("{code:?}")))?;
            self.at += 2;
            let field_start = self.at;
            self.at = match ai.fixed_len() {
                Some(len) => (field_start + len).min(self.chars.len()),
                None => self.chars[field_start..]
                    .iter()
                    .position(|&c| c == GS)
                    .map_or(self.chars.len(), |i| field_start + i),
            };
            let field = Field {
                chars: (field_start..self.at).map(|i| (i, self.chars[i])).collect(),
                end: self.at,
            };
            self.store(ai, start, &field)?;
            // GS terminates a variable-length field; after a fixed-length one
            // it is redundant but some encoders emit it anyway.
            if self.peek() == Some(GS) {
                self.at += 1;
            }
        }
        Ok(())
    }

    fn store(&mut self, ai: Ai, start: usize, field: &Field) -> Result<(), UdiError> {
        if self.seen.contains(&ai) {
            return Err(self.error_found(
                start,
                format!("AI ({}) at most once", ai.code()),
                format!("a second ({})", ai.code()),
            ));
        }
        self.seen.push(ai);
        match ai {
            Ai::Gtin => self.udi.gtin = self.gtin(field)?,
            Ai::Lot => self.udi.lot = Some(self.text(ai, field)?),
            Ai::Serial => self.udi.serial = Some(self.text(ai, field)?),
            Ai::Manufactured => self.udi.manufactured = Some(self.date(ai, field)?),
            Ai::Expiry => self.udi.expiry = Some(self.date(ai, field)?),
        }
        Ok(())
    }

    fn digits(&self, ai: Ai, len: usize, field: &Field) -> Result<Vec<u8>, UdiError> {
        let expected = format!("{len} digits for {}", ai.label());
        for (i, &(index, c)) in field.chars.iter().enumerate() {
            if i == len {
                return Err(self.error_found(
                    index,
                    format!("end of {expected}"),
                    format!("{c:?}"),
                ));
            }
            if !c.is_ascii_digit() {
                return Err(self.error_found(index, expected, format!("{c:?}")));
            }
        }
        if field.chars.len() < len {
            return Err(self.error(field.end, expected));
        }
        // Lossless: every character is an ASCII digit.
        Ok(field.chars.iter().map(|&(_, c)| c as u8 - b'0').collect())
    }

    fn gtin(&self, field: &Field) -> Result<String, UdiError> {
        let digits = self.digits(Ai::Gtin, GTIN_LEN, field)?;
        let expected = check_digit(&digits[..GTIN_LEN - 1]);
        if digits[GTIN_LEN - 1] != expected {
            let (index, c) = field.chars[GTIN_LEN - 1];
            return Err(self.error_found(
                index,
                format!("GTIN check digit {expected}"),
                format!("{c:?}"),
            ));
        }
        Ok(field.chars.iter().map(|&(_, c)| c).collect())
    }

    fn date(&self, ai: Ai, field: &Field) -> Result<Date, UdiError> {
        let digits = self.digits(ai, DATE_LEN, field)?;
        let pair = |i: usize| digits[i] * 10 + digits[i + 1];
        let found = |i: usize| format!("\"{}{}\"", digits[i], digits[i + 1]);
        let index = |i: usize| field.chars[i].0;
        let (yy, month, day) = (pair(0), pair(2), pair(4));
        let what = ai.label();
        if !(1..=12).contains(&month) {
            return Err(self.error_found(index(2), format!("month 01-12 in {what}"), found(2)));
        }
        let year = resolve_century(i32::from(yy), self.reference_year);
        // Only an extreme reference year can push the result out of jiff's range.
        let first = i16::try_from(year)
            .ok()
            .and_then(|y| Date::new(y, month as i8, 1).ok())
            .ok_or_else(|| {
                self.error_found(
                    index(0),
                    format!("a year from -9999 to 9999 in {what}"),
                    year.to_string(),
                )
            })?;
        let last = first.days_in_month();
        // GS1: day "00" stands for the last day of the month.
        let day = if day == 0 { last } else { day as i8 };
        Date::new(first.year(), first.month(), day).map_err(|_| {
            self.error_found(
                index(4),
                format!("day 00-{last} of {}-{month:02} in {what}", first.year()),
                found(4),
            )
        })
    }

    fn text(&self, ai: Ai, field: &Field) -> Result<String, UdiError> {
        let what = ai.label();
        if field.chars.is_empty() {
            return Err(self.error(
                field.end,
                format!("1 to {MAX_TEXT_LEN} characters of {what}"),
            ));
        }
        for (i, &(index, c)) in field.chars.iter().enumerate() {
            if i == MAX_TEXT_LEN {
                return Err(self.error_found(
                    index,
                    format!("end of {what} after at most {MAX_TEXT_LEN} characters"),
                    format!("{c:?}"),
                ));
            }
            if !is_cs82(c) {
                return Err(self.error_found(
                    index,
                    format!("a GS1 character set 82 character in {what}"),
                    format!("{c:?}"),
                ));
            }
        }
        Ok(field.chars.iter().map(|&(_, c)| c).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const YEAR: i16 = 2025;

    fn date(y: i16, m: i8, d: i8) -> Date {
        Date::new(y, m, d).unwrap()
    }

    fn udi(gtin: &str) -> Udi {
        Udi {
            gtin: gtin.to_owned(),
            serial: None,
            lot: None,
            manufactured: None,
            expiry: None,
        }
    }

    /// Position and full message, so both are asserted together.
    fn failure(input: &str) -> (usize, String) {
        let error = parse(input, YEAR).unwrap_err();
        (error.position, error.to_string())
    }

    #[test]
    fn check_digits_of_published_gtins() {
        // 0950600013435|2, weights 3,1,… from the right of the body:
        // 5·3+3+4·3+3+1·3+0+0+0+6·3+0+5·3+9+0·3 = 78, 10 - 8 = 2.
        assert!(gtin_check_digit_is_valid("09506000134352"));
        // 0401234512345|6: 5·3+4+3·3+2+1·3+5+4·3+3+2·3+1+0+4+0 = 64, 10 - 4 = 6.
        assert!(gtin_check_digit_is_valid("04012345123456"));
        // GS1 General Specifications example used with (11) below.
        assert!(gtin_check_digit_is_valid("09506000117843"));
        assert!(gtin_check_digit_is_valid("4006381333931")); // GTIN-13
        assert!(gtin_check_digit_is_valid("036000291452")); // GTIN-12
        assert!(gtin_check_digit_is_valid("96385074")); // GTIN-8
        // A sum that is already a multiple of ten gives check digit 0.
        assert!(gtin_check_digit_is_valid("00000000000000"));
        // Leading zeros carry no weight, so a GTIN-13 padded to 14 keeps its digit.
        assert!(gtin_check_digit_is_valid("9506000134352"));
    }

    #[test]
    fn check_digit_rejects_wrong_digit_length_and_characters() {
        assert!(!gtin_check_digit_is_valid("09506000134353"));
        assert!(!gtin_check_digit_is_valid("04012345123450"));
        assert!(!gtin_check_digit_is_valid("506000134352")); // 12 digits: check fails
        assert!(!gtin_check_digit_is_valid("006000134352a"));
        assert!(!gtin_check_digit_is_valid("000000000"));
        assert!(!gtin_check_digit_is_valid("0000000000"));
        assert!(!gtin_check_digit_is_valid("000000000000000"));
        assert!(!gtin_check_digit_is_valid(""));
        assert!(!gtin_check_digit_is_valid("０００００００"));
    }

    #[test]
    fn century_window_per_gs1_7_12() {
        for (reference, yy, year) in [
            (2025, 0, 2000),
            (2025, 24, 2024),
            (2025, 75, 2075), // difference 50: still this century
            (2025, 76, 1976), // difference 51: previous century
            (2060, 9, 2109),  // difference -51: next century
            (2060, 10, 2110), // difference -50: next century
            (2060, 11, 2011), // difference -49: this century
            (2000, 51, 1951),
            (2000, 50, 2050),
            (2099, 49, 2149),
            (2099, 50, 2050),
            (-5, 95, -5),
            (-5, 44, 44),
        ] {
            assert_eq!(resolve_century(yy, reference), year, "{reference} {yy}");
        }
    }

    #[test]
    fn parses_published_bracketed_example() {
        let parsed = parse("(01)09506000134352(17)201225(10)ABC123(21)123456789", YEAR);
        let expected = Udi {
            serial: Some("123456789".into()),
            lot: Some("ABC123".into()),
            expiry: Some(date(2020, 12, 25)),
            ..udi("09506000134352")
        };
        assert_eq!(parsed, Ok(expected));
    }

    #[test]
    fn parses_production_date() {
        let parsed = parse("(01)09506000117843(11)141231(10)1234AB", YEAR);
        let expected = Udi {
            lot: Some("1234AB".into()),
            manufactured: Some(date(2014, 12, 31)),
            ..udi("09506000117843")
        };
        assert_eq!(parsed, Ok(expected));
    }

    #[test]
    fn bracketed_accepts_any_order_and_whitespace_between_elements() {
        let parsed = parse(
            " \t(21)XYZ-9 (10)ABC123\t(17)201225  (01)09506000134352\r\n",
            YEAR,
        );
        let expected = Udi {
            serial: Some("XYZ-9".into()),
            lot: Some("ABC123".into()),
            expiry: Some(date(2020, 12, 25)),
            ..udi("09506000134352")
        };
        assert_eq!(parsed, Ok(expected));
    }

    #[test]
    fn bracketed_reads_escaped_parenthesis_as_data() {
        let parsed = parse(r"(01)09506000134352(10)A\(B)(21)\(", YEAR).unwrap();
        assert_eq!(parsed.lot.as_deref(), Some("A(B)"));
        assert_eq!(parsed.serial.as_deref(), Some("("));
    }

    #[test]
    fn day_00_is_last_day_of_month() {
        let parsed = parse("(01)09506000134352(17)240200(11)230200", YEAR).unwrap();
        assert_eq!(parsed.expiry, Some(date(2024, 2, 29)));
        assert_eq!(parsed.manufactured, Some(date(2023, 2, 28)));
    }

    #[test]
    fn two_digit_year_follows_reference_year() {
        let input = "(01)09506000134352(17)760101";
        assert_eq!(parse(input, 2025).unwrap().expiry, Some(date(1976, 1, 1)));
        assert_eq!(parse(input, 2026).unwrap().expiry, Some(date(2076, 1, 1)));
    }

    #[test]
    fn parses_element_string_as_scanned() {
        let parsed = parse("01095060001343521720122510ABC123\u{1d}21XYZ", YEAR);
        let expected = Udi {
            serial: Some("XYZ".into()),
            lot: Some("ABC123".into()),
            expiry: Some(date(2020, 12, 25)),
            ..udi("09506000134352")
        };
        assert_eq!(parsed, Ok(expected));
    }

    #[test]
    fn element_string_skips_symbology_identifier_and_leading_gs() {
        let body = "0109506000134352112301001099";
        for prefix in ["", "\u{1d}", "]C1", "]d2", "]Q3", "]e0", "]J1", "]d2\u{1d}"] {
            let parsed = parse(&format!("{prefix}{body}"), YEAR).unwrap();
            assert_eq!(parsed.lot.as_deref(), Some("99"), "{prefix:?}");
            assert_eq!(parsed.manufactured, Some(date(2023, 1, 31)), "{prefix:?}");
        }
    }

    #[test]
    fn element_string_tolerates_redundant_gs_and_trailing_newline() {
        let parsed = parse(
            "0109506000134352\u{1d}17201225\u{1d}21XYZ\u{1d}10L\u{1d}\r\n",
            YEAR,
        )
        .unwrap();
        assert_eq!(parsed.serial.as_deref(), Some("XYZ"));
        assert_eq!(parsed.lot.as_deref(), Some("L"));
        assert_eq!(parsed.expiry, Some(date(2020, 12, 25)));
    }

    #[test]
    fn element_string_with_gtin_only() {
        assert_eq!(
            parse("]d20109506000134352", YEAR),
            Ok(udi("09506000134352"))
        );
    }

    #[test]
    fn empty_input() {
        let message = "position 1: expected a GS1 UDI, found end of input";
        assert_eq!(failure(""), (1, message.into()));
        assert_eq!(failure(" \r\n"), (1, message.into()));
    }

    #[test]
    fn unsupported_ai() {
        assert_eq!(
            failure("(01)09506000134352(240)X"),
            (
                20,
                "position 20: expected a supported AI (01, 10, 11, 17 or 21), found \"240\"".into()
            )
        );
        assert_eq!(
            failure("010950600013435224X"),
            (
                17,
                "position 17: expected a supported AI (01, 10, 11, 17 or 21), found \"24\"".into()
            )
        );
        assert_eq!(
            failure("(AB)"),
            (
                2,
                "position 2: expected a supported AI (01, 10, 11, 17 or 21), found 'A'".into()
            )
        );
    }

    #[test]
    fn bracketed_syntax_errors() {
        assert_eq!(
            failure("(01 09506000134352"),
            (
                4,
                "position 4: expected ')' closing the AI, found ' '".into()
            )
        );
        assert_eq!(
            failure("(10)AB C(01)09506000134352"),
            (
                8,
                "position 8: expected '(' starting an AI, found 'C'".into()
            )
        );
    }

    #[test]
    fn element_string_syntax_errors() {
        assert_eq!(
            failure("]E00109506000134352"),
            (
                1,
                "position 1: expected a GS1 symbology identifier (]C1, ]d2, ]Q3, ]e0 or ]J1), \
                 found \"]E0\""
                    .into()
            )
        );
        assert_eq!(
            failure("\u{1d}\u{1d}0109506000134352"),
            (
                2,
                "position 2: expected a supported AI (01, 10, 11, 17 or 21), \
                 found \"\\u{1d}0\""
                    .into()
            )
        );
        // Whitespace is not data and does not separate element-string fields.
        assert_eq!(
            failure("0109506000134352172012251 0ABC123\u{1d}21XYZ"),
            (
                25,
                "position 25: expected a supported AI (01, 10, 11, 17 or 21), found \"1 \"".into()
            )
        );
    }

    #[test]
    fn gtin_not_14_digits() {
        assert_eq!(
            failure("(01)0950600013435(10)A"),
            (
                18,
                "position 18: expected 14 digits for GTIN (AI 01), found '('".into()
            )
        );
        assert_eq!(
            failure("(01)095060001343521"),
            (
                19,
                "position 19: expected end of 14 digits for GTIN (AI 01), found '1'".into()
            )
        );
        assert_eq!(
            failure("(01)09506000134X52"),
            (
                16,
                "position 16: expected 14 digits for GTIN (AI 01), found 'X'".into()
            )
        );
        assert_eq!(
            failure("010950600013435"),
            (
                16,
                "position 16: expected 14 digits for GTIN (AI 01), found end of input".into()
            )
        );
    }

    #[test]
    fn gtin_check_digit_wrong() {
        assert_eq!(
            failure("(01)09506000134353"),
            (
                18,
                "position 18: expected GTIN check digit 2, found '3'".into()
            )
        );
        assert_eq!(
            failure("0104012345123450"),
            (
                16,
                "position 16: expected GTIN check digit 6, found '0'".into()
            )
        );
    }

    #[test]
    fn date_not_6_digits() {
        assert_eq!(
            failure("(01)09506000134352(17)2012"),
            (
                27,
                "position 27: expected 6 digits for expiry date (AI 17), found end of input".into()
            )
        );
        assert_eq!(
            failure("01095060001343521120-1-1"),
            (
                21,
                "position 21: expected 6 digits for production date (AI 11), found '-'".into()
            )
        );
    }

    #[test]
    fn date_invalid() {
        assert_eq!(
            failure("(01)09506000134352(17)201325"),
            (
                25,
                "position 25: expected month 01-12 in expiry date (AI 17), found \"13\"".into()
            )
        );
        assert_eq!(
            failure("(01)09506000134352(11)210230"),
            (
                27,
                "position 27: expected day 00-28 of 2021-02 in production date (AI 11), \
                 found \"30\""
                    .into()
            )
        );
        assert_eq!(
            failure("01095060001343521724043110X"),
            (
                23,
                "position 23: expected day 00-30 of 2024-04 in expiry date (AI 17), found \"31\""
                    .into()
            )
        );
    }

    #[test]
    fn date_beyond_representable_years() {
        let error = parse("(01)09506000134352(17)490101", 9999).unwrap_err();
        assert_eq!(error.position, 23);
        assert_eq!(
            error.to_string(),
            "position 23: expected a year from -9999 to 9999 in expiry date (AI 17), found 10049"
        );
    }

    #[test]
    fn lot_or_serial_empty() {
        assert_eq!(
            failure("(01)09506000134352(10)(21)X"),
            (
                23,
                "position 23: expected 1 to 20 characters of lot (AI 10), found '('".into()
            )
        );
        assert_eq!(
            failure("010950600013435221\u{1d}10X"),
            (
                19,
                "position 19: expected 1 to 20 characters of serial number (AI 21), \
                 found '\\u{1d}'"
                    .into()
            )
        );
        assert_eq!(
            failure("(01)09506000134352(21)"),
            (
                23,
                "position 23: expected 1 to 20 characters of serial number (AI 21), \
                 found end of input"
                    .into()
            )
        );
    }

    #[test]
    fn lot_or_serial_too_long() {
        let twenty = "ABCDEFGHIJ0123456789";
        assert!(parse(&format!("(10){twenty}(01)09506000134352"), YEAR).is_ok());
        assert_eq!(
            failure(&format!("(10){twenty}X(01)09506000134352")),
            (
                25,
                "position 25: expected end of lot (AI 10) after at most 20 characters, found 'X'"
                    .into()
            )
        );
        assert_eq!(
            failure(&format!("010950600013435221{twenty}!")),
            (
                39,
                "position 39: expected end of serial number (AI 21) after at most 20 \
                 characters, found '!'"
                    .into()
            )
        );
    }

    #[test]
    fn lot_or_serial_outside_character_set_82() {
        assert_eq!(
            failure("(01)09506000134352(21)AB#C"),
            (
                25,
                "position 25: expected a GS1 character set 82 character in serial number \
                 (AI 21), found '#'"
                    .into()
            )
        );
        assert_eq!(
            failure("010950600013435210AB C"),
            (
                21,
                "position 21: expected a GS1 character set 82 character in lot (AI 10), \
                 found ' '"
                    .into()
            )
        );
        // A backslash escapes only '('.
        assert_eq!(failure(r"(01)09506000134352(10)A\B").0, 24);
    }

    #[test]
    fn positions_count_characters_not_bytes() {
        assert_eq!(
            failure("(10)ÄÖ(01)09506000134352"),
            (
                5,
                "position 5: expected a GS1 character set 82 character in lot (AI 10), \
                 found 'Ä'"
                    .into()
            )
        );
        assert_eq!(
            failure("€€"),
            (
                1,
                "position 1: expected a supported AI (01, 10, 11, 17 or 21), found \"€€\"".into()
            )
        );
        assert_eq!(failure("(21)日本(01)09506000134352").0, 5);
        assert_eq!(failure("(10)ééé\u{1d}").0, 5);
    }

    #[test]
    fn duplicated_ai() {
        assert_eq!(
            failure("(01)09506000134352(10)A(10)A"),
            (
                24,
                "position 24: expected AI (10) at most once, found a second (10)".into()
            )
        );
        assert_eq!(
            failure("01095060001343520109506000134352"),
            (
                17,
                "position 17: expected AI (01) at most once, found a second (01)".into()
            )
        );
    }

    #[test]
    fn missing_gtin() {
        assert_eq!(
            failure("(10)ABC(17)201225"),
            (
                18,
                "position 18: expected AI (01) GTIN, found end of input".into()
            )
        );
        assert_eq!(
            failure("]d210ABC\r\n"),
            (
                9,
                "position 9: expected AI (01) GTIN, found end of input".into()
            )
        );
    }

    #[test]
    fn formats_hri_and_element_string() {
        let full = Udi {
            serial: Some("S(1)".into()),
            lot: Some("L1".into()),
            manufactured: Some(date(2019, 7, 1)),
            expiry: Some(date(2031, 12, 31)),
            ..udi("09506000134352")
        };
        assert_eq!(
            full.to_hri(),
            r"(01)09506000134352(11)190701(17)311231(10)L1(21)S\(1)"
        );
        assert_eq!(
            full.to_element_string(),
            "01095060001343521119070117311231".to_owned() + "10L1\u{1d}21S(1)"
        );
        let lot_only = Udi {
            lot: Some("L1".into()),
            ..udi("09506000134352")
        };
        assert_eq!(lot_only.to_hri(), "(01)09506000134352(10)L1");
        assert_eq!(lot_only.to_element_string(), "010950600013435210L1");
    }

    #[test]
    fn serialises_dates_as_iso() {
        let udi = parse("(01)09506000134352(17)201225(21)X", YEAR).unwrap();
        let json = serde_json::to_string(&udi).unwrap();
        assert_eq!(
            json,
            r#"{"gtin":"09506000134352","serial":"X","lot":null,"manufactured":null,"expiry":"2020-12-25"}"#
        );
        assert_eq!(serde_json::from_str::<Udi>(&json).unwrap(), udi);
    }
}
