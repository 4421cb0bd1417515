//! The trends page (one chart per subject, signals first, with each test's figures) and the
//! monthly PMS review page (the month's signals and counts, the record form, past reviews and
//! the quarter's summary). Authorised like the API they mirror (crate::pms).

use crate::AppState;
use crate::auth::Principal;
use crate::chart::{Chart, rate};
use crate::error::{PageError, WebError};
use crate::pages::{Bar, FormFailure, after_form, local};
use crate::pms::{Trends, record_review_as, review_material, review_views, trends_for};
use crate::vigilance::Internal;
use askama::Template;
use axum::Router;
use axum::extract::{Form, Query, State};
use axum::response::Response;
use axum::routing::get;
use jiff::civil::Date;
use serde::Deserialize;
use vigilo_registry::Action;
use vigilo_store::requests::{ReviewRequest, Spelling, TrendRequest, TrendSettings, month};
use vigilo_trends::{Assessment, Method, Month, TrendConfig};
use vigilo_vigilance::ReviewDecision;
use vigilo_vigilance::review::{Quarter, Quarterly, quarterly};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/trends", get(trends))
        .route("/review", get(review).post(record_review))
}

/// The last complete month: what a monthly review looks at.
fn last_month(today: Date) -> Month {
    Month {
        year: today.year(),
        month: today.month(),
    }
    .prev()
}

fn method_name(m: Method) -> &'static str {
    match m {
        Method::PoissonExact => "exact Poisson test",
        Method::ConditionalBinomial => "conditional binomial test",
        Method::PoissonCusum => "Poisson CUSUM",
    }
}

// ---- trends ----------------------------------------------------------------------------------

/// Small p-values in scientific notation: four decimals would read 0.0000.
fn p_value(p: f64) -> String {
    if p < 0.001 {
        format!("{p:.1e}")
    } else {
        format!("{p:.4}")
    }
}

struct TestLine {
    method: &'static str,
    statistic: String,
    p_value: String,
    threshold: String,
    signal: bool,
    description: String,
}

struct Subject {
    /// Unique on the page: ties the chart's title and description to it.
    index: usize,
    subject: String,
    dimension: String,
    signal: bool,
    summary: String,
    observed: u64,
    expected: String,
    baseline: String,
    chart: Chart,
    tests: Vec<TestLine>,
}

impl Subject {
    fn of(index: usize, a: &Assessment) -> Subject {
        Subject {
            index,
            subject: a.subject.clone(),
            dimension: a.dimension.clone(),
            signal: a.signal,
            summary: a.summary.clone(),
            observed: a.observed,
            expected: rate(a.expected),
            baseline: rate(a.baseline_rate_per_1000),
            chart: Chart::of(a),
            tests: a
                .tests
                .iter()
                .map(|t| TestLine {
                    method: method_name(t.method),
                    statistic: format!("{:.3}", t.statistic),
                    p_value: t.p_value.map_or("-".to_owned(), p_value),
                    threshold: format!("{:.3}", t.threshold),
                    signal: t.signal,
                    description: t.description.clone(),
                })
                .collect(),
        }
    }
}

#[derive(Template)]
#[template(path = "trends.html")]
struct TrendsPage {
    bar: Bar,
    products: Vec<(String, String)>,
    product: String,
    month: String,
    baseline_months: String,
    alpha: String,
    signals: usize,
    subjects: Vec<Subject>,
    failure: FormFailure,
}

#[derive(Deserialize)]
struct TrendsQuery {
    product: Option<String>,
    month: Option<String>,
    #[serde(flatten)]
    settings: TrendSettings,
}

async fn assess(
    s: &AppState,
    r: &TrendRequest,
    settings: &TrendSettings,
) -> Result<Trends, WebError> {
    let (product, month) = r.parse(Spelling::Json)?;
    trends_for(s, &product, month, &settings.config(Spelling::Json)?).await
}

async fn trends(
    Internal(p): Internal,
    State(s): State<AppState>,
    Query(q): Query<TrendsQuery>,
) -> Result<Response, PageError> {
    let products: Vec<(String, String)> = s
        .store
        .products()
        .await?
        .into_iter()
        .map(|x| (x.id, x.name))
        .collect();
    let r = TrendRequest {
        product: q
            .product
            .filter(|x| !x.trim().is_empty())
            .or_else(|| products.first().map(|x| x.0.clone()))
            .unwrap_or_default(),
        month: q
            .month
            .filter(|x| !x.trim().is_empty())
            .unwrap_or_else(|| last_month(p.today).to_string()),
    };
    let (signals, subjects, failure) = if products.is_empty() {
        (0, Vec::new(), FormFailure::none())
    } else {
        match assess(&s, &r, &q.settings).await {
            Ok(t) => (
                t.signals,
                t.assessments
                    .iter()
                    .enumerate()
                    .map(|(i, a)| Subject::of(i, a))
                    .collect(),
                FormFailure::none(),
            ),
            Err(e @ WebError::Store(_)) => (0, Vec::new(), FormFailure::of(e)),
            Err(e) => return Err(e.into()),
        }
    };
    let page = TrendsPage {
        bar: Bar::of(&p),
        products,
        product: r.product,
        month: r.month,
        baseline_months: q.settings.baseline_months.unwrap_or_default(),
        alpha: q.settings.alpha.unwrap_or_default(),
        signals,
        subjects,
        failure,
    };
    Ok(page.failure.answer(&page))
}

// ---- the monthly review ----------------------------------------------------------------------

struct SignalLine {
    dimension: String,
    subject: String,
    observed: u64,
    expected: String,
    summary: String,
}

#[derive(Clone)]
struct ReviewLine {
    month: String,
    decision: String,
    signals: usize,
    reviewer: String,
    reviewed: String,
    notes: String,
}

#[derive(Template)]
#[template(path = "review.html")]
struct ReviewPage {
    bar: Bar,
    month: String,
    complaints: i64,
    suspected_serious: i64,
    subjects_assessed: usize,
    signals: Vec<SignalLine>,
    recorded: Option<ReviewLine>,
    reviews: Vec<ReviewLine>,
    quarterly: Quarterly,
    may_record: bool,
    decisions: Vec<&'static str>,
    decision: String,
    notes: String,
    failure: FormFailure,
}

async fn review_page(
    s: &AppState,
    p: &Principal,
    m: Month,
    decision: String,
    notes: String,
    failure: FormFailure,
) -> Result<Response, WebError> {
    let all = review_views(s).await?;
    let material = review_material(s, m, &TrendConfig::default()).await?;
    let reviews: Vec<ReviewLine> = all
        .iter()
        .rev()
        .map(|r| ReviewLine {
            month: r.id.clone(),
            decision: r.decision.to_string(),
            signals: r.signal_count(),
            reviewer: r.reviewer.clone(),
            reviewed: local(s, r.reviewed_at),
            notes: r.notes.clone(),
        })
        .collect();
    let page = ReviewPage {
        bar: Bar::of(p),
        month: m.to_string(),
        complaints: material.complaints,
        suspected_serious: material.suspected_serious,
        subjects_assessed: material.subjects_assessed,
        signals: material
            .signals
            .iter()
            .map(|a| SignalLine {
                dimension: a.dimension.clone(),
                subject: a.subject.clone(),
                observed: a.observed,
                expected: rate(a.expected),
                summary: a.summary.clone(),
            })
            .collect(),
        recorded: reviews.iter().find(|r| r.month == m.to_string()).cloned(),
        reviews,
        quarterly: quarterly(Quarter::of_month(m.year, m.month), &all),
        may_record: p.may(Action::RecordReview),
        decisions: ReviewDecision::WORDS.iter().map(|(w, _)| *w).collect(),
        decision,
        notes,
        failure,
    };
    Ok(page.failure.answer(&page))
}

#[derive(Deserialize)]
struct ReviewQuery {
    month: Option<String>,
}

async fn review(
    Internal(p): Internal,
    State(s): State<AppState>,
    Query(q): Query<ReviewQuery>,
) -> Result<Response, PageError> {
    let m = match q.month.as_deref().map(str::trim).filter(|x| !x.is_empty()) {
        Some(text) => month("month", text)?,
        None => last_month(p.today),
    };
    Ok(review_page(&s, &p, m, String::new(), String::new(), FormFailure::none()).await?)
}

#[derive(Deserialize)]
struct ReviewForm {
    csrf: Option<String>,
    #[serde(flatten)]
    request: ReviewRequest,
}

async fn record_review(
    Internal(p): Internal,
    State(s): State<AppState>,
    Form(f): Form<ReviewForm>,
) -> Result<Response, PageError> {
    p.check_csrf(f.csrf.as_deref())?;
    let r = f.request;
    let done = record_review_as(&s, &p, &r).await;
    after_form(
        done,
        |v| format!("/review?month={}", v.id),
        async |failure| {
            let m = month("month", &r.month)?;
            review_page(&s, &p, m, r.decision, r.notes, failure).await
        },
    )
    .await
}
