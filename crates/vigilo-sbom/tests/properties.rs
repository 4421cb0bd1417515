//! Properties: parsing never panics and always places its errors, and a
//! component list written as CycloneDX JSON and as XML reads back the same.

use std::path::Path;

use proptest::prelude::*;
use serde_json::json;
use vigilo_purl::Purl;
use vigilo_sbom::{Sbom, SbomError, parse};

/// Valid documents of each reader, to be mutated.
const SEEDS: [&str; 6] = [
    "osv-scalibr/cdx/sbom-with-nested-comps.cdx.json",
    "osv-scalibr/cdx/sbom.cdx.xml",
    "osv-scalibr/spdx/purl_and_cpe.spdx.json",
    "cyclonedx/specification/test-resources/1.6/valid-bom-1.6.json",
    "cyclonedx/specification/test-resources/1.6/valid-bom-1.6.xml",
    "cyclonedx/specification/test-resources/1.5/valid-random-attributes-1.5.xml",
];

/// Fragments that change the structure of JSON or XML when inserted.
const TOKENS: [&str; 16] = [
    "{",
    "}",
    "[",
    "]",
    "\"",
    ",",
    ":",
    "\\",
    "<",
    "</",
    ">",
    "/>",
    "&",
    "<![CDATA[",
    "<!--",
    "\u{e9}",
];

fn seed(index: usize) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(SEEDS[index]);
    std::fs::read(path).unwrap()
}

/// Every error and warning has a line, since each names where it is.
fn placed(result: &Result<Sbom, SbomError>) -> bool {
    match result {
        Ok(sbom) => sbom
            .warnings
            .iter()
            .all(|warning| warning.position.line > 0),
        Err(error) => error.position.line > 0 && error.position.column > 0,
    }
}

#[derive(Debug, Clone)]
enum Mutation {
    Flip(usize, u8),
    Insert(usize, usize),
    Delete(usize, usize),
    Duplicate(usize, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(at, byte)| Mutation::Flip(at, byte)),
        (any::<usize>(), 0..TOKENS.len()).prop_map(|(at, token)| Mutation::Insert(at, token)),
        (any::<usize>(), 1usize..64).prop_map(|(at, length)| Mutation::Delete(at, length)),
        (any::<usize>(), 1usize..64).prop_map(|(at, length)| Mutation::Duplicate(at, length)),
    ]
}

fn mutate(bytes: &mut Vec<u8>, mutation: &Mutation) {
    let at = |position: usize, bytes: &Vec<u8>| position % (bytes.len() + 1);
    match *mutation {
        Mutation::Flip(position, byte) => {
            if !bytes.is_empty() {
                let index = position % bytes.len();
                bytes[index] = byte;
            }
        }
        Mutation::Insert(position, token) => {
            let index = at(position, bytes);
            bytes.splice(index..index, TOKENS[token].bytes());
        }
        Mutation::Delete(position, length) => {
            let index = at(position, bytes);
            let end = (index + length).min(bytes.len());
            bytes.drain(index..end);
        }
        Mutation::Duplicate(position, length) => {
            let index = at(position, bytes);
            let end = (index + length).min(bytes.len());
            let copy = bytes[index..end].to_vec();
            bytes.splice(index..index, copy);
        }
    }
}

/// A component to write: name, version, purl parts, type, children.
#[derive(Debug, Clone)]
struct Written {
    name: String,
    version: Option<String>,
    purl: Option<(String, String, String)>,
    kind: String,
    children: Vec<Written>,
}

fn written() -> impl Strategy<Value = Written> {
    let leaf = (
        "[a-zA-Z0-9._&<>\"'\u{e9}-]([a-zA-Z0-9 ._&<>\"'\u{e9}-]{0,12}[a-zA-Z0-9._&<>\"'\u{e9}-])?",
        proptest::option::of("[0-9]{1,2}(\\.[0-9]{1,2}){0,2}"),
        proptest::option::of((
            prop::sample::select(vec!["npm", "pypi", "maven", "generic", "cargo"]),
            "[a-z][a-z0-9-]{0,8}",
            "[0-9]{1,2}\\.[0-9]{1,2}",
        )),
        prop::sample::select(vec![
            "library",
            "firmware",
            "operating-system",
            "application",
        ]),
    )
        .prop_map(|(name, version, purl, kind)| Written {
            name,
            version,
            purl: purl.map(|(ty, name, version)| {
                // Maven purls need a namespace.
                let namespace = if ty == "maven" { "org.example/" } else { "" };
                (format!("pkg:{ty}/{namespace}"), name, version)
            }),
            kind: kind.to_owned(),
            children: Vec::new(),
        });
    leaf.prop_recursive(3, 24, 4, |inner| {
        (inner.clone(), prop::collection::vec(inner, 0..4)).prop_map(|(mut parent, children)| {
            parent.children = children;
            parent
        })
    })
}

fn purl_of(component: &Written) -> Option<String> {
    component
        .purl
        .as_ref()
        .map(|(prefix, name, version)| format!("{prefix}{name}@{version}"))
}

fn to_json(component: &Written) -> serde_json::Value {
    let mut value = json!({"type": component.kind, "name": component.name});
    if let Some(version) = &component.version {
        value["version"] = json!(version);
    }
    if let Some(purl) = purl_of(component) {
        value["purl"] = json!(purl);
    }
    if !component.children.is_empty() {
        value["components"] = component.children.iter().map(to_json).collect();
    }
    value
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

fn to_xml(component: &Written) -> String {
    let mut xml = format!(
        "<component type=\"{}\"><name>{}</name>",
        component.kind,
        escape(&component.name)
    );
    if let Some(version) = &component.version {
        xml += &format!("<version>{version}</version>");
    }
    if let Some(purl) = purl_of(component) {
        xml += &format!("<purl>{}</purl>", escape(&purl));
    }
    if !component.children.is_empty() {
        xml += "<components>";
        for child in &component.children {
            xml += &to_xml(child);
        }
        xml += "</components>";
    }
    xml + "</component>"
}

fn flatten<'a>(components: &'a [Written], into: &mut Vec<&'a Written>) {
    for component in components {
        into.push(component);
        flatten(&component.children, into);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        prop_assert!(placed(&parse(&bytes)));
    }

    #[test]
    fn arbitrary_text_after_a_marker_never_panics(
        start in prop::sample::select(vec!["{", "[", "<", "<bom xmlns=\"http://cyclonedx.org/schema/bom/1.6\">"]),
        text in "\\PC{0,200}",
    ) {
        let input = format!("{start}{text}");
        prop_assert!(placed(&parse(input.as_bytes())));
    }

    #[test]
    fn mutated_documents_never_panic(
        index in 0..SEEDS.len(),
        mutations in prop::collection::vec(mutation(), 1..6),
    ) {
        let mut bytes = seed(index);
        for mutation in &mutations {
            mutate(&mut bytes, mutation);
        }
        prop_assert!(placed(&parse(&bytes)));
    }

    #[test]
    fn json_and_xml_read_the_same_components(components in prop::collection::vec(written(), 0..6)) {
        let json = json!({
            "bomFormat": "CycloneDX",
            "specVersion": "1.6",
            "components": components.iter().map(to_json).collect::<Vec<_>>(),
        })
        .to_string();
        let xml = format!(
            "<bom xmlns=\"http://cyclonedx.org/schema/bom/1.6\"><components>{}</components></bom>",
            components.iter().map(to_xml).collect::<String>()
        );
        let from_json = parse(json.as_bytes()).unwrap();
        let from_xml = parse(xml.as_bytes()).unwrap();
        prop_assert_eq!(&from_json.components, &from_xml.components);
        let mut expected = Vec::new();
        flatten(&components, &mut expected);
        prop_assert_eq!(from_json.components.len(), expected.len());
        for (read, written) in from_json.components.iter().zip(expected) {
            prop_assert_eq!(&read.name, &written.name);
            prop_assert_eq!(&read.version, &written.version);
            prop_assert_eq!(read.kind.as_deref(), Some(written.kind.as_str()));
            let canonical = purl_of(written).map(|purl| Purl::parse(&purl).unwrap().to_string());
            prop_assert_eq!(read.purl.as_ref().map(ToString::to_string), canonical);
        }
    }
}
