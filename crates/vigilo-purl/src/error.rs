use std::fmt;

/// The purl component an error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Component {
    Scheme,
    Type,
    Namespace,
    Name,
    Version,
    Qualifiers,
    Subpath,
}

impl fmt::Display for Component {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Scheme => "scheme",
            Self::Type => "type",
            Self::Namespace => "namespace",
            Self::Name => "name",
            Self::Version => "version",
            Self::Qualifiers => "qualifiers",
            Self::Subpath => "subpath",
        })
    }
}

/// Why a purl string or a set of purl components was rejected.
///
/// For [`crate::Purl::parse`] and [`crate::Purl::parse_lenient`], `input` is
/// the purl string and `position` the 1-based character position of the
/// problem in it. For [`crate::Purl::canonicalize`], `input` is the value of
/// the offending component and `position` is relative to that value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid purl {input:?} at position {position} ({component}): expected {expected}")]
pub struct PurlError {
    pub input: String,
    pub position: usize,
    pub component: Component,
    pub expected: String,
}

impl PurlError {
    /// `offset` is a byte offset into `input`, reported as a character
    /// position because that is what a person counts.
    pub(crate) fn new(
        input: &str,
        offset: usize,
        component: Component,
        expected: impl Into<String>,
    ) -> Self {
        Self {
            input: input.to_owned(),
            position: input.get(..offset).map_or(0, |head| head.chars().count()) + 1,
            component,
            expected: expected.into(),
        }
    }
}
