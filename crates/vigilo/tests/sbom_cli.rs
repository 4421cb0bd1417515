//! The SPEC §5 `sbom` commands as a script runs them, on both backends: real CycloneDX JSON
//! and XML and SPDX JSON files attached to software versions, a re-import that changes
//! nothing, a replacement that keeps the old SBOM superseded, a malformed file and an unknown
//! version refused with nothing written, and the audit chain intact at the end.

mod support;

use serde_json::Value;
use std::path::PathBuf;
use support::*;
use vigilo_testdb::TestDb;

/// The third-party SBOMs vigilo-sbom's tests use (sources and licences in its SOURCES.md).
fn sbom_data(rel: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../vigilo-sbom/tests/data")
        .join(rel)
        .display()
        .to_string()
}

const LARAVEL_JSON: &str = "cyclonedx/bom-examples/laravel-7.12.0/bom.1.4.json";
const LARAVEL_XML: &str = "cyclonedx/bom-examples/laravel-7.12.0/bom.1.4.xml";
const SPDX_EXAMPLE: &str = "spdx/spdx-spec-2.3.1/SPDXJSONExample-v2.3.spdx.json";
const SPDX_NGINX: &str = "osv-scalibr/spdx/sbom.spdx.json";
const SPDX_BAD: &str = "spdx/tools-java/BadJSON.spdx.json";

fn file_json(rel: &str) -> Value {
    serde_json::from_slice(&std::fs::read(sbom_data(rel)).unwrap()).unwrap()
}

/// CycloneDX components, nested ones included; `metadata.component` is the product itself.
fn cyclonedx_json_count(bom: &Value) -> usize {
    fn count(list: &Value) -> usize {
        list.as_array()
            .map_or(0, |cs| cs.iter().map(|c| 1 + count(&c["components"])).sum())
    }
    count(&bom["components"])
}

/// `<component` elements after the metadata (whose one component is the product itself).
fn cyclonedx_xml_count(rel: &str) -> usize {
    let text = std::fs::read_to_string(sbom_data(rel)).unwrap();
    let body = text.split("</metadata>").nth(1).unwrap();
    body.matches("<component ").count() + body.matches("<component>").count()
}

/// SPDX packages, less the one package the document describes when it describes exactly one
/// (that package is the product itself).
fn spdx_count(doc: &Value) -> usize {
    let packages = doc["packages"].as_array().unwrap();
    let described = doc["documentDescribes"].as_array().map_or(0, |ids| {
        packages
            .iter()
            .filter(|p| ids.contains(&p["SPDXID"]))
            .count()
    });
    packages.len() - usize::from(described == 1)
}

fn import(db: &TestDb, rel: &str, version: &str) -> Value {
    json(
        db,
        &[
            "--as",
            "sec",
            "sbom",
            "import",
            &sbom_data(rel),
            "--product",
            "pt2",
            "--version",
            version,
        ],
    )
}

fn head(db: &TestDb) -> Value {
    ok(db, "audit head")
}

async fn sbom_import(db: &TestDb) {
    registry(db);
    ok(
        db,
        "--as admin person add sec --name \"Sam Security\" --org acme --role security",
    );
    for v in ["2.1.0", "2.2.0", "3.0.0"] {
        ok(
            db,
            &format!("--as qm software add --product pt2 --version {v}"),
        );
    }

    // CycloneDX 1.4 JSON: every component kept, counted as the file lists them.
    let laravel = file_json(LARAVEL_JSON);
    let first = import(db, LARAVEL_JSON, "2.1.0");
    assert_eq!(first["outcome"], "imported");
    assert_eq!(first["format"], "cyclonedx-json");
    assert_eq!(first["spec_version"], "1.4");
    assert_eq!(first["file_name"], "bom.1.4.json");
    assert_eq!(first["imported_by"], "sec");
    assert_eq!(
        first["component_count"],
        cyclonedx_json_count(&laravel) as i64
    );
    let show = ok(db, "sbom show --product pt2 --version 2.1.0");
    let components = show["components"].as_array().unwrap();
    assert_eq!(components.len(), cyclonedx_json_count(&laravel));
    assert!(
        components
            .iter()
            .all(|c| c["ecosystem"] == "Packagist" && c["matchable"] == true),
        "{show}"
    );
    let purls: Vec<&str> = components
        .iter()
        .map(|c| c["purl"].as_str().unwrap())
        .collect();
    let expected: Vec<&str> = laravel["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["purl"].as_str().unwrap())
        .collect();
    assert_eq!(purls, expected, "document order, canonical purls");

    // The same file again: nothing written.
    let before = head(db);
    let again = import(db, LARAVEL_JSON, "2.1.0");
    assert_eq!(again["outcome"], "unchanged");
    assert_eq!(again["id"], first["id"]);
    assert_eq!(head(db), before);
    let text = run(
        db,
        &[
            "--as",
            "sec",
            "sbom",
            "import",
            &sbom_data(LARAVEL_JSON),
            "--product",
            "pt2",
            "--version",
            "2.1.0",
        ],
    );
    assert!(String::from_utf8_lossy(&text.stdout).starts_with("unchanged"));

    // Another file for the same version replaces the SBOM; the old one stays, superseded.
    let xml = import(db, LARAVEL_XML, "2.1.0");
    assert_eq!(xml["outcome"], "replaced");
    assert_eq!(xml["replaced"], first["id"]);
    assert_eq!(xml["format"], "cyclonedx-xml");
    assert_eq!(
        xml["component_count"],
        cyclonedx_xml_count(LARAVEL_XML) as i64
    );
    let show = ok(db, "sbom show --product pt2 --version 2.1.0");
    assert_eq!(show["id"], xml["id"]);
    assert_eq!(
        show["components"].as_array().unwrap().len(),
        cyclonedx_xml_count(LARAVEL_XML)
    );
    let list = ok(db, "sbom list --product pt2");
    let sboms = list["sboms"].as_array().unwrap();
    assert_eq!(sboms.len(), 1, "{list}");
    assert_eq!(sboms[0]["id"], xml["id"]);
    let all = ok(db, "sbom list --all");
    let all = all["sboms"].as_array().unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(all[0]["superseded_by"], xml["id"]);
    assert_eq!(all[1]["superseded_by"], Value::Null);

    // SPDX 2.3 JSON: the described package is the product, not a component.
    let example = import(db, SPDX_EXAMPLE, "3.0.0");
    assert_eq!(example["format"], "spdx-json");
    assert_eq!(example["spec_version"], "2.3");
    assert_eq!(
        example["serial_number"],
        "http://spdx.org/spdxdocs/spdx-example-444504E0-4F89-41D3-9A0C-0305E82C3301"
    );
    assert_eq!(
        example["component_count"],
        spdx_count(&file_json(SPDX_EXAMPLE)) as i64
    );

    // A component known only by CPE is kept, with its CPE, and shown as not matchable.
    let nginx = import(db, SPDX_NGINX, "2.2.0");
    assert_eq!(
        nginx["component_count"],
        spdx_count(&file_json(SPDX_NGINX)) as i64
    );
    let show = ok(db, "sbom show --product pt2 --version 2.2.0");
    let cpe_only: Vec<&Value> = show["components"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["purl"].is_null())
        .collect();
    assert_eq!(cpe_only.len(), 1, "{show}");
    assert_eq!(cpe_only[0]["matchable"], false);
    assert!(cpe_only[0]["cpe"].as_str().unwrap().starts_with("cpe:"));
    let text = run(
        db,
        &["sbom", "show", "--product", "pt2", "--version", "2.2.0"],
    );
    assert!(text.status.success());
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("not matchable by purl"), "{text}");
    assert!(
        text.contains(cpe_only[0]["cpe"].as_str().unwrap()),
        "{text}"
    );

    // Refusals write nothing.
    let before = head(db);
    let bad = sbom_data(SPDX_BAD);
    let m = refused(
        db,
        &format!("--as sec sbom import {bad} --product pt2 --version 2.2.0"),
        2,
    );
    assert!(m.contains(&bad), "{m}");
    assert!(m.contains("line ") && m.contains("packages[1].name"), "{m}");
    let m = refused(
        db,
        &format!(
            "--as sec sbom import {} --product pt2 --version 9.9",
            sbom_data(LARAVEL_JSON)
        ),
        2,
    );
    assert!(m.contains("9.9") && m.contains("2.1.0"), "{m}");
    let m = refused(
        db,
        &format!(
            "--as tom sbom import {} --product pt2 --version 2.2.0",
            sbom_data(LARAVEL_JSON)
        ),
        1,
    );
    assert!(m.contains("security"), "{m}");
    let m = refused(db, "sbom show --product pt2 --version 2.1.1", 2);
    assert!(m.contains("2.1.1"), "{m}");
    assert_eq!(head(db), before);
    assert_eq!(
        ok(db, "sbom show --product pt2 --version 2.2.0")["id"],
        nginx["id"]
    );

    let v = ok(db, "audit verify");
    assert_eq!(v["head"], head(db)["hash"]);
    assert_eq!(v["events"], head(db)["seq"]);
}

vigilo_testdb::backend_tests!(sbom_import);
