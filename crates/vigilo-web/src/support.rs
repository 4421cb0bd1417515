//! The service and support API (SPEC §3.1, §3.2): tickets and their triage, the complaint
//! record and the serious-incident flag; service events, traces, maintenance due and the
//! training matrix. The same rules as the rest of the API: every signed-in role reads within its
//! scope (partners: devices in their agreement's countries), writes go through the store's
//! operations, which check roles and refuse with the rule and what is missing.

use crate::AppState;
use crate::api::{ApiResult, Created, ErrorBody, csrf};
use crate::auth::Principal;
use crate::error::WebError;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};
use vigilo_registry::{Country, Device, DeviceScope, Invalid};
use vigilo_service::maintenance::DueStatus;
use vigilo_service::triage::TriageState;
use vigilo_service::{Complaint, VigilanceCase};
use vigilo_store::requests::{
    ComplaintRequest, DeviceNamed, FlagRequest, ServiceRequest, Spelling, TicketDeviceRequest,
    TicketRequest, TriageRequest,
};
use vigilo_store::service::{
    DeviceTrace, LotTrace, MaintenanceDue, MatrixEntry, RecentService, ServiceRecord,
};
use vigilo_store::tickets::{Lookup, TicketDetail, TicketView};

#[derive(OpenApi)]
#[openapi(
    paths(
        list_tickets,
        open_ticket,
        ticket,
        triage,
        complaint,
        close,
        flag_serious,
        link_device,
        record_service,
        recent_service,
        trace_lot,
        trace_device,
        maintenance_due,
        training_matrix
    ),
    components(schemas(
        TicketQueue,
        TicketView,
        TicketFull,
        Complaint,
        VigilanceCase,
        Flagged,
        TriageState,
        TicketRequest,
        TriageRequest,
        ComplaintRequest,
        FlagRequest,
        TicketDeviceRequest,
        ServiceRequest,
        ServiceRecord,
        RecentList,
        RecentService,
        LotTrace,
        DeviceTrace,
        MaintenanceList,
        MaintenanceDue,
        Matrix,
        MatrixEntry
    ))
)]
pub struct SupportDoc;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/tickets", get(list_tickets).post(open_ticket))
        .route("/api/tickets/{id}", get(ticket))
        .route("/api/tickets/{id}/triage", post(triage))
        .route("/api/tickets/{id}/complaint", post(complaint))
        .route("/api/tickets/{id}/close", post(close))
        .route("/api/tickets/{id}/flag-serious", post(flag_serious))
        .route("/api/tickets/{id}/device", post(link_device))
        .route(
            "/api/service-events",
            get(recent_service).post(record_service),
        )
        .route("/api/trace/lot/{lot}", get(trace_lot))
        .route("/api/trace/device/{serial}", get(trace_device))
        .route("/api/maintenance/due", get(maintenance_due))
        .route("/api/training-matrix", get(training_matrix))
}

/// The year that reads a UDI's two-digit years.
pub fn reference_year(s: &AppState) -> i16 {
    (s.clock)().to_zoned(s.tz.clone()).year()
}

fn outside(what: String, country: Country) -> WebError {
    WebError::Forbidden(format!(
        "{what} is in {country}, outside the countries of your quality agreement"
    ))
}

// ---- shared with the pages -------------------------------------------------------------------

/// A ticket the caller may see: one about a device outside a partner's countries is refused
/// naming the country; an unidentified one is for the manufacturer's staff only.
pub async fn visible_ticket(
    s: &AppState,
    p: &Principal,
    id: i64,
) -> Result<TicketDetail, WebError> {
    // The detail's first read is the ticket's, so its bad input is a missing ticket.
    let detail = match s.store.ticket_detail(id, (s.clock)()).await {
        Err(vigilo_store::Error::Invalid(_)) => {
            return Err(WebError::NotFound(format!("no ticket {id}")));
        }
        detail => detail?,
    };
    match (&p.scope, detail.view.country) {
        (DeviceScope::All, _) => Ok(detail),
        (scope, Some(c)) if scope.allows(c) => Ok(detail),
        (_, Some(c)) => Err(outside(
            format!(
                "ticket {id} is about device {}, which",
                detail.view.serial.clone().unwrap_or_default()
            ),
            c,
        )),
        (_, None) => Err(WebError::Forbidden(format!(
            "ticket {id} names no identified device: only the manufacturer's staff see it"
        ))),
    }
}

/// The device a request names, or bad input saying why not.
pub async fn named_device(s: &AppState, d: &DeviceNamed) -> Result<Device, WebError> {
    Ok(s.store
        .find_device(&d.field, &d.value, d.product.as_deref(), reference_year(s))
        .await?)
}

pub async fn open_ticket_as(
    s: &AppState,
    p: &Principal,
    r: &TicketRequest,
) -> Result<TicketView, WebError> {
    let now = (s.clock)();
    let input = r.parse(Spelling::Json, now)?;
    if input.received_at > now {
        return Err(Invalid::new(
            "received_at",
            format!("{} is in the future (now is {now})", input.received_at),
        )
        .into());
    }
    let d = &input.device;
    let device = match s
        .store
        .lookup_device(&d.field, &d.value, d.product.as_deref(), reference_year(s))
        .await?
    {
        Lookup::One(device) => Some(device),
        Lookup::Nothing | Lookup::Several(_) => None,
    };
    let new = input.ticket(device);
    Ok(s.store.open_ticket(&p.actor, new, now).await?)
}

pub async fn triage_as(
    s: &AppState,
    p: &Principal,
    id: i64,
    r: &TriageRequest,
) -> Result<TicketView, WebError> {
    let (class, reason) = r.parse(Spelling::Json)?;
    visible_ticket(s, p, id).await?;
    Ok(s.store
        .triage_ticket(&p.actor, id, class, reason, (s.clock)())
        .await?)
}

pub async fn complaint_as(
    s: &AppState,
    p: &Principal,
    id: i64,
    r: &ComplaintRequest,
) -> Result<TicketDetail, WebError> {
    let update = r.parse(Spelling::Json)?;
    visible_ticket(s, p, id).await?;
    Ok(s.store
        .update_complaint(&p.actor, id, update, (s.clock)())
        .await?)
}

pub async fn close_as(s: &AppState, p: &Principal, id: i64) -> Result<TicketView, WebError> {
    visible_ticket(s, p, id).await?;
    Ok(s.store.close_ticket(&p.actor, id, (s.clock)()).await?)
}

pub async fn flag_as(
    s: &AppState,
    p: &Principal,
    id: i64,
    r: &FlagRequest,
) -> Result<(VigilanceCase, bool), WebError> {
    let now = (s.clock)();
    let aware_at = r.parse(Spelling::Json, now)?;
    if aware_at > now {
        return Err(Invalid::new(
            "aware_at",
            format!("{aware_at} is in the future (now is {now})"),
        )
        .into());
    }
    visible_ticket(s, p, id).await?;
    Ok(s.store.flag_serious(&p.actor, id, aware_at, now).await?)
}

pub async fn link_device_as(
    s: &AppState,
    p: &Principal,
    id: i64,
    r: &TicketDeviceRequest,
) -> Result<TicketView, WebError> {
    let named = r.parse(Spelling::Json)?;
    visible_ticket(s, p, id).await?;
    let device = named_device(s, &named).await?;
    if !p.may_see(&device) {
        return Err(outside(format!("device {}", device.serial), device.country));
    }
    Ok(s.store
        .set_ticket_device(&p.actor, id, &device, (s.clock)())
        .await?)
}

pub async fn record_service_as(
    s: &AppState,
    p: &Principal,
    r: &ServiceRequest,
) -> Result<ServiceRecord, WebError> {
    let now = (s.clock)();
    let input = r.parse(Spelling::Json)?;
    if input.performed_at > now {
        return Err(Invalid::new(
            "performed_at",
            format!("{} is in the future (now is {now})", input.performed_at),
        )
        .into());
    }
    let device = named_device(s, &input.device).await?;
    Ok(s.store
        .record_service(&p.actor, input.event(device), now)
        .await?)
}

/// A lot's forward trace, limited to the devices the caller may see.
pub async fn lot_trace_for(
    s: &AppState,
    p: &Principal,
    lot: &vigilo_registry::PartLot,
) -> Result<LotTrace, WebError> {
    let mut trace = s.store.trace_lot(lot).await?;
    if let DeviceScope::Countries(_) = p.scope {
        trace
            .devices
            .retain(|d| Country::parse("country", &d.country).is_ok_and(|c| p.scope.allows(c)));
    }
    Ok(trace)
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DueQuery {
    /// The day to list as of (default today in the organisation's time zone).
    pub as_of: Option<String>,
    /// Also list what falls due within this many days (default 30).
    pub within: Option<String>,
    pub product: Option<String>,
}

pub async fn due_for(
    s: &AppState,
    p: &Principal,
    q: &DueQuery,
) -> Result<MaintenanceList, WebError> {
    let as_of = match q.as_of.as_deref().map(str::trim).filter(|x| !x.is_empty()) {
        Some(d) => vigilo_registry::input::date("as_of", d)?,
        None => p.today,
    };
    let within = match q.within.as_deref().map(str::trim).filter(|x| !x.is_empty()) {
        Some(w) => vigilo_registry::input::count("within", w, 0)?,
        None => 30,
    };
    if within > 3650 {
        return Err(Invalid::new("within", "expected a number of days from 0 to 3650").into());
    }
    let product = q.product.as_deref().filter(|x| !x.is_empty());
    let due = s
        .store
        .maintenance_due(as_of, within as i32, product, &p.scope)
        .await?;
    Ok(MaintenanceList {
        as_of,
        within_days: within,
        overdue: due
            .iter()
            .filter(|d| d.status == DueStatus::Overdue)
            .count(),
        due,
    })
}

// ---- tickets ---------------------------------------------------------------------------------

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TicketsQuery {
    /// Include closed tickets.
    pub all: Option<bool>,
}

#[derive(Serialize, ToSchema)]
pub struct TicketQueue {
    pub as_of: Timestamp,
    /// Tickets past their triage due instant.
    pub overdue: usize,
    /// Open tickets first in queue order (overdue on top).
    pub tickets: Vec<TicketView>,
}

/// The intake queue the caller may see.
#[utoipa::path(get, path = "/api/tickets", params(TicketsQuery), responses((status = 200, body = TicketQueue)))]
async fn list_tickets(
    p: Principal,
    State(s): State<AppState>,
    Query(q): Query<TicketsQuery>,
) -> ApiResult<TicketQueue> {
    let as_of = (s.clock)();
    let tickets = s
        .store
        .tickets(&p.scope, as_of, q.all.unwrap_or(false))
        .await?;
    Ok(Json(TicketQueue {
        as_of,
        overdue: tickets
            .iter()
            .filter(|t| t.state == TriageState::Overdue)
            .count(),
        tickets,
    }))
}

/// Records an inbound contact. A serial or UDI that names no device is kept as the hint of a
/// "device unidentified" ticket.
#[utoipa::path(post, path = "/api/tickets", request_body = TicketRequest,
    responses((status = 201, body = TicketView), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn open_ticket(
    p: Principal,
    State(s): State<AppState>,
    headers: HeaderMap,
    Json(r): Json<TicketRequest>,
) -> Created<TicketView> {
    csrf(&p, &headers)?;
    Ok((StatusCode::CREATED, Json(open_ticket_as(&s, &p, &r).await?)))
}

#[derive(Serialize, ToSchema)]
pub struct TicketFull {
    #[serde(flatten)]
    pub view: TicketView,
    pub complaint: Option<Complaint>,
    /// What the complaint record still lacks before the ticket may be closed.
    pub missing_for_closure: Vec<String>,
    pub service_events: Vec<i64>,
}

impl From<TicketDetail> for TicketFull {
    fn from(d: TicketDetail) -> Self {
        TicketFull {
            view: d.view,
            complaint: d.complaint,
            missing_for_closure: d
                .missing_for_closure
                .into_iter()
                .map(str::to_owned)
                .collect(),
            service_events: d.service_events,
        }
    }
}

#[utoipa::path(get, path = "/api/tickets/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = TicketFull), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn ticket(
    p: Principal,
    State(s): State<AppState>,
    Path(id): Path<i64>,
) -> ApiResult<TicketFull> {
    Ok(Json(visible_ticket(&s, &p, id).await?.into()))
}

/// Classifies a ticket (complaint, service or information) with the reason.
#[utoipa::path(post, path = "/api/tickets/{id}/triage", params(("id" = i64, Path)), request_body = TriageRequest,
    responses((status = 200, body = TicketView), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn triage(
    p: Principal,
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Json(r): Json<TriageRequest>,
) -> ApiResult<TicketView> {
    csrf(&p, &headers)?;
    Ok(Json(triage_as(&s, &p, id, &r).await?))
}

/// Records the complaint's investigation and decisions (ISO 13485 8.2.2).
#[utoipa::path(post, path = "/api/tickets/{id}/complaint", params(("id" = i64, Path)), request_body = ComplaintRequest,
    responses((status = 200, body = TicketFull), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn complaint(
    p: Principal,
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Json(r): Json<ComplaintRequest>,
) -> ApiResult<TicketFull> {
    csrf(&p, &headers)?;
    Ok(Json(complaint_as(&s, &p, id, &r).await?.into()))
}

/// Closes a triaged ticket; a complaint only with its record complete.
#[utoipa::path(post, path = "/api/tickets/{id}/close", params(("id" = i64, Path)),
    responses((status = 200, body = TicketView), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn close(
    p: Principal,
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> ApiResult<TicketView> {
    csrf(&p, &headers)?;
    Ok(Json(close_as(&s, &p, id).await?))
}

#[derive(Serialize, ToSchema)]
pub struct Flagged {
    /// The vigilance case's id.
    pub id: i64,
    pub case: VigilanceCase,
    /// False when the ticket had its case already.
    pub opened: bool,
}

/// Flags a suspected serious incident: opens the ticket's vigilance case (201), or returns the
/// case it has (200).
#[utoipa::path(post, path = "/api/tickets/{id}/flag-serious", params(("id" = i64, Path)), request_body = FlagRequest,
    responses((status = 201, body = Flagged), (status = 200, body = Flagged), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn flag_serious(
    p: Principal,
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Json(r): Json<FlagRequest>,
) -> Created<Flagged> {
    csrf(&p, &headers)?;
    let (case, opened) = flag_as(&s, &p, id, &r).await?;
    let status = if opened {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        Json(Flagged {
            id: case.id,
            case,
            opened,
        }),
    ))
}

/// Links an unidentified ticket to its device.
#[utoipa::path(post, path = "/api/tickets/{id}/device", params(("id" = i64, Path)), request_body = TicketDeviceRequest,
    responses((status = 200, body = TicketView), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn link_device(
    p: Principal,
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Json(r): Json<TicketDeviceRequest>,
) -> ApiResult<TicketView> {
    csrf(&p, &headers)?;
    Ok(Json(link_device_as(&s, &p, id, &r).await?))
}

// ---- service ---------------------------------------------------------------------------------

/// Records a service event: refused (403, naming what is missing) unless the technician was
/// authorised at its instant and its lots may be issued.
#[utoipa::path(post, path = "/api/service-events", request_body = ServiceRequest,
    responses((status = 201, body = ServiceRecord), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn record_service(
    p: Principal,
    State(s): State<AppState>,
    headers: HeaderMap,
    Json(r): Json<ServiceRequest>,
) -> Created<ServiceRecord> {
    csrf(&p, &headers)?;
    Ok((
        StatusCode::CREATED,
        Json(record_service_as(&s, &p, &r).await?),
    ))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RecentQuery {
    /// How many days back (default 90).
    pub days: Option<i64>,
    /// At most this many events, newest first (default all).
    pub limit: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct RecentList {
    pub since: Timestamp,
    pub as_of: Timestamp,
    /// Events in the period, of which `events` holds the newest up to the limit.
    pub total: i64,
    pub events: Vec<RecentService>,
}

pub async fn recent_for(
    s: &AppState,
    p: &Principal,
    days: i64,
    limit: Option<i64>,
) -> Result<RecentList, WebError> {
    if !(0..=3650).contains(&days) {
        return Err(Invalid::new("days", "expected a number of days from 0 to 3650").into());
    }
    let as_of = (s.clock)();
    let since = as_of
        .checked_sub(SignedDuration::from_hours(24 * days))
        .unwrap_or(Timestamp::MIN);
    let (events, total) = s.store.recent_service(since, &p.scope, limit).await?;
    Ok(RecentList {
        since,
        as_of,
        total,
        events,
    })
}

/// Service events of the last `days` days on devices the caller may see, newest first.
#[utoipa::path(get, path = "/api/service-events", params(RecentQuery),
    responses((status = 200, body = RecentList), (status = 422, body = ErrorBody)))]
async fn recent_service(
    p: Principal,
    State(s): State<AppState>,
    Query(q): Query<RecentQuery>,
) -> ApiResult<RecentList> {
    Ok(Json(
        recent_for(&s, &p, q.days.unwrap_or(90), q.limit).await?,
    ))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LotQuery {
    /// The part number, when the lot number exists for several parts.
    pub part: Option<String>,
}

/// Forward trace: every device (that the caller may see) which received parts of this lot.
#[utoipa::path(get, path = "/api/trace/lot/{lot}", params(("lot" = String, Path), LotQuery),
    responses((status = 200, body = LotTrace), (status = 422, body = ErrorBody)))]
async fn trace_lot(
    p: Principal,
    State(s): State<AppState>,
    Path(lot): Path<String>,
    Query(q): Query<LotQuery>,
) -> ApiResult<LotTrace> {
    let part = q.part.as_deref().filter(|x| !x.is_empty());
    let lot = s.store.resolve_lot(&lot, part).await?;
    Ok(Json(lot_trace_for(&s, &p, &lot).await?))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProductQuery {
    /// The product, when the serial exists under several.
    pub product: Option<String>,
}

/// Backward trace: every event, lot, technician and procedure version of a device.
#[utoipa::path(get, path = "/api/trace/device/{serial}", params(("serial" = String, Path), ProductQuery),
    responses((status = 200, body = DeviceTrace), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn trace_device(
    p: Principal,
    State(s): State<AppState>,
    Path(serial): Path<String>,
    Query(q): Query<ProductQuery>,
) -> ApiResult<DeviceTrace> {
    let device = named_device(
        &s,
        &DeviceNamed {
            field: "serial".into(),
            value: serial,
            product: q.product.filter(|x| !x.is_empty()),
        },
    )
    .await?;
    if !p.may_see(&device) {
        return Err(outside(format!("device {}", device.serial), device.country).into());
    }
    Ok(Json(s.store.trace_device(&device).await?))
}

#[derive(Serialize, ToSchema)]
pub struct MaintenanceList {
    pub as_of: Date,
    pub within_days: i64,
    pub overdue: usize,
    /// Overdue first, then by due date.
    pub due: Vec<MaintenanceDue>,
}

/// Devices the caller may see that are due or overdue for an event of their IFU schedule.
#[utoipa::path(get, path = "/api/maintenance/due", params(DueQuery),
    responses((status = 200, body = MaintenanceList), (status = 422, body = ErrorBody)))]
async fn maintenance_due(
    p: Principal,
    State(s): State<AppState>,
    Query(q): Query<DueQuery>,
) -> ApiResult<MaintenanceList> {
    Ok(Json(due_for(&s, &p, &q).await?))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AsOfQuery {
    /// A date (default today in the organisation's time zone).
    pub as_of: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct Matrix {
    pub as_of: Date,
    pub matrix: Vec<MatrixEntry>,
}

pub async fn matrix_for(
    s: &AppState,
    p: &Principal,
    as_of: Option<&str>,
) -> Result<Matrix, WebError> {
    let day = match as_of.map(str::trim).filter(|x| !x.is_empty()) {
        Some(d) => vigilo_registry::input::date("as_of", d)?,
        None => p.today,
    };
    let mut matrix = s.store.training_matrix(day).await?;
    if let DeviceScope::Countries(_) = p.scope {
        matrix.retain(|m| m.org == p.actor.person.org);
    }
    Ok(Matrix { as_of: day, matrix })
}

/// Who may do which service event type on a day (partners: their own organisation's people).
#[utoipa::path(get, path = "/api/training-matrix", params(AsOfQuery),
    responses((status = 200, body = Matrix), (status = 422, body = ErrorBody)))]
async fn training_matrix(
    p: Principal,
    State(s): State<AppState>,
    Query(q): Query<AsOfQuery>,
) -> ApiResult<Matrix> {
    Ok(Json(matrix_for(&s, &p, q.as_of.as_deref()).await?))
}
