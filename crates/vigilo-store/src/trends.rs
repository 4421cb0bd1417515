//! Trend data (MDR Art. 88) and the monthly PMS service-data review (SPEC §3.4): monthly event
//! counts per product, part, lot and IMDRF problem code, normalised by the devices in the field
//! that month, assessed by `vigilo_trends`.
//!
//! What counts as an event:
//! - product: a ticket triaged as a complaint, in the month it was received;
//! - problem code: such a complaint carrying an IMDRF Annex A code;
//! - part: a corrective replacement, i.e. a part fitted in a service event done for a ticket
//!   (scheduled replacements follow the IFU schedule and say nothing about failure);
//! - lot: a corrective replacement of a part whose removed unit came from the lot (known when
//!   Vigilo recorded its fitting); its exposure is the device-months the lot was fitted.
//!
//! Exposure for product, part and problem code is the product's devices in the field that
//! month: made (or, without a date of manufacture, first given software) on or before the
//! month's last day. A device's later return or scrapping has no date on record, so it counts
//! for every month since it shipped.

use crate::Store;
use crate::error::Result;
use crate::query::Select;
use crate::registry::Actor;
use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::Serialize;
use sqlx::Row;
use std::collections::{BTreeMap, HashMap};
use vigilo_registry::{Action, Invalid, Product};
use vigilo_trends::{Assessment, Month, Observation, Series, TrendConfig, assess};
use vigilo_vigilance::{Review, ReviewDecision};

fn month_of(t: Timestamp, zone: &TimeZone) -> Month {
    let d = t.to_zoned(zone.clone()).date();
    Month::new(d.year(), d.month()).expect("a calendar date has a valid month")
}

fn instant(micros: i64) -> Result<Timestamp> {
    Timestamp::from_microsecond(micros)
        .map_err(|e| crate::Error::Internal(format!("stored instant {micros}: {e}")))
}

/// Monthly counts of one subject within the window.
#[derive(Default)]
struct Counts {
    events: BTreeMap<Month, u64>,
    exposure: BTreeMap<Month, f64>,
}

impl Counts {
    fn event(&mut self, m: Month) {
        *self.events.entry(m).or_default() += 1;
    }

    fn series(
        self,
        dimension: &str,
        subject: String,
        product_exposure: &BTreeMap<Month, f64>,
    ) -> Series {
        let exposure = if self.exposure.is_empty() {
            product_exposure
        } else {
            &self.exposure
        };
        Series {
            subject,
            dimension: dimension.to_owned(),
            observations: exposure
                .iter()
                .map(|(&month, &exposure)| Observation {
                    month,
                    events: self.events.get(&month).copied().unwrap_or(0),
                    exposure,
                })
                .collect(),
        }
    }
}

/// One product's monthly review material.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProductTrends {
    pub product: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub assessments: Vec<Assessment>,
}

/// The month's signals across products, and the safety-relevant complaints.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReviewMaterial {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub month: Month,
    pub complaints: i64,
    /// Tickets flagged as suspected serious incidents in the month.
    pub suspected_serious: i64,
    /// The assessments that signalled.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub signals: Vec<Assessment>,
    pub subjects_assessed: usize,
}

impl Store {
    /// Every trend series of a product for the months `first..=last`.
    async fn trend_series(&self, product: &str, first: Month, last: Month) -> Result<Vec<Series>> {
        let zone = self.zone().await?;
        let months: Vec<Month> = std::iter::successors(Some(first), |m| Some(m.next()))
            .take_while(|m| *m <= last)
            .collect();
        let month_end = |m: Month| m.next().first_day();

        // Devices in the field per month.
        let rows = sqlx::query(
            "SELECT d.id, d.manufactured_on, MIN(s.installed_at) FROM devices d \
             LEFT JOIN device_software s ON s.device = d.id WHERE d.product = $1 \
             GROUP BY d.id, d.manufactured_on",
        )
        .bind(product)
        .fetch_all(&self.pool)
        .await?;
        let mut product_exposure: BTreeMap<Month, f64> = months.iter().map(|&m| (m, 0.0)).collect();
        for r in rows {
            let made: Option<String> = r.try_get(1)?;
            let first_software: Option<i64> = r.try_get(2)?;
            let start = match (
                made.and_then(|d| d.parse::<jiff::civil::Date>().ok()),
                first_software,
            ) {
                (Some(d), _) => Some(d),
                (None, Some(t)) => Some(instant(t)?.to_zoned(zone.clone()).date()),
                (None, None) => None,
            };
            for (&m, exposure) in product_exposure.iter_mut() {
                if start.is_none_or(|s| s < month_end(m)) {
                    *exposure += 1.0;
                }
            }
        }

        let in_window = |m: Month| first <= m && m <= last;
        let mut complaints = Counts::default();
        let mut codes: BTreeMap<String, Counts> = BTreeMap::new();
        let rows = sqlx::query(
            "SELECT t.id, t.received_at FROM tickets t JOIN devices d ON d.id = t.device \
             WHERE d.product = $1 AND t.classification = 'complaint'",
        )
        .bind(product)
        .fetch_all(&self.pool)
        .await?;
        let mut complaint_month: HashMap<i64, Month> = HashMap::with_capacity(rows.len());
        for r in rows {
            let m = month_of(instant(r.try_get(1)?)?, &zone);
            complaint_month.insert(r.try_get(0)?, m);
            if in_window(m) {
                complaints.event(m);
            }
        }
        let rows = sqlx::query(
            "SELECT c.ticket, c.code FROM ticket_codes c JOIN tickets t ON t.id = c.ticket \
             JOIN devices d ON d.id = t.device WHERE d.product = $1 AND c.annex = 'A'",
        )
        .bind(product)
        .fetch_all(&self.pool)
        .await?;
        for r in rows {
            if let Some(&m) = complaint_month.get(&r.try_get::<i64, _>(0)?)
                && in_window(m)
            {
                codes.entry(r.try_get(1)?).or_default().event(m);
            }
        }

        // Parts and lots: walk every fitting in order, so each replacement knows the lot of
        // the unit it removed.
        let rows = sqlx::query(
            "SELECT e.device, e.performed_at, e.ticket, p.part, p.lot FROM service_parts p \
             JOIN service_events e ON e.id = p.event JOIN devices d ON d.id = e.device \
             WHERE d.product = $1 ORDER BY e.performed_at, e.id, p.id",
        )
        .bind(product)
        .fetch_all(&self.pool)
        .await?;
        let mut parts: BTreeMap<String, Counts> = BTreeMap::new();
        let mut lots: BTreeMap<String, Counts> = BTreeMap::new();
        // (device, part) → (lot fitted, month fitted)
        let mut fitted: HashMap<(i64, String), (String, Month)> = HashMap::new();
        let add_fitted_months =
            |lots: &mut BTreeMap<String, Counts>, lot: &str, from: Month, to: Month| {
                let counts = lots.entry(lot.to_owned()).or_default();
                for &m in months.iter().filter(|&&m| from <= m && m <= to) {
                    *counts.exposure.entry(m).or_default() += 1.0;
                }
            };
        for r in rows {
            let device: i64 = r.try_get(0)?;
            let m = month_of(instant(r.try_get(1)?)?, &zone);
            let corrective = r.try_get::<Option<i64>, _>(2)?.is_some();
            let part: String = r.try_get(3)?;
            let lot: String = r.try_get(4)?;
            if corrective && in_window(m) {
                parts.entry(part.clone()).or_default().event(m);
            }
            if let Some((old_lot, since)) = fitted.insert((device, part), (lot, m)) {
                add_fitted_months(&mut lots, &old_lot, since, m);
                if corrective && in_window(m) {
                    lots.entry(old_lot).or_default().event(m);
                }
            }
        }
        for (lot, since) in fitted.into_values() {
            add_fitted_months(&mut lots, &lot, since, last);
        }

        let mut series = vec![complaints.series("product", product.to_owned(), &product_exposure)];
        for (dimension, map) in [("part", parts), ("lot", lots), ("problem-code", codes)] {
            for (subject, counts) in map {
                series.push(counts.series(dimension, subject, &product_exposure));
            }
        }
        Ok(series)
    }

    /// A product's trend assessments for `month`, signals first.
    pub async fn trends(
        &self,
        product: &str,
        month: Month,
        config: &TrendConfig,
    ) -> Result<Vec<Assessment>> {
        config
            .validate()
            .map_err(|e| Invalid::new("trend configuration", e.to_string()))?;
        if self
            .fetch_one(Select::<Product>::all().eq("id", product))
            .await?
            .is_none()
        {
            return Err(Invalid::new("--product", format!("no product {product:?}")).into());
        }
        let mut first = month;
        for _ in 0..config.baseline_months {
            first = first.prev();
        }
        let mut out: Vec<Assessment> = self
            .trend_series(product, first, month)
            .await?
            .iter()
            .map(|s| assess(s, month, config))
            .collect();
        out.sort_by_key(|a| !a.signal);
        Ok(out)
    }

    /// The month's review material over every product.
    pub async fn review_material(
        &self,
        month: Month,
        config: &TrendConfig,
    ) -> Result<ReviewMaterial> {
        let zone = self.zone().await?;
        let mut signals = Vec::new();
        let mut assessed = 0;
        for p in self.products().await? {
            let all = self.trends(&p.id, month, config).await?;
            assessed += all.len();
            signals.extend(all.into_iter().filter(|a| a.signal));
        }
        let start_of = |m: Month| {
            m.first_day()
                .to_zoned(zone.clone())
                .map(|z| z.timestamp().as_microsecond())
                .map_err(|e| crate::Error::Internal(format!("start of {m}: {e}")))
        };
        let (from, to) = (start_of(month)?, start_of(month.next())?);
        let count = |sql: &'static str| {
            sqlx::query_scalar::<_, i64>(sql)
                .bind(from)
                .bind(to)
                .fetch_one(&self.pool)
        };
        Ok(ReviewMaterial {
            month,
            complaints: count(
                "SELECT COUNT(*) FROM tickets WHERE classification = 'complaint' \
                 AND received_at >= $1 AND received_at < $2",
            )
            .await?,
            suspected_serious: count(
                "SELECT COUNT(*) FROM vigilance_cases WHERE flagged_at >= $1 AND flagged_at < $2",
            )
            .await?,
            signals,
            subjects_assessed: assessed,
        })
    }

    /// Records the month's review: the material as built now, the decision and the notes. A
    /// month reviewed again keeps the earlier record in the audit chain.
    pub async fn record_review(
        &self,
        actor: &Actor,
        month: Month,
        decision: ReviewDecision,
        notes: &str,
        config: &TrendConfig,
        now: Timestamp,
    ) -> Result<Review> {
        actor.may(Action::RecordReview)?;
        let notes = notes.trim();
        if notes.is_empty() {
            return Err(Invalid::new("--notes", "the review needs its written record").into());
        }
        let material = self.review_material(month, config).await?;
        let after = Review {
            id: month.to_string(),
            signals: serde_json::to_value(&material)
                .map_err(|e| crate::Error::Internal(format!("review material: {e}")))?,
            decision,
            notes: notes.to_owned(),
            reviewer: actor.person.id.clone(),
            reviewed_at: now,
        };
        let mut tx = self.begin_write(&actor.person.id, now).await?;
        match tx
            .fetch_one(Select::<Review>::all().eq("id", after.id.as_str()))
            .await?
        {
            Some(before) => tx.update("review.record", &before, &after).await?,
            None => tx.insert("review.record", &after).await?,
        };
        tx.commit().await?;
        Ok(after)
    }

    pub async fn reviews(&self) -> Result<Vec<Review>> {
        self.fetch(Select::<Review>::all().order_by("id")).await
    }
}
