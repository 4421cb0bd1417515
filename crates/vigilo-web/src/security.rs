//! The cybersecurity PMS API (SPEC §3.5): the one intake queue of CVE matches, vendor
//! advisories and threat-intelligence notes with their response clocks; triage to the four
//! outcomes; and each software version's VEX document in CycloneDX, OpenVEX or CSAF.
//!
//! Security records are the manufacturer's internal records, like vigilance
//! (crate::vigilance::Internal): a service partner's people are refused them; the store decides
//! who may enter a signal or triage one.

use crate::AppState;
use crate::api::{ApiResult, Created, ErrorBody, created, csrf};
use crate::auth::Principal;
use crate::error::{ApiError, WebError};
use crate::vigilance::{Internal, answer, as_of, download, json_fields};
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};
use vigilo_registry::Invalid;
use vigilo_security::{ProblemReport, ResponseTargets, Signal, TriageRecord};
use vigilo_store::requests::{SecurityTriageRequest, SignalRequest, Spelling};
use vigilo_store::security::{QueueItem, Subject};
use vigilo_vex::validate::{Format, Schema};
use vigilo_vex::{SecurityAdvisory, VexError};

#[derive(OpenApi)]
#[openapi(
    paths(queue, entry, record_signal, triage, vex),
    components(schemas(
        SecurityQueue,
        SecurityEntry,
        Triaged,
        Signal,
        TriageRecord,
        ProblemReport,
        ResponseTargets,
        SignalRequest,
        SecurityTriageRequest
    ))
)]
pub struct SecurityDoc;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/security/queue", get(queue))
        .route("/api/security/signals", post(record_signal))
        .route("/api/security/{kind}/{id}", get(entry))
        .route("/api/security/{kind}/{id}/triage", post(triage))
        .route("/api/vex/{product}/{version}", get(vex))
}

// ---- shared with the pages -------------------------------------------------------------------

/// A queue entry as a URL names it: `finding/12`, `signal/3`.
pub fn subject(kind: &str, id: i64) -> Result<Subject, WebError> {
    match kind {
        "finding" => Ok(Subject::Finding(id)),
        "signal" => Ok(Subject::Signal(id)),
        other => Err(WebError::NotFound(format!(
            "{other:?} is not a kind of security entry: expected finding or signal"
        ))),
    }
}

/// Where an entry's page is: the store names it `finding:12`, the URL `finding/12`.
pub fn entry_href(subject: &str) -> String {
    format!("/security/{}", subject.replacen(':', "/", 1))
}

/// The record a subject's store errors name when it does not exist.
fn record(subject: Subject) -> &'static str {
    match subject {
        Subject::Finding(_) => "FINDING",
        Subject::Signal(_) => "SIGNAL",
    }
}

#[derive(Serialize, ToSchema)]
pub struct SecurityQueue {
    pub as_of: Timestamp,
    pub targets: ResponseTargets,
    /// Entries past their response target, triaged or not.
    pub breaches: Vec<String>,
    /// Untriaged first, breached first among them, then by due instant; triaged ones with
    /// `all`, with their measured response time. Each entry: subject, kind, title, product,
    /// versions, cves, assessment (every CVSS score), devices, finding (with KEV and EPSS),
    /// signal, triage, response.
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<QueueItem>,
}

pub async fn security_queue(
    s: &AppState,
    as_of: Timestamp,
    all: bool,
) -> Result<SecurityQueue, WebError> {
    let items = s.store.security_queue(as_of, all).await?;
    Ok(SecurityQueue {
        as_of,
        targets: s.store.response_targets().await?,
        breaches: items
            .iter()
            .filter(|i| i.response.breached())
            .map(|i| i.subject.clone())
            .collect(),
        items,
    })
}

#[derive(Serialize, ToSchema)]
pub struct SecurityEntry {
    /// The queue entry, as in the queue.
    #[schema(value_type = Object)]
    pub item: QueueItem,
    /// Every triage decision, oldest first; the last one stands.
    pub history: Vec<TriageRecord>,
}

pub async fn security_entry(
    s: &AppState,
    subject: Subject,
    as_of: Timestamp,
) -> Result<SecurityEntry, WebError> {
    let item = s
        .store
        .security_item(subject, as_of)
        .await
        .map_err(answer(record(subject)))?;
    Ok(SecurityEntry {
        item,
        history: s.store.triage_history(subject).await?,
    })
}

pub async fn record_signal_as(
    s: &AppState,
    p: &Principal,
    r: &SignalRequest,
) -> Result<Signal, WebError> {
    let now = (s.clock)();
    let new = r.parse(Spelling::Json, now)?;
    s.store
        .record_signal(&p.actor, new, now)
        .await
        .map_err(json_fields)
}

/// A triage decision with what it opened.
#[derive(Serialize, ToSchema)]
pub struct Triaged {
    pub triage: TriageRecord,
    /// The software problem report a problem-report or patch-management outcome opened.
    pub problem: Option<ProblemReport>,
    /// The vigilance case a potential serious incident opened.
    pub vigilance_case: Option<i64>,
}

pub async fn triage_as(
    s: &AppState,
    p: &Principal,
    subject: Subject,
    r: &SecurityTriageRequest,
) -> Result<Triaged, WebError> {
    let input = r.parse(Spelling::Json)?;
    let outcome = s
        .store
        .triage_signal(&p.actor, subject, input, (s.clock)())
        .await
        .map_err(answer(record(subject)))?;
    Ok(Triaged {
        triage: outcome.triage,
        problem: outcome.problem,
        vigilance_case: outcome.vigilance_case,
    })
}

/// A document is served only when it passes its format's schema, as the command line writes
/// only conforming files: a customer's tooling rejects the rest.
fn unwritable(e: VexError) -> WebError {
    vigilo_store::Error::Internal(format!("the document cannot be written: {e}")).into()
}

pub fn parse_vex_format(field: &str, value: &str) -> Result<Format, Invalid> {
    Format::from_word(value).ok_or_else(|| {
        Invalid::new(
            field,
            format!("{value:?}: expected cyclonedx, openvex or csaf"),
        )
    })
}

/// `2.1.0.cdx.json` → version `2.1.0`, CycloneDX. Versions have dots, so the known suffixes
/// decide.
pub fn vex_of_file(file: &str) -> Option<(&str, Format)> {
    Format::ALL.into_iter().find_map(|f| {
        file.strip_suffix(f.suffix())
            .and_then(|v| v.strip_suffix('.'))
            .filter(|v| !v.is_empty())
            .map(|v| (v, f))
    })
}

pub fn vex_href(format: Format, product: &str, version: &str) -> String {
    format!(
        "/vex/{}/{}.{}",
        crate::pages::path_segment(product),
        crate::pages::path_segment(version),
        format.suffix()
    )
}

fn pretty(value: &serde_json::Value) -> Result<String, WebError> {
    serde_json::to_string_pretty(value)
        .map_err(|e| vigilo_store::Error::Internal(e.to_string()).into())
}

/// A software version's VEX document as a download. CSAF files are named as CSAF 2.0 §5.1
/// asks (from the document's tracking id).
pub async fn vex_download(
    s: &AppState,
    product: &str,
    version: &str,
    format: Format,
) -> Result<Response, WebError> {
    let doc = s
        .store
        .vex_document(product, version)
        .await
        .map_err(|e| match e {
            // The URL names the version too: one with no SBOM is not there to download.
            vigilo_store::Error::Invalid(i) if i.field == "--version" => {
                WebError::NotFound(i.problem)
            }
            e => answer("--product")(e),
        })?;
    let file = match format {
        Format::Csaf => vigilo_vex::csaf_filename(&doc.id),
        f => format!("{product}-{version}.vex.{}", f.suffix()),
    };
    let value = format.write(&doc).map_err(unwritable)?;
    Ok(download(format.media_type(), &file, pretty(&value)?))
}

/// A customer security advisory for a triaged, affected finding, as HTML or CSAF.
pub async fn advisory_download(
    s: &AppState,
    finding: i64,
    csaf: bool,
    verification_steps: Vec<String>,
) -> Result<Response, WebError> {
    let advisory: SecurityAdvisory = s
        .store
        .customer_advisory(finding, verification_steps, Vec::new())
        .await
        .map_err(json_fields)?;
    if csaf {
        let value = vigilo_vex::csaf_advisory(&advisory)
            .and_then(|v| Schema::Csaf20.check(v))
            .map_err(unwritable)?;
        Ok(download(
            "application/json",
            &vigilo_vex::csaf_filename(&advisory.id),
            pretty(&value)?,
        ))
    } else {
        let html = vigilo_vex::advisory_html(&advisory).map_err(unwritable)?;
        Ok(download(
            "text/html; charset=utf-8",
            &format!("{}.html", advisory.id.to_lowercase()),
            html,
        ))
    }
}

// ---- the API ---------------------------------------------------------------------------------

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QueueQuery {
    /// RFC 3339 (default now).
    pub as_of: Option<String>,
    /// Include triaged entries, with their measured response times.
    pub all: Option<bool>,
}

/// The security intake queue: CVE matches, vendor advisories and threat-intelligence notes with
/// severity, KEV and EPSS, devices affected and the response clock.
#[utoipa::path(get, path = "/api/security/queue", params(QueueQuery),
    responses((status = 200, body = SecurityQueue), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn queue(
    Internal(_): Internal,
    State(s): State<AppState>,
    Query(q): Query<QueueQuery>,
) -> ApiResult<SecurityQueue> {
    let at = as_of(&s, q.as_of.as_deref())?;
    Ok(Json(security_queue(&s, at, q.all.unwrap_or(false)).await?))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EntryQuery {
    /// RFC 3339 (default now).
    pub as_of: Option<String>,
}

/// One finding or signal with its assessment, devices, response clock and triage history.
#[utoipa::path(get, path = "/api/security/{kind}/{id}",
    params(("kind" = String, Path, description = "finding or signal"), ("id" = i64, Path), EntryQuery),
    responses((status = 200, body = SecurityEntry), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn entry(
    Internal(_): Internal,
    State(s): State<AppState>,
    Path((kind, id)): Path<(String, i64)>,
    Query(q): Query<EntryQuery>,
) -> ApiResult<SecurityEntry> {
    let at = as_of(&s, q.as_of.as_deref())?;
    Ok(Json(security_entry(&s, subject(&kind, id)?, at).await?))
}

/// Enters a vendor advisory or threat-intelligence note into the queue.
#[utoipa::path(post, path = "/api/security/signals", request_body = SignalRequest,
    responses((status = 201, body = Signal), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn record_signal(
    Internal(p): Internal,
    State(s): State<AppState>,
    headers: HeaderMap,
    Json(r): Json<SignalRequest>,
) -> Created<Signal> {
    csrf(&p, &headers)?;
    Ok(created(record_signal_as(&s, &p, &r).await?))
}

/// Triages a finding or signal; refused (403, with the rule and everything missing) until the
/// decision is complete and consistent with its criteria.
#[utoipa::path(post, path = "/api/security/{kind}/{id}/triage",
    params(("kind" = String, Path, description = "finding or signal"), ("id" = i64, Path)),
    request_body = SecurityTriageRequest,
    responses((status = 201, body = Triaged), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn triage(
    Internal(p): Internal,
    State(s): State<AppState>,
    headers: HeaderMap,
    Path((kind, id)): Path<(String, i64)>,
    Json(r): Json<SecurityTriageRequest>,
) -> Created<Triaged> {
    csrf(&p, &headers)?;
    let subject = subject(&kind, id)?;
    Ok(created(triage_as(&s, &p, subject, &r).await?))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VexQuery {
    /// cyclonedx (1.6), openvex (0.2.0) or csaf (2.0, VEX profile).
    pub format: String,
}

/// A software version's VEX document: one statement per finding with its status from the
/// standing triage. Served only when it validates against its format's schema.
#[utoipa::path(get, path = "/api/vex/{product}/{version}",
    params(("product" = String, Path), ("version" = String, Path), VexQuery),
    responses((status = 200, description = "The VEX document", content(
            (String = "application/vnd.cyclonedx+json"),
            (String = "application/json"))),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn vex(
    Internal(_): Internal,
    State(s): State<AppState>,
    Path((product, version)): Path<(String, String)>,
    Query(q): Query<VexQuery>,
) -> Result<Response, ApiError> {
    let format = parse_vex_format("format", &q.format)?;
    Ok(vex_download(&s, &product, &version, format).await?)
}
