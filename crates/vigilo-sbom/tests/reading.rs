//! How components are read, and the warnings that keep a component but say
//! what is wrong with it.

use vigilo_sbom::{Component, Encoding, Position, Sbom, SbomFormat, SbomWarning, parse};

fn read(input: impl AsRef<[u8]>) -> Sbom {
    parse(input.as_ref()).unwrap_or_else(|error| panic!("{error}"))
}

fn cyclonedx(version: &str, components: &str) -> String {
    format!(
        "{{\"bomFormat\": \"CycloneDX\", \"specVersion\": \"{version}\",\n\"components\": [\n{components}\n]}}"
    )
}

fn spdx(packages: &str, rest: &str) -> String {
    format!(
        "{{\"spdxVersion\": \"SPDX-2.3\", \"SPDXID\": \"SPDXRef-DOCUMENT\",\n\"packages\": [\n{packages}\n]{rest}}}"
    )
}

fn warnings(sbom: &Sbom) -> Vec<(&str, &str)> {
    sbom.warnings
        .iter()
        .map(|warning| (warning.position.path.as_str(), warning.message.as_str()))
        .collect()
}

fn purl(component: &Component) -> Option<String> {
    component.purl.as_ref().map(ToString::to_string)
}

#[test]
fn invalid_purl_keeps_the_component() {
    let sbom = read(cyclonedx(
        "1.6",
        r#"{"type": "library", "name": "a", "version": "1", "purl": "npm/a@1"}"#,
    ));
    assert_eq!(sbom.components.len(), 1);
    assert_eq!(sbom.components[0].name, "a");
    assert_eq!(sbom.components[0].purl, None);
    assert_eq!(
        sbom.warnings,
        [SbomWarning {
            position: Position {
                line: 3,
                column: 58,
                path: "components[0].purl".to_owned()
            },
            message: "invalid purl \"npm/a@1\" at position 1 (scheme): expected the scheme \
                      \"pkg:\"; the component is kept without a purl"
                .to_owned(),
        }]
    );
    assert!(
        sbom.warnings[0]
            .to_string()
            .starts_with("line 3, column 58 (components[0].purl): invalid purl")
    );
}

#[test]
fn purls_are_canonical_and_upper_case_qualifier_keys_are_read_leniently() {
    let sbom = read(cyclonedx(
        "1.6",
        r#"{"type": "library", "name": "Django", "purl": "pkg:PYPI/Django_Package@1.11.1"},
{"type": "library", "name": "curl", "purl": "pkg:rpm/fedora/curl@7.50.3?Arch=i386"}"#,
    ));
    assert_eq!(
        purl(&sbom.components[0]).as_deref(),
        Some("pkg:pypi/django-package@1.11.1")
    );
    assert_eq!(
        purl(&sbom.components[1]).as_deref(),
        Some("pkg:rpm/fedora/curl@7.50.3?arch=i386")
    );
    assert_eq!(
        warnings(&sbom),
        [(
            "components[1].purl",
            "purl \"pkg:rpm/fedora/curl@7.50.3?Arch=i386\" has upper-case qualifier keys, which \
             ECMA-427 forbids; read as pkg:rpm/fedora/curl@7.50.3?arch=i386"
        )]
    );
}

#[test]
fn cpes_of_either_binding_are_kept_others_warn() {
    let sbom = read(cyclonedx(
        "1.6",
        r#"{"type": "library", "name": "a", "cpe": "cpe:2.3:a:acme:a:1:*:*:*:*:*:*:*"},
{"type": "library", "name": "b", "cpe": "cpe:/a:acme:b:2"},
{"type": "library", "name": "c", "cpe": "acme c 3"}"#,
    ));
    let cpes: Vec<Option<&str>> = sbom.components.iter().map(|c| c.cpe.as_deref()).collect();
    assert_eq!(
        cpes,
        [
            Some("cpe:2.3:a:acme:a:1:*:*:*:*:*:*:*"),
            Some("cpe:/a:acme:b:2"),
            None
        ]
    );
    assert_eq!(
        warnings(&sbom),
        [(
            "components[2].cpe",
            "expected a CPE 2.3 formatted string (cpe:2.3:...) or a CPE 2.2 URI (cpe:/...), \
             found \"acme c 3\"; the component is kept without a CPE"
        )]
    );
}

#[test]
fn bom_refs_must_be_unique_and_not_empty() {
    let sbom = read(cyclonedx(
        "1.6",
        r#"{"type": "library", "name": "a", "bom-ref": "x"},
{"type": "library", "name": "b", "bom-ref": "x"},
{"type": "library", "name": "c", "bom-ref": ""}"#,
    ));
    let refs: Vec<Option<&str>> = sbom
        .components
        .iter()
        .map(|c| c.bom_ref.as_deref())
        .collect();
    assert_eq!(refs, [Some("x"), Some("x"), None]);
    assert_eq!(
        warnings(&sbom),
        [
            (
                "components[1].bom-ref",
                "expected a unique bom-ref, found \"x\", which components[0] also has"
            ),
            (
                "components[2].bom-ref",
                "expected a non-empty bom-ref, found an empty one; the component is kept without it"
            ),
        ]
    );
}

#[test]
fn component_types_follow_the_spec_version() {
    let document = |version| {
        cyclonedx(
            version,
            r#"{"type": "platform", "name": "a"}, {"name": "b"}"#,
        )
    };
    let old = read(document("1.4"));
    assert_eq!(old.components[0].kind.as_deref(), Some("platform"));
    assert_eq!(
        warnings(&old),
        [
            (
                "components[0].type",
                "expected a CycloneDX 1.4 component type (application, framework, library, \
                 container, operating-system, device, firmware, file), found \"platform\""
            ),
            (
                "components[1].type",
                "expected a component type, found none"
            ),
        ]
    );
    // The missing type is placed on the component, as the key is absent.
    assert_eq!(
        (
            old.warnings[1].position.line,
            old.warnings[1].position.column
        ),
        (3, 36)
    );
    let new = read(document("1.5"));
    assert_eq!(
        warnings(&new),
        [(
            "components[1].type",
            "expected a component type, found none"
        )]
    );
}

#[test]
fn subject_and_nested_components() {
    let sbom = read(
        r#"{"bomFormat": "CycloneDX", "specVersion": "1.5",
  "serialNumber": "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79",
  "components": [
    {"type": "library", "name": "a", "components": [
      {"type": "library", "name": "a1", "components": [{"type": "file", "name": "a1x"}]},
      {"type": "library", "name": "a2"}]},
    {"type": "library", "name": "b"}],
  "metadata": {"component": {"type": "firmware", "name": "pump", "version": "4.2",
    "supplier": {"name": "ACME Medical"},
    "components": [{"type": "operating-system", "name": "rtos", "version": ""}]}}}"#,
    );
    assert_eq!(
        sbom.format,
        SbomFormat::CycloneDx {
            spec_version: "1.5".to_owned(),
            encoding: Encoding::Json
        }
    );
    assert_eq!(
        sbom.serial_number.as_deref(),
        Some("urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79")
    );
    let subject = sbom.subject.as_ref().unwrap();
    assert_eq!(subject.name, "pump");
    assert_eq!(subject.supplier.as_deref(), Some("ACME Medical"));
    assert_eq!(subject.kind.as_deref(), Some("firmware"));
    let names: Vec<&str> = sbom.components.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["rtos", "a", "a1", "a1x", "a2", "b"]);
    // An empty version says nothing.
    assert_eq!(sbom.components[0].version, None);
    assert!(sbom.warnings.is_empty());
}

#[test]
fn warns_when_nothing_would_be_monitored() {
    let sbom = read(cyclonedx("1.6", ""));
    assert_eq!(
        warnings(&sbom),
        [(
            "components",
            "expected at least one component, found none; nothing in this SBOM will be monitored"
        )]
    );
    let bad_serial = read(
        r#"{"bomFormat": "CycloneDX", "specVersion": "1.6", "serialNumber": "urn:uuid:3E671687-395B-41F5-A30F-A58921A69B79", "components": [{"type": "library", "name": "a"}]}"#,
    );
    assert_eq!(
        warnings(&bad_serial),
        [(
            "serialNumber",
            "expected a serial number of the form urn:uuid:<lowercase RFC 4122 UUID>, found \
             \"urn:uuid:3E671687-395B-41F5-A30F-A58921A69B79\""
        )]
    );
}

#[test]
fn xml_reads_like_json() {
    let xml = read(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<!-- a comment -->
<c:bom xmlns:c="http://cyclonedx.org/schema/bom/1.6" xmlns:x="urn:example" serialNumber="urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79">
  <c:metadata>
    <c:tools><c:components><c:component type="application"><c:name>generator</c:name></c:component></c:components></c:tools>
    <c:component type="firmware" bom-ref="pump">
      <c:supplier><c:name>ACME &amp; Sons</c:name></c:supplier>
      <c:name>pump</c:name>
    </c:component>
  </c:metadata>
  <c:components>
    <x:component><c:name>not CycloneDX</c:name></x:component>
    <c:component type="library" x:type="ignored">
      <c:group>org.example</c:group>
      <c:name>
        lib&#x2D;a
      </c:name>
      <c:version><![CDATA[1.0]]></c:version>
      <c:purl>pkg:maven/org.example/lib-a@1.0?type=jar&amp;classifier=sources</c:purl>
      <c:pedigree><c:ancestors><c:component type="library"><c:name>upstream</c:name></c:component></c:ancestors></c:pedigree>
      <x:extension><c:name>ignored</c:name></x:extension>
    </c:component>
  </c:components>
</c:bom>
"#,
    );
    let json = read(
        r#"{"bomFormat": "CycloneDX", "specVersion": "1.6",
  "serialNumber": "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79",
  "metadata": {
    "tools": {"components": [{"type": "application", "name": "generator"}]},
    "component": {"type": "firmware", "bom-ref": "pump", "supplier": {"name": "ACME & Sons"}, "name": "pump"}},
  "components": [{"type": "library", "group": "org.example", "name": "lib-a", "version": "1.0",
    "purl": "pkg:maven/org.example/lib-a@1.0?type=jar&classifier=sources",
    "pedigree": {"ancestors": [{"type": "library", "name": "upstream"}]}}]}"#,
    );
    assert_eq!(
        xml.format,
        SbomFormat::CycloneDx {
            spec_version: "1.6".to_owned(),
            encoding: Encoding::Xml
        }
    );
    assert_eq!(
        (&xml.subject, &xml.components, &xml.serial_number),
        (&json.subject, &json.components, &json.serial_number)
    );
    assert_eq!(
        purl(&xml.components[0]).as_deref(),
        Some("pkg:maven/org.example/lib-a@1.0?classifier=sources&type=jar")
    );
    assert!(xml.warnings.is_empty() && json.warnings.is_empty());
}

#[test]
fn xml_warnings_have_positions() {
    let sbom = read(
        "<bom xmlns=\"http://cyclonedx.org/schema/bom/1.4\">\n<components>\n  \
         <component bom-ref=\"a\"><name>a</name><purl>bad</purl></component>\n</components>\n</bom>",
    );
    let placed: Vec<(usize, usize, &str)> = sbom
        .warnings
        .iter()
        .map(|w| (w.position.line, w.position.column, w.position.path.as_str()))
        .collect();
    assert_eq!(
        placed,
        [(3, 3, "components[0].type"), (3, 40, "components[0].purl")]
    );
}

#[test]
fn byte_order_mark_and_minified_lines() {
    let mut input = b"\xEF\xBB\xBF".to_vec();
    input.extend(
        r#"{"bomFormat":"CycloneDX","specVersion":"1.6","components":[{"type":"library","name":"é😀","purl":"x"}]}"#
            .as_bytes(),
    );
    let sbom = read(&input);
    assert_eq!(sbom.components[0].name, "é😀");
    // The column counts characters, and the byte order mark is not one.
    assert_eq!(
        (
            sbom.warnings[0].position.line,
            sbom.warnings[0].position.column
        ),
        (1, 97)
    );
}

#[test]
fn spdx_packages() {
    let sbom = read(spdx(
        r#"{"SPDXID": "SPDXRef-fw", "name": "pump-firmware", "versionInfo": "4.2",
  "supplier": "Organization: ACME Medical", "primaryPackagePurpose": "FIRMWARE"},
{"SPDXID": "SPDXRef-os", "name": "rtos", "versionInfo": "NOASSERTION", "supplier": "NOASSERTION",
  "primaryPackagePurpose": "OPERATING_SYSTEM",
  "externalRefs": [
    {"referenceCategory": "SECURITY", "referenceType": "cpe22Type", "referenceLocator": "cpe:/o:acme:rtos:1"},
    {"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": "pkg:generic/acme/rtos@1"},
    {"referenceCategory": "PACKAGE_MANAGER", "referenceType": "purl", "referenceLocator": "pkg:generic/acme/rtos@1"},
    {"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": "pkg:github/acme/rtos@v1"},
    {"referenceCategory": "SECURITY", "referenceType": "cpe23Type"}]},
{"SPDXID": "SPDXRef-lib", "name": "zlib", "versionInfo": "1.3",
  "supplier": "Person: Mark Adler (madler@alumni.caltech.edu)",
  "externalRefs": [
    {"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": "zlib"},
    {"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": "pkg:generic/zlib@1.3"},
    {"referenceCategory": "SECURITY", "referenceType": "cpe23Type", "referenceLocator": "cpe:2.3:a:zlib:zlib:1.3:*:*:*:*:*:*:*"},
    {"referenceCategory": "SECURITY", "referenceType": "cpe22Type", "referenceLocator": "cpe:/a:zlib:zlib:1.3"}]}"#,
        r#",
"documentNamespace": "https://example.com/pump-4.2",
"relationships": [{"spdxElementId": "SPDXRef-fw", "relationshipType": "DESCRIBED_BY", "relatedSpdxElement": "SPDXRef-DOCUMENT"}]"#,
    ));
    assert_eq!(
        sbom.format,
        SbomFormat::Spdx {
            version: "2.3".to_owned()
        }
    );
    assert_eq!(
        sbom.serial_number.as_deref(),
        Some("https://example.com/pump-4.2")
    );
    let subject = sbom.subject.as_ref().unwrap();
    assert_eq!(
        (
            subject.bom_ref.as_deref(),
            subject.name.as_str(),
            subject.version.as_deref()
        ),
        (Some("SPDXRef-fw"), "pump-firmware", Some("4.2"))
    );
    assert_eq!(subject.supplier.as_deref(), Some("ACME Medical"));
    assert_eq!(subject.kind.as_deref(), Some("firmware"));
    let os = &sbom.components[0];
    assert_eq!(
        (os.version.as_deref(), os.supplier.as_deref()),
        (None, None)
    );
    assert_eq!(os.kind.as_deref(), Some("operating-system"));
    assert_eq!(os.cpe.as_deref(), Some("cpe:/o:acme:rtos:1"));
    assert_eq!(purl(os).as_deref(), Some("pkg:generic/acme/rtos@1"));
    let zlib = &sbom.components[1];
    assert_eq!(
        zlib.supplier.as_deref(),
        Some("Mark Adler (madler@alumni.caltech.edu)")
    );
    assert_eq!(purl(zlib).as_deref(), Some("pkg:generic/zlib@1.3"));
    assert_eq!(
        zlib.cpe.as_deref(),
        Some("cpe:2.3:a:zlib:zlib:1.3:*:*:*:*:*:*:*")
    );
    assert_eq!(zlib.group, None);
    assert_eq!(
        warnings(&sbom),
        [
            (
                "packages[1].externalRefs[3]",
                "expected one purl per package, found pkg:github/acme/rtos@v1 besides \
                 pkg:generic/acme/rtos@1; the package is monitored as pkg:generic/acme/rtos@1 only"
            ),
            (
                "packages[1].externalRefs[4]",
                "expected a referenceLocator for the cpe23Type reference, found none"
            ),
            (
                "packages[2].externalRefs[0]",
                "invalid purl \"zlib\" at position 1 (scheme): expected the scheme \"pkg:\"; \
                 the component is kept without a purl"
            ),
        ]
    );
}

#[test]
fn spdx_identifiers_and_what_the_document_describes() {
    let sbom = read(spdx(
        r#"{"SPDXID": "SPDXRef-a", "name": "a"},
{"SPDXID": "SPDXRef-a", "name": "b"},
{"name": "c"}"#,
        r#",
"files": [{"SPDXID": "SPDXRef-file", "fileName": "./x"}],
"documentDescribes": ["SPDXRef-file", "SPDXRef-missing", "DocumentRef-other:SPDXRef-x"],
"relationships": [{"spdxElementId": "SPDXRef-DOCUMENT", "relationshipType": "DESCRIBES", "relatedSpdxElement": "SPDXRef-a"}]"#,
    ));
    // Two packages have the described SPDXID, so neither is the subject.
    assert_eq!(sbom.subject, None);
    assert_eq!(sbom.components.len(), 3);
    assert_eq!(
        warnings(&sbom),
        [
            (
                "packages[1].SPDXID",
                "expected a unique SPDXID, found \"SPDXRef-a\", which packages[0] also has"
            ),
            ("packages[2].SPDXID", "expected an SPDXID, found none"),
            (
                "documentDescribes[1]",
                "expected the SPDXID of a package, file or snippet in this document, found \
                 \"SPDXRef-missing\", which none has"
            ),
        ]
    );
}
