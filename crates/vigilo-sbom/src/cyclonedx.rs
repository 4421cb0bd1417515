//! CycloneDX: the model both encodings are read into, and its mapping to
//! components, which is the same for JSON and XML.
//!
//! Only `metadata.component` and `components` (with their nested
//! `components`) are read. Components elsewhere are not part of the product:
//! `metadata.tools` made the SBOM, `formulation` describes the build, and
//! `pedigree` ancestors, descendants and variants are other products.

use serde::Deserialize;

use crate::identifiers::UniqueIds;
use crate::{
    Component, Encoding, ErrorKind, Position, Sbom, SbomError, SbomFormat, SbomWarning, present,
};

/// The specification versions read. 1.7 is refused rather than read as 1.6
/// because its external components may carry a version range instead of a
/// version, which a component list cannot represent.
pub(crate) const VERSIONS: [&str; 3] = ["1.4", "1.5", "1.6"];

/// Component types and the version that introduced each.
const TYPES: [(&str, &str); 13] = [
    ("application", "1.4"),
    ("framework", "1.4"),
    ("library", "1.4"),
    ("container", "1.4"),
    ("operating-system", "1.4"),
    ("device", "1.4"),
    ("firmware", "1.4"),
    ("file", "1.4"),
    ("platform", "1.5"),
    ("device-driver", "1.5"),
    ("machine-learning-model", "1.5"),
    ("data", "1.5"),
    ("cryptographic-asset", "1.6"),
];

#[derive(Debug, Default, Deserialize)]
#[serde(expecting = "a CycloneDX BOM object")]
pub(crate) struct Bom {
    #[serde(rename = "serialNumber")]
    pub serial_number: Option<String>,
    pub metadata: Option<Metadata>,
    pub components: Option<Vec<RawComponent>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(expecting = "a metadata object")]
pub(crate) struct Metadata {
    pub component: Option<RawComponent>,
}

/// A component as written, before it is checked.
#[derive(Debug, Default, Deserialize)]
#[serde(expecting = "a component object")]
pub(crate) struct RawComponent {
    #[serde(rename = "bom-ref")]
    pub bom_ref: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub supplier: Option<Supplier>,
    pub group: Option<String>,
    pub name: Option<String>,
    pub version: Option<String>,
    pub purl: Option<String>,
    pub cpe: Option<String>,
    pub components: Option<Vec<RawComponent>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(expecting = "an organizational entity object")]
pub(crate) struct Supplier {
    pub name: Option<String>,
}

/// Maps a BOM read from either encoding to the component list. Positions in
/// the result are paths only; the reader places them.
pub(crate) fn build(spec_version: &str, encoding: Encoding, bom: Bom) -> Result<Sbom, SbomError> {
    let mut mapping = Mapping {
        spec_version,
        warnings: Vec::new(),
        refs: UniqueIds::new("bom-ref"),
        components: Vec::new(),
    };
    if let Some(serial) = &bom.serial_number
        && !is_urn_uuid(serial)
    {
        mapping.warnings.push(SbomWarning::at(
            "serialNumber",
            format!(
                "expected a serial number of the form urn:uuid:<lowercase RFC 4122 UUID>, \
                 found {serial:?}"
            ),
        ));
    }
    let subject = match bom.metadata.and_then(|metadata| metadata.component) {
        Some(raw) => {
            let path = "metadata.component";
            let (subject, children) = mapping.component(raw, path)?;
            mapping.children(children, path)?;
            Some(subject)
        }
        None => None,
    };
    let listed = bom.components.is_some();
    for (index, raw) in bom.components.into_iter().flatten().enumerate() {
        mapping.walk(raw, format!("components[{index}]"))?;
    }
    if mapping.components.is_empty() {
        mapping.warnings.push(SbomWarning::at(
            if listed { "components" } else { "" },
            "expected at least one component, found none; nothing in this SBOM will be monitored",
        ));
    }
    Ok(Sbom {
        format: SbomFormat::CycloneDx {
            spec_version: spec_version.to_owned(),
            encoding,
        },
        serial_number: bom.serial_number,
        subject,
        components: mapping.components,
        warnings: mapping.warnings,
    })
}

struct Mapping<'a> {
    spec_version: &'a str,
    warnings: Vec<SbomWarning>,
    refs: UniqueIds,
    components: Vec<Component>,
}

impl Mapping<'_> {
    /// Adds a component and then its descendants.
    fn walk(&mut self, raw: RawComponent, path: String) -> Result<(), SbomError> {
        let (component, children) = self.component(raw, &path)?;
        self.components.push(component);
        self.children(children, &path)
    }

    fn children(
        &mut self,
        children: Option<Vec<RawComponent>>,
        parent: &str,
    ) -> Result<(), SbomError> {
        for (index, raw) in children.into_iter().flatten().enumerate() {
            self.walk(raw, format!("{parent}.components[{index}]"))?;
        }
        Ok(())
    }

    /// Checks one component, returning it and its nested components.
    fn component(
        &mut self,
        raw: RawComponent,
        path: &str,
    ) -> Result<(Component, Option<Vec<RawComponent>>), SbomError> {
        let name = present(raw.name).ok_or_else(|| {
            SbomError::new(
                ErrorKind::Invalid,
                Position::at(format!("{path}.name")),
                "a component name",
                "none",
            )
        })?;
        let component = Component {
            bom_ref: raw.bom_ref.and_then(|bom_ref| self.bom_ref(bom_ref, path)),
            kind: self.kind(raw.kind, path),
            supplier: present(raw.supplier.and_then(|supplier| supplier.name)),
            group: present(raw.group),
            name,
            version: present(raw.version),
            purl: present(raw.purl).and_then(|purl| {
                crate::identifiers::purl(&purl, &format!("{path}.purl"), &mut self.warnings)
            }),
            cpe: present(raw.cpe).and_then(|cpe| {
                crate::identifiers::cpe(&cpe, &format!("{path}.cpe"), &mut self.warnings)
            }),
        };
        Ok((component, raw.components))
    }

    fn bom_ref(&mut self, bom_ref: String, path: &str) -> Option<String> {
        if bom_ref.is_empty() {
            self.warnings.push(SbomWarning::at(
                format!("{path}.bom-ref"),
                "expected a non-empty bom-ref, found an empty one; the component is kept without it",
            ));
            return None;
        }
        self.refs.record(&bom_ref, path, &mut self.warnings);
        Some(bom_ref)
    }

    /// The component type. Required by the schema but not needed to monitor
    /// a component, so a missing or unknown type only warns.
    fn kind(&mut self, kind: Option<String>, path: &str) -> Option<String> {
        let Some(kind) = kind else {
            self.warnings.push(SbomWarning::at(
                format!("{path}.type"),
                "expected a component type, found none",
            ));
            return None;
        };
        let known = TYPES
            .iter()
            .filter(|(_, since)| *since <= self.spec_version)
            .map(|(name, _)| *name);
        if !known.clone().any(|name| name == kind) {
            let known: Vec<&str> = known.collect();
            self.warnings.push(SbomWarning::at(
                format!("{path}.type"),
                format!(
                    "expected a CycloneDX {} component type ({}), found {kind:?}",
                    self.spec_version,
                    known.join(", ")
                ),
            ));
        }
        Some(kind)
    }
}

/// Whether `serial` matches the schema's pattern for serial numbers.
fn is_urn_uuid(serial: &str) -> bool {
    let Some(uuid) = serial.strip_prefix("urn:uuid:") else {
        return false;
    };
    let groups: Vec<&str> = uuid.split('-').collect();
    groups.len() == 5
        && groups.iter().zip([8, 4, 4, 4, 12]).all(|(group, length)| {
            group.len() == length
                && group
                    .bytes()
                    .all(|byte| byte.is_ascii_digit() || (b'a'..=b'f').contains(&byte))
        })
}
