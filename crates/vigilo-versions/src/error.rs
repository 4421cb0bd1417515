//! Errors reported by parsing.

use crate::Ecosystem;

/// Why a version string or ecosystem name was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VersionError {
    /// The string is not a version of the ecosystem.
    #[error("invalid {ecosystem} version {input:?}{}: expected {expected}", at_position(.position))]
    InvalidVersion {
        ecosystem: Ecosystem,
        input: String,
        /// 1-based character (not byte) position of the offending character, when known.
        position: Option<usize>,
        expected: &'static str,
    },
    /// The name is not an OSV ecosystem this crate orders.
    #[error(
        "unknown ecosystem {input:?}: expected one of {}",
        accepted_ecosystems()
    )]
    UnknownEcosystem { input: String },
}

fn at_position(position: &Option<usize>) -> String {
    position.map_or_else(String::new, |p| format!(" at character {p}"))
}

fn accepted_ecosystems() -> String {
    let names: Vec<&str> = Ecosystem::ALL.iter().map(Ecosystem::as_str).collect();
    format!(
        "{} (optionally followed by an OSV \":<suffix>\" such as \"Debian:12\")",
        names.join(", ")
    )
}

/// A parser's verdict before it is tied to an ecosystem and input string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ParseFailure {
    /// Byte offset into the input; converted to a character position for users.
    pub(crate) byte: Option<usize>,
    pub(crate) expected: &'static str,
}

impl ParseFailure {
    pub(crate) fn at(byte: usize, expected: &'static str) -> Self {
        ParseFailure {
            byte: Some(byte),
            expected,
        }
    }

    pub(crate) fn unpositioned(expected: &'static str) -> Self {
        ParseFailure {
            byte: None,
            expected,
        }
    }

    pub(crate) fn into_error(self, ecosystem: Ecosystem, input: &str) -> VersionError {
        VersionError::InvalidVersion {
            ecosystem,
            input: input.to_owned(),
            position: self.byte.map(|b| input[..b].chars().count() + 1),
            expected: self.expected,
        }
    }
}
