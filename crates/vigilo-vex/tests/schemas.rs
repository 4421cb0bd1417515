//! Every output, in every status combination, against the official JSON schemas; and the
//! validator setup itself against the official examples and against broken documents.

mod common;

use std::fs;

use jsonschema::Validator;
use serde_json::{Value, json};
use vigilo_vex::{VexError, csaf_advisory, csaf_vex, cyclonedx, openvex};

fn assert_valid(validator: &Validator, what: &str, instance: &Value) {
    let errors = common::errors(validator, instance);
    assert!(
        errors.is_empty(),
        "{what} fails its schema:\n{}\n{instance:#}",
        errors.join("\n")
    );
}

#[test]
fn cyclonedx_outputs_are_valid_cyclonedx_1_6() {
    let validator = common::cyclonedx_validator();
    let variants = common::variants();
    assert_eq!(variants.len(), 73);
    for (what, doc) in variants {
        assert_valid(validator, &what, &cyclonedx(&doc).unwrap());
    }
}

#[test]
fn openvex_outputs_are_valid_openvex_0_2_0() {
    let validator = common::openvex_validator();
    for (what, doc) in common::variants() {
        assert_valid(validator, &what, &openvex(&doc).unwrap());
    }
}

#[test]
fn csaf_vex_outputs_are_valid_csaf_2_0() {
    let validator = common::csaf_validator();
    for (what, doc) in common::variants() {
        assert_valid(validator, &what, &csaf_vex(&doc).unwrap());
    }
}

#[test]
fn csaf_advisories_are_valid_csaf_2_0() {
    let validator = common::csaf_validator();
    for (what, advisory) in common::advisory_variants() {
        assert_valid(validator, &what, &csaf_advisory(&advisory).unwrap());
    }
}

fn json_files(dir: &str) -> Vec<(String, Value)> {
    let mut files: Vec<_> = fs::read_dir(common::data_path(dir))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|name| name.ends_with(".json"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|name| {
            let value = common::load(&format!("{dir}/{name}"));
            (name, value)
        })
        .collect()
}

/// The validators accept what the specification authors publish as valid, so a failure on our
/// output is ours and not the setup's.
#[test]
fn official_examples_validate() {
    let csaf = common::csaf_validator();
    let examples = json_files("examples/csaf");
    assert_eq!(examples.len(), 15);
    for (name, doc) in &examples {
        assert_valid(csaf, name, doc);
    }
    let cyclonedx = common::cyclonedx_validator();
    for (name, doc) in json_files("examples/cyclonedx") {
        assert_valid(cyclonedx, &name, &doc);
    }
    let openvex = common::openvex_validator();
    let examples = json_files("examples/openvex");
    assert_eq!(examples.len(), 1);
    for (name, doc) in &examples {
        assert_valid(openvex, name, doc);
    }
}

/// A validator that accepts everything would make every test above pass.
#[test]
fn broken_outputs_fail() {
    let doc = common::pump_x();

    let mut bom = cyclonedx(&doc).unwrap();
    bom["vulnerabilities"][0]["analysis"]["state"] = json!("probably_fine");
    assert!(!common::errors(common::cyclonedx_validator(), &bom).is_empty());
    let mut bom = cyclonedx(&doc).unwrap();
    bom["serialNumber"] = json!("urn:uuid:not-a-uuid");
    assert!(!common::errors(common::cyclonedx_validator(), &bom).is_empty());

    let mut vex = openvex(&doc).unwrap();
    let affected = vex["statements"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|s| s["status"] == "affected")
        .unwrap();
    affected.as_object_mut().unwrap().remove("action_statement");
    assert!(!common::errors(common::openvex_validator(), &vex).is_empty());

    let csaf = common::csaf_validator();
    let mut broken = csaf_vex(&doc).unwrap();
    broken["document"]["tracking"]["status"] = json!("done");
    assert!(!common::errors(csaf, &broken).is_empty());
    // The score object is checked against FIRST's CVSS v3.1 schema, which csaf_json_schema
    // only references: this fails only if the offline $ref resolution works.
    let mut broken = csaf_vex(&doc).unwrap();
    broken["vulnerabilities"][0]["scores"][0]["cvss_v3"]["baseScore"] = json!(11.0);
    assert!(!common::errors(csaf, &broken).is_empty());
    let mut broken = csaf_advisory(&common::advisory()).unwrap();
    broken["vulnerabilities"][0]["scores"][0]["cvss_v3"]["vectorString"] = json!("CVSS:3.1/AV:Q");
    assert!(!common::errors(csaf, &broken).is_empty());
}

#[test]
fn input_the_formats_cannot_express_is_refused() {
    let mut doc = common::pump_x();
    doc.statements.clear();
    assert_eq!(cyclonedx(&doc), Err(VexError::NoStatements));
    assert_eq!(openvex(&doc), Err(VexError::NoStatements));
    assert_eq!(csaf_vex(&doc), Err(VexError::NoStatements));

    let mut doc = common::pump_x();
    doc.statements.push(doc.statements[0].clone());
    assert!(matches!(
        csaf_vex(&doc),
        Err(VexError::DuplicateStatement { .. })
    ));

    let mut doc = common::pump_x();
    doc.statements[0].vulnerability.cvss = vec!["CVSS:3.1/AV:N".into()];
    assert!(matches!(cyclonedx(&doc), Err(VexError::Cvss { .. })));
    assert!(matches!(csaf_vex(&doc), Err(VexError::Cvss { .. })));

    let mut doc = common::pump_x();
    doc.history.pop();
    assert!(matches!(csaf_vex(&doc), Err(VexError::RevisionHistory(_))));

    let mut advisory = common::advisory();
    advisory.affected.clear();
    assert_eq!(csaf_advisory(&advisory), Err(VexError::NoAffectedProducts));
    let mut advisory = common::advisory();
    advisory.affected.truncate(1);
    advisory.affected[0].versions = vec!["2.1.1".into()];
    assert_eq!(csaf_advisory(&advisory), Err(VexError::NoAffectedProducts));
}
