//! CSAF 2.0: the `csaf_vex` and `csaf_security_advisory` profiles.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value, json};
use vigilo_cvss::{CvssVersion, Score};

use crate::{
    Publisher, Revision, SecurityAdvisory, Statement, Status, VexDocument, VexError,
    check_advisory, check_document, component_label, cve_of, is_cve, rfc3339, scores,
};

/// The file name CSAF §5.1 prescribes for a document with this `tracking.id`.
pub fn csaf_filename(id: &str) -> String {
    let stem: String = id
        .to_lowercase()
        .chars()
        .map(|c| match c {
            'a'..='z' | '0'..='9' | '+' | '-' => c,
            _ => '_',
        })
        .collect();
    format!("{stem}.json")
}

/// Writes the document as CSAF 2.0 with the `csaf_vex` profile.
///
/// The product version is a `product_version` branch under the publisher and product name;
/// each component is a full product name identified by its purl, and each finding's subject is
/// the relationship "component `default_component_of` product". Statements are grouped into one
/// vulnerability per vulnerability id (CSAF allows a CVE only once per document). Product ids
/// are derived from the input, not numbered, so they stay the same across revisions:
/// `<product id>@<version>` for the product, the purl for a component, and
/// `<product id>@<version>:<purl>` for the component in the product.
///
/// CSAF 2.0 has no CVSS v4.0 object, so v4.0 vectors are left out of `scores`; v3.1 is preferred
/// over v3.0 because a product may carry only one `cvss_v3` per vulnerability (test 6.1.7).
pub fn csaf_vex(doc: &VexDocument) -> Result<Value, VexError> {
    check_document(doc)?;
    let product = &doc.product;
    let product_pid = format!("{}@{}", product.id, product.version);
    let product_name = format!("{} {}", product.name, product.version);

    let mut helper = Map::new();
    if let Some(purl) = &product.purl {
        helper.insert("purl".into(), json!(purl));
    }
    if let Some(serial) = &product.sbom_serial {
        let uuid = serial.strip_prefix("urn:uuid:").unwrap_or(serial);
        helper.insert(
            "sbom_urls".into(),
            json!([format!(
                "urn:cdx:{uuid}/{}",
                product.sbom_version.unwrap_or(1)
            )]),
        );
    }
    let mut version_product = Map::new();
    version_product.insert("name".into(), json!(product_name));
    version_product.insert("product_id".into(), json!(product_pid));
    if !helper.is_empty() {
        version_product.insert(
            "product_identification_helper".into(),
            Value::Object(helper),
        );
    }

    let mut components = BTreeMap::new();
    let mut relationships = BTreeMap::new();
    let mut by_vulnerability: BTreeMap<&str, Vec<&Statement>> = BTreeMap::new();
    for statement in &doc.statements {
        let component = &statement.component;
        let label = component_label(component);
        components.insert(
            component.purl.as_str(),
            json!({
                "name": label,
                "product_id": component.purl,
                "product_identification_helper": { "purl": component.purl },
            }),
        );
        let pid = relationship_pid(&product_pid, &component.purl);
        relationships.insert(
            pid.clone(),
            json!({
                "category": "default_component_of",
                "product_reference": component.purl,
                "relates_to_product_reference": product_pid,
                "full_product_name": {
                    "name": format!("{label} as a component of {product_name}"),
                    "product_id": pid,
                },
            }),
        );
        by_vulnerability
            .entry(statement.vulnerability.id.as_str())
            .or_default()
            .push(statement);
    }

    let mut vulnerabilities = Vec::with_capacity(by_vulnerability.len());
    for (id, mut statements) in by_vulnerability {
        statements.sort_by(|a, b| a.component.purl.cmp(&b.component.purl));
        vulnerabilities.push(vex_vulnerability(id, &product_pid, &statements)?);
    }

    Ok(json!({
        "document": {
            "category": "csaf_vex",
            "csaf_version": "2.0",
            "lang": "en",
            "title": format!("VEX for {product_name}"),
            "publisher": publisher(&doc.publisher),
            "notes": [{
                "category": "summary",
                "title": "About this document",
                "text": format!(
                    "The exploitability of known vulnerabilities in the components of {product_name}, \
                     as assessed by {}.",
                    doc.publisher.name
                ),
            }],
            "tracking": tracking(&doc.id, doc.revision, &doc.history, doc.issued, doc.updated),
        },
        "product_tree": {
            "branches": [{
                "category": "vendor",
                "name": doc.publisher.name,
                "branches": [{
                    "category": "product_name",
                    "name": product.name,
                    "branches": [{
                        "category": "product_version",
                        "name": product.version,
                        "product": version_product,
                    }],
                }],
            }],
            "full_product_names": components.into_values().collect::<Vec<_>>(),
            "relationships": relationships.into_values().collect::<Vec<_>>(),
        },
        "vulnerabilities": vulnerabilities,
    }))
}

fn relationship_pid(product_pid: &str, purl: &str) -> String {
    format!("{product_pid}:{purl}")
}

/// One CSAF vulnerability from the statements about it, sorted by component purl.
fn vex_vulnerability(
    id: &str,
    product_pid: &str,
    statements: &[&Statement],
) -> Result<Value, VexError> {
    // Every statement of the group names the same vulnerability; aliases, summary and vectors
    // are merged in case the store recorded them with one finding and not another.
    let mut aliases = BTreeSet::new();
    let mut summary = None;
    let mut vectors = Vec::new();
    for statement in statements {
        let vulnerability = &statement.vulnerability;
        aliases.extend(vulnerability.aliases.iter().cloned());
        summary = summary.or(vulnerability.summary.as_deref());
        for vector in &vulnerability.cvss {
            if !vectors.contains(vector) {
                vectors.push(vector.clone());
            }
        }
    }
    let aliases: Vec<String> = aliases.into_iter().collect();

    let mut notes = vec![json!({
        "category": "description",
        "title": "Summary",
        "text": summary.map_or_else(
            || format!("{id}; see {} for details.", crate::advisory_url(id)),
            str::to_owned,
        ),
    })];
    let mut status: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    let mut flags = Vec::new();
    let mut threats = Vec::new();
    let mut remediations = Vec::new();
    let mut scored = Vec::new();
    for statement in statements {
        let pid = relationship_pid(product_pid, &statement.component.purl);
        let mut detail: Vec<String> = statement.detail.iter().cloned().collect();
        let date = rfc3339(statement.timestamp);
        match &statement.status {
            Status::NotAffected {
                justification,
                impact,
            } => {
                status
                    .entry("known_not_affected")
                    .or_default()
                    .push(pid.clone());
                flags.push(
                    json!({ "label": justification.label(), "date": date, "product_ids": [pid] }),
                );
                threats.push(json!({
                    "category": "impact",
                    "details": impact.as_deref().unwrap_or(justification.describe()),
                    "date": date,
                    "product_ids": [pid],
                }));
            }
            Status::Affected {
                action,
                remediation,
            } => {
                status
                    .entry("known_affected")
                    .or_default()
                    .push(pid.clone());
                remediations.push(json!({
                    "category": remediation.csaf(),
                    "details": action,
                    "date": date,
                    "product_ids": [pid],
                }));
                scored.push(pid);
            }
            Status::Fixed { fixed_in } => {
                status.entry("fixed").or_default().push(pid.clone());
                detail.extend(fixed_in.iter().map(|v| format!("Fixed in version {v}.")));
                scored.push(pid);
            }
            Status::UnderInvestigation => {
                status
                    .entry("under_investigation")
                    .or_default()
                    .push(pid.clone());
                scored.push(pid);
            }
        }
        if !detail.is_empty() {
            notes.push(json!({
                "category": "details",
                "title": format!("Assessment for {}", component_label(&statement.component)),
                "text": detail.join("\n\n"),
            }));
        }
    }

    let mut v = Map::new();
    if let Some(cve) = cve_of(id, &aliases) {
        v.insert("cve".into(), json!(cve));
    }
    let ids = ids(std::iter::once(id).chain(aliases.iter().map(String::as_str)));
    if !ids.is_empty() {
        v.insert("ids".into(), Value::Array(ids));
    }
    v.insert("notes".into(), Value::Array(notes));
    v.insert("product_status".into(), json!(status));
    if !flags.is_empty() {
        v.insert("flags".into(), Value::Array(flags));
    }
    if !threats.is_empty() {
        v.insert("threats".into(), Value::Array(threats));
    }
    if !remediations.is_empty() {
        v.insert("remediations".into(), Value::Array(remediations));
    }
    let scores = csaf_scores(&scores(id, &vectors)?, &scored);
    if !scores.is_empty() {
        v.insert("scores".into(), Value::Array(scores));
    }
    Ok(Value::Object(v))
}

/// Writes the advisory as CSAF 2.0 with the `csaf_security_advisory` profile.
///
/// Each affected product is a `product_name` branch with one `product_version` branch per
/// affected version, in the order given, and one for the fixed version; their product ids are
/// `<product id>@<version>`. The recommended action is the remediation of the affected versions
/// (`vendor_fix` where a fixed version exists, `mitigation` otherwise) and the verification
/// steps are a numbered note on the vulnerability.
pub fn csaf_advisory(advisory: &SecurityAdvisory) -> Result<Value, VexError> {
    check_advisory(advisory)?;
    let label = advisory.cve.as_deref().unwrap_or(&advisory.id);
    let scores_of = scores(label, &advisory.cvss)?;

    let mut products = Vec::new();
    let mut known_affected = Vec::new();
    let mut fixed = Vec::new();
    let mut remediations = Vec::new();
    let mut affected: Vec<_> = advisory.affected.iter().collect();
    affected.sort_by(|a, b| a.product_id.cmp(&b.product_id));
    for product in affected {
        let mut versions: Vec<&str> = Vec::new();
        for version in product.versions.iter().chain(&product.fixed_in) {
            if !versions.contains(&version.as_str()) {
                versions.push(version);
            }
        }
        let pid = |version: &str| format!("{}@{version}", product.product_id);
        let branches: Vec<Value> = versions
            .iter()
            .map(|version| {
                json!({
                    "category": "product_version",
                    "name": version,
                    "product": { "name": format!("{} {version}", product.name), "product_id": pid(version) },
                })
            })
            .collect();
        products.push(
            json!({ "category": "product_name", "name": product.name, "branches": branches }),
        );
        let affected_ids: Vec<String> = product
            .versions
            .iter()
            .filter(|v| Some(*v) != product.fixed_in.as_ref())
            .map(|v| pid(v))
            .collect();
        if let Some(version) = &product.fixed_in {
            fixed.push(pid(version));
        }
        if affected_ids.is_empty() {
            continue;
        }
        let (category, details) = match &product.fixed_in {
            Some(version) => (
                "vendor_fix",
                format!(
                    "{}\n\nFixed in {} {version}.",
                    advisory.recommended_action, product.name
                ),
            ),
            None => ("mitigation", advisory.recommended_action.clone()),
        };
        remediations
            .push(json!({ "category": category, "details": details, "product_ids": affected_ids }));
        known_affected.extend(affected_ids);
    }
    if known_affected.is_empty() {
        return Err(VexError::NoAffectedProducts);
    }

    let mut notes =
        vec![json!({ "category": "description", "title": "Summary", "text": advisory.summary })];
    if !advisory.verification_steps.is_empty() {
        let steps: Vec<String> = advisory
            .verification_steps
            .iter()
            .enumerate()
            .map(|(i, step)| format!("{}. {step}", i + 1))
            .collect();
        notes.push(json!({ "category": "details", "title": "Verification steps", "text": steps.join("\n") }));
    }

    let mut v = Map::new();
    if let Some(cve) = &advisory.cve {
        v.insert("cve".into(), json!(cve));
    }
    let ids = ids(advisory.other_ids.iter().map(String::as_str));
    if !ids.is_empty() {
        v.insert("ids".into(), Value::Array(ids));
    }
    v.insert("notes".into(), Value::Array(notes));
    let mut status = Map::new();
    status.insert("known_affected".into(), json!(known_affected));
    if !fixed.is_empty() {
        status.insert("fixed".into(), json!(fixed));
    }
    v.insert("product_status".into(), Value::Object(status));
    v.insert("remediations".into(), Value::Array(remediations));
    let scores = csaf_scores(&scores_of, &known_affected);
    if !scores.is_empty() {
        v.insert("scores".into(), Value::Array(scores));
    }

    let mut document = Map::new();
    document.insert("category".into(), json!("csaf_security_advisory"));
    document.insert("csaf_version".into(), json!("2.0"));
    document.insert("lang".into(), json!("en"));
    document.insert("title".into(), json!(advisory.title));
    document.insert("publisher".into(), publisher(&advisory.publisher));
    if let Some(worst) = scores_of.iter().map(|s| s.severity).max() {
        document.insert(
            "aggregate_severity".into(),
            json!({ "text": capitalised(worst) }),
        );
    }
    document.insert(
        "notes".into(),
        json!([{ "category": "summary", "title": "Summary", "text": advisory.summary }]),
    );
    if !advisory.references.is_empty() {
        let references: Vec<Value> = advisory
            .references
            .iter()
            .map(|url| json!({ "category": "external", "summary": url, "url": url }))
            .collect();
        document.insert("references".into(), Value::Array(references));
    }
    document.insert(
        "tracking".into(),
        tracking(
            &advisory.id,
            advisory.revision,
            &advisory.history,
            advisory.published,
            advisory.updated,
        ),
    );

    Ok(json!({
        "document": document,
        "product_tree": {
            "branches": [{ "category": "vendor", "name": advisory.publisher.name, "branches": products }],
        },
        "vulnerabilities": [v],
    }))
}

fn publisher(publisher: &Publisher) -> Value {
    let mut p = Map::new();
    p.insert("category".into(), json!("vendor"));
    p.insert("name".into(), json!(publisher.name));
    p.insert("namespace".into(), json!(publisher.namespace));
    if let Some(contact) = &publisher.contact {
        p.insert("contact_details".into(), json!(contact));
    }
    Value::Object(p)
}

fn tracking(
    id: &str,
    revision: u32,
    history: &[Revision],
    initial: jiff::Timestamp,
    current: jiff::Timestamp,
) -> Value {
    let history: Vec<Value> = history
        .iter()
        .map(|r| json!({ "date": rfc3339(r.date), "number": r.number.to_string(), "summary": r.summary }))
        .collect();
    json!({
        "id": id,
        "status": "final",
        "version": revision.to_string(),
        "revision_history": history,
        "initial_release_date": rfc3339(initial),
        "current_release_date": rfc3339(current),
        "generator": { "engine": { "name": "Vigilo", "version": env!("CARGO_PKG_VERSION") } },
    })
}

/// `ids[]` for every id that is not a CVE, sorted, named by the database its prefix denotes.
fn ids<'a>(all: impl Iterator<Item = &'a str>) -> Vec<Value> {
    let others: BTreeSet<&str> = all.filter(|i| !is_cve(i)).collect();
    others
        .into_iter()
        .map(|text| {
            let system = match text.split_once('-') {
                Some(("GHSA", _)) => "GitHub Advisory Database",
                Some((prefix, _)) if !prefix.is_empty() => prefix,
                _ => "OSV",
            };
            json!({ "system_name": system, "text": text })
        })
        .collect()
}

/// At most one `cvss_v3` and one `cvss_v2` for the products: CSAF test 6.1.7 forbids two
/// scores of one version for a product.
fn csaf_scores(scores: &[Score], products: &[String]) -> Vec<Value> {
    if products.is_empty() {
        return Vec::new();
    }
    let v3 = scores
        .iter()
        .filter(|s| s.version == CvssVersion::V3_1)
        .chain(scores.iter().filter(|s| s.version == CvssVersion::V3_0))
        .next();
    let v2 = scores.iter().find(|s| s.version == CvssVersion::V2_0);
    let mut out = Vec::new();
    if let Some(s) = v3 {
        out.push(json!({
            "products": products,
            "cvss_v3": {
                "version": s.version.to_string(),
                "vectorString": s.vector,
                "baseScore": s.base_score,
                "baseSeverity": s.severity.to_string().to_uppercase(),
            },
        }));
    }
    if let Some(s) = v2 {
        // FIRST's v2.0 schema wants the bare vector.
        let bare = s.vector.strip_prefix("CVSS:2.0/").unwrap_or(&s.vector);
        let bare = bare.trim_start_matches('(').trim_end_matches(')');
        out.push(json!({
            "products": products,
            "cvss_v2": { "version": "2.0", "vectorString": bare, "baseScore": s.base_score },
        }));
    }
    out
}

fn capitalised(severity: vigilo_cvss::Severity) -> String {
    let text = severity.to_string();
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filename_follows_csaf_5_1() {
        assert_eq!(
            csaf_filename("VIGILO-VEX-pump-2.1.0"),
            "vigilo-vex-pump-2_1_0.json"
        );
        assert_eq!(
            csaf_filename("Example Company/2024 #1"),
            "example_company_2024__1.json"
        );
    }
}
