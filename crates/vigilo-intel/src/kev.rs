//! The CISA Known Exploited Vulnerabilities catalog (JSON, `known_exploited_vulnerabilities.json`).

use crate::{IntelError, is_cve};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::Deserialize;
use std::collections::HashSet;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KevCatalog {
    /// `catalogVersion`, e.g. `2025.08.25`: the same version is the same catalog.
    pub version: String,
    pub released: Timestamp,
    pub entries: Vec<KevEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KevEntry {
    pub cve: String,
    pub vendor: String,
    pub product: String,
    pub name: String,
    pub date_added: Date,
    /// The remediation deadline CISA sets for US federal agencies; a useful outside yardstick.
    pub due_date: Date,
    /// `knownRansomwareCampaignUse` is `Known`; catalogs before the field existed count as not.
    pub known_ransomware: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawCatalog {
    catalog_version: String,
    date_released: String,
    vulnerabilities: Vec<serde_json::Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawEntry {
    #[serde(rename = "cveID")]
    cve_id: String,
    vendor_project: String,
    product: String,
    vulnerability_name: String,
    date_added: String,
    due_date: String,
    known_ransomware_campaign_use: Option<String>,
}

fn date(file: &str, at: &str, field: &str, value: &str) -> Result<Date, IntelError> {
    value.parse().map_err(|_| {
        IntelError::new(
            file,
            at,
            format!("{field} {value:?}: expected a date YYYY-MM-DD"),
        )
    })
}

fn entry(file: &str, index: usize, value: serde_json::Value) -> Result<KevEntry, IntelError> {
    let mut at = format!("vulnerabilities[{index}]");
    let raw: RawEntry = serde_json::from_value(value)
        .map_err(|e| IntelError::new(file, &at, format!("{e}; expected a KEV entry")))?;
    at.push_str(&format!(" ({})", raw.cve_id));
    if !is_cve(&raw.cve_id) {
        return Err(IntelError::new(
            file,
            &at,
            "cveID: expected a CVE id CVE-YYYY-NNNN",
        ));
    }
    let known_ransomware = match raw.known_ransomware_campaign_use.as_deref() {
        Some("Known") => true,
        Some("Unknown") | None => false,
        Some(other) => {
            return Err(IntelError::new(
                file,
                &at,
                format!("knownRansomwareCampaignUse {other:?}: expected Known or Unknown"),
            ));
        }
    };
    Ok(KevEntry {
        date_added: date(file, &at, "dateAdded", &raw.date_added)?,
        due_date: date(file, &at, "dueDate", &raw.due_date)?,
        cve: raw.cve_id,
        vendor: raw.vendor_project,
        product: raw.product,
        name: raw.vulnerability_name,
        known_ransomware,
    })
}

/// Parses a KEV catalog; `file` names it in errors. Every entry must be complete and each CVE
/// listed once: a catalog read in part would silently drop exploited vulnerabilities.
pub fn parse_kev(file: &str, bytes: &[u8]) -> Result<KevCatalog, IntelError> {
    let raw: RawCatalog = serde_json::from_slice(bytes).map_err(|e| {
        let message = e.to_string();
        let message = message
            .rsplit_once(" at line ")
            .map_or(message.as_str(), |(m, _)| m);
        IntelError::new(
            file,
            format!("line {} column {}", e.line(), e.column()),
            format!("{message}; expected a CISA KEV catalog"),
        )
    })?;
    let released = raw.date_released.parse().map_err(|_| {
        IntelError::new(
            file,
            "dateReleased",
            format!("{:?}: expected an RFC 3339 instant", raw.date_released),
        )
    })?;
    let mut seen = HashSet::new();
    let mut entries = Vec::with_capacity(raw.vulnerabilities.len());
    for (index, value) in raw.vulnerabilities.into_iter().enumerate() {
        let e = entry(file, index, value)?;
        if !seen.insert(e.cve.clone()) {
            return Err(IntelError::new(
                file,
                format!("vulnerabilities[{index}] ({})", e.cve),
                "listed twice; expected each CVE once",
            ));
        }
        entries.push(e);
    }
    Ok(KevCatalog {
        version: raw.catalog_version,
        released,
        entries,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog(vulnerabilities: &str) -> String {
        format!(
            r#"{{"title": "t", "catalogVersion": "2025.08.25", "dateReleased": "2025-08-25T17:04:19.9796Z",
                "count": 1, "vulnerabilities": [{vulnerabilities}]}}"#
        )
    }

    const ENTRY: &str = r#"{"cveID": "CVE-2024-3400", "vendorProject": "Palo Alto Networks",
        "product": "PAN-OS", "vulnerabilityName": "PAN-OS Command Injection",
        "dateAdded": "2024-04-12", "shortDescription": "s", "requiredAction": "r",
        "dueDate": "2024-04-19", "knownRansomwareCampaignUse": "Known", "notes": "", "cwes": ["CWE-77"]}"#;

    #[test]
    fn reads_the_reference_catalog() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/known_exploited_vulnerabilities.json"
        );
        let kev = parse_kev("kev.json", &std::fs::read(path).unwrap()).unwrap();
        assert_eq!(kev.version, "2025.08.25");
        let pan = kev
            .entries
            .iter()
            .find(|e| e.cve == "CVE-2024-3400")
            .unwrap();
        assert_eq!(pan.date_added, jiff::civil::date(2024, 4, 12));
        assert_eq!(pan.due_date, jiff::civil::date(2024, 4, 19));
    }

    #[test]
    fn reads_an_entry() {
        let kev = parse_kev("k.json", catalog(ENTRY).as_bytes()).unwrap();
        assert_eq!(kev.released.to_string(), "2025-08-25T17:04:19.9796Z");
        assert_eq!(
            kev.entries,
            [KevEntry {
                cve: "CVE-2024-3400".into(),
                vendor: "Palo Alto Networks".into(),
                product: "PAN-OS".into(),
                name: "PAN-OS Command Injection".into(),
                date_added: jiff::civil::date(2024, 4, 12),
                due_date: jiff::civil::date(2024, 4, 19),
                known_ransomware: true,
            }]
        );
    }

    #[test]
    fn errors_name_file_and_position() {
        let e = parse_kev("k.json", b"{\"catalogVersion\": \n ,}").unwrap_err();
        assert_eq!(
            (e.file.as_str(), e.position.as_str()),
            ("k.json", "line 2 column 2")
        );
        let missing = ENTRY.replace(r#""dueDate": "2024-04-19","#, "");
        let e =
            parse_kev("k.json", catalog(&format!("{ENTRY}, {missing}")).as_bytes()).unwrap_err();
        assert_eq!(e.position, "vulnerabilities[1]");
        assert!(e.problem.contains("dueDate"), "{e}");
        let bad = ENTRY.replace("2024-04-12", "12.04.2024");
        let e = parse_kev("k.json", catalog(&bad).as_bytes()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "k.json: vulnerabilities[0] (CVE-2024-3400): dateAdded \"12.04.2024\": expected a date YYYY-MM-DD"
        );
        let e = parse_kev("k.json", catalog(&format!("{ENTRY}, {ENTRY}")).as_bytes()).unwrap_err();
        assert!(
            e.to_string().contains("[1] (CVE-2024-3400): listed twice"),
            "{e}"
        );
        let e = parse_kev(
            "k.json",
            catalog(&ENTRY.replace("CVE-2024-3400", "CVE-24")).as_bytes(),
        )
        .unwrap_err();
        assert!(e.problem.contains("expected a CVE id"), "{e}");
    }
}
