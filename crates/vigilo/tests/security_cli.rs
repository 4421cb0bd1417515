//! The security intake queue as a script runs it, on both backends: a real CVE match and two
//! hand-entered signals in one queue with their severities and response clocks, bad input
//! refused with the flag named, triage refused until complete and consistent, each outcome
//! opening what it calls for (a problem report, a vigilance case), re-triage kept as history,
//! configurable targets, and the audit chain intact.

mod support;

use serde_json::{Value, json};
use support::*;
use vigilo_testdb::TestDb;

fn items(v: &Value) -> Vec<Value> {
    v["items"].as_array().unwrap().clone()
}

fn subjects(v: &Value) -> Vec<String> {
    items(v)
        .iter()
        .map(|i| i["subject"].as_str().unwrap().to_owned())
        .collect()
}

fn instant(v: &Value) -> jiff::Timestamp {
    v.as_str().unwrap().parse().unwrap()
}

async fn security_queue_and_triage(db: &TestDb) {
    registry(db);
    for (id, role) in [("sec", "security"), ("vig", "vigilance")] {
        ok(
            db,
            &format!("--as admin person add {id} --name {id} --org acme --role {role}"),
        );
    }
    ok(db, "--as qm software add --product pt2 --version 2.1.0");
    for serial in ["A1", "A2", "A3"] {
        ok(
            db,
            &format!(
                "--as admin device add --product pt2 --serial {serial} --country DE --software 2.1.0"
            ),
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let sbom = laravel_with_old_flysystem(dir.path());
    ok(
        db,
        &format!(
            "--as sec sbom import {} --product pt2 --version 2.1.0",
            path(&sbom)
        ),
    );
    ok(
        db,
        &format!("--as sec advisories import {}", path(&packagist())),
    );

    // The CVE match: CVE-2021-32708, CVSS 3.1 9.8, on the three devices running 2.1.0.
    let queue = ok(db, "security queue");
    assert_eq!(
        queue["targets"],
        json!({"critical_hours": 72, "high_days": 30})
    );
    let finding = &items(&queue)[0];
    assert_eq!(items(&queue).len(), 1, "{queue:#}");
    let subject = finding["subject"].as_str().unwrap().to_owned();
    let finding_id = finding["finding"]["id"].as_i64().unwrap();
    assert_eq!(subject, format!("finding:{finding_id}"));
    assert_eq!(finding["kind"], "cve-match");
    assert_eq!(finding["cves"], json!(["CVE-2021-32708"]));
    assert_eq!(finding["assessment"]["rating"], "critical");
    assert_eq!(finding["assessment"]["score"], "9.8");
    assert_eq!(finding["devices"], 3);
    assert_eq!(finding["response"]["state"], "open");
    assert_eq!(
        finding["response"]["target"],
        json!({"kind": "within", "hours": 72})
    );
    let found = instant(&finding["response"]["opened_at"]);
    assert_eq!(
        instant(&finding["response"]["due_at"]),
        found + jiff::SignedDuration::from_hours(72)
    );
    let later = found + jiff::SignedDuration::from_hours(73);
    let breached = ok(db, &format!("security queue --as-of {later}"));
    assert_eq!(breached["breaches"], json!([subject]));
    assert_eq!(
        items(&breached)[0]["response"]["elapsed_seconds"],
        73 * 3600
    );

    // Hand-entered signals; bad input names its flag and writes nothing.
    let before = ok(db, "audit head");
    for (line, flag) in [
        ("--kind cve-match --title x", "--kind"),
        ("--kind vendor-advisory --title x --cve CVE-21-1", "--cve"),
        (
            "--kind vendor-advisory --title x --cvss CVSS:3.1/AV:Q",
            "--cvss",
        ),
        ("--kind threat-intel --title \" \"", "--title"),
        ("--kind threat-intel --title x --version 2.1.0", "--version"),
        ("--kind threat-intel --title x --product nope", "--product"),
    ] {
        let err = refused(db, &format!("--as sec security signal {line}"), 2);
        assert!(err.contains(flag), "{line}: {err}");
    }
    assert_eq!(ok(db, "audit head"), before);
    let err = refused(
        db,
        "--as tom security signal --kind threat-intel --title x",
        1,
    );
    assert!(err.contains("security or quality or pms"), "{err}");

    let vendor = ok(
        db,
        "--as sec security signal --kind vendor-advisory --title \"Controller firmware: heap overflow in the BLE stack\" \
         --reference VENDOR-SA-2026-07 --cve CVE-2026-12345 \
         --cvss CVSS:4.0/AV:A/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N \
         --product pt2 --version 2.1.0 --received-at 2026-01-05T08:00:00Z",
    );
    let vendor_id = vendor["id"].as_i64().unwrap();
    assert_eq!(vendor["recorded_by"], "sec");
    let note = ok(
        db,
        "--as qm security signal --kind threat-intel --title \"Ransomware group scanning hospital networks for infusion pumps\" \
         --received-at 2026-02-01T00:00:00Z",
    );
    let note_id = note["id"].as_i64().unwrap();

    // The vendor signal (CVSS 4.0 8.7 high, 30 days) is long past its target: first. The note
    // has no vector, so no clock: last.
    let queue = ok(db, "security queue");
    assert_eq!(
        subjects(&queue),
        [
            format!("signal:{vendor_id}"),
            subject.clone(),
            format!("signal:{note_id}")
        ]
    );
    let v = &items(&queue)[0];
    assert_eq!(v["assessment"]["rating"], "high");
    assert_eq!(v["devices"], 3);
    assert_eq!(v["response"]["state"], "breached");
    assert_eq!(items(&queue)[2]["response"]["state"], "next-release");
    assert_eq!(queue["breaches"], json!([format!("signal:{vendor_id}")]));

    // Triage refused until complete and consistent, every gap named at once.
    let err = refused(
        db,
        &format!(
            "--as sec security triage --finding {finding_id} --outcome patch-management \
             --exploitability theoretical --reachability reachable --harm non-serious --rationale \" \""
        ),
        1,
    );
    assert!(
        err.contains("a rationale") && err.contains("an action"),
        "{err}"
    );
    let err = refused(
        db,
        &format!(
            "--as sec security triage --signal {note_id} --outcome not-relevant \
             --exploitability theoretical --reachability reachable --harm none \
             --rationale \"Pumps are not on hospital networks reachable from outside.\" \
             --justification vulnerable_code_not_in_execute_path"
        ),
        1,
    );
    assert!(err.contains("contradicts reachability"), "{err}");
    let err = refused(
        db,
        &format!(
            "--as sec security triage --signal {note_id} --outcome maybe \
             --exploitability theoretical --reachability reachable --harm none --rationale x"
        ),
        2,
    );
    assert!(err.contains("--outcome"), "{err}");
    let err = refused(
        db,
        &format!(
            "--as tom security triage --finding {finding_id} --outcome problem-report \
             --exploitability theoretical --reachability reachable --harm none --rationale x --action y"
        ),
        1,
    );
    assert!(err.contains("only security or quality may triage"), "{err}");
    // The two signals are the only writes since the bad input.
    assert_eq!(
        ok(db, "audit head")["seq"].as_i64(),
        before["seq"].as_i64().map(|n| n + 2)
    );

    // Patch management opens a critical problem report; the criteria recommended it too.
    let patched = ok(
        db,
        &format!(
            "--as sec security triage --finding {finding_id} --outcome patch-management \
             --exploitability theoretical --reachability reachable --harm non-serious \
             --rationale \"The service tool's file upload uses flysystem; a race could overwrite configuration.\" \
             --action \"Update league/flysystem to 1.1.4 in 2.1.1; field update within 30 days.\" \
             --remediation vendor-fix"
        ),
    );
    assert_eq!(patched["outcome"], "patch-management");
    assert_eq!(patched["recommended"], "patch-management");
    assert_eq!(patched["rating"], "critical");
    assert_eq!(
        patched["vector"],
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
    );
    assert_eq!(patched["problem"]["critical"], true);
    assert_eq!(patched["problem"]["origin"], subject);
    assert_eq!(patched["problem_report"], patched["problem"]["id"]);

    // A potential serious incident reaches vigilance: a ticket on the security channel and
    // its case, aware at the decision.
    let psi = ok(
        db,
        &format!(
            "--as sec security triage --signal {vendor_id} --outcome potential-serious-incident \
             --exploitability public-exploit --reachability reachable --harm serious \
             --rationale \"Over BLE an attacker in the ward could change the infusion rate.\""
        ),
    );
    assert_eq!(psi["recommended"], "potential-serious-incident");
    let case = psi["vigilance_case"].as_i64().unwrap();
    let cases = ok(db, "vigilance list");
    let listed = cases["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == case)
        .unwrap()
        .clone();
    assert_eq!(listed["aware_at"], psi["decided_at"]);
    let ticket = ok(db, &format!("ticket show {}", psi["vigilance_ticket"]));
    assert_eq!(ticket["channel"], "security");
    assert_eq!(ticket["source_ref"], format!("security:signal:{vendor_id}"));

    let dismissed = ok(
        db,
        &format!(
            "--as sec security triage --signal {note_id} --outcome not-relevant \
             --exploitability theoretical --reachability not-reachable --harm none \
             --rationale \"The pumps have no IP interface.\" --justification vulnerable_code_not_present"
        ),
    );
    assert_eq!(dismissed["recommended"], "not-relevant");
    assert_eq!(dismissed["problem"], Value::Null);

    // Triaged entries leave the open queue; with --all they show their measured times.
    assert_eq!(items(&ok(db, "security queue")).len(), 0);
    let all = ok(db, "security queue --all");
    assert_eq!(items(&all).len(), 3);
    let states: Vec<Value> = items(&all)
        .iter()
        .map(|i| i["response"]["state"].clone())
        .collect();
    assert_eq!(states, ["late", "met", "next-release"], "{all:#}");
    assert_eq!(all["breaches"], json!([format!("signal:{vendor_id}")]));

    // A second decision supersedes the first; both stay on record.
    ok(
        db,
        &format!(
            "--as qm security triage --finding {finding_id} --outcome problem-report \
             --exploitability theoretical --reachability unknown --harm none \
             --rationale \"Re-assessed: upload is disabled in clinical mode.\" --action \"Fix in 2.2.0.\" --remediation vendor-fix"
        ),
    );
    let shown = ok(db, &format!("security show --finding {finding_id}"));
    assert_eq!(shown["history"].as_array().unwrap().len(), 2);
    assert_eq!(shown["item"]["triage"]["outcome"], "problem-report");
    assert_eq!(shown["item"]["triage"]["decided_by"], "qm");
    let problems = ok(db, "security problems")["problem_reports"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(problems.len(), 2);

    // Targets are settings.
    ok(db, "--as qm config set security-critical-hours 48");
    let err = refused(db, "--as qm config set security-high-days 0", 2);
    assert!(err.contains("security-high-days"), "{err}");
    let queue = ok(db, "security queue --all");
    assert_eq!(queue["targets"]["critical_hours"], 48);

    // VEX per software version: 2.1.0 is affected; 2.2.0 ships flysystem 1.1.10, so it is fixed.
    let err = refused(
        db,
        "vex export --product pt2 --version 2.1.0 --format openvex",
        1,
    );
    assert!(err.contains("publisher-namespace"), "{err}");
    let err = refused(
        db,
        "--as qm config set publisher-namespace http://psirt.acme.example",
        2,
    );
    assert!(err.contains("https URL"), "{err}");
    ok(
        db,
        "--as qm config set publisher-namespace https://psirt.acme.example",
    );
    let err = refused(
        db,
        "vex export --product pt2 --version 2.1.0 --format spdx",
        2,
    );
    assert!(err.contains("--format"), "{err}");
    ok(db, "--as qm software add --product pt2 --version 2.2.0");
    let err = refused(
        db,
        "vex export --product pt2 --version 2.2.0 --format csaf",
        2,
    );
    assert!(err.contains("has no SBOM"), "{err}");
    ok(
        db,
        &format!(
            "--as sec sbom import {} --product pt2 --version 2.2.0",
            path(&laravel())
        ),
    );
    let out = dir.path().join("pt2-2.1.0.cdx.json");
    let wrote = ok(
        db,
        &format!(
            "vex export --product pt2 --version 2.1.0 --format cyclonedx --out {}",
            path(&out)
        ),
    );
    assert_eq!(wrote["statements"], 1);
    let cdx: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    let vuln = &cdx["vulnerabilities"][0];
    assert_eq!(vuln["id"], "CVE-2021-32708");
    assert_eq!(vuln["analysis"]["state"], "exploitable");
    assert_eq!(vuln["analysis"]["response"], json!(["update"]));
    assert_eq!(
        vuln["analysis"]["detail"],
        "Re-assessed: upload is disabled in clinical mode."
    );
    let openvex = ok(
        db,
        "vex export --product pt2 --version 2.1.0 --format openvex",
    );
    assert_eq!(openvex["statements"][0]["status"], "affected");
    assert_eq!(
        openvex["statements"][0]["action_statement"],
        "Fix in 2.2.0."
    );
    let fixed = ok(db, "vex export --product pt2 --version 2.2.0 --format csaf");
    assert_eq!(fixed["document"]["category"], "csaf_vex");
    let status = &fixed["vulnerabilities"][0]["product_status"];
    assert_eq!(status["fixed"].as_array().unwrap().len(), 1, "{fixed:#}");
    assert_eq!(fixed["vulnerabilities"][0]["cve"], "CVE-2021-32708");

    // The customer advisory names the affected and the fixing version.
    let err = refused(
        db,
        &format!("security advisory --finding {finding_id} --format csaf"),
        2,
    );
    assert!(err.contains("--verify"), "{err}");
    let html = dir.path().join("advisory.html");
    let advisory = ok(
        db,
        &format!(
            "security advisory --finding {finding_id} --format html --out {} \
             --verify \"Settings > About shows software 2.2.0 or later.\"",
            path(&html)
        ),
    );
    assert_eq!(advisory["cve"], "CVE-2021-32708");
    assert_eq!(advisory["affected"], json!(["2.1.0"]));
    assert_eq!(advisory["fixed_in"], "2.2.0");
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(
        page.contains("CVE-2021-32708") && page.contains("Fix in 2.2.0."),
        "{page}"
    );
    let csaf = ok(
        db,
        &format!(
            "security advisory --finding {finding_id} --format csaf --verify \"Check the version.\""
        ),
    );
    assert_eq!(csaf["document"]["category"], "csaf_security_advisory");

    // A CVE drill on the real record: its reach is computed, nothing enters the findings or
    // the queue, each step is timed, and the finished drill is filed as training.
    let findings_before = ok(db, "findings list --all");
    let drill = ok(
        db,
        &format!(
            "--as sec security drill start --advisory {}",
            path(&packagist().join("GHSA-9f46-5r25-5wfm.json"))
        ),
    );
    let drill_id = drill["id"].as_i64().unwrap();
    assert_eq!(
        drill["reach"],
        json!([{"product": "pt2", "version": "2.1.0", "devices": 3,
                "purls": ["pkg:composer/league/flysystem@1.1.3"]}])
    );
    assert_eq!(drill["steps"][0]["step"], "matched");
    assert_eq!(ok(db, "findings list --all"), findings_before);
    assert_eq!(items(&ok(db, "security queue")).len(), 0);
    ok(
        db,
        &format!("--as sec security drill step {drill_id} triaged --note \"patch-management\""),
    );
    let err = refused(
        db,
        &format!("--as sec security drill step {drill_id} triaged"),
        2,
    );
    assert!(err.contains("already"), "{err}");
    let err = refused(
        db,
        &format!("--as qm security drill finish {drill_id} --procedure SOP-PSIRT --version 1"),
        1,
    );
    assert!(
        err.contains("vex-exported, advisory-drafted, customers-notified"),
        "{err}"
    );
    for step in ["vex-exported", "advisory-drafted"] {
        ok(
            db,
            &format!("--as sec security drill step {drill_id} {step}"),
        );
    }
    let last = ok(
        db,
        &format!("--as qm security drill step {drill_id} customers-notified"),
    );
    let step = &last["steps"][4];
    assert_eq!(step["by"], "qm");
    assert_eq!(
        step["elapsed_seconds"].as_i64().unwrap(),
        instant(&step["at"])
            .duration_since(instant(&last["started_at"]))
            .as_secs()
    );
    // Procedures must name a service event type they govern (the registry models service
    // procedures only), so the PSIRT procedure names one.
    ok(
        db,
        "--as qm procedure add SOP-PSIRT --version 1 --title \"Vulnerability handling\" \
         --governs functional-check --effective 2024-01-01",
    );
    let filed = ok(
        db,
        &format!("--as qm security drill finish {drill_id} --procedure SOP-PSIRT --version 1"),
    );
    assert_eq!(filed["trainings"].as_array().unwrap().len(), 1, "{filed:#}");
    let trainings = ok(db, "training list --person sec");
    assert_eq!(trainings["trainings"][0]["procedure_id"], "SOP-PSIRT");
    assert_eq!(trainings["trainings"][0]["check_kind"], "supervised");

    let v = ok(db, "audit verify");
    assert_eq!(v["events"], ok(db, "audit head")["seq"]);
}

vigilo_testdb::backend_tests!(security_queue_and_triage);
