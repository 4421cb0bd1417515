//! The SPEC §5 registry commands, run as a script would run them, on both backends.

mod support;

use serde_json::json;
use support::*;
use vigilo_testdb::TestDb;

async fn scripted_session(db: &TestDb) {
    registry(db);
    let d = json(
        db,
        &[
            "--as",
            "admin",
            "device",
            "add",
            "--product",
            "pt2",
            "--serial",
            "SN-1",
            "--country",
            "DE",
            "--software",
            "2.0.0",
            "--customer",
            "Charité Berlin",
        ],
    );
    assert_eq!(d["id"], 1);
    assert_eq!(d["serial"], "SN-1");
    assert_eq!(d["software"], "2.0.0");
    assert_eq!(d["status"], "in-field");
    // A scanned UDI names product, serial and production data in one.
    let d = json(
        db,
        &[
            "--as",
            "admin",
            "device",
            "add",
            "--udi",
            "(01)04260123450007(11)250301(17)350301(10)PT2-2503(21)SN-2",
            "--country",
            "at",
        ],
    );
    assert_eq!(
        (
            d["product"].clone(),
            d["serial"].clone(),
            d["country"].clone()
        ),
        (json!("pt2"), json!("SN-2"), json!("AT"))
    );
    assert_eq!(d["lot"], "PT2-2503");
    assert_eq!(d["manufactured_on"], "2025-03-01");

    let p = json(
        db,
        &[
            "--as",
            "qm",
            "procedure",
            "add",
            "SOP-BAT",
            "--version",
            "1",
            "--title",
            "Battery replacement",
            "--governs",
            "battery-replacement",
            "--effective",
            "2025-01-01",
        ],
    );
    assert!(p["id"].is_i64());
    json(
        db,
        &[
            "--as",
            "qm",
            "procedure",
            "add",
            "SOP-BAT",
            "--version",
            "2",
            "--title",
            "Battery replacement",
            "--governs",
            "battery-replacement",
            "--effective",
            "2026-02-01",
        ],
    );
    let t = json(
        db,
        &[
            "--as",
            "qm",
            "training",
            "add",
            "--person",
            "tom",
            "--procedure",
            "SOP-BAT",
            "--version",
            "2",
            "--date",
            "2026-01-20",
            "--trainer",
            "qm",
            "--check",
            "test",
            "--result",
            "pass",
        ],
    );
    assert_eq!(
        (t["check_kind"].clone(), t["result"].clone()),
        (json!("test"), json!("pass"))
    );
    let l = json(
        db,
        &[
            "--as", "qm", "lot", "add", "--part", "BAT-7420", "--lot", "L1", "--qty", "100",
        ],
    );
    assert_eq!(l["status"], "released");
    let l = json(
        db,
        &["--as", "qm", "lot", "set-status", "L1", "quarantined"],
    );
    assert_eq!(l["status"], "quarantined");

    // Listings are one JSON object each.
    assert_eq!(
        json(db, &["device", "list"])["devices"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        json(db, &["device", "list", "--country", "AT"])["devices"][0]["serial"],
        "SN-2"
    );
    assert_eq!(
        json(db, &["org", "list"])["organisations"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        json(db, &["person", "list"])["persons"]
            .as_array()
            .unwrap()
            .len(),
        5
    );
    assert_eq!(
        json(db, &["event-type", "list"])["event_types"]
            .as_array()
            .unwrap()
            .len(),
        5
    );
    assert_eq!(
        json(db, &["training", "list", "--person", "tom"])["trainings"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(json(db, &["lot", "list"])["lots"][0]["lot"], "L1");
    let show = json(db, &["device", "show", "SN-1"]);
    assert_eq!(show["software_history"][0]["version"], "2.0.0");
    // A UDI is accepted wherever a serial is asked for.
    let show = json(db, &["device", "show", "(01)04260123450007(21)SN-2"]);
    assert_eq!(show["serial"], "SN-2");
    let org = json(db, &["org", "show", "alpen"]);
    assert_eq!(org["kind"], "partner");
    assert_eq!(org["agreements"][0]["countries"], json!(["AT", "IT"]));

    insta::assert_json_snapshot!("product_show", json(db, &["product", "show", "pt2"]));
    insta::assert_json_snapshot!(
        "procedure_list",
        json(db, &["procedure", "list", "--as-of", "2026-03-01"])
    );

    // Every write is an event; the lot's status change is a second event on one record.
    let v = json(db, &["audit", "verify"]);
    assert_eq!(
        v["events"].as_i64().unwrap(),
        v["records"].as_i64().unwrap() + 1
    );
    let log = json(db, &["audit", "log", "--table", "part_lots"]);
    let events = log["events"].as_array().unwrap();
    assert_eq!(events.len(), 2);
    assert_eq!(events[1]["actor"], "qm");
    assert_eq!(events[1]["before"]["status"], "released");
}

async fn bad_input_and_refusals_write_nothing(db: &TestDb) {
    registry(db);
    add_device(db, "SN-1", "DE");
    let head = json(db, &["audit", "head"]);
    let add = |extra: &[&str]| -> Vec<String> {
        let mut v: Vec<String> = ["--as", "admin", "device", "add"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        v.extend(extra.iter().map(|s| s.to_string()));
        v
    };
    let cases: Vec<(Vec<String>, i32, &str)> = vec![
        (
            add(&["--product", "nope", "--serial", "X", "--country", "DE"]),
            2,
            "--product: no product \"nope\" (known: pt2)",
        ),
        (
            add(&["--product", "pt2", "--serial", "SN-1", "--country", "DE"]),
            2,
            "already has a device with serial \"SN-1\"",
        ),
        (
            add(&["--product", "pt2", "--serial", "X", "--country", "XX"]),
            2,
            "--country: \"XX\" is not an ISO 3166-1 alpha-2 country code",
        ),
        (
            add(&[
                "--product",
                "pt2",
                "--serial",
                "X",
                "--country",
                "DE",
                "--manufactured",
                "2025-02-30",
            ]),
            2,
            "--manufactured: \"2025-02-30\" is not a date: expected YYYY-MM-DD",
        ),
        (
            add(&["--udi", "(01)04260123450006(21)X", "--country", "DE"]),
            2,
            "--udi: position 18: expected GTIN check digit 7",
        ),
        (
            vec![
                "--as".into(),
                "admin".into(),
                "person".into(),
                "add".into(),
                "x".into(),
                "--name".into(),
                "X".into(),
                "--org".into(),
                "acme".into(),
                "--role".into(),
                "boss".into(),
            ],
            2,
            "--role: \"boss\" is not valid: expected one of admin, triager",
        ),
        (
            vec![
                "--as".into(),
                "nb".into(),
                "lot".into(),
                "add".into(),
                "--part".into(),
                "P".into(),
                "--lot".into(),
                "L".into(),
                "--qty".into(),
                "1".into(),
            ],
            1,
            "refused: only admin or quality may receive a part lot: nb holds only auditor",
        ),
        (
            vec![
                "--as".into(),
                "tom".into(),
                "product".into(),
                "add".into(),
                "p3".into(),
                "--name".into(),
                "P3".into(),
                "--class".into(),
                "I".into(),
            ],
            1,
            "refused: only admin or quality may add a product",
        ),
        (
            vec![
                "--as".into(),
                "mallory".into(),
                "lot".into(),
                "add".into(),
                "--part".into(),
                "P".into(),
                "--lot".into(),
                "L".into(),
                "--qty".into(),
                "1".into(),
            ],
            2,
            "--as: no person \"mallory\" in this store",
        ),
        (
            vec![
                "lot".into(),
                "add".into(),
                "--part".into(),
                "P".into(),
                "--lot".into(),
                "L".into(),
                "--qty".into(),
                "1".into(),
            ],
            2,
            "--as: this command writes",
        ),
        (
            vec![
                "--as".into(),
                "qm".into(),
                "lot".into(),
                "add".into(),
                "--part".into(),
                "P".into(),
                "--lot".into(),
                "L".into(),
                "--qty".into(),
                "0".into(),
            ],
            2,
            "--qty: \"0\" is not valid: expected a whole number ≥ 1",
        ),
        (
            vec![
                "--as".into(),
                "admin".into(),
                "org".into(),
                "add".into(),
                "p2".into(),
                "--name".into(),
                "P".into(),
                "--partner".into(),
                "--agreement".into(),
                "Q".into(),
                "--valid-from".into(),
                "2026-01-01".into(),
                "--valid-to".into(),
                "2025-01-01".into(),
                "--countries".into(),
                "AT".into(),
            ],
            2,
            "--valid-to: 2025-01-01 is before --valid-from 2026-01-01",
        ),
        (
            vec![
                "--as".into(),
                "qm".into(),
                "product".into(),
                "add".into(),
                "p3".into(),
                "--name".into(),
                "P3".into(),
                "--class".into(),
                "IIa".into(),
                "--schedule".into(),
                "teleport=1y".into(),
            ],
            2,
            "--schedule: \"teleport\" is not a service event type",
        ),
    ];
    for (args, code, expected) in &cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let stderr = fails(db, &args, *code);
        assert!(
            stderr.contains(expected),
            "vigilo {}\nexpected {expected:?} in: {stderr}",
            args.join(" ")
        );
    }
    assert_eq!(
        json(db, &["audit", "head"]),
        head,
        "no failed command wrote anything"
    );
    // A missing store is named, not created.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_vigilo"))
        .args(["--db", "sqlite:///nonexistent/dir/v.db", "device", "list"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no Vigilo store at /nonexistent/dir/v.db")
    );
}

async fn verify_names_the_first_tampered_record(db: &TestDb) {
    registry(db);
    add_device(db, "SN-1", "DE");
    db.raw_execute("UPDATE devices SET customer = 'someone' WHERE serial = 'SN-1'")
        .await;
    let stderr = fails(db, &["audit", "verify"], 1);
    assert!(
        stderr.contains("record devices/1 was altered outside Vigilo: it differs from its last audited content (audit event #"),
        "{stderr}"
    );
}

vigilo_testdb::backend_tests!(
    scripted_session,
    bad_input_and_refusals_write_nothing,
    verify_names_the_first_tampered_record,
);

#[test]
fn udi_parse_needs_no_store() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_vigilo"))
        .args([
            "--db",
            "sqlite:///nonexistent/v.db",
            "--json",
            "udi",
            "parse",
            "\u{1d}0104260123450007112503011735030110PT2-2503\u{1d}21SN-2",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    insta::assert_json_snapshot!("udi_parse", v);
}
