//! The trend and PMS review API (MDR Art. 88, SPEC §3.3, §3.4): a product's monthly rates per
//! product, part, lot and problem code tested against their baseline, and the monthly
//! service-data review with its quarterly summary. Internal records, like vigilance
//! (crate::vigilance::Internal); recording a review is for the PMS data owner and quality.

use crate::AppState;
use crate::api::{ApiResult, Created, ErrorBody, created, csrf};
use crate::auth::Principal;
use crate::error::WebError;
use crate::vigilance::{Internal, json_fields};
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};
use vigilo_store::requests::{
    ReviewRequest, Spelling, TrendRequest, TrendSettings, month as parse_month,
};
use vigilo_store::trends::ReviewMaterial;
use vigilo_trends::{Assessment, Month, TrendConfig};
use vigilo_vigilance::ReviewDecision;
use vigilo_vigilance::review::{Quarter, QuarterMonth, Quarterly, ReviewView, quarterly};

#[derive(OpenApi)]
#[openapi(
    paths(trends, reviews, record_review),
    components(schemas(
        Trends,
        Reviews,
        ReviewView,
        ReviewMaterial,
        Quarterly,
        QuarterMonth,
        ReviewDecision,
        ReviewRequest,
        TrendSettings
    ))
)]
pub struct PmsDoc;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/trends", get(trends))
        .route("/api/reviews", get(reviews).post(record_review))
}

// ---- shared with the pages -------------------------------------------------------------------

#[derive(Serialize, ToSchema)]
pub struct Trends {
    pub product: String,
    #[schema(value_type = String)]
    pub month: Month,
    pub alpha: f64,
    pub baseline_months: u32,
    pub cusum_h: f64,
    /// Subjects that signalled.
    pub signals: usize,
    /// Per subject (the product, each part, lot and IMDRF problem code), signals first: the
    /// monthly rates, the baseline, and each test's statistic, p-value and threshold.
    #[schema(value_type = Vec<Object>)]
    pub assessments: Vec<Assessment>,
}

pub async fn trends_for(
    s: &AppState,
    product: &str,
    month: Month,
    config: &TrendConfig,
) -> Result<Trends, WebError> {
    let assessments = s
        .store
        .trends(product, month, config)
        .await
        .map_err(json_fields)?;
    Ok(Trends {
        product: product.to_owned(),
        month,
        alpha: config.alpha,
        baseline_months: config.baseline_months,
        cusum_h: config.cusum_h,
        signals: assessments.iter().filter(|a| a.signal).count(),
        assessments,
    })
}

#[derive(Serialize, ToSchema)]
pub struct Reviews {
    /// Every recorded review, oldest month first.
    pub reviews: Vec<ReviewView>,
    /// With `month`: that month's material as it stands now…
    pub material: Option<ReviewMaterial>,
    /// …and the summary of its quarter.
    pub quarterly: Option<Quarterly>,
}

/// Every recorded review, oldest month first.
pub async fn review_views(s: &AppState) -> Result<Vec<ReviewView>, WebError> {
    Ok(s.store
        .reviews()
        .await?
        .into_iter()
        .map(ReviewView::from)
        .collect())
}

pub async fn review_material(
    s: &AppState,
    month: Month,
    config: &TrendConfig,
) -> Result<ReviewMaterial, WebError> {
    s.store
        .review_material(month, config)
        .await
        .map_err(json_fields)
}

async fn reviews_for(
    s: &AppState,
    month: Option<Month>,
    config: &TrendConfig,
) -> Result<Reviews, WebError> {
    let reviews = review_views(s).await?;
    let (material, quarterly) = match month {
        Some(m) => (
            Some(review_material(s, m, config).await?),
            Some(quarterly(Quarter::of_month(m.year, m.month), &reviews)),
        ),
        None => (None, None),
    };
    Ok(Reviews {
        reviews,
        material,
        quarterly,
    })
}

pub async fn record_review_as(
    s: &AppState,
    p: &Principal,
    r: &ReviewRequest,
) -> Result<ReviewView, WebError> {
    let input = r.parse(Spelling::Json)?;
    Ok(s.store
        .record_review(
            &p.actor,
            input.month,
            input.decision,
            &input.notes,
            &input.config,
            (s.clock)(),
        )
        .await
        .map_err(json_fields)?
        .into())
}

// ---- handlers --------------------------------------------------------------------------------

/// A product's trend assessment for a month: monthly rates per 1000 device-months for the
/// product and each part, lot and IMDRF problem code, each tested against the baseline months
/// before it (exact Poisson, conditional binomial, Poisson CUSUM).
#[utoipa::path(get, path = "/api/trends", params(TrendRequest, TrendSettings),
    responses((status = 200, body = Trends), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn trends(
    Internal(_): Internal,
    State(s): State<AppState>,
    Query(r): Query<TrendRequest>,
    Query(settings): Query<TrendSettings>,
) -> ApiResult<Trends> {
    let (product, month) = r.parse(Spelling::Json)?;
    let config = settings.config(Spelling::Json)?;
    Ok(Json(trends_for(&s, &product, month, &config).await?))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReviewsQuery {
    /// YYYY-MM: add that month's material and its quarter's summary.
    pub month: Option<String>,
}

/// The recorded monthly PMS reviews; with `month`, that month's signals and counts and the
/// summary of its quarter.
#[utoipa::path(get, path = "/api/reviews", params(ReviewsQuery, TrendSettings),
    responses((status = 200, body = Reviews), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn reviews(
    Internal(_): Internal,
    State(s): State<AppState>,
    Query(q): Query<ReviewsQuery>,
    Query(settings): Query<TrendSettings>,
) -> ApiResult<Reviews> {
    let month = q
        .month
        .as_deref()
        .filter(|m| !m.trim().is_empty())
        .map(|m| parse_month("month", m))
        .transpose()?;
    let config = settings.config(Spelling::Json)?;
    Ok(Json(reviews_for(&s, month, &config).await?))
}

/// Records the month's review: its signals as built now, the decision and the written record.
/// A month reviewed again keeps the earlier record in the audit chain.
#[utoipa::path(post, path = "/api/reviews", request_body = ReviewRequest,
    responses((status = 201, body = ReviewView), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn record_review(
    Internal(p): Internal,
    State(s): State<AppState>,
    headers: HeaderMap,
    Json(r): Json<ReviewRequest>,
) -> Created<ReviewView> {
    csrf(&p, &headers)?;
    Ok(created(record_review_as(&s, &p, &r).await?))
}
