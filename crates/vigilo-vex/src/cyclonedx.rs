//! CycloneDX 1.6 VEX.

use std::collections::BTreeMap;

use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};
use vigilo_cvss::{CvssVersion, Score};

use crate::{Status, VexDocument, VexError, advisory_url, check_document, is_cve, rfc3339, scores};

/// The characters a URI fragment cannot hold as they are (WHATWG fragment set), plus `#` and
/// `%` so that a bom-ref containing them survives the round trip through the bom-link.
const FRAGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'<')
    .add(b'>')
    .add(b'`')
    .add(b'#')
    .add(b'%');

/// Writes the document as a CycloneDX 1.6 VEX BOM, one `vulnerabilities[]` entry per
/// statement, sorted by vulnerability id and component purl.
///
/// When the product names its SBOM (`sbom_serial`), `affects[].ref` is a BOM-Link
/// `urn:cdx:<serial>/<version>#<bom-ref>` into that SBOM and the VEX carries no components;
/// otherwise the components are listed here and referenced by their bom-ref. The component's
/// purl stands in for a missing bom-ref.
///
/// `serialNumber` is derived from the publisher namespace and the document id, so every
/// revision of one document shares it and `version` tells them apart.
pub fn cyclonedx(doc: &VexDocument) -> Result<Value, VexError> {
    check_document(doc)?;
    let mut statements: Vec<_> = doc.statements.iter().collect();
    statements.sort_by(|a, b| {
        (&a.vulnerability.id, &a.component.purl).cmp(&(&b.vulnerability.id, &b.component.purl))
    });

    let sbom_link = doc.product.sbom_serial.as_ref().map(|serial| {
        let uuid = serial.strip_prefix("urn:uuid:").unwrap_or(serial);
        // A BOM's `version` defaults to 1 in the CycloneDX schema.
        format!("urn:cdx:{uuid}/{}", doc.product.sbom_version.unwrap_or(1))
    });

    let mut components = BTreeMap::new();
    let mut vulnerabilities = Vec::with_capacity(statements.len());
    for statement in statements {
        let component = &statement.component;
        let bom_ref = component.bom_ref.as_deref().unwrap_or(&component.purl);
        let reference = match &sbom_link {
            Some(link) => format!("{link}#{}", utf8_percent_encode(bom_ref, FRAGMENT)),
            None => {
                let mut c = Map::new();
                c.insert("type".into(), json!("library"));
                c.insert("bom-ref".into(), json!(bom_ref));
                c.insert("name".into(), json!(component.name));
                if let Some(version) = &component.version {
                    c.insert("version".into(), json!(version));
                }
                c.insert("purl".into(), json!(component.purl));
                components.insert(bom_ref.to_owned(), Value::Object(c));
                bom_ref.to_owned()
            }
        };

        let vulnerability = &statement.vulnerability;
        let mut v = Map::new();
        v.insert("id".into(), json!(vulnerability.id));
        v.insert("source".into(), source(&vulnerability.id));
        let mut aliases: Vec<&String> = vulnerability.aliases.iter().collect();
        aliases.sort();
        aliases.dedup();
        if !aliases.is_empty() {
            let references: Vec<Value> = aliases
                .into_iter()
                .map(|alias| json!({ "id": alias, "source": source(alias) }))
                .collect();
            v.insert("references".into(), Value::Array(references));
        }
        let ratings: Vec<Value> = scores(&vulnerability.id, &vulnerability.cvss)?
            .iter()
            .map(rating)
            .collect();
        if !ratings.is_empty() {
            v.insert("ratings".into(), Value::Array(ratings));
        }
        if let Some(summary) = &vulnerability.summary {
            v.insert("description".into(), json!(summary));
        }

        let mut analysis = Map::new();
        let mut detail: Vec<&str> = statement.detail.iter().map(String::as_str).collect();
        match &statement.status {
            Status::NotAffected {
                justification,
                impact,
            } => {
                analysis.insert("state".into(), json!("not_affected"));
                analysis.insert("justification".into(), json!(justification.cyclonedx()));
                detail.extend(impact.as_deref());
            }
            Status::Affected {
                action,
                remediation,
            } => {
                analysis.insert("state".into(), json!("exploitable"));
                analysis.insert("response".into(), json!([remediation.cyclonedx()]));
                v.insert("recommendation".into(), json!(action));
            }
            Status::Fixed { fixed_in } => {
                analysis.insert("state".into(), json!("resolved"));
                if let Some(version) = fixed_in {
                    v.insert(
                        "recommendation".into(),
                        json!(format!("Fixed in version {version}.")),
                    );
                }
            }
            Status::UnderInvestigation => {
                analysis.insert("state".into(), json!("in_triage"));
            }
        }
        if !detail.is_empty() {
            analysis.insert("detail".into(), json!(detail.join("\n\n")));
        }
        analysis.insert("lastUpdated".into(), json!(rfc3339(statement.timestamp)));
        v.insert("analysis".into(), Value::Object(analysis));
        v.insert("affects".into(), json!([{ "ref": reference }]));
        vulnerabilities.push(Value::Object(v));
    }

    let product = &doc.product;
    let mut product_component = Map::new();
    product_component.insert("type".into(), json!("application"));
    product_component.insert("name".into(), json!(product.name));
    product_component.insert("version".into(), json!(product.version));
    if let Some(purl) = &product.purl {
        product_component.insert("purl".into(), json!(purl));
    }

    let mut bom = Map::new();
    bom.insert("bomFormat".into(), json!("CycloneDX"));
    bom.insert("specVersion".into(), json!("1.6"));
    bom.insert(
        "serialNumber".into(),
        json!(serial_number(&doc.publisher.namespace, &doc.id)),
    );
    bom.insert("version".into(), json!(doc.revision));
    bom.insert(
        "metadata".into(),
        json!({
            "timestamp": rfc3339(doc.updated),
            "tools": { "components": [{
                "type": "application",
                "name": "Vigilo",
                "version": env!("CARGO_PKG_VERSION"),
            }]},
            "manufacturer": { "name": doc.publisher.name, "url": [doc.publisher.namespace] },
            "component": product_component,
        }),
    );
    if !components.is_empty() {
        bom.insert(
            "components".into(),
            Value::Array(components.into_values().collect()),
        );
    }
    bom.insert("vulnerabilities".into(), Value::Array(vulnerabilities));
    Ok(Value::Object(bom))
}

fn source(id: &str) -> Value {
    let name = if is_cve(id) {
        "NVD"
    } else if id.starts_with("GHSA-") {
        "GitHub Advisory Database"
    } else {
        "OSV"
    };
    json!({ "name": name, "url": advisory_url(id) })
}

fn rating(score: &Score) -> Value {
    let method = match score.version {
        CvssVersion::V2_0 => "CVSSv2",
        CvssVersion::V3_0 => "CVSSv3",
        CvssVersion::V3_1 => "CVSSv31",
        CvssVersion::V4_0 => "CVSSv4",
    };
    json!({
        "score": score.base_score,
        "severity": score.severity.to_string(),
        "method": method,
        "vector": score.vector,
    })
}

/// A name-based UUID (RFC 9562 version 8, SHA-256) so that the serial number is stable for a
/// document without anyone having to store it.
fn serial_number(namespace: &str, id: &str) -> String {
    let digest = Sha256::new()
        .chain_update(namespace.as_bytes())
        .chain_update([0u8])
        .chain_update(id.as_bytes())
        .finalize();
    let mut b = [0u8; 16];
    b.copy_from_slice(&digest[..16]);
    b[6] = (b[6] & 0x0f) | 0x80;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "urn:uuid:{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serial_number_is_a_stable_version_8_uuid() {
        let a = serial_number("https://psirt.example.com", "VIGILO-VEX-pump-2.1.0");
        assert_eq!(
            a,
            serial_number("https://psirt.example.com", "VIGILO-VEX-pump-2.1.0")
        );
        assert_ne!(
            a,
            serial_number("https://psirt.example.com", "VIGILO-VEX-pump-2.2.0")
        );
        assert_eq!(a.len(), "urn:uuid:".len() + 36);
        assert_eq!(&a[23..24], "8");
        assert!(matches!(&a[28..29], "8" | "9" | "a" | "b"));
    }

    #[test]
    fn bom_ref_fragment_escapes_only_what_a_fragment_cannot_hold() {
        let encoded = utf8_percent_encode("pkg:npm/%40a/b@1.0.0?x=1#sub dir", FRAGMENT);
        assert_eq!(
            encoded.to_string(),
            "pkg:npm/%2540a/b@1.0.0?x=1%23sub%20dir"
        );
    }
}
