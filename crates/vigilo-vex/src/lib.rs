//! VEX documents and customer-facing security advisories (SPEC §3.5).
//!
//! One [`VexDocument`] (a product version and the triage outcome of each finding in it) is
//! written as CycloneDX 1.6 VEX ([`cyclonedx`]), OpenVEX 0.2.0 ([`openvex`]) and CSAF 2.0 with
//! the `csaf_vex` profile ([`csaf_vex`]). One [`SecurityAdvisory`] is written as CSAF 2.0 with
//! the `csaf_security_advisory` profile ([`csaf_advisory`]) and as a printable HTML page
//! ([`advisory_html`]).
//!
//! Nothing here reads a clock or a file: every instant comes from the input, and the same input
//! gives the same bytes, so the outputs can be archived and compared as evidence.
//!
//! Functions that score CVSS vectors or that write CSAF return a [`VexError`] for input the
//! formats cannot express (an invalid vector, no statements, two statements about the same
//! component and vulnerability, a revision history that skips a number), rather than dropping
//! a severity or writing a document that fails the CSAF mandatory tests.

mod csaf;
mod cyclonedx;
mod html;
mod openvex;
pub mod validate;

use std::collections::BTreeSet;

use jiff::Timestamp;
use thiserror::Error;
use vigilo_cvss::{CvssError, Score};

pub use csaf::{csaf_advisory, csaf_filename, csaf_vex};
pub use cyclonedx::cyclonedx;
pub use html::advisory_html;
pub use openvex::openvex;

/// A VEX document: the status of each known vulnerability in one product version.
#[derive(Debug, Clone, PartialEq)]
pub struct VexDocument {
    /// Stable across revisions, e.g. `VIGILO-VEX-pump-2.1.0`.
    pub id: String,
    pub revision: u32,
    /// One entry per revision, numbered 1..=`revision` (CSAF requires the full history).
    pub history: Vec<Revision>,
    pub publisher: Publisher,
    pub issued: Timestamp,
    pub updated: Timestamp,
    pub product: Product,
    pub statements: Vec<Statement>,
}

/// One revision of a published document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revision {
    pub number: u32,
    pub date: Timestamp,
    pub summary: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Publisher {
    pub name: String,
    /// An `https` URL that names the publisher (CSAF `publisher.namespace`).
    pub namespace: String,
    /// Free text: an e-mail address, a phone number or a URL.
    pub contact: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Product {
    pub id: String,
    pub name: String,
    pub version: String,
    pub purl: Option<String>,
    /// CycloneDX `serialNumber` (`urn:uuid:…`) of the SBOM the statements refer to.
    pub sbom_serial: Option<String>,
    pub sbom_version: Option<u32>,
}

/// The triage outcome of one finding: one vulnerability in one component of the product.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    pub vulnerability: Vulnerability,
    pub component: Component,
    pub status: Status,
    /// Triage rationale.
    pub detail: Option<String>,
    pub timestamp: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vulnerability {
    /// The CVE id if known, else the OSV id.
    pub id: String,
    pub aliases: Vec<String>,
    pub summary: Option<String>,
    /// Vectors as given: `CVSS:3.1/…`, `CVSS:4.0/…`, v2 with or without `CVSS:2.0/`.
    pub cvss: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Component {
    pub name: String,
    pub version: Option<String>,
    pub purl: String,
    /// The component's `bom-ref` in the SBOM; the purl stands in when it is `None`.
    pub bom_ref: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    NotAffected {
        justification: Justification,
        impact: Option<String>,
    },
    Affected {
        action: String,
        remediation: Remediation,
    },
    Fixed {
        fixed_in: Option<String>,
    },
    UnderInvestigation,
}

/// Why a product is not affected, with the OpenVEX and CSAF labels.
///
/// CycloneDX has a different, finer list; [`Justification::cyclonedx`] maps onto it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Justification {
    ComponentNotPresent,
    VulnerableCodeNotPresent,
    VulnerableCodeNotInExecutePath,
    VulnerableCodeCannotBeControlledByAdversary,
    InlineMitigationsAlreadyExist,
}

impl Justification {
    /// The OpenVEX `justification` and CSAF flag `label`, which are the same strings.
    pub fn label(self) -> &'static str {
        match self {
            Self::ComponentNotPresent => "component_not_present",
            Self::VulnerableCodeNotPresent => "vulnerable_code_not_present",
            Self::VulnerableCodeNotInExecutePath => "vulnerable_code_not_in_execute_path",
            Self::VulnerableCodeCannotBeControlledByAdversary => {
                "vulnerable_code_cannot_be_controlled_by_adversary"
            }
            Self::InlineMitigationsAlreadyExist => "inline_mitigations_already_exist",
        }
    }

    /// The CycloneDX `analysis.justification`.
    ///
    /// The mapping is lossy, so the OpenVEX and CSAF documents keep the exact label:
    /// * `component_not_present` → `code_not_present`: CycloneDX has no "component absent"
    ///   value; absent component means absent code.
    /// * `vulnerable_code_not_present` → `code_not_present`.
    /// * `vulnerable_code_not_in_execute_path` → `code_not_reachable`.
    /// * `vulnerable_code_cannot_be_controlled_by_adversary` → `requires_configuration`: the
    ///   input that would reach the code is not under an attacker's control in the shipped
    ///   configuration.
    /// * `inline_mitigations_already_exist` → `protected_by_mitigating_control`.
    pub fn cyclonedx(self) -> &'static str {
        match self {
            Self::ComponentNotPresent | Self::VulnerableCodeNotPresent => "code_not_present",
            Self::VulnerableCodeNotInExecutePath => "code_not_reachable",
            Self::VulnerableCodeCannotBeControlledByAdversary => "requires_configuration",
            Self::InlineMitigationsAlreadyExist => "protected_by_mitigating_control",
        }
    }

    /// Plain-language wording for readers of the HTML and CSAF notes.
    pub fn describe(self) -> &'static str {
        match self {
            Self::ComponentNotPresent => "The component is not present in the product.",
            Self::VulnerableCodeNotPresent => {
                "The vulnerable code is not present in the product's build of the component."
            }
            Self::VulnerableCodeNotInExecutePath => {
                "The vulnerable code cannot be executed by the product."
            }
            Self::VulnerableCodeCannotBeControlledByAdversary => {
                "The vulnerable code cannot be controlled by an attacker."
            }
            Self::InlineMitigationsAlreadyExist => {
                "Mitigations in the product already prevent exploitation."
            }
        }
    }
}

/// What kind of remedy the action of an affected statement is.
///
/// CSAF needs it for `remediations[].category`, CycloneDX for `analysis.response`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Remediation {
    /// An update that fixes the vulnerability is available.
    VendorFix,
    /// A configuration or procedure change avoids the vulnerability.
    Workaround,
    /// A measure that reduces the risk without removing the vulnerability.
    Mitigation,
    /// The vulnerability will not be fixed.
    NoFixPlanned,
    /// No remedy exists yet.
    NoneAvailable,
}

impl Remediation {
    fn csaf(self) -> &'static str {
        match self {
            Self::VendorFix => "vendor_fix",
            Self::Workaround => "workaround",
            Self::Mitigation => "mitigation",
            Self::NoFixPlanned => "no_fix_planned",
            Self::NoneAvailable => "none_available",
        }
    }

    fn cyclonedx(self) -> &'static str {
        match self {
            Self::VendorFix => "update",
            Self::Workaround | Self::Mitigation => "workaround_available",
            Self::NoFixPlanned => "will_not_fix",
            Self::NoneAvailable => "can_not_fix",
        }
    }
}

/// A customer-facing security advisory for one vulnerability.
#[derive(Debug, Clone, PartialEq)]
pub struct SecurityAdvisory {
    pub id: String,
    pub revision: u32,
    /// One entry per revision, numbered 1..=`revision`.
    pub history: Vec<Revision>,
    pub title: String,
    pub publisher: Publisher,
    pub published: Timestamp,
    pub updated: Timestamp,
    pub cve: Option<String>,
    /// GHSA, OSV or the manufacturer's own ids.
    pub other_ids: Vec<String>,
    pub summary: String,
    pub cvss: Vec<String>,
    pub affected: Vec<AffectedProduct>,
    pub recommended_action: String,
    pub verification_steps: Vec<String>,
    /// URLs.
    pub references: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AffectedProduct {
    pub product_id: String,
    pub name: String,
    /// The affected versions, each one named.
    pub versions: Vec<String>,
    pub fixed_in: Option<String>,
}

#[derive(Debug, Error, PartialEq)]
pub enum VexError {
    #[error("the document has no statements; every VEX format needs at least one")]
    NoStatements,
    #[error("two statements about {vulnerability} in {purl}")]
    DuplicateStatement { vulnerability: String, purl: String },
    #[error("invalid CVSS vector for {vulnerability}: {source}")]
    Cvss {
        vulnerability: String,
        #[source]
        source: CvssError,
    },
    #[error("revision history: {0}")]
    RevisionHistory(String),
    #[error("the advisory names no affected product version")]
    NoAffectedProducts,
    #[error("the document fails the {schema:?} schema, so it is not released:\n{}", errors.join("\n"))]
    Schema {
        schema: validate::Schema,
        errors: Vec<String>,
    },
}

/// Checks what every VEX writer relies on.
fn check_document(doc: &VexDocument) -> Result<(), VexError> {
    if doc.statements.is_empty() {
        return Err(VexError::NoStatements);
    }
    let mut seen = BTreeSet::new();
    for statement in &doc.statements {
        let key = (&statement.vulnerability.id, &statement.component.purl);
        if !seen.insert(key) {
            return Err(VexError::DuplicateStatement {
                vulnerability: key.0.clone(),
                purl: key.1.clone(),
            });
        }
    }
    check_history(doc.revision, &doc.history)
}

fn check_advisory(advisory: &SecurityAdvisory) -> Result<(), VexError> {
    if advisory.affected.iter().all(|p| p.versions.is_empty()) {
        return Err(VexError::NoAffectedProducts);
    }
    check_history(advisory.revision, &advisory.history)
}

/// CSAF mandatory tests 6.1.14, 6.1.16, 6.1.21 and 6.1.22 reject anything but revisions
/// 1..=current in date order.
fn check_history(revision: u32, history: &[Revision]) -> Result<(), VexError> {
    if revision == 0 {
        return Err(VexError::RevisionHistory(
            "a published document starts at revision 1".into(),
        ));
    }
    let numbers: Vec<u32> = history.iter().map(|r| r.number).collect();
    let expected: Vec<u32> = (1..=revision).collect();
    if numbers != expected {
        return Err(VexError::RevisionHistory(format!(
            "numbers {numbers:?} are not 1..={revision}"
        )));
    }
    if history.windows(2).any(|w| w[1].date < w[0].date) {
        return Err(VexError::RevisionHistory(
            "dates are not in ascending order".into(),
        ));
    }
    Ok(())
}

/// Scores every vector of a vulnerability, in input order.
fn scores(vulnerability: &str, vectors: &[String]) -> Result<Vec<Score>, VexError> {
    vectors
        .iter()
        .map(|v| {
            vigilo_cvss::score(v).map_err(|source| VexError::Cvss {
                vulnerability: vulnerability.to_owned(),
                source,
            })
        })
        .collect()
}

fn is_cve(id: &str) -> bool {
    id.strip_prefix("CVE-")
        .and_then(|rest| rest.split_once('-'))
        .is_some_and(|(year, seq)| {
            year.len() == 4
                && seq.len() >= 4
                && year.bytes().chain(seq.bytes()).all(|b| b.is_ascii_digit())
        })
}

/// The CVE among an id and its aliases, if any.
fn cve_of<'a>(id: &'a str, aliases: &'a [String]) -> Option<&'a str> {
    std::iter::once(id)
        .chain(aliases.iter().map(String::as_str))
        .find(|i| is_cve(i))
}

/// Where a reader finds the public record of a vulnerability id.
fn advisory_url(id: &str) -> String {
    if is_cve(id) {
        format!("https://nvd.nist.gov/vuln/detail/{id}")
    } else if id.starts_with("GHSA-") {
        format!("https://github.com/advisories/{id}")
    } else {
        format!("https://osv.dev/vulnerability/{id}")
    }
}

fn component_label(component: &Component) -> String {
    match &component.version {
        Some(v) => format!("{} {v}", component.name),
        None => component.name.clone(),
    }
}

/// RFC 3339 in UTC, as all three formats want it.
fn rfc3339(ts: Timestamp) -> String {
    ts.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cve_ids_are_recognised_by_shape() {
        assert!(is_cve("CVE-2021-44228"));
        assert!(is_cve("CVE-2024-1234567"));
        assert!(!is_cve("CVE-21-44228"));
        assert!(!is_cve("CVE-2021-442"));
        assert!(!is_cve("GHSA-9f46-5r25-5wfm"));
        assert!(!is_cve("CVE-2021-4422x"));
    }

    #[test]
    fn history_must_be_complete_and_ordered() {
        let at = |s: &str| s.parse::<Timestamp>().unwrap();
        let rev = |number, date| Revision {
            number,
            date: at(date),
            summary: "s".into(),
        };
        let good = [
            rev(1, "2024-01-01T00:00:00Z"),
            rev(2, "2024-02-01T00:00:00Z"),
        ];
        assert_eq!(check_history(2, &good), Ok(()));
        assert!(check_history(3, &good).is_err());
        assert!(check_history(0, &[]).is_err());
        let skipped = [
            rev(1, "2024-01-01T00:00:00Z"),
            rev(3, "2024-02-01T00:00:00Z"),
        ];
        assert!(check_history(3, &skipped).is_err());
        let unordered = [
            rev(1, "2024-03-01T00:00:00Z"),
            rev(2, "2024-02-01T00:00:00Z"),
        ];
        assert!(check_history(2, &unordered).is_err());
    }
}
