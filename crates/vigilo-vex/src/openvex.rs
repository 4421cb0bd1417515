//! OpenVEX 0.2.0.

use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::{Map, Value, json};

use crate::{Status, VexDocument, VexError, advisory_url, check_document, rfc3339};

/// Writes the document as OpenVEX 0.2.0, one statement per input statement, sorted by
/// vulnerability id and component purl.
///
/// The product is named by its purl when it has one, otherwise by an IRI under the
/// publisher's namespace; the component is the statement's subcomponent, named by its purl.
pub fn openvex(doc: &VexDocument) -> Result<Value, VexError> {
    check_document(doc)?;
    let namespace = doc.publisher.namespace.trim_end_matches('/');
    let product_iri = doc.product.purl.clone().unwrap_or_else(|| {
        format!(
            "{namespace}/product/{}/{}",
            segment(&doc.product.id),
            segment(&doc.product.version)
        )
    });

    let mut statements: Vec<_> = doc.statements.iter().collect();
    statements.sort_by(|a, b| {
        (&a.vulnerability.id, &a.component.purl).cmp(&(&b.vulnerability.id, &b.component.purl))
    });
    let statements: Vec<Value> = statements
        .into_iter()
        .map(|statement| {
            let vulnerability = &statement.vulnerability;
            let mut v = Map::new();
            v.insert("@id".into(), json!(advisory_url(&vulnerability.id)));
            v.insert("name".into(), json!(vulnerability.id));
            if let Some(summary) = &vulnerability.summary {
                v.insert("description".into(), json!(summary));
            }
            let mut aliases: Vec<&String> = vulnerability.aliases.iter().collect();
            aliases.sort();
            aliases.dedup();
            if !aliases.is_empty() {
                v.insert("aliases".into(), json!(aliases));
            }

            let mut s = Map::new();
            s.insert("vulnerability".into(), Value::Object(v));
            s.insert("timestamp".into(), json!(rfc3339(statement.timestamp)));
            s.insert(
                "products".into(),
                json!([{
                    "@id": product_iri,
                    "subcomponents": [{ "@id": statement.component.purl }],
                }]),
            );
            let mut notes: Vec<String> = statement.detail.iter().cloned().collect();
            match &statement.status {
                Status::NotAffected {
                    justification,
                    impact,
                } => {
                    s.insert("status".into(), json!("not_affected"));
                    s.insert("justification".into(), json!(justification.label()));
                    if let Some(impact) = impact {
                        s.insert("impact_statement".into(), json!(impact));
                    }
                }
                Status::Affected { action, .. } => {
                    s.insert("status".into(), json!("affected"));
                    s.insert("action_statement".into(), json!(action));
                }
                Status::Fixed { fixed_in } => {
                    s.insert("status".into(), json!("fixed"));
                    notes.extend(fixed_in.iter().map(|v| format!("Fixed in version {v}.")));
                }
                Status::UnderInvestigation => {
                    s.insert("status".into(), json!("under_investigation"));
                }
            }
            if !notes.is_empty() {
                s.insert("status_notes".into(), json!(notes.join("\n\n")));
            }
            Value::Object(s)
        })
        .collect();

    Ok(json!({
        "@context": "https://openvex.dev/ns/v0.2.0",
        "@id": format!("{namespace}/vex/{}", segment(&doc.id)),
        "author": doc.publisher.name,
        "timestamp": rfc3339(doc.issued),
        "last_updated": rfc3339(doc.updated),
        "version": doc.revision,
        "tooling": format!("Vigilo {}", env!("CARGO_PKG_VERSION")),
        "statements": statements,
    }))
}

/// One IRI path segment; ids are free text and may hold `/`, spaces or `#`.
fn segment(text: &str) -> String {
    const KEEP: &percent_encoding::AsciiSet = &NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~');
    utf8_percent_encode(text, KEEP).to_string()
}
