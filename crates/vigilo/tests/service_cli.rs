//! The SPEC §5 service and intake commands, run as a script would run them, on both backends:
//! authorised and unauthorised engineers, a failed competence check, a superseded procedure
//! version, a partner outside its countries and its agreement dates, a quarantined lot, lot and
//! device traces, tickets from the command line, a CSV export and a mailbox.

mod support;

use serde_json::Value;
use std::path::PathBuf;
use support::*;
use vigilo_testdb::TestDb;

fn intake_data(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../vigilo-intake/tests/data")
        .join(rel)
}

fn service_setup(db: &TestDb) {
    registry(db);
    for line in [
        "--as admin person add tri --name \"Tina Triage\" --org acme --role triager",
        "--as admin person add vo --name \"Vera Vigilance\" --org acme --role vigilance",
        "--as admin person add ann --name \"Ann New\" --org acme --role technician",
        "--as admin person add fay --name \"Fay Failed\" --org acme --role technician",
        "--as qm procedure add SOP-BAT --version 1 --title \"Battery replacement\" --governs battery-replacement --effective 2024-01-01",
        "--as qm procedure add SOP-BAT --version 2 --title \"Battery replacement\" --governs battery-replacement --effective 2026-06-01",
        "--as qm procedure add SOP-FC --version 1 --title \"Functional check\" --governs functional-check --effective 2024-01-01",
        "--as qm training add --person tom --procedure SOP-BAT --version 1 --date 2024-02-01 --trainer qm --check test --result pass",
        "--as qm training add --person fay --procedure SOP-BAT --version 1 --date 2024-02-01 --trainer qm --check test --result fail",
        "--as qm training add --person huber --procedure SOP-BAT --version 1 --date 2024-02-01 --trainer qm --check supervised --result pass",
        "--as qm training add --person huber --procedure SOP-BAT --version 2 --date 2026-05-20 --trainer qm --check supervised --result pass",
        "--as qm lot add --part BAT-01 --lot L100 --qty 10",
        "--as qm lot add --part BAT-01 --lot L200 --qty 5",
        "--as qm product add ip4 --name \"InfuPump 4\" --class IIb --udi-di 04012345678901 --schedule functional-check=12m",
    ] {
        ok(db, line);
    }
    add_device(db, "SN-DE-1", "DE");
    add_device(db, "SN-DE-2", "DE");
    add_device(db, "SN-AT-1", "AT");
    add_device(db, "PX-2291", "DE");
    ok(
        db,
        "--as admin device add --product ip4 --serial SN-0042 --country DE",
    );
}

async fn service_rules(db: &TestDb) {
    service_setup(db);
    let record = |tech: &str, serial: &str, at: &str| {
        format!(
            "--as qm service record --serial {serial} --type battery-replacement --technician {tech} --at {at} --part BAT-01:L100 --outcome pass"
        )
    };

    // An authorised engineer, under the version in force that day.
    let e = ok(db, &record("tom", "SN-DE-1", "2026-05-15T09:00:00Z"));
    assert_eq!(
        (e["procedure_id"].as_str(), e["procedure_version"].as_str()),
        (Some("SOP-BAT"), Some("1"))
    );
    assert_eq!(e["parts"][0]["lot"], "L100");

    // The procedure was superseded on 2026-06-01: the same engineer is now refused, and the
    // refusal names the version he lacks.
    let m = refused(db, &record("tom", "SN-DE-1", "2026-07-01T09:00:00Z"), 1);
    assert!(
        m.contains(
            "tom holds no passed competence check on SOP-BAT version 2, effective since 2026-06-01"
        ),
        "{m}"
    );
    // The day is the organisation's (Europe/Berlin): 2026-05-31T22:30Z is already 1 June there.
    let m = refused(db, &record("tom", "SN-DE-1", "2026-05-31T22:30:00Z"), 1);
    assert!(m.contains("on or before 2026-06-01"), "{m}");
    ok(
        db,
        "--as qm training add --person tom --procedure SOP-BAT --version 2 --date 2026-06-10 --trainer qm --check test --result pass",
    );
    let e = ok(db, &record("tom", "SN-DE-1", "2026-07-01T09:00:00Z"));
    assert_eq!(e["procedure_version"], "2");

    // Never trained; and a failed check.
    let m = refused(db, &record("ann", "SN-DE-2", "2026-07-01T09:00:00Z"), 1);
    assert!(
        m.contains("ann holds no passed competence check on SOP-BAT version 2"),
        "{m}"
    );
    let m = refused(db, &record("fay", "SN-DE-2", "2026-05-01T09:00:00Z"), 1);
    assert!(
        m.contains("holds: version 1 test fail on 2024-02-01"),
        "{m}"
    );

    // A technician records only their own work.
    let m = refused(
        db,
        "--as tom service record --serial SN-DE-2 --type battery-replacement --technician huber --at 2026-07-01T09:00:00Z --outcome pass",
        1,
    );
    assert!(m.contains("records only their own"), "{m}");

    // The partner: inside its countries and dates, outside its countries, outside its dates.
    ok(db, &record("huber", "SN-AT-1", "2026-07-02T09:00:00Z"));
    let m = refused(db, &record("huber", "SN-DE-2", "2026-07-02T09:00:00Z"), 1);
    assert!(
        m.contains("no quality agreement of alpen covers DE on 2026-07-02 (QA-2025-01 covers AT, IT from 2025-01-01 to 2026-12-31)"),
        "{m}"
    );
    let m = refused(db, &record("huber", "SN-AT-1", "2024-12-15T09:00:00Z"), 1);
    assert!(m.contains("covers AT on 2024-12-15"), "{m}");
    // Signed in as the partner, the device in Germany is outside what they may touch at all.
    let m = refused(
        db,
        "--as huber service record --serial SN-DE-2 --type battery-replacement --technician huber --at 2026-07-02T09:00:00Z --outcome pass",
        1,
    );
    assert!(m.contains("device SN-DE-2 is in DE"), "{m}");

    // A lot quarantined at an event's instant cannot be issued to it. The status is the one
    // in force when the event was performed: an event recorded late, performed before the
    // quarantine, still issues the lot (and its trace reaches the device).
    ok(db, "--as qm lot set-status L200 quarantined");
    // At the store's precision (microseconds), so that the refusal prints the same instant.
    let after_quarantine =
        jiff::Timestamp::from_microsecond(jiff::Timestamp::now().as_microsecond()).unwrap();
    let m = refused(
        db,
        &format!(
            "--as qm service record --serial SN-DE-2 --type battery-replacement --technician tom --at {after_quarantine} --part BAT-01:L200 --outcome pass"
        ),
        1,
    );
    assert!(
        m.contains(&format!(
            "lot L200 of part BAT-01 was quarantined at {after_quarantine}"
        )),
        "{m}"
    );
    let late = ok(
        db,
        "--as qm service record --serial SN-0042 --type battery-replacement --technician tom --at 2026-03-10T09:00:00Z --part BAT-01:L200 --outcome pass",
    );
    let t = ok(db, "trace lot L200");
    assert_eq!(t["devices"][0]["serial"], "SN-0042");
    assert_eq!(t["devices"][0]["event"], late["id"]);
    let m = refused(
        db,
        "--as qm service record --serial SN-DE-2 --type battery-replacement --technician tom --at 2026-07-03T09:00:00Z --part BAT-01:L100:8 --outcome pass",
        1,
    );
    assert!(
        m.contains("lot L100 of part BAT-01 has 7 left of 10 received, 8 asked"),
        "{m}"
    );
    // Bad input is exit 2 and names the flag.
    let m = refused(
        db,
        "--as qm service record --serial SN-DE-2 --type battery-replacement --technician tom --at 2026-07-03 --outcome pass",
        2,
    );
    assert!(m.contains("--at") && m.contains("RFC 3339"), "{m}");

    // Traces, forward and backward.
    let t = ok(db, "trace lot L100");
    let serials: Vec<&str> = t["devices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["serial"].as_str().unwrap())
        .collect();
    assert_eq!(serials, ["SN-DE-1", "SN-DE-1", "SN-AT-1"]);
    assert_eq!(t["devices"][2]["performed_at"], "2026-07-02T09:00:00Z");
    assert!(t["devices"][0]["event"].is_i64());
    assert_eq!(t["quantity_issued"], 3);
    let t = ok(db, "trace device SN-DE-1");
    let events = t["events"].as_array().unwrap();
    assert_eq!(events.len(), 2);
    assert_eq!(events[0]["type"], "battery-replacement");
    assert_eq!(events[0]["technician"], "tom");
    assert_eq!(events[0]["procedure"], "SOP-BAT");
    assert_eq!(
        (
            events[0]["procedure_version"].as_str(),
            events[1]["procedure_version"].as_str()
        ),
        (Some("1"), Some("2"))
    );
    assert_eq!(events[1]["parts"][0]["qty"], 1);
    assert_eq!(events[1]["outcome"], "pass");
    // A scanned UDI works wherever a serial does.
    let t = ok(db, "trace device (01)04260123450007(21)SN-AT-1");
    assert_eq!(t["events"][0]["technician"], "huber");

    // The 90-day list, the maintenance-due list and the training matrix.
    let l = ok(db, "service list --days 90 --as-of 2026-07-10T00:00:00Z");
    assert_eq!(l["events"].as_array().unwrap().len(), 3);
    assert_eq!(l["events"][0]["serial"], "SN-AT-1");
    let due = ok(db, "maintenance due --as-of 2026-11-21 --within 0");
    let items = due["due"].as_array().unwrap();
    let battery_due: Vec<&str> = items
        .iter()
        .filter(|d| d["event_type"] == "battery-replacement")
        .map(|d| d["serial"].as_str().unwrap())
        .collect();
    // SN-DE-1 and SN-AT-1 had their batteries changed this year; the others never did and
    // have no manufacturing date, so they are listed as overdue for someone to look.
    assert_eq!(battery_due, ["PX-2291", "SN-DE-2"]);
    let fc = items
        .iter()
        .find(|d| d["serial"] == "SN-0042")
        .expect("the pump is due its functional check");
    assert_eq!(fc["status"], "overdue");
    let m = ok(db, "training matrix --as-of 2026-11-21");
    let cell = |p: &str, t: &str| -> Value {
        m["matrix"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["person"] == p && c["event_type"] == t)
            .cloned()
            .unwrap()
    };
    assert_eq!(cell("tom", "battery-replacement")["procedure_version"], "2");
    assert_eq!(cell("huber", "battery-replacement")["until"], "2026-12-31");
    assert_eq!(cell("ann", "battery-replacement")["authorised"], false);

    // Every refusal above wrote nothing; the chain still verifies.
    let v = ok(db, "audit verify");
    assert!(v["events"].as_i64().unwrap() > 0, "{v}");
}

async fn tickets_and_intake(db: &TestDb) {
    service_setup(db);
    let t = ok(
        db,
        "--as tri ticket open --serial SN-DE-1 --channel phone --received-at 2026-03-02T08:00:00Z --summary \"Battery alarm\"",
    );
    assert_eq!(t["triage_due"], "2026-03-04T08:00:00Z");
    assert_eq!(t["device_unidentified"], false);
    let first = t["id"].as_i64().unwrap();
    // An unknown serial is kept, flagged.
    let u = ok(
        db,
        "--as tri ticket open --serial NOPE-1 --channel email --received-at 2026-03-03T08:00:00Z --summary \"Pump noisy\"",
    );
    assert_eq!(u["device_unidentified"], true);
    assert_eq!(u["device_hint"], "NOPE-1");
    let udi = ok(
        db,
        "--as tri ticket open --udi (01)04012345678901(21)SN-0042 --channel portal --received-at 2026-03-03T09:00:00Z --summary Occlusion",
    );
    assert_eq!(udi["serial"], "SN-0042");
    // A shorter triage period applies to tickets opened afterwards.
    ok(db, "--as qm config set triage-hours 24");
    let later = ok(
        db,
        "--as tri ticket open --serial SN-DE-2 --channel field --received-at 2026-03-04T10:00:00Z --summary Scratched",
    );
    assert_eq!(later["triage_due"], "2026-03-05T10:00:00Z");

    // As of 4 March noon: the first ticket is overdue and listed first.
    let q = ok(db, "ticket list --as-of 2026-03-04T12:00:00Z");
    assert_eq!(q["overdue"], 1);
    assert_eq!(q["tickets"][0]["id"], first);
    assert_eq!(q["tickets"][0]["state"], "overdue");

    // Triage as a complaint; closing needs the 8.2.2 record.
    ok(
        db,
        &format!(
            "--as tri ticket triage {first} --class complaint --reason \"battery alarm during therapy\""
        ),
    );
    let m = refused(db, &format!("--as tri ticket close {first}"), 1);
    assert!(
        m.contains("lacks an investigation, a reportability decision, a correction/CAPA decision"),
        "{m}"
    );
    let m = refused(
        db,
        &format!("--as tri ticket complaint {first} --investigation x"),
        1,
    );
    assert!(m.contains("only admin or quality or vigilance"), "{m}");
    ok(
        db,
        &format!(
            "--as qm ticket complaint {first} --investigation \"cell from lot L100 weak\" --reportability reportable --reportability-rationale \"therapy interrupted\" --correction capa --correction-rationale \"supplier lot\" --capa CAPA-2026-01"
        ),
    );
    let m = refused(db, &format!("--as tri ticket close {first}"), 1);
    assert!(m.contains("a vigilance case"), "{m}");
    // Any person may flag; the case records the awareness instant.
    let f = ok(
        db,
        &format!("--as tom ticket flag-serious {first} --aware-at 2026-03-02T09:00:00Z"),
    );
    assert_eq!(f["opened"], true);
    assert_eq!(f["case"]["aware_at"], "2026-03-02T09:00:00Z");
    let again = ok(
        db,
        &format!("--as vo ticket flag-serious {first} --aware-at 2026-03-02T10:00:00Z"),
    );
    assert_eq!(
        (again["opened"].as_bool(), &again["id"]),
        (Some(false), &f["id"])
    );
    refused(
        db,
        &format!("--as nb ticket flag-serious {first} --aware-at 2026-03-02T10:00:00Z"),
        1,
    );
    let c = ok(db, &format!("--as tri ticket close {first}"));
    assert_eq!(c["state"], "closed");
    let m = refused(
        db,
        &format!("--as tri ticket triage {first} --class service --reason x"),
        1,
    );
    assert!(m.contains("closed"), "{m}");
    // The unidentified ticket gets its device once found.
    let u_id = u["id"].as_i64().unwrap();
    let s = ok(
        db,
        &format!("--as tri ticket set-device {u_id} --serial SN-DE-2"),
    );
    assert_eq!(s["device_unidentified"], false);

    // A legacy help-desk export with bad rows: every bad row named by line, nothing written.
    let head = ok(db, "audit head");
    let bad = intake_data("tickets-bad.csv");
    let m = refused(db, &format!("--as tri ticket import {}", bad.display()), 2);
    for line in [
        "line 6", "line 7", "line 9", "line 10", "line 12", "line 13",
    ] {
        assert!(m.contains(line), "{line} in {m}");
    }
    assert!(!m.contains("line 2,") && !m.contains("line 11,"), "{m}");
    assert_eq!(ok(db, "audit head"), head);

    // An mbox with a message that is not one: named by number and line, nothing written.
    let mbox = intake_data("mail/inbox.mbox");
    let m = refused(db, &format!("--as tri intake mail {}", mbox.display()), 2);
    assert!(m.contains("inbox.mbox message 3 (line 73)"), "{m}");
    assert_eq!(ok(db, "audit head"), head);
    // A Maildir: one ticket per message, the serial or UDI found in it, idempotent.
    let maildir = intake_data("mail/Maildir");
    let r = ok(db, &format!("--as tri intake mail {}", maildir.display()));
    assert_eq!(
        (r["added"].as_i64(), r["unchanged"].as_i64()),
        (Some(3), Some(0))
    );
    let again = ok(db, &format!("--as tri intake mail {}", maildir.display()));
    assert_eq!(
        (again["added"].as_i64(), again["unchanged"].as_i64()),
        (Some(0), Some(3))
    );
    let eml = intake_data("mail/eml");
    let r = ok(db, &format!("--as tri intake mail {}", eml.display()));
    assert_eq!(
        r["added"].as_i64().unwrap() + r["unchanged"].as_i64().unwrap(),
        8
    );
    let all = ok(db, "ticket list --all");
    let mails: Vec<&Value> = all["tickets"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["channel"] == "email" && t["source_ref"].is_string())
        .collect();
    let pump = mails
        .iter()
        .find(|t| t["serial"] == "SN-0042")
        .expect("the UDI in the German base64 body names the pump");
    assert!(
        pump["summary"]
            .as_str()
            .unwrap()
            .starts_with("Störung Infusionspumpe"),
        "{pump}"
    );
    assert!(
        pump["attachments"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["content_type"] == "application/pdf"),
        "{pump}"
    );
    assert!(mails.iter().any(|t| t["serial"] == "PX-2291"));
    assert!(
        mails.iter().any(|t| t["device_unidentified"] == true),
        "messages without a serial are kept"
    );

    // The attachment's bytes are kept with the ticket, as the message carried them (the hash
    // is CPython's `email` package's decoding of the same file), to a file or standard output.
    let a = &pump["attachments"][0];
    assert_eq!(
        (a["name"].as_str(), a["size"].as_i64()),
        (Some("Alarmprotokoll.pdf"), Some(193))
    );
    assert_eq!(a["sha256"], ALARM_PDF_SHA256);
    let id = pump["id"].as_i64().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("alarm.pdf");
    let w = ok(
        db,
        &format!("ticket attachment {id} 1 --out {}", file.display()),
    );
    assert_eq!(w["bytes"], 193);
    let bytes = std::fs::read(&file).unwrap();
    assert_eq!(sha256_hex(&bytes), ALARM_PDF_SHA256);
    let raw = run(db, &["ticket", "attachment", &id.to_string(), "1"]);
    assert!(raw.status.success());
    assert_eq!(raw.stdout, bytes);
    let m = refused(db, &format!("--json ticket attachment {id} 1"), 2);
    assert!(m.contains("--out"), "{m}");
    let m = refused(db, &format!("ticket attachment {id} 2"), 2);
    assert!(
        m.contains(&format!("ticket {id} has 1 attachment; 2 is not 1")),
        "{m}"
    );
    let v = ok(db, "audit verify");
    assert!(v["events"].as_i64().unwrap() > 0, "{v}");

    // The contents are not in the chain, the hashes naming them are: verification finds a
    // content deleted outside Vigilo, and so does reading it.
    db.raw_execute("DELETE FROM attachment_contents").await;
    let m = refused(db, "audit verify", 1);
    assert!(m.contains("attachment_contents row of"), "{m}");
    let m = refused(db, &format!("ticket attachment {id} 1"), 3);
    assert!(m.contains("its content was deleted outside Vigilo"), "{m}");
}

/// SHA-256 of the PDF in `vigilo-udi-de.eml` after base64 decoding, as CPython 3.11's `email`
/// package gives it (`get_payload(decode=True)`).
const ALARM_PDF_SHA256: &str = "d009639f2187c44b0fa8838f659b03ac0d0a54cbfcda6b36ae9c54c2e564d06f";

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    format!("{:x}", Sha256::digest(bytes))
}

async fn bulk_service_import(db: &TestDb) {
    service_setup(db);
    ok(
        db,
        "--as qm training add --person tom --procedure SOP-BAT --version 2 --date 2026-06-10 --trainer qm --check test --result pass",
    );
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "ref,serial,type,technician,performed_at,outcome,parts\n\
         r1,SN-DE-1,battery-replacement,tom,2026-07-01T09:00:00Z,pass,BAT-01:L100\n\
         r2,SN-DE-2,battery-replacement,ann,2026-07-01T10:00:00Z,pass,\n\
         r3,SN-XX-9,battery-replacement,tom,2026-07-01T11:00:00Z,pass,\n\
         r4,SN-DE-2,battery-replacement,tom,2026-07-01T12:00:00Z,maybe,\n",
    )
    .unwrap();
    let head = ok(db, "audit head");
    let m = refused(db, &format!("--as qm service import {}", bad.display()), 2);
    assert!(m.contains("line 5, column outcome"), "{m}");
    // Rows parse; the store then names the unknown device (bad input, exit 2).
    std::fs::write(
        &bad,
        "ref,serial,type,technician,performed_at,outcome,parts\n\
         r1,SN-DE-1,battery-replacement,tom,2026-07-01T09:00:00Z,pass,BAT-01:L100\n\
         r3,SN-XX-9,battery-replacement,tom,2026-07-01T11:00:00Z,pass,\n",
    )
    .unwrap();
    let m = refused(db, &format!("--as qm service import {}", bad.display()), 2);
    assert!(m.contains("line 3") && m.contains("SN-XX-9"), "{m}");
    // Only refusals left: exit 1, each row named.
    std::fs::write(
        &bad,
        "ref,serial,type,technician,performed_at,outcome,parts\n\
         r1,SN-DE-1,battery-replacement,tom,2026-07-01T09:00:00Z,pass,BAT-01:L100\n\
         r2,SN-DE-2,battery-replacement,ann,2026-07-01T10:00:00Z,pass,\n",
    )
    .unwrap();
    let m = refused(db, &format!("--as qm service import {}", bad.display()), 1);
    assert!(
        m.contains("line 3: ann holds no passed competence check"),
        "{m}"
    );
    assert_eq!(ok(db, "audit head"), head, "a refused file writes nothing");

    let good = dir.path().join("good.csv");
    std::fs::write(
        &good,
        "ref,serial,type,technician,performed_at,outcome,parts\n\
         r1,SN-DE-1,battery-replacement,tom,2026-07-01T09:00:00Z,pass,BAT-01:L100;BAT-01:L200:2\n\
         r2,SN-DE-2,battery-replacement,tom,2026-07-01T10:00:00Z,fail,\n\
         r3,SN-AT-1,battery-replacement,huber,2026-07-01T11:00:00Z,pass,BAT-01:L100\n",
    )
    .unwrap();
    let r = ok(db, &format!("--as qm service import {}", good.display()));
    assert_eq!(
        (r["added"].as_i64(), r["unchanged"].as_i64()),
        (Some(3), Some(0))
    );
    let r = ok(db, &format!("--as qm service import {}", good.display()));
    assert_eq!(
        (r["added"].as_i64(), r["unchanged"].as_i64()),
        (Some(0), Some(3))
    );
    let t = ok(db, "trace lot L200");
    assert_eq!(t["devices"][0]["qty"], 2);
    let list = "service list --days 30 --as-of 2026-07-10T00:00:00Z";
    let listed = ok(db, list);
    let serials: Vec<&str> = listed["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["serial"].as_str().unwrap())
        .collect();
    assert_eq!(serials, ["SN-AT-1", "SN-DE-2", "SN-DE-1"], "newest first");
    assert_eq!(
        listed["events"][2]["parts"],
        serde_json::json!([
            {"part": "BAT-01", "lot": "L100", "qty": 1},
            {"part": "BAT-01", "lot": "L200", "qty": 2}
        ])
    );
    // A store made before the list had a table of its own has it filled from the events the
    // next time it is opened.
    db.raw_execute("DELETE FROM service_list").await;
    assert_eq!(ok(db, list), listed);
    let v = ok(db, "audit verify");
    assert!(v["events"].as_i64().unwrap() > 0, "{v}");
    // The list is derived, not audited: verification checks it against the events it shows.
    let first = listed["events"][2]["id"].as_i64().unwrap();
    db.raw_execute(&format!(
        "UPDATE service_list SET entry = replace(entry, 'L200', 'L999') WHERE event = {first}"
    ))
    .await;
    let m = refused(db, "audit verify", 1);
    assert!(
        m.contains(&format!(
            "service_list row of {first} differs from the audited records it is derived from"
        )),
        "{m}"
    );

    // Many events share each instant here: only their ids order them, and the whole list is
    // the first page of a large enough limit, its count its length.
    let many = dir.path().join("many.csv");
    let mut csv = String::from("ref,serial,type,technician,performed_at,outcome,parts\n");
    for i in 0..4_101 {
        csv.push_str(&format!(
            "m{i},SN-DE-1,battery-replacement,tom,2026-08-01T10:{:02}:00Z,pass,\n",
            i % 7
        ));
    }
    std::fs::write(&many, csv).unwrap();
    ok(db, &format!("--as qm service import {}", many.display()));
    let window = "service list --days 2 --as-of 2026-08-02T00:00:00Z";
    let whole = ok(db, window);
    let page = ok(db, &format!("{window} --limit 5000"));
    assert_eq!(
        (&whole["total"], &page["total"]),
        (&4_101.into(), &4_101.into())
    );
    assert_eq!(whole["events"], page["events"]);
    let keys: Vec<(String, i64)> = whole["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["performed_at"].as_str().unwrap().to_owned(),
                e["id"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(keys.len(), 4_101);
    assert!(
        keys.windows(2).all(|w| w[0] > w[1]),
        "newest first, each event once"
    );
}

vigilo_testdb::backend_tests!(service_rules, tickets_and_intake, bulk_service_import);
