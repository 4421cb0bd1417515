//! The JSON API. Reads are open to every signed-in role within its scope (partners: their
//! countries and their own organisation; auditors: everything, read-only); writes go through
//! the store's operations, which check the roles of SPEC §1.

use crate::AppState;
use crate::auth::{CSRF_HEADER, Principal};
use crate::error::{ApiError, WebError};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};
use vigilo_registry::{
    Country, Device, DeviceScope, EventType, LotStatus, Organisation, PartLot, Person, Product,
    QualityAgreement, Role, SoftwareVersion, TrainingRecord,
};
use vigilo_store::registry::{DeviceDetail, DeviceView, ProcedureView};
use vigilo_store::requests::{
    AgreementRequest, DeviceRequest, EventTypeRequest, LotRequest, OrgRequest, PersonRequest,
    ProcedureRequest, ProductRequest, SoftwareRequest, Spelling, TrainingRequest,
};

pub(crate) type ApiResult<T> = Result<Json<T>, ApiError>;

#[derive(OpenApi)]
#[openapi(
    info(title = "Vigilo API", description = "Post-market surveillance, vigilance and service operations. \
        Authenticate with `Authorization: Bearer <token>` (issued with `vigilo token issue`) or a browser \
        session; a session-authenticated write must repeat the session's CSRF token in `X-CSRF-Token`."),
    paths(me, organisations, organisation, add_org, persons, person, add_person, products, product, add_product,
          event_types, add_event_type, software_versions, add_software_version, devices, device, add_device,
          procedures, add_procedure, trainings, add_training, lots, add_lot, set_lot_status, audit_verify),
    components(schemas(Me, OrgDetail, Organisation, QualityAgreement, Person, Product, ProductDetail,
        EventType, SoftwareVersion, Device, DeviceRow, DeviceFull, ProcedureRow, TrainingRecord, PartLot,
        LotStatusBody, Verification, ErrorBody, Role, DeviceScope, OrgRequest, AgreementRequest, PersonRequest,
        ProductRequest, EventTypeRequest, SoftwareRequest, DeviceRequest, ProcedureRequest, TrainingRequest, LotRequest)),
    security(("bearer" = [])),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        openapi
            .components
            .get_or_insert_with(Default::default)
            .add_security_scheme(
                "bearer",
                SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
            );
    }
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/openapi.json",
            get(|| async {
                let mut doc = ApiDoc::openapi();
                doc.merge(crate::support::SupportDoc::openapi());
                doc.merge(crate::vigilance::VigilanceDoc::openapi());
                doc.merge(crate::pms::PmsDoc::openapi());
                doc.merge(crate::security::SecurityDoc::openapi());
                Json(doc)
            }),
        )
        .route("/api/me", get(me))
        .route("/api/organisations", get(organisations).post(add_org))
        .route("/api/organisations/{id}", get(organisation))
        .route("/api/persons", get(persons).post(add_person))
        .route("/api/persons/{id}", get(person))
        .route("/api/products", get(products).post(add_product))
        .route("/api/products/{id}", get(product))
        .route("/api/event-types", get(event_types).post(add_event_type))
        .route(
            "/api/software-versions",
            get(software_versions).post(add_software_version),
        )
        .route("/api/devices", get(devices).post(add_device))
        .route("/api/devices/{id}", get(device))
        .route("/api/procedures", get(procedures).post(add_procedure))
        .route("/api/trainings", get(trainings).post(add_training))
        .route("/api/lots", get(lots).post(add_lot))
        .route("/api/lots/{id}/status", post(set_lot_status))
        .route("/api/audit/verify", get(audit_verify))
}

#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    error: String,
    /// The input at fault, for bad input.
    field: Option<String>,
    /// The rule that refused the request (403 by a rule).
    rule: Option<String>,
    /// What is missing for the rule to allow it: a competence, an agreement, a released lot…
    missing: Option<String>,
}

#[derive(Serialize, ToSchema)]
struct Me {
    person: Person,
    scope: DeviceScope,
    today: jiff::civil::Date,
}

/// The signed-in person, their roles and which devices they may see.
#[utoipa::path(get, path = "/api/me", responses((status = 200, body = Me), (status = 401, body = ErrorBody)))]
async fn me(p: Principal) -> ApiResult<Me> {
    Ok(Json(Me {
        person: p.actor.person,
        scope: p.scope,
        today: p.today,
    }))
}

/// Partners see their own organisation only.
fn sees_org(p: &Principal, org: &str) -> bool {
    matches!(p.scope, DeviceScope::All) || p.actor.person.org == org
}

#[derive(Serialize, ToSchema)]
struct OrgDetail {
    #[serde(flatten)]
    organisation: Organisation,
    agreements: Vec<QualityAgreement>,
}

#[utoipa::path(get, path = "/api/organisations", responses((status = 200, body = [OrgDetail])))]
async fn organisations(p: Principal, State(s): State<AppState>) -> ApiResult<Vec<OrgDetail>> {
    let orgs = s.store.orgs().await?;
    Ok(Json(
        orgs.into_iter()
            .filter(|o| sees_org(&p, &o.org.id))
            .map(|o| OrgDetail {
                organisation: o.org,
                agreements: o.agreements,
            })
            .collect(),
    ))
}

#[utoipa::path(get, path = "/api/organisations/{id}", params(("id" = String, Path)),
    responses((status = 200, body = OrgDetail), (status = 404, body = ErrorBody)))]
async fn organisation(
    p: Principal,
    State(s): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<OrgDetail> {
    if !sees_org(&p, &id) {
        return Err(WebError::NotFound(format!("no organisation {id:?}")).into());
    }
    let o = s
        .store
        .org(&id)
        .await
        .map_err(|_| WebError::NotFound(format!("no organisation {id:?}")))?;
    Ok(Json(OrgDetail {
        organisation: o.org,
        agreements: o.agreements,
    }))
}

#[utoipa::path(get, path = "/api/persons", responses((status = 200, body = [Person])))]
async fn persons(p: Principal, State(s): State<AppState>) -> ApiResult<Vec<Person>> {
    let people = s.store.persons().await?;
    Ok(Json(
        people
            .into_iter()
            .filter(|x| sees_org(&p, &x.org))
            .collect(),
    ))
}

#[utoipa::path(get, path = "/api/persons/{id}", params(("id" = String, Path)),
    responses((status = 200, body = Person), (status = 404, body = ErrorBody)))]
async fn person(
    p: Principal,
    State(s): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Person> {
    match s.store.person(&id).await {
        Ok(x) if sees_org(&p, &x.org) => Ok(Json(x)),
        _ => Err(WebError::NotFound(format!("no person {id:?}")).into()),
    }
}

#[utoipa::path(get, path = "/api/products", responses((status = 200, body = [Product])))]
async fn products(_: Principal, State(s): State<AppState>) -> ApiResult<Vec<Product>> {
    Ok(Json(s.store.products().await?))
}

#[derive(Serialize, ToSchema)]
struct ProductDetail {
    #[serde(flatten)]
    product: Product,
    software_versions: Vec<SoftwareVersion>,
    /// Devices of this product the caller may see.
    devices: i64,
}

#[utoipa::path(get, path = "/api/products/{id}", params(("id" = String, Path)),
    responses((status = 200, body = ProductDetail), (status = 404, body = ErrorBody)))]
async fn product(
    p: Principal,
    State(s): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<ProductDetail> {
    let v = s
        .store
        .product(&id)
        .await
        .map_err(|_| WebError::NotFound(format!("no product {id:?}")))?;
    let devices = match &p.scope {
        DeviceScope::All => v.devices,
        DeviceScope::Countries(_) => {
            let all = s.store.devices(Some(&id), None).await?;
            all.iter().filter(|d| p.may_see(&d.device)).count() as i64
        }
    };
    Ok(Json(ProductDetail {
        product: v.product,
        software_versions: v.software_versions,
        devices,
    }))
}

#[utoipa::path(get, path = "/api/event-types", responses((status = 200, body = [EventType])))]
async fn event_types(_: Principal, State(s): State<AppState>) -> ApiResult<Vec<EventType>> {
    Ok(Json(s.store.event_types().await?))
}

#[utoipa::path(get, path = "/api/software-versions", responses((status = 200, body = [SoftwareVersion])))]
async fn software_versions(
    _: Principal,
    State(s): State<AppState>,
) -> ApiResult<Vec<SoftwareVersion>> {
    Ok(Json(s.store.software_versions(None).await?))
}

#[derive(Serialize, ToSchema)]
struct DeviceRow {
    #[serde(flatten)]
    device: Device,
    software: Option<String>,
}

impl From<DeviceView> for DeviceRow {
    fn from(v: DeviceView) -> Self {
        DeviceRow {
            device: v.device,
            software: v.software,
        }
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeviceQuery {
    /// A serial number or a scanned GS1 UDI.
    pub q: Option<String>,
    pub product: Option<String>,
    /// ISO 3166-1 alpha-2.
    pub country: Option<String>,
}

/// Devices the caller may see, optionally searched by serial or UDI.
pub async fn find_devices(
    s: &AppState,
    p: &Principal,
    q: &DeviceQuery,
) -> Result<Vec<DeviceView>, WebError> {
    let country = match q.country.as_deref().filter(|c| !c.is_empty()) {
        Some(c) => Some(Country::parse("country", c)?),
        None => None,
    };
    let product = q.product.as_deref().filter(|x| !x.is_empty());
    let mut found = s.store.devices(product, country).await?;
    if let Some(needle) = q.q.as_deref().map(str::trim).filter(|x| !x.is_empty()) {
        let year = (s.clock)().to_zoned(s.tz.clone()).year();
        // A scanned UDI names one serial exactly; typed text matches serials containing it.
        match vigilo_udi::parse(needle, year) {
            Ok(udi) => {
                let serial = udi.serial.unwrap_or_default();
                found.retain(|d| d.device.serial == serial)
            }
            Err(_) => {
                let needle = needle.to_lowercase();
                found.retain(|d| d.device.serial.to_lowercase().contains(&needle))
            }
        }
    }
    found.retain(|d| p.may_see(&d.device));
    Ok(found)
}

#[utoipa::path(get, path = "/api/devices", params(DeviceQuery), responses((status = 200, body = [DeviceRow])))]
async fn devices(
    p: Principal,
    State(s): State<AppState>,
    Query(q): Query<DeviceQuery>,
) -> ApiResult<Vec<DeviceRow>> {
    Ok(Json(
        find_devices(&s, &p, &q)
            .await?
            .into_iter()
            .map(DeviceRow::from)
            .collect(),
    ))
}

/// One device the caller may see: out of scope reads as not found, so partners learn nothing
/// about other countries' fleets.
pub async fn visible_device(
    s: &AppState,
    p: &Principal,
    id: i64,
) -> Result<DeviceDetail, WebError> {
    let not_found = || WebError::NotFound(format!("no device {id} that you may see"));
    let device = s.store.device_by_id(id).await?.ok_or_else(not_found)?;
    if !p.may_see(&device) {
        return Err(WebError::Forbidden(format!(
            "device {} is in {}, outside the countries of your quality agreement",
            device.serial, device.country
        )));
    }
    Ok(s.store.device_detail(device).await?)
}

#[derive(Serialize, ToSchema)]
struct DeviceFull {
    #[serde(flatten)]
    device: Device,
    software: Option<String>,
    software_history: Vec<vigilo_registry::DeviceSoftware>,
}

#[utoipa::path(get, path = "/api/devices/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = DeviceFull), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn device(
    p: Principal,
    State(s): State<AppState>,
    Path(id): Path<i64>,
) -> ApiResult<DeviceFull> {
    let d = visible_device(&s, &p, id).await?;
    Ok(Json(DeviceFull {
        device: d.device,
        software: d.software,
        software_history: d.software_history,
    }))
}

/// A write authenticated by the session cookie repeats the session's CSRF token in a header.
pub(crate) fn csrf(p: &Principal, headers: &HeaderMap) -> Result<(), WebError> {
    p.check_csrf(headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()))
}

pub(crate) fn created<T>(value: T) -> (StatusCode, Json<T>) {
    (StatusCode::CREATED, Json(value))
}

pub(crate) type Created<T> = Result<(StatusCode, Json<T>), ApiError>;

#[utoipa::path(post, path = "/api/devices", request_body = DeviceRequest,
    responses((status = 201, body = DeviceRow), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn add_device(
    p: Principal,
    State(s): State<AppState>,
    headers: HeaderMap,
    Json(r): Json<DeviceRequest>,
) -> Created<DeviceRow> {
    csrf(&p, &headers)?;
    let now = (s.clock)();
    let new = r.parse(Spelling::Json, now.to_zoned(s.tz.clone()).year())?;
    if let Some(country) = new.country.filter(|c| !p.scope.allows(*c)) {
        return Err(WebError::Forbidden(format!(
            "{country} is outside the countries of your quality agreement"
        ))
        .into());
    }
    Ok(created(
        s.store.add_device(&p.actor, new, now).await?.into(),
    ))
}

#[utoipa::path(post, path = "/api/organisations", request_body = OrgRequest,
    responses((status = 201, body = OrgDetail), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn add_org(
    p: Principal,
    State(s): State<AppState>,
    headers: HeaderMap,
    Json(r): Json<OrgRequest>,
) -> Created<OrgDetail> {
    csrf(&p, &headers)?;
    let (id, name, agreement) = r.parse(Spelling::Json)?;
    let v = s
        .store
        .add_org(&p.actor, id, name, agreement, (s.clock)())
        .await?;
    Ok(created(OrgDetail {
        organisation: v.org,
        agreements: v.agreements,
    }))
}

#[utoipa::path(post, path = "/api/persons", request_body = PersonRequest,
    responses((status = 201, body = Person), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn add_person(
    p: Principal,
    State(s): State<AppState>,
    headers: HeaderMap,
    Json(r): Json<PersonRequest>,
) -> Created<Person> {
    csrf(&p, &headers)?;
    let (id, name, org, roles) = r.parse(Spelling::Json)?;
    Ok(created(
        s.store
            .add_person(&p.actor, id, name, &org, roles, (s.clock)())
            .await?,
    ))
}

#[utoipa::path(post, path = "/api/products", request_body = ProductRequest,
    responses((status = 201, body = Product), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn add_product(
    p: Principal,
    State(s): State<AppState>,
    headers: HeaderMap,
    Json(r): Json<ProductRequest>,
) -> Created<Product> {
    csrf(&p, &headers)?;
    Ok(created(
        s.store
            .add_product(&p.actor, r.parse(Spelling::Json)?, (s.clock)())
            .await?,
    ))
}

#[utoipa::path(post, path = "/api/event-types", request_body = EventTypeRequest,
    responses((status = 201, body = EventType), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn add_event_type(
    p: Principal,
    State(s): State<AppState>,
    headers: HeaderMap,
    Json(r): Json<EventTypeRequest>,
) -> Created<EventType> {
    csrf(&p, &headers)?;
    Ok(created(
        s.store
            .add_event_type(&p.actor, r.parse(Spelling::Json)?, (s.clock)())
            .await?,
    ))
}

#[utoipa::path(post, path = "/api/software-versions", request_body = SoftwareRequest,
    responses((status = 201, body = SoftwareVersion), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn add_software_version(
    p: Principal,
    State(s): State<AppState>,
    headers: HeaderMap,
    Json(r): Json<SoftwareRequest>,
) -> Created<SoftwareVersion> {
    csrf(&p, &headers)?;
    let (product, version, released) = r.parse(Spelling::Json)?;
    Ok(created(
        s.store
            .add_software_version(&p.actor, &product, version, released, (s.clock)())
            .await?,
    ))
}

#[utoipa::path(post, path = "/api/procedures", request_body = ProcedureRequest,
    responses((status = 201, body = vigilo_registry::ProcedureVersion), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn add_procedure(
    p: Principal,
    State(s): State<AppState>,
    headers: HeaderMap,
    Json(r): Json<ProcedureRequest>,
) -> Created<vigilo_registry::ProcedureVersion> {
    csrf(&p, &headers)?;
    Ok(created(
        s.store
            .add_procedure_version(&p.actor, r.parse(Spelling::Json)?, (s.clock)())
            .await?,
    ))
}

#[utoipa::path(post, path = "/api/trainings", request_body = TrainingRequest,
    responses((status = 201, body = TrainingRecord), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn add_training(
    p: Principal,
    State(s): State<AppState>,
    headers: HeaderMap,
    Json(r): Json<TrainingRequest>,
) -> Created<TrainingRecord> {
    csrf(&p, &headers)?;
    Ok(created(
        s.store
            .add_training(&p.actor, r.parse(Spelling::Json)?, p.today, (s.clock)())
            .await?,
    ))
}

#[derive(Serialize, ToSchema)]
struct ProcedureRow {
    #[serde(flatten)]
    version: vigilo_registry::ProcedureVersion,
    status: vigilo_registry::procedure::ProcedureStatus,
}

#[utoipa::path(get, path = "/api/procedures", responses((status = 200, body = [ProcedureRow])))]
async fn procedures(p: Principal, State(s): State<AppState>) -> ApiResult<Vec<ProcedureRow>> {
    let all: Vec<ProcedureView> = s.store.procedures(p.today).await?;
    Ok(Json(
        all.into_iter()
            .map(|v| ProcedureRow {
                version: v.version,
                status: v.status,
            })
            .collect(),
    ))
}

#[utoipa::path(get, path = "/api/trainings", responses((status = 200, body = [TrainingRecord])))]
async fn trainings(p: Principal, State(s): State<AppState>) -> ApiResult<Vec<TrainingRecord>> {
    let people = s.store.persons().await?;
    let all = s.store.trainings(None).await?;
    Ok(Json(
        all.into_iter()
            .filter(|t| {
                people
                    .iter()
                    .any(|x| x.id == t.person && sees_org(&p, &x.org))
            })
            .collect(),
    ))
}

#[utoipa::path(get, path = "/api/lots", responses((status = 200, body = [PartLot])))]
async fn lots(_: Principal, State(s): State<AppState>) -> ApiResult<Vec<PartLot>> {
    Ok(Json(s.store.lots().await?))
}

#[utoipa::path(post, path = "/api/lots", request_body = LotRequest,
    responses((status = 201, body = PartLot), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn add_lot(
    p: Principal,
    State(s): State<AppState>,
    headers: HeaderMap,
    Json(r): Json<LotRequest>,
) -> Created<PartLot> {
    csrf(&p, &headers)?;
    Ok(created(
        s.store
            .add_lot(&p.actor, r.parse(Spelling::Json)?, (s.clock)())
            .await?,
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct LotStatusBody {
    /// released, quarantined or recalled.
    pub status: String,
}

/// Changes a lot's status (shared by the API and the lot page's form).
pub async fn change_lot_status(
    s: &AppState,
    p: &Principal,
    id: i64,
    status: &str,
) -> Result<PartLot, WebError> {
    let status = LotStatus::parse("status", status)?;
    let lot = s
        .store
        .lot_by_id(id)
        .await?
        .ok_or_else(|| WebError::NotFound(format!("no lot {id}")))?;
    Ok(s.store
        .set_lot_status(&p.actor, &lot, status, (s.clock)())
        .await?)
}

#[utoipa::path(post, path = "/api/lots/{id}/status", params(("id" = i64, Path)), request_body = LotStatusBody,
    responses((status = 200, body = PartLot), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn set_lot_status(
    p: Principal,
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Json(b): Json<LotStatusBody>,
) -> ApiResult<PartLot> {
    csrf(&p, &headers)?;
    Ok(Json(change_lot_status(&s, &p, id, &b.status).await?))
}

#[derive(Serialize, ToSchema)]
struct Verification {
    intact: bool,
    events: Option<i64>,
    records: Option<u64>,
    head: Option<String>,
    /// The first place where the store departs from its audit chain.
    broken: Option<String>,
}

/// Roles that may run the integrity check: those answerable for the records.
pub fn may_audit(p: &Principal) -> bool {
    [Role::Admin, Role::Quality, Role::Auditor]
        .iter()
        .any(|r| p.has(*r))
}

#[utoipa::path(get, path = "/api/audit/verify", responses((status = 200, body = Verification), (status = 403, body = ErrorBody)))]
async fn audit_verify(p: Principal, State(s): State<AppState>) -> ApiResult<Verification> {
    if !may_audit(&p) {
        return Err(WebError::Forbidden(
            "only admin, quality or auditor may verify the audit chain".into(),
        )
        .into());
    }
    Ok(Json(match s.store.verify().await? {
        Ok(v) => Verification {
            intact: true,
            events: Some(v.events),
            records: Some(v.records),
            head: Some(v.head.to_string()),
            broken: None,
        },
        Err(b) => Verification {
            intact: false,
            events: None,
            records: None,
            head: None,
            broken: Some(b.to_string()),
        },
    }))
}
