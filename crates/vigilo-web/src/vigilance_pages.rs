//! The vigilance pages: the cases with a countdown to each deadline, the case page with its
//! acknowledge, decide, report and details forms and the draft downloads, and the FSCA pages.
//! Authorised exactly like the API they mirror (crate::vigilance): partners are refused, the
//! store decides every write.

use crate::AppState;
use crate::auth::Principal;
use crate::error::{PageError, WebError};
use crate::pages::{
    Bar, FormFailure, after_form, instant_text, local, local_input, page, path_segment, zone_name,
};
use crate::vigilance::{
    DraftCheck, Internal, acknowledge_as, acknowledge_fsca_as, as_of, case_full, case_list,
    customer_list_href, decide_as, details_as, fsca_view, fsca_views, open_fsca_as, report_as,
};
use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use jiff::SignedDuration;
use serde::Deserialize;
use vigilo_incident::{Annex, codes};
use vigilo_registry::Action;
use vigilo_service::triage::format_left;
use vigilo_store::requests::{
    DecideRequest, DetailsRequest, FscaAckRequest, FscaRequest, ReportRequest,
};
use vigilo_vigilance::{
    Category, Deadline, DeadlineState, Escalation, IncidentDetails, Market, ReportKind,
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/vigilance", get(cases))
        .route("/vigilance/{id}", get(case))
        .route("/vigilance/{id}/acknowledge", post(acknowledge))
        .route("/vigilance/{id}/decide", post(decide))
        .route("/vigilance/{id}/reports", post(report))
        .route("/vigilance/{id}/details", post(details))
        .route("/fsca", get(fscas).post(open_fsca))
        .route("/fsca/{id}", get(fsca))
        .route("/fsca/{id}/acknowledgements", post(acknowledge_fsca))
}

/// "2 d 4 h left", "overdue by 3 h 5 min": the words static/countdown.js keeps ticking.
fn countdown(seconds_left: i64) -> String {
    let span = format_left(SignedDuration::from_secs(seconds_left.abs()));
    if seconds_left < 0 {
        format!("overdue by {span}")
    } else {
        format!("{span} left")
    }
}

struct DeadlineLine {
    market: String,
    rule: String,
    day0: String,
    calendar_due: String,
    due_date: String,
    /// The end of the due date, in the organisation's zone.
    ends: String,
    state: &'static str,
    /// The countdown while no report answers the deadline, else what became of it.
    timer: String,
    /// Seconds left when rendered, for the script to count down from; none once answered.
    ticking: Option<i64>,
    bad: bool,
}

impl DeadlineLine {
    fn of(s: &AppState, d: &Deadline) -> DeadlineLine {
        let open = matches!(d.state, DeadlineState::Open | DeadlineState::Overdue);
        DeadlineLine {
            market: d.market.to_string(),
            rule: d.rule.clone(),
            day0: d.awareness_date.to_string(),
            calendar_due: d.calendar_due_date.to_string(),
            due_date: d.due_date.to_string(),
            ends: local(s, d.due_at),
            state: d.state.as_str(),
            timer: match (d.state, d.report) {
                (DeadlineState::Met, Some(r)) => format!("met by report {r}"),
                (DeadlineState::Late, Some(r)) => format!("report {r} was late"),
                _ => countdown(d.seconds_left),
            },
            ticking: open.then_some(d.seconds_left),
            bad: matches!(d.state, DeadlineState::Overdue | DeadlineState::Late),
        }
    }
}

fn category_text(category: Option<Category>) -> String {
    category.map_or_else(
        || "undecided: strictest deadline shown until decided".to_owned(),
        |c| c.to_string(),
    )
}

/// The device a case is about, as the pages show it.
async fn device_text(s: &AppState, device: Option<i64>) -> Result<(String, Option<i64>), WebError> {
    Ok(match device {
        Some(id) => match s.store.device_by_id(id).await? {
            Some(d) => (d.serial, Some(id)),
            None => (format!("device {id}"), Some(id)),
        },
        None => ("device unidentified".to_owned(), None),
    })
}

/// Who took the case, and when.
fn acknowledged(s: &AppState, e: &Escalation) -> Option<String> {
    match (&e.acknowledged_by, e.acknowledged_at) {
        (Some(by), Some(at)) => Some(format!("{by}, {}", local(s, at))),
        _ => None,
    }
}

/// The instant a page is asked about (`?as_of=`, RFC 3339 or the form's wall time), if any.
pub(crate) fn asked_instant(s: &AppState, value: Option<&str>) -> Option<String> {
    value.map(|v| instant_text(s, v)).filter(|v| !v.is_empty())
}

// ---- the cases -------------------------------------------------------------------------------

struct CaseLine {
    id: i64,
    ticket: i64,
    device: String,
    device_id: Option<i64>,
    country: String,
    aware: String,
    category: String,
    undecided: bool,
    deadlines: Vec<DeadlineLine>,
    acknowledged: String,
    breached: bool,
    late: bool,
    closed: bool,
}

#[derive(Template)]
#[template(path = "vigilance.html")]
struct CasesPage {
    bar: Bar,
    zone: String,
    /// The instant asked about, when not now (no countdown ticks then).
    as_of: Option<String>,
    /// Empty when not asked, so that showing again stays live.
    as_of_input: String,
    all: bool,
    cases: Vec<CaseLine>,
    breaches: Vec<CaseLine>,
    overdue: usize,
    late: usize,
}

#[derive(Deserialize)]
struct CasesQuery {
    as_of: Option<String>,
    all: Option<bool>,
}

async fn cases(
    Internal(p): Internal,
    State(s): State<AppState>,
    Query(q): Query<CasesQuery>,
) -> Result<Response, PageError> {
    let asked = asked_instant(&s, q.as_of.as_deref());
    let at = as_of(&s, asked.as_deref())?;
    let all = q.all.unwrap_or(false);
    let list = case_list(&s, at, all).await?;
    let mut lines = Vec::with_capacity(list.cases.len());
    for c in &list.cases {
        let (device, device_id) = device_text(&s, c.device).await?;
        lines.push(CaseLine {
            id: c.id,
            ticket: c.ticket,
            device,
            device_id,
            country: c.country.map_or(String::new(), |c| c.to_string()),
            aware: local(&s, c.aware_at),
            category: category_text(c.category),
            undecided: c.category.is_none(),
            deadlines: c
                .deadlines
                .iter()
                .map(|d| DeadlineLine::of(&s, d))
                .collect(),
            acknowledged: acknowledged(&s, &c.escalation)
                .unwrap_or_else(|| format!("not yet (due {})", local(&s, c.escalation.due_at))),
            breached: c.escalation.breached,
            late: c.submissions.iter().any(|x| x.late),
            closed: c.closed,
        });
    }
    let (breaches, cases): (Vec<CaseLine>, Vec<CaseLine>) =
        lines.into_iter().partition(|c| c.breached);
    Ok(page(&CasesPage {
        bar: Bar::of(&p),
        zone: zone_name(&s),
        as_of_input: asked
            .as_ref()
            .map_or_else(String::new, |_| local_input(&s, at)),
        as_of: asked.map(|_| local(&s, at)),
        all,
        overdue: list.overdue.len(),
        late: list.late_reports.len(),
        cases,
        breaches,
    }))
}

// ---- one case --------------------------------------------------------------------------------

/// The case forms' fields (each form posts its own; the others stay empty).
#[derive(Default, Deserialize)]
#[serde(default)]
struct CaseForm {
    csrf: Option<String>,
    category: String,
    rationale: String,
    reportability_aware_at: String,
    kind: String,
    market: String,
    submitted_at: String,
    reference: String,
    problem_codes: String,
    component_codes: String,
    health_effects: String,
    health_impacts: String,
    narrative: String,
}

impl CaseForm {
    /// The values a form shows: what was submitted, else what is on record.
    fn or(self, recorded: CaseForm) -> CaseForm {
        let pick = |given: String, recorded: String| {
            if given.trim().is_empty() {
                recorded
            } else {
                given
            }
        };
        CaseForm {
            csrf: None,
            category: pick(self.category, recorded.category),
            rationale: pick(self.rationale, recorded.rationale),
            reportability_aware_at: pick(
                self.reportability_aware_at,
                recorded.reportability_aware_at,
            ),
            kind: pick(self.kind, recorded.kind),
            market: pick(self.market, recorded.market),
            submitted_at: pick(self.submitted_at, recorded.submitted_at),
            reference: pick(self.reference, recorded.reference),
            problem_codes: pick(self.problem_codes, recorded.problem_codes),
            component_codes: pick(self.component_codes, recorded.component_codes),
            health_effects: pick(self.health_effects, recorded.health_effects),
            health_impacts: pick(self.health_impacts, recorded.health_impacts),
            narrative: pick(self.narrative, recorded.narrative),
        }
    }
}

/// The IMDRF code lists of the details form: the field, the annex, the list on record.
fn code_fields(d: &IncidentDetails) -> [(&'static str, Annex, &[String]); 4] {
    let i = &d.incident;
    [
        ("device_problem_codes", Annex::A, &i.device_problem_codes),
        ("component_codes", Annex::G, &i.component_codes),
        ("health_effect_codes", Annex::E, &i.health_effect_codes),
        ("health_impact_codes", Annex::F, &i.health_impact_codes),
    ]
}

/// Codes as typed in a form field: separated by commas or spaces.
fn code_list(text: &str) -> serde_json::Value {
    text.split(|c: char| c == ',' || c.is_whitespace())
        .filter(|c| !c.is_empty())
        .map(|c| serde_json::Value::String(c.to_owned()))
        .collect()
}

struct CodeLine {
    annex: String,
    code: String,
    term: String,
}

struct DecisionLine {
    decided: String,
    by: String,
    category: String,
    clock_from: String,
    rationale: String,
}

struct SubmissionLine {
    id: i64,
    kind: String,
    market: String,
    submitted: String,
    reference: String,
    recorded_by: String,
    late: bool,
}

struct DraftLine {
    name: &'static str,
    links: Vec<(&'static str, String)>,
    problems: Vec<String>,
    missing: Vec<&'static str>,
}

impl DraftLine {
    fn of(name: &'static str, links: Vec<(&'static str, String)>, check: DraftCheck) -> Self {
        DraftLine {
            name,
            links,
            problems: check.problems.iter().map(ToString::to_string).collect(),
            missing: check.missing,
        }
    }
}

#[derive(Template)]
#[template(path = "case.html")]
struct CasePage {
    bar: Bar,
    zone: String,
    id: i64,
    ticket: i64,
    device: String,
    device_id: Option<i64>,
    country: String,
    market: String,
    aware: String,
    flagged: String,
    category: String,
    undecided: bool,
    closed: bool,
    /// The instant asked about, when not now.
    as_of: Option<String>,
    deadlines: Vec<DeadlineLine>,
    escalation_due: String,
    acknowledged: Option<String>,
    breached: bool,
    decisions: Vec<DecisionLine>,
    submissions: Vec<SubmissionLine>,
    narrative: String,
    codes: Vec<CodeLine>,
    details_updated: String,
    drafts: Vec<DraftLine>,
    may_acknowledge: bool,
    may_decide: bool,
    may_report: bool,
    may_details: bool,
    categories: Vec<&'static str>,
    kinds: Vec<&'static str>,
    markets: Vec<&'static str>,
    form: CaseForm,
    failure: FormFailure,
}

async fn case_page(
    s: &AppState,
    p: &Principal,
    id: i64,
    asked: Option<&str>,
    submitted: CaseForm,
    failure: FormFailure,
) -> Result<Response, WebError> {
    let at = as_of(s, asked)?;
    let full = case_full(s, id, at).await?;
    let c = &full.case;
    let (device, device_id) = device_text(s, c.device).await?;
    let recorded = full
        .details
        .as_ref()
        .map(|d| d.details.clone())
        .unwrap_or_default();
    let joined = |list: &[String]| list.join(" ");
    let lists = code_fields(&recorded);
    let form = submitted.or(CaseForm {
        category: c.category.map_or(String::new(), |k| k.to_string()),
        kind: "initial".into(),
        submitted_at: local_input(s, (s.clock)()),
        problem_codes: joined(lists[0].2),
        component_codes: joined(lists[1].2),
        health_effects: joined(lists[2].2),
        health_impacts: joined(lists[3].2),
        narrative: recorded.incident.description.clone().unwrap_or_default(),
        ..CaseForm::default()
    });
    let codes = lists
        .iter()
        .flat_map(|(_, annex, list)| {
            list.iter().map(move |code| CodeLine {
                annex: format!("{annex:?}"),
                code: code.clone(),
                term: codes()
                    .get(*annex, code)
                    .map_or_else(String::new, |t| t.term.clone()),
            })
        })
        .collect();
    let download = |format: &str| format!("/api/vigilance/{id}/draft?format={format}");
    let mut drafts = vec![DraftLine::of(
        "EU Manufacturer Incident Report (MIR)",
        vec![
            ("MIR as JSON", download("mir-json")),
            ("MIR as XML", download("mir-xml")),
        ],
        full.mir_draft,
    )];
    let fda = DraftLine::of(
        "FDA MedWatch 3500A",
        vec![("3500A as JSON", download("fda-3500a"))],
        full.fda_draft,
    );
    // The 3500A is for the US market; a case whose market is unknown may need either.
    if c.market != Some(Market::Eu) {
        drafts.push(fda);
    }
    let page = CasePage {
        bar: Bar::of(p),
        zone: zone_name(s),
        id,
        ticket: c.ticket,
        device,
        device_id,
        country: c.country.map_or(String::new(), |x| x.to_string()),
        market: c
            .market
            .map_or("unknown (both markets' clocks run)".to_owned(), |m| {
                m.to_string()
            }),
        aware: local(s, c.aware_at),
        flagged: format!("{} by {}", local(s, c.flagged_at), c.flagged_by),
        category: category_text(c.category),
        undecided: c.category.is_none(),
        closed: c.closed,
        as_of: asked.map(|_| local(s, at)),
        deadlines: c.deadlines.iter().map(|d| DeadlineLine::of(s, d)).collect(),
        escalation_due: local(s, c.escalation.due_at),
        acknowledged: acknowledged(s, &c.escalation),
        breached: c.escalation.breached,
        decisions: c
            .decisions
            .iter()
            .map(|d| DecisionLine {
                decided: local(s, d.decided_at),
                by: d.decided_by.clone(),
                category: d.category.to_string(),
                clock_from: local(s, d.clock_from),
                rationale: d.rationale.clone(),
            })
            .collect(),
        submissions: c
            .submissions
            .iter()
            .map(|x| SubmissionLine {
                id: x.submission.id,
                kind: x.submission.kind.to_string(),
                market: x.submission.market.to_string(),
                submitted: local(s, x.submission.submitted_at),
                reference: x.submission.reference.clone().unwrap_or_default(),
                recorded_by: x.submission.recorded_by.clone(),
                late: x.late,
            })
            .collect(),
        narrative: recorded.incident.description.clone().unwrap_or_default(),
        codes,
        details_updated: full.details.as_ref().map_or(String::new(), |d| {
            format!("{}, {}", d.updated_by, local(s, d.updated_at))
        }),
        drafts,
        may_acknowledge: p.may(Action::AcknowledgeCase) && c.escalation.acknowledged_by.is_none(),
        may_decide: p.may(Action::DecideCase),
        may_report: p.may(Action::RecordSubmission) && c.category != Some(Category::NotReportable),
        may_details: p.may(Action::RecordCaseDetails),
        categories: Category::WORDS
            .iter()
            .filter(|(_, k)| match (k.market(), c.market) {
                (Some(wanted), Some(market)) => wanted == market,
                _ => true,
            })
            .map(|(w, _)| *w)
            .collect(),
        kinds: ReportKind::WORDS.iter().map(|(w, _)| *w).collect(),
        markets: [Market::Eu, Market::Us].map(|m| m.as_str()).to_vec(),
        form,
        failure,
    };
    Ok(page.failure.answer(&page))
}

#[derive(Deserialize)]
struct CaseQuery {
    as_of: Option<String>,
}

async fn case(
    Internal(p): Internal,
    State(s): State<AppState>,
    Path(id): Path<i64>,
    Query(q): Query<CaseQuery>,
) -> Result<Response, PageError> {
    let asked = asked_instant(&s, q.as_of.as_deref());
    Ok(case_page(
        &s,
        &p,
        id,
        asked.as_deref(),
        CaseForm::default(),
        FormFailure::none(),
    )
    .await?)
}

/// After a case form: back to the case, or the case page again with why not.
async fn settle(
    s: &AppState,
    p: &Principal,
    id: i64,
    done: Result<(), WebError>,
    form: CaseForm,
) -> Result<Response, PageError> {
    after_form(
        done,
        |()| format!("/vigilance/{id}"),
        async |failure| case_page(s, p, id, None, form, failure).await,
    )
    .await
}

async fn acknowledge(
    Internal(p): Internal,
    State(s): State<AppState>,
    Path(id): Path<i64>,
    Form(f): Form<CaseForm>,
) -> Result<Response, PageError> {
    p.check_csrf(f.csrf.as_deref())?;
    let done = acknowledge_as(&s, &p, id).await.map(drop);
    settle(&s, &p, id, done, f).await
}

async fn decide(
    Internal(p): Internal,
    State(s): State<AppState>,
    Path(id): Path<i64>,
    Form(f): Form<CaseForm>,
) -> Result<Response, PageError> {
    p.check_csrf(f.csrf.as_deref())?;
    let r = DecideRequest {
        category: f.category.clone(),
        rationale: f.rationale.clone(),
        reportability_aware_at: Some(instant_text(&s, &f.reportability_aware_at)),
    };
    let done = decide_as(&s, &p, id, &r).await.map(drop);
    settle(&s, &p, id, done, f).await
}

async fn report(
    Internal(p): Internal,
    State(s): State<AppState>,
    Path(id): Path<i64>,
    Form(f): Form<CaseForm>,
) -> Result<Response, PageError> {
    p.check_csrf(f.csrf.as_deref())?;
    let r = ReportRequest {
        kind: f.kind.clone(),
        submitted_at: instant_text(&s, &f.submitted_at),
        market: Some(f.market.clone()),
        reference: Some(f.reference.clone()),
    };
    let done = report_as(&s, &p, id, &r).await.map(drop);
    settle(&s, &p, id, done, f).await
}

async fn details(
    Internal(p): Internal,
    State(s): State<AppState>,
    Path(id): Path<i64>,
    Form(f): Form<CaseForm>,
) -> Result<Response, PageError> {
    p.check_csrf(f.csrf.as_deref())?;
    let narrative = f.narrative.trim();
    let mut incident = serde_json::Map::new();
    for ((field, _, _), text) in code_fields(&IncidentDetails::default()).iter().zip([
        &f.problem_codes,
        &f.component_codes,
        &f.health_effects,
        &f.health_impacts,
    ]) {
        incident.insert((*field).to_owned(), code_list(text));
    }
    incident.insert(
        "description".into(),
        match narrative {
            "" => serde_json::Value::Null,
            n => n.into(),
        },
    );
    let r = DetailsRequest {
        incident,
        ..DetailsRequest::default()
    };
    let done = details_as(&s, &p, id, &r).await.map(drop);
    settle(&s, &p, id, done, f).await
}

// ---- FSCA ------------------------------------------------------------------------------------

fn fsca_href(id: &str) -> String {
    format!("/fsca/{}", path_segment(id))
}

struct FscaLine {
    id: String,
    href: String,
    title: String,
    product: String,
    opened: String,
    devices: usize,
    customers: usize,
    acknowledged: usize,
    percent: u32,
}

/// The share acknowledged as a whole percentage, for the bar.
fn percent(share: f64) -> u32 {
    (share * 100.0).round().clamp(0.0, 100.0) as u32
}

#[derive(Template)]
#[template(path = "fscas.html")]
struct FscasPage {
    bar: Bar,
    rows: Vec<FscaLine>,
    may_open: bool,
    products: Vec<(String, String)>,
    form: FscaValues,
    failure: FormFailure,
}

/// The open form's values as shown again.
#[derive(Default)]
struct FscaValues {
    id: String,
    title: String,
    product: String,
    versions: String,
    lots: String,
    serials: String,
    countries: String,
    reason: String,
    notice: String,
    case: String,
}

#[derive(Deserialize)]
struct FscaForm {
    csrf: Option<String>,
    #[serde(flatten)]
    request: FscaRequest,
}

async fn fscas_page(
    s: &AppState,
    p: &Principal,
    form: FscaValues,
    failure: FormFailure,
) -> Result<Response, WebError> {
    let rows = fsca_views(s)
        .await?
        .into_iter()
        .map(|v| FscaLine {
            href: fsca_href(&v.fsca.id),
            opened: local(s, v.fsca.opened_at),
            devices: v.progress.devices,
            customers: v.progress.customers,
            acknowledged: v.progress.customers_acknowledged,
            percent: percent(v.progress.share_acknowledged),
            id: v.fsca.id,
            title: v.fsca.title,
            product: v.fsca.product,
        })
        .collect();
    let page = FscasPage {
        bar: Bar::of(p),
        rows,
        may_open: p.may(Action::OpenFsca),
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

async fn fscas(Internal(p): Internal, State(s): State<AppState>) -> Result<Response, PageError> {
    Ok(fscas_page(&s, &p, FscaValues::default(), FormFailure::none()).await?)
}

async fn open_fsca(
    Internal(p): Internal,
    State(s): State<AppState>,
    Form(f): Form<FscaForm>,
) -> Result<Response, PageError> {
    p.check_csrf(f.csrf.as_deref())?;
    let done = open_fsca_as(&s, &p, &f.request).await;
    let r = f.request;
    let values = FscaValues {
        id: r.id,
        title: r.title,
        product: r.product,
        versions: r.versions.join(","),
        lots: r.lots.join(","),
        serials: r.serials.join(","),
        countries: r.countries.join(","),
        reason: r.reason,
        notice: r.notice,
        case: r.case.unwrap_or_default(),
    };
    after_form(
        done,
        |v| fsca_href(&v.fsca.id),
        async |failure| fscas_page(&s, &p, values, failure).await,
    )
    .await
}

struct CustomerLine {
    name: String,
    devices: usize,
    countries: String,
    acknowledged: String,
    csv: String,
}

struct DeviceLine {
    device: i64,
    serial: String,
    country: String,
    customer: String,
    software: String,
}

/// A page lists this many of an FSCA's devices; the customers' CSV files hold them all.
const DEVICE_ROWS: usize = 500;

#[derive(Template)]
#[template(path = "fsca.html")]
struct FscaPage {
    bar: Bar,
    zone: String,
    f: vigilo_vigilance::Fsca,
    action: String,
    scope: String,
    opened: String,
    devices_total: usize,
    devices_acknowledged: usize,
    customers_total: usize,
    customers_acknowledged: usize,
    percent: u32,
    customers: Vec<CustomerLine>,
    devices: Vec<DeviceLine>,
    may_acknowledge: bool,
    unacknowledged: Vec<String>,
    now_local: String,
    failure: FormFailure,
}

async fn fsca_page(
    s: &AppState,
    p: &Principal,
    id: &str,
    failure: FormFailure,
) -> Result<Response, WebError> {
    let v = fsca_view(s, id).await?;
    let pr = &v.progress;
    let f = &v.fsca;
    let criteria = [
        ("versions", &f.versions),
        ("lots", &f.lots),
        ("serials", &f.serials),
        ("countries", &f.countries),
    ];
    let scope: Vec<String> = criteria
        .iter()
        .filter(|(_, list)| !list.is_empty())
        .map(|(what, list)| format!("{what} {}", list.join(", ")))
        .collect();
    let page = FscaPage {
        bar: Bar::of(p),
        zone: zone_name(s),
        action: format!("{}/acknowledgements", fsca_href(id)),
        scope: if scope.is_empty() {
            format!("every device of {} in the field", f.product)
        } else {
            format!("devices of {} with {}", f.product, scope.join("; "))
        },
        opened: format!("{} by {}", local(s, f.opened_at), f.opened_by),
        devices_total: pr.devices,
        devices_acknowledged: pr.devices_acknowledged,
        customers_total: pr.customers,
        customers_acknowledged: pr.customers_acknowledged,
        percent: percent(pr.share_acknowledged),
        customers: pr
            .by_customer
            .iter()
            .map(|c| CustomerLine {
                name: c.customer.clone(),
                devices: c.devices,
                countries: c.countries.join(", "),
                acknowledged: c.acknowledged_at.map_or(String::new(), |t| local(s, t)),
                csv: customer_list_href(id, &c.customer),
            })
            .collect(),
        devices: v
            .devices
            .iter()
            .take(DEVICE_ROWS)
            .map(|d| DeviceLine {
                device: d.device,
                serial: d.serial.clone(),
                country: d.country.clone(),
                customer: d.customer.clone(),
                software: d.software.clone().unwrap_or_default(),
            })
            .collect(),
        may_acknowledge: p.may(Action::RecordFscaAcknowledgement),
        unacknowledged: pr
            .by_customer
            .iter()
            .filter(|c| c.acknowledged_at.is_none())
            .map(|c| c.customer.clone())
            .collect(),
        now_local: local_input(s, (s.clock)()),
        failure,
        f: v.fsca.clone(),
    };
    Ok(page.failure.answer(&page))
}

async fn fsca(
    Internal(p): Internal,
    State(s): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    Ok(fsca_page(&s, &p, &id, FormFailure::none()).await?)
}

#[derive(Deserialize)]
struct AckForm {
    csrf: Option<String>,
    customer: String,
    at: Option<String>,
}

async fn acknowledge_fsca(
    Internal(p): Internal,
    State(s): State<AppState>,
    Path(id): Path<String>,
    Form(f): Form<AckForm>,
) -> Result<Response, PageError> {
    p.check_csrf(f.csrf.as_deref())?;
    let r = FscaAckRequest {
        customer: f.customer,
        at: f.at.map(|a| instant_text(&s, &a)),
    };
    let done = acknowledge_fsca_as(&s, &p, &id, &r).await;
    after_form(
        done,
        |_| fsca_href(&id),
        async |failure| fsca_page(&s, &p, &id, failure).await,
    )
    .await
}
