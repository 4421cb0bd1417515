use std::fmt;

use vigilo_versions::VersionError;

/// The encoding of an OSV record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Yaml,
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Json => "JSON",
            Format::Yaml => "YAML",
        })
    }
}

/// Why advisories could not be read or a version could not be evaluated.
///
/// Every variant names where the problem is: the record's source (a path, or
/// `archive.zip:entry.json`) and position, or the advisory and version string.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OsvError {
    /// The bytes are not a valid OSV record. `origin` is `None` when the bytes
    /// were handed to [`crate::parse_json`] or [`crate::parse_yaml`] directly.
    #[error("{}line {line}, column {column}: invalid OSV {format} record: {message}", prefix(.origin))]
    Record {
        origin: Option<String>,
        format: Format,
        /// 1-based; 0 when the parser could not tell.
        line: usize,
        /// 1-based; 0 when the parser could not tell.
        column: usize,
        message: String,
    },
    /// A file, directory or archive entry could not be read.
    #[error("{origin}: {error}")]
    Read {
        origin: String,
        #[source]
        error: std::io::Error,
    },
    /// A file that is named or looks like a zip archive could not be opened as one.
    #[error("{origin}: not a readable zip archive: {message}")]
    Zip { origin: String, message: String },
    /// A version string that its ecosystem cannot order: either the version
    /// being matched (`advisory` is `None`) or one in an advisory's range.
    #[error("{}{error}", prefix(.advisory))]
    Version {
        advisory: Option<String>,
        #[source]
        error: VersionError,
    },
    /// A component whose package has advisories but whose purl has no version,
    /// so none of them can be evaluated.
    #[error("{purl}: no version to match the package's advisories against")]
    MissingVersion { purl: String },
}

fn prefix(name: &Option<String>) -> String {
    name.as_deref()
        .map_or_else(String::new, |name| format!("{name}: "))
}

impl OsvError {
    /// Names the record's source on an error from parsing its bytes.
    pub(crate) fn in_record(mut self, name: &str) -> OsvError {
        if let OsvError::Record { origin, .. } = &mut self {
            *origin = Some(name.to_owned());
        }
        self
    }

    pub(crate) fn read(origin: impl fmt::Display, error: std::io::Error) -> OsvError {
        OsvError::Read {
            origin: origin.to_string(),
            error,
        }
    }
}
