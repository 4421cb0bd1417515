//! Hand-checked components of real SBOMs, and the same BOM read from JSON
//! and from XML.

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use vigilo_sbom::{Component, Sbom, SbomFormat, parse};

fn read(relative: &str) -> Sbom {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(relative);
    parse(&fs::read(&path).unwrap()).unwrap_or_else(|error| panic!("{relative}: {error}"))
}

fn purl(component: &Component) -> Option<String> {
    component.purl.as_ref().map(ToString::to_string)
}

fn named<'a>(sbom: &'a Sbom, name: &str) -> &'a Component {
    sbom.components
        .iter()
        .find(|component| component.name == name)
        .unwrap_or_else(|| panic!("no component {name}"))
}

#[test]
fn laravel_composer_sbom() {
    let sbom = read("cyclonedx/bom-examples/laravel-7.12.0/bom.1.4.json");
    assert_eq!(sbom.components.len(), 62);
    let subject = sbom.subject.as_ref().unwrap();
    assert_eq!(subject.name, "cyclonedx-php-composer-demo");
    assert_eq!(subject.version.as_deref(), Some("dev-master"));
    let first = &sbom.components[0];
    assert_eq!(first.bom_ref.as_deref(), Some("asm89/stack-cors-1.3.0.0"));
    assert_eq!(
        (
            first.group.as_deref(),
            first.name.as_str(),
            first.version.as_deref()
        ),
        (Some("asm89"), "stack-cors", Some("1.3.0"))
    );
    assert_eq!(
        purl(first).as_deref(),
        Some("pkg:composer/asm89/stack-cors@1.3.0")
    );
    assert_eq!(first.kind.as_deref(), Some("library"));
    let framework = named(&sbom, "framework");
    assert_eq!(framework.version.as_deref(), Some("v7.30.6"));
    assert_eq!(
        purl(framework).as_deref(),
        Some("pkg:composer/laravel/framework@v7.30.6")
    );
    // Two packages share the name; the group tells them apart.
    let dispatchers: BTreeSet<Option<String>> = sbom
        .components
        .iter()
        .filter(|component| component.name == "event-dispatcher")
        .map(purl)
        .collect();
    assert_eq!(
        dispatchers,
        BTreeSet::from([
            Some("pkg:composer/psr/event-dispatcher@1.0.0".to_owned()),
            Some("pkg:composer/symfony/event-dispatcher@v5.4.9".to_owned()),
        ])
    );
}

#[test]
fn cyclonedx_conformance_bom() {
    let sbom = read("cyclonedx/specification/test-resources/1.6/valid-bom-1.6.json");
    assert_eq!(
        sbom.serial_number.as_deref(),
        Some("urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79")
    );
    let subject = sbom.subject.unwrap();
    assert_eq!(
        (subject.name.as_str(), subject.version.as_deref()),
        ("Acme Application", Some("9.1.1"))
    );
    assert_eq!(
        purl(&sbom.components[0]).as_deref(),
        Some("pkg:maven/com.acme/tomcat-catalina@9.0.14?packaging=jar")
    );
    let library = &sbom.components[1];
    assert_eq!(library.name, "mylibrary");
    assert_eq!(library.supplier.as_deref(), Some("Example, Inc."));
    assert_eq!(
        library.cpe.as_deref(),
        Some("cpe:/a:example:myapplication:1.0.0")
    );
}

#[test]
fn nested_components_follow_their_parent() {
    let sbom = read("osv-scalibr/cdx/sbom-with-nested-comps.cdx.json");
    let names: Vec<&str> = sbom.components.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["openssl", "Nginx", "rustls"]);
    assert_eq!(
        sbom.components[1].cpe.as_deref(),
        Some("cpe:2.3:a:nginx:nginx:1.21.1")
    );
    assert_eq!(purl(&sbom.components[1]), None);
    assert_eq!(
        purl(&sbom.components[2]).as_deref(),
        Some("pkg:cargo/rustls@0.23.13")
    );
}

#[test]
fn cdata_in_xml() {
    let sbom = read("osv-scalibr/cdx/sbom.cdx.xml");
    assert_eq!(
        purl(&sbom.components[0]).as_deref(),
        Some("pkg:generic/openssl@1.1.1")
    );
    assert_eq!(sbom.components[1].name, "Nginx");
}

#[test]
fn spdx_example_document() {
    let sbom = read("spdx/spdx-spec-2.3.1/SPDXJSONExample-v2.3.spdx.json");
    assert_eq!(
        sbom.serial_number.as_deref(),
        Some("http://spdx.org/spdxdocs/spdx-example-444504E0-4F89-41D3-9A0C-0305E82C3301")
    );
    // The document describes a file and one package, glibc.
    let subject = sbom.subject.as_ref().unwrap();
    assert_eq!(subject.bom_ref.as_deref(), Some("SPDXRef-Package"));
    assert_eq!(
        (subject.name.as_str(), subject.version.as_deref()),
        ("glibc", Some("2.11.1"))
    );
    assert_eq!(
        subject.supplier.as_deref(),
        Some("Jane Doe (jane.doe@example.com)")
    );
    assert_eq!(subject.kind.as_deref(), Some("source"));
    assert_eq!(
        subject.cpe.as_deref(),
        Some("cpe:2.3:a:pivotal_software:spring_framework:4.1.0:*:*:*:*:*:*:*")
    );
    let names: Vec<&str> = sbom.components.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["Apache Commons Lang", "Jena", "Saxon"]);
    assert_eq!(
        purl(named(&sbom, "Jena")).as_deref(),
        Some("pkg:maven/org.apache.jena/apache-jena@3.12.0")
    );
}

#[test]
fn spdx_2_2_reference_types_as_uris() {
    let sbom = read("spdx/tools-java/SPDXJSONExample-v2.2.spdx.json");
    assert_eq!(
        sbom.format,
        SbomFormat::Spdx {
            version: "2.2".to_owned()
        }
    );
    assert_eq!(
        sbom.subject.unwrap().cpe.as_deref(),
        Some("cpe:2.3:a:pivotal_software:spring_framework:4.1.0:*:*:*:*:*:*:*")
    );
}

#[test]
fn spdx_container_with_qualifiers() {
    let sbom = read("osv-scalibr/spdx/dhi_.spdx.dhi-pkg-python.json");
    let image = &sbom.components[0];
    assert_eq!(image.supplier.as_deref(), Some("Docker, Inc."));
    assert_eq!(image.kind.as_deref(), Some("container"));
    assert_eq!(
        purl(image).as_deref(),
        Some(
            "pkg:docker/dhi/pkg-python@3.14.3-debian13?os_name=debian&os_version=13&platform=linux%2Famd64"
        )
    );
}

#[test]
fn spdx_purl_and_cpe_on_one_package() {
    let sbom = read("osv-scalibr/spdx/purl_and_cpe.spdx.json");
    // Two packages are described, so neither is the subject.
    assert!(sbom.subject.is_none());
    let nginx = named(&sbom, "Nginx");
    assert_eq!(purl(nginx).as_deref(), Some("pkg:generic/nginx@1.21.1"));
    assert_eq!(nginx.cpe.as_deref(), Some("cpe:2.3:a:nginx:nginx:1.21.1"));
    assert_eq!(nginx.version, None);
}

/// The conformance files whose JSON and XML upstream do not hold the same
/// components (checked by hand: for instance `valid-dependency` names
/// `library-a` in JSON and `acme-library-a` in XML, and in 1.4 and 1.5
/// `valid-bom.xml` has a component that the JSON lacks).
const DIFFERENT_UPSTREAM: [&str; 32] = [
    "1.4/invalid-component-ref",
    "1.4/invalid-dependency",
    "1.4/invalid-license-choice",
    "1.4/invalid-license-encoding",
    "1.4/invalid-license-id",
    "1.4/invalid-serialnumber",
    "1.4/valid-bom",
    "1.4/valid-component-ref",
    "1.4/valid-compositions",
    "1.4/valid-dependency",
    "1.4/valid-license-expression",
    "1.4/valid-license-id",
    "1.4/valid-license-name",
    "1.5/invalid-component-ref",
    "1.5/invalid-dependency",
    "1.5/invalid-license-choice",
    "1.5/invalid-license-encoding",
    "1.5/invalid-license-id",
    "1.5/invalid-serialnumber",
    "1.5/valid-bom",
    "1.5/valid-component-ref",
    "1.5/valid-compositions",
    "1.5/valid-dependency",
    "1.5/valid-license-expression",
    "1.5/valid-license-id",
    "1.5/valid-license-name",
    "1.6/invalid-component-ref",
    "1.6/invalid-dependency",
    "1.6/invalid-license-choice",
    "1.6/invalid-license-encoding",
    "1.6/invalid-license-id",
    "1.6/invalid-serialnumber",
];

/// What JSON and XML should agree on: everything but line and column.
fn comparable(sbom: &Sbom) -> impl PartialEq + std::fmt::Debug + '_ {
    let warnings: Vec<(&str, &str)> = sbom
        .warnings
        .iter()
        .map(|warning| (warning.position.path.as_str(), warning.message.as_str()))
        .collect();
    (
        &sbom.serial_number,
        &sbom.subject,
        &sbom.components,
        warnings,
    )
}

#[test]
fn json_and_xml_of_one_bom_read_alike() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    // Each pair by a short name and the path of both files without extension.
    let mut pairs: Vec<(String, String)> = [
        "cyclonedx/bom-examples/laravel-7.12.0/bom.1.4",
        "osv-scalibr/cdx/sbom.cdx",
        "osv-scalibr/cdx/sbom.bom",
    ]
    .iter()
    .map(|path| (path.to_string(), path.to_string()))
    .collect();
    for version in ["1.4", "1.5", "1.6"] {
        let directory = format!("cyclonedx/specification/test-resources/{version}");
        for entry in fs::read_dir(root.join(&directory)).unwrap() {
            let name = entry.unwrap().file_name().to_string_lossy().into_owned();
            if let Some(stem) = name.strip_suffix(&format!("-{version}.json"))
                && root
                    .join(&directory)
                    .join(format!("{stem}-{version}.xml"))
                    .exists()
            {
                pairs.push((
                    format!("{version}/{stem}"),
                    format!("{directory}/{stem}-{version}"),
                ));
            }
        }
    }
    let mut different = BTreeSet::new();
    for (key, path) in &pairs {
        let json = parse(&fs::read(root.join(format!("{path}.json"))).unwrap());
        let xml = parse(&fs::read(root.join(format!("{path}.xml"))).unwrap());
        let alike = match (&json, &xml) {
            (Ok(json), Ok(xml)) => comparable(json) == comparable(xml),
            (Err(json), Err(xml)) => {
                (json.kind, &json.position.path) == (xml.kind, &xml.position.path)
            }
            _ => false,
        };
        if !alike {
            different.insert(key.as_str());
        }
    }
    assert_eq!(different, BTreeSet::from(DIFFERENT_UPSTREAM));
    assert_eq!(pairs.len(), 176);
}
