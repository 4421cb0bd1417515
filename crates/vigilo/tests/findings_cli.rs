//! The SPEC §5 `advisories import` and `findings` commands as a script runs them, on both
//! backends: real OSV records against a real CycloneDX SBOM, findings raised at once from
//! either side and equal to what the stateless `vigilo scan` reports, re-imports that change
//! nothing, retraction by withdrawal and by a superseding SBOM, a malformed record refused with
//! nothing written, the devices running each affected version, and the audit chain intact.

mod support;

use serde_json::{Value, json};
use std::path::Path;
use support::*;
use vigilo_testdb::TestDb;

fn import_sbom(db: &TestDb, file: &Path, version: &str) -> Value {
    json(
        db,
        &[
            "--as",
            "sec",
            "sbom",
            "import",
            path(file),
            "--product",
            "pt2",
            "--version",
            version,
        ],
    )
}

fn import_advisories(db: &TestDb, p: &Path) -> Value {
    json(db, &["--as", "sec", "advisories", "import", path(p)])
}

fn head(db: &TestDb) -> Value {
    ok(db, "audit head")
}

fn findings(db: &TestDb, args: &str) -> Vec<Value> {
    ok(db, &format!("findings list {args}"))["findings"]
        .as_array()
        .unwrap()
        .clone()
}

/// What identifies a finding in both `findings list` and `scan`.
fn key(f: &Value) -> Value {
    let severity: Vec<Value> = f["severity"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| json!([s["type"], s["score"]]))
        .collect();
    json!([f["purl"], f["advisory"], f["aliases"], f["fixed"], severity])
}

fn counts(v: &Value) -> Value {
    json!([v["findings_added"], v["findings_retracted"]])
}

async fn findings_follow_advisories_and_sboms(db: &TestDb) {
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
    for (serial, version) in [
        ("A1", "2.1.0"),
        ("A2", "2.1.0"),
        ("A3", "2.1.0"),
        ("B1", "2.2.0"),
    ] {
        ok(
            db,
            &format!(
                "--as admin device add --product pt2 --serial {serial} --country DE --software {version}"
            ),
        );
    }
    // A device updated to 2.2.0 no longer runs 2.1.0.
    let now = jiff::Timestamp::now().to_string();
    json(
        db,
        &[
            "--as",
            "admin",
            "device",
            "set-software",
            "A3",
            "--version",
            "2.2.0",
            "--at",
            &now,
        ],
    );
    add_device(db, "C1", "AT");

    let dir = tempfile::tempdir().unwrap();
    let old_release = laravel_with_old_flysystem(dir.path());
    let first = import_sbom(db, &old_release, "2.1.0");
    assert_eq!(counts(&first), json!([0, 0]), "no advisories yet");
    import_sbom(db, &laravel(), "2.2.0");

    // Advisories arriving: the changed ones are matched against every current SBOM at once.
    let imported = import_advisories(db, &packagist());
    assert_eq!(
        imported,
        json!({"added": 4, "updated": 0, "unchanged": 0, "withdrawn": 0,
               "findings_added": 1, "findings_retracted": 0})
    );
    let open = findings(db, "");
    assert_eq!(open.len(), 1, "{open:?}");
    let f = &open[0];
    assert_eq!(
        (&f["advisory"], &f["product"], &f["version"], &f["state"]),
        (
            &json!("GHSA-9f46-5r25-5wfm"),
            &json!("pt2"),
            &json!("2.1.0"),
            &json!("open")
        )
    );
    assert_eq!(f["devices"], 2, "A1 and A2 run 2.1.0; A3 moved to 2.2.0");
    assert_eq!(f["fixed"], json!(["1.1.4"]));

    // The stateless scanner, an independent path, reports the same for the same files.
    let scan = json(
        db,
        &[
            "scan",
            "--sbom",
            path(&old_release),
            "--advisories",
            path(&packagist()),
        ],
    );
    let scanned: Vec<Value> = scan["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(key)
        .collect();
    let stored: Vec<Value> = open.iter().map(key).collect();
    assert_eq!(stored, scanned);
    let clean = json(
        db,
        &[
            "scan",
            "--sbom",
            path(&laravel()),
            "--advisories",
            path(&packagist()),
        ],
    );
    assert_eq!(clean["findings"], json!([]));

    // The same feed again, and the daily re-match: nothing changes.
    let before = head(db);
    let again = import_advisories(db, &packagist());
    assert_eq!(
        (&again["unchanged"], &again["added"], &again["updated"]),
        (&json!(4), &json!(0), &json!(0))
    );
    assert_eq!(counts(&again), json!([0, 0]));
    assert_eq!(counts(&ok(db, "--as sec findings rematch")), json!([0, 0]));
    assert_eq!(head(db), before);

    // An SBOM arriving: matched against every stored advisory at once; its replacement
    // retracts the findings of the SBOM it supersedes.
    let third = import_sbom(db, &old_release, "3.0.0");
    assert_eq!(counts(&third), json!([1, 0]));
    assert_eq!(findings(db, "--version 3.0.0")[0]["devices"], 0);
    let replaced = import_sbom(db, &laravel(), "3.0.0");
    assert_eq!(replaced["outcome"], "replaced");
    assert_eq!(counts(&replaced), json!([0, 1]));
    assert_eq!(findings(db, "--version 3.0.0"), Vec::<Value>::new());
    let retracted = findings(db, "--product pt2 --version 3.0.0 --all");
    assert_eq!(retracted.len(), 1);
    assert_eq!(retracted[0]["state"], "retracted");

    // A malformed record refuses the whole import with its file and position.
    let bad_dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        packagist().join("GHSA-9f46-5r25-5wfm.json"),
        bad_dir.path().join("GHSA-9f46-5r25-5wfm.json"),
    )
    .unwrap();
    std::fs::write(
        bad_dir.path().join("broken.json"),
        "{\"id\": \"GHSA-xxxx\",\n \"modified\": }",
    )
    .unwrap();
    let before = head(db);
    let m = fails(
        db,
        &["--as", "sec", "advisories", "import", path(bad_dir.path())],
        2,
    );
    assert!(m.contains("broken.json") && m.contains("line 2"), "{m}");
    let m = fails(
        db,
        &["--as", "tom", "advisories", "import", path(&packagist())],
        1,
    );
    assert!(m.contains("security"), "{m}");
    assert_eq!(head(db), before);

    // The advisory withdrawn in a later version: its findings are retracted.
    let mut record: Value = serde_json::from_slice(
        &std::fs::read(packagist().join("GHSA-9f46-5r25-5wfm.json")).unwrap(),
    )
    .unwrap();
    record["modified"] = json!("2026-09-01T00:00:00Z");
    record["withdrawn"] = json!("2026-09-01T00:00:00Z");
    let withdrawn_dir = tempfile::tempdir().unwrap();
    let withdrawn = withdrawn_dir.path().join("GHSA-9f46-5r25-5wfm.json");
    std::fs::write(&withdrawn, record.to_string()).unwrap();
    let imported = import_advisories(db, &withdrawn);
    assert_eq!(
        imported,
        json!({"added": 0, "updated": 1, "unchanged": 0, "withdrawn": 1,
               "findings_added": 0, "findings_retracted": 1})
    );
    assert_eq!(findings(db, ""), Vec::<Value>::new());
    let all = findings(db, "--all");
    assert_eq!(all.len(), 2);
    assert!(all.iter().all(|f| f["state"] == "retracted"), "{all:?}");
    // The older version again is not newer than the stored one: still withdrawn.
    assert_eq!(import_advisories(db, &packagist())["unchanged"], 4);
    let before = head(db);
    assert_eq!(counts(&ok(db, "--as sec findings rematch")), json!([0, 0]));
    assert_eq!(head(db), before);

    let v = ok(db, "audit verify");
    assert_eq!(v["head"], head(db)["hash"]);
    assert_eq!(v["events"], head(db)["seq"]);
}

vigilo_testdb::backend_tests!(findings_follow_advisories_and_sboms);
