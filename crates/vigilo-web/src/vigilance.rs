//! The vigilance and FSCA API (SPEC §3.3): cases with their deadlines, the 24-hour escalation,
//! decisions, submitted reports, incident details and report drafts; field safety corrective
//! actions with their customers' acknowledgements.
//!
//! Vigilance, FSCA, trends and the PMS review are the manufacturer's internal records: a
//! service partner's people are refused them outright, whatever their role ([`Internal`]).
//! Everyone else signed in reads them; writes go through the store's operations, which check
//! the roles (an auditor holds none of them).

use crate::AppState;
use crate::api::{ApiResult, Created, ErrorBody, created, csrf};
use crate::auth::Principal;
use crate::error::{ApiError, Rejection, WebError};
use crate::pages::{path_segment, url_encode};
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::HeaderValue;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE, X_CONTENT_TYPE_OPTIONS};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};
use vigilo_incident::DraftProblem;
use vigilo_registry::{Invalid, input};
use vigilo_store::fsca::FscaView;
use vigilo_store::requests::{
    DecideRequest, DetailsRequest, DraftFormat, DraftRequest, FscaAckRequest, FscaRequest,
    ReportRequest, Spelling,
};
use vigilo_vigilance::fsca::{CustomerNotice, Progress, customer_csv, customer_file_name};
use vigilo_vigilance::{
    Acknowledgement, CaseStatus, Deadline, DeadlineState, Decision, Escalation, Fsca,
    FscaAcknowledgement, FscaDevice, IncidentDetails, Submission, SubmissionStatus,
};

#[derive(OpenApi)]
#[openapi(
    paths(
        list_cases,
        case,
        acknowledge,
        decide,
        report,
        details,
        draft,
        list_fscas,
        open_fsca,
        fsca,
        acknowledge_fsca,
        customer_list
    ),
    components(schemas(
        CaseList,
        CaseFull,
        CaseStatus,
        Deadline,
        DeadlineState,
        Escalation,
        Decision,
        SubmissionStatus,
        Submission,
        DraftCheck,
        DetailsView,
        Acknowledged,
        Decided,
        Reported,
        DecideRequest,
        ReportRequest,
        DetailsRequest,
        FscaList,
        FscaSummary,
        FscaView,
        Fsca,
        FscaDevice,
        FscaAcknowledgement,
        Progress,
        CustomerNotice,
        FscaRequest,
        FscaAckRequest,
        FscaAcknowledged
    ))
)]
pub struct VigilanceDoc;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/vigilance", get(list_cases))
        .route("/api/vigilance/{id}", get(case))
        .route("/api/vigilance/{id}/acknowledge", post(acknowledge))
        .route("/api/vigilance/{id}/decide", post(decide))
        .route("/api/vigilance/{id}/reports", post(report))
        .route("/api/vigilance/{id}/details", post(details))
        .route("/api/vigilance/{id}/draft", get(draft))
        .route("/api/fsca", get(list_fscas).post(open_fsca))
        .route("/api/fsca/{id}", get(fsca))
        .route("/api/fsca/{id}/acknowledgements", post(acknowledge_fsca))
        .route("/api/fsca/{id}/customers/{file}", get(customer_list))
}

// ---- who may ask -----------------------------------------------------------------------------

/// A signed-in person of the manufacturer's own organisations: the only ones who see its
/// vigilance, FSCA, trend, review and cybersecurity records.
pub struct Internal(pub Principal);

impl FromRequestParts<AppState> for Internal {
    type Rejection = Rejection;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let p = Principal::from_request_parts(parts, state).await?;
        if p.is_partner() {
            return Err(Rejection {
                api: parts.uri.path().starts_with("/api/"),
                error: WebError::Forbidden(
                    "vigilance, FSCA, trend, PMS review and cybersecurity records are the manufacturer's internal records: a service partner's people do not see them"
                        .into(),
                ),
            });
        }
        Ok(Internal(p))
    }
}

// ---- shared with the pages -------------------------------------------------------------------

/// The store names the fields of bad input as the command line spells them (`--submitted-at`);
/// the API and the forms spell them as JSON does (`submitted_at`).
pub fn json_fields(e: vigilo_store::Error) -> WebError {
    match e {
        vigilo_store::Error::Invalid(i) => Invalid::new(
            i.field
                .trim_start_matches("--")
                .replace('-', "_")
                .to_lowercase(),
            i.problem,
        )
        .into(),
        e => e.into(),
    }
}

/// A store error about the record a URL names. The store names that record by its command-line
/// argument (`CASE`, `FSCA`); when it does not exist, the URL names nothing: 404.
pub fn answer(record: &'static str) -> impl Fn(vigilo_store::Error) -> WebError {
    move |e| match e {
        vigilo_store::Error::Invalid(i) if i.field == record => WebError::NotFound(i.problem),
        e => json_fields(e),
    }
}

/// The instant a listing is as of: RFC 3339, default now.
pub fn as_of(s: &AppState, value: Option<&str>) -> Result<Timestamp, WebError> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        Some(v) => Ok(input::instant("as_of", v)?),
        None => Ok((s.clock)()),
    }
}

#[derive(Serialize, ToSchema)]
pub struct CaseList {
    pub as_of: Timestamp,
    /// Newest awareness first.
    pub cases: Vec<CaseStatus>,
    /// Cases nobody with the vigilance role took within 24 hours of the flag.
    pub escalation_breaches: Vec<i64>,
    /// Cases with an initial report submitted after its deadline.
    pub late_reports: Vec<i64>,
    /// Cases with a deadline passed and no initial report.
    pub overdue: Vec<i64>,
}

pub async fn case_list(s: &AppState, as_of: Timestamp, all: bool) -> Result<CaseList, WebError> {
    let cases: Vec<CaseStatus> = s
        .store
        .case_statuses(as_of)
        .await?
        .into_iter()
        .filter(|c| all || !c.closed)
        .collect();
    let ids = |keep: &dyn Fn(&CaseStatus) -> bool| -> Vec<i64> {
        cases.iter().filter(|c| keep(c)).map(|c| c.id).collect()
    };
    Ok(CaseList {
        as_of,
        escalation_breaches: ids(&|c| c.escalation.breached),
        late_reports: ids(&|c| c.submissions.iter().any(|x| x.late)),
        overdue: ids(&|c| {
            c.deadlines
                .iter()
                .any(|d| d.state == DeadlineState::Overdue)
        }),
        cases,
    })
}

/// A report draft's problems and to-do list.
#[derive(Serialize, ToSchema)]
pub struct DraftCheck {
    /// What is wrong: a code in the wrong annex, dates out of order, …
    #[schema(value_type = Vec<Object>)]
    pub problems: Vec<DraftProblem>,
    /// The fields the report still needs before it can be submitted.
    #[schema(value_type = Vec<String>)]
    pub missing: Vec<&'static str>,
}

/// A case's incident details as recorded.
#[derive(Serialize, ToSchema)]
pub struct DetailsView {
    /// The case's id.
    pub id: i64,
    pub details: IncidentDetails,
    pub updated_by: String,
    pub updated_at: Timestamp,
}

impl From<vigilo_vigilance::CaseDetails> for DetailsView {
    fn from(d: vigilo_vigilance::CaseDetails) -> Self {
        DetailsView {
            id: d.id,
            details: d.details,
            updated_by: d.updated_by,
            updated_at: d.updated_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CaseFull {
    pub case: CaseStatus,
    pub details: Option<DetailsView>,
    /// The EU Manufacturer Incident Report draft as it would be exported now.
    pub mir_draft: DraftCheck,
    /// The FDA 3500A draft as it would be exported now.
    pub fda_draft: DraftCheck,
}

pub async fn case_full(s: &AppState, id: i64, as_of: Timestamp) -> Result<CaseFull, WebError> {
    let case = s
        .store
        .case_status(id, as_of)
        .await
        .map_err(answer("CASE"))?;
    let now = (s.clock)();
    let mir = s.store.mir_draft(id, None, now).await?;
    let fda = s.store.fda_draft(id, now).await?;
    Ok(CaseFull {
        case,
        details: s.store.case_details(id).await?.map(DetailsView::from),
        mir_draft: DraftCheck {
            problems: mir.problems,
            missing: mir.missing,
        },
        fda_draft: DraftCheck {
            problems: fda.problems,
            missing: fda.missing,
        },
    })
}

pub async fn acknowledge_as(
    s: &AppState,
    p: &Principal,
    id: i64,
) -> Result<(Acknowledgement, bool), WebError> {
    s.store
        .acknowledge_case(&p.actor, id, (s.clock)())
        .await
        .map_err(answer("CASE"))
}

#[derive(Serialize, ToSchema)]
pub struct Decided {
    /// The decision's id.
    pub id: i64,
    pub decision: Decision,
    /// The case with the deadline the decision gives it.
    pub case: CaseStatus,
}

pub async fn decide_as(
    s: &AppState,
    p: &Principal,
    id: i64,
    r: &DecideRequest,
) -> Result<Decided, WebError> {
    let input = r.parse(Spelling::Json)?;
    let now = (s.clock)();
    let decision = s
        .store
        .decide_case(
            &p.actor,
            id,
            input.category,
            &input.rationale,
            input.reportability_aware_at,
            now,
        )
        .await
        .map_err(answer("CASE"))?;
    Ok(Decided {
        id: decision.id,
        decision,
        case: s.store.case_status(id, now).await?,
    })
}

#[derive(Serialize, ToSchema)]
pub struct Reported {
    /// The submission's id.
    pub id: i64,
    pub submission: Submission,
    /// An initial report submitted after its deadline.
    pub late: bool,
}

pub async fn report_as(
    s: &AppState,
    p: &Principal,
    id: i64,
    r: &ReportRequest,
) -> Result<Reported, WebError> {
    let input = r.parse(Spelling::Json)?;
    let now = (s.clock)();
    let submission = s
        .store
        .record_submission(
            &p.actor,
            id,
            input.kind,
            input.market,
            input.submitted_at,
            input.reference.as_deref(),
            now,
        )
        .await
        .map_err(answer("CASE"))?;
    let late = s
        .store
        .case_status(id, now)
        .await?
        .submissions
        .iter()
        .any(|x| x.submission.id == submission.id && x.late);
    Ok(Reported {
        id: submission.id,
        submission,
        late,
    })
}

pub async fn details_as(
    s: &AppState,
    p: &Principal,
    id: i64,
    r: &DetailsRequest,
) -> Result<DetailsView, WebError> {
    let recorded = s
        .store
        .case_details(id)
        .await?
        .map(|d| d.details)
        .unwrap_or_default();
    let details = r.over(Spelling::Json, &recorded)?;
    Ok(s.store
        .set_case_details(&p.actor, id, details, (s.clock)())
        .await
        .map_err(answer("CASE"))?
        .into())
}

/// A report draft as a download: the document with its own content type.
pub async fn draft_download(s: &AppState, id: i64, r: &DraftRequest) -> Result<Response, WebError> {
    let (format, kind) = r.parse(Spelling::Json)?;
    let now = (s.clock)();
    let document = match format {
        DraftFormat::MirJson | DraftFormat::MirXml => {
            let mir = s
                .store
                .mir_draft(id, kind, now)
                .await
                .map_err(answer("CASE"))?
                .draft;
            if format == DraftFormat::MirXml {
                mir.to_xml()
            } else {
                mir.to_json()
            }
        }
        DraftFormat::Fda3500a => s
            .store
            .fda_draft(id, now)
            .await
            .map_err(answer("CASE"))?
            .draft
            .to_json(),
    };
    let (content_type, name) = match format {
        DraftFormat::MirJson => ("application/json", "mir.json"),
        DraftFormat::MirXml => ("application/xml; charset=utf-8", "mir.xml"),
        DraftFormat::Fda3500a => ("application/json", "fda-3500a.json"),
    };
    Ok(download(
        content_type,
        &format!("case-{id}-{name}"),
        document,
    ))
}

/// A body the browser saves as a file. The file name is given in ASCII and, where it has other
/// characters, also in UTF-8 (RFC 6266).
pub(crate) fn download(content_type: &str, file: &str, body: impl IntoResponse) -> Response {
    let ascii: String = file
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut disposition = format!("attachment; filename=\"{ascii}\"");
    if ascii != file {
        disposition.push_str(&format!("; filename*=UTF-8''{}", url_encode(file)));
    }
    // Some bodies come from outside (a customer's e-mail attachment): the browser must neither
    // guess another type nor render them in the application's origin.
    let content_type = HeaderValue::from_str(content_type)
        .unwrap_or(HeaderValue::from_static("application/octet-stream"));
    (
        [
            (CONTENT_TYPE, content_type),
            (
                CONTENT_DISPOSITION,
                HeaderValue::from_str(&disposition).expect("ASCII and percent-encoded"),
            ),
            (X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
        ],
        body,
    )
        .into_response()
}

pub async fn fsca_view(s: &AppState, id: &str) -> Result<FscaView, WebError> {
    s.store.fsca(id).await.map_err(answer("FSCA"))
}

/// Every FSCA with its progress, oldest first.
pub async fn fsca_views(s: &AppState) -> Result<Vec<FscaView>, WebError> {
    let mut views = Vec::new();
    for f in s.store.fscas().await? {
        views.push(fsca_view(s, &f.id).await?);
    }
    Ok(views)
}

pub async fn open_fsca_as(
    s: &AppState,
    p: &Principal,
    r: &FscaRequest,
) -> Result<FscaView, WebError> {
    let new = r.parse(Spelling::Json)?;
    s.store
        .open_fsca(&p.actor, new, (s.clock)())
        .await
        .map_err(answer("FSCA"))
}

#[derive(Serialize, ToSchema)]
pub struct FscaAcknowledged {
    /// The acknowledgement's id.
    pub id: i64,
    pub acknowledgement: FscaAcknowledgement,
    pub progress: Progress,
}

pub async fn acknowledge_fsca_as(
    s: &AppState,
    p: &Principal,
    id: &str,
    r: &FscaAckRequest,
) -> Result<FscaAcknowledged, WebError> {
    let now = (s.clock)();
    let (customer, at) = r.parse(Spelling::Json, now)?;
    let acknowledgement = s
        .store
        .acknowledge_fsca(&p.actor, id, &customer, at, now)
        .await
        .map_err(answer("FSCA"))?;
    Ok(FscaAcknowledged {
        id: acknowledgement.id,
        acknowledgement,
        progress: fsca_view(s, id).await?.progress,
    })
}

/// Where a customer's device list is downloaded.
pub fn customer_list_href(fsca: &str, customer: &str) -> String {
    format!(
        "/api/fsca/{}/customers/{}.csv",
        path_segment(fsca),
        path_segment(customer)
    )
}

// ---- vigilance -------------------------------------------------------------------------------

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CasesQuery {
    /// RFC 3339 (default now).
    pub as_of: Option<String>,
    /// Include closed cases (final report in, or decided not reportable).
    pub all: Option<bool>,
}

/// Vigilance cases with their deadlines (the strictest of the market until decided),
/// escalation breaches, overdue cases and late reports.
#[utoipa::path(get, path = "/api/vigilance", params(CasesQuery),
    responses((status = 200, body = CaseList), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list_cases(
    Internal(_): Internal,
    State(s): State<AppState>,
    Query(q): Query<CasesQuery>,
) -> ApiResult<CaseList> {
    let at = as_of(&s, q.as_of.as_deref())?;
    Ok(Json(case_list(&s, at, q.all.unwrap_or(false)).await?))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CaseQuery {
    /// RFC 3339 (default now).
    pub as_of: Option<String>,
}

/// One case: deadlines, escalation, decisions, submissions, incident details and what its
/// report drafts still lack.
#[utoipa::path(get, path = "/api/vigilance/{id}", params(("id" = i64, Path), CaseQuery),
    responses((status = 200, body = CaseFull), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn case(
    Internal(_): Internal,
    State(s): State<AppState>,
    Path(id): Path<i64>,
    Query(q): Query<CaseQuery>,
) -> ApiResult<CaseFull> {
    let at = as_of(&s, q.as_of.as_deref())?;
    Ok(Json(case_full(&s, id, at).await?))
}

#[derive(Serialize, ToSchema)]
pub struct Acknowledged {
    pub acknowledgement: Acknowledgement,
    /// False when the case had been acknowledged already (the first acknowledgement stands).
    pub new: bool,
}

/// A vigilance officer takes the case, ending the 24-hour escalation (201; 200 when it was
/// taken already).
#[utoipa::path(post, path = "/api/vigilance/{id}/acknowledge", params(("id" = i64, Path)),
    responses((status = 201, body = Acknowledged), (status = 200, body = Acknowledged), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn acknowledge(
    Internal(p): Internal,
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Created<Acknowledged> {
    csrf(&p, &headers)?;
    let (acknowledgement, new) = acknowledge_as(&s, &p, id).await?;
    let status = if new {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        Json(Acknowledged {
            acknowledgement,
            new,
        }),
    ))
}

/// Records the reporting category with its rationale ("not-reportable" is a decision too); the
/// case's deadline follows it.
#[utoipa::path(post, path = "/api/vigilance/{id}/decide", params(("id" = i64, Path)), request_body = DecideRequest,
    responses((status = 201, body = Decided), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn decide(
    Internal(p): Internal,
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Json(r): Json<DecideRequest>,
) -> Created<Decided> {
    csrf(&p, &headers)?;
    Ok(created(decide_as(&s, &p, id, &r).await?))
}

/// Records a report submitted to an authority; `late` says whether it missed its deadline.
#[utoipa::path(post, path = "/api/vigilance/{id}/reports", params(("id" = i64, Path)), request_body = ReportRequest,
    responses((status = 201, body = Reported), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn report(
    Internal(p): Internal,
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Json(r): Json<ReportRequest>,
) -> Created<Reported> {
    csrf(&p, &headers)?;
    Ok(created(report_as(&s, &p, id, &r).await?))
}

/// Records incident details for the report drafts; every IMDRF code is checked against its
/// annex.
#[utoipa::path(post, path = "/api/vigilance/{id}/details", params(("id" = i64, Path)), request_body = DetailsRequest,
    responses((status = 200, body = DetailsView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn details(
    Internal(p): Internal,
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Json(r): Json<DetailsRequest>,
) -> ApiResult<DetailsView> {
    csrf(&p, &headers)?;
    Ok(Json(details_as(&s, &p, id, &r).await?))
}

/// A report draft to download: the EU MIR as JSON or XML, or the FDA 3500A as JSON. A draft is
/// never refused for being incomplete: `GET /api/vigilance/{id}` lists what it lacks.
#[utoipa::path(get, path = "/api/vigilance/{id}/draft", params(("id" = i64, Path), DraftRequest),
    responses((status = 200, description = "The draft document", content(
            (String = "application/json"),
            (String = "application/xml"))),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn draft(
    Internal(_): Internal,
    State(s): State<AppState>,
    Path(id): Path<i64>,
    Query(r): Query<DraftRequest>,
) -> Result<Response, ApiError> {
    Ok(draft_download(&s, id, &r).await?)
}

// ---- FSCA ------------------------------------------------------------------------------------

#[derive(Serialize, ToSchema)]
pub struct FscaSummary {
    pub id: String,
    pub title: String,
    pub product: String,
    pub opened_at: Timestamp,
    pub devices: usize,
    pub customers: usize,
    /// Share of customers that acknowledged the notice, 0–1.
    pub share_acknowledged: f64,
}

#[derive(Serialize, ToSchema)]
pub struct FscaList {
    pub fscas: Vec<FscaSummary>,
}

/// Every FSCA with how far its notice has been acknowledged.
#[utoipa::path(get, path = "/api/fsca", responses((status = 200, body = FscaList), (status = 403, body = ErrorBody)))]
async fn list_fscas(Internal(_): Internal, State(s): State<AppState>) -> ApiResult<FscaList> {
    let fscas = fsca_views(&s)
        .await?
        .into_iter()
        .map(|v| FscaSummary {
            devices: v.progress.devices,
            customers: v.progress.customers,
            share_acknowledged: v.progress.share_acknowledged,
            id: v.fsca.id,
            title: v.fsca.title,
            product: v.fsca.product,
            opened_at: v.fsca.opened_at,
        })
        .collect();
    Ok(Json(FscaList { fscas }))
}

/// Opens an FSCA: its scope over the product's devices in the field gives the device list,
/// kept with it.
#[utoipa::path(post, path = "/api/fsca", request_body = FscaRequest,
    responses((status = 201, body = FscaView), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn open_fsca(
    Internal(p): Internal,
    State(s): State<AppState>,
    headers: HeaderMap,
    Json(r): Json<FscaRequest>,
) -> Created<FscaView> {
    csrf(&p, &headers)?;
    Ok(created(open_fsca_as(&s, &p, &r).await?))
}

/// One FSCA: its devices, customers, acknowledgements and the share acknowledged.
#[utoipa::path(get, path = "/api/fsca/{id}", params(("id" = String, Path)),
    responses((status = 200, body = FscaView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn fsca(
    Internal(_): Internal,
    State(s): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<FscaView> {
    Ok(Json(fsca_view(&s, &id).await?))
}

/// Records that a customer acknowledged the field safety notice (a second acknowledgement of
/// the same customer returns the first).
#[utoipa::path(post, path = "/api/fsca/{id}/acknowledgements", params(("id" = String, Path)), request_body = FscaAckRequest,
    responses((status = 201, body = FscaAcknowledged), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn acknowledge_fsca(
    Internal(p): Internal,
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Json(r): Json<FscaAckRequest>,
) -> Created<FscaAcknowledged> {
    csrf(&p, &headers)?;
    Ok(created(acknowledge_fsca_as(&s, &p, &id, &r).await?))
}

/// One customer's devices in the FSCA as CSV (`fsca,customer,serial,country,software`), for
/// the notification letter. `file` is the customer's name with `.csv`, or the file name
/// `vigilo fsca show --csv-dir` gives it.
#[utoipa::path(get, path = "/api/fsca/{id}/customers/{file}", params(("id" = String, Path), ("file" = String, Path)),
    responses((status = 200, description = "The customer's device list", content_type = "text/csv", body = String),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn customer_list(
    Internal(_): Internal,
    State(s): State<AppState>,
    Path((id, file)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let view = fsca_view(&s, &id).await?;
    let customer = file
        .strip_suffix(".csv")
        .and_then(|name| {
            view.progress
                .by_customer
                .iter()
                .find(|c| c.customer == name || customer_file_name(&c.customer) == file)
        })
        .ok_or_else(|| {
            WebError::NotFound(format!("FSCA {id} has no customer named by {file:?}"))
        })?;
    Ok(download(
        "text/csv; charset=utf-8",
        &customer_file_name(&customer.customer),
        customer_csv(&view.devices, &customer.customer),
    ))
}
