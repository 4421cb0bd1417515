use std::fmt;
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use jiff::civil::DateTime;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};

use vigilo_service::Channel;

use crate::IntakeError;

/// One good row of the legacy export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CsvTicket {
    /// 1-based line where the row starts, for provenance.
    pub line: u64,
    pub received_at: Timestamp,
    pub channel: Channel,
    /// At least one of `serial` and `udi` is present.
    pub serial: Option<String>,
    /// Raw UDI text; the caller parses it with its GS1 parser.
    pub udi: Option<String>,
    pub reporter: Option<String>,
    pub summary: String,
    /// The legacy system's ticket number, the key for idempotent re-import.
    pub external_id: Option<String>,
}

/// One problem in one row; a row with several bad fields has several.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CsvRowError {
    pub path: PathBuf,
    /// 1-based line where the row starts (quoted fields may span lines).
    pub line: u64,
    /// The column at fault, or `None` when the row's shape is wrong.
    pub column: Option<String>,
    pub expected: String,
    pub found: String,
}

impl fmt::Display for CsvRowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} line {}", self.path.display(), self.line)?;
        if let Some(column) = &self.column {
            write!(f, ", column {column}")?;
        }
        write!(f, ": expected {}, found {}", self.expected, self.found)
    }
}

impl std::error::Error for CsvRowError {}

/// The result of reading a ticket export: the caller refuses the file when
/// `errors` is not empty, but gets every problem at once to print.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketCsv {
    pub tickets: Vec<CsvTicket>,
    pub errors: Vec<CsvRowError>,
}

const REQUIRED: [&str; 3] = ["received_at", "channel", "summary"];
const KNOWN: [&str; 7] = [
    "received_at",
    "channel",
    "serial",
    "udi",
    "reporter",
    "summary",
    "external_id",
];

/// Reads the legacy help-desk export.
///
/// The header row is required; names are matched case-insensitively in any
/// order, and unknown columns are refused so that a renamed column cannot be
/// dropped unnoticed. `received_at` is an RFC 3339 instant or
/// `YYYY-MM-DD HH:MM`, which is taken as UTC because the legacy system stored
/// UTC without saying so. Blank optional fields count as absent.
///
/// File-level problems (unreadable, no header, missing, duplicate or unknown
/// columns) are an [`IntakeError`]; row problems are collected in
/// [`TicketCsv::errors`] and the bad row contributes no ticket.
pub fn read_ticket_csv(path: &Path) -> Result<TicketCsv, IntakeError> {
    let place = path.display().to_string();
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(path)
        .map_err(|e| csv_error(&place, e))?;
    let header = reader
        .byte_headers()
        .map_err(|e| csv_error(&place, e))?
        .clone();
    let columns = Columns::from_header(&place, &header)?;

    let mut out = TicketCsv {
        tickets: Vec::new(),
        errors: Vec::new(),
    };
    for record in reader.byte_records() {
        let record = record.map_err(|e| csv_error(&place, e))?;
        let line = record.position().map_or(0, csv::Position::line);
        let mut row = Row {
            path,
            line,
            errors: Vec::new(),
        };
        if record.len() != header.len() {
            row.problem::<()>(
                None,
                format!("{} fields as in the header", header.len()),
                format!("{} fields", record.len()),
            );
            out.errors.append(&mut row.errors);
            continue;
        }
        let ticket = columns.ticket(&mut row, &record);
        match ticket {
            Some(ticket) if row.errors.is_empty() => out.tickets.push(ticket),
            _ => out.errors.append(&mut row.errors),
        }
    }
    Ok(out)
}

fn csv_error(place: &str, error: csv::Error) -> IntakeError {
    let place = match error.position() {
        Some(pos) => format!("{place} line {}", pos.line()),
        None => place.to_owned(),
    };
    match error.into_kind() {
        csv::ErrorKind::Io(e) => IntakeError::read(place, e),
        other => IntakeError::invalid(place, "well-formed CSV", format!("{other:?}")),
    }
}

/// Position of each known column in the header.
struct Columns {
    index: [Option<usize>; KNOWN.len()],
}

impl Columns {
    fn from_header(place: &str, header: &csv::ByteRecord) -> Result<Self, IntakeError> {
        let line = format!("{place} line 1");
        if header.is_empty() {
            return Err(IntakeError::invalid(
                line,
                format!("a header row naming the columns {}", KNOWN.join(", ")),
                "an empty file",
            ));
        }
        let mut index = [None; KNOWN.len()];
        let mut unknown = Vec::new();
        for (at, name) in header.iter().enumerate() {
            let name = String::from_utf8_lossy(name);
            let name = name
                .trim()
                .trim_start_matches('\u{feff}')
                .to_ascii_lowercase();
            match KNOWN.iter().position(|known| *known == name) {
                Some(k) if index[k].is_some() => {
                    return Err(IntakeError::invalid(
                        line,
                        "each column once",
                        format!("column {name} twice"),
                    ));
                }
                Some(k) => index[k] = Some(at),
                None => unknown.push(format!("{name:?}")),
            }
        }
        if !unknown.is_empty() {
            return Err(IntakeError::invalid(
                line,
                format!("only the columns {}", KNOWN.join(", ")),
                format!("unknown column(s) {}", unknown.join(", ")),
            ));
        }
        let columns = Columns { index };
        let mut missing: Vec<&str> = REQUIRED
            .into_iter()
            .filter(|name| columns.at(name).is_none())
            .collect();
        if columns.at("serial").is_none() && columns.at("udi").is_none() {
            missing.push("serial or udi");
        }
        if !missing.is_empty() {
            return Err(IntakeError::invalid(
                line,
                format!("the required column(s) {}", missing.join(", ")),
                "them missing",
            ));
        }
        Ok(columns)
    }

    fn at(&self, name: &str) -> Option<usize> {
        KNOWN
            .iter()
            .position(|known| *known == name)
            .and_then(|k| self.index[k])
    }

    fn ticket(&self, row: &mut Row<'_>, record: &csv::ByteRecord) -> Option<CsvTicket> {
        let mut field = |name: &str| -> Option<String> {
            let raw = record.get(self.at(name)?)?;
            match std::str::from_utf8(raw) {
                Ok(text) => Some(text.trim().to_owned()).filter(|t| !t.is_empty()),
                Err(_) => {
                    row.problem::<()>(Some(name), "UTF-8 text", String::from_utf8_lossy(raw));
                    None
                }
            }
        };
        let received_at = field("received_at");
        let channel = field("channel");
        let serial = field("serial");
        let udi = field("udi");
        let reporter = field("reporter");
        let summary = field("summary");
        let external_id = field("external_id");

        let received_at = match received_at {
            None => row.missing("received_at", RECEIVED_AT),
            Some(text) => parse_instant(&text)
                .or_else(|| row.problem(Some("received_at"), RECEIVED_AT, format!("{text:?}"))),
        };
        let channel = match channel {
            None => row.missing("channel", &channels()),
            // The legacy system wrote the words in any case; the service's words are lower case.
            Some(text) => Channel::parse_contact("channel", &text.to_ascii_lowercase())
                .ok()
                .or_else(|| row.problem(Some("channel"), channels(), format!("{text:?}"))),
        };
        let summary = summary.or_else(|| row.missing("summary", "a non-empty summary"));
        if serial.is_none() && udi.is_none() {
            let column = if self.at("serial").is_some() {
                "serial"
            } else {
                "udi"
            };
            row.missing::<()>(column, "a serial number or a UDI (at least one)");
        }
        Some(CsvTicket {
            line: row.line,
            received_at: received_at?,
            channel: channel?,
            serial,
            udi,
            reporter,
            summary: summary?,
            external_id,
        })
    }
}

const RECEIVED_AT: &str = "an RFC 3339 instant or YYYY-MM-DD HH:MM (UTC)";
/// What the `channel` column accepts, from the service's own list of words.
fn channels() -> String {
    format!("one of {}", Channel::contact_words().join(", "))
}

fn parse_instant(text: &str) -> Option<Timestamp> {
    text.parse::<Timestamp>().ok().or_else(|| {
        DateTime::strptime("%Y-%m-%d %H:%M", text)
            .ok()?
            .to_zoned(TimeZone::UTC)
            .ok()
            .map(|zoned| zoned.timestamp())
    })
}

/// Collects the problems of one row.
struct Row<'a> {
    path: &'a Path,
    line: u64,
    errors: Vec<CsvRowError>,
}

impl Row<'_> {
    /// Records a problem; returns `None` so it can end an `or_else` chain.
    fn problem<T>(
        &mut self,
        column: Option<&str>,
        expected: impl Into<String>,
        found: impl Into<String>,
    ) -> Option<T> {
        self.errors.push(CsvRowError {
            path: self.path.to_path_buf(),
            line: self.line,
            column: column.map(str::to_owned),
            expected: expected.into(),
            found: found.into(),
        });
        None
    }

    /// Like [`Row::problem`] for an absent value, unless the field was already
    /// reported as unreadable (one problem per field is enough).
    fn missing<T>(&mut self, column: &str, expected: &str) -> Option<T> {
        if self
            .errors
            .iter()
            .any(|e| e.column.as_deref() == Some(column))
        {
            return None;
        }
        self.problem(Some(column), expected, "an empty field")
    }
}
