use crate::CvssVersion;

/// Why [`crate::score`] rejected a vector.
///
/// `position` is the 1-based character position in `vector` of the offending
/// metric (or prefix); for a missing metric it points just past the end of the
/// vector, where the metric would have to be added.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid CVSS vector {vector:?} at position {position}: {problem}")]
pub struct CvssError {
    pub vector: String,
    pub position: usize,
    pub problem: Problem,
}

impl CvssError {
    /// `offset` is a byte offset into `vector`; it is turned into a character
    /// position because byte offsets mean nothing to a person reading the vector.
    pub(crate) fn at(vector: &str, offset: usize, problem: Problem) -> Self {
        Self {
            vector: vector.to_owned(),
            position: char_position(vector, offset),
            problem,
        }
    }
}

/// 1-based character position of the byte `offset` in `text`.
pub(crate) fn char_position(text: &str, offset: usize) -> usize {
    text.get(..offset).map_or(0, |head| head.chars().count()) + 1
}

/// What was wrong and what was expected instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    #[error(
        "empty vector; expected \"CVSS:4.0/…\", \"CVSS:3.1/…\", \"CVSS:3.0/…\", \"CVSS:2.0/…\" or a bare CVSS v2.0 vector"
    )]
    Empty,
    #[error(
        "unsupported version label {found:?}; expected \"CVSS:2.0\", \"CVSS:3.0\", \"CVSS:3.1\" or \"CVSS:4.0\" followed by '/'"
    )]
    UnsupportedVersion { found: String },
    #[error("'(' is never closed; expected the vector to end with ')'")]
    UnclosedParenthesis,
    #[error("malformed component {component:?}; expected METRIC:VALUE")]
    MalformedComponent { component: String },
    #[error("unknown metric {metric:?} for CVSS {version}; expected one of {expected}")]
    UnknownMetric {
        metric: String,
        version: CvssVersion,
        expected: String,
    },
    #[error(
        "duplicate metric {metric} (first given at position {first}); expected each metric once"
    )]
    DuplicateMetric { metric: String, first: usize },
    #[error("missing mandatory metric {metric}; expected {metric}:<one of {allowed}>")]
    MissingMetric {
        metric: &'static str,
        allowed: String,
    },
    #[error("bad value {value:?} for metric {metric}; expected one of {allowed}")]
    BadValue {
        metric: &'static str,
        value: String,
        allowed: String,
    },
    /// The validated vector was still refused by the scoring engine; this
    /// means the validation tables and the engine disagree.
    #[error("the scoring engine rejected the vector ({reason}); expected a vector it accepts")]
    Engine { reason: String },
}
