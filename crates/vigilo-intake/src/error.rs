use std::io;

/// Why a source, or one message in it, could not be read.
///
/// Every variant carries a `place` (file, plus message number and line, or the
/// Maildir file name) because the operator has to find the offending input by
/// hand; the message text therefore always starts with it.
#[derive(Debug, thiserror::Error)]
pub enum IntakeError {
    /// The operating system refused to read the place.
    #[error("{place}: cannot read: {source}")]
    Read {
        place: String,
        #[source]
        source: io::Error,
    },
    /// The place was read but its content is not what the format requires.
    #[error("{place}: expected {expected}, found {found}")]
    Invalid {
        place: String,
        expected: String,
        found: String,
    },
}

impl IntakeError {
    /// Where the problem is, for callers that group or sort problems.
    pub fn place(&self) -> &str {
        match self {
            IntakeError::Read { place, .. } | IntakeError::Invalid { place, .. } => place,
        }
    }

    pub(crate) fn read(place: impl Into<String>, source: io::Error) -> Self {
        IntakeError::Read {
            place: place.into(),
            source,
        }
    }

    pub(crate) fn invalid(
        place: impl Into<String>,
        expected: impl Into<String>,
        found: impl Into<String>,
    ) -> Self {
        IntakeError::Invalid {
            place: place.into(),
            expected: expected.into(),
            found: found.into(),
        }
    }
}
