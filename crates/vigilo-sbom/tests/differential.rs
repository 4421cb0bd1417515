//! Every reference file that parses is read a second time by a naive walk
//! written here (over `serde_json::Value` for JSON, over a plain scan of the
//! tags for XML), and the component names and purls of both readings must
//! agree, in order. Purls found by the walk are canonicalised with
//! `vigilo_purl` directly, and one that does not parse must be missing from
//! the parser's output as well.

mod common;

use std::fs;

use serde_json::Value;
use vigilo_purl::Purl;
use vigilo_sbom::{Encoding, Sbom, SbomFormat, parse};

/// A component as the naive walk sees it: its name and its purl, if the
/// purl string parses.
type Seen = (String, Option<String>);

fn canonical(purl: Option<&str>) -> Option<String> {
    Purl::parse_lenient(purl?.trim())
        .ok()
        .map(|purl| purl.to_string())
}

/// CycloneDX JSON: the subject's nested components, then `components`, each
/// followed by its own nested components.
fn cyclonedx_json(document: &Value) -> (bool, Vec<Seen>) {
    fn add(list: &Value, seen: &mut Vec<Seen>) {
        for component in list.as_array().into_iter().flatten() {
            seen.push((
                component["name"].as_str().unwrap_or_default().to_owned(),
                canonical(component["purl"].as_str()),
            ));
            add(&component["components"], seen);
        }
    }
    let subject = &document["metadata"]["component"];
    let mut seen = Vec::new();
    add(&subject["components"], &mut seen);
    add(&document["components"], &mut seen);
    (subject.is_object(), seen)
}

/// SPDX JSON: every package with its first purl that parses.
fn spdx_json(document: &Value) -> Vec<(String, Seen)> {
    document["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|package| {
            let purl = package["externalRefs"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|reference| {
                    matches!(
                        reference["referenceType"].as_str(),
                        Some("purl" | "http://spdx.org/rdf/references/purl")
                    )
                })
                .find_map(|reference| canonical(reference["referenceLocator"].as_str()));
            let id = package["SPDXID"].as_str().unwrap_or_default().to_owned();
            let name = package["name"].as_str().unwrap_or_default().to_owned();
            (id, (name, purl))
        })
        .collect()
}

/// Whether an element, given the names of it and its ancestors, is a
/// component of the BOM: `bom/components/component`,
/// `bom/metadata/component`, or a component in a component's `components`.
fn is_listed(names: &[String]) -> bool {
    match names {
        [bom, list, component] => {
            bom == "bom" && (list == "components" || list == "metadata") && component == "component"
        }
        [parent @ .., list, component] => {
            list == "components" && component == "component" && is_listed(parent)
        }
        _ => false,
    }
}

/// CycloneDX XML by a plain scan of the tags, enough for the well-formed
/// test files: comments, declarations and processing instructions are
/// skipped, CDATA and the predefined entities give text.
fn cyclonedx_xml(text: &str) -> (bool, Vec<Seen>) {
    let mut names: Vec<String> = Vec::new();
    // For each open element, the index in `seen` of the component it is.
    let mut listed: Vec<Option<usize>> = Vec::new();
    let mut seen: Vec<Seen> = Vec::new();
    let mut subject = false;
    let mut content = String::new();
    let mut rest = text;
    while !rest.is_empty() {
        if let Some(data) = rest.strip_prefix("<![CDATA[") {
            let end = data.find("]]>").unwrap();
            content.push_str(&data[..end]);
            rest = &data[end + 3..];
        } else if let Some(end) = ["<!--", "<?", "<!"]
            .iter()
            .zip(["-->", "?>", ">"])
            .find_map(|(start, end)| rest.starts_with(start).then_some(end))
        {
            rest = &rest[rest.find(end).unwrap() + end.len()..];
        } else if rest.starts_with('<') {
            let mut quote = None;
            let (end, _) = rest
                .char_indices()
                .find(|&(_, c)| {
                    match (quote, c) {
                        (None, '"' | '\'') => quote = Some(c),
                        (Some(open), c) if c == open => quote = None,
                        (None, '>') => return true,
                        _ => {}
                    }
                    false
                })
                .unwrap();
            let tag = &rest[1..end];
            rest = &rest[end + 1..];
            if let Some(name) = tag.strip_prefix('/') {
                let name = name.trim();
                let parent = listed.len().checked_sub(2).and_then(|at| listed[at]);
                match (parent, name) {
                    (Some(index), "name") => seen[index].0 = content.trim().to_owned(),
                    (Some(index), "purl") => seen[index].1 = canonical(Some(&content)),
                    _ => {}
                }
                names.pop();
                listed.pop();
            } else {
                let name = tag.trim_end_matches('/').split_whitespace().next().unwrap();
                names.push(name.to_owned());
                // The subject is not in the list; its nested components are.
                let is_subject = names == ["bom", "metadata", "component"];
                subject |= is_subject;
                listed.push((is_listed(&names) && !is_subject).then(|| {
                    seen.push((String::new(), None));
                    seen.len() - 1
                }));
                if tag.ends_with('/') {
                    names.pop();
                    listed.pop();
                }
            }
            content.clear();
        } else {
            let end = rest.find('<').unwrap_or(rest.len());
            content.push_str(
                &rest[..end]
                    .replace("&lt;", "<")
                    .replace("&gt;", ">")
                    .replace("&quot;", "\"")
                    .replace("&apos;", "'")
                    .replace("&amp;", "&"),
            );
            rest = &rest[end..];
        }
    }
    (subject, seen)
}

fn parsed(sbom: &Sbom) -> Vec<Seen> {
    sbom.components
        .iter()
        .map(|component| {
            (
                component.name.clone(),
                component.purl.as_ref().map(Purl::to_string),
            )
        })
        .collect()
}

#[test]
fn a_naive_walk_finds_the_same_components_and_purls() {
    let mut compared = 0;
    let mut components = 0;
    let mut purls = 0;
    for path in common::data_files() {
        let bytes = fs::read(&path).unwrap();
        let Ok(sbom) = parse(&bytes) else { continue };
        let text = String::from_utf8(bytes).unwrap();
        let name = path.display();
        match &sbom.format {
            SbomFormat::CycloneDx { encoding, .. } => {
                let (subject, seen) = match encoding {
                    Encoding::Json => cyclonedx_json(&serde_json::from_str(&text).unwrap()),
                    Encoding::Xml => cyclonedx_xml(&text),
                };
                assert_eq!(sbom.subject.is_some(), subject, "{name}");
                assert_eq!(parsed(&sbom), seen, "{name}");
            }
            SbomFormat::Spdx { .. } => {
                let mut seen = spdx_json(&serde_json::from_str(&text).unwrap());
                if let Some(subject) = &sbom.subject {
                    let at = seen
                        .iter()
                        .position(|(id, _)| Some(id) == subject.bom_ref.as_ref())
                        .unwrap();
                    seen.remove(at);
                }
                let seen: Vec<Seen> = seen.into_iter().map(|(_, seen)| seen).collect();
                assert_eq!(parsed(&sbom), seen, "{name}");
            }
        }
        compared += 1;
        components += sbom.components.len();
        purls += sbom.components.iter().filter(|c| c.purl.is_some()).count();
    }
    // Every file that parses, and how much of them was compared.
    assert_eq!((compared, components, purls), (384, 595, 259));
}
