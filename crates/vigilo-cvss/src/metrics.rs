//! The metric vocabulary of each CVSS version.
//!
//! The `cvss` crate scores vectors but reports neither character positions nor
//! the allowed values of a metric, so the validation that produces
//! [`crate::CvssError`] needs its own copy of each version's metric names and
//! values. Tables are listed in the specification's order so that error
//! messages list metrics the way the specification documents do.

pub(crate) struct Metric {
    pub(crate) name: &'static str,
    pub(crate) values: &'static [&'static str],
    pub(crate) mandatory: bool,
}

const fn base(name: &'static str, values: &'static [&'static str]) -> Metric {
    Metric {
        name,
        values,
        mandatory: true,
    }
}

const fn optional(name: &'static str, values: &'static [&'static str]) -> Metric {
    Metric {
        name,
        values,
        mandatory: false,
    }
}

const V2_IMPACT: &[&str] = &["N", "P", "C"];
const V2_REQUIREMENT: &[&str] = &["L", "M", "H", "ND"];

/// CVSS v2.0 guide, section 2.
pub(crate) const V2: &[Metric] = &[
    base("AV", &["L", "A", "N"]),
    base("AC", &["H", "M", "L"]),
    base("Au", &["M", "S", "N"]),
    base("C", V2_IMPACT),
    base("I", V2_IMPACT),
    base("A", V2_IMPACT),
    optional("E", &["U", "POC", "F", "H", "ND"]),
    optional("RL", &["OF", "TF", "W", "U", "ND"]),
    optional("RC", &["UC", "UR", "C", "ND"]),
    optional("CDP", &["N", "L", "LM", "MH", "H", "ND"]),
    optional("TD", &["N", "L", "M", "H", "ND"]),
    optional("CR", V2_REQUIREMENT),
    optional("IR", V2_REQUIREMENT),
    optional("AR", V2_REQUIREMENT),
];

const V3_IMPACT: &[&str] = &["H", "L", "N"];
const V3_MODIFIED_IMPACT: &[&str] = &["X", "H", "L", "N"];
const REQUIREMENT: &[&str] = &["X", "H", "M", "L"];

/// CVSS v3.0 and v3.1 specification, section 6 (the two share one vocabulary).
pub(crate) const V3: &[Metric] = &[
    base("AV", &["N", "A", "L", "P"]),
    base("AC", &["L", "H"]),
    base("PR", &["N", "L", "H"]),
    base("UI", &["N", "R"]),
    base("S", &["U", "C"]),
    base("C", V3_IMPACT),
    base("I", V3_IMPACT),
    base("A", V3_IMPACT),
    optional("E", &["X", "H", "F", "P", "U"]),
    optional("RL", &["X", "U", "W", "T", "O"]),
    optional("RC", &["X", "C", "R", "U"]),
    optional("CR", REQUIREMENT),
    optional("IR", REQUIREMENT),
    optional("AR", REQUIREMENT),
    optional("MAV", &["X", "N", "A", "L", "P"]),
    optional("MAC", &["X", "L", "H"]),
    optional("MPR", &["X", "N", "L", "H"]),
    optional("MUI", &["X", "N", "R"]),
    optional("MS", &["X", "U", "C"]),
    optional("MC", V3_MODIFIED_IMPACT),
    optional("MI", V3_MODIFIED_IMPACT),
    optional("MA", V3_MODIFIED_IMPACT),
];

const V4_IMPACT: &[&str] = &["H", "L", "N"];
const V4_MODIFIED_IMPACT: &[&str] = &["X", "H", "L", "N"];
const V4_MODIFIED_SAFETY_IMPACT: &[&str] = &["X", "S", "H", "L", "N"];

/// CVSS v4.0 specification, section 7 (table 23).
pub(crate) const V4: &[Metric] = &[
    base("AV", &["N", "A", "L", "P"]),
    base("AC", &["L", "H"]),
    base("AT", &["N", "P"]),
    base("PR", &["N", "L", "H"]),
    base("UI", &["N", "P", "A"]),
    base("VC", V4_IMPACT),
    base("VI", V4_IMPACT),
    base("VA", V4_IMPACT),
    base("SC", V4_IMPACT),
    base("SI", V4_IMPACT),
    base("SA", V4_IMPACT),
    optional("E", &["X", "A", "P", "U"]),
    optional("CR", REQUIREMENT),
    optional("IR", REQUIREMENT),
    optional("AR", REQUIREMENT),
    optional("MAV", &["X", "N", "A", "L", "P"]),
    optional("MAC", &["X", "L", "H"]),
    optional("MAT", &["X", "N", "P"]),
    optional("MPR", &["X", "N", "L", "H"]),
    optional("MUI", &["X", "N", "P", "A"]),
    optional("MVC", V4_MODIFIED_IMPACT),
    optional("MVI", V4_MODIFIED_IMPACT),
    optional("MVA", V4_MODIFIED_IMPACT),
    optional("MSC", V4_MODIFIED_IMPACT),
    optional("MSI", V4_MODIFIED_SAFETY_IMPACT),
    optional("MSA", V4_MODIFIED_SAFETY_IMPACT),
    optional("S", &["X", "N", "P"]),
    optional("AU", &["X", "N", "Y"]),
    optional("R", &["X", "A", "U", "I"]),
    optional("V", &["X", "D", "C"]),
    optional("RE", &["X", "L", "M", "H"]),
    optional("U", &["X", "Clear", "Green", "Amber", "Red"]),
];
