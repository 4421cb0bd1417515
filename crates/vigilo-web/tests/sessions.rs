//! Sign-in, sessions, CSRF and throttling through the real router.

mod fixture;

use axum::http::{Method, StatusCode};
use fixture::*;
use vigilo_testdb::TestDb;

async fn sign_in_sets_a_hardened_session_cookie(db: &TestDb) {
    let app = app(db).await;
    app.set_passwords().await;
    let r = app.sign_in("quality", PASSWORD).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let raw = r
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("vigilo_session="))
        .unwrap();
    for flag in ["HttpOnly", "Secure", "SameSite=Lax", "Path=/"] {
        assert!(raw.contains(flag), "{flag} in {raw}");
    }
    let session = r.cookie("vigilo_session").unwrap();
    let home = app.page(Some(&session), Method::GET, "/", None).await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.body.contains("QUALITY"));
    let wrong = app.sign_in("quality", "not the password at all").await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.body.contains("Unknown account or wrong password."));
    assert!(wrong.cookie("vigilo_session").is_none());
    let nobody = app.sign_in("nobody", PASSWORD).await;
    assert_eq!(
        nobody.status,
        StatusCode::UNAUTHORIZED,
        "unknown accounts answer like wrong passwords"
    );
}

async fn forms_need_the_session_csrf_token(db: &TestDb) {
    let app = app(db).await;
    app.set_passwords().await;
    let session = app.session("quality").await;
    let path = format!("/lots/{}/status", app.lot);
    for form in ["status=recalled", "csrf=0123&status=recalled"] {
        let r = app
            .page(Some(&session), Method::POST, &path, Some(form))
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{form}");
        assert!(r.body.contains("security token is missing or stale"));
    }
    assert_eq!(
        app.store.lots().await.unwrap()[0].status,
        vigilo_registry::LotStatus::Released,
        "nothing changed"
    );
    let csrf = hidden(
        &app.page(Some(&session), Method::GET, "/lots", None)
            .await
            .body,
        "csrf",
    );
    let r = app
        .page(
            Some(&session),
            Method::POST,
            &path,
            Some(&format!("csrf={csrf}&status=recalled")),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.store.lots().await.unwrap()[0].status,
        vigilo_registry::LotStatus::Recalled
    );
    // The API with a session cookie needs the token in a header; with a bearer token it does not.
    let lot = serde_json::json!({"part": "P", "lot": "X1", "qty": 1}).to_string();
    let req = |csrf: Option<&str>| {
        let mut b = axum::http::Request::post("/api/lots")
            .header("cookie", &session)
            .header("content-type", "application/json");
        if let Some(c) = csrf {
            b = b.header("x-csrf-token", c);
        }
        b.body(axum::body::Body::from(lot.clone())).unwrap()
    };
    assert_eq!(app.send(req(None)).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.send(req(Some(&csrf))).await.status, StatusCode::CREATED);
    // Signing in needs the sign-in form's own token.
    let r = app
        .page(
            None,
            Method::POST,
            "/login",
            Some(&format!(
                "account=quality&password={}&csrf=forged",
                PASSWORD.replace(' ', "+")
            )),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

async fn sign_out_and_expiry_end_the_session(db: &TestDb) {
    let app = app(db).await;
    app.set_passwords().await;
    let session = app.session("technician").await;
    let csrf = hidden(
        &app.page(Some(&session), Method::GET, "/", None).await.body,
        "csrf",
    );
    let r = app
        .page(
            Some(&session),
            Method::POST,
            "/logout",
            Some(&format!("csrf={csrf}")),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.page(Some(&session), Method::GET, "/", None)
            .await
            .status,
        StatusCode::SEE_OTHER,
        "signed out"
    );

    let session = app.session("technician").await;
    app.advance(119);
    assert_eq!(
        app.page(Some(&session), Method::GET, "/", None)
            .await
            .status,
        StatusCode::OK,
        "active within 2 h idle"
    );
    app.advance(119);
    assert_eq!(
        app.page(Some(&session), Method::GET, "/", None)
            .await
            .status,
        StatusCode::OK,
        "each request renews the idle time"
    );
    app.advance(121);
    assert_eq!(
        app.page(Some(&session), Method::GET, "/", None)
            .await
            .status,
        StatusCode::SEE_OTHER,
        "idle for over 2 h"
    );

    let session = app.session("technician").await;
    for _ in 0..7 {
        app.advance(100);
        assert_eq!(
            app.page(Some(&session), Method::GET, "/", None)
                .await
                .status,
            StatusCode::OK
        );
    }
    app.advance(100);
    assert_eq!(
        app.page(Some(&session), Method::GET, "/", None)
            .await
            .status,
        StatusCode::SEE_OTHER,
        "over 12 h since sign-in"
    );
}

async fn repeated_failures_throttle_the_account(db: &TestDb) {
    let app = app(db).await;
    app.set_passwords().await;
    for _ in 0..5 {
        assert_eq!(
            app.sign_in("auditor", "a wrong password!!").await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    let r = app.sign_in("auditor", PASSWORD).await;
    assert_eq!(
        r.status,
        StatusCode::TOO_MANY_REQUESTS,
        "even the right password waits"
    );
    assert!(r.body.contains("too many failed sign-ins"));
    assert_eq!(
        app.sign_in("quality", PASSWORD).await.status,
        StatusCode::SEE_OTHER,
        "other accounts are not affected"
    );
    app.advance(16);
    assert_eq!(
        app.sign_in("auditor", PASSWORD).await.status,
        StatusCode::SEE_OTHER,
        "the window passed"
    );
}

vigilo_testdb::backend_tests!(
    sign_in_sets_a_hardened_session_cookie,
    forms_need_the_session_csrf_token,
    sign_out_and_expiry_end_the_session,
    repeated_failures_throttle_the_account,
);
