//! JSON documents: recognising the format, turning serde_json's errors into
//! positioned ones, and finding where the value at a path starts.
//!
//! serde_json reports where it stopped but not which value it was reading,
//! and its values carry no positions; a second, tolerant scan of the text
//! (see [`Walker`]) supplies both.

use std::collections::HashMap;
use std::fmt::Write as _;

use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::Value;
use serde_json::error::Category;

use crate::position::{Lines, character_at, place};
use crate::{Encoding, ErrorKind, Position, SUPPORTED, Sbom, SbomError, cyclonedx, spdx};

/// The top-level keys that tell the formats apart.
#[derive(Deserialize)]
struct Probe {
    #[serde(rename = "bomFormat")]
    bom_format: Option<Value>,
    #[serde(rename = "specVersion")]
    spec_version: Option<Value>,
    #[serde(rename = "spdxVersion")]
    spdx_version: Option<Value>,
    #[serde(rename = "@context")]
    context: Option<Value>,
}

enum Format {
    CycloneDx(&'static str),
    Spdx(&'static str),
}

pub(crate) fn parse(text: &str) -> Result<Sbom, SbomError> {
    let result = read(text);
    place(text, result, |paths| locate(text, paths))
}

fn read(text: &str) -> Result<Sbom, SbomError> {
    match detect(text)? {
        Format::CycloneDx(spec_version) => {
            cyclonedx::build(spec_version, Encoding::Json, deserialize(text)?)
        }
        Format::Spdx(version) => spdx::build(version, deserialize(text)?),
    }
}

fn deserialize<'a, T: Deserialize<'a>>(text: &'a str) -> Result<T, SbomError> {
    serde_json::from_str(text).map_err(|error| from_serde(text, &error))
}

fn detect(text: &str) -> Result<Format, SbomError> {
    if text.trim_start().starts_with('[') {
        deserialize::<IgnoredAny>(text)?;
        return Err(unsupported("", "a JSON array"));
    }
    let probe: Probe = deserialize(text)?;
    if let Some(format) = probe.bom_format {
        if format != "CycloneDX" {
            return Err(SbomError::new(
                ErrorKind::Unsupported,
                Position::at("bomFormat"),
                "bomFormat \"CycloneDX\"",
                shown(&format),
            ));
        }
        return version(
            probe.spec_version,
            "specVersion",
            &cyclonedx::VERSIONS.map(|version| (version, version)),
            "CycloneDX specVersion 1.4, 1.5 or 1.6",
        )
        .map(Format::CycloneDx);
    }
    if probe.spdx_version.is_some() {
        return version(
            probe.spdx_version,
            "spdxVersion",
            &spdx::VERSIONS,
            "spdxVersion \"SPDX-2.2\" or \"SPDX-2.3\"",
        )
        .map(Format::Spdx);
    }
    if probe
        .context
        .is_some_and(|context| context.to_string().contains("spdx.org"))
    {
        return Err(unsupported("@context", "an SPDX 3 JSON-LD document"));
    }
    Err(unsupported(
        "",
        "a JSON object with neither bomFormat (CycloneDX) nor spdxVersion (SPDX)",
    ))
}

/// Reads a version key, returning the version it names in `known`.
fn version(
    value: Option<Value>,
    key: &str,
    known: &[(&str, &'static str)],
    expected: &str,
) -> Result<&'static str, SbomError> {
    match value {
        Some(Value::String(text)) => known
            .iter()
            .find(|(written, _)| *written == text)
            .map(|(_, version)| *version)
            .ok_or_else(|| {
                SbomError::new(
                    ErrorKind::Unsupported,
                    Position::at(key),
                    expected,
                    format!("{text:?}"),
                )
            }),
        Some(other) => Err(SbomError::new(
            ErrorKind::Invalid,
            Position::at(key),
            format!("{key} as a string"),
            shown(&other),
        )),
        None => Err(SbomError::new(
            ErrorKind::Invalid,
            Position::at(""),
            format!("a document with {key}"),
            "none",
        )),
    }
}

fn unsupported(path: &str, found: &str) -> SbomError {
    SbomError::new(ErrorKind::Unsupported, Position::at(path), SUPPORTED, found)
}

/// A JSON value as it would be written, shortened for a message.
fn shown(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() <= 60 {
        return text;
    }
    let head: String = text.chars().take(60).collect();
    format!("{head}...")
}

fn from_serde(text: &str, error: &serde_json::Error) -> SbomError {
    let lines = Lines::new(text);
    if error.classify() == Category::Data {
        // serde_json stops at the start of a wrong value it only peeked at
        // and at the end of one it read; either way it is the innermost
        // value there, and the error points at its start.
        let at = lines.offset(error.line(), error.column());
        let (path, start) = value_at(text, at);
        let (expected, found) = split_data_message(&message_of(error));
        return SbomError::new(
            ErrorKind::Invalid,
            lines.position(start, path),
            expected,
            found,
        );
    }
    // serde_json places syntax errors differently depending on whether it
    // was building or skipping a value; building a `Value` places them on
    // the offending character, which is what the reader needs to see.
    let value_error = serde_json::from_str::<Value>(text).err();
    let error = value_error.as_ref().unwrap_or(error);
    let at = if error.classify() == Category::Eof {
        text.len()
    } else {
        lines.offset(error.line(), error.column().saturating_sub(1))
    };
    let (path, _) = value_at(text, at);
    SbomError::new(
        ErrorKind::Malformed,
        lines.position(at, path),
        syntax_expectation(&message_of(error)),
        character_at(text, at),
    )
}

/// serde_json's message without the position it appends.
fn message_of(error: &serde_json::Error) -> String {
    let message = error.to_string();
    match message.rfind(" at line ") {
        Some(end) => message[..end].to_owned(),
        None => message,
    }
}

/// Splits serde's "invalid type: X, expected Y" into what was expected and
/// what was found, in JSON's words.
fn split_data_message(message: &str) -> (String, String) {
    let split = ["invalid type: ", "invalid value: "]
        .iter()
        .find_map(|prefix| message.strip_prefix(prefix)?.rsplit_once(", expected "));
    if let Some((found, expected)) = split {
        let in_json = |serde: &str| -> String {
            match serde {
                "map" | "a map" => "an object",
                "sequence" | "a sequence" => "an array",
                "unit value" => "null",
                other => other,
            }
            .to_owned()
        };
        return (in_json(expected), in_json(found));
    }
    if let Some(key) = message.strip_prefix("duplicate field ") {
        return ("each key once".to_owned(), format!("{key} twice"));
    }
    (
        "a value of the expected type".to_owned(),
        message.to_owned(),
    )
}

/// What a syntax error message says was expected.
fn syntax_expectation(message: &str) -> String {
    if let Some(expected) = message.strip_prefix("expected ") {
        return match expected {
            "ident" => "`true`, `false` or `null`".to_owned(),
            "value" => "a JSON value".to_owned(),
            other => other.to_owned(),
        };
    }
    match message {
        "EOF while parsing a list" => "`,` or `]`",
        "EOF while parsing an object" => "`,` or `}`",
        "EOF while parsing a string" => "the closing `\"` of the string",
        "EOF while parsing a value" => "a JSON value",
        "trailing characters" => "nothing after the top-level value",
        "trailing comma" => "another value after `,`",
        "key must be a string" => "an object key in double quotes",
        "recursion limit exceeded" => "JSON nested at most 128 levels deep",
        "control character (\\u0000-\\u001F) found while parsing a string" => {
            "control characters in strings to be escaped"
        }
        other => return format!("well-formed JSON ({other})"),
    }
    .to_owned()
}

/// The path and start of the innermost value that holds `offset` (ends
/// included), or, in malformed text, that was still open there.
fn value_at(text: &str, offset: usize) -> (String, usize) {
    let mut walker = Walker::new(text);
    let mut open = Vec::new();
    while let Some(step) = walker.step() {
        match step {
            Step::Start(start) if start <= offset => open.push(start),
            Step::End(end) if end < offset => {
                open.pop();
            }
            Step::Start(_) | Step::End(_) => break,
        }
    }
    let Some(&start) = open.last() else {
        return (String::new(), 0);
    };
    // Paths are built only for the value found, which takes a second walk.
    let mut walker = Walker::new(text);
    while let Some(step) = walker.step() {
        if let Step::Start(at) = step
            && at == start
        {
            return (walker.path().to_owned(), start);
        }
    }
    (String::new(), start)
}

/// For each path, the offset at which its value starts (the first, if a key
/// is repeated).
fn locate(text: &str, paths: &[&str]) -> Vec<Option<usize>> {
    let mut wanted: HashMap<&str, Vec<usize>> = HashMap::new();
    for (index, path) in paths.iter().enumerate() {
        wanted.entry(path).or_default().push(index);
    }
    let mut found = vec![None; paths.len()];
    let mut walker = Walker::new(text);
    while !wanted.is_empty()
        && let Some(step) = walker.step()
    {
        if let Step::Start(start) = step
            && let Some(indices) = wanted.remove(walker.path())
        {
            for index in indices {
                found[index] = Some(start);
            }
        }
    }
    found
}

enum Step {
    /// A value starts at this offset.
    Start(usize),
    /// The last value started ends before this offset.
    End(usize),
}

/// A container the walk is inside. `mark` is the length of the container's
/// own path, to which the key or index of the current member is appended.
enum Frame {
    Object { mark: usize },
    Array { mark: usize, index: usize },
}

#[derive(Clone, Copy)]
enum Expect {
    Value,
    /// The first byte of a value.
    Enter,
    KeyOrClose,
    Key,
    ValueOrClose,
    AfterValue,
}

/// Deeper than serde_json reads (128 levels); beyond it the walk stops,
/// which keeps paths short.
const MAX_DEPTH: usize = 256;

/// Keys in paths are cut to this many bytes, which also keeps paths short;
/// the keys of SBOM formats are far shorter.
const MAX_KEY: usize = 100;

/// A scan over JSON text that reports where values start and end, keeping
/// the path of the current value. It checks only the structure and stops at
/// the first byte that does not fit, so it can also follow the valid prefix
/// of malformed text.
struct Walker<'a> {
    text: &'a str,
    at: usize,
    frames: Vec<Frame>,
    path: String,
    expect: Expect,
}

impl<'a> Walker<'a> {
    fn new(text: &'a str) -> Self {
        Self {
            text,
            at: 0,
            frames: Vec::new(),
            path: String::new(),
            expect: Expect::Value,
        }
    }

    /// The path of the value that the last step started or ended.
    fn path(&self) -> &str {
        &self.path
    }

    fn byte(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    fn skip_space(&mut self) {
        while matches!(self.byte(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    /// Moves past the string that starts here, if it is closed.
    fn skip_string(&mut self) -> Option<()> {
        let bytes = self.text.as_bytes();
        let mut at = self.at + 1;
        loop {
            match bytes.get(at)? {
                b'\\' => at += 2,
                b'"' => {
                    self.at = at + 1;
                    return Some(());
                }
                _ => at += 1,
            }
        }
    }

    fn key(&mut self) -> Option<()> {
        let start = self.at;
        self.skip_string()?;
        let raw = self.text.get(start..self.at)?;
        let key: String =
            serde_json::from_str(raw).unwrap_or_else(|_| raw.trim_matches('"').to_owned());
        self.skip_space();
        if self.byte()? != b':' {
            return None;
        }
        self.at += 1;
        if let Some(Frame::Object { mark }) = self.frames.last() {
            self.path.truncate(*mark);
            if *mark > 0 {
                self.path.push('.');
            }
            self.path.push_str(&key[..key.floor_char_boundary(MAX_KEY)]);
        }
        self.expect = Expect::Value;
        Some(())
    }

    /// Names the current array member in the path.
    fn index(&mut self) {
        if let Some(Frame::Array { mark, index }) = self.frames.last() {
            self.path.truncate(*mark);
            let _ = write!(self.path, "[{index}]");
        }
    }

    fn close(&mut self) -> Step {
        self.at += 1;
        if let Some(Frame::Object { mark } | Frame::Array { mark, .. }) = self.frames.pop() {
            self.path.truncate(mark);
        }
        self.expect = Expect::AfterValue;
        Step::End(self.at)
    }

    fn step(&mut self) -> Option<Step> {
        loop {
            if !matches!(self.expect, Expect::Enter) {
                self.skip_space();
            }
            let byte = self.byte()?;
            match self.expect {
                Expect::Value => {
                    self.expect = Expect::Enter;
                    return Some(Step::Start(self.at));
                }
                Expect::Enter => {
                    if let b'{' | b'[' = byte {
                        if self.frames.len() >= MAX_DEPTH {
                            return None;
                        }
                        let mark = self.path.len();
                        self.at += 1;
                        if byte == b'{' {
                            self.frames.push(Frame::Object { mark });
                            self.expect = Expect::KeyOrClose;
                        } else {
                            self.frames.push(Frame::Array { mark, index: 0 });
                            self.index();
                            self.expect = Expect::ValueOrClose;
                        }
                        continue;
                    }
                    if byte == b'"' {
                        self.skip_string()?;
                    } else {
                        while self.byte().is_some_and(|byte| {
                            !matches!(byte, b',' | b']' | b'}' | b' ' | b'\t' | b'\n' | b'\r')
                        }) {
                            self.at += 1;
                        }
                    }
                    self.expect = Expect::AfterValue;
                    return Some(Step::End(self.at));
                }
                Expect::KeyOrClose | Expect::Key => match byte {
                    b'}' if matches!(self.expect, Expect::KeyOrClose) => return Some(self.close()),
                    b'"' => self.key()?,
                    _ => return None,
                },
                Expect::ValueOrClose => {
                    if byte == b']' {
                        return Some(self.close());
                    }
                    self.expect = Expect::Value;
                }
                Expect::AfterValue => match (byte, self.frames.last_mut()?) {
                    (b',', Frame::Object { .. }) => {
                        self.at += 1;
                        self.expect = Expect::Key;
                    }
                    (b',', Frame::Array { index, .. }) => {
                        self.at += 1;
                        *index += 1;
                        self.index();
                        self.expect = Expect::Value;
                    }
                    (b'}', Frame::Object { .. }) | (b']', Frame::Array { .. }) => {
                        return Some(self.close());
                    }
                    _ => return None,
                },
            }
        }
    }
}
