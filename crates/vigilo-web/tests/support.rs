//! Service and support over HTTP (SPEC §3.1, §3.2): the ticket and service endpoints follow the
//! same rules as the rest of the API (auditors only read, partners only their countries), a
//! refused service event names what is missing, and the pages show it. Both backends.

mod fixture;

use axum::http::{Method, StatusCode};
use fixture::*;
use serde_json::{Value, json};
use vigilo_service::Channel;
use vigilo_store::tickets::{NewAttachment, NewTicket};
use vigilo_testdb::TestDb;

/// The battery-replacement event type (seeded by init) governed by an effective procedure; `technician` and `partner` passed
/// their competence check on it, `novice` (a technician) never trained.
async fn service_app(db: &TestDb) -> App {
    let app = app(db).await;
    let ok = |r: Reply| {
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    };
    ok(app
        .api(
            Some("quality"),
            Method::POST,
            "/api/procedures",
            Some(json!({"id": "SOP-BAT", "version": "1", "title": "Battery", "governs": "battery-replacement",
                        "effective": "2026-01-01"})),
        )
        .await);
    for who in ["technician", "partner"] {
        ok(app
            .api(
                Some("quality"),
                Method::POST,
                "/api/trainings",
                Some(json!({"person": who, "procedure": "SOP-BAT", "version": "1", "date": "2026-02-01",
                            "trainer": "quality", "check": "test", "result": "pass"})),
            )
            .await);
    }
    ok(app
        .api(
            Some("admin"),
            Method::POST,
            "/api/persons",
            Some(json!({"id": "novice", "name": "Novice", "org": "acme", "role": "technician"})),
        )
        .await);
    app
}

fn service(serial: &str, technician: &str, parts: &[&str]) -> Value {
    json!({"serial": serial, "type": "battery-replacement", "technician": technician,
           "performed_at": "2026-03-02T08:00:00Z", "parts": parts, "outcome": "pass"})
}

fn ticket(serial: &str) -> Value {
    json!({"serial": serial, "channel": "phone", "received_at": "2026-03-01T08:00:00Z",
           "summary": "Battery alarm"})
}

async fn auditors_read_and_never_write(db: &TestDb) {
    let app = service_app(db).await;
    for path in [
        "/api/tickets",
        "/api/service-events?days=90",
        "/api/trace/device/DE-1",
        "/api/trace/lot/L1",
        "/api/maintenance/due?as_of=2026-03-02&within=30",
        "/api/training-matrix?as_of=2026-03-02",
    ] {
        let r = app.api(Some("auditor"), Method::GET, path, None).await;
        assert_eq!(r.status, StatusCode::OK, "auditor GET {path}: {}", r.body);
    }
    let r = app
        .api(
            Some("auditor"),
            Method::POST,
            "/api/tickets",
            Some(ticket("DE-1")),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert!(r.json()["rule"].as_str().unwrap().contains("open a ticket"));
    let r = app
        .api(
            Some("auditor"),
            Method::POST,
            "/api/service-events",
            Some(service("DE-1", "technician", &[])),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let id = app
        .api(
            Some("triager"),
            Method::POST,
            "/api/tickets",
            Some(ticket("DE-1")),
        )
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    for (path, body) in [
        ("triage", json!({"class": "service", "reason": "x"})),
        ("flag-serious", json!({})),
        ("close", json!({})),
    ] {
        let path = format!("/api/tickets/{id}/{path}");
        let r = app
            .api(Some("auditor"), Method::POST, &path, Some(body))
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "auditor POST {path}");
    }
    let r = app
        .api(
            Some("auditor"),
            Method::GET,
            &format!("/api/tickets/{id}"),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["serial"], "DE-1");
}

async fn partners_stay_in_their_countries(db: &TestDb) {
    let app = service_app(db).await;
    let r = app
        .api(
            Some("partner"),
            Method::POST,
            "/api/tickets",
            Some(ticket("DE-1")),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert!(
        r.json()["missing"].as_str().unwrap().contains("is in DE"),
        "{}",
        r.body
    );
    let r = app
        .api(
            Some("partner"),
            Method::POST,
            "/api/service-events",
            Some(service("DE-1", "partner", &[])),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert!(r.json()["missing"].as_str().unwrap().contains("is in DE"));
    let r = app
        .api(Some("partner"), Method::GET, "/api/trace/device/DE-1", None)
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.json()["error"].as_str().unwrap().contains("is in DE"));
    // In its own country the partner records, and sees only its countries' tickets and events.
    let r = app
        .api(
            Some("partner"),
            Method::POST,
            "/api/service-events",
            Some(service("AT-1", "partner", &["BAT-7420:L1:2"])),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.json()["serial"], "AT-1");
    assert_eq!(r.json()["procedure_version"], "1");
    let de = app
        .api(
            Some("triager"),
            Method::POST,
            "/api/tickets",
            Some(ticket("DE-1")),
        )
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let at = app
        .api(
            Some("partner"),
            Method::POST,
            "/api/tickets",
            Some(ticket("AT-1")),
        )
        .await;
    assert_eq!(at.status, StatusCode::CREATED, "{}", at.body);
    let queue = app
        .api(Some("partner"), Method::GET, "/api/tickets", None)
        .await
        .json();
    let serials: Vec<&str> = queue["tickets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["serial"].as_str().unwrap())
        .collect();
    assert_eq!(serials, ["AT-1"]);
    let r = app
        .api(
            Some("partner"),
            Method::GET,
            &format!("/api/tickets/{de}"),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.json()["error"].as_str().unwrap().contains("in DE"));
    let r = app
        .api(
            Some("partner"),
            Method::POST,
            &format!("/api/tickets/{de}/flag-serious"),
            Some(json!({})),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let trace = app
        .api(Some("technician"), Method::GET, "/api/trace/lot/L1", None)
        .await
        .json();
    assert_eq!(trace["devices"][0]["serial"], "AT-1");
    assert_eq!(trace["quantity_issued"], 2);
    let events = app
        .api(Some("partner"), Method::GET, "/api/service-events", None)
        .await
        .json();
    assert_eq!(events["events"].as_array().unwrap().len(), 1);
    let matrix = app
        .api(Some("partner"), Method::GET, "/api/training-matrix", None)
        .await
        .json();
    assert!(
        matrix["matrix"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["org"] == "alpen"),
        "a partner sees its own people's authorisations"
    );
}

async fn refusals_name_what_is_missing(db: &TestDb) {
    let app = service_app(db).await;
    // Office staff enter the paper report of a technician who never trained.
    let r = app
        .api(
            Some("quality"),
            Method::POST,
            "/api/service-events",
            Some(service("DE-1", "novice", &[])),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let body = r.json();
    assert!(
        body["missing"]
            .as_str()
            .unwrap()
            .contains("novice holds no passed competence check on SOP-BAT version 1"),
        "{body}"
    );
    assert!(body["rule"].is_string() && body["error"].is_string());
    // A technician records only their own work.
    let r = app
        .api(
            Some("technician"),
            Method::POST,
            "/api/service-events",
            Some(service("DE-1", "partner", &[])),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // A quarantined lot is not issued.
    let r = app
        .api(
            Some("quality"),
            Method::POST,
            &format!("/api/lots/{}/status", app.lot),
            Some(json!({"status": "quarantined"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    // The lot was quarantined at 09:00: an event performed at 08:00 and recorded now still
    // issued it; one performed at 09:00 cannot.
    let r = app
        .api(
            Some("technician"),
            Method::POST,
            "/api/service-events",
            Some(service("DE-1", "technician", &["BAT-7420:L1"])),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let mut at_quarantine = service("DE-1", "technician", &["BAT-7420:L1"]);
    at_quarantine["performed_at"] = json!("2026-03-02T09:00:00Z");
    let r = app
        .api(
            Some("technician"),
            Method::POST,
            "/api/service-events",
            Some(at_quarantine),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert_eq!(
        r.json()["missing"],
        "lot L1 of part BAT-7420 was quarantined at 2026-03-02T09:00:00Z (since 2026-03-02T09:00:00Z)"
    );
    // Bad input names the field; 422.
    let r = app
        .api(
            Some("technician"),
            Method::POST,
            "/api/service-events",
            Some(service("DE-1", "technician", &["BAT-7420"])),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["field"], "parts");
    let r = app
        .api(
            Some("technician"),
            Method::POST,
            "/api/service-events",
            Some(service("NOPE", "technician", &[])),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["field"], "serial");
    let mut bad = ticket("DE-1");
    bad["channel"] = json!("fax");
    let r = app
        .api(Some("triager"), Method::POST, "/api/tickets", Some(bad))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["field"], "channel");
    let r = app
        .api(Some("triager"), Method::GET, "/api/tickets/999", None)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app
        .api(
            Some("triager"),
            Method::GET,
            "/api/maintenance/due?within=x",
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["field"], "within");
}

async fn a_ticket_from_intake_to_closure(db: &TestDb) {
    let app = service_app(db).await;
    let r = app
        .api(
            Some("triager"),
            Method::POST,
            "/api/tickets",
            Some(ticket("UNKNOWN-9")),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let t = r.json();
    assert_eq!(t["device_unidentified"], true);
    assert_eq!(t["device_hint"], "UNKNOWN-9");
    // Received yesterday morning with 48 h to triage: not overdue yet.
    assert_eq!(t["state"], "open");
    let id = t["id"].as_i64().unwrap();
    let path = |what: &str| format!("/api/tickets/{id}/{what}");
    let r = app
        .api(
            Some("triager"),
            Method::POST,
            &path("device"),
            Some(json!({"serial": "(01)04260123450007(21)DE-1"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["serial"], "DE-1");
    let r = app
        .api(
            Some("triager"),
            Method::POST,
            &path("triage"),
            Some(json!({"class": "complaint", "reason": "alarm during therapy"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = app
        .api(
            Some("triager"),
            Method::POST,
            &path("close"),
            Some(json!({})),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.json()["missing"].as_str().unwrap().contains("lacks"));
    let r = app
        .api(
            Some("technician"),
            Method::POST,
            &path("flag-serious"),
            Some(json!({"aware_at": "2026-03-01T08:00:00Z"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.json()["opened"], true);
    let again = app
        .api(
            Some("triager"),
            Method::POST,
            &path("flag-serious"),
            Some(json!({})),
        )
        .await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.json()["id"], r.json()["id"]);
    let r = app
        .api(
            Some("quality"),
            Method::POST,
            &path("complaint"),
            Some(
                json!({"investigation": "weak cell", "reportability": "reportable",
                        "reportability_rationale": "therapy interrupted", "correction": "capa",
                        "correction_rationale": "supplier lot", "capa": "CAPA-1"}),
            ),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["missing_for_closure"], json!([]));
    let r = app
        .api(
            Some("technician"),
            Method::POST,
            "/api/service-events",
            Some(
                json!({"serial": "DE-1", "type": "battery-replacement", "technician": "technician",
                        "performed_at": "2026-03-02T08:30:00Z", "parts": ["BAT-7420:L1"],
                        "outcome": "pass", "ticket": id}),
            ),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let r = app
        .api(
            Some("triager"),
            Method::POST,
            &path("close"),
            Some(json!({})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let detail = app
        .api(
            Some("pms"),
            Method::GET,
            &format!("/api/tickets/{id}"),
            None,
        )
        .await
        .json();
    assert_eq!(detail["state"], "closed");
    assert_eq!(detail["service_events"].as_array().unwrap().len(), 1);
    assert!(detail["vigilance_case"].is_i64());
    let trace = app
        .api(Some("pms"), Method::GET, "/api/trace/device/DE-1", None)
        .await
        .json();
    assert_eq!(trace["events"][0]["parts"][0]["lot"], "L1");
    assert_eq!(trace["events"][0]["procedure"], "SOP-BAT");
}

async fn the_pages_show_queue_and_refusals(db: &TestDb) {
    let app = service_app(db).await;
    app.set_passwords().await;
    let triager = app.session("triager").await;
    let queue = app
        .page(Some(&triager), Method::GET, "/tickets", None)
        .await;
    assert_eq!(queue.status, StatusCode::OK);
    let csrf = hidden(&queue.body, "csrf");
    // A recent call through the form, then an old one: the old one is overdue and listed first.
    for (serial, received, summary) in [
        ("AT-1", "2026-03-02T09:30", "Recent+call"),
        ("NOT-A-SERIAL", "2026-02-20T09:00", "Old+mail"),
    ] {
        let form = format!(
            "csrf={csrf}&channel=phone&serial={serial}&received_at={received}&summary={summary}&description=&reporter=Clinic"
        );
        let r = app
            .page(Some(&triager), Method::POST, "/tickets", Some(&form))
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    }
    let queue = app
        .page(Some(&triager), Method::GET, "/tickets", None)
        .await;
    let body = &queue.body;
    let old = body.find("Old mail").expect("the old ticket is listed");
    let recent = body.find("Recent call").expect("the new ticket is listed");
    assert!(old < recent, "overdue first");
    assert!(body.contains("device unidentified (NOT-A-SERIAL)"));
    assert!(body.contains("1 overdue for triage"));
    assert!(body.contains("-8 d 1 h"), "the overdue timer");
    let bad = format!("csrf={csrf}&channel=fax&serial=AT-1&received_at=&summary=x");
    let r = app
        .page(Some(&triager), Method::POST, "/tickets", Some(&bad))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("channel: "), "{}", r.body);
    let home = app.page(Some(&triager), Method::GET, "/", None).await;
    assert!(home.body.contains("1 tickets are overdue for triage"));

    // The service form: a refused submit shows what is missing, with 403.
    let quality = app.session("quality").await;
    let form = app
        .page(
            Some(&quality),
            Method::GET,
            "/service/new?serial=DE-1",
            None,
        )
        .await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("value=\"DE-1\""));
    let csrf = hidden(&form.body, "csrf");
    let submit = |technician: &str, part: &str| {
        format!(
            "csrf={csrf}&ticket=&serial=DE-1&type=battery-replacement&technician={technician}\
             &performed_at=2026-03-02T09%3A00&part0={part}&part1=&part2=&part3=&outcome=pass&findings="
        )
    };
    let r = app
        .page(
            Some(&quality),
            Method::POST,
            "/service/new",
            Some(&submit("novice", "")),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.body.contains("id=\"refusal\""), "{}", r.body);
    assert!(
        r.body
            .contains("novice holds no passed competence check on SOP-BAT version 1"),
        "{}",
        r.body
    );
    let r = app
        .page(
            Some(&quality),
            Method::POST,
            "/service/new",
            Some(&submit("technician", "BAT-7420")),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("parts: "), "{}", r.body);
    let r = app
        .page(
            Some(&quality),
            Method::POST,
            "/service/new",
            Some(&submit("technician", "BAT-7420%3AL1")),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let device = format!("/devices/{}", app.devices["DE-1"]);
    assert_eq!(r.headers["location"], device.as_str());
    let page = app.page(Some(&quality), Method::GET, &device, None).await;
    assert!(page.body.contains("SOP-BAT v1") && page.body.contains("BAT-7420:L1×1"));
    let trace = app
        .page(
            Some(&quality),
            Method::GET,
            &format!("/lots/{}/trace", app.lot),
            None,
        )
        .await;
    assert_eq!(trace.status, StatusCode::OK);
    assert!(trace.body.contains(&format!("href=\"{device}\"")));
    for path in ["/maintenance", "/service", "/training/matrix"] {
        let r = app.page(Some(&quality), Method::GET, path, None).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
    }
    // The ticket page, and its forms as the auditor: refused by the rule.
    let id = app
        .store
        .tickets(&vigilo_registry::DeviceScope::All, start(), false)
        .await
        .unwrap()[0]
        .ticket
        .id;
    let t = app
        .page(Some(&triager), Method::GET, &format!("/tickets/{id}"), None)
        .await;
    assert_eq!(t.status, StatusCode::OK);
    assert!(t.body.contains("id=\"triage-form\"") && t.body.contains("id=\"flag-form\""));
    assert!(
        t.body.contains("id=\"device-form\""),
        "unidentified: link form"
    );
    let auditor = app.session("auditor").await;
    let a = app
        .page(Some(&auditor), Method::GET, &format!("/tickets/{id}"), None)
        .await;
    assert!(!a.body.contains("id=\"flag-form\""));
    let csrf = hidden(&a.body, "csrf");
    let r = app
        .page(
            Some(&auditor),
            Method::POST,
            &format!("/tickets/{id}/flag-serious"),
            Some(&format!("csrf={csrf}&aware_at=")),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let csrf = hidden(&t.body, "csrf");
    let r = app
        .page(
            Some(&triager),
            Method::POST,
            &format!("/tickets/{id}/triage"),
            Some(&format!(
                "csrf={csrf}&class=information&reason=asked+for+manual"
            )),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let t = app
        .page(Some(&triager), Method::GET, &format!("/tickets/{id}"), None)
        .await;
    assert!(
        t.body.contains("<dd id=\"class\">information</dd>"),
        "{}",
        t.body
    );
}

async fn openapi_documents_service_and_support(db: &TestDb) {
    let app = app(db).await;
    let doc = app
        .api(None, Method::GET, "/api/openapi.json", None)
        .await
        .json();
    for path in [
        "/api/tickets",
        "/api/tickets/{id}",
        "/api/tickets/{id}/triage",
        "/api/tickets/{id}/complaint",
        "/api/tickets/{id}/close",
        "/api/tickets/{id}/flag-serious",
        "/api/tickets/{id}/device",
        "/api/service-events",
        "/api/trace/lot/{lot}",
        "/api/trace/device/{serial}",
        "/api/maintenance/due",
        "/api/training-matrix",
        "/api/devices",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} is documented");
    }
    for schema in [
        "TicketRequest",
        "ServiceRequest",
        "ServiceRecord",
        "ErrorBody",
    ] {
        assert!(doc["components"]["schemas"][schema].is_object(), "{schema}");
    }
}

/// A mailed attachment is served from its ticket's page, as a download the browser neither
/// sniffs nor renders, and only to those who may see the ticket.
async fn attachments_download_from_the_ticket(db: &TestDb) {
    let app = service_app(db).await;
    app.set_passwords().await;
    let triager = app.store.actor("triager").await.unwrap();
    let device = app.store.device_by_id(app.devices["DE-1"]).await.unwrap();
    let log = "E-42 occlusion alarm 09:14\n".as_bytes().to_vec();
    let opened = app
        .store
        .open_ticket(
            &triager,
            NewTicket {
                channel: Channel::Email,
                received_at: start(),
                reporter: Some("clinic@example.org".into()),
                device,
                device_hint: None,
                summary: "Alarm log attached".into(),
                description: None,
                attachments: vec![NewAttachment {
                    name: "Alarmprotokoll März.txt".into(),
                    content_type: "text/plain".into(),
                    content: log.clone(),
                }],
                source_ref: None,
            },
            start(),
        )
        .await
        .unwrap();
    let id = opened.ticket.id;
    let session = app.session("triager").await;
    let partner = app.session("partner").await;
    let get = async |session, path: String| app.page(Some(session), Method::GET, &path, None).await;
    let page = get(&session, format!("/tickets/{id}")).await;
    let link = format!("href=\"/tickets/{id}/attachments/1\"");
    assert!(page.body.contains(&link), "{}", page.body);
    let r = get(&session, format!("/tickets/{id}/attachments/1")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body.as_bytes(), log);
    let header = |name: &str| r.headers[name].to_str().unwrap().to_owned();
    assert_eq!(header("content-type"), "text/plain");
    assert_eq!(header("x-content-type-options"), "nosniff");
    assert_eq!(
        header("content-disposition"),
        "attachment; filename=\"Alarmprotokoll_M_rz.txt\"; filename*=UTF-8''Alarmprotokoll%20M%C3%A4rz.txt"
    );
    let r = get(&session, format!("/tickets/{id}/attachments/2")).await;
    assert!(
        r.body
            .contains(&format!("ticket {id} has 1 attachment; 2 is not 1")),
        "{} {}",
        r.status,
        r.body
    );
    assert!(r.status.is_client_error(), "{}", r.status);
    // A ticket that does not exist is not found, page and attachment alike.
    for path in ["/tickets/9999", "/tickets/9999/attachments/1"] {
        let r = get(&session, path.to_owned()).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}: {}", r.body);
        assert!(r.body.contains("no ticket 9999"), "{path}: {}", r.body);
    }
    // The partner works in Austria: a German ticket's attachment is not theirs to read.
    let r = get(&partner, format!("/tickets/{id}/attachments/1")).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
}

vigilo_testdb::backend_tests!(
    attachments_download_from_the_ticket,
    auditors_read_and_never_write,
    partners_stay_in_their_countries,
    refusals_name_what_is_missing,
    a_ticket_from_intake_to_closure,
    the_pages_show_queue_and_refusals,
    openapi_documents_service_and_support,
);
