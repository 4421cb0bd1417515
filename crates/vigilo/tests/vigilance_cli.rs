//! The SPEC §5 vigilance commands as a script runs them, on both backends: the strictest
//! deadline while undecided, the 24-hour escalation, a decision across a daylight-saving
//! change, a German public holiday and one the organisation imports, a US 5-day report over
//! Independence Day observed, a late report, a case first judged not reportable, IMDRF codes,
//! and an FSCA with its customers' acknowledgements.

mod support;

use serde_json::Value;
use support::*;
use vigilo_testdb::TestDb;

fn setup(db: &TestDb) {
    registry(db);
    ok(
        db,
        "--as admin person add tri --name \"Tina Triage\" --org acme --role triager",
    );
    ok(
        db,
        "--as admin person add vo --name \"Vera Vigilance\" --org acme --role vigilance",
    );
    for (serial, country) in [("SN-DE-1", "DE"), ("SN-DE-2", "DE"), ("SN-US-1", "US")] {
        add_device(db, serial, country);
    }
}

/// Opens a ticket about `serial` and flags it; returns the case id.
fn flagged(db: &TestDb, serial: &str, aware_at: &str) -> i64 {
    let t = ok(
        db,
        &format!(
            "--as tri ticket open --serial {serial} --channel phone --received-at {aware_at} --summary \"Device hot to the touch\""
        ),
    );
    let c = ok(
        db,
        &format!(
            "--as tri ticket flag-serious {} --aware-at {aware_at}",
            t["id"]
        ),
    );
    c["id"].as_i64().unwrap()
}

fn case(list: &Value, id: i64) -> &Value {
    list["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("case {id} in {list}"))
}

fn deadline(c: &Value) -> (&str, &str, &str) {
    let d = &c["deadlines"][0];
    (
        d["market"].as_str().unwrap(),
        d["calendar_due_date"].as_str().unwrap(),
        d["due_date"].as_str().unwrap(),
    )
}

async fn vigilance_clocks(db: &TestDb) {
    setup(db);
    // 23:30 UTC on 28 March 2026 is 00:30 on Sunday 29 March in Berlin, the night the clocks
    // go forward.
    let dst = flagged(db, "SN-DE-1", "2026-03-28T23:30:00Z");
    let list = ok(db, "vigilance list --as-of 2026-03-29T10:00:00Z");
    let c = case(&list, dst);
    assert_eq!(c["category"], Value::Null);
    assert_eq!(
        c["deadlines"][0]["category"],
        "serious-public-health-threat"
    );
    assert_eq!(c["deadlines"][0]["decided"], false);
    // Undecided: the strictest EU period, 2 days from Sunday: Tuesday 31 March.
    assert_eq!(deadline(c), ("EU", "2026-03-31", "2026-03-31"));
    assert!(
        c["deadlines"][0]["rule"]
            .as_str()
            .unwrap()
            .contains("MDR Art. 87(4)")
    );

    // Nobody with the vigilance role has the case: after 24 h it is an escalation breach.
    let flagged_at: jiff::Timestamp = c["flagged_at"].as_str().unwrap().parse().unwrap();
    let later = flagged_at + jiff::SignedDuration::from_hours(25);
    let list = ok(db, &format!("vigilance list --as-of {later}"));
    assert!(
        list["escalation_breaches"]
            .as_array()
            .unwrap()
            .contains(&dst.into()),
        "{list}"
    );
    let m = refused(db, &format!("--as tri vigilance acknowledge {dst}"), 1);
    assert!(m.contains("vigilance"), "{m}");
    ok(db, &format!("--as vo vigilance acknowledge {dst}"));
    let list = ok(db, &format!("vigilance list --as-of {later}"));
    assert!(
        !list["escalation_breaches"]
            .as_array()
            .unwrap()
            .contains(&dst.into())
    );
    assert_eq!(case(&list, dst)["escalation"]["acknowledged_by"], "vo");

    // A US category does not fit a German device; a decision needs its rationale.
    let m = refused(
        db,
        &format!("--as vo vigilance decide {dst} --category mdr-30-day --rationale x"),
        2,
    );
    assert!(m.contains("market is EU"), "{m}");
    refused(
        db,
        &format!("--as vo vigilance decide {dst} --category serious-incident --rationale \" \""),
        2,
    );
    let d = ok(
        db,
        &format!(
            "--as vo vigilance decide {dst} --category serious-incident --rationale \"burn risk, no injury\""
        ),
    );
    let dl = &d["case"]["deadlines"][0];
    assert_eq!(dl["awareness_date"], "2026-03-29");
    assert_eq!(dl["calendar_due_date"], "2026-04-13");
    assert_eq!(dl["due_date"], "2026-04-13");
    // Midnight summer time.
    assert_eq!(dl["due_at"], "2026-04-13T22:00:00Z");

    // Submitted the morning after the due date: late.
    let r = ok(
        db,
        &format!(
            "--as vo vigilance report {dst} --kind initial --submitted-at 2026-04-14T07:00:00Z --reference MIR-1"
        ),
    );
    assert_eq!(r["late"], true);
    let list = ok(db, "vigilance list --as-of 2026-04-20T00:00:00Z");
    assert!(
        list["late_reports"]
            .as_array()
            .unwrap()
            .contains(&dst.into())
    );
    assert_eq!(case(&list, dst)["deadlines"][0]["state"], "late");

    // Ten days from Tuesday 21 April 2026 end on Friday 1 May, Labour Day in Germany: the
    // period ends on Monday 4 May.
    let may = flagged(db, "SN-DE-2", "2026-04-21T08:00:00Z");
    ok(
        db,
        &format!(
            "--as vo vigilance decide {may} --category death-or-unanticipated-serious-deterioration --rationale \"patient burn\""
        ),
    );
    let s = ok(
        db,
        &format!("vigilance show {may} --as-of 2026-05-05T00:00:00Z"),
    );
    assert_eq!(deadline(&s["case"]), ("EU", "2026-05-01", "2026-05-04"));
    assert_eq!(s["case"]["deadlines"][0]["state"], "overdue");
    // The organisation closes on Monday 4 May (a bridge day its competent authority also
    // observes): imported, the period moves to Tuesday 5 May.
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("de-closures.csv");
    std::fs::write(&csv, "country,date,name\nDE,2026-05-04,Betriebsruhe\n").unwrap();
    let i = ok(db, &format!("--as vo holidays import {}", csv.display()));
    assert_eq!(i["added"], 1);
    let s = ok(
        db,
        &format!("vigilance show {may} --as-of 2026-05-05T00:00:00Z"),
    );
    assert_eq!(deadline(&s["case"]), ("EU", "2026-05-01", "2026-05-05"));
    let h = ok(db, "holidays list --country DE --year 2026");
    let names: Vec<&str> = h["holidays"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["date"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"2026-05-01") && names.contains(&"2026-05-04"),
        "{h}"
    );
    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "country,date,name\nDE,2026-05-04,ok\nDE,2026-13-01,bad\n",
    )
    .unwrap();
    let m = refused(db, &format!("--as vo holidays import {}", bad.display()), 2);
    assert!(m.contains("line 3"), "{m}");

    // US: 5 work days from Wednesday 1 July 2026; Independence Day falls on a Saturday and is
    // observed on Friday 3 July.
    let us = flagged(db, "SN-US-1", "2026-07-01T14:00:00Z");
    let list = ok(db, "vigilance list --as-of 2026-07-01T15:00:00Z");
    assert_eq!(
        deadline(case(&list, us)),
        ("US", "2026-07-06", "2026-07-09")
    );
    let d = ok(
        db,
        &format!(
            "--as vo vigilance decide {us} --category mdr-30-day --rationale \"malfunction, could recur\""
        ),
    );
    assert_eq!(deadline(&d["case"]), ("US", "2026-07-31", "2026-07-31"));

    // Judged not reportable (a record too), then reportable once new facts came in: the clock
    // runs from the second awareness.
    let nr = flagged(db, "SN-DE-1", "2026-06-01T09:00:00Z");
    let d = ok(
        db,
        &format!(
            "--as vo vigilance decide {nr} --category not-reportable --rationale \"no harm possible\""
        ),
    );
    assert_eq!(d["case"]["deadlines"], Value::Array(vec![]));
    assert_eq!(d["case"]["closed"], true);
    let d = ok(
        db,
        &format!(
            "--as vo vigilance decide {nr} --category serious-incident --rationale \"second report of the same failure\" --reportability-aware-at 2026-06-10T09:00:00Z"
        ),
    );
    assert_eq!(deadline(&d["case"]), ("EU", "2026-06-25", "2026-06-25"));
    assert_eq!(d["case"]["decisions"].as_array().unwrap().len(), 2);

    // A caller whose device is unknown: both markets' strictest clocks run.
    let t = ok(
        db,
        "--as tri ticket open --serial XX-404 --channel email --received-at 2026-07-01T14:00:00Z --summary \"Smoke from the charger\"",
    );
    let c = ok(
        db,
        &format!(
            "--as tri ticket flag-serious {} --aware-at 2026-07-01T14:00:00Z",
            t["id"]
        ),
    );
    let s = ok(
        db,
        &format!("vigilance show {} --as-of 2026-07-01T15:00:00Z", c["id"]),
    );
    let markets: Vec<&str> = s["case"]["deadlines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["market"].as_str().unwrap())
        .collect();
    assert_eq!(markets, ["EU", "US"]);

    // IMDRF codes are checked against their annex.
    let m = refused(
        db,
        &format!("--as vo vigilance details {dst} --problem-code E1704"),
        2,
    );
    assert!(
        m.contains("device_problem_codes[0]") && m.contains("Annex A"),
        "{m}"
    );
    let d = ok(
        db,
        &format!(
            "--as vo vigilance details {dst} --problem-code A1005 --health-effect E1704 --narrative \"Housing reached 60 °C during charging\""
        ),
    );
    assert_eq!(d["details"]["incident"]["device_problem_codes"][0], "A1005");

    // A details file: merged section by section; a misspelt field is named.
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), r#"{"patient": {"weight_kg": 72.5}, "investigation": {"root_cause": "cell separator defect"}}"#).unwrap();
    let d = ok(
        db,
        &format!(
            "--as vo vigilance details {dst} --file {}",
            file.path().display()
        ),
    );
    assert_eq!(d["details"]["patient"]["weight_kg"], 72.5);
    assert_eq!(d["details"]["incident"]["device_problem_codes"][0], "A1005");
    std::fs::write(file.path(), r#"{"patient": {"wieght_kg": 72.5}}"#).unwrap();
    let m = refused(
        db,
        &format!(
            "--as vo vigilance details {dst} --file {}",
            file.path().display()
        ),
        2,
    );
    assert!(m.contains("wieght_kg"), "{m}");

    // Report drafts carry what Vigilo knows and what the officer recorded.
    let mir = ok(db, &format!("vigilance draft {dst} --format mir-json"));
    let d = &mir["draft"];
    assert_eq!(d["device"]["serial_number"], "SN-DE-1");
    assert_eq!(d["device"]["risk_class"], "IIa");
    assert_eq!(d["device"]["udi_di"], "04260123450007");
    assert_eq!(d["admin"]["manufacturer_awareness_date"], "2026-03-29");
    assert_eq!(d["admin"]["incident_classification"], "other_reportable");
    // An initial report is on record, so the next one is a follow-up.
    assert_eq!(d["admin"]["type_of_report"], "follow_up");
    assert_eq!(d["admin"]["related_references"][0], "MIR-1");
    assert_eq!(d["incident"]["device_problem_codes"][0], "A1005");
    assert_eq!(d["incident"]["country"], "DE");
    assert!(!mir["missing"].as_array().unwrap().is_empty(), "{mir}");
    let xml = tempfile::NamedTempFile::new().unwrap();
    ok(
        db,
        &format!(
            "vigilance draft {dst} --format mir-xml --kind final --out {}",
            xml.path().display()
        ),
    );
    let text = std::fs::read_to_string(xml.path()).unwrap();
    assert!(
        text.contains("<serial_number>SN-DE-1</serial_number>"),
        "{text}"
    );
    assert!(text.contains("60 °C"), "{text}");
    let fda = ok(db, &format!("vigilance draft {us} --format fda-3500a"));
    assert_eq!(fda["draft"]["manufacturer"]["report_timeframe"], "30-day");
    assert_eq!(fda["draft"]["device"]["serial_number"], "SN-US-1");
    assert_eq!(fda["draft"]["device_manufacturer"]["event_type"], "M");
    refused(db, &format!("vigilance draft {us} --format pdf"), 2);

    let v = ok(db, "audit verify");
    assert!(v["events"].as_i64().unwrap() > 0);
}

/// Opens a complaint on `serial` received at `at`, coded with `code`.
fn complaint(db: &TestDb, serial: &str, at: &str, code: &str) {
    let t = ok(
        db,
        &format!(
            "--as tri ticket open --serial {serial} --channel phone --received-at {at} --summary \"Battery drains fast\""
        ),
    );
    ok(
        db,
        &format!(
            "--as tri ticket triage {} --class complaint --reason \"device problem\"",
            t["id"]
        ),
    );
    ok(
        db,
        &format!("--as tri ticket code {} --imdrf {code}", t["id"]),
    );
}

async fn trends_and_review(db: &TestDb) {
    setup(db);
    ok(
        db,
        "--as admin person add pia --name \"Pia PMS\" --org acme --role pms",
    );
    for i in 0..40 {
        add_device(db, &format!("T-{i:02}"), "DE");
    }
    // A year at about one complaint a month, then nine in October 2026.
    for m in 1..=9 {
        complaint(db, "T-01", &format!("2026-{m:02}-10T10:00:00Z"), "A070504");
    }
    for m in 10..=12 {
        complaint(db, "T-02", &format!("2025-{m:02}-10T10:00:00Z"), "A070504");
    }
    for day in 1..=9 {
        complaint(
            db,
            &format!("T-{day:02}"),
            &format!("2026-10-{day:02}T10:00:00Z"),
            "A0705",
        );
    }
    let t = ok(db, "trends --product pt2 --month 2026-10");
    let product = t["assessments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["dimension"] == "product")
        .unwrap();
    assert_eq!(product["signal"], true, "{product}");
    assert_eq!(product["observed"], 9);
    let methods: Vec<&str> = product["tests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["method"].as_str().unwrap())
        .collect();
    assert_eq!(
        methods,
        ["poisson-exact", "conditional-binomial", "poisson-cusum"]
    );
    let p = product["tests"][0]["p_value"].as_f64().unwrap();
    assert!(p < 0.01, "{p}");
    assert_eq!(product["tests"][0]["threshold"], 0.01);
    let codes: Vec<&str> = t["assessments"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["dimension"] == "problem-code")
        .map(|a| a["subject"].as_str().unwrap())
        .collect();
    assert!(
        codes.contains(&"A0705") && codes.contains(&"A070504"),
        "{codes:?}"
    );
    // September was an ordinary month.
    let t = ok(db, "trends --product pt2 --month 2026-09 --by product");
    assert_eq!(t["assessments"][0]["signal"], false, "{t}");
    refused(db, "trends --product pt2 --month 2026-13", 2);

    let b = ok(db, "review build --month 2026-10");
    assert_eq!(b["complaints"], 9);
    assert!(
        b["signals"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["subject"] == "pt2")
    );
    refused(
        db,
        "--as tri review record --month 2026-10 --decision capa --notes x",
        1,
    );
    let r = ok(
        db,
        "--as pia review record --month 2026-10 --decision trend-report --notes \"battery complaints tripled: trend report to the NCA, CAPA-17\"",
    );
    assert_eq!(r["id"], "2026-10");
    assert_eq!(r["decision"], "trend-report");
    let q = ok(db, "review quarterly --quarter 2026-Q4");
    assert_eq!(q["months"][0]["reviewed"], true);
    assert_eq!(q["not_reviewed"], serde_json::json!(["2026-11", "2026-12"]));
    assert_eq!(q["months_with_action"], serde_json::json!(["2026-10"]));
    ok(db, "audit verify");
}

async fn fsca_customers(db: &TestDb) {
    setup(db);
    for (serial, country, customer) in [
        ("F-1", "DE", "Klinikum Nord"),
        ("F-2", "AT", "Klinikum Nord"),
        ("F-3", "DE", "Praxis Süd"),
    ] {
        ok(
            db,
            &format!(
                "--as admin device add --product pt2 --serial {serial} --country {country} --software 2.1.0 --customer \"{customer}\""
            ),
        );
    }
    ok(
        db,
        "--as admin device add --product pt2 --serial F-4 --country DE --software 2.2.0 --customer Other",
    );
    let dir = tempfile::tempdir().unwrap();
    let notice = dir.path().join("fsn.txt");
    std::fs::write(&notice, "Urgent field safety notice: update to 2.2.0.").unwrap();
    let f = ok(
        db,
        &format!(
            "--as vo fsca open FSCA-2026-01 --title \"Charger firmware\" --product pt2 --versions 2.1.0 --reason \"overheating while charging\" --notice {}",
            notice.display()
        ),
    );
    let serials: Vec<&str> = f["devices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["serial"].as_str().unwrap())
        .collect();
    assert_eq!(serials, ["F-1", "F-2", "F-3"]);
    assert_eq!(f["progress"]["customers"], 2);
    let m = refused(
        db,
        "--as vo fsca ack FSCA-2026-01 --customer Other --at 2026-11-02T10:00:00Z",
        2,
    );
    assert!(m.contains("Klinikum Nord"), "{m}");
    let a = ok(
        db,
        "--as tri fsca ack FSCA-2026-01 --customer \"Klinikum Nord\" --at 2026-11-02T10:00:00Z",
    );
    assert_eq!(a["progress"]["share_acknowledged"], 0.5);
    assert_eq!(a["progress"]["devices_acknowledged"], 2);
    let out = dir.path().join("lists");
    let s = ok(
        db,
        &format!("fsca show FSCA-2026-01 --csv-dir {}", out.display()),
    );
    assert_eq!(s["csv_files"].as_array().unwrap().len(), 2);
    let nord = std::fs::read_to_string(out.join("Klinikum_Nord.csv")).unwrap();
    assert_eq!(nord.lines().count(), 3, "{nord}");
    assert!(nord.contains("F-2,AT,2.1.0"), "{nord}");
    let m = refused(
        db,
        &format!(
            "--as vo fsca open FSCA-2 --title t --product pt2 --versions 9.9 --reason r --notice {}",
            notice.display()
        ),
        2,
    );
    assert!(m.contains("no device"), "{m}");
}

vigilo_testdb::backend_tests!(vigilance_clocks, fsca_customers, trends_and_review);
