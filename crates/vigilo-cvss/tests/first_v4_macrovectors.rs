//! Checks the v4.0 engine against FIRST's own MacroVector table (see
//! tests/data/SOURCES.md).
//!
//! For each of the 270 MacroVectors, the vector assembled from the first
//! highest-severity vector of every EQ level (`max_composed`) lies at
//! severity distance zero from its MacroVector, so FIRST's algorithm scores it
//! at exactly the table value. A mismatch means the engine's copy of the
//! lookup table or its EQ classification differs from FIRST's.

use std::collections::BTreeMap;
use std::fs;

use serde_json::Value;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/first-cvss-v4");
const LOOKUP: &str = "cvss_v4_macrovector_lookup.json";

/// The base, threat and environmental metrics in CVSS v4.0 table 23 order.
const ORDER: &[&str] = &[
    "AV", "AC", "AT", "PR", "UI", "VC", "VI", "VA", "SC", "SI", "SA", "E", "CR", "IR", "AR", "MSI",
    "MSA",
];

fn first_max_vector(max_composed: &Value, path: &[&str]) -> String {
    let mut node = max_composed;
    for key in path {
        node = &node[key];
    }
    node[0]
        .as_str()
        .unwrap_or_else(|| panic!("max_composed has no vector at {path:?}"))
        .to_owned()
}

/// FIRST's tables write the Safety level of EQ4 as `SI:S`/`SA:S`, a value
/// that only exists for the modified metrics `MSI`/`MSA`.
fn assemble(fragments: &[String]) -> String {
    let mut metrics = BTreeMap::new();
    for pair in fragments
        .iter()
        .flat_map(|f| f.split('/'))
        .filter(|p| !p.is_empty())
    {
        let (name, value) = pair.split_once(':').expect("METRIC:VALUE");
        if value == "S" {
            metrics.insert("M".to_owned() + name, "S");
            metrics.insert(name.to_owned(), "H");
        } else {
            metrics.insert(name.to_owned(), value);
        }
    }
    let body: Vec<String> = ORDER
        .iter()
        .filter_map(|name| metrics.get(*name).map(|value| format!("{name}:{value}")))
        .collect();
    format!("CVSS:4.0/{}", body.join("/"))
}

#[test]
fn every_first_macrovector_scores_its_table_value() {
    let lookup = fs::read_to_string(format!("{DATA}/{LOOKUP}")).expect("lookup table");
    let max_composed: Value = serde_json::from_str(
        &fs::read_to_string(format!("{DATA}/cvss_v4_max_composed.json")).expect("max_composed"),
    )
    .expect("max_composed is JSON");

    let mut mismatches = Vec::new();
    let mut checked = 0;
    // One `"EQ1..EQ6": score` entry per line, so line numbers can be reported.
    for (index, line) in lookup.lines().enumerate() {
        let Some((key, value)) = line.trim().trim_end_matches(',').split_once(':') else {
            continue;
        };
        let macrovector = key.trim().trim_matches('"');
        let expected: f64 = value.trim().parse().expect("numeric table value");
        let eq: Vec<&str> = (0..6).map(|i| &macrovector[i..=i]).collect();
        let vector = assemble(&[
            first_max_vector(&max_composed, &["eq1", eq[0]]),
            first_max_vector(&max_composed, &["eq2", eq[1]]),
            first_max_vector(&max_composed, &["eq3", eq[2], eq[5]]),
            first_max_vector(&max_composed, &["eq4", eq[3]]),
            first_max_vector(&max_composed, &["eq5", eq[4]]),
        ]);
        checked += 1;
        match vigilo_cvss::score(&vector) {
            Ok(score) if score.base_score == expected => {}
            Ok(score) => mismatches.push(format!(
                "{LOOKUP}:{}: {macrovector} via {vector}: expected {expected}, got {}",
                index + 1,
                score.base_score
            )),
            Err(error) => mismatches.push(format!("{LOOKUP}:{}: {error}", index + 1)),
        }
    }
    println!("{LOOKUP}: {}/{checked} passed", checked - mismatches.len());
    assert_eq!(checked, 270, "FIRST defines 270 MacroVectors");
    assert!(
        mismatches.is_empty(),
        "{} mismatches:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}
