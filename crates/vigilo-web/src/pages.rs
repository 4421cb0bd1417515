//! Server-rendered pages. Plain HTML forms (CSRF-protected), no script needed; every page is
//! authorised on the server exactly like the API it mirrors.

use crate::AppState;
use crate::api::{DeviceQuery, change_lot_status, find_devices, may_audit, visible_device};
use crate::auth::{self, Principal, SESSION_COOKIE, SIGN_IN_COOKIE, Via};
use crate::error::{PageError, WebError};
use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, SET_COOKIE};
use axum::http::request::Parts;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use jiff::Timestamp;
use serde::Deserialize;
use std::collections::BTreeMap;
use vigilo_registry::procedure::ProcedureStatus;
use vigilo_registry::{CheckResult, DeviceScope, LotStatus, Role};
use vigilo_store::AuditFilter;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/login", get(sign_in_form).post(sign_in))
        .route("/logout", post(sign_out))
        .route("/", get(home))
        .route("/devices", get(devices))
        .route("/devices/{id}", get(device))
        .route("/products", get(products))
        .route("/organisations", get(organisations))
        .route("/people", get(people))
        .route("/procedures", get(procedures))
        .route("/trainings", get(trainings))
        .route("/lots", get(lots))
        .route("/lots/{id}/status", post(lot_status))
        .route("/audit", get(audit))
        .route("/static/vigilo.css", get(css))
        .route("/static/countdown.js", get(countdown_js))
}

pub fn render(t: &impl Template) -> String {
    t.render().unwrap_or_else(|e| {
        format!("<!doctype html><title>Error</title><p>page could not be rendered: {e}")
    })
}

pub(crate) fn page(t: &impl Template) -> Response {
    ([(CACHE_CONTROL, "no-store")], Html(render(t))).into_response()
}

pub fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn countdown_js() -> impl IntoResponse {
    (
        [
            (CONTENT_TYPE, "text/javascript"),
            (CACHE_CONTROL, "max-age=3600"),
        ],
        include_str!("../static/countdown.js"),
    )
}

/// A value as one URL path segment: a `/` in it must not split it.
pub fn path_segment(s: &str) -> String {
    url_encode(s).replace('/', "%2F")
}

async fn css() -> impl IntoResponse {
    (
        [(CONTENT_TYPE, "text/css"), (CACHE_CONTROL, "max-age=3600")],
        include_str!("../static/vigilo.css"),
    )
}

/// What every page's header shows about the signed-in person.
pub struct Bar {
    pub name: String,
    pub roles: String,
    pub csrf: String,
    pub scope: String,
    pub may_audit: bool,
    /// Sees the manufacturer's internal records (vigilance, FSCA, trends, review).
    pub internal: bool,
}

impl Bar {
    pub(crate) fn of(p: &Principal) -> Bar {
        let roles: Vec<&str> = p.actor.person.roles.iter().map(Role::as_str).collect();
        Bar {
            name: p.actor.person.name.clone(),
            roles: roles.join(", "),
            csrf: p.csrf().to_owned(),
            scope: match &p.scope {
                DeviceScope::All => String::new(),
                DeviceScope::Countries(cs) => {
                    let cs: Vec<String> = cs.iter().map(ToString::to_string).collect();
                    format!(
                        "devices in {}",
                        if cs.is_empty() {
                            "no country (no valid agreement)".into()
                        } else {
                            cs.join(", ")
                        }
                    )
                }
            },
            may_audit: may_audit(p),
            internal: !p.is_partner(),
        }
    }
}

pub(crate) fn local(s: &AppState, t: Timestamp) -> String {
    t.to_zoned(s.tz.clone())
        .strftime("%Y-%m-%d %H:%M %Z")
        .to_string()
}

/// What a `datetime-local` input shows for an instant: wall time in the organisation's zone.
pub(crate) fn local_input(s: &AppState, t: Timestamp) -> String {
    t.to_zoned(s.tz.clone())
        .strftime("%Y-%m-%dT%H:%M")
        .to_string()
}

/// A `datetime-local` value (wall time in the organisation's zone) as RFC 3339; anything else
/// is passed on as typed, for the request's own parsing to accept or name.
pub(crate) fn instant_text(s: &AppState, value: &str) -> String {
    let v = value.trim();
    match v.parse::<jiff::civil::DateTime>() {
        Ok(dt) if v.parse::<Timestamp>().is_err() => dt
            .to_zoned(s.tz.clone())
            .map_or_else(|_| v.to_owned(), |z| z.timestamp().to_string()),
        _ => v.to_owned(),
    }
}

pub(crate) fn zone_name(s: &AppState) -> String {
    s.tz.iana_name().unwrap_or("UTC").to_owned()
}

/// Why a submitted form was not accepted, shown on its page again (templates/failure.html):
/// a refusal with its rule and what is missing, bad input naming the field; with the status the
/// page answers.
pub(crate) struct FormFailure {
    pub status: StatusCode,
    pub refusal: Option<vigilo_registry::Refusal>,
    pub error: Option<String>,
}

impl FormFailure {
    pub(crate) fn none() -> FormFailure {
        FormFailure {
            status: StatusCode::OK,
            refusal: None,
            error: None,
        }
    }

    pub(crate) fn of(e: WebError) -> FormFailure {
        let status = e.status();
        match e {
            WebError::Store(vigilo_store::Error::Refused(r)) => FormFailure {
                status,
                refusal: Some(r),
                error: None,
            },
            e => FormFailure {
                status,
                refusal: None,
                error: Some(e.to_string()),
            },
        }
    }

    /// The page, answering with the failure's status.
    pub(crate) fn answer(&self, t: &impl Template) -> Response {
        let mut r = page(t);
        *r.status_mut() = self.status;
        r
    }
}

/// After a form's write: on to `next` when it was done; refused or bad input, the form's page
/// `again` with why; anything else, an error page.
pub(crate) async fn after_form<T>(
    done: Result<T, WebError>,
    next: impl FnOnce(T) -> String,
    again: impl AsyncFnOnce(FormFailure) -> Result<Response, WebError>,
) -> Result<Response, PageError> {
    match done {
        Ok(v) => Ok(Redirect::to(&next(v)).into_response()),
        Err(e @ WebError::Store(_)) => Ok(again(FormFailure::of(e)).await?),
        Err(e) => Err(e.into()),
    }
}

// ---- sign-in ---------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "login.html")]
struct SignIn {
    csrf: String,
    next: String,
    account: String,
    error: Option<String>,
}

#[derive(Deserialize)]
struct Next {
    next: Option<String>,
}

/// Only local paths: a sign-in link must not send people to another site.
fn safe_next(next: Option<String>) -> String {
    next.filter(|n| n.starts_with('/') && !n.starts_with("//"))
        .unwrap_or_else(|| "/".into())
}

fn sign_in_page(
    state: &AppState,
    next: String,
    account: String,
    error: Option<String>,
    status: axum::http::StatusCode,
) -> Response {
    let csrf = auth::random_secret();
    let cookie = auth::set_cookie(state, SIGN_IN_COOKIE, &csrf, 3600);
    let body = render(&SignIn {
        csrf,
        next,
        account,
        error,
    });
    (
        status,
        [(SET_COOKIE, cookie), (CACHE_CONTROL, "no-store".into())],
        Html(body),
    )
        .into_response()
}

async fn sign_in_form(State(s): State<AppState>, Query(q): Query<Next>) -> Response {
    sign_in_page(
        &s,
        safe_next(q.next),
        String::new(),
        None,
        axum::http::StatusCode::OK,
    )
}

#[derive(Deserialize)]
struct SignInForm {
    account: String,
    password: String,
    csrf: String,
    next: Option<String>,
}

async fn sign_in(
    State(s): State<AppState>,
    parts: Parts,
    Form(f): Form<SignInForm>,
) -> Result<Response, PageError> {
    let next = safe_next(f.next);
    if !auth::cookie(&parts, SIGN_IN_COOKIE).is_some_and(|c| auth::same_secret(c, &f.csrf)) {
        return Err(WebError::Forbidden(
            "the sign-in form expired: reload the page and try again".into(),
        )
        .into());
    }
    let now = (s.clock)();
    let account = f.account.trim().to_owned();
    let window_start = now - s.config.throttle_window;
    if s.store
        .sign_in_failures_since(&account, window_start)
        .await?
        >= s.config.throttle_failures
    {
        return Err(WebError::Throttled {
            minutes: s.config.throttle_window.as_mins(),
        }
        .into());
    }
    let credential = s.store.credential(&account).await?;
    let ok = credential.is_some_and(|c| auth::verify_password(&f.password, &c.password_hash));
    if !ok {
        s.store.record_sign_in_failure(&account, now).await?;
        return Ok(sign_in_page(
            &s,
            next,
            account,
            Some("Unknown account or wrong password.".into()),
            axum::http::StatusCode::UNAUTHORIZED,
        ));
    }
    s.store.clear_sign_in_failures(&account).await?;
    let secret = auth::random_secret();
    s.store
        .create_session(
            &auth::secret_hash(&secret),
            &account,
            &auth::random_secret(),
            now,
        )
        .await?;
    let session = auth::set_cookie(&s, SESSION_COOKIE, &secret, s.config.session_max.as_secs());
    let clear = auth::set_cookie(&s, SIGN_IN_COOKIE, "", 0);
    let mut response = Redirect::to(&next).into_response();
    response
        .headers_mut()
        .append(SET_COOKIE, session.parse().expect("cookie is ASCII"));
    response
        .headers_mut()
        .append(SET_COOKIE, clear.parse().expect("cookie is ASCII"));
    Ok(response)
}

#[derive(Deserialize)]
struct CsrfForm {
    csrf: Option<String>,
}

async fn sign_out(
    p: Principal,
    State(s): State<AppState>,
    Form(f): Form<CsrfForm>,
) -> Result<Response, PageError> {
    p.check_csrf(f.csrf.as_deref())?;
    if let Via::Session { token_hash, .. } = &p.via {
        s.store.end_session(token_hash).await?;
    }
    Ok((
        [(SET_COOKIE, auth::set_cookie(&s, SESSION_COOKIE, "", 0))],
        Redirect::to("/login"),
    )
        .into_response())
}

// ---- home ------------------------------------------------------------------------------------

/// One thing that needs the person's attention, with where to act on it.
struct Todo {
    text: String,
    href: String,
}

#[derive(Template)]
#[template(path = "home.html")]
struct Home {
    bar: Bar,
    today: String,
    todos: Vec<Todo>,
    /// The first few overdue tickets: id, overdue by, device, summary.
    overdue_tickets: Vec<(i64, String, String, String)>,
    devices: usize,
    countries: Vec<(String, usize)>,
}

async fn home(p: Principal, State(s): State<AppState>) -> Result<Response, PageError> {
    let visible = find_devices(
        &s,
        &p,
        &DeviceQuery {
            q: None,
            product: None,
            country: None,
        },
    )
    .await?;
    let mut by_country: BTreeMap<String, usize> = BTreeMap::new();
    for d in &visible {
        *by_country.entry(d.device.country.to_string()).or_default() += 1;
    }
    let mut todos = Vec::new();
    let procedures = s.store.procedures(p.today).await?;
    let trainings = s.store.trainings(None).await?;
    if p.has(Role::Quality) || p.has(Role::Admin) {
        let drafts = procedures
            .iter()
            .filter(|v| v.status == ProcedureStatus::Draft)
            .count();
        if drafts > 0 {
            todos.push(Todo {
                text: format!("{drafts} procedure versions are drafts awaiting approval"),
                href: "/procedures".into(),
            });
        }
        let quarantined = s
            .store
            .lots()
            .await?
            .into_iter()
            .filter(|l| l.status == LotStatus::Quarantined)
            .count();
        if quarantined > 0 {
            todos.push(Todo {
                text: format!("{quarantined} part lots are quarantined pending a decision"),
                href: "/lots".into(),
            });
        }
        let failed = trainings
            .iter()
            .filter(|t| t.result == CheckResult::Fail)
            .count();
        if failed > 0 {
            todos.push(Todo {
                text: format!("{failed} competence checks failed: plan retraining"),
                href: "/trainings".into(),
            });
        }
    }
    if p.has(Role::Technician) {
        for v in procedures.iter().filter(|v| {
            matches!(
                v.status,
                ProcedureStatus::Effective | ProcedureStatus::Scheduled
            )
        }) {
            let trained = trainings.iter().any(|t| {
                t.person == p.actor.person.id
                    && t.procedure_id == v.version.procedure_id
                    && t.procedure_version == v.version.version
                    && t.result == CheckResult::Pass
            });
            if !trained {
                todos.push(Todo {
                    text: format!(
                        "You hold no passed competence check for {} version {} ({}){}",
                        v.version.procedure_id,
                        v.version.version,
                        v.version.title,
                        v.version
                            .effective_on
                            .map_or(String::new(), |d| format!(", effective {d}"))
                    ),
                    href: "/trainings".into(),
                });
            }
        }
    }
    let mut overdue_tickets = Vec::new();
    if [Role::Triager, Role::Quality, Role::Admin]
        .iter()
        .any(|r| p.has(*r))
    {
        let queue = s.store.tickets(&p.scope, (s.clock)(), false).await?;
        let overdue: Vec<_> = queue
            .iter()
            .filter(|v| v.state == vigilo_service::triage::TriageState::Overdue)
            .collect();
        if !overdue.is_empty() {
            todos.push(Todo {
                text: format!("{} tickets are overdue for triage", overdue.len()),
                href: "/tickets".into(),
            });
        }
        let open = queue
            .iter()
            .filter(|v| v.state == vigilo_service::triage::TriageState::Open)
            .count();
        if open > 0 {
            todos.push(Todo {
                text: format!("{open} tickets are waiting for triage within their period"),
                href: "/tickets".into(),
            });
        }
        overdue_tickets = overdue
            .iter()
            .take(5)
            .map(|v| {
                (
                    v.ticket.id,
                    v.triage_minutes_left.map_or(String::new(), |m| {
                        vigilo_service::triage::format_left(jiff::SignedDuration::from_mins(m))
                    }),
                    v.serial.clone().unwrap_or_else(|| {
                        format!(
                            "device unidentified ({})",
                            v.ticket.device_hint.clone().unwrap_or_default()
                        )
                    }),
                    v.ticket.summary.clone(),
                )
            })
            .collect();
    }
    if [Role::Technician, Role::Quality, Role::Admin]
        .iter()
        .any(|r| p.has(*r))
    {
        // A link, not a count: the due list joins every device with its last service of each
        // type (3.4 s for 100,000 devices), too much for a page everyone opens first.
        todos.push(Todo {
            text: "See which devices are due or overdue for maintenance".into(),
            href: "/maintenance".into(),
        });
    }
    if p.has(Role::Auditor) {
        todos.push(Todo {
            text: "Check the audit chain end to end".into(),
            href: "/audit".into(),
        });
    }
    Ok(page(&Home {
        bar: Bar::of(&p),
        today: p.today.to_string(),
        todos,
        overdue_tickets,
        devices: visible.len(),
        countries: by_country.into_iter().collect(),
    }))
}

// ---- devices ---------------------------------------------------------------------------------

struct DeviceLine {
    id: i64,
    serial: String,
    product: String,
    country: String,
    status: String,
    software: String,
    customer: String,
}

#[derive(Template)]
#[template(path = "devices.html")]
struct Devices {
    bar: Bar,
    q: String,
    country: String,
    lines: Vec<DeviceLine>,
    total: usize,
}

const DEVICE_PAGE_ROWS: usize = 200;

async fn devices(
    p: Principal,
    State(s): State<AppState>,
    Query(q): Query<DeviceQuery>,
) -> Result<Response, PageError> {
    let found = find_devices(&s, &p, &q).await?;
    // One exact hit for a scanned UDI or serial: go straight to the device.
    if found.len() == 1 && q.q.as_deref().is_some_and(|x| !x.trim().is_empty()) {
        return Ok(Redirect::to(&format!("/devices/{}", found[0].device.id)).into_response());
    }
    let total = found.len();
    let lines = found
        .into_iter()
        .take(DEVICE_PAGE_ROWS)
        .map(|d| DeviceLine {
            id: d.device.id,
            serial: d.device.serial,
            product: d.device.product,
            country: d.device.country.to_string(),
            status: d.device.status.to_string(),
            software: d.software.unwrap_or_default(),
            customer: d.device.customer.unwrap_or_default(),
        })
        .collect();
    Ok(page(&Devices {
        bar: Bar::of(&p),
        q: q.q.unwrap_or_default(),
        country: q.country.unwrap_or_default(),
        lines,
        total,
    }))
}

struct HistoryLine {
    when: String,
    who: String,
    what: String,
}

struct TrainingLine {
    person: String,
    procedure: String,
    date: String,
    check: String,
    result: String,
}

#[derive(Template)]
#[template(path = "device.html")]
struct DevicePage {
    bar: Bar,
    d: vigilo_registry::Device,
    software: String,
    software_history: Vec<(String, String)>,
    history: Vec<HistoryLine>,
    trainings: Vec<TrainingLine>,
    service: Vec<ServiceLine>,
    serial_query: String,
}

/// One service event of the device's backward trace.
struct ServiceLine {
    id: i64,
    event_type: String,
    performed: String,
    technician: String,
    procedure: String,
    parts: String,
    outcome: String,
    ticket: Option<i64>,
}

async fn device(
    p: Principal,
    State(s): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let d = visible_device(&s, &p, id).await?;
    // The record's trail: its own audit events and those of its software history.
    let mut events = s
        .store
        .audit_events(&AuditFilter {
            table: Some("devices".into()),
            key: Some(id.to_string()),
            ..Default::default()
        })
        .await?;
    let software_keys: Vec<String> = d
        .software_history
        .iter()
        .map(|h| h.id.to_string())
        .collect();
    if !software_keys.is_empty() {
        let filter = AuditFilter {
            table: Some("device_software".into()),
            keys: software_keys,
            ..Default::default()
        };
        events.extend(s.store.audit_events(&filter).await?);
    }
    events.sort_by_key(|e| e.seq);
    let trainings = s
        .store
        .trainings(None)
        .await?
        .into_iter()
        .filter(|t| events.iter().any(|e| e.actor == t.person))
        .map(|t| TrainingLine {
            person: t.person,
            procedure: format!("{} v{}", t.procedure_id, t.procedure_version),
            date: t.trained_on.to_string(),
            check: t.check_kind.to_string(),
            result: t.result.to_string(),
        })
        .collect();
    let history = events
        .iter()
        .map(|e| HistoryLine {
            when: Timestamp::from_microsecond(e.at)
                .map_or_else(|_| e.at.to_string(), |t| local(&s, t)),
            who: e.actor.clone(),
            what: match (&e.table[..], &e.after) {
                ("device_software", Some(a)) => format!(
                    "software {} installed",
                    a["version"].as_str().unwrap_or("?")
                ),
                _ => e.action.clone(),
            },
        })
        .collect();
    let service = s
        .store
        .trace_device(&d.device)
        .await?
        .events
        .into_iter()
        .map(|e| ServiceLine {
            id: e.id,
            event_type: e.event_type,
            performed: local(&s, e.performed_at),
            technician: e.technician,
            procedure: format!("{} v{}", e.procedure, e.procedure_version),
            parts: e
                .parts
                .iter()
                .map(|p| format!("{}:{}×{}", p.part, p.lot, p.qty))
                .collect::<Vec<_>>()
                .join(" "),
            outcome: e.outcome.to_string(),
            ticket: e.ticket,
        })
        .collect();
    Ok(page(&DevicePage {
        bar: Bar::of(&p),
        service,
        serial_query: url_encode(&d.device.serial),
        software: d.software.clone().unwrap_or_default(),
        software_history: d
            .software_history
            .iter()
            .map(|h| (local(&s, h.installed_at), h.version.clone()))
            .collect(),
        d: d.device,
        history,
        trainings,
    }))
}

// ---- registry pages --------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "table.html")]
struct TablePage {
    bar: Bar,
    title: String,
    intro: String,
    headers: Vec<&'static str>,
    rows: Vec<Vec<String>>,
}

fn table_page(
    p: &Principal,
    title: &str,
    intro: &str,
    headers: Vec<&'static str>,
    rows: Vec<Vec<String>>,
) -> Response {
    page(&TablePage {
        bar: Bar::of(p),
        title: title.into(),
        intro: intro.into(),
        headers,
        rows,
    })
}

fn sees_org(p: &Principal, org: &str) -> bool {
    matches!(p.scope, DeviceScope::All) || p.actor.person.org == org
}

async fn products(p: Principal, State(s): State<AppState>) -> Result<Response, PageError> {
    let rows = s
        .store
        .products()
        .await?
        .into_iter()
        .map(|x| {
            let schedule: Vec<String> = x
                .schedule
                .iter()
                .map(|(k, v)| format!("{k} every {v}"))
                .collect();
            vec![
                x.id,
                x.name,
                x.eu_class.to_string(),
                x.udi_di.unwrap_or_default(),
                x.markets.join(", "),
                schedule.join("; "),
            ]
        })
        .collect();
    Ok(table_page(
        &p,
        "Products",
        "Device models with their IFU maintenance schedule.",
        vec![
            "id",
            "name",
            "EU class",
            "UDI-DI",
            "markets",
            "maintenance schedule",
        ],
        rows,
    ))
}

async fn organisations(p: Principal, State(s): State<AppState>) -> Result<Response, PageError> {
    let rows = s
        .store
        .orgs()
        .await?
        .into_iter()
        .filter(|o| sees_org(&p, &o.org.id))
        .map(|o| {
            let agreements: Vec<String> = o
                .agreements
                .iter()
                .map(|a| {
                    let cs: Vec<String> = a.countries.iter().map(ToString::to_string).collect();
                    format!(
                        "{} {} to {} ({})",
                        a.reference,
                        a.valid_from,
                        a.valid_to,
                        cs.join(", ")
                    )
                })
                .collect();
            vec![
                o.org.id,
                o.org.name,
                o.org.kind.to_string(),
                agreements.join("; "),
            ]
        })
        .collect();
    Ok(table_page(
        &p,
        "Organisations",
        "The manufacturer, its affiliates and service partners with their quality agreements.",
        vec!["id", "name", "kind", "quality agreements"],
        rows,
    ))
}

async fn people(p: Principal, State(s): State<AppState>) -> Result<Response, PageError> {
    let rows = s
        .store
        .persons()
        .await?
        .into_iter()
        .filter(|x| sees_org(&p, &x.org))
        .map(|x| {
            let roles: Vec<&str> = x.roles.iter().map(Role::as_str).collect();
            vec![x.id, x.name, x.org, roles.join(", ")]
        })
        .collect();
    Ok(table_page(
        &p,
        "People",
        "Everyone who acts in Vigilo, with their roles.",
        vec!["id", "name", "organisation", "roles"],
        rows,
    ))
}

async fn procedures(p: Principal, State(s): State<AppState>) -> Result<Response, PageError> {
    let rows = s
        .store
        .procedures(p.today)
        .await?
        .into_iter()
        .map(|v| {
            vec![
                v.version.procedure_id,
                v.version.version,
                v.status.to_string(),
                v.version
                    .effective_on
                    .map_or_else(String::new, |d| d.to_string()),
                v.version.governs.join(", "),
                v.version.title,
            ]
        })
        .collect();
    Ok(table_page(
        &p,
        "Procedures",
        "Controlled procedures: a later effective version supersedes the earlier one from its effective date.",
        vec![
            "procedure",
            "version",
            "status",
            "effective",
            "governs",
            "title",
        ],
        rows,
    ))
}

async fn trainings(p: Principal, State(s): State<AppState>) -> Result<Response, PageError> {
    let people = s.store.persons().await?;
    let rows = s
        .store
        .trainings(None)
        .await?
        .into_iter()
        .filter(|t| {
            people
                .iter()
                .any(|x| x.id == t.person && sees_org(&p, &x.org))
        })
        .map(|t| {
            vec![
                t.person,
                format!("{} v{}", t.procedure_id, t.procedure_version),
                t.trained_on.to_string(),
                t.trainer,
                t.check_kind.to_string(),
                t.result.to_string(),
            ]
        })
        .collect();
    Ok(table_page(
        &p,
        "Training records",
        "Training on procedure versions with the competence check and its result (ISO 13485 6.2).",
        vec!["person", "procedure", "date", "trainer", "check", "result"],
        rows,
    ))
}

#[derive(Template)]
#[template(path = "lots.html")]
struct Lots {
    bar: Bar,
    lots: Vec<vigilo_registry::PartLot>,
    may_change: bool,
    statuses: Vec<&'static str>,
}

fn may_change_lots(p: &Principal) -> bool {
    p.has(Role::Admin) || p.has(Role::Quality)
}

async fn lots(p: Principal, State(s): State<AppState>) -> Result<Response, PageError> {
    Ok(page(&Lots {
        may_change: may_change_lots(&p),
        bar: Bar::of(&p),
        lots: s.store.lots().await?,
        statuses: LotStatus::WORDS.iter().map(|(w, _)| *w).collect(),
    }))
}

#[derive(Deserialize)]
struct LotStatusForm {
    csrf: Option<String>,
    status: String,
}

async fn lot_status(
    p: Principal,
    State(s): State<AppState>,
    Path(id): Path<i64>,
    Form(f): Form<LotStatusForm>,
) -> Result<Response, PageError> {
    p.check_csrf(f.csrf.as_deref())?;
    change_lot_status(&s, &p, id, &f.status).await?;
    Ok(Redirect::to("/lots").into_response())
}

#[derive(Template)]
#[template(path = "audit.html")]
struct Audit {
    bar: Bar,
    intact: bool,
    summary: String,
    recent: Vec<HistoryLine>,
}

async fn audit(p: Principal, State(s): State<AppState>) -> Result<Response, PageError> {
    if !may_audit(&p) {
        return Err(WebError::Forbidden(
            "only admin, quality or auditor may verify the audit chain".into(),
        )
        .into());
    }
    let (intact, summary) = match s.store.verify().await? {
        Ok(v) => (
            true,
            format!(
                "Intact: {} events checked, {} records match the chain. Head {}.",
                v.events, v.records, v.head
            ),
        ),
        Err(b) => (false, format!("Broken: {b}")),
    };
    let recent = s
        .store
        .audit_events(&AuditFilter {
            limit: Some(30),
            ..Default::default()
        })
        .await?
        .into_iter()
        .rev()
        .map(|e| HistoryLine {
            when: Timestamp::from_microsecond(e.at)
                .map_or_else(|_| e.at.to_string(), |t| local(&s, t)),
            who: e.actor,
            what: format!("{} {}/{}", e.action, e.table, e.key),
        })
        .collect();
    Ok(page(&Audit {
        bar: Bar::of(&p),
        intact,
        summary,
        recent,
    }))
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub title: String,
    pub message: String,
}
