//! The CSAF 2.0 mandatory tests (§6.1) that bear on what vigilo-vex writes: first shown to
//! reject the OASIS failure documents and accept the OASIS valid ones, then run on our output.

mod common;

use common::csaf_checks::{IMPLEMENTED, failures};
use vigilo_vex::{csaf_advisory, csaf_vex};

#[test]
fn checks_agree_with_the_oasis_test_documents() {
    let cases = common::load("csaf-mandatory/testcases.json");
    let mut checked = 0;
    for case in cases["tests"].as_array().unwrap() {
        let id = case["id"].as_str().unwrap();
        if !IMPLEMENTED.contains(&id) {
            continue;
        }
        for (key, must_fail) in [("failures", true), ("valid", false)] {
            for file in case[key].as_array().into_iter().flatten() {
                let name = file["name"].as_str().unwrap().replace("mandatory/", "");
                let doc = common::load(&format!("csaf-mandatory/{name}"));
                let failed = failures(&doc);
                assert_eq!(
                    failed.contains(id),
                    must_fail,
                    "{id} on {name}: our checks report {failed:?}"
                );
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 57, "OASIS documents checked");
}

#[test]
fn official_examples_pass_the_checks() {
    for name in [
        "2022-evd-uc-01-a-001.json",
        "2022-evd-uc-01-f-001.json",
        "2022-evd-uc-01-na-001.json",
        "2022-evd-uc-01-ui-001.json",
        "2022-evd-uc-02-na-001.json",
        "2022-evd-uc-03-ms-001.json",
        "2022-evd-uc-04-001.json",
        "2022-evd-uc-05-001.json",
        "2022-evd-uc-06-001.json",
        "2022-evd-uc-07-001.json",
        "2022-evd-uc-08-001.json",
        "2022-evd-uc-09-001.json",
        "sec-vex-2022-0001.json",
        "bsi-2022-0001.json",
        "cisco-sa-20180328-smi2.json",
    ] {
        let doc = common::load(&format!("examples/csaf/{name}"));
        assert_eq!(failures(&doc), Default::default(), "{name}");
    }
}

#[test]
fn csaf_vex_outputs_pass_the_checks() {
    for (what, doc) in common::variants() {
        let csaf = csaf_vex(&doc).unwrap();
        assert_eq!(failures(&csaf), Default::default(), "{what}\n{csaf:#}");
    }
}

#[test]
fn csaf_advisories_pass_the_checks() {
    for (what, advisory) in common::advisory_variants() {
        let csaf = csaf_advisory(&advisory).unwrap();
        assert_eq!(failures(&csaf), Default::default(), "{what}\n{csaf:#}");
    }
}
