//! SPDX 2.2 and 2.3 JSON: packages become components. Files and snippets
//! are not components (they carry no package identity to monitor), but their
//! SPDXIDs count when checking what the document describes.

use std::collections::HashSet;

use serde::Deserialize;

use crate::identifiers::{self, UniqueIds};
use crate::{Component, ErrorKind, Position, Sbom, SbomError, SbomFormat, SbomWarning, present};

/// `spdxVersion` values read, and the version each names. 2.2 documents
/// have the same package fields in JSON, apart from some 2.3 additions that
/// are simply absent.
pub(crate) const VERSIONS: [(&str, &str); 2] = [("SPDX-2.2", "2.2"), ("SPDX-2.3", "2.3")];

#[derive(Deserialize)]
#[serde(expecting = "an SPDX document object")]
pub(crate) struct Document {
    #[serde(rename = "SPDXID")]
    spdx_id: Option<String>,
    #[serde(rename = "documentNamespace")]
    namespace: Option<String>,
    #[serde(rename = "documentDescribes")]
    describes: Option<Vec<String>>,
    packages: Option<Vec<Package>>,
    files: Option<Vec<Element>>,
    snippets: Option<Vec<Element>>,
    relationships: Option<Vec<Relationship>>,
}

#[derive(Deserialize)]
#[serde(expecting = "a package object")]
struct Package {
    #[serde(rename = "SPDXID")]
    spdx_id: Option<String>,
    name: Option<String>,
    #[serde(rename = "versionInfo")]
    version: Option<String>,
    supplier: Option<String>,
    #[serde(rename = "primaryPackagePurpose")]
    purpose: Option<String>,
    #[serde(rename = "externalRefs")]
    external_refs: Option<Vec<ExternalRef>>,
}

#[derive(Deserialize)]
#[serde(expecting = "an external reference object")]
struct ExternalRef {
    #[serde(rename = "referenceType")]
    kind: Option<String>,
    #[serde(rename = "referenceLocator")]
    locator: Option<String>,
}

#[derive(Deserialize)]
#[serde(expecting = "an object with an SPDXID")]
struct Element {
    #[serde(rename = "SPDXID")]
    spdx_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(expecting = "a relationship object")]
struct Relationship {
    #[serde(rename = "spdxElementId")]
    element: Option<String>,
    #[serde(rename = "relationshipType")]
    kind: Option<String>,
    #[serde(rename = "relatedSpdxElement")]
    related: Option<String>,
}

/// Maps a document to the component list. Positions in the result are paths
/// only; the reader places them.
pub(crate) fn build(version: &str, document: Document) -> Result<Sbom, SbomError> {
    let Document {
        spdx_id,
        namespace,
        describes,
        packages,
        files,
        snippets,
        relationships,
    } = document;
    let mut warnings = Vec::new();
    let listed = packages.is_some();
    let mut ids = UniqueIds::new("SPDXID");
    let mut components = Vec::new();
    for (index, package) in packages.into_iter().flatten().enumerate() {
        let path = format!("packages[{index}]");
        components.push(component(package, &path, &mut ids, &mut warnings)?);
    }
    let others = [files, snippets];
    let elements: HashSet<&str> = ids
        .ids()
        .chain(
            others
                .iter()
                .flatten()
                .flatten()
                .filter_map(|element| element.spdx_id.as_deref()),
        )
        .collect();
    let document_id = spdx_id.as_deref().unwrap_or("SPDXRef-DOCUMENT");
    let described = described(
        document_id,
        describes,
        relationships,
        &elements,
        &mut warnings,
    );
    let mut described_packages = components.iter().enumerate().filter(|(_, component)| {
        component
            .bom_ref
            .as_ref()
            .is_some_and(|id| described.contains(id))
    });
    let subject = match (described_packages.next(), described_packages.next()) {
        (Some((index, _)), None) => Some(components.remove(index)),
        _ => None,
    };
    if components.is_empty() {
        warnings.push(SbomWarning::at(
            if listed { "packages" } else { "" },
            "expected at least one package besides the one described, found none; \
             nothing in this SBOM will be monitored",
        ));
    }
    Ok(Sbom {
        format: SbomFormat::Spdx {
            version: version.to_owned(),
        },
        serial_number: namespace,
        subject,
        components,
        warnings,
    })
}

fn component(
    package: Package,
    path: &str,
    ids: &mut UniqueIds,
    warnings: &mut Vec<SbomWarning>,
) -> Result<Component, SbomError> {
    let name = present(package.name).ok_or_else(|| {
        SbomError::new(
            ErrorKind::Invalid,
            Position::at(format!("{path}.name")),
            "a package name",
            "none",
        )
    })?;
    let bom_ref = match package.spdx_id {
        Some(id) => {
            ids.record(&id, path, warnings);
            Some(id)
        }
        None => {
            warnings.push(SbomWarning::at(
                format!("{path}.SPDXID"),
                "expected an SPDXID, found none",
            ));
            None
        }
    };
    let mut purl = None;
    let mut cpe23 = None;
    let mut cpe22 = None;
    for (index, reference) in package.external_refs.into_iter().flatten().enumerate() {
        let at = format!("{path}.externalRefs[{index}]");
        // tools-java writes listed types as their RDF URIs.
        let kind = reference.kind.as_deref().map(|kind| {
            kind.strip_prefix("http://spdx.org/rdf/references/")
                .unwrap_or(kind)
        });
        let Some(kind @ ("purl" | "cpe23Type" | "cpe22Type")) = kind else {
            continue;
        };
        let Some(locator) = present(reference.locator) else {
            warnings.push(SbomWarning::at(
                at,
                format!("expected a referenceLocator for the {kind} reference, found none"),
            ));
            continue;
        };
        match kind {
            "purl" => {
                let read = identifiers::purl(&locator, &at, warnings);
                match (&purl, read) {
                    (None, read) => purl = read,
                    (Some(first), Some(other)) if *first != other => {
                        warnings.push(SbomWarning::at(
                            at,
                            format!(
                                "expected one purl per package, found {other} besides {first}; \
                                 the package is monitored as {first} only"
                            ),
                        ));
                    }
                    _ => {}
                }
            }
            "cpe23Type" if cpe23.is_none() => cpe23 = identifiers::cpe(&locator, &at, warnings),
            "cpe22Type" if cpe22.is_none() => cpe22 = identifiers::cpe(&locator, &at, warnings),
            _ => {}
        }
    }
    Ok(Component {
        bom_ref,
        name,
        group: None,
        version: asserted(package.version),
        purl,
        cpe: cpe23.or(cpe22),
        supplier: asserted(package.supplier).map(|supplier| {
            ["Organization:", "Person:"]
                .iter()
                .find_map(|prefix| supplier.strip_prefix(prefix))
                .unwrap_or(&supplier)
                .trim()
                .to_owned()
        }),
        kind: present(package.purpose).map(|purpose| purpose.to_lowercase().replace('_', "-")),
    })
}

/// A value, unless it is empty or says that nothing is asserted.
fn asserted(value: Option<String>) -> Option<String> {
    present(value).filter(|value| value != "NOASSERTION" && value != "NONE")
}

/// The SPDXIDs the document describes, through `documentDescribes` and
/// DESCRIBES or DESCRIBED_BY relationships with the document, in order and
/// once each. Warns about those that name nothing in the document, since
/// such a document claims a product it does not list.
fn described(
    document_id: &str,
    describes: Option<Vec<String>>,
    relationships: Option<Vec<Relationship>>,
    elements: &HashSet<&str>,
    warnings: &mut Vec<SbomWarning>,
) -> Vec<String> {
    let listed = describes
        .into_iter()
        .flatten()
        .enumerate()
        .map(|(index, id)| (id, format!("documentDescribes[{index}]")));
    let related =
        relationships
            .into_iter()
            .flatten()
            .enumerate()
            .filter_map(|(index, relationship)| {
                let path = format!("relationships[{index}]");
                match relationship.kind.as_deref()? {
                    "DESCRIBES" if relationship.element.as_deref() == Some(document_id) => {
                        Some((relationship.related?, format!("{path}.relatedSpdxElement")))
                    }
                    "DESCRIBED_BY" if relationship.related.as_deref() == Some(document_id) => {
                        Some((relationship.element?, format!("{path}.spdxElementId")))
                    }
                    _ => None,
                }
            });
    let mut described = Vec::new();
    for (id, path) in listed.chain(related) {
        let external = id.starts_with("DocumentRef-") || id == "NONE" || id == "NOASSERTION";
        if !external && !elements.contains(id.as_str()) {
            warnings.push(SbomWarning::at(
                path,
                format!(
                    "expected the SPDXID of a package, file or snippet in this document, \
                     found {id:?}, which none has"
                ),
            ));
        }
        if !described.contains(&id) {
            described.push(id);
        }
    }
    described
}
