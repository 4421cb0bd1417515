//! Exploitation intelligence for cybersecurity PMS (SPEC §3.5): the CISA Known Exploited
//! Vulnerabilities catalog and FIRST's EPSS scores, parsed without I/O, and the review rule of
//! the advisory-sources register. Errors name the file, the position and what was expected.

pub mod epss;
pub mod kev;
pub mod register;

pub use epss::{EpssCatalog, EpssScore, parse_epss};
pub use kev::{KevCatalog, KevEntry, parse_kev};

/// A feed file that cannot be read completely: nothing of it is to be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {position}: {problem}")]
pub struct IntelError {
    pub file: String,
    /// `line N` or, where a JSON document has no useful line, the entry (`vulnerabilities[3]`).
    pub position: String,
    pub problem: String,
}

impl IntelError {
    fn new(file: &str, position: impl Into<String>, problem: impl Into<String>) -> Self {
        Self {
            file: file.to_owned(),
            position: position.into(),
            problem: problem.into(),
        }
    }
}

/// Whether `id` is a CVE id as MITRE assigns them (`CVE-YYYY-NNNN`, four or more digits).
pub fn is_cve(id: &str) -> bool {
    let Some(rest) = id.strip_prefix("CVE-") else {
        return false;
    };
    let Some((year, number)) = rest.split_once('-') else {
        return false;
    };
    year.len() == 4
        && number.len() >= 4
        && year.bytes().all(|b| b.is_ascii_digit())
        && number.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::is_cve;

    #[test]
    fn cve_ids_have_a_year_and_four_or_more_digits() {
        assert!(is_cve("CVE-2024-3400"));
        assert!(is_cve("CVE-2021-1234567"));
        for bad in [
            "CVE-2024-340",
            "cve-2024-3400",
            "CVE-24-3400",
            "GHSA-x",
            "CVE-2024-34a0",
        ] {
            assert!(!is_cve(bad), "{bad}");
        }
    }
}
