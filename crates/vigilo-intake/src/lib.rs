//! Reads the raw material of complaint intake — e-mail and the legacy
//! help-desk's CSV export — into plain values, without touching a database.
//!
//! The crate only parses and reads files so that the importer (which owns the
//! database and the GS1 parser) can decide what to keep, and so that every
//! failure can be shown to the operator with the file and the position in it.
//!
//! # E-mail
//!
//! [`read_mail`] detects the kind of source from the path ([`detect_mail_source`])
//! and [`read_mail_as`] takes it explicitly. Both return
//! `Result<Vec<Result<MailMessage, IntakeError>>, IntakeError>`:
//!
//! * the outer error means the source as a whole could not be read (missing
//!   path, unreadable directory, empty file, mbox without any message, directory
//!   without any `.eml` file);
//! * each inner entry is one message, in source order; a message that cannot be
//!   read or parsed is an `Err` entry naming its place, so nothing is dropped
//!   silently and the caller can report it next to the good ones.
//!
//! A message without a `Message-ID` gets `sha256:<hex of the raw bytes>`, so
//! importing the same mailbox twice yields the same ids.
//!
//! # Device identifiers
//!
//! [`device_identifiers`] finds GS1 UDI strings and labelled serial numbers in
//! free text, most confident first. It checks shape only: the caller validates
//! UDIs with its own GS1 parser.
//!
//! # Legacy help-desk CSV
//!
//! [`read_ticket_csv`] returns every good row and every bad row's problems
//! together ([`TicketCsv`]), so the caller can refuse the whole file and still
//! list every problem in one pass. Problems with the file itself (unreadable,
//! no header, missing or unknown columns) are an [`IntakeError`] instead.

mod error;
mod identifiers;
mod mail;
mod tickets;

pub use error::IntakeError;
pub use identifiers::{Identifier, device_identifiers};
pub use mail::{
    Attachment, MailMessage, MailSource, detect_mail_source, parse_message, read_mail, read_mail_as,
};
pub use tickets::{CsvRowError, CsvTicket, TicketCsv, read_ticket_csv};
/// The `channel` of a [`CsvTicket`]: the service's own type, re-exported for callers.
pub use vigilo_service::Channel;
