//! Vigilance, FSCA, trends and the monthly PMS review over HTTP (SPEC §3.3, §3.4): the case
//! list with the strictest deadline until decided and the escalation breach, a decision through
//! the page's form, refusals naming the rule, report drafts as downloads, an FSCA's
//! acknowledgements, the trend charts and the review form. Both backends.

mod fixture;

use axum::http::{Method, StatusCode};
use fixture::*;
use jiff::Timestamp;
use serde_json::{Value, json};
use vigilo_registry::Country;
use vigilo_service::{Channel, TicketClass};
use vigilo_store::registry::NewDevice;
use vigilo_store::tickets::NewTicket;
use vigilo_testdb::TestDb;

fn at(t: &str) -> Timestamp {
    t.parse().unwrap()
}

/// Opens a ticket about `serial` received at `received`, as the triager; returns its id.
async fn ticket(app: &App, serial: &str, received: &str) -> i64 {
    let triager = app.store.actor("triager").await.unwrap();
    let device = app
        .store
        .device_by_id(app.devices[serial])
        .await
        .unwrap()
        .unwrap();
    app.store
        .open_ticket(
            &triager,
            NewTicket {
                channel: Channel::Phone,
                received_at: at(received),
                reporter: None,
                device: Some(device),
                device_hint: None,
                summary: "Device hot to the touch".into(),
                description: None,
                attachments: Vec::new(),
                source_ref: None,
            },
            start(),
        )
        .await
        .unwrap()
        .ticket
        .id
}

/// A suspected serious incident about `serial`, flagged now; returns the case's id.
async fn flagged(app: &App, serial: &str, aware_at: &str) -> i64 {
    let id = ticket(app, serial, aware_at).await;
    let triager = app.store.actor("triager").await.unwrap();
    let (case, _) = app
        .store
        .flag_serious(&triager, id, at(aware_at), start())
        .await
        .unwrap();
    case.id
}

async fn the_case_list_and_a_decision(db: &TestDb) {
    let app = app(db).await;
    app.set_passwords().await;
    // Sunday 1 March, 09:00 in Berlin: day 0. Flagged Monday 09:00 UTC.
    let id = flagged(&app, "DE-1", "2026-03-01T08:00:00Z").await;
    app.advance(25 * 60);
    let list = app
        .api(Some("triager"), Method::GET, "/api/vigilance", None)
        .await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    let list = list.json();
    assert_eq!(list["escalation_breaches"], json!([id]), "{list}");
    let case = &list["cases"][0];
    assert_eq!(case["category"], Value::Null);
    let d = &case["deadlines"][0];
    assert_eq!(
        (&d["market"], &d["category"], &d["decided"], &d["due_date"]),
        (
            &json!("EU"),
            &json!("serious-public-health-threat"),
            &json!(false),
            &json!("2026-03-03")
        ),
        "undecided: the strictest EU period, 2 days: {d}"
    );
    let before = app
        .api(
            Some("auditor"),
            Method::GET,
            "/api/vigilance?as_of=2026-03-02T10:00:00Z",
            None,
        )
        .await
        .json();
    assert_eq!(before["escalation_breaches"], json!([]), "within 24 h");

    let vigilance = app.session("vigilance").await;
    let page = app
        .page(Some(&vigilance), Method::GET, "/vigilance", None)
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let body = &page.body;
    let breaches = body.find("id=\"breaches\"").expect("breaches on top");
    let row = body.find(&format!("id=\"case-{id}\"")).unwrap();
    assert!(
        breaches < row,
        "the breached case is listed under the breaches"
    );
    assert!(body.contains("undecided: strictest deadline shown until decided"));
    // The day ends at midnight in Berlin, 23:00 UTC; it is 10:00 UTC.
    assert!(body.contains("13 h 0 min left"), "{body}");
    assert!(body.contains("data-seconds-left=\"46800\""));
    assert!(body.contains("/static/countdown.js"));
    let past = app
        .page(
            Some(&vigilance),
            Method::GET,
            "/vigilance?as_of=2026-03-04T09%3A00",
            None,
        )
        .await;
    // 09:00 in Berlin on 4 March, 9 hours after 3 March ended there.
    assert!(past.body.contains("overdue by 9 h 0 min"), "{}", past.body);
    assert!(!past.body.contains("data-seconds-left"), "no ticking then");

    // Deciding is the vigilance role's: others are refused, naming the rule.
    let decide = format!("/api/vigilance/{id}/decide");
    let r = app
        .api(
            Some("quality"),
            Method::POST,
            &decide,
            Some(json!({"category": "serious-incident", "rationale": "x"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert_eq!(
        r.json()["rule"],
        "only vigilance may decide a vigilance case's reportability"
    );
    assert_eq!(r.json()["missing"], "quality holds only quality");
    let quality = app.session("quality").await;
    let path = format!("/vigilance/{id}");
    let q = app.page(Some(&quality), Method::GET, &path, None).await;
    assert!(!q.body.contains("id=\"decide-form\""));
    let form = |csrf: &str| {
        format!(
            "csrf={csrf}&category=serious-incident&rationale=burn+risk%2C+no+injury&reportability_aware_at="
        )
    };
    let r = app
        .page(
            Some(&quality),
            Method::POST,
            &format!("{path}/decide"),
            Some(&form(&hidden(&q.body, "csrf"))),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.body.contains("id=\"refusal\""), "{}", r.body);
    assert!(r.body.contains("only vigilance may decide"));

    // The vigilance officer decides through the form: the 15-day period replaces the 2-day one.
    let v = app.page(Some(&vigilance), Method::GET, &path, None).await;
    assert!(v.body.contains("id=\"decide-form\"") && v.body.contains("id=\"acknowledge-form\""));
    let r = app
        .page(
            Some(&vigilance),
            Method::POST,
            &format!("{path}/decide"),
            Some(&form("stale")),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "CSRF");
    let csrf = hidden(&v.body, "csrf");
    let r = app
        .page(
            Some(&vigilance),
            Method::POST,
            &format!("{path}/decide"),
            Some(&form(&csrf).replace("serious-incident", "mdr-5-day")),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("id=\"error\"") && r.body.contains("market is EU"));
    assert!(
        r.body.contains(">burn risk, no injury</textarea>"),
        "the form keeps what was typed"
    );
    let r = app
        .page(
            Some(&vigilance),
            Method::POST,
            &format!("{path}/decide"),
            Some(&form(&csrf)),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.headers["location"], path.as_str());
    let full = app
        .api(Some("auditor"), Method::GET, &format!("/api{path}"), None)
        .await
        .json();
    let d = &full["case"]["deadlines"][0];
    assert_eq!(d["decided"], true);
    assert_eq!(d["calendar_due_date"], "2026-03-16");
    assert_eq!(d["due_date"], "2026-03-16");
    assert_eq!(
        full["case"]["decisions"][0]["rationale"],
        "burn risk, no injury"
    );
    let v = app.page(Some(&vigilance), Method::GET, &path, None).await;
    assert!(v.body.contains("MDR Art. 87(3): 15 days") && v.body.contains("2026-03-16"));

    // Acknowledged late: the breach stays on record. A report in time is not late.
    let ack = format!("/api/vigilance/{id}/acknowledge");
    let r = app.api(Some("vigilance"), Method::POST, &ack, None).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let r = app.api(Some("vigilance"), Method::POST, &ack, None).await;
    assert_eq!(
        (r.status, &r.json()["new"]),
        (StatusCode::OK, &json!(false))
    );
    let r = app
        .api(
            Some("vigilance"),
            Method::POST,
            &format!("/api/vigilance/{id}/reports"),
            Some(json!({"kind": "initial", "submitted_at": "2026-03-03T09:30:00Z", "reference": "BfArM-1"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.json()["late"], false);
    assert_eq!(r.json()["submission"]["market"], "EU");
    let r = app
        .api(
            Some("vigilance"),
            Method::POST,
            &decide,
            Some(json!({"category": "mdr-30-day", "rationale": "x"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["field"], "category", "{}", r.body);
    assert!(r.json()["error"].as_str().unwrap().contains("market is EU"));
    let r = app
        .api(
            Some("vigilance"),
            Method::POST,
            "/api/vigilance/999/decide",
            Some(json!({"category": "serious-incident", "rationale": "x"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app
        .api(
            Some("vigilance"),
            Method::GET,
            "/api/vigilance?as_of=yesterday",
            None,
        )
        .await;
    assert_eq!(
        (r.status, &r.json()["field"]),
        (StatusCode::UNPROCESSABLE_ENTITY, &json!("as_of"))
    );

    // A partner's people see none of it, nor its links.
    let partner = app.session("partner").await;
    let r = app
        .page(Some(&partner), Method::GET, "/vigilance", None)
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.body.contains("internal records"), "{}", r.body);
    let home = app.page(Some(&partner), Method::GET, "/", None).await;
    assert!(!home.body.contains("href=\"/vigilance\""));
    assert!(v.body.contains("href=\"/vigilance\""));
    assert!(app.store.verify().await.unwrap().is_ok());
}

async fn drafts_download_as_documents(db: &TestDb) {
    let app = app(db).await;
    app.set_passwords().await;
    let id = flagged(&app, "DE-1", "2026-03-01T08:00:00Z").await;
    let details = format!("/api/vigilance/{id}/details");
    let r = app
        .api(
            Some("vigilance"),
            Method::POST,
            &details,
            Some(json!({"incident": {"device_problem_codes": ["E0101"]}})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.json()["field"], "incident.device_problem_codes[0]");
    let r = app
        .api(
            Some("vigilance"),
            Method::POST,
            &details,
            Some(json!({"incident": {"description": "Housing hot", "device_problem_codes": ["A0705"]}})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        r.json()["details"]["incident"]["description"],
        "Housing hot"
    );
    let r = app
        .api(
            Some("triager"),
            Method::POST,
            &details,
            Some(json!({"comments": "x"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    let draft = |format: &str| format!("/api/vigilance/{id}/draft?format={format}");
    let xml = app
        .api(Some("auditor"), Method::GET, &draft("mir-xml"), None)
        .await;
    assert_eq!(xml.status, StatusCode::OK, "{}", xml.body);
    assert!(
        xml.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/xml")
    );
    assert_eq!(
        xml.headers["content-disposition"],
        format!("attachment; filename=\"case-{id}-mir.xml\"").as_str()
    );
    assert!(
        xml.body.contains("DE-1") && xml.body.contains("A0705"),
        "{}",
        xml.body
    );
    let mir = app
        .api(Some("auditor"), Method::GET, &draft("mir-json"), None)
        .await;
    assert_eq!(mir.headers["content-type"], "application/json");
    assert_eq!(mir.json()["device"]["serial_number"], "DE-1");
    let fda = app
        .api(Some("auditor"), Method::GET, &draft("fda-3500a"), None)
        .await;
    assert_eq!(fda.json()["device"]["serial_number"], "DE-1");
    let r = app
        .api(Some("auditor"), Method::GET, &draft("pdf"), None)
        .await;
    assert_eq!(
        (r.status, &r.json()["field"]),
        (StatusCode::UNPROCESSABLE_ENTITY, &json!("format"))
    );

    // The page: the details form, the draft links and what the MIR still lacks.
    let vigilance = app.session("vigilance").await;
    let path = format!("/vigilance/{id}");
    let page = app.page(Some(&vigilance), Method::GET, &path, None).await;
    assert!(page.body.contains(&format!(
        "href=\"/api/vigilance/{id}/draft?format=mir-xml\""
    )));
    assert!(page.body.contains("Still missing"));
    assert!(page.body.contains("value=\"A0705\""), "details prefilled");
    let csrf = hidden(&page.body, "csrf");
    let form = |codes: &str| {
        format!(
            "csrf={csrf}&problem_codes={codes}&component_codes=&health_effects=&health_impacts=&narrative=Housing+hot+after+charging"
        )
    };
    let r = app
        .page(
            Some(&vigilance),
            Method::POST,
            &format!("{path}/details"),
            Some(&form("A0705+ZZ9")),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body.contains("incident.device_problem_codes[1]"),
        "{}",
        r.body
    );
    let r = app
        .page(
            Some(&vigilance),
            Method::POST,
            &format!("{path}/details"),
            Some(&form("A0705%2CA070504")),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let full = app
        .api(Some("vigilance"), Method::GET, &format!("/api{path}"), None)
        .await
        .json();
    assert_eq!(
        full["details"]["details"]["incident"]["device_problem_codes"],
        json!(["A0705", "A070504"])
    );
    assert_eq!(
        full["details"]["details"]["incident"]["description"],
        "Housing hot after charging"
    );
    assert!(full["mir_draft"]["missing"].is_array());
}

async fn fsca_acknowledgements_move_the_share(db: &TestDb) {
    let app = app(db).await;
    app.set_passwords().await;
    let admin = app.store.actor("admin").await.unwrap();
    for (serial, country, customer) in [
        ("F-1", "DE", "Klinikum Nord"),
        ("F-2", "AT", "Klinikum Nord"),
        ("F-3", "DE", "Praxis Süd"),
    ] {
        app.store
            .add_device(
                &admin,
                NewDevice {
                    product: Some("pt2".into()),
                    serial: Some(serial.into()),
                    country: Some(Country::parse("c", country).unwrap()),
                    customer: Some(customer.into()),
                    ..NewDevice::default()
                },
                start(),
            )
            .await
            .unwrap();
    }
    let fsca = json!({"id": "FSCA-2026-01", "title": "Charger firmware", "product": "pt2",
                      "serials": "F-1,F-2,F-3", "reason": "overheating while charging",
                      "notice": "Urgent field safety notice: update the charger."});
    let r = app
        .api(
            Some("triager"),
            Method::POST,
            "/api/fsca",
            Some(fsca.clone()),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .api(Some("vigilance"), Method::POST, "/api/fsca", Some(fsca))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.json()["progress"]["customers"], 2);
    assert_eq!(r.json()["progress"]["share_acknowledged"], 0.0);

    let triager = app.session("triager").await;
    let path = "/fsca/FSCA-2026-01";
    let page = app.page(Some(&triager), Method::GET, path, None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("0 of 2 customers (0 %)"),
        "{}",
        page.body
    );
    assert!(page.body.contains("Urgent field safety notice"));
    assert!(page.body.contains("id=\"ack-form\""));
    let csrf = hidden(&page.body, "csrf");
    let r = app
        .page(
            Some(&triager),
            Method::POST,
            &format!("{path}/acknowledgements"),
            Some(&format!(
                "csrf={csrf}&customer=Klinikum+Nord&at=2026-03-02T09%3A30"
            )),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = app.page(Some(&triager), Method::GET, path, None).await;
    assert!(
        page.body
            .contains("1 of 2 customers (50 %), 2 of 3 devices")
    );
    assert!(page.body.contains("<progress max=\"100\" value=\"50\""));
    let view = app
        .api(Some("auditor"), Method::GET, "/api/fsca/FSCA-2026-01", None)
        .await
        .json();
    assert_eq!(view["progress"]["share_acknowledged"], 0.5);
    assert_eq!(
        view["acknowledgements"][0]["acknowledged_at"], "2026-03-02T08:30:00Z",
        "09:30 in Berlin"
    );
    let list = app
        .api(Some("auditor"), Method::GET, "/api/fsca", None)
        .await
        .json();
    assert_eq!(list["fscas"][0]["share_acknowledged"], 0.5);
    let r = app
        .api(
            Some("auditor"),
            Method::POST,
            "/api/fsca/FSCA-2026-01/acknowledgements",
            Some(json!({"customer": "Praxis Süd"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .api(
            Some("vigilance"),
            Method::POST,
            "/api/fsca/FSCA-2026-01/acknowledgements",
            Some(json!({"customer": "Other"})),
        )
        .await;
    assert_eq!(
        (r.status, &r.json()["field"]),
        (StatusCode::UNPROCESSABLE_ENTITY, &json!("customer"))
    );

    // One device list per customer, by name or by the file name the CLI writes.
    let nord = app
        .api(
            Some("auditor"),
            Method::GET,
            "/api/fsca/FSCA-2026-01/customers/Klinikum%20Nord.csv",
            None,
        )
        .await;
    assert_eq!(nord.status, StatusCode::OK, "{}", nord.body);
    assert_eq!(nord.headers["content-type"], "text/csv; charset=utf-8");
    assert_eq!(nord.body.lines().count(), 3, "{}", nord.body);
    assert!(nord.body.contains("FSCA-2026-01,Klinikum Nord,F-2,AT,"));
    let sud = app
        .api(
            Some("auditor"),
            Method::GET,
            "/api/fsca/FSCA-2026-01/customers/Praxis_S%C3%BCd.csv",
            None,
        )
        .await;
    assert_eq!(sud.status, StatusCode::OK);
    assert!(
        sud.headers["content-disposition"]
            .to_str()
            .unwrap()
            .ends_with("filename*=UTF-8''Praxis_S%C3%BCd.csv")
    );
    assert!(
        page.body
            .contains("href=\"/api/fsca/FSCA-2026-01/customers/Praxis%20S%C3%BCd.csv\"")
    );
    for missing in [
        "/api/fsca/FSCA-2026-01/customers/Nobody.csv",
        "/api/fsca/NOPE",
    ] {
        let r = app.api(Some("auditor"), Method::GET, missing, None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{missing}");
    }
    let fscas = app.page(Some(&triager), Method::GET, "/fsca", None).await;
    assert!(fscas.body.contains("href=\"/fsca/FSCA-2026-01\""));
    assert!(
        !fscas.body.contains("id=\"fsca-form\""),
        "triagers do not open FSCAs"
    );
}

/// A year at about one complaint a month about pt2, then nine in February 2026.
async fn complaints(app: &App) {
    let admin = app.store.actor("admin").await.unwrap();
    let triager = app.store.actor("triager").await.unwrap();
    for i in 0..36 {
        app.store
            .add_device(
                &admin,
                NewDevice {
                    product: Some("pt2".into()),
                    serial: Some(format!("T-{i:02}")),
                    country: Some(Country::parse("c", "DE").unwrap()),
                    ..NewDevice::default()
                },
                start(),
            )
            .await
            .unwrap();
    }
    let received = (3..=12)
        .map(|m| format!("2025-{m:02}-10T10:00:00Z"))
        .chain(["2026-01-10T10:00:00Z".to_owned()])
        .chain((1..=9).map(|d| format!("2026-02-{d:02}T10:00:00Z")));
    for r in received {
        let id = ticket(app, "DE-1", &r).await;
        app.store
            .triage_ticket(
                &triager,
                id,
                TicketClass::Complaint,
                "device problem".into(),
                start(),
            )
            .await
            .unwrap();
    }
}

async fn trends_and_the_monthly_review(db: &TestDb) {
    let app = app(db).await;
    app.set_passwords().await;
    complaints(&app).await;
    let t = app
        .api(
            Some("pms"),
            Method::GET,
            "/api/trends?product=pt2&month=2026-02",
            None,
        )
        .await;
    assert_eq!(t.status, StatusCode::OK, "{}", t.body);
    let t = t.json();
    let first = &t["assessments"][0];
    assert_eq!(
        (&first["subject"], &first["signal"], &first["observed"]),
        (&json!("pt2"), &json!(true), &json!(9)),
        "{first}"
    );
    assert_eq!(t["signals"], 1);
    let r = app
        .api(
            Some("pms"),
            Method::GET,
            "/api/trends?product=pt2&month=2026-13",
            None,
        )
        .await;
    assert_eq!(
        (r.status, &r.json()["field"]),
        (StatusCode::UNPROCESSABLE_ENTITY, &json!("month"))
    );
    let r = app
        .api(
            Some("pms"),
            Method::GET,
            "/api/trends?product=nope&month=2026-02",
            None,
        )
        .await;
    assert_eq!(r.json()["field"], "product", "{}", r.body);

    // The page: the month defaults to the last complete one, February.
    let pms = app.session("pms").await;
    let page = app.page(Some(&pms), Method::GET, "/trends", None).await;
    assert_eq!(page.status, StatusCode::OK);
    let body = &page.body;
    let svg = body.find("<svg").expect("a chart");
    assert!(body[svg..].starts_with("<svg class=\"chart\""));
    let signal = body.find("class=\"subject signal\"").unwrap();
    assert!(signal < svg, "the signal subject comes first");
    assert!(body.contains("pt2 (product): complaints per 1000 device-months by month"));
    assert!(body.contains("<desc id=\"chart-0-desc\">From 2025-02 to 2026-02."));
    assert!(body.contains("class=\"bar assessed\""));
    assert!(body.contains("exact Poisson test"));
    let bad = app
        .page(Some(&pms), Method::GET, "/trends?month=2026-13", None)
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("id=\"error\""));

    // The monthly review: its counts and signals, then the record through the form.
    let review = app
        .page(Some(&pms), Method::GET, "/review?month=2026-02", None)
        .await;
    assert_eq!(review.status, StatusCode::OK);
    assert!(
        review
            .body
            .contains("9 complaints, 0 suspected serious incidents")
    );
    assert!(review.body.contains("<td>product</td><td>pt2</td>"));
    assert!(review.body.contains("Not reviewed yet."));
    let triager = app.session("triager").await;
    let t = app
        .page(Some(&triager), Method::GET, "/review?month=2026-02", None)
        .await;
    assert!(!t.body.contains("id=\"review-form\""));
    let form = |csrf: &str| {
        format!(
            "csrf={csrf}&month=2026-02&decision=trend-report&notes=complaints+tripled%3A+trend+report+to+the+NCA"
        )
    };
    let r = app
        .page(
            Some(&triager),
            Method::POST,
            "/review",
            Some(&form(&hidden(&t.body, "csrf"))),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(
        r.body
            .contains("only pms or quality may record the monthly PMS review")
    );
    let r = app
        .page(
            Some(&pms),
            Method::POST,
            "/review",
            Some(&form(&hidden(&review.body, "csrf"))),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.headers["location"], "/review?month=2026-02");
    let stored = app.store.reviews().await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(
        stored[0].decision,
        vigilo_vigilance::ReviewDecision::TrendReport
    );
    assert_eq!(stored[0].reviewer, "pms");
    let review = app
        .page(Some(&pms), Method::GET, "/review?month=2026-02", None)
        .await;
    assert!(review.body.contains("id=\"recorded\""));
    assert!(review.body.contains("Quarterly summary 2026-Q1"));
    assert!(review.body.contains("Months with action: 2026-02."));
    let api = app
        .api(
            Some("auditor"),
            Method::GET,
            "/api/reviews?month=2026-02",
            None,
        )
        .await
        .json();
    assert_eq!(
        api["quarterly"]["not_reviewed"],
        json!(["2026-01", "2026-03"])
    );
    assert_eq!(api["reviews"][0]["signals"]["complaints"], 9);
    assert_eq!(api["material"]["complaints"], 9);
    let r = app
        .api(
            Some("quality"),
            Method::POST,
            "/api/reviews",
            Some(json!({"month": "2026-01", "decision": "nothing", "notes": "x"})),
        )
        .await;
    assert_eq!(
        (r.status, &r.json()["field"]),
        (StatusCode::UNPROCESSABLE_ENTITY, &json!("decision"))
    );
    let r = app
        .api(
            Some("quality"),
            Method::POST,
            "/api/reviews",
            Some(json!({"month": "2026-01", "decision": "no-action", "notes": "quiet month", "alpha": 0.05})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.json()["id"], "2026-01");
}

async fn openapi_documents_vigilance_and_pms(db: &TestDb) {
    let app = app(db).await;
    let doc = app
        .api(None, Method::GET, "/api/openapi.json", None)
        .await
        .json();
    for path in [
        "/api/vigilance",
        "/api/vigilance/{id}",
        "/api/vigilance/{id}/acknowledge",
        "/api/vigilance/{id}/decide",
        "/api/vigilance/{id}/reports",
        "/api/vigilance/{id}/details",
        "/api/vigilance/{id}/draft",
        "/api/fsca",
        "/api/fsca/{id}",
        "/api/fsca/{id}/acknowledgements",
        "/api/fsca/{id}/customers/{file}",
        "/api/trends",
        "/api/reviews",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} is documented");
    }
    for schema in [
        "CaseList",
        "CaseStatus",
        "DecideRequest",
        "ReportRequest",
        "DetailsRequest",
        "FscaRequest",
        "FscaView",
        "Trends",
        "ReviewRequest",
        "Quarterly",
    ] {
        assert!(doc["components"]["schemas"][schema].is_object(), "{schema}");
    }
}

vigilo_testdb::backend_tests!(
    the_case_list_and_a_decision,
    drafts_download_as_documents,
    fsca_acknowledgements_move_the_share,
    trends_and_the_monthly_review,
    openapi_documents_vigilance_and_pms,
);
