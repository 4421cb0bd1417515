//! SBOMs per software version (SPEC §3.5): the SBOM is the scope of cybersecurity monitoring,
//! so a version has exactly one current SBOM, its components are kept as the file lists them,
//! and a replaced SBOM stays on record, superseded, with its own components.

use crate::Store;
use crate::advisories::{Rematched, Scope, rematch_in};
use crate::error::Result;
use crate::query::Select;
use crate::registry::Actor;
use crate::schema;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use vigilo_registry::{Action, Invalid, Product, SoftwareVersion};
use vigilo_sbom::{Encoding, SbomFormat};

/// An imported SBOM file, attached to one software version of a product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sbom {
    pub id: i64,
    pub product: String,
    pub version: String,
    /// `cyclonedx-json`, `cyclonedx-xml` or `spdx-json`.
    pub format: String,
    /// The specification version the file declares (`1.6`, `2.3`).
    pub spec_version: String,
    /// CycloneDX `serialNumber`, SPDX `documentNamespace`.
    pub serial_number: Option<String>,
    /// Of the file's bytes, hex: a re-import of the same file is recognised by it.
    pub sha256: String,
    pub file_name: String,
    pub component_count: i64,
    /// Flaws that left a component without a usable identifier, with their position; kept
    /// because they explain why a component is not matchable.
    pub warnings: Vec<String>,
    /// The SBOM that replaced this one for the same version; `None` while it is current.
    pub superseded_by: Option<i64>,
    pub imported_by: String,
    pub imported_at: Timestamp,
}

/// One component (CycloneDX) or package (SPDX) of an SBOM.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SbomComponent {
    pub id: i64,
    pub sbom: i64,
    pub name: String,
    pub version: Option<String>,
    /// Canonical package URL.
    pub purl: Option<String>,
    /// As the SBOM writes it; the only identifier of some firmware and OS components.
    pub cpe: Option<String>,
    /// The OSV ecosystem of the purl (`npm`, `PyPI`, `crates.io`, …).
    pub ecosystem: Option<String>,
    /// Whether OSV advisories can be matched to it: it has a purl of an OSV ecosystem.
    pub matchable: bool,
}

/// What an import did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ImportOutcome {
    /// The version had no SBOM.
    Imported,
    /// The version's SBOM was a different file; it is now superseded.
    Replaced,
    /// The file is the version's current SBOM already; nothing was written.
    Unchanged,
}

#[derive(Debug, Clone, Serialize)]
pub struct SbomImport {
    pub outcome: ImportOutcome,
    /// The id of the SBOM this import superseded.
    pub replaced: Option<i64>,
    /// Findings the stored advisories raise against the new SBOM, and those of the superseded
    /// SBOM retracted with it.
    #[serde(flatten)]
    pub findings: Rematched,
    #[serde(flatten)]
    pub sbom: Sbom,
}

/// An SBOM with its components in document order.
#[derive(Debug, Clone, Serialize)]
pub struct SbomView {
    #[serde(flatten)]
    pub sbom: Sbom,
    pub components: Vec<SbomComponent>,
}

fn format_name(format: &SbomFormat) -> (&'static str, &str) {
    match format {
        SbomFormat::CycloneDx {
            spec_version,
            encoding: Encoding::Json,
        } => ("cyclonedx-json", spec_version),
        SbomFormat::CycloneDx {
            spec_version,
            encoding: Encoding::Xml,
        } => ("cyclonedx-xml", spec_version),
        SbomFormat::Spdx { version } => ("spdx-json", version),
    }
}

/// The stored form of a parsed component.
fn component(c: &vigilo_sbom::Component, id: i64, sbom: i64) -> SbomComponent {
    let ecosystem = c
        .purl
        .as_ref()
        .and_then(vigilo_osv::osv_package)
        .map(|(ecosystem, _)| ecosystem.as_str().to_owned());
    SbomComponent {
        id,
        sbom,
        name: c.name.clone(),
        version: c.version.clone(),
        purl: c.purl.as_ref().map(ToString::to_string),
        cpe: c.cpe.clone(),
        matchable: ecosystem.is_some(),
        ecosystem,
    }
}

impl Store {
    /// Attaches an SBOM file to a software version. The same file again changes nothing; a
    /// different file supersedes the version's current SBOM. A file that cannot be read
    /// completely is refused with its position, and nothing is written. `path` is the file as
    /// the user named it, for messages; the record keeps its base name, not the importer's
    /// directories.
    pub async fn import_sbom(
        &self,
        actor: &Actor,
        product: &str,
        version: &str,
        path: &str,
        bytes: &[u8],
        now: Timestamp,
    ) -> Result<SbomImport> {
        actor.may(Action::ImportSbom)?;
        self.software_version_of(product, version).await?;
        let parsed = vigilo_sbom::parse(bytes).map_err(|e| Invalid::new(path, e.to_string()))?;
        let file_name = std::path::Path::new(path)
            .file_name()
            .map_or(path.into(), |n| n.to_string_lossy());
        let sha256 = hex::encode(Sha256::digest(bytes));

        let mut tx = self.begin_write(&actor.person.id, now).await?;
        let current = tx
            .fetch(
                Select::<Sbom>::all()
                    .eq("product", product)
                    .eq("version", version),
            )
            .await?
            .into_iter()
            .find(|s| s.superseded_by.is_none());
        if let Some(current) = current.as_ref().filter(|c| c.sha256 == sha256) {
            return Ok(SbomImport {
                outcome: ImportOutcome::Unchanged,
                replaced: None,
                findings: Rematched::default(),
                sbom: current.clone(),
            });
        }
        let (format, spec_version) = format_name(&parsed.format);
        let sbom = Sbom {
            id: tx.next_id(&schema::SBOMS).await?,
            product: product.to_owned(),
            version: version.to_owned(),
            format: format.to_owned(),
            spec_version: spec_version.to_owned(),
            serial_number: parsed.serial_number.clone(),
            sha256,
            file_name: file_name.into_owned(),
            component_count: parsed.components.len() as i64,
            warnings: parsed.warnings.iter().map(ToString::to_string).collect(),
            superseded_by: None,
            imported_by: actor.person.id.clone(),
            imported_at: now,
        };
        if let Some(old) = &current {
            let superseded = Sbom {
                superseded_by: Some(sbom.id),
                ..old.clone()
            };
            tx.update("sbom.supersede", old, &superseded).await?;
        }
        tx.insert("sbom.import", &sbom).await?;
        let first = tx.next_id(&schema::SBOM_COMPONENTS).await?;
        let components: Vec<SbomComponent> = parsed
            .components
            .iter()
            .zip(first..)
            .map(|(c, id)| component(c, id, sbom.id))
            .collect();
        tx.insert_many("sbom.component", &components).await?;
        let scope = Scope::stored(&mut tx, Some(sbom.id)).await?;
        let findings = rematch_in(&mut tx, scope).await?;
        tx.commit().await?;
        Ok(SbomImport {
            outcome: if current.is_some() {
                ImportOutcome::Replaced
            } else {
                ImportOutcome::Imported
            },
            replaced: current.map(|c| c.id),
            findings,
            sbom,
        })
    }

    /// The SBOMs on record, by product and version; superseded ones only with `all`.
    pub async fn sboms(&self, product: Option<&str>, all: bool) -> Result<Vec<Sbom>> {
        let select = Select::<Sbom>::all();
        let select = match product {
            Some(p) => select.eq("product", p),
            None => select,
        };
        let sboms = self
            .fetch(
                select
                    .order_by("product")
                    .order_by("version")
                    .order_by("id"),
            )
            .await?;
        Ok(sboms
            .into_iter()
            .filter(|s| all || s.superseded_by.is_none())
            .collect())
    }

    /// The current SBOM of a software version with its components.
    pub async fn sbom(&self, product: &str, version: &str) -> Result<SbomView> {
        self.software_version_of(product, version).await?;
        let sbom = self
            .sboms(Some(product), false)
            .await?
            .into_iter()
            .find(|s| s.version == version)
            .ok_or_else(|| {
                Invalid::new(
                    "--version",
                    format!("software version {version} of {product} has no SBOM yet"),
                )
            })?;
        let components = self
            .fetch(Select::<SbomComponent>::all().eq("sbom", sbom.id))
            .await?;
        Ok(SbomView { sbom, components })
    }

    async fn software_version_of(&self, product: &str, version: &str) -> Result<SoftwareVersion> {
        if self
            .fetch_one(Select::<Product>::all().eq("id", product))
            .await?
            .is_none()
        {
            return Err(Invalid::new("--product", format!("no product {product:?}")).into());
        }
        let versions = self.software_versions(Some(product)).await?;
        if let Some(v) = versions.iter().find(|v| v.version == version) {
            return Ok(v.clone());
        }
        let known: Vec<&str> = versions.iter().map(|v| v.version.as_str()).collect();
        Err(Invalid::new(
            "--version",
            format!(
                "product {product} has no software version {version:?} ({}); add it with \
                 `vigilo software add`",
                if known.is_empty() {
                    "it has none yet".to_owned()
                } else {
                    format!("its versions: {}", known.join(", "))
                }
            ),
        )
        .into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(purl: Option<&str>, cpe: Option<&str>) -> vigilo_sbom::Component {
        vigilo_sbom::Component {
            bom_ref: None,
            name: "x".into(),
            group: None,
            version: Some("1.0".into()),
            purl: purl.map(|p| p.parse().unwrap()),
            cpe: cpe.map(Into::into),
            supplier: None,
            kind: None,
        }
    }

    #[test]
    fn components_carry_the_osv_ecosystem_of_their_purl() {
        let c = component(&parsed(Some("pkg:PyPI/Django_Rest@1.0"), None), 7, 3);
        assert_eq!(c.purl.as_deref(), Some("pkg:pypi/django-rest@1.0"));
        assert_eq!(c.ecosystem.as_deref(), Some("PyPI"));
        assert!(c.matchable);
        assert_eq!((c.id, c.sbom), (7, 3));
        let c = component(&parsed(Some("pkg:cargo/serde@1.0.0"), None), 1, 1);
        assert_eq!(c.ecosystem.as_deref(), Some("crates.io"));
    }

    #[test]
    fn components_without_an_osv_purl_are_kept_but_not_matchable() {
        let cpe = "cpe:2.3:o:linux:linux_kernel:5.10:*:*:*:*:*:*:*";
        let c = component(&parsed(None, Some(cpe)), 1, 1);
        assert_eq!((c.purl, c.ecosystem, c.matchable), (None, None, false));
        assert_eq!(c.cpe.as_deref(), Some(cpe));
        let c = component(&parsed(Some("pkg:generic/openssl@3.0.1"), None), 1, 1);
        assert!(c.purl.is_some());
        assert!(!c.matchable);
    }
}
