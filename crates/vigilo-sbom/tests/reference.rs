//! Every third-party file in `tests/data` (see `tests/data/SOURCES.md`) and
//! what reading it gives: the format and the paths of the warnings, or the
//! kind and path of the error. A file without an expected outcome fails the
//! test, so no copied file goes unexercised.
//!
//! The CycloneDX conformance files marked `invalid-*` break the schema. Each
//! is decided here: rejected when the flaw leaves the component list
//! unusable or unscoped, a warning when it concerns a component field that
//! is read, and read without comment when the flaw is in a part of the BOM
//! that a component list does not use (hashes, licenses, dependencies,
//! services, ...).

mod common;

use std::fs;

use vigilo_sbom::ErrorKind::{self, Invalid, Unsupported};
use vigilo_sbom::{Encoding, SbomFormat, parse};

#[derive(Debug)]
enum Outcome {
    /// Read as this format, with warnings at these paths, in order.
    Read(&'static str, &'static [&'static str]),
    /// Refused with an error of this kind, at this path, whose message
    /// contains the text.
    Refused(ErrorKind, &'static str, &'static str),
}

use Outcome::{Read, Refused};

const SUPPORTED_FOUND: &str = "expected a CycloneDX 1.4, 1.5 or 1.6 SBOM";

/// Files other than the 1.4 to 1.6 conformance files, by path in `tests/data`.
const FILES: &[(&str, Outcome)] = &[
    (
        "cyclonedx/specification/test-resources/1.7/valid-bom-1.7.json",
        Refused(Unsupported, "specVersion", "found \"1.7\""),
    ),
    (
        "cyclonedx/specification/test-resources/1.7/valid-bom-1.7.xml",
        Refused(Unsupported, "", "found http://cyclonedx.org/schema/bom/1.7"),
    ),
    (
        "cyclonedx/bom-examples/laravel-7.12.0/bom.1.3.json",
        Refused(Unsupported, "specVersion", "found \"1.3\""),
    ),
    (
        "cyclonedx/bom-examples/laravel-7.12.0/bom.1.3.xml",
        Refused(Unsupported, "", "found http://cyclonedx.org/schema/bom/1.3"),
    ),
    (
        "cyclonedx/bom-examples/laravel-7.12.0/bom.1.4.json",
        Read("CycloneDX 1.4 JSON", &[]),
    ),
    (
        "cyclonedx/bom-examples/laravel-7.12.0/bom.1.4.xml",
        Read("CycloneDX 1.4 XML", &[]),
    ),
    (
        "spdx/spdx-spec-2.3.1/SPDXJSONExample-v2.3.spdx.json",
        Read("SPDX 2.3 JSON", &[]),
    ),
    (
        "spdx/spdx-spec-2.3.1/SPDXTagExample-v2.3.spdx",
        Refused(Unsupported, "", "found an SPDX tag-value document"),
    ),
    (
        "spdx/spdx-spec-2.3.1/SPDXXMLExample-v2.3.spdx.xml",
        Refused(
            Unsupported,
            "",
            "found a <Document> element, as in SPDX XML",
        ),
    ),
    (
        "spdx/spdx-spec-2.3.1/SPDXYAMLExample-2.3.spdx.yaml",
        Refused(Unsupported, "", "found an SPDX YAML document"),
    ),
    // tools-java expects four verification errors here; the one that matters
    // for a component list is the package whose name is null.
    (
        "spdx/tools-java/BadJSON.spdx.json",
        Refused(
            Invalid,
            "packages[1].name",
            "expected a package name, found none",
        ),
    ),
    (
        "spdx/tools-java/SPDXJSONExample-v2.2.spdx.json",
        Read("SPDX 2.2 JSON", &[]),
    ),
    (
        "spdx/tools-java/SPDXJSONExample-v2.3-with-exception.spdx.json",
        Read("SPDX 2.3 JSON", &[]),
    ),
    (
        "spdx/tools-java/SPDXJSONExample-v2.3.spdx.json",
        Read("SPDX 2.3 JSON", &[]),
    ),
    // 2.3 content labelled 2.2: the package fields read are the same in both.
    (
        "spdx/tools-java/SPDXJSONExample-wrongversion.spdx.json",
        Read("SPDX 2.2 JSON", &[]),
    ),
    (
        "spdx/tools-java/SPDXWrongVersion.spdx.json",
        Refused(Unsupported, "spdxVersion", "found \"SPDX-2.2.1\""),
    ),
    (
        "osv-scalibr/cdx/invalid_sbom.cdxjson",
        Refused(
            Unsupported,
            "",
            "found text starting \"Not an sbom at all!\\n\"",
        ),
    ),
    // Only the subject, no components.
    (
        "osv-scalibr/cdx/minimal.cdx.json",
        Read("CycloneDX 1.6 JSON", &[""]),
    ),
    (
        "osv-scalibr/cdx/sbom-with-locations.cdx.json",
        Read("CycloneDX 1.4 JSON", &[]),
    ),
    (
        "osv-scalibr/cdx/sbom-with-nested-comps.cdx.json",
        Read("CycloneDX 1.4 JSON", &[]),
    ),
    (
        "osv-scalibr/cdx/sbom.bom.json",
        Read("CycloneDX 1.4 JSON", &[]),
    ),
    (
        "osv-scalibr/cdx/sbom.bom.xml",
        Read("CycloneDX 1.4 XML", &[]),
    ),
    (
        "osv-scalibr/cdx/sbom.cdx.json",
        Read("CycloneDX 1.4 JSON", &[]),
    ),
    (
        "osv-scalibr/cdx/sbom.cdx.xml",
        Read("CycloneDX 1.4 XML", &[]),
    ),
    (
        "osv-scalibr/spdx/ancestor_of.spdx.json",
        Read("SPDX 2.3 JSON", &[]),
    ),
    (
        "osv-scalibr/spdx/descendant_of.spdx.json",
        Read("SPDX 2.3 JSON", &[]),
    ),
    (
        "osv-scalibr/spdx/dhi_.spdx.dhi-pkg-python.json",
        Read("SPDX 2.3 JSON", &[]),
    ),
    (
        "osv-scalibr/spdx/dhi_.spdx.dhi-python.json",
        Read("SPDX 2.3 JSON", &[]),
    ),
    (
        "osv-scalibr/spdx/dhi_.spdx.python.json",
        Read("SPDX 2.3 JSON", &[]),
    ),
    (
        "osv-scalibr/spdx/external_refs.spdx.json",
        Read("SPDX 2.3 JSON", &[]),
    ),
    (
        "osv-scalibr/spdx/independent_packages_descendant.spdx.json",
        Read("SPDX 2.3 JSON", &[]),
    ),
    (
        "osv-scalibr/spdx/invalid_sbom.spdx",
        Refused(Unsupported, "", SUPPORTED_FOUND),
    ),
    // Describes two packages but lists none.
    (
        "osv-scalibr/spdx/minimal.spdx.json",
        Read(
            "SPDX 2.3 JSON",
            &["documentDescribes[0]", "documentDescribes[1]", ""],
        ),
    ),
    (
        "osv-scalibr/spdx/multi_descendant.spdx.json",
        Read("SPDX 2.3 JSON", &[]),
    ),
    (
        "osv-scalibr/spdx/overlapping_refs.spdx.json",
        Read("SPDX 2.3 JSON", &[]),
    ),
    (
        "osv-scalibr/spdx/purl_and_cpe.spdx.json",
        Read("SPDX 2.3 JSON", &[]),
    ),
    (
        "osv-scalibr/spdx/sbom.spdx",
        Refused(Unsupported, "", "found an SPDX tag-value document"),
    ),
    (
        "osv-scalibr/spdx/sbom.spdx.json",
        Read("SPDX 2.3 JSON", &[]),
    ),
    (
        "osv-scalibr/spdx/sbom.spdx.rdf",
        Refused(Unsupported, "", "found an RDF/XML document"),
    ),
    (
        "osv-scalibr/spdx/sbom.spdx.yml",
        Refused(Unsupported, "", "found an SPDX YAML document"),
    ),
];

/// The outcome for a CycloneDX 1.4 to 1.6 conformance file such as
/// `invalid-hash-md5-1.6.xml`.
fn conformance(name: &str) -> Option<Outcome> {
    let (rest, extension) = name.rsplit_once('.')?;
    let (stem, version) = rest.rsplit_once('-')?;
    let format = match (version, extension) {
        ("1.4", "json") => "CycloneDX 1.4 JSON",
        ("1.4", "xml") => "CycloneDX 1.4 XML",
        ("1.5", "json") => "CycloneDX 1.5 JSON",
        ("1.5", "xml") => "CycloneDX 1.5 XML",
        ("1.6", "json") => "CycloneDX 1.6 JSON",
        ("1.6", "xml") => "CycloneDX 1.6 XML",
        _ => return None,
    };
    let read = |paths| Some(Read(format, paths));
    if stem.starts_with("valid-") {
        return match stem {
            // These BOMs describe services, attestations, standards or only
            // metadata, so they list no components, which warns.
            "valid-attestation"
            | "valid-saasbom"
            | "valid-service-empty-objects"
            | "valid-standard" => read(&[""]),
            "valid-empty-components"
            | "valid-metadata-author"
            | "valid-metadata-license"
            | "valid-metadata-lifecycle"
            | "valid-metadata-manufacture"
            | "valid-metadata-manufacturer"
            | "valid-metadata-supplier"
            | "valid-metadata-timestamp"
            | "valid-metadata-tool"
            | "valid-metadata-tool-deprecated" => read(&["components"]),
            _ => read(&[]),
        };
    }
    match (stem, version, extension) {
        ("invalid-bomformat", _, _) => Some(Refused(
            Unsupported,
            "bomFormat",
            "expected bomFormat \"CycloneDX\", found \"AnotherFormat\"",
        )),
        ("invalid-namespace", _, _) => Some(Refused(
            Unsupported,
            "",
            "found http://cyclonedx.org/schema/bom/12",
        )),
        // A component without a name cannot be reported on.
        ("invalid-empty-component", _, _) => Some(Refused(
            Invalid,
            "components[0].name",
            "expected a component name, found none",
        )),
        // Duplicate or empty bom-refs; the files differ by version.
        ("invalid-component-ref", "1.4" | "1.6", "json") => read(&["components[1].bom-ref"]),
        ("invalid-component-ref", "1.5", "json") => {
            read(&["components[1].bom-ref", "components[2].bom-ref"])
        }
        ("invalid-component-ref", "1.4", "xml") => read(&["components[0].components[0].bom-ref"]),
        ("invalid-component-ref", "1.5", "xml") => read(&[
            "components[0].components[0].bom-ref",
            "components[0].components[1].bom-ref",
        ]),
        ("invalid-component-ref", "1.6", "xml") => read(&[
            "components[0].components[0].bom-ref",
            "components[0].components[1].bom-ref",
            "components[0].components[2].bom-ref",
        ]),
        ("invalid-component-type" | "invalid-missing-component-type", _, _) => {
            read(&["components[0].type"])
        }
        ("invalid-serialnumber", _, "json") => read(&["serialNumber", "components"]),
        ("invalid-serialnumber", _, "xml") => read(&["serialNumber"]),
        // The flaw is in metadata that is not read; the warning is about the
        // empty component list.
        ("invalid-metadata-license" | "invalid-metadata-timestamp", _, _) => read(&["components"]),
        ("invalid-service-data", _, _) => read(&[""]),
        // Flaws in parts of a component that a component list does not use.
        (
            "invalid-component-swid"
            | "invalid-dependency"
            | "invalid-hash-alg"
            | "invalid-hash-md5"
            | "invalid-hash-sha1"
            | "invalid-hash-sha256"
            | "invalid-hash-sha512"
            | "invalid-issue-type"
            | "invalid-license-choice"
            | "invalid-license-declared-concluded-mix"
            | "invalid-license-encoding"
            | "invalid-license-id"
            | "invalid-license-id-count"
            | "invalid-license-missing-id-and-name"
            | "invalid-license-name-count"
            | "invalid-patch-type"
            | "invalid-properties"
            | "invalid-scope",
            _,
            _,
        ) => read(&[]),
        _ => None,
    }
}

fn check(relative: &str, outcome: &Outcome, bytes: &[u8]) -> Result<(), String> {
    match (outcome, parse(bytes)) {
        (Read(format, paths), Ok(sbom)) => {
            let warnings: Vec<&str> = sbom
                .warnings
                .iter()
                .map(|warning| warning.position.path.as_str())
                .collect();
            if sbom.format.to_string() != *format || warnings != *paths {
                return Err(format!(
                    "{relative}: read as {} with warnings {:?}, expected {format} with {paths:?}",
                    sbom.format, sbom.warnings
                ));
            }
            if let Some(unplaced) = sbom.warnings.iter().find(|w| w.position.line == 0) {
                return Err(format!("{relative}: warning without a line: {unplaced:?}"));
            }
            Ok(())
        }
        (Refused(kind, path, text), Err(error)) => {
            let shown = error.to_string();
            if error.kind != *kind
                || error.position.path != *path
                || error.position.line == 0
                || !shown.contains(text)
            {
                return Err(format!(
                    "{relative}: refused with {:?} \"{shown}\", expected {kind:?} at {path:?} containing {text:?}",
                    error.kind
                ));
            }
            Ok(())
        }
        (outcome, result) => Err(format!(
            "{relative}: expected {outcome:?}, got {:?}",
            result.map(|sbom| sbom.format)
        )),
    }
}

#[test]
fn every_reference_file_gives_its_expected_outcome() {
    let root = common::data_directory();
    let mut failures = Vec::new();
    let mut checked = 0;
    for path in common::data_files() {
        let relative = path
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let listed = FILES
            .iter()
            .find(|(file, _)| *file == relative)
            .map(|(_, outcome)| outcome);
        let derived = if relative.starts_with("cyclonedx/specification/test-resources/1.") {
            conformance(&name)
        } else {
            None
        };
        let Some(outcome) = listed.or(derived.as_ref()) else {
            failures.push(format!("{relative}: no expected outcome"));
            continue;
        };
        if let Err(failure) = check(&relative, outcome, &fs::read(&path).unwrap()) {
            failures.push(failure);
        }
        checked += 1;
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // 370 conformance files of 1.4 to 1.6, 2 of 1.7, 4 laravel, 10 SPDX, 24 osv-scalibr.
    assert_eq!(checked, 410);
}

#[test]
fn formats_name_version_and_encoding() {
    let format = SbomFormat::CycloneDx {
        spec_version: "1.5".to_owned(),
        encoding: Encoding::Xml,
    };
    assert_eq!(format.to_string(), "CycloneDX 1.5 XML");
}
