//! CVSS vector validation and base scoring for Vigilo.
//!
//! [`score`] accepts CVSS v2.0 (bare, parenthesised or `CVSS:2.0/`), v3.0,
//! v3.1 and v4.0 vectors. The arithmetic is delegated to RustSec's `cvss`
//! crate, which implements all four versions (including the FIRST v4.0
//! MacroVector lookup); this crate adds what that crate does not give:
//! positioned, human-readable errors, the v2 prefix forms found in NVD and
//! CSAF data, and NVD's v2 qualitative severity ranges.
//!
//! ```
//! let s = vigilo_cvss::score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H").unwrap();
//! assert_eq!(s.base_score, 9.8);
//! assert_eq!(s.severity, vigilo_cvss::Severity::Critical);
//! ```

mod error;
mod metrics;
#[cfg(test)]
mod tests;

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

pub use error::{CvssError, Problem};
use metrics::Metric;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum CvssVersion {
    #[serde(rename = "2.0")]
    V2_0,
    #[serde(rename = "3.0")]
    V3_0,
    #[serde(rename = "3.1")]
    V3_1,
    #[serde(rename = "4.0")]
    V4_0,
}

impl CvssVersion {
    fn metrics(self) -> &'static [Metric] {
        match self {
            Self::V2_0 => metrics::V2,
            Self::V3_0 | Self::V3_1 => metrics::V3,
            Self::V4_0 => metrics::V4,
        }
    }
}

impl fmt::Display for CvssVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::V2_0 => "2.0",
            Self::V3_0 => "3.0",
            Self::V3_1 => "3.1",
            Self::V4_0 => "4.0",
        })
    }
}

/// Qualitative severity rating.
///
/// v3.x and v4.0 use the specification's scale. CVSS v2.0 defines none, so v2
/// scores use NVD's ranges (Low 0.0–3.9, Medium 4.0–6.9, High 7.0–10.0) and
/// are never `None` or `Critical`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    None,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    fn nvd_v2(score: f64) -> Self {
        if score < 4.0 {
            Self::Low
        } else if score < 7.0 {
            Self::Medium
        } else {
            Self::High
        }
    }
}

impl From<cvss::Severity> for Severity {
    fn from(severity: cvss::Severity) -> Self {
        match severity {
            cvss::Severity::None => Self::None,
            cvss::Severity::Low => Self::Low,
            cvss::Severity::Medium => Self::Medium,
            cvss::Severity::High => Self::High,
            cvss::Severity::Critical => Self::Critical,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::None => "none",
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
            Self::Critical => "critical",
        })
    }
}

/// The score of one vector.
///
/// For v2.0 and v3.x, `base_score` is the Base Score even when the vector also
/// carries temporal or environmental metrics. For v4.0 it is the score of the
/// vector as given (CVSS-B, -BT, -BE or -BTE, depending on the metric groups
/// present). `vector` is the input, unchanged.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Score {
    pub vector: String,
    pub version: CvssVersion,
    pub base_score: f64,
    pub severity: Severity,
}

/// Validates `vector` and computes its score and severity.
pub fn score(vector: &str) -> Result<Score, CvssError> {
    let parts = split_version(vector)?;
    check_metrics(vector, &parts)?;
    let engine_error = |error: cvss::Error| {
        CvssError::at(
            vector,
            0,
            Problem::Engine {
                reason: error.to_string(),
            },
        )
    };
    let (base_score, severity) = match parts.version {
        CvssVersion::V2_0 => {
            let raw = cvss::v2::Vector::from_str(parts.metrics)
                .map_err(engine_error)?
                .score()
                .value();
            // The v2 equations can produce -0.0, which would print as "-0".
            let base = if raw <= 0.0 { 0.0 } else { raw };
            (base, Severity::nvd_v2(base))
        }
        CvssVersion::V3_0 | CvssVersion::V3_1 => {
            let base = cvss::v3::Vector::from_str(vector)
                .map_err(engine_error)?
                .base_score();
            (base.value(), base.severity().into())
        }
        CvssVersion::V4_0 => {
            let whole = cvss::v4::Vector::from_str(vector)
                .map_err(engine_error)?
                .score();
            (whole.clone().value(), whole.severity().into())
        }
    };
    Ok(Score {
        vector: vector.to_owned(),
        version: parts.version,
        base_score,
        severity,
    })
}

/// A vector with its version label (or v2 parentheses) taken off.
struct Parts<'a> {
    version: CvssVersion,
    /// The `METRIC:VALUE/...` list.
    metrics: &'a str,
    /// Byte offset of `metrics` in the whole vector.
    offset: usize,
}

fn split_version(vector: &str) -> Result<Parts<'_>, CvssError> {
    if vector.is_empty() {
        return Err(CvssError::at(vector, 0, Problem::Empty));
    }
    if let Some(inner) = vector.strip_prefix('(') {
        // NVD's old v2 feeds wrap the vector in parentheses.
        let metrics = inner
            .strip_suffix(')')
            .ok_or_else(|| CvssError::at(vector, 0, Problem::UnclosedParenthesis))?;
        return Ok(Parts {
            version: CvssVersion::V2_0,
            metrics,
            offset: 1,
        });
    }
    // Without a version label the vector is a bare v2 one, as NVD writes them.
    if !vector
        .get(..4)
        .is_some_and(|head| head.eq_ignore_ascii_case("CVSS"))
    {
        return Ok(Parts {
            version: CvssVersion::V2_0,
            metrics: vector,
            offset: 0,
        });
    }
    let (label, metrics, offset) = match vector.split_once('/') {
        Some((label, metrics)) => (label, metrics, label.len() + 1),
        None => (vector, "", vector.len()),
    };
    let version = match label {
        "CVSS:2.0" => CvssVersion::V2_0,
        "CVSS:3.0" => CvssVersion::V3_0,
        "CVSS:3.1" => CvssVersion::V3_1,
        "CVSS:4.0" => CvssVersion::V4_0,
        _ => {
            return Err(CvssError::at(
                vector,
                0,
                Problem::UnsupportedVersion {
                    found: label.to_owned(),
                },
            ));
        }
    };
    Ok(Parts {
        version,
        metrics,
        offset,
    })
}

/// Checks names, values, duplicates and mandatory metrics. Metrics may come in
/// any order: the FIRST calculators and NVD data do not keep the
/// specification's order (e.g. `CVSS:3.0/S:U/AV:N/...`).
fn check_metrics(vector: &str, parts: &Parts<'_>) -> Result<(), CvssError> {
    let table = parts.version.metrics();
    let mut seen: Vec<(&str, usize)> = Vec::new();
    let mut start = parts.offset;
    // A label with nothing after it has no components at all, so it is
    // reported as missing its first mandatory metric, not as malformed.
    let components = parts
        .metrics
        .split('/')
        .filter(|_| !parts.metrics.is_empty());
    for component in components {
        let at = start;
        start += component.len() + 1;
        let fail = |problem| CvssError::at(vector, at, problem);
        let (name, value) = component
            .split_once(':')
            .filter(|(name, value)| !name.is_empty() && !value.contains(':'))
            .ok_or_else(|| {
                fail(Problem::MalformedComponent {
                    component: component.to_owned(),
                })
            })?;
        let metric = table.iter().find(|m| m.name == name).ok_or_else(|| {
            fail(Problem::UnknownMetric {
                metric: name.to_owned(),
                version: parts.version,
                expected: list(table.iter().map(|m| m.name)),
            })
        })?;
        if let Some(&(_, first)) = seen.iter().find(|(seen_name, _)| *seen_name == name) {
            return Err(fail(Problem::DuplicateMetric {
                metric: name.to_owned(),
                first: error::char_position(vector, first),
            }));
        }
        if !metric.values.contains(&value) {
            return Err(fail(Problem::BadValue {
                metric: metric.name,
                value: value.to_owned(),
                allowed: list(metric.values.iter().copied()),
            }));
        }
        seen.push((metric.name, at));
    }
    match table
        .iter()
        .find(|m| m.mandatory && !seen.iter().any(|(name, _)| *name == m.name))
    {
        Some(missing) => Err(CvssError::at(
            vector,
            vector.len(),
            Problem::MissingMetric {
                metric: missing.name,
                allowed: list(missing.values.iter().copied()),
            },
        )),
        None => Ok(()),
    }
}

fn list<'a>(items: impl Iterator<Item = &'a str>) -> String {
    items.collect::<Vec<_>>().join(", ")
}
