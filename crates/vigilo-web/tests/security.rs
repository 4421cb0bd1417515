//! The cybersecurity PMS over HTTP (SPEC §3.5), on a real CVE match: the Laravel SBOM with
//! league/flysystem pinned to 1.1.3 and the Packagist record GHSA-9f46-5r25-5wfm
//! (CVE-2021-32708). The queue puts a breached signal first; triage through the form is
//! refused with 403 naming what is missing, then recorded and opens what its outcome calls
//! for; VEX and customer-advisory downloads validate against their schemas; the SBOM page lists
//! its components with their findings; the sources register takes a review; partners get 403.
//! Both backends.

mod fixture;

use axum::http::{Method, StatusCode, header};
use fixture::*;
use serde_json::{Value, json};
use vigilo_registry::Country;
use vigilo_store::intel::IntelKind;
use vigilo_store::registry::NewDevice;
use vigilo_store::sources::NewSource;
use vigilo_testdb::TestDb;
use vigilo_vex::validate::Schema;
use vigilo_web::pages::url_encode;

fn data(rel: &str) -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// The Laravel 7.12.0 example SBOM as a release that still ships league/flysystem 1.1.3, the
/// last version before the CVE-2021-32708 fix (the example itself has 1.1.10).
fn laravel_with_old_flysystem() -> Vec<u8> {
    let path = data("../vigilo-sbom/tests/data/cyclonedx/bom-examples/laravel-7.12.0/bom.1.4.json");
    let mut bom: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let flysystem = bom["components"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|c| c["purl"] == "pkg:composer/league/flysystem@1.1.10")
        .unwrap();
    flysystem["version"] = json!("1.1.3");
    flysystem["purl"] = json!("pkg:composer/league/flysystem@1.1.3");
    bom.to_string().into_bytes()
}

/// Form fields, encoded.
fn form(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(k, v)| format!("{k}={}", url_encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// pt2 2.1.0 on three devices in Germany, its SBOM and the Packagist advisory, through the
/// store; returns the finding's id.
async fn seeded(app: &App) -> i64 {
    let now = start();
    let quality = app.store.actor("quality").await.unwrap();
    let admin = app.store.actor("admin").await.unwrap();
    let security = app.store.actor("security").await.unwrap();
    app.store
        .add_software_version(&quality, "pt2", "2.1.0".into(), None, now)
        .await
        .unwrap();
    for serial in ["SW-1", "SW-2", "SW-3"] {
        app.store
            .add_device(
                &admin,
                NewDevice {
                    product: Some("pt2".into()),
                    serial: Some(serial.into()),
                    country: Some(Country::parse("c", "DE").unwrap()),
                    software: Some("2.1.0".into()),
                    ..NewDevice::default()
                },
                now,
            )
            .await
            .unwrap();
    }
    app.store
        .import_sbom(
            &security,
            "pt2",
            "2.1.0",
            "release-2.1.0.cdx.json",
            &laravel_with_old_flysystem(),
            now,
        )
        .await
        .unwrap();
    let records = vigilo_osv::load(&data(
        "../vigilo-osv/tests/data/advisories/osv-scanner-offline-dbs/Packagist/GHSA-9f46-5r25-5wfm.json",
    ))
    .unwrap();
    app.store
        .import_advisories(&security, records, now)
        .await
        .unwrap();
    let findings = app.store.findings(None, None, false).await.unwrap();
    assert_eq!(findings.len(), 1, "one real match");
    findings[0].finding.id
}

/// CISA KEV and EPSS enrichment: the real files of vigilo-intel's test data, with
/// CVE-2021-32708 put in as if CISA had listed it and FIRST scored it.
async fn enriched(app: &App) {
    let security = app.store.actor("security").await.unwrap();
    let mut kev: Value = serde_json::from_slice(
        &std::fs::read(data(
            "../vigilo-intel/tests/data/known_exploited_vulnerabilities.json",
        ))
        .unwrap(),
    )
    .unwrap();
    kev["vulnerabilities"][0]["cveID"] = json!("CVE-2021-32708");
    let mut epss = std::fs::read_to_string(data(
        "../vigilo-intel/tests/data/epss_scores-current.head99.csv",
    ))
    .unwrap();
    epss.push_str("CVE-2021-32708,0.04200,0.91000\n");
    for (kind, file, bytes) in [
        (IntelKind::Kev, "kev.json", kev.to_string().into_bytes()),
        (IntelKind::Epss, "epss.csv", epss.into_bytes()),
    ] {
        app.store
            .import_intel(&security, kind, file, &bytes, start())
            .await
            .unwrap();
    }
}

async fn publisher(app: &App) {
    let quality = app.store.actor("quality").await.unwrap();
    app.store
        .set_setting(
            &quality,
            "publisher-namespace",
            "https://psirt.acme.example",
            start(),
        )
        .await
        .unwrap();
}

fn subjects(queue: &Value) -> Vec<String> {
    queue["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["subject"].as_str().unwrap().to_owned())
        .collect()
}

async fn the_queue_puts_a_breached_signal_first(db: &TestDb) {
    let app = app(db).await;
    app.set_passwords().await;
    let finding = seeded(&app).await;
    enriched(&app).await;
    let vendor = app
        .api(
            Some("security"),
            Method::POST,
            "/api/security/signals",
            Some(json!({
                "kind": "vendor-advisory",
                "title": "Controller firmware: heap overflow in the BLE stack",
                "reference": "VENDOR-SA-2026-07",
                "cves": ["CVE-2026-12345"],
                "cvss": ["CVSS:4.0/AV:A/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"],
                "product": "pt2",
                "versions": "2.1.0",
                "received_at": "2026-01-05T08:00:00Z"
            })),
        )
        .await;
    assert_eq!(vendor.status, StatusCode::CREATED, "{}", vendor.body);
    let signal = format!("signal:{}", vendor.json()["id"]);
    let bad = app
        .api(
            Some("security"),
            Method::POST,
            "/api/security/signals",
            Some(json!({"kind": "vendor-advisory", "title": "x", "cves": "CVE-21-1"})),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.json()["field"], "cves");
    let refused = app
        .api(
            Some("technician"),
            Method::POST,
            "/api/security/signals",
            Some(json!({"kind": "threat-intel", "title": "x"})),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);

    // The vendor signal (CVSS 4.0 8.7, high: 30 days) is long past its target: first.
    let queue = app
        .api(Some("auditor"), Method::GET, "/api/security/queue", None)
        .await;
    assert_eq!(queue.status, StatusCode::OK, "{}", queue.body);
    let queue = queue.json();
    let finding_subject = format!("finding:{finding}");
    assert_eq!(subjects(&queue), [signal.clone(), finding_subject.clone()]);
    assert_eq!(queue["breaches"], json!([signal]));
    assert_eq!(
        queue["targets"],
        json!({"critical_hours": 72, "high_days": 30})
    );
    let item = &queue["items"][1];
    assert_eq!(item["cves"], json!(["CVE-2021-32708"]));
    assert_eq!(item["assessment"]["rating"], "critical");
    assert_eq!(item["assessment"]["score"], "9.8");
    assert_eq!(item["devices"], 3);
    assert_eq!(item["response"]["state"], "open");
    assert_eq!(item["finding"]["kev"]["cve"], "CVE-2021-32708");
    assert_eq!(item["finding"]["epss"]["score"], 0.042);
    let entry = app
        .api(
            Some("quality"),
            Method::GET,
            &format!("/api/security/finding/{finding}"),
            None,
        )
        .await;
    assert_eq!(entry.status, StatusCode::OK, "{}", entry.body);
    assert_eq!(entry.json()["item"]["subject"], finding_subject);
    assert_eq!(entry.json()["history"], json!([]));
    for path in ["/api/security/finding/999", "/api/security/cve/1"] {
        let r = app.api(Some("quality"), Method::GET, path, None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}: {}", r.body);
    }

    let session = app.session("security").await;
    let page = app
        .page(Some(&session), Method::GET, "/security", None)
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let body = &page.body;
    let breaches = body.find("id=\"breaches\"").expect("breaches on top");
    let signal_row = body
        .find(&format!("id=\"{}\"", signal.replace(':', "-")))
        .unwrap();
    let finding_row = body.find(&format!("id=\"finding-{finding}\"")).unwrap();
    assert!(breaches < signal_row && signal_row < finding_row, "{body}");
    assert!(body.contains(&format!("href=\"/security/finding/{finding}\"")));
    assert!(body.contains("9.8") && body.contains("critical") && body.contains("breached"));
    let row = &body[finding_row..];
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(
        row.contains("class=\"error kev\">KEV<") && row.contains("<td>0.042</td>"),
        "{row}"
    );
    for link in ["/security", "/sboms", "/sources"] {
        assert!(body.contains(&format!("<a href=\"{link}\">")), "nav {link}");
    }

    // The signal form: bad input names its field and keeps what was typed; then entered.
    let csrf = hidden(body, "csrf");
    let r = app
        .page(
            Some(&session),
            Method::POST,
            "/security/signals",
            Some(&form(&[
                ("csrf", &csrf),
                ("kind", "threat-intel"),
                ("title", "Scanning of infusion pumps"),
                ("cves", "CVE-21-1"),
                ("received_at", ""),
            ])),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("cves: "), "{}", r.body);
    assert!(r.body.contains("value=\"Scanning of infusion pumps\""));
    let r = app
        .page(
            Some(&session),
            Method::POST,
            "/security/signals",
            Some(&form(&[
                ("csrf", &csrf),
                ("kind", "threat-intel"),
                ("title", "Scanning of infusion pumps"),
                ("cves", ""),
                ("cvss", ""),
                ("product", "pt2"),
                ("versions", "2.1.0"),
                ("received_at", "2026-03-01T10:00"),
                ("body", "Seen on two hospital networks."),
            ])),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let location = r.headers[header::LOCATION].to_str().unwrap().to_owned();
    assert!(location.starts_with("/security/signal/"), "{location}");
    let page = app.page(Some(&session), Method::GET, &location, None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Seen on two hospital networks."));
    assert!(
        page.body.contains("2026-03-01 10:00 CET"),
        "local wall time"
    );
}

async fn triage_through_the_form(db: &TestDb) {
    let app = app(db).await;
    app.set_passwords().await;
    let finding = seeded(&app).await;
    publisher(&app).await;
    let session = app.session("security").await;
    let path = format!("/security/finding/{finding}");
    let page = app.page(Some(&session), Method::GET, &path, None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Not triaged yet."));
    assert!(
        page.body
            .contains("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H")
    );
    assert!(
        !page.body.contains("advisory-form"),
        "not triaged: no advisory"
    );
    let csrf = hidden(&page.body, "csrf");
    let triage = format!("{path}/triage");
    let incomplete = [
        ("csrf", csrf.as_str()),
        ("outcome", "patch-management"),
        ("exploitability", "theoretical"),
        ("reachability", "reachable"),
        ("harm", "non-serious"),
        ("rationale", " "),
        ("justification", ""),
        ("action", ""),
        ("remediation", ""),
    ];
    let r = app
        .page(
            Some(&session),
            Method::POST,
            &triage,
            Some(&form(&incomplete)),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert!(r.body.contains("id=\"refusal\""));
    assert!(
        r.body.contains("a rationale") && r.body.contains("an action"),
        "{}",
        r.body
    );
    assert!(
        r.body.contains("value=\"patch-management\" selected"),
        "kept"
    );
    assert!(
        app.store.problem_reports().await.unwrap().is_empty(),
        "nothing written"
    );
    // Only security and quality triage.
    let auditor = app.session("auditor").await;
    let auditor_csrf = hidden(
        &app.page(Some(&auditor), Method::GET, &path, None)
            .await
            .body,
        "csrf",
    );
    let mut complete = incomplete;
    complete[0] = ("csrf", &auditor_csrf);
    complete[5] = ("rationale", "Reachable through the document upload.");
    complete[7] = (
        "action",
        "Update league/flysystem to 1.1.4 in release 2.1.1.",
    );
    complete[8] = ("remediation", "vendor-fix");
    let r = app
        .page(
            Some(&auditor),
            Method::POST,
            &triage,
            Some(&form(&complete)),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(
        r.body.contains("only security or quality may triage"),
        "{}",
        r.body
    );

    complete[0] = ("csrf", &csrf);
    let r = app
        .page(
            Some(&session),
            Method::POST,
            &triage,
            Some(&form(&complete)),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let location = r.headers[header::LOCATION].to_str().unwrap().to_owned();
    assert!(
        location.starts_with(&format!("{path}?triaged=")),
        "{location}"
    );
    let page = app.page(Some(&session), Method::GET, &location, None).await;
    let body = &page.body;
    assert!(body.contains("id=\"triaged\""), "{body}");
    assert!(body.contains("<span id=\"outcome\">patch-management</span>"));
    let report = app.store.problem_reports().await.unwrap();
    assert_eq!(report.len(), 1);
    assert!(report[0].critical);
    assert!(body.contains(&format!(
        "<span id=\"problem-report\">{}</span>",
        report[0].id
    )));
    assert!(body.contains("advisory-form"), "affected: advisory offered");

    let all = app
        .page(Some(&session), Method::GET, "/security?all=1", None)
        .await;
    assert!(all.body.contains(&format!("id=\"finding-{finding}\"")));
    assert!(all.body.contains("patch-management") && all.body.contains(">met<"));
    let open = app
        .page(Some(&session), Method::GET, "/security", None)
        .await;
    assert!(!open.body.contains(&format!("id=\"finding-{finding}\"")));

    // The customer advisory, as CSAF (schema-valid) and HTML.
    let advisory = format!("{path}/advisory");
    let r = app
        .page(
            Some(&session),
            Method::POST,
            &advisory,
            Some(&form(&[
                ("csrf", &csrf),
                ("format", "csaf"),
                ("verify", " "),
            ])),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("verify: "), "{}", r.body);
    let steps = "Open Settings > About.\nCheck the software version is 2.1.1 or later.";
    let r = app
        .page(
            Some(&session),
            Method::POST,
            &advisory,
            Some(&form(&[
                ("csrf", &csrf),
                ("format", "csaf"),
                ("verify", steps),
            ])),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.headers[header::CONTENT_TYPE], "application/json");
    assert!(
        r.headers[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .starts_with("attachment; filename=\"")
    );
    let csaf = r.json();
    assert_eq!(Schema::Csaf20.errors(&csaf), Vec::<String>::new());
    assert!(r.body.contains("CVE-2021-32708"));
    let r = app
        .page(
            Some(&session),
            Method::POST,
            &advisory,
            Some(&form(&[
                ("csrf", &csrf),
                ("format", "html"),
                ("verify", steps),
            ])),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(
        r.body
            .contains("Check the software version is 2.1.1 or later.")
    );

    // A potential serious incident opens a vigilance case, linked from the page.
    let signal = app
        .api(
            Some("security"),
            Method::POST,
            "/api/security/signals",
            Some(json!({"kind": "threat-intel", "title": "Exploit in the wild", "product": "pt2"})),
        )
        .await
        .json();
    let path = format!("/security/signal/{}", signal["id"]);
    let r = app
        .page(
            Some(&session),
            Method::POST,
            &format!("{path}/triage"),
            Some(&form(&[
                ("csrf", &csrf),
                ("outcome", "potential-serious-incident"),
                ("exploitability", "known-exploited"),
                ("reachability", "reachable"),
                ("harm", "serious"),
                ("rationale", "Therapy can be changed remotely."),
            ])),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let location = r.headers[header::LOCATION].to_str().unwrap().to_owned();
    let page = app.page(Some(&session), Method::GET, &location, None).await;
    let case = app.store.vigilance_cases().await.unwrap()[0].id;
    assert!(
        page.body.contains(&format!(
            "<a href=\"/vigilance/{case}\" id=\"vigilance-case\">"
        )),
        "{}",
        page.body
    );
    // The API answers the same decision with what it opened.
    let r = app
        .api(
            Some("quality"),
            Method::POST,
            &format!("/api{path}/triage"),
            Some(
                json!({"outcome": "not-relevant", "exploitability": "not-exploitable",
                "reachability": "unknown", "harm": "none", "rationale": "Withdrawn by the source.",
                "justification": "vulnerable_code_cannot_be_controlled_by_adversary"}),
            ),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.json()["triage"]["outcome"], "not-relevant");
    assert_eq!(r.json()["vigilance_case"], Value::Null);
}

async fn vex_downloads_validate(db: &TestDb) {
    let app = app(db).await;
    app.set_passwords().await;
    let finding = seeded(&app).await;
    let session = app.session("quality").await;
    // No publisher namespace yet: refused with what is missing.
    let r = app
        .page(
            Some(&session),
            Method::GET,
            "/vex/pt2/2.1.0.csaf.json",
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert!(r.body.contains("publisher"), "{}", r.body);
    publisher(&app).await;
    let r = app
        .api(
            Some("security"),
            Method::POST,
            &format!("/api/security/finding/{finding}/triage"),
            Some(
                json!({"outcome": "not-relevant", "exploitability": "theoretical",
                "reachability": "not-reachable", "harm": "none",
                "rationale": "The upload feature is disabled in 2.1.0.",
                "justification": "vulnerable_code_not_in_execute_path"}),
            ),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);

    for (suffix, content_type, schema, status) in [
        (
            "cdx.json",
            "application/vnd.cyclonedx+json",
            Schema::CycloneDx16,
            "not_affected",
        ),
        (
            "openvex.json",
            "application/json",
            Schema::OpenVex020,
            "not_affected",
        ),
        (
            "csaf.json",
            "application/json",
            Schema::Csaf20,
            "known_not_affected",
        ),
    ] {
        let path = format!("/vex/pt2/2.1.0.{suffix}");
        let r = app.page(Some(&session), Method::GET, &path, None).await;
        assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.body);
        assert_eq!(r.headers[header::CONTENT_TYPE], content_type, "{path}");
        let disposition = r.headers[header::CONTENT_DISPOSITION].to_str().unwrap();
        assert!(
            disposition.starts_with("attachment; filename=\"") && disposition.ends_with(".json\""),
            "{disposition}"
        );
        let doc = r.json();
        assert_eq!(schema.errors(&doc), Vec::<String>::new(), "{path}");
        assert!(r.body.contains("CVE-2021-32708"), "{path}");
        assert!(r.body.contains(status), "{path}: {}", r.body);
    }
    let r = app
        .api(
            Some("auditor"),
            Method::GET,
            "/api/vex/pt2/2.1.0?format=openvex",
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(Schema::OpenVex020.errors(&r.json()), Vec::<String>::new());
    for (path, status) in [
        (
            "/api/vex/pt2/2.1.0?format=spdx",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        ("/api/vex/pt2/9.9.9?format=csaf", StatusCode::NOT_FOUND),
        ("/api/vex/nope/2.1.0?format=csaf", StatusCode::NOT_FOUND),
    ] {
        let r = app.api(Some("auditor"), Method::GET, path, None).await;
        assert_eq!(r.status, status, "{path}: {}", r.body);
    }
    let r = app
        .page(Some(&session), Method::GET, "/vex/pt2/2.1.0.xml", None)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

async fn the_sbom_page_lists_components(db: &TestDb) {
    let app = app(db).await;
    app.set_passwords().await;
    let finding = seeded(&app).await;
    let sbom = app.store.sboms(None, false).await.unwrap()[0].clone();
    let session = app.session("auditor").await;
    let list = app.page(Some(&session), Method::GET, "/sboms", None).await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains(&format!("href=\"/sboms/{}\"", sbom.id)));
    assert!(list.body.contains("release-2.1.0.cdx.json"));
    assert!(list.body.contains("href=\"/vex/pt2/2.1.0.cdx.json\""));
    assert!(list.body.contains("href=\"/vex/pt2/2.1.0.openvex.json\""));
    assert!(list.body.contains("href=\"/vex/pt2/2.1.0.csaf.json\""));
    let page = app
        .page(
            Some(&session),
            Method::GET,
            &format!("/sboms/{}", sbom.id),
            None,
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let body = &page.body;
    assert!(body.contains(&format!(
        "<dd id=\"component-count\">{}</dd>",
        sbom.component_count
    )));
    assert!(body.contains("<td>pkg:composer/league/flysystem@1.1.3</td>"));
    assert!(body.contains("<td>Packagist</td>"));
    assert!(body.contains(&format!(
        "<a href=\"/security/finding/{finding}\">GHSA-9f46-5r25-5wfm</a>"
    )));
    assert!(body.contains("<dd id=\"findings\" class=\"error\">1</dd>"));
    let r = app
        .page(Some(&session), Method::GET, "/sboms/999", None)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

async fn the_sources_register_takes_a_review(db: &TestDb) {
    let app = app(db).await;
    app.set_passwords().await;
    let admin = app.store.actor("admin").await.unwrap();
    app.store
        .add_person(
            &admin,
            "security2".into(),
            "SECURITY2".into(),
            "acme",
            vec![vigilo_registry::Role::Security],
            start(),
        )
        .await
        .unwrap();
    for (id, cadence) in [("ghsa", 30), ("vendor-psirt", 90)] {
        app.store
            .add_source(
                &admin,
                NewSource {
                    id: id.into(),
                    name: format!("{id} feed"),
                    kind: vigilo_intel::register::SourceKind::parse("kind", "vendor").unwrap(),
                    url: None,
                    owner: "security".into(),
                    backup: "security2".into(),
                    cadence_days: cadence,
                },
                start(),
            )
            .await
            .unwrap();
    }
    app.advance(40 * 24 * 60);
    let session = app.session("security").await;
    let page = app
        .page(Some(&session), Method::GET, "/sources", None)
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let body = &page.body;
    assert!(body.contains("<strong class=\"error\" id=\"overdue-count\">1 overdue</strong>"));
    let ghsa = body
        .find("id=\"source-ghsa\" class=\"overdue\"")
        .expect("overdue");
    let vendor = body.find("id=\"source-vendor-psirt\"").unwrap();
    assert!(ghsa < vendor, "overdue first");
    let csrf = hidden(body, "csrf");
    let r = app
        .page(
            Some(&session),
            Method::POST,
            "/sources/ghsa/review",
            Some(&form(&[
                ("csrf", &csrf),
                ("outcome", "ok"),
                ("note", " "),
                ("at", ""),
            ])),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("note: "), "{}", r.body);
    let r = app
        .page(
            Some(&session),
            Method::POST,
            "/sources/ghsa/review",
            Some(&form(&[
                ("csrf", &csrf),
                ("outcome", "ok"),
                ("note", "Feed complete; owner and backup confirmed."),
                ("at", ""),
            ])),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = app
        .page(Some(&session), Method::GET, "/sources", None)
        .await;
    assert!(
        page.body
            .contains("id=\"overdue-count\">0 overdue</strong>")
    );
    let quality = app.session("quality").await;
    let page = app
        .page(Some(&quality), Method::GET, "/sources", None)
        .await;
    assert!(!page.body.contains("review-form"), "only security reviews");
}

async fn partners_get_403(db: &TestDb) {
    let app = app(db).await;
    app.set_passwords().await;
    let finding = seeded(&app).await;
    publisher(&app).await;
    let sbom = app.store.sboms(None, false).await.unwrap()[0].id;
    let api = [
        "/api/security/queue".to_owned(),
        format!("/api/security/finding/{finding}"),
        "/api/vex/pt2/2.1.0?format=cyclonedx".to_owned(),
    ];
    for path in &api {
        let r = app.api(Some("partner"), Method::GET, path, None).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}");
        assert!(
            r.json()["error"]
                .as_str()
                .unwrap()
                .contains("internal records")
        );
        let r = app.api(Some("technician"), Method::GET, path, None).await;
        assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.body);
    }
    for (path, body) in [
        (
            "/api/security/signals".to_owned(),
            json!({"kind": "threat-intel", "title": "x"}),
        ),
        (
            format!("/api/security/finding/{finding}/triage"),
            json!({"outcome": "problem-report"}),
        ),
    ] {
        let r = app
            .api(Some("partner"), Method::POST, &path, Some(body))
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}");
    }
    let partner = app.session("partner").await;
    for path in [
        "/security".to_owned(),
        format!("/security/finding/{finding}"),
        "/sboms".to_owned(),
        format!("/sboms/{sbom}"),
        "/vex/pt2/2.1.0.cdx.json".to_owned(),
        "/sources".to_owned(),
    ] {
        let r = app.page(Some(&partner), Method::GET, &path, None).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "partner GET {path}");
    }
    let home = app.page(Some(&partner), Method::GET, "/", None).await;
    assert!(
        !home.body.contains("href=\"/security\""),
        "not in a partner's nav"
    );
}

async fn openapi_documents_security(db: &TestDb) {
    let app = app(db).await;
    let doc = app
        .api(None, Method::GET, "/api/openapi.json", None)
        .await
        .json();
    for path in [
        "/api/security/queue",
        "/api/security/signals",
        "/api/security/{kind}/{id}",
        "/api/security/{kind}/{id}/triage",
        "/api/vex/{product}/{version}",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} is documented");
    }
    for schema in [
        "SecurityQueue",
        "SecurityEntry",
        "Triaged",
        "SignalRequest",
        "SecurityTriageRequest",
        "TriageRecord",
    ] {
        assert!(doc["components"]["schemas"][schema].is_object(), "{schema}");
    }
}

vigilo_testdb::backend_tests!(
    the_queue_puts_a_breached_signal_first,
    triage_through_the_form,
    vex_downloads_validate,
    the_sbom_page_lists_components,
    the_sources_register_takes_a_review,
    partners_get_403,
    openapi_documents_security,
);
