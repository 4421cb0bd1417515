//! Reads SBOM files into one component list for Vigilo.
//!
//! The SBOM is the scope of monitoring: a component listed in it is
//! monitored, one not listed is not in the product. So this crate never drops
//! a component silently. A document it cannot read completely is rejected
//! with an [`SbomError`] naming the position and what was expected there;
//! a flaw that leaves the component list usable (an invalid purl, a duplicate
//! `bom-ref`, an unknown component type) becomes an [`SbomWarning`] and the
//! component is kept.
//!
//! Components that describe something other than the product are not
//! listed: CycloneDX `metadata.tools`, `formulation` and `pedigree`, SPDX
//! files and snippets.
//!
//! Supported: CycloneDX 1.4, 1.5 and 1.6 in JSON and XML, SPDX 2.3 and 2.2 in
//! JSON. Everything else is rejected with an error saying what was found.
//!
//! ```
//! let sbom = vigilo_sbom::parse(br#"{
//!   "bomFormat": "CycloneDX", "specVersion": "1.6",
//!   "components": [{"type": "library", "name": "left-pad", "version": "1.3.0",
//!                   "purl": "pkg:NPM/left-pad@1.3.0"}]
//! }"#).unwrap();
//! let purl = sbom.components[0].purl.as_ref().unwrap();
//! assert_eq!(purl.to_string(), "pkg:npm/left-pad@1.3.0");
//! ```

mod cyclonedx;
mod identifiers;
mod json;
mod position;
mod spdx;
mod xml;

use std::fmt;

pub use vigilo_purl::Purl;

use position::Lines;

/// The formats [`parse`] accepts, for messages.
const SUPPORTED: &str =
    "a CycloneDX 1.4, 1.5 or 1.6 SBOM (JSON or XML) or an SPDX 2.2 or 2.3 SBOM (JSON)";

/// How a CycloneDX document is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Encoding {
    Json,
    Xml,
}

/// The format of a parsed SBOM, with the specification version it declares.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SbomFormat {
    /// `spec_version` is `"1.4"`, `"1.5"` or `"1.6"`.
    CycloneDx {
        spec_version: String,
        encoding: Encoding,
    },
    /// `version` is `"2.2"` or `"2.3"`; only JSON is read.
    Spdx { version: String },
}

impl fmt::Display for SbomFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::CycloneDx {
                spec_version,
                encoding,
            } => {
                let encoding = match encoding {
                    Encoding::Json => "JSON",
                    Encoding::Xml => "XML",
                };
                write!(f, "CycloneDX {spec_version} {encoding}")
            }
            Self::Spdx { version } => write!(f, "SPDX {version} JSON"),
        }
    }
}

/// The components an SBOM lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sbom {
    pub format: SbomFormat,
    /// CycloneDX `serialNumber`, SPDX `documentNamespace`.
    pub serial_number: Option<String>,
    /// The product the SBOM is about: CycloneDX `metadata.component`; in SPDX
    /// the package the document DESCRIBES, if it describes exactly one.
    pub subject: Option<Component>,
    /// Every other component. CycloneDX nested components are flattened
    /// depth-first, parent before children: first those nested in the
    /// subject, then the top-level `components` in document order. SPDX
    /// packages keep their document order.
    pub components: Vec<Component>,
    /// Problems that leave the component list usable, in the order found.
    pub warnings: Vec<SbomWarning>,
}

/// One component (CycloneDX) or package (SPDX).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Component {
    /// CycloneDX `bom-ref`, SPDX `SPDXID`.
    pub bom_ref: Option<String>,
    pub name: String,
    /// CycloneDX `group` (such as a Maven groupId); SPDX has none.
    pub group: Option<String>,
    pub version: Option<String>,
    /// Canonical; absent when the SBOM has none or an invalid one (which
    /// gives a warning).
    pub purl: Option<Purl>,
    /// CycloneDX `cpe`, SPDX `cpe23Type` (preferred) or `cpe22Type` external
    /// reference, as written.
    pub cpe: Option<String>,
    /// CycloneDX `supplier.name`; SPDX `supplier` without its `Organization: `
    /// or `Person: ` prefix.
    pub supplier: Option<String>,
    /// CycloneDX `type` (`library`, `firmware`, `operating-system`, ...); SPDX
    /// `primaryPackagePurpose` in lowercase, which puts the values both
    /// formats share into CycloneDX's spelling.
    pub kind: Option<String>,
}

/// A problem that does not make the SBOM unusable.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SbomWarning {
    pub position: Position,
    pub message: String,
}

impl SbomWarning {
    pub(crate) fn at(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            position: Position::at(path),
            message: message.into(),
        }
    }
}

impl fmt::Display for SbomWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.position, self.message)
    }
}

/// Where in the document something is.
///
/// `line` and `column` are 1-based, the column counted in characters, or 0
/// when not known. `path` names the value the same way for JSON and XML,
/// after the JSON keys: `components[3].purl`,
/// `metadata.component.supplier.name`, `packages[12].externalRefs[0]`; it is
/// empty for the document as a whole.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Position {
    pub line: usize,
    pub column: usize,
    pub path: String,
}

impl Position {
    /// A position known only by its path until the reader places it.
    pub(crate) fn at(path: impl Into<String>) -> Self {
        Self {
            line: 0,
            column: 0,
            path: path.into(),
        }
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = if self.path.is_empty() {
            "document"
        } else {
            &self.path
        };
        write!(f, "line {}, column {} ({path})", self.line, self.column)
    }
}

/// What kind of problem made an SBOM unreadable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The bytes are not UTF-8 text.
    NotUtf8,
    /// The JSON or XML is not well-formed.
    Malformed,
    /// Not a supported SBOM format or version.
    Unsupported,
    /// A supported format, but a value needed for the component list is
    /// missing or of the wrong type.
    Invalid,
}

/// Why an SBOM could not be read.
///
/// Displays as `line L, column C (PATH): expected ..., found ...`; the caller
/// adds the file name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{position}: expected {expected}, found {found}")]
pub struct SbomError {
    pub kind: ErrorKind,
    pub position: Position,
    pub expected: String,
    pub found: String,
}

impl SbomError {
    pub(crate) fn new(
        kind: ErrorKind,
        position: Position,
        expected: impl Into<String>,
        found: impl Into<String>,
    ) -> Self {
        Self {
            kind,
            position,
            expected: expected.into(),
            found: found.into(),
        }
    }
}

/// Reads a CycloneDX (JSON or XML) or SPDX (JSON) SBOM, recognising the
/// format from the content.
pub fn parse(bytes: &[u8]) -> Result<Sbom, SbomError> {
    let text = decode(bytes)?;
    let content = text.trim_start_matches(is_xml_space);
    match content.chars().next() {
        Some('{' | '[') => json::parse(text),
        Some('<') => xml::parse(text),
        Some(_) => Err(unrecognised(text, content)),
        None => {
            let found = if text.is_empty() {
                "an empty file"
            } else {
                "only whitespace"
            };
            Err(SbomError::new(
                ErrorKind::Unsupported,
                Lines::new(text).position(0, ""),
                SUPPORTED,
                found,
            ))
        }
    }
}

/// Empty strings say nothing; tools write them for unknown values.
fn present(value: Option<String>) -> Option<String> {
    value.filter(|value| !value.trim().is_empty())
}

/// JSON and XML agree on what whitespace between tokens is.
fn is_xml_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

/// The text of an SBOM, without the byte order mark some Windows tools write.
fn decode(bytes: &[u8]) -> Result<&str, SbomError> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(SbomError::new(
            ErrorKind::NotUtf8,
            Position {
                line: 1,
                column: 1,
                path: String::new(),
            },
            "UTF-8 text",
            "a UTF-16 byte order mark",
        ));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|error| {
        let valid = error.valid_up_to();
        // The prefix is valid UTF-8, so it can be located like any text.
        let prefix = std::str::from_utf8(&bytes[..valid]).unwrap_or_default();
        SbomError::new(
            ErrorKind::NotUtf8,
            Lines::new(prefix).position(valid, ""),
            "UTF-8 text",
            format!("the byte 0x{:02X}", bytes[valid]),
        )
    })
}

/// The error for text that is neither JSON nor XML, naming the SPDX
/// encodings that are recognisable but not read.
fn unrecognised(text: &str, content: &str) -> SbomError {
    let starts_line = |key: &str| content.lines().any(|line| line.starts_with(key));
    let found = if starts_line("SPDXVersion:") {
        "an SPDX tag-value document".to_owned()
    } else if starts_line("spdxVersion:") {
        "an SPDX YAML document".to_owned()
    } else {
        let head: String = content.chars().take(40).collect();
        format!("text starting {head:?}")
    };
    SbomError::new(
        ErrorKind::Unsupported,
        Lines::new(text).position(text.len() - content.len(), ""),
        SUPPORTED,
        found,
    )
}
