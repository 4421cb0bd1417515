//! Trend detection (MDR Art. 88) and the monthly PMS service-data review (SPEC §3.4):
//! `vigilo trends` and `vigilo review`.

use crate::Ctx;
use crate::output::table;
use clap::{Args, Subcommand};
use serde_json::json;
use vigilo_registry::input::Invalid;
use vigilo_store::requests::{self, ReviewRequest, Spelling, TrendRequest, TrendSettings};
use vigilo_trends::{Assessment, TrendConfig};
use vigilo_vigilance::review::{Quarter, ReviewView, quarterly};

/// The statistical settings of an assessment (parsed by `TrendSettings`, as the API does).
#[derive(Args, Clone)]
pub struct TrendArgs {
    /// Months before the assessed one that make the baseline (default 12).
    #[arg(long)]
    baseline_months: Option<String>,
    /// Significance level of the exact tests (default 0.01; the CUSUM's interval is matched
    /// to it).
    #[arg(long)]
    alpha: Option<String>,
}

impl TrendArgs {
    fn settings(self) -> TrendSettings {
        TrendSettings {
            baseline_months: self.baseline_months,
            alpha: self.alpha,
        }
    }

    fn config(self) -> anyhow::Result<TrendConfig> {
        Ok(self.settings().config(Spelling::Flags)?)
    }
}

fn assessment_rows(list: &[Assessment]) -> String {
    let rows: Vec<Vec<String>> = list
        .iter()
        .map(|a| {
            let p = |m: vigilo_trends::Method| {
                a.tests
                    .iter()
                    .find(|t| t.method == m)
                    .map_or("-".to_owned(), |t| match t.p_value {
                        Some(p) => format!("{p:.4}"),
                        None => format!("{:.2}/{:.2}", t.statistic, t.threshold),
                    })
            };
            vec![
                if a.signal { "SIGNAL" } else { "" }.to_owned(),
                a.dimension.clone(),
                a.subject.clone(),
                a.observed.to_string(),
                format!("{:.2}", a.expected),
                format!("{:.3}", a.baseline_rate_per_1000),
                p(vigilo_trends::Method::PoissonExact),
                p(vigilo_trends::Method::ConditionalBinomial),
                p(vigilo_trends::Method::PoissonCusum),
            ]
        })
        .collect();
    table(
        &[
            "",
            "by",
            "subject",
            "observed",
            "expected",
            "base/1000",
            "poisson p",
            "binomial p",
            "cusum S/h",
        ],
        &rows,
    )
}

/// `vigilo trends`: a product's monthly rates and the tests against the baseline.
#[derive(Args)]
pub struct TrendsCmd {
    #[arg(long)]
    product: String,
    /// The month assessed, YYYY-MM.
    #[arg(long)]
    month: String,
    /// Only this dimension: product, part, lot or problem-code.
    #[arg(long)]
    by: Option<String>,
    #[command(flatten)]
    settings: TrendArgs,
}

pub async fn trends(ctx: &Ctx, cmd: TrendsCmd) -> anyhow::Result<()> {
    let (product, month) = TrendRequest {
        product: cmd.product,
        month: cmd.month,
    }
    .parse(Spelling::Flags)?;
    let config = cmd.settings.config()?;
    if let Some(by) = &cmd.by
        && !["product", "part", "lot", "problem-code"].contains(&by.as_str())
    {
        return Err(Invalid::new(
            "--by",
            format!("{by:?}: expected product, part, lot or problem-code"),
        )
        .into());
    }
    let store = ctx.store().await?;
    let list: Vec<Assessment> = store
        .trends(&product, month, &config)
        .await?
        .into_iter()
        .filter(|a| cmd.by.as_ref().is_none_or(|b| &a.dimension == b))
        .collect();
    let signals = list.iter().filter(|a| a.signal).count();
    ctx.out.emit(
        &json!({"product": product, "month": month, "alpha": config.alpha,
                "baseline_months": config.baseline_months, "cusum_h": config.cusum_h,
                "signals": signals, "assessments": list}),
        || {
            format!(
                "{} {month}: {signals} signal(s) of {} subjects (alpha {}, {}-month baseline)\n{}",
                product,
                list.len(),
                config.alpha,
                config.baseline_months,
                assessment_rows(&list)
            )
        },
    )
}

#[derive(Subcommand)]
pub enum ReviewCmd {
    /// Build the month's signals: trend tests per product, part, lot and problem code, and the
    /// safety-relevant complaints.
    Build {
        #[arg(long)]
        month: String,
        #[command(flatten)]
        settings: TrendArgs,
    },
    /// Record the reviewer's decision with the signals as built now.
    Record {
        #[arg(long)]
        month: String,
        /// no-action, monitor, capa or trend-report.
        #[arg(long)]
        decision: String,
        /// The written record of the review.
        #[arg(long)]
        notes: String,
        #[command(flatten)]
        settings: TrendArgs,
    },
    List,
    /// The quarter's reviews, signals and decisions (e.g. --quarter 2026-Q4).
    Quarterly {
        #[arg(long)]
        quarter: String,
    },
}

pub async fn review(ctx: &Ctx, cmd: ReviewCmd) -> anyhow::Result<()> {
    match cmd {
        ReviewCmd::Build { month: m, settings } => {
            let m = requests::month("--month", &m)?;
            let store = ctx.store().await?;
            let material = store.review_material(m, &settings.config()?).await?;
            ctx.out.emit(&material, || {
                format!(
                    "PMS review {m}: {} complaints, {} suspected serious incidents, {} signal(s) among {} subjects\n{}",
                    material.complaints,
                    material.suspected_serious,
                    material.signals.len(),
                    material.subjects_assessed,
                    assessment_rows(&material.signals)
                )
            })
        }
        ReviewCmd::Record {
            month: m,
            decision,
            notes,
            settings,
        } => {
            let r = ReviewRequest {
                month: m,
                decision,
                notes,
                settings: settings.settings(),
            }
            .parse(Spelling::Flags)?;
            let (store, actor) = ctx.store_as().await?;
            let review = ReviewView::from(
                store
                    .record_review(&actor, r.month, r.decision, &r.notes, &r.config, ctx.now)
                    .await?,
            );
            ctx.out.emit(&review, || {
                format!(
                    "review {} recorded: {} ({} signal(s))",
                    review.id,
                    review.decision,
                    review.signal_count()
                )
            })
        }
        ReviewCmd::List => {
            let reviews = views(ctx).await?;
            let rows: Vec<Vec<String>> = reviews
                .iter()
                .map(|r| {
                    vec![
                        r.id.clone(),
                        r.decision.to_string(),
                        r.signal_count().to_string(),
                        r.reviewer.clone(),
                        r.notes.clone(),
                    ]
                })
                .collect();
            ctx.out.emit(&json!({"reviews": reviews}), || {
                table(
                    &["month", "decision", "signals", "reviewer", "notes"],
                    &rows,
                )
            })
        }
        ReviewCmd::Quarterly { quarter } => {
            let quarter = Quarter::parse("--quarter", &quarter)?;
            let summary = quarterly(quarter, &views(ctx).await?);
            ctx.out.emit(&summary, || {
                let rows: Vec<Vec<String>> = summary
                    .months
                    .iter()
                    .map(|m| {
                        vec![
                            m.month.clone(),
                            m.decision.map_or("-".to_owned(), |d| d.to_string()),
                            m.signals.to_string(),
                            m.complaints.map_or("-".to_owned(), |c| c.to_string()),
                            m.notes.clone().unwrap_or_else(|| "-".to_owned()),
                        ]
                    })
                    .collect();
                let mut s = format!("PMS quarterly summary {}\n", summary.quarter);
                s.push_str(&table(
                    &["month", "decision", "signals", "complaints", "notes"],
                    &rows,
                ));
                if !summary.not_reviewed.is_empty() {
                    s.push_str(&format!(
                        "not reviewed: {}\n",
                        summary.not_reviewed.join(", ")
                    ));
                }
                s
            })
        }
    }
}

async fn views(ctx: &Ctx) -> anyhow::Result<Vec<ReviewView>> {
    let store = ctx.store().await?;
    Ok(store
        .reviews()
        .await?
        .into_iter()
        .map(ReviewView::from)
        .collect())
}
