//! Authorisation on the server, endpoint by endpoint and role by role (SPEC §1): auditors only
//! read; partners see and write only their agreement's countries; writes need the roles of the
//! registry rules. Every cell of the matrix is a real request through the router.

mod fixture;

use axum::http::{Method, StatusCode};
use fixture::*;
use serde_json::json;
use vigilo_testdb::TestDb;

const ALL: [&str; 9] = [
    "admin",
    "triager",
    "technician",
    "vigilance",
    "pms",
    "security",
    "quality",
    "auditor",
    "partner",
];

async fn reads_and_scopes(db: &TestDb) {
    let app = app(db).await;
    assert_eq!(
        app.api(None, Method::GET, "/api/me", None).await.status,
        StatusCode::UNAUTHORIZED
    );
    let paths = [
        "/api/me",
        "/api/organisations",
        "/api/persons",
        "/api/products",
        "/api/products/pt2",
        "/api/event-types",
        "/api/software-versions",
        "/api/devices",
        "/api/procedures",
        "/api/trainings",
        "/api/lots",
    ];
    for who in ALL {
        for path in paths {
            let r = app.api(Some(who), Method::GET, path, None).await;
            assert_eq!(r.status, StatusCode::OK, "{who} GET {path}: {}", r.body);
        }
        let seen: Vec<String> = app
            .api(Some(who), Method::GET, "/api/devices", None)
            .await
            .json()
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["serial"].as_str().unwrap().to_owned())
            .collect();
        let expected: &[&str] = if who == "partner" {
            &["AT-1", "IT-1"]
        } else {
            &["DE-1", "AT-1", "IT-1", "FR-1"]
        };
        assert_eq!(seen, expected, "{who} sees");
        let de = format!("/api/devices/{}", app.devices["DE-1"]);
        let at = format!("/api/devices/{}", app.devices["AT-1"]);
        let status = app.api(Some(who), Method::GET, &de, None).await.status;
        assert_eq!(
            status,
            if who == "partner" {
                StatusCode::FORBIDDEN
            } else {
                StatusCode::OK
            },
            "{who} GET {de}"
        );
        assert_eq!(
            app.api(Some(who), Method::GET, &at, None).await.status,
            StatusCode::OK,
            "{who} GET {at}"
        );
        let verify = app
            .api(Some(who), Method::GET, "/api/audit/verify", None)
            .await;
        let may = ["admin", "quality", "auditor"].contains(&who);
        assert_eq!(
            verify.status,
            if may {
                StatusCode::OK
            } else {
                StatusCode::FORBIDDEN
            },
            "{who} verify"
        );
        if may {
            assert_eq!(verify.json()["intact"], true);
        }
    }
    let orgs = app
        .api(Some("partner"), Method::GET, "/api/organisations", None)
        .await
        .json();
    assert_eq!(
        orgs.as_array().unwrap().len(),
        1,
        "a partner sees its own organisation only"
    );
    let people = app
        .api(Some("partner"), Method::GET, "/api/persons", None)
        .await
        .json();
    assert_eq!(people.as_array().unwrap().len(), 1);
    assert_eq!(
        app.api(
            Some("partner"),
            Method::GET,
            "/api/organisations/acme",
            None
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.api(Some("partner"), Method::GET, "/api/products/pt2", None)
            .await
            .json()["devices"],
        2
    );
}

async fn writes_follow_the_roles(db: &TestDb) {
    let app = app(db).await;
    for (n, who) in ALL.into_iter().enumerate() {
        let device = json!({"product": "pt2", "serial": format!("NEW-{n}"), "country": "AT"});
        let r = app
            .api(Some(who), Method::POST, "/api/devices", Some(device))
            .await;
        let may = ["admin", "pms", "quality"].contains(&who);
        assert_eq!(
            r.status,
            if may {
                StatusCode::CREATED
            } else {
                StatusCode::FORBIDDEN
            },
            "{who} POST /api/devices: {}",
            r.body
        );
        if may {
            assert_eq!(r.json()["serial"], format!("NEW-{n}"));
        } else {
            assert!(
                r.json()["error"]
                    .as_str()
                    .unwrap()
                    .contains("may add a device"),
                "{}",
                r.body
            );
        }
        let lot = json!({"part": "SEAL", "lot": format!("S{n}"), "qty": 5});
        let r = app
            .api(Some(who), Method::POST, "/api/lots", Some(lot))
            .await;
        let may = ["admin", "quality"].contains(&who);
        assert_eq!(
            r.status,
            if may {
                StatusCode::CREATED
            } else {
                StatusCode::FORBIDDEN
            },
            "{who} POST /api/lots"
        );
        let path = format!("/api/lots/{}/status", app.lot);
        let r = app
            .api(
                Some(who),
                Method::POST,
                &path,
                Some(json!({"status": "quarantined"})),
            )
            .await;
        assert_eq!(
            r.status,
            if may {
                StatusCode::OK
            } else {
                StatusCode::FORBIDDEN
            },
            "{who} POST {path}"
        );
    }
    // Every other noun: one write per role, allowed exactly for the roles of the registry rules.
    let procedure = |n: usize| json!({"id": format!("SOP-{n}"), "version": "1", "title": "T", "governs": "repair"});
    for (n, who) in ALL.into_iter().enumerate() {
        let cases = [
            (
                "/api/organisations",
                json!({"id": format!("org-{n}"), "name": "Org"}),
                &["admin"][..],
            ),
            (
                "/api/persons",
                json!({"id": format!("p-{n}"), "name": "P", "org": "acme", "role": "triager"}),
                &["admin"][..],
            ),
            (
                "/api/products",
                json!({"id": format!("prod-{n}"), "name": "P", "class": "I"}),
                &["admin", "quality"][..],
            ),
            (
                "/api/event-types",
                json!({"id": format!("type-{n}"), "name": "T"}),
                &["admin", "quality"][..],
            ),
            (
                "/api/software-versions",
                json!({"product": "pt2", "version": format!("9.{n}")}),
                &["admin", "quality", "security"][..],
            ),
            ("/api/procedures", procedure(n), &["admin", "quality"][..]),
        ];
        for (path, body, allowed) in cases {
            let r = app.api(Some(who), Method::POST, path, Some(body)).await;
            let expected = if allowed.contains(&who) {
                StatusCode::CREATED
            } else {
                StatusCode::FORBIDDEN
            };
            assert_eq!(r.status, expected, "{who} POST {path}: {}", r.body);
        }
    }
    let training = json!({"person": "technician", "procedure": "SOP-0", "version": "1", "date": "2026-03-01",
                          "trainer": "quality", "check": "test", "result": "pass"});
    for who in ALL {
        let r = app
            .api(
                Some(who),
                Method::POST,
                "/api/trainings",
                Some(training.clone()),
            )
            .await;
        let expected = if ["admin", "quality"].contains(&who) {
            StatusCode::CREATED
        } else {
            StatusCode::FORBIDDEN
        };
        assert_eq!(r.status, expected, "{who} POST /api/trainings: {}", r.body);
    }
    let partner = json!({"id": "p2", "name": "P2", "partner": true, "agreement": "QA", "valid_from": "2026-01-01",
                         "valid_to": "2025-01-01", "countries": "AT"});
    let r = app
        .api(
            Some("admin"),
            Method::POST,
            "/api/organisations",
            Some(partner),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        r.json()["field"],
        "valid_to",
        "JSON callers see JSON field names"
    );

    // Bad input names the field; nothing is written.
    let r = app
        .api(
            Some("admin"),
            Method::POST,
            "/api/devices",
            Some(json!({"product": "pt2", "serial": "X", "country": "XX"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["field"], "country");
    let r = app
        .api(
            Some("admin"),
            Method::POST,
            "/api/lots",
            Some(json!({"part": "SEAL", "lot": "S0", "qty": 5})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "duplicate lot");
    // Every accepted write is in the chain, attributed to the token's person.
    let events = app
        .store
        .audit_events(&vigilo_store::AuditFilter {
            actor: Some("pms".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        events.iter().filter(|e| e.action == "device.add").count(),
        1
    );
    assert!(app.store.verify().await.unwrap().is_ok());
}

async fn a_partner_writes_only_in_its_countries(db: &TestDb) {
    let app = app(db).await;
    let admin = app.store.actor("admin").await.unwrap();
    app.store
        .add_person(
            &admin,
            "alp-pms".into(),
            "P".into(),
            "alpen",
            vec![vigilo_registry::Role::Triager],
            start(),
        )
        .await
        .unwrap();
    // The partner's technician is refused for both reasons; the country check comes first.
    let r = app
        .api(
            Some("partner"),
            Method::POST,
            "/api/devices",
            Some(json!({"product": "pt2", "serial": "Z", "country": "DE"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(
        r.json()["error"]
            .as_str()
            .unwrap()
            .contains("DE is outside the countries of your quality agreement")
    );
}

async fn revoked_and_unknown_tokens_are_refused(db: &TestDb) {
    let app = app(db).await;
    let admin = app.store.actor("admin").await.unwrap();
    let tokens = app.store.tokens().await.unwrap();
    let auditor = tokens.iter().find(|t| t.person == "auditor").unwrap();
    app.store
        .revoke_token(&admin, auditor.id, start())
        .await
        .unwrap();
    assert_eq!(
        app.api(Some("auditor"), Method::GET, "/api/me", None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    let r = app
        .send(
            axum::http::Request::get("/api/me")
                .header("authorization", "Bearer nonsense")
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.json()["error"], "sign in first");
}

async fn pages_follow_the_same_rules(db: &TestDb) {
    let app = app(db).await;
    app.set_passwords().await;
    let anonymous = app.page(None, Method::GET, "/devices", None).await;
    assert_eq!(anonymous.status, StatusCode::SEE_OTHER);
    assert_eq!(anonymous.headers["location"], "/login?next=/devices");
    let partner = app.session("partner").await;
    let de = app
        .page(
            Some(&partner),
            Method::GET,
            &format!("/devices/{}", app.devices["DE-1"]),
            None,
        )
        .await;
    assert_eq!(de.status, StatusCode::FORBIDDEN);
    assert!(
        de.body
            .contains("outside the countries of your quality agreement"),
        "{}",
        de.body
    );
    let at = app
        .page(
            Some(&partner),
            Method::GET,
            &format!("/devices/{}", app.devices["AT-1"]),
            None,
        )
        .await;
    assert_eq!(at.status, StatusCode::OK);
    assert!(at.body.contains("AT-1"));
    let list = app
        .page(Some(&partner), Method::GET, "/devices", None)
        .await;
    assert!(
        list.body.contains("AT-1") && !list.body.contains("DE-1"),
        "partner list is scoped"
    );
    assert_eq!(
        app.page(Some(&partner), Method::GET, "/audit", None)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let auditor = app.session("auditor").await;
    let audit = app.page(Some(&auditor), Method::GET, "/audit", None).await;
    assert_eq!(audit.status, StatusCode::OK);
    assert!(audit.body.contains("Intact:"), "{}", audit.body);
    for path in [
        "/",
        "/devices",
        "/products",
        "/organisations",
        "/people",
        "/procedures",
        "/trainings",
        "/lots",
    ] {
        let r = app.page(Some(&auditor), Method::GET, path, None).await;
        assert_eq!(r.status, StatusCode::OK, "auditor GET {path}");
    }
    // An auditor's form post is refused by the rule, not by the page.
    let csrf = hidden(
        &app.page(Some(&auditor), Method::GET, "/lots", None)
            .await
            .body,
        "csrf",
    );
    let r = app
        .page(
            Some(&auditor),
            Method::POST,
            &format!("/lots/{}/status", app.lot),
            Some(&format!("csrf={csrf}&status=recalled")),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(
        r.body
            .contains("only admin or quality may release, quarantine or recall a part lot")
    );
}

/// Vigilance, FSCA, trends, the PMS review and the cybersecurity records are the manufacturer's
/// internal records: every role of its own organisation reads them, a service partner's people
/// get 403, API and pages.
async fn internal_records_are_closed_to_partners(db: &TestDb) {
    let app = app(db).await;
    app.set_passwords().await;
    let api = [
        "/api/vigilance",
        "/api/vigilance/1",
        "/api/vigilance/1/draft?format=mir-json",
        "/api/fsca",
        "/api/fsca/FSCA-1",
        "/api/trends?product=pt2&month=2026-02",
        "/api/reviews?month=2026-02",
        "/api/security/queue",
        "/api/security/finding/1",
    ];
    let pages = [
        "/vigilance",
        "/vigilance/1",
        "/fsca",
        "/fsca/FSCA-1",
        "/trends",
        "/review",
        "/security",
        "/security/finding/1",
        "/sboms",
        "/sources",
    ];
    for who in ALL {
        for path in api {
            let r = app.api(Some(who), Method::GET, path, None).await;
            let expected = match (who, path) {
                ("partner", _) => StatusCode::FORBIDDEN,
                // Nothing was flagged and no FSCA opened: the rest is readable.
                (_, "/api/vigilance/1" | "/api/vigilance/1/draft?format=mir-json") => {
                    StatusCode::NOT_FOUND
                }
                (_, "/api/fsca/FSCA-1" | "/api/security/finding/1") => StatusCode::NOT_FOUND,
                _ => StatusCode::OK,
            };
            assert_eq!(r.status, expected, "{who} GET {path}: {}", r.body);
        }
        for (path, body) in [
            (
                "/api/vigilance/1/decide",
                json!({"category": "serious-incident", "rationale": "x"}),
            ),
            (
                "/api/fsca/FSCA-1/acknowledgements",
                json!({"customer": "x"}),
            ),
            (
                "/api/reviews",
                json!({"month": "2026-02", "decision": "monitor", "notes": "x"}),
            ),
            (
                "/api/security/signals",
                json!({"kind": "threat-intel", "title": "x"}),
            ),
        ] {
            let r = app.api(Some(who), Method::POST, path, Some(body)).await;
            if who == "partner" {
                assert_eq!(r.status, StatusCode::FORBIDDEN, "{who} POST {path}");
                assert!(
                    r.json()["error"]
                        .as_str()
                        .unwrap()
                        .contains("internal records")
                );
            }
        }
    }
    let partner = app.session("partner").await;
    let auditor = app.session("auditor").await;
    for path in pages {
        let r = app.page(Some(&partner), Method::GET, path, None).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "partner GET {path}");
        let r = app.page(Some(&auditor), Method::GET, path, None).await;
        let expected = if path.ends_with('1') {
            StatusCode::NOT_FOUND
        } else {
            StatusCode::OK
        };
        assert_eq!(r.status, expected, "auditor GET {path}: {}", r.body);
    }
}

async fn openapi_describes_the_api(db: &TestDb) {
    let app = app(db).await;
    let doc = app
        .api(None, Method::GET, "/api/openapi.json", None)
        .await
        .json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/api/devices",
        "/api/devices/{id}",
        "/api/lots/{id}/status",
        "/api/audit/verify",
        "/api/me",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} is documented");
    }
    assert!(doc["components"]["schemas"]["Device"].is_object());
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
}

vigilo_testdb::backend_tests!(
    reads_and_scopes,
    writes_follow_the_roles,
    a_partner_writes_only_in_its_countries,
    revoked_and_unknown_tokens_are_refused,
    pages_follow_the_same_rules,
    internal_records_are_closed_to_partners,
    openapi_describes_the_api,
);
