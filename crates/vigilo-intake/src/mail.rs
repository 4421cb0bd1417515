use std::fs;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use mail_parser::mailbox::{maildir, mbox};
use mail_parser::{Address, HeaderName, MessageParser, MimeHeaders};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::IntakeError;

/// One e-mail as the importer needs it: decoded, with its provenance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailMessage {
    /// Where the message came from, e.g. `inbox.mbox message 3 (line 120)`;
    /// stored as provenance and used in every error message about it.
    pub place: String,
    /// `Message-ID` without angle brackets, or `sha256:<hex>` of the raw
    /// message when it has none, so re-importing stays idempotent.
    pub message_id: String,
    /// Sender(s) as `Name <addr>` or `addr`, encoded words decoded.
    pub from: Option<String>,
    /// Subject with encoded words decoded.
    pub subject: Option<String>,
    /// The `Date` header in UTC; `None` when absent or not a valid date.
    pub date: Option<Timestamp>,
    /// All text bodies joined by a blank line (HTML-only bodies converted to
    /// text), transfer encoding and charset decoded.
    pub body_text: String,
    /// Attachments in message order.
    pub attachments: Vec<Attachment>,
}

/// An attachment as the message carries it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    /// File name from `Content-Disposition` or `Content-Type`, decoded.
    pub name: Option<String>,
    /// `type/subtype` in lower case; `application/octet-stream` when absent,
    /// as RFC 2046 prescribes for untyped binary parts.
    pub content_type: String,
    /// The content after transfer decoding.
    pub content: Vec<u8>,
}

/// The kinds of mail source the importer accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailSource {
    /// One RFC 5322 message in a file.
    Eml,
    /// Messages concatenated behind `From ` lines (mboxrd quoting understood).
    Mbox,
    /// A Maildir: messages in `cur/` and `new/`.
    Maildir,
    /// A directory of `*.eml` files, read in file-name order.
    EmlDir,
}

/// Guesses the source kind the way an operator would describe it.
///
/// A directory with `cur/` and `new/` is a Maildir (`tmp/` is not required
/// because version control and archives drop empty directories); any other
/// directory holds `.eml` files; a file starting with `From ` is an mbox;
/// any other file is one message.
pub fn detect_mail_source(path: &Path) -> Result<MailSource, IntakeError> {
    let meta = fs::metadata(path).map_err(|e| IntakeError::read(show(path), e))?;
    if meta.is_dir() {
        return Ok(if path.join("cur").is_dir() && path.join("new").is_dir() {
            MailSource::Maildir
        } else {
            MailSource::EmlDir
        });
    }
    let mut start = Vec::with_capacity(5);
    fs::File::open(path)
        .and_then(|file| file.take(5).read_to_end(&mut start))
        .map_err(|e| IntakeError::read(show(path), e))?;
    Ok(if start == b"From " {
        MailSource::Mbox
    } else {
        MailSource::Eml
    })
}

/// Reads every message at `path`, detecting the kind with [`detect_mail_source`].
///
/// See the crate documentation for the meaning of the two error levels.
pub fn read_mail(path: &Path) -> Result<Vec<Result<MailMessage, IntakeError>>, IntakeError> {
    read_mail_as(path, detect_mail_source(path)?)
}

/// Reads every message at `path` as the given kind of source.
///
/// An empty Maildir is an empty list (an inbox with no mail is normal), while
/// an empty file, an mbox without messages and a directory without `.eml`
/// files are errors, because those almost always mean a wrong path.
pub fn read_mail_as(
    path: &Path,
    kind: MailSource,
) -> Result<Vec<Result<MailMessage, IntakeError>>, IntakeError> {
    match kind {
        MailSource::Eml => {
            let raw = fs::read(path).map_err(|e| IntakeError::read(show(path), e))?;
            Ok(vec![parse_message(show(path), &raw)])
        }
        MailSource::Mbox => read_mbox(path),
        MailSource::Maildir => read_maildir(path),
        MailSource::EmlDir => read_eml_dir(path),
    }
}

fn read_mbox(path: &Path) -> Result<Vec<Result<MailMessage, IntakeError>>, IntakeError> {
    let raw = fs::read(path).map_err(|e| IntakeError::read(show(path), e))?;
    // The mbox reader does not report positions; its separator rule is "a line
    // starting with `From `", so the same rule finds each message's line.
    let from_lines: Vec<usize> = raw
        .split(|&b| b == b'\n')
        .enumerate()
        .filter(|(_, line)| line.starts_with(b"From "))
        .map(|(i, _)| i + 1)
        .collect();
    if from_lines.is_empty() {
        return Err(IntakeError::invalid(
            show(path),
            "an mbox file with at least one message introduced by a \"From \" line",
            if raw.is_empty() {
                "an empty file".to_owned()
            } else {
                "no \"From \" line".to_owned()
            },
        ));
    }
    if !raw.starts_with(b"From ") {
        return Err(IntakeError::invalid(
            format!("{} line 1", show(path)),
            "an mbox file starting with a \"From \" line",
            format!(
                "text before the first \"From \" line at line {}",
                from_lines[0]
            ),
        ));
    }
    let messages = mbox::MessageIterator::new(BufReader::new(raw.as_slice()));
    Ok(messages
        .enumerate()
        .map(|(i, message)| {
            let line = from_lines.get(i).copied().unwrap_or(0);
            let place = format!("{} message {} (line {line})", show(path), i + 1);
            match message {
                Ok(message) => parse_message(place, message.contents()),
                Err(e) => Err(IntakeError::read(place, e)),
            }
        })
        .collect())
}

fn read_maildir(path: &Path) -> Result<Vec<Result<MailMessage, IntakeError>>, IntakeError> {
    let messages =
        maildir::MessageIterator::new(path).map_err(|e| IntakeError::read(show(path), e))?;
    let mut read: Vec<(PathBuf, Vec<u8>)> = Vec::new();
    let mut failed = Vec::new();
    for message in messages {
        match message {
            Ok(message) => {
                let file = message.path().to_path_buf();
                read.push((file, message.unwrap_contents()));
            }
            // The Maildir reader does not say which entry failed.
            Err(e) => failed.push(Err(IntakeError::read(show(path), e))),
        }
    }
    // Directory order is arbitrary; file names start with the delivery time.
    read.sort();
    let mut out: Vec<_> = read
        .into_iter()
        .map(|(file, raw)| parse_message(show(&file), &raw))
        .collect();
    out.extend(failed);
    Ok(out)
}

fn read_eml_dir(path: &Path) -> Result<Vec<Result<MailMessage, IntakeError>>, IntakeError> {
    let entries = fs::read_dir(path).map_err(|e| IntakeError::read(show(path), e))?;
    let mut files = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| IntakeError::read(show(path), e))?;
        let file = entry.path();
        let is_eml = file
            .extension()
            .is_some_and(|ext| ext.eq_ignore_ascii_case("eml"));
        if is_eml && file.is_file() {
            files.push(file);
        }
    }
    if files.is_empty() {
        return Err(IntakeError::invalid(
            show(path),
            "a Maildir (cur/ and new/) or a directory of .eml files",
            "neither",
        ));
    }
    files.sort();
    Ok(files
        .into_iter()
        .map(|file| {
            fs::read(&file)
                .map_err(|e| IntakeError::read(show(&file), e))
                .and_then(|raw| parse_message(show(&file), &raw))
        })
        .collect())
}

/// Parses one raw RFC 5322 message; `place` names it in the result and in
/// errors. Public so that other transports (IMAP, uploads) share the rules.
pub fn parse_message(place: String, raw: &[u8]) -> Result<MailMessage, IntakeError> {
    const EXPECTED: &str = "an RFC 5322 message (header fields, a blank line, a body)";
    if raw.iter().all(u8::is_ascii_whitespace) {
        return Err(IntakeError::invalid(place, EXPECTED, "no content"));
    }
    let Some(message) = MessageParser::default().parse(raw) else {
        return Err(IntakeError::invalid(place, EXPECTED, "no header fields"));
    };
    // The parser turns almost any text into "headers"; a message has at least
    // one field that RFC 5322 or MIME defines.
    if message
        .headers()
        .iter()
        .all(|header| matches!(header.name, HeaderName::Other(_)))
    {
        return Err(IntakeError::invalid(
            place,
            format!("{EXPECTED} with at least one standard header field such as From or Subject"),
            "none",
        ));
    }
    let message_id = match message.message_id() {
        Some(id) if !id.trim().is_empty() => id.trim().to_owned(),
        _ => format!("sha256:{}", hex::encode(Sha256::digest(raw))),
    };
    let date = message
        .date()
        .filter(|date| date.is_valid())
        .and_then(|date| Timestamp::from_second(date.to_timestamp()).ok());
    let body_text = (0..message.text_body_count())
        .filter_map(|i| message.body_text(i))
        .collect::<Vec<_>>()
        .join("\n\n");
    let attachments = message
        .attachments()
        .map(|part| Attachment {
            name: part.attachment_name().map(str::to_owned),
            content_type: part
                .content_type()
                .map(|ct| match ct.subtype() {
                    Some(sub) => format!("{}/{sub}", ct.ctype()),
                    None => ct.ctype().to_owned(),
                })
                .unwrap_or_else(|| "application/octet-stream".to_owned())
                .to_ascii_lowercase(),
            content: part.contents().to_vec(),
        })
        .collect();
    Ok(MailMessage {
        place,
        message_id,
        from: message.from().and_then(format_address),
        subject: message.subject().map(str::to_owned),
        date,
        body_text,
        attachments,
    })
}

fn format_address(address: &Address<'_>) -> Option<String> {
    let list: Vec<String> = match address {
        Address::List(list) => list.iter().collect::<Vec<_>>(),
        Address::Group(groups) => groups.iter().flat_map(|g| g.addresses.iter()).collect(),
    }
    .into_iter()
    .filter_map(|addr| match (addr.name(), addr.address()) {
        (Some(name), Some(mail)) => Some(format!("{name} <{mail}>")),
        (None, Some(one)) | (Some(one), None) => Some(one.to_owned()),
        (None, None) => None,
    })
    .collect();
    (!list.is_empty()).then(|| list.join(", "))
}

fn show(path: &Path) -> String {
    path.display().to_string()
}
