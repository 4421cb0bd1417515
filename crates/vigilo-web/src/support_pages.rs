//! The service and support pages: the intake queue and new-ticket form, the ticket page with
//! its triage, complaint, flag and close forms, the service form, lot traces, maintenance due,
//! the 90-day service list and the training matrix. Authorised exactly like the API they mirror
//! (crate::support).

use crate::AppState;
use crate::auth::Principal;
use crate::error::{PageError, WebError};
use crate::pages::{
    Bar, FormFailure, after_form, instant_text, local, local_input, page, zone_name,
};
use crate::support::{
    self, AsOfQuery, DueQuery, close_as, complaint_as, flag_as, link_device_as, lot_trace_for,
    open_ticket_as, record_service_as, triage_as, visible_ticket,
};
use crate::vigilance::download;
use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use vigilo_registry::{Action, DeviceScope, Role};
use vigilo_service::maintenance::DueStatus;
use vigilo_service::triage::{TriageState, format_left};
use vigilo_service::{Attachment, Channel, Correction, Reportability, ServiceOutcome, TicketClass};
use vigilo_store::requests::{
    ComplaintRequest, FlagRequest, ServiceRequest, TicketDeviceRequest, TicketRequest,
    TriageRequest,
};
use vigilo_store::tickets::TicketView;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/tickets", get(queue).post(new_ticket))
        .route("/tickets/{id}", get(ticket))
        .route("/tickets/{id}/attachments/{number}", get(attachment))
        .route("/tickets/{id}/triage", post(triage))
        .route("/tickets/{id}/device", post(link_device))
        .route("/tickets/{id}/complaint", post(complaint))
        .route("/tickets/{id}/flag-serious", post(flag))
        .route("/tickets/{id}/close", post(close))
        .route("/service", get(recent))
        .route("/service/new", get(service_form).post(service_submit))
        .route("/lots/{id}/trace", get(lot_trace))
        .route("/maintenance", get(maintenance))
        .route("/training/matrix", get(matrix))
}

fn device_text(v: &TicketView) -> String {
    match (&v.serial, &v.ticket.device_hint) {
        (Some(s), _) => s.clone(),
        (None, Some(h)) => format!("device unidentified ({h})"),
        (None, None) => "device unidentified".to_owned(),
    }
}

fn timer(v: &TicketView) -> String {
    v.triage_minutes_left.map_or("-".to_owned(), |m| {
        format_left(jiff::SignedDuration::from_mins(m))
    })
}

// ---- intake queue ----------------------------------------------------------------------------

struct QueueLine {
    id: i64,
    timer: String,
    overdue: bool,
    state: &'static str,
    class: String,
    device: String,
    device_id: Option<i64>,
    channel: String,
    received: String,
    case: Option<i64>,
    summary: String,
}

#[derive(Default, Deserialize)]
struct TicketForm {
    csrf: Option<String>,
    #[serde(default)]
    channel: String,
    #[serde(default)]
    serial: String,
    #[serde(default)]
    received_at: String,
    #[serde(default)]
    summary: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    reporter: String,
}

#[derive(Template)]
#[template(path = "tickets.html")]
struct Queue {
    bar: Bar,
    zone: String,
    all: bool,
    open: usize,
    overdue: usize,
    tickets: Vec<QueueLine>,
    may_open: bool,
    channels: Vec<&'static str>,
    form: TicketForm,
    form_error: Option<String>,
    notice: Option<String>,
}

#[derive(Deserialize)]
struct QueueQuery {
    all: Option<bool>,
    opened: Option<i64>,
}

async fn queue_page(
    s: &AppState,
    p: &Principal,
    all: bool,
    form: TicketForm,
    form_error: Option<String>,
    notice: Option<String>,
) -> Result<Response, WebError> {
    let now = (s.clock)();
    let views = s.store.tickets(&p.scope, now, all).await?;
    let tickets: Vec<QueueLine> = views
        .iter()
        .map(|v| QueueLine {
            id: v.ticket.id,
            timer: timer(v),
            overdue: v.state == TriageState::Overdue,
            state: v.state.as_str(),
            class: v
                .ticket
                .classification
                .map_or("-".to_owned(), |c| c.to_string()),
            device: device_text(v),
            device_id: v.ticket.device,
            channel: v.ticket.channel.to_string(),
            received: local(s, v.ticket.received_at),
            case: v.vigilance_case,
            summary: v.ticket.summary.clone(),
        })
        .collect();
    Ok(page(&Queue {
        bar: Bar::of(p),
        zone: zone_name(s),
        all,
        open: views
            .iter()
            .filter(|v| matches!(v.state, TriageState::Overdue | TriageState::Open))
            .count(),
        overdue: tickets.iter().filter(|t| t.overdue).count(),
        tickets,
        may_open: p.may(Action::OpenTicket),
        channels: Channel::contact_words(),
        form,
        form_error,
        notice,
    }))
}

async fn queue(
    p: Principal,
    State(s): State<AppState>,
    Query(q): Query<QueueQuery>,
) -> Result<Response, PageError> {
    let form = TicketForm {
        channel: "phone".into(),
        received_at: local_input(&s, (s.clock)()),
        ..TicketForm::default()
    };
    let notice = q.opened.map(|id| format!("Ticket {id} opened."));
    Ok(queue_page(&s, &p, q.all.unwrap_or(false), form, None, notice).await?)
}

async fn new_ticket(
    p: Principal,
    State(s): State<AppState>,
    Form(f): Form<TicketForm>,
) -> Result<Response, PageError> {
    p.check_csrf(f.csrf.as_deref())?;
    let opt = |v: &str| Some(v.to_owned()).filter(|v| !v.trim().is_empty());
    let request = TicketRequest {
        serial: opt(&f.serial),
        udi: None,
        product: None,
        channel: f.channel.clone(),
        received_at: opt(&instant_text(&s, &f.received_at)),
        summary: f.summary.clone(),
        description: opt(&f.description),
        reporter: opt(&f.reporter),
    };
    match open_ticket_as(&s, &p, &request).await {
        Ok(v) => Ok(Redirect::to(&format!("/tickets?opened={}", v.ticket.id)).into_response()),
        Err(e @ WebError::Store(_)) => {
            let status = e.status();
            let mut r = queue_page(&s, &p, false, f, Some(e.to_string()), None).await?;
            *r.status_mut() = status;
            Ok(r)
        }
        Err(e) => Err(e.into()),
    }
}

// ---- ticket page -----------------------------------------------------------------------------

struct EventLine {
    id: i64,
    event_type: String,
    performed: String,
    technician: String,
    procedure: String,
    parts: String,
    outcome: String,
}

#[derive(Template)]
#[template(path = "ticket.html")]
struct TicketPage {
    bar: Bar,
    zone: String,
    now_local: String,
    id: i64,
    summary: String,
    state: &'static str,
    overdue: bool,
    is_closed: bool,
    timer: String,
    triage_due: String,
    class: String,
    triage_reason: String,
    device: String,
    device_id: Option<i64>,
    device_serial: String,
    channel: String,
    received: String,
    reporter: String,
    opened_by: String,
    source: String,
    case: String,
    closed: String,
    description: String,
    attachments: Vec<Attachment>,
    may_triage: bool,
    may_complaint: bool,
    may_flag: bool,
    may_close: bool,
    classes: Vec<&'static str>,
    reportabilities: Vec<&'static str>,
    corrections: Vec<&'static str>,
    has_complaint: bool,
    c_investigation: String,
    c_reportability: String,
    c_correction: String,
    c_capa: String,
    missing: Vec<&'static str>,
    events: Vec<EventLine>,
}

fn parts_text(parts: &[vigilo_store::service::PartRef]) -> String {
    parts
        .iter()
        .map(|p| format!("{}:{}×{}", p.part, p.lot, p.qty))
        .collect::<Vec<_>>()
        .join(" ")
}

/// An attachment's bytes, to whoever may see its ticket.
async fn attachment(
    p: Principal,
    State(s): State<AppState>,
    Path((id, number)): Path<(i64, usize)>,
) -> Result<Response, PageError> {
    let detail = visible_ticket(&s, &p, id).await?;
    let (a, content) = s.store.attachment_of(&detail.view.ticket, number).await?;
    Ok(download(&a.content_type, &a.name, content))
}

async fn ticket(
    p: Principal,
    State(s): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let d = visible_ticket(&s, &p, id).await?;
    let v = &d.view;
    let t = &v.ticket;
    let mut events = Vec::new();
    if let Some(device_id) = t.device
        && !d.service_events.is_empty()
        && let Some(device) = s.store.device_by_id(device_id).await?
    {
        for e in s.store.trace_device(&device).await?.events {
            if d.service_events.contains(&e.id) {
                events.push(EventLine {
                    id: e.id,
                    event_type: e.event_type,
                    performed: local(&s, e.performed_at),
                    technician: e.technician,
                    procedure: format!("{} v{}", e.procedure, e.procedure_version),
                    parts: parts_text(&e.parts),
                    outcome: e.outcome.to_string(),
                });
            }
        }
    }
    let either = |a: &Option<String>| a.clone().unwrap_or_default();
    let c = d.complaint.as_ref();
    let decision = |value: Option<String>, why: Option<String>| match (value, why) {
        (Some(v), Some(w)) => format!("{v}: {w}"),
        (Some(v), None) => v,
        _ => String::new(),
    };
    Ok(page(&TicketPage {
        bar: Bar::of(&p),
        zone: zone_name(&s),
        now_local: local_input(&s, (s.clock)()),
        id,
        summary: t.summary.clone(),
        state: v.state.as_str(),
        overdue: v.state == TriageState::Overdue,
        is_closed: t.closed_at.is_some(),
        timer: timer(v),
        triage_due: local(&s, t.triage_due),
        class: t.classification.map_or(String::new(), |c| c.to_string()),
        triage_reason: match (&t.triage_reason, &t.triaged_by, t.triaged_at) {
            (Some(r), Some(by), Some(at)) => format!("{r} ({by}, {})", local(&s, at)),
            _ => String::new(),
        },
        device: device_text(v),
        device_id: t.device,
        device_serial: crate::pages::url_encode(&v.serial.clone().unwrap_or_default()),
        channel: t.channel.to_string(),
        received: local(&s, t.received_at),
        reporter: either(&t.reporter),
        opened_by: t.opened_by.clone(),
        source: either(&t.source_ref),
        case: v
            .vigilance_case
            .map_or(String::new(), |c| format!("vigilance case {c}")),
        closed: match (&t.closed_by, t.closed_at) {
            (Some(by), Some(at)) => format!("{} by {by}", local(&s, at)),
            _ => String::new(),
        },
        description: either(&t.description),
        attachments: t.attachments.clone(),
        may_triage: p.may(Action::TriageTicket),
        may_complaint: p.may(Action::RecordComplaint),
        may_flag: p.may(Action::FlagSerious),
        may_close: p.may(Action::CloseTicket),
        classes: TicketClass::WORDS.iter().map(|(w, _)| *w).collect(),
        reportabilities: Reportability::WORDS.iter().map(|(w, _)| *w).collect(),
        corrections: Correction::WORDS.iter().map(|(w, _)| *w).collect(),
        has_complaint: c.is_some(),
        c_investigation: c.and_then(|c| c.investigation.clone()).unwrap_or_default(),
        c_reportability: decision(
            c.and_then(|c| c.reportability.map(|r| r.to_string())),
            c.and_then(|c| c.reportability_rationale.clone()),
        ),
        c_correction: decision(
            c.and_then(|c| c.correction.map(|r| r.to_string())),
            c.and_then(|c| c.correction_rationale.clone()),
        ),
        c_capa: c.and_then(|c| c.capa_ref.clone()).unwrap_or_default(),
        missing: d.missing_for_closure.clone(),
        events,
    }))
}

fn back_to(id: i64) -> Response {
    Redirect::to(&format!("/tickets/{id}")).into_response()
}

#[derive(Deserialize)]
struct TriageForm {
    csrf: Option<String>,
    class: String,
    reason: String,
}

async fn triage(
    p: Principal,
    State(s): State<AppState>,
    Path(id): Path<i64>,
    Form(f): Form<TriageForm>,
) -> Result<Response, PageError> {
    p.check_csrf(f.csrf.as_deref())?;
    let r = TriageRequest {
        class: f.class,
        reason: f.reason,
    };
    triage_as(&s, &p, id, &r).await?;
    Ok(back_to(id))
}

#[derive(Deserialize)]
struct DeviceForm {
    csrf: Option<String>,
    serial: String,
}

async fn link_device(
    p: Principal,
    State(s): State<AppState>,
    Path(id): Path<i64>,
    Form(f): Form<DeviceForm>,
) -> Result<Response, PageError> {
    p.check_csrf(f.csrf.as_deref())?;
    let r = TicketDeviceRequest {
        serial: Some(f.serial),
        udi: None,
        product: None,
    };
    link_device_as(&s, &p, id, &r).await?;
    Ok(back_to(id))
}

#[derive(Deserialize)]
struct ComplaintForm {
    csrf: Option<String>,
    investigation: Option<String>,
    reportability: Option<String>,
    reportability_rationale: Option<String>,
    correction: Option<String>,
    correction_rationale: Option<String>,
    capa: Option<String>,
}

async fn complaint(
    p: Principal,
    State(s): State<AppState>,
    Path(id): Path<i64>,
    Form(f): Form<ComplaintForm>,
) -> Result<Response, PageError> {
    p.check_csrf(f.csrf.as_deref())?;
    let r = ComplaintRequest {
        investigation: f.investigation,
        reportability: f.reportability,
        reportability_rationale: f.reportability_rationale,
        correction: f.correction,
        correction_rationale: f.correction_rationale,
        capa: f.capa,
    };
    complaint_as(&s, &p, id, &r).await?;
    Ok(back_to(id))
}

#[derive(Deserialize)]
struct FlagForm {
    csrf: Option<String>,
    aware_at: Option<String>,
}

async fn flag(
    p: Principal,
    State(s): State<AppState>,
    Path(id): Path<i64>,
    Form(f): Form<FlagForm>,
) -> Result<Response, PageError> {
    p.check_csrf(f.csrf.as_deref())?;
    let r = FlagRequest {
        aware_at: f.aware_at.map(|a| instant_text(&s, &a)),
    };
    flag_as(&s, &p, id, &r).await?;
    Ok(back_to(id))
}

#[derive(Deserialize)]
struct CsrfOnly {
    csrf: Option<String>,
}

async fn close(
    p: Principal,
    State(s): State<AppState>,
    Path(id): Path<i64>,
    Form(f): Form<CsrfOnly>,
) -> Result<Response, PageError> {
    p.check_csrf(f.csrf.as_deref())?;
    close_as(&s, &p, id).await?;
    Ok(back_to(id))
}

// ---- service form ----------------------------------------------------------------------------

#[derive(Default, Deserialize)]
struct ServiceForm {
    csrf: Option<String>,
    #[serde(default)]
    serial: String,
    #[serde(default, rename = "type")]
    event_type: String,
    #[serde(default)]
    technician: String,
    #[serde(default)]
    performed_at: String,
    #[serde(default)]
    part0: String,
    #[serde(default)]
    part1: String,
    #[serde(default)]
    part2: String,
    #[serde(default)]
    part3: String,
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    findings: String,
    #[serde(default)]
    ticket: String,
}

/// What the form shows again.
struct ServiceValues {
    serial: String,
    event_type: String,
    technician: String,
    performed_at: String,
    parts: Vec<String>,
    outcome: String,
    findings: String,
    ticket: String,
}

#[derive(Template)]
#[template(path = "service_form.html")]
struct ServicePage {
    bar: Bar,
    zone: String,
    form: ServiceValues,
    types: Vec<(String, String)>,
    technicians: Vec<(String, String)>,
    outcomes: Vec<&'static str>,
    failure: FormFailure,
}

async fn service_page(
    s: &AppState,
    p: &Principal,
    form: ServiceValues,
    failure: FormFailure,
) -> Result<Response, WebError> {
    let types = s
        .store
        .event_types()
        .await?
        .into_iter()
        .map(|t| (t.id, t.name))
        .collect();
    let mut technicians: Vec<(String, String)> = s
        .store
        .persons()
        .await?
        .into_iter()
        .filter(|x| x.roles.contains(&Role::Technician))
        .filter(|x| matches!(p.scope, DeviceScope::All) || x.org == p.actor.person.org)
        .map(|x| (x.id, x.name))
        .collect();
    technicians.sort_by_key(|(id, _)| *id != p.actor.person.id);
    let page = ServicePage {
        bar: Bar::of(p),
        zone: zone_name(s),
        form,
        types,
        technicians,
        outcomes: ServiceOutcome::WORDS.iter().map(|(w, _)| *w).collect(),
        failure,
    };
    Ok(page.failure.answer(&page))
}

#[derive(Deserialize)]
struct ServiceQuery {
    serial: Option<String>,
    ticket: Option<String>,
}

async fn service_form(
    p: Principal,
    State(s): State<AppState>,
    Query(q): Query<ServiceQuery>,
) -> Result<Response, PageError> {
    let form = ServiceValues {
        serial: q.serial.unwrap_or_default(),
        event_type: String::new(),
        technician: p.actor.person.id.clone(),
        performed_at: local_input(&s, (s.clock)()),
        parts: vec![String::new(); 4],
        outcome: "pass".into(),
        findings: String::new(),
        ticket: q.ticket.unwrap_or_default(),
    };
    Ok(service_page(&s, &p, form, FormFailure::none()).await?)
}

async fn service_submit(
    p: Principal,
    State(s): State<AppState>,
    Form(f): Form<ServiceForm>,
) -> Result<Response, PageError> {
    p.check_csrf(f.csrf.as_deref())?;
    let opt = |v: &str| Some(v.to_owned()).filter(|v| !v.trim().is_empty());
    let parts = vec![f.part0, f.part1, f.part2, f.part3];
    let request = ServiceRequest {
        serial: opt(&f.serial),
        udi: None,
        product: None,
        event_type: f.event_type.clone(),
        technician: f.technician.clone(),
        performed_at: instant_text(&s, &f.performed_at),
        parts: parts.clone(),
        outcome: f.outcome.clone(),
        ticket: opt(&f.ticket),
        software_after: None,
        findings: opt(&f.findings),
    };
    let done = record_service_as(&s, &p, &request).await;
    let ticket = f.ticket.trim().parse::<i64>().ok();
    let next = |record: vigilo_store::service::ServiceRecord| match ticket {
        Some(t) => format!("/tickets/{t}"),
        None => format!("/devices/{}", record.event.device),
    };
    let values = ServiceValues {
        serial: f.serial,
        event_type: f.event_type,
        technician: f.technician,
        performed_at: f.performed_at,
        parts,
        outcome: f.outcome,
        findings: f.findings,
        ticket: f.ticket,
    };
    after_form(done, next, async |failure| {
        service_page(&s, &p, values, failure).await
    })
    .await
}

// ---- reading pages ---------------------------------------------------------------------------

struct TraceLine {
    device_id: i64,
    serial: String,
    country: String,
    event: i64,
    event_type: String,
    performed: String,
    technician: String,
    qty: i64,
}

#[derive(Template)]
#[template(path = "lot_trace.html")]
struct LotTracePage {
    bar: Bar,
    t: vigilo_store::service::LotTrace,
    rows: Vec<TraceLine>,
}

async fn lot_trace(
    p: Principal,
    State(s): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let lot = s
        .store
        .lot_by_id(id)
        .await?
        .ok_or_else(|| WebError::NotFound(format!("no lot {id}")))?;
    let trace = lot_trace_for(&s, &p, &lot).await?;
    let mut rows = Vec::with_capacity(trace.devices.len());
    for d in &trace.devices {
        rows.push(TraceLine {
            device_id: d.device,
            serial: d.serial.clone(),
            country: d.country.clone(),
            event: d.event,
            event_type: d.event_type.clone(),
            performed: local(&s, d.performed_at),
            technician: d.technician.clone(),
            qty: d.qty,
        });
    }
    Ok(page(&LotTracePage {
        bar: Bar::of(&p),
        t: trace,
        rows,
    }))
}

struct DueLine {
    overdue: bool,
    status: &'static str,
    due: String,
    serial: String,
    product: String,
    country: String,
    event_type: String,
    interval: String,
    last_done: String,
    customer: String,
}

#[derive(Template)]
#[template(path = "maintenance.html")]
struct MaintenancePage {
    bar: Bar,
    as_of: String,
    within: i64,
    overdue: usize,
    rows: Vec<DueLine>,
}

async fn maintenance(
    p: Principal,
    State(s): State<AppState>,
    Query(q): Query<DueQuery>,
) -> Result<Response, PageError> {
    let list = support::due_for(&s, &p, &q).await?;
    let rows = list
        .due
        .into_iter()
        .map(|d| DueLine {
            overdue: d.status == DueStatus::Overdue,
            status: match d.status {
                DueStatus::Overdue => "overdue",
                DueStatus::Due => "due",
            },
            due: d
                .due_on
                .map_or("now (no baseline)".into(), |x| x.to_string()),
            serial: d.serial,
            product: d.product,
            country: d.country.to_string(),
            event_type: d.event_type,
            interval: d.interval,
            last_done: d.last_done.map_or(String::new(), |x| x.to_string()),
            customer: d.customer.unwrap_or_default(),
        })
        .collect();
    Ok(page(&MaintenancePage {
        bar: Bar::of(&p),
        as_of: list.as_of.to_string(),
        within: list.within_days,
        overdue: list.overdue,
        rows,
    }))
}

#[derive(Template)]
#[template(path = "table.html")]
struct TablePage {
    bar: Bar,
    title: String,
    intro: String,
    headers: Vec<&'static str>,
    rows: Vec<Vec<String>>,
}

#[derive(Deserialize)]
struct DaysQuery {
    days: Option<i64>,
}

/// A page shows the newest events; a fleet's 90 days can hold tens of thousands.
const PAGE_ROWS: i64 = 500;

async fn recent(
    p: Principal,
    State(s): State<AppState>,
    Query(q): Query<DaysQuery>,
) -> Result<Response, PageError> {
    let days = q.days.unwrap_or(90);
    let list = support::recent_for(&s, &p, days, Some(PAGE_ROWS)).await?;
    let shown = list.events.len();
    let total = list.total;
    let rows = list
        .events
        .into_iter()
        .map(|e| {
            vec![
                e.id.to_string(),
                local(&s, e.performed_at),
                e.serial,
                e.country,
                e.event_type,
                e.technician,
                parts_text(&e.parts),
                e.outcome.to_string(),
            ]
        })
        .collect();
    Ok(page(&TablePage {
        bar: Bar::of(&p),
        title: format!("Service in the last {days} days"),
        intro: format!(
            "Service events on devices you may see, newest first: {shown} of {total}. The full list is at /api/service-events?days={days}. Record one with the service form (/service/new)."
        ),
        headers: vec![
            "event",
            "performed",
            "serial",
            "country",
            "type",
            "technician",
            "parts",
            "outcome",
        ],
        rows,
    }))
}

async fn matrix(
    p: Principal,
    State(s): State<AppState>,
    Query(q): Query<AsOfQuery>,
) -> Result<Response, PageError> {
    let m = support::matrix_for(&s, &p, q.as_of.as_deref()).await?;
    let rows = m
        .matrix
        .into_iter()
        .map(|e| {
            vec![
                format!("{} ({})", e.name, e.person),
                e.org,
                e.event_type,
                if e.authorised { "yes" } else { "no" }.to_owned(),
                match (&e.procedure, &e.procedure_version) {
                    (Some(p), Some(v)) => format!("{p} v{v}"),
                    _ => String::new(),
                },
                e.until.map_or(String::new(), |d| d.to_string()),
                e.countries.as_ref().map_or("all".to_owned(), |cs| {
                    cs.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(", ")
                }),
                e.missing.unwrap_or_default(),
            ]
        })
        .collect();
    Ok(page(&TablePage {
        bar: Bar::of(&p),
        title: format!("Training matrix, {}", m.as_of),
        intro: "Who may record which service event type, on which procedure version, until when (ISO 13485 6.2).".into(),
        headers: vec![
            "person",
            "organisation",
            "event type",
            "authorised",
            "procedure",
            "until",
            "countries",
            "missing",
        ],
        rows,
    }))
}
