//! The cybersecurity PMS pages (SPEC §3.5): the intake queue with its breached response targets
//! on top and the form for a vendor advisory or threat-intelligence note; each entry with its
//! assessment, devices, triage history and triage form, and for an affected finding the
//! customer advisory; the SBOM of each software version with its VEX downloads; the
//! advisory-sources register with its reviews. Authorised exactly like the API they mirror
//! (crate::security): partners are refused, the store decides every write.

use crate::AppState;
use crate::auth::Principal;
use crate::error::{PageError, WebError};
use crate::pages::{
    Bar, FormFailure, after_form, instant_text, local, local_input, page, path_segment, zone_name,
};
use crate::security::{
    advisory_download, entry_href, record_signal_as, security_entry, security_queue, subject,
    triage_as, vex_download, vex_href, vex_of_file,
};
use crate::vigilance::{Internal, answer, as_of};
use crate::vigilance_pages::asked_instant;
use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use jiff::SignedDuration;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use vigilo_intel::register::ReviewOutcome;
use vigilo_registry::{Action, input};
use vigilo_security::{
    Exploitability, Harm, Justification, Outcome, Reachability, Remediation, SignalKind,
    TriageRecord,
};
use vigilo_service::triage::format_left;
use vigilo_store::requests::{SecurityTriageRequest, SignalRequest};
use vigilo_store::security::{QueueItem, Subject};
use vigilo_vex::validate::Format;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/security", get(queue))
        .route("/security/signals", post(record_signal))
        .route("/security/{kind}/{id}", get(entry))
        .route("/security/{kind}/{id}/triage", post(triage))
        .route("/security/finding/{id}/advisory", post(advisory))
        .route("/sboms", get(sboms))
        .route("/sboms/{id}", get(sbom))
        .route("/vex/{product}/{file}", get(vex))
        .route("/sources", get(sources))
        .route("/sources/{id}/review", post(review_source))
}

/// A stored enumeration as its records spell it (`threat-intel`).
fn spelled(value: &impl Serialize) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn words<T>(pairs: &[(&'static str, T)]) -> Vec<&'static str> {
    pairs.iter().map(|(w, _)| *w).collect()
}

/// `?all=1` as well as the checkbox's `?all=true`.
fn flag(value: Option<&str>) -> bool {
    matches!(value, Some("1" | "true" | "on"))
}

fn elapsed(seconds: i64) -> String {
    format_left(SignedDuration::from_secs(seconds))
}

// ---- the queue -------------------------------------------------------------------------------

struct QueueLine {
    href: String,
    subject: String,
    kind: String,
    title: String,
    product: String,
    cves: String,
    rating: String,
    score: String,
    kev: bool,
    epss: String,
    devices: i64,
    due: String,
    elapsed: String,
    state: String,
    breached: bool,
    outcome: String,
}

impl QueueLine {
    fn of(s: &AppState, i: &QueueItem) -> QueueLine {
        let r = &i.response;
        let finding = i.finding.as_ref();
        QueueLine {
            href: entry_href(&i.subject),
            subject: i.subject.clone(),
            kind: i.kind.to_string(),
            title: i.title.clone(),
            product: format!(
                "{} {}",
                i.product.as_deref().unwrap_or_default(),
                i.versions.join(", ")
            )
            .trim()
            .to_owned(),
            cves: i.cves.join(", "),
            rating: i.assessment.rating.to_string(),
            score: i.assessment.score.clone().unwrap_or_default(),
            kev: finding.is_some_and(|f| f.kev.is_some()),
            epss: finding
                .and_then(|f| f.epss.as_ref())
                .map_or_else(String::new, |e| format!("{:.3}", e.score)),
            devices: i.devices,
            due: r
                .due_at
                .map_or_else(|| "next release".to_owned(), |t| local(s, t)),
            elapsed: elapsed(r.elapsed_seconds),
            state: r.state.to_string(),
            breached: r.breached(),
            outcome: i
                .triage
                .as_ref()
                .map_or_else(String::new, |t| t.outcome.to_string()),
        }
    }
}

#[derive(Template)]
#[template(path = "security.html")]
struct QueuePage {
    bar: Bar,
    zone: String,
    as_of: Option<String>,
    as_of_input: String,
    all: bool,
    targets: String,
    breaches: Vec<QueueLine>,
    items: Vec<QueueLine>,
    may_signal: bool,
    kinds: Vec<&'static str>,
    products: Vec<(String, String)>,
    form: SignalRequest,
    failure: FormFailure,
}

#[derive(Default, Deserialize)]
struct QueueQuery {
    as_of: Option<String>,
    all: Option<String>,
}

async fn queue_page(
    s: &AppState,
    p: &Principal,
    q: QueueQuery,
    form: SignalRequest,
    failure: FormFailure,
) -> Result<Response, WebError> {
    let asked = asked_instant(s, q.as_of.as_deref());
    let at = as_of(s, asked.as_deref())?;
    let all = flag(q.all.as_deref());
    let queue = security_queue(s, at, all).await?;
    let (breaches, items) = queue
        .items
        .iter()
        .map(|i| QueueLine::of(s, i))
        .partition(|l| l.breached);
    let page = QueuePage {
        bar: Bar::of(p),
        zone: zone_name(s),
        as_of_input: asked
            .as_ref()
            .map_or_else(String::new, |_| local_input(s, at)),
        as_of: asked.map(|_| local(s, at)),
        all,
        targets: format!(
            "critical within {} h, high within {} days, the rest with the next release",
            queue.targets.critical_hours, queue.targets.high_days
        ),
        breaches,
        items,
        may_signal: p.may(Action::RecordSignal),
        kinds: words(SignalKind::WORDS)
            .into_iter()
            .filter(|k| *k != SignalKind::CveMatch.as_str())
            .collect(),
        products: s
            .store
            .products()
            .await?
            .into_iter()
            .map(|x| (x.id, x.name))
            .collect(),
        form,
        failure,
    };
    Ok(page.failure.answer(&page))
}

async fn queue(
    Internal(p): Internal,
    State(s): State<AppState>,
    Query(q): Query<QueueQuery>,
) -> Result<Response, PageError> {
    Ok(queue_page(&s, &p, q, SignalRequest::default(), FormFailure::none()).await?)
}

#[derive(Deserialize)]
struct SignalForm {
    csrf: Option<String>,
    #[serde(flatten)]
    request: SignalRequest,
}

async fn record_signal(
    Internal(p): Internal,
    State(s): State<AppState>,
    Form(f): Form<SignalForm>,
) -> Result<Response, PageError> {
    p.check_csrf(f.csrf.as_deref())?;
    let mut r = f.request;
    r.received_at = r.received_at.map(|t| instant_text(&s, &t));
    let done = record_signal_as(&s, &p, &r).await;
    after_form(
        done,
        |signal| format!("/security/signal/{}", signal.id),
        async |failure| queue_page(&s, &p, QueueQuery::default(), r, failure).await,
    )
    .await
}

// ---- one entry -------------------------------------------------------------------------------

struct HistoryLine {
    id: i64,
    decided: String,
    by: String,
    outcome: String,
    recommended: String,
    criteria: String,
    rationale: String,
    justification: String,
    action: String,
    remediation: String,
    problem_report: Option<i64>,
    vigilance_case: Option<i64>,
}

impl HistoryLine {
    fn of(s: &AppState, t: &TriageRecord, cases: &HashMap<i64, i64>) -> HistoryLine {
        HistoryLine {
            id: t.id,
            decided: local(s, t.decided_at),
            by: t.decided_by.clone(),
            outcome: t.outcome.to_string(),
            recommended: t.recommended.to_string(),
            criteria: format!(
                "exploitability {}, reachability {}, harm {}",
                t.exploitability, t.reachability, t.harm
            ),
            rationale: t.rationale.clone(),
            justification: t.justification.map_or_else(String::new, |j| j.to_string()),
            action: t.action.clone().unwrap_or_default(),
            remediation: t.remediation.map_or_else(String::new, |r| r.to_string()),
            problem_report: t.problem_report,
            vigilance_case: t
                .vigilance_ticket
                .and_then(|ticket| cases.get(&ticket).copied()),
        }
    }
}

struct ScoreLine {
    version: String,
    score: String,
    severity: String,
    vector: String,
}

#[derive(Template)]
#[template(path = "security_entry.html")]
struct EntryPage {
    bar: Bar,
    zone: String,
    action: String,
    subject: String,
    line: QueueLine,
    scores: Vec<ScoreLine>,
    problems: Vec<String>,
    vector: String,
    /// CISA KEV: date added and due date, known ransomware use.
    kev: Option<String>,
    epss: Option<String>,
    /// Finding: advisory, package, the versions that fix it; signal: body and reference.
    facts: Vec<(&'static str, String)>,
    opened: String,
    history: Vec<HistoryLine>,
    /// The decision just recorded, after the form.
    triaged: Option<HistoryLine>,
    may_triage: bool,
    outcomes: Vec<&'static str>,
    exploitabilities: Vec<&'static str>,
    reachabilities: Vec<&'static str>,
    harms: Vec<&'static str>,
    justifications: Vec<&'static str>,
    remediations: Vec<&'static str>,
    form: SecurityTriageRequest,
    /// The finding a customer advisory can be written for: triaged, affected.
    advisory: Option<i64>,
    failure: FormFailure,
}

#[derive(Default, Deserialize)]
struct EntryQuery {
    triaged: Option<i64>,
}

async fn entry_page(
    s: &AppState,
    p: &Principal,
    subject: Subject,
    triaged: Option<i64>,
    form: SecurityTriageRequest,
    failure: FormFailure,
) -> Result<Response, WebError> {
    let now = (s.clock)();
    let e = security_entry(s, subject, now).await?;
    let i = &e.item;
    let cases: HashMap<i64, i64> = if e.history.iter().any(|t| t.vigilance_ticket.is_some()) {
        s.store
            .vigilance_cases()
            .await?
            .into_iter()
            .map(|c| (c.ticket, c.id))
            .collect()
    } else {
        HashMap::new()
    };
    let history: Vec<HistoryLine> = e
        .history
        .iter()
        .map(|t| HistoryLine::of(s, t, &cases))
        .collect();
    let mut facts = Vec::new();
    if let Some(f) = &i.finding {
        facts.push(("Advisory", f.finding.advisory.clone()));
        facts.push(("Component", f.finding.purl.clone()));
        facts.push(("Fixed in", f.finding.fixed.join(", ")));
        if let Some(summary) = &f.summary {
            facts.push(("Summary", summary.clone()));
        }
    }
    if let Some(sig) = &i.signal {
        facts.push(("Reference", sig.reference.clone().unwrap_or_default()));
        facts.push(("Recorded by", sig.recorded_by.clone()));
        facts.push(("Description", sig.body.clone()));
    }
    let finding = i.finding.as_ref();
    let affected = i
        .triage
        .as_ref()
        .is_some_and(|t| t.outcome != Outcome::NotRelevant);
    let page = EntryPage {
        bar: Bar::of(p),
        zone: zone_name(s),
        action: format!("{}/triage", entry_href(&i.subject)),
        subject: i.subject.clone(),
        scores: i
            .assessment
            .scores
            .iter()
            .map(|x| ScoreLine {
                version: x.version.to_string(),
                score: format!("{:.1}", x.base_score),
                severity: x.severity.to_string(),
                vector: x.vector.clone(),
            })
            .collect(),
        problems: i.assessment.problems.clone(),
        vector: i.assessment.vector.clone().unwrap_or_default(),
        kev: finding.and_then(|f| f.kev.as_ref()).map(|k| {
            format!(
                "{} added {}, due {}{}",
                k.cve,
                k.date_added,
                k.due_date,
                if k.known_ransomware {
                    "; known ransomware use"
                } else {
                    ""
                }
            )
        }),
        epss: finding
            .and_then(|f| f.epss.as_ref())
            .map(|e| format!("{}: {:.3} (percentile {:.3})", e.cve, e.score, e.percentile)),
        facts,
        opened: local(s, i.response.opened_at),
        triaged: triaged.and_then(|id| {
            e.history
                .iter()
                .find(|t| t.id == id)
                .map(|t| HistoryLine::of(s, t, &cases))
        }),
        history,
        may_triage: p.may(Action::TriageSignal),
        outcomes: words(Outcome::WORDS),
        exploitabilities: words(Exploitability::WORDS),
        reachabilities: words(Reachability::WORDS),
        harms: words(Harm::WORDS),
        justifications: words(Justification::WORDS),
        remediations: words(Remediation::WORDS),
        form,
        advisory: finding.filter(|_| affected).map(|f| f.finding.id),
        line: QueueLine::of(s, i),
        failure,
    };
    Ok(page.failure.answer(&page))
}

async fn entry(
    Internal(p): Internal,
    State(s): State<AppState>,
    Path((kind, id)): Path<(String, i64)>,
    Query(q): Query<EntryQuery>,
) -> Result<Response, PageError> {
    let subject = subject(&kind, id)?;
    Ok(entry_page(
        &s,
        &p,
        subject,
        q.triaged,
        SecurityTriageRequest::default(),
        FormFailure::none(),
    )
    .await?)
}

#[derive(Deserialize)]
struct TriageForm {
    csrf: Option<String>,
    #[serde(flatten)]
    request: SecurityTriageRequest,
}

async fn triage(
    Internal(p): Internal,
    State(s): State<AppState>,
    Path((kind, id)): Path<(String, i64)>,
    Form(f): Form<TriageForm>,
) -> Result<Response, PageError> {
    p.check_csrf(f.csrf.as_deref())?;
    let subject = subject(&kind, id)?;
    let done = triage_as(&s, &p, subject, &f.request).await;
    after_form(
        done,
        |t| format!("/security/{kind}/{id}?triaged={}", t.triage.id),
        async |failure| entry_page(&s, &p, subject, None, f.request, failure).await,
    )
    .await
}

#[derive(Deserialize)]
struct AdvisoryForm {
    csrf: Option<String>,
    /// html or csaf.
    format: String,
    /// Verification steps, one per line.
    #[serde(default)]
    verify: String,
}

async fn advisory(
    Internal(p): Internal,
    State(s): State<AppState>,
    Path(id): Path<i64>,
    Form(f): Form<AdvisoryForm>,
) -> Result<Response, PageError> {
    p.check_csrf(f.csrf.as_deref())?;
    let steps = f.verify.lines().map(str::to_owned).collect();
    let done = match f.format.as_str() {
        "html" | "csaf" => advisory_download(&s, id, f.format == "csaf", steps).await,
        other => Err(vigilo_registry::Invalid::new(
            "format",
            format!("{other:?}: expected html or csaf"),
        )
        .into()),
    };
    // Done, the answer is the file itself rather than a redirect; refused, the entry's page
    // again with why, as after_form does.
    match done {
        Ok(file) => Ok(file),
        Err(e @ WebError::Store(_)) => Ok(entry_page(
            &s,
            &p,
            Subject::Finding(id),
            None,
            SecurityTriageRequest::default(),
            FormFailure::of(e),
        )
        .await?),
        Err(e) => Err(e.into()),
    }
}

// ---- SBOMs and VEX ---------------------------------------------------------------------------

fn vex_links(product: &str, version: &str) -> Vec<(&'static str, String)> {
    Format::ALL
        .into_iter()
        .map(|f| (f.suffix(), vex_href(f, product, version)))
        .collect()
}

struct SbomLine {
    id: i64,
    product: String,
    version: String,
    format: String,
    file: String,
    components: i64,
    findings: usize,
    imported: String,
    vex: Vec<(&'static str, String)>,
}

#[derive(Template)]
#[template(path = "sboms.html")]
struct SbomsPage {
    bar: Bar,
    rows: Vec<SbomLine>,
}

async fn sboms(Internal(p): Internal, State(s): State<AppState>) -> Result<Response, PageError> {
    let mut per_sbom: HashMap<i64, usize> = HashMap::new();
    for f in s.store.findings(None, None, false).await? {
        *per_sbom.entry(f.finding.sbom).or_default() += 1;
    }
    let rows = s
        .store
        .sboms(None, false)
        .await?
        .into_iter()
        .map(|b| SbomLine {
            findings: per_sbom.get(&b.id).copied().unwrap_or(0),
            vex: vex_links(&b.product, &b.version),
            imported: format!("{} by {}", local(&s, b.imported_at), b.imported_by),
            format: format!("{} {}", b.format, b.spec_version),
            id: b.id,
            product: b.product,
            version: b.version,
            file: b.file_name,
            components: b.component_count,
        })
        .collect();
    Ok(page(&SbomsPage {
        bar: Bar::of(&p),
        rows,
    }))
}

struct ComponentLine {
    name: String,
    version: String,
    purl: String,
    cpe: String,
    ecosystem: String,
    matchable: bool,
    /// Open findings: link and advisory.
    findings: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "sbom.html")]
struct SbomPage {
    bar: Bar,
    id: i64,
    product: String,
    version: String,
    format: String,
    file: String,
    serial: String,
    imported: String,
    warnings: Vec<String>,
    findings: usize,
    components: Vec<ComponentLine>,
    vex: Vec<(&'static str, String)>,
}

async fn sbom(
    Internal(p): Internal,
    State(s): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let b = s
        .store
        .sboms(None, true)
        .await?
        .into_iter()
        .find(|b| b.id == id)
        .ok_or_else(|| WebError::NotFound(format!("no SBOM {id}")))?;
    if let Some(current) = b.superseded_by {
        return Err(WebError::NotFound(format!(
            "SBOM {id} of {} {} was superseded by SBOM {current}",
            b.product, b.version
        ))
        .into());
    }
    let view = s.store.sbom(&b.product, &b.version).await?;
    let findings: Vec<_> = s
        .store
        .findings(Some(&b.product), Some(&b.version), false)
        .await?
        .into_iter()
        .filter(|f| f.finding.sbom == id)
        .collect();
    let mut per_component: HashMap<i64, Vec<(String, String)>> = HashMap::new();
    for f in &findings {
        per_component.entry(f.finding.component).or_default().push((
            entry_href(&Subject::Finding(f.finding.id).to_string()),
            f.finding.advisory.clone(),
        ));
    }
    let components = view
        .components
        .into_iter()
        .map(|c| ComponentLine {
            findings: per_component.remove(&c.id).unwrap_or_default(),
            name: c.name,
            version: c.version.unwrap_or_default(),
            purl: c.purl.unwrap_or_default(),
            cpe: c.cpe.unwrap_or_default(),
            ecosystem: c.ecosystem.unwrap_or_default(),
            matchable: c.matchable,
        })
        .collect();
    Ok(page(&SbomPage {
        bar: Bar::of(&p),
        id,
        vex: vex_links(&b.product, &b.version),
        format: format!("{} {}", b.format, b.spec_version),
        serial: b.serial_number.unwrap_or_default(),
        imported: format!("{} by {}", local(&s, b.imported_at), b.imported_by),
        findings: findings.len(),
        warnings: b.warnings,
        product: b.product,
        version: b.version,
        file: b.file_name,
        components,
    }))
}

async fn vex(
    Internal(_): Internal,
    State(s): State<AppState>,
    Path((product, file)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let (version, format) = vex_of_file(&file).ok_or_else(|| {
        WebError::NotFound(format!(
            "{file:?}: expected VERSION.cdx.json, VERSION.openvex.json or VERSION.csaf.json"
        ))
    })?;
    Ok(vex_download(&s, &product, version, format).await?)
}

// ---- the advisory-sources register -----------------------------------------------------------

struct SourceLine {
    id: String,
    action: String,
    name: String,
    kind: String,
    url: String,
    custodians: String,
    cadence_days: i64,
    last_reviewed: String,
    next_due: String,
    overdue: bool,
    last_sync: String,
}

#[derive(Template)]
#[template(path = "sources.html")]
struct SourcesPage {
    bar: Bar,
    zone: String,
    rows: Vec<SourceLine>,
    overdue: usize,
    may_review: bool,
    outcomes: Vec<String>,
    now_local: String,
    failure: FormFailure,
}

async fn sources_page(
    s: &AppState,
    p: &Principal,
    failure: FormFailure,
) -> Result<Response, WebError> {
    let now = (s.clock)();
    let rows: Vec<SourceLine> =
        s.store
            .sources(now)
            .await?
            .into_iter()
            .map(|x| SourceLine {
                action: format!("/sources/{}/review", path_segment(&x.source.id)),
                name: x.source.name.clone(),
                kind: spelled(&x.source.kind),
                url: x.source.url.clone().unwrap_or_default(),
                custodians: format!("{} (backup {})", x.source.owner, x.source.backup),
                cadence_days: x.source.cadence_days,
                last_reviewed: x
                    .last_reviewed_at
                    .map_or_else(|| "never".to_owned(), |t| local(s, t)),
                next_due: local(s, x.next_review_due),
                overdue: x.overdue,
                last_sync: x.last_sync.as_ref().map_or_else(String::new, |y| {
                    match &y.result.error {
                        Some(e) => format!("{}: failed: {e}", local(s, y.result.started_at)),
                        None => format!(
                            "{}: {} added, {} updated",
                            local(s, y.result.started_at),
                            y.result.added,
                            y.result.updated
                        ),
                    }
                }),
                id: x.source.id,
            })
            .collect();
    let page = SourcesPage {
        bar: Bar::of(p),
        zone: zone_name(s),
        overdue: rows.iter().filter(|r| r.overdue).count(),
        rows,
        may_review: p.may(Action::ReviewSource),
        outcomes: [ReviewOutcome::Ok, ReviewOutcome::ChangesNeeded]
            .iter()
            .map(spelled)
            .collect(),
        now_local: local_input(s, now),
        failure,
    };
    Ok(page.failure.answer(&page))
}

async fn sources(Internal(p): Internal, State(s): State<AppState>) -> Result<Response, PageError> {
    Ok(sources_page(&s, &p, FormFailure::none()).await?)
}

#[derive(Deserialize)]
struct ReviewForm {
    csrf: Option<String>,
    outcome: String,
    note: String,
    /// When the review was held; default now.
    at: Option<String>,
}

async fn review_as(s: &AppState, p: &Principal, id: &str, f: &ReviewForm) -> Result<(), WebError> {
    let now = (s.clock)();
    let outcome = ReviewOutcome::parse("outcome", &f.outcome)?;
    let at = match f.at.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
        Some(a) => input::instant("at", &instant_text(s, a))?,
        None => now,
    };
    s.store
        .review_source(&p.actor, id, at, outcome, &f.note, now)
        .await
        .map_err(answer("ID"))?;
    Ok(())
}

async fn review_source(
    Internal(p): Internal,
    State(s): State<AppState>,
    Path(id): Path<String>,
    Form(f): Form<ReviewForm>,
) -> Result<Response, PageError> {
    p.check_csrf(f.csrf.as_deref())?;
    let done = review_as(&s, &p, &id, &f).await;
    after_form(
        done,
        |()| "/sources".to_owned(),
        async |failure| sources_page(&s, &p, failure).await,
    )
    .await
}
