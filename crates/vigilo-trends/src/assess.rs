use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::Month;
use crate::stats::{conditional_binomial_p, poisson_cusum, poisson_upper_p};

/// One monthly observation for one subject.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Observation {
    pub month: Month,
    pub events: u64,
    /// Device-months in the field that month (the number of devices in the field). A value
    /// that is negative, infinite or NaN is taken as 0: no usable exposure that month.
    pub exposure: f64,
}

/// The monthly observations of one subject: a product, part, lot or IMDRF problem code.
/// Observations of the same month are added together, so a series may be built from several
/// partial feeds; their order does not matter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Series {
    pub subject: String,
    /// `"product"`, `"part"`, `"lot"` or `"problem-code"`.
    pub dimension: String,
    pub observations: Vec<Observation>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rate {
    pub month: Month,
    pub events: u64,
    pub exposure: f64,
    /// Events per 1000 device-months; 0 in a month without exposure, where there is no rate.
    pub rate_per_1000: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Method {
    PoissonExact,
    ConditionalBinomial,
    PoissonCusum,
}

/// How [`assess`] tests. Check a configuration read from outside with [`TrendConfig::validate`]:
/// `assess` panics on an invalid one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TrendConfig {
    /// Months before the assessed month whose rate is the reference. Default 12, so that a
    /// seasonal pattern is averaged over rather than read as a trend.
    pub baseline_months: u32,
    /// Significance level of the two exact tests. Default 0.01.
    pub alpha: f64,
    /// The increase the CUSUM is tuned to detect, as a ratio of the baseline rate (> 1).
    /// Default 1.5.
    pub cusum_k_ratio: f64,
    /// CUSUM decision interval, in events. Default
    /// [`TrendConfig::matched_cusum_h`]`(0.01, 1.5)` = ln 100 / ln 1.5 ≈ 11.36, which holds the
    /// CUSUM's false-alarm probability at one assessment to at most `alpha` when the baseline
    /// rate is the true in-control rate. Changing `alpha` or `cusum_k_ratio` does not change
    /// this field: set it from `matched_cusum_h` as well.
    pub cusum_h: f64,
    /// Fewest events the baseline rate must predict for the assessed month before the month is
    /// assessed at all; below it the assessment reports "insufficient baseline" and no signal.
    /// Default 0: the conditional binomial test already allows for the uncertainty of a small
    /// baseline (its false-alarm rate is at most `alpha` whatever the baseline's size), so a
    /// rare event's jump from one event a year to four in a month still signals. Raise it to
    /// stop trending subjects too rare for a rate to mean anything to the reviewer.
    pub min_expected: f64,
}

impl Default for TrendConfig {
    fn default() -> TrendConfig {
        let alpha = 0.01;
        let cusum_k_ratio = 1.5;
        TrendConfig {
            baseline_months: 12,
            alpha,
            cusum_k_ratio,
            cusum_h: TrendConfig::matched_cusum_h(alpha, cusum_k_ratio),
            min_expected: 0.0,
        }
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("invalid trend configuration: {0}")]
pub struct ConfigError(String);

impl TrendConfig {
    /// The CUSUM decision interval h = ln(1/α) / ln r whose false-alarm probability at a single
    /// assessment is at most α. Why: ln(r)·S_t is the CUSUM of Poisson log-likelihood ratios
    /// (see [`crate::poisson_cusum`]); S_T ≥ h means that for some j the likelihood ratio of
    /// months j..=T reaches r^h, and under the in-control rate those ratios, taken backwards
    /// from T, form a non-negative martingale of mean 1, so by Ville's inequality this happens
    /// with probability at most r^-h = α. Count data overshoot h, so the real rate is lower;
    /// estimating the baseline rate from data moves it a little either way (measured in the
    /// simulation test, see README.md).
    pub fn matched_cusum_h(alpha: f64, k_ratio: f64) -> f64 {
        (1.0 / alpha).ln() / k_ratio.ln()
    }

    pub fn validate(&self) -> Result<(), ConfigError> {
        let fail = |what: String| Err(ConfigError(what));
        if self.baseline_months == 0 {
            return fail("baseline_months must be at least 1".into());
        }
        if !(self.alpha > 0.0 && self.alpha < 1.0) {
            return fail(format!("alpha must be between 0 and 1, got {}", self.alpha));
        }
        if !(self.cusum_k_ratio.is_finite() && self.cusum_k_ratio > 1.0) {
            return fail(format!(
                "cusum_k_ratio must be a finite number above 1, got {}",
                self.cusum_k_ratio
            ));
        }
        if !(self.cusum_h.is_finite() && self.cusum_h > 0.0) {
            return fail(format!(
                "cusum_h must be a finite number above 0, got {}",
                self.cusum_h
            ));
        }
        if !(self.min_expected.is_finite() && self.min_expected >= 0.0) {
            return fail(format!(
                "min_expected must be a finite number of at least 0, got {}",
                self.min_expected
            ));
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TestResult {
    pub method: Method,
    /// For the two exact tests the observed-to-expected ratio, which is also the ratio of the
    /// assessed month's rate to the baseline rate; for the CUSUM, S at the assessed month.
    pub statistic: f64,
    /// `None` for the CUSUM, which is compared with its decision interval instead.
    pub p_value: Option<f64>,
    /// `alpha` for the exact tests, `cusum_h` for the CUSUM.
    pub threshold: f64,
    /// This test's own verdict; [`Assessment::signal`] combines them.
    pub signal: bool,
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assessment {
    pub subject: String,
    pub dimension: String,
    pub month: Month,
    /// Every month from the start of the baseline window (or the first observation in it, if
    /// later) to the assessed month, the last entry. Months missing from the series have 0
    /// events and 0 exposure.
    pub rates: Vec<Rate>,
    pub baseline_events: u64,
    pub baseline_exposure: f64,
    pub baseline_rate_per_1000: f64,
    pub observed: u64,
    /// Events the baseline rate predicts for the assessed month's exposure.
    pub expected: f64,
    /// The tests run; empty when the baseline is insufficient (see `summary`).
    pub tests: Vec<TestResult>,
    /// The exact Poisson test and the conditional binomial test both below `alpha`, or the
    /// CUSUM at or above `cusum_h`; never with an insufficient baseline. See [`assess`].
    pub signal: bool,
    /// One sentence on the outcome for the trend report, e.g. why there was no assessment.
    pub summary: String,
}

/// Assess `month` of a series against the preceding `baseline_months` months (months missing
/// from the series count as 0 events and 0 exposure; observations after `month` are ignored).
///
/// # The signal rule
/// `signal` = (exact Poisson p < α **and** conditional binomial p < α) **or** CUSUM S ≥ h.
///
/// - The exact Poisson test takes the baseline rate as known, so with a small baseline it
///   fires too often; the conditional binomial test allows for the baseline being an estimate
///   and is exact (false-alarm rate ≤ α for any baseline size). Requiring both keeps the
///   familiar "observed vs expected" statement in the report while the binomial bounds the
///   false alarms; with a large baseline the two agree.
/// - Both look at the assessed month alone. The Poisson CUSUM, run over the months of the
///   window against the baseline rate, adds increases spread over the last few months that
///   no single month shows. Its decision interval is matched to α (see
///   [`TrendConfig::matched_cusum_h`]); the baseline rate includes the earlier months of the
///   window, so an increase that has lasted most of the window raises the reference and is
///   diluted: it is meant for the months just before the assessment.
/// - Each part has a false-alarm rate of at most about α, so the rule has at most about 2α.
///   Halve `alpha` (and recompute `cusum_h`) for an overall α.
///
/// Not assessed, with `signal` false, `tests` empty and the reason in `summary`: no exposure
/// in the assessed month; no exposure or no events in the baseline ("insufficient baseline":
/// with no rate there is nothing to compare with, and an event of a kind never seen before is
/// a matter for incident reporting rather than trend reporting); fewer expected events than
/// `min_expected`.
///
/// # Panics
/// If `config` is invalid ([`TrendConfig::validate`]).
pub fn assess(series: &Series, month: Month, config: &TrendConfig) -> Assessment {
    if let Err(err) = config.validate() {
        panic!("{err}");
    }
    let end = month.index();
    let start = end - i64::from(config.baseline_months);

    let mut by_month: BTreeMap<i64, (u64, f64)> = BTreeMap::new();
    for obs in &series.observations {
        let index = obs.month.index();
        if (start..=end).contains(&index) {
            let (events, exposure) = by_month.entry(index).or_default();
            *events = events.saturating_add(obs.events);
            *exposure += usable_exposure(obs.exposure);
        }
    }
    // Months before the first observation carry nothing; leaving them out keeps `rates` short
    // when `baseline_months` is large.
    let first = by_month.keys().next().copied().unwrap_or(end);
    let rates: Vec<Rate> = (first..=end)
        .map(|index| {
            let (events, exposure) = by_month.get(&index).copied().unwrap_or_default();
            Rate {
                month: Month::from_index(index),
                events,
                exposure,
                rate_per_1000: per_1000(events, exposure),
            }
        })
        .collect();
    let (current, baseline) = rates
        .split_last()
        .expect("the assessed month is in the range");
    let baseline_events = baseline
        .iter()
        .fold(0_u64, |sum, r| sum.saturating_add(r.events));
    let baseline_exposure: f64 = baseline.iter().map(|r| r.exposure).sum();
    let baseline_rate = if baseline_exposure > 0.0 {
        baseline_events as f64 / baseline_exposure
    } else {
        0.0
    };
    let expected = baseline_rate * current.exposure;
    let numbers_usable = baseline_exposure.is_finite()
        && current.exposure.is_finite()
        && baseline_rate.is_finite()
        && expected.is_finite();

    let window = Window {
        month,
        months: config.baseline_months,
        baseline_events,
        baseline_exposure,
        baseline_rate,
        observed: current.events,
        exposure: current.exposure,
        expected,
    };
    let not_assessed = if !numbers_usable {
        Some("insufficient baseline: the exposure figures are too large to compute with".into())
    } else if current.exposure == 0.0 {
        Some(format!(
            "not assessed: no device-months recorded for {month}, so it has no rate"
        ))
    } else if baseline_exposure == 0.0 {
        Some(format!(
            "insufficient baseline: no device-months recorded in the {} months before {month}",
            config.baseline_months
        ))
    } else if baseline_events == 0 {
        Some(format!(
            "insufficient baseline: no events in the {} months before {month} ({} device-months), \
             so there is no rate to compare with",
            config.baseline_months,
            num(baseline_exposure)
        ))
    } else if expected < config.min_expected {
        Some(format!(
            "insufficient baseline: the baseline rate predicts {} events in {month}, fewer than \
             the configured minimum of {}",
            num(expected),
            num(config.min_expected)
        ))
    } else {
        None
    };
    let (tests, signal, summary) = match not_assessed {
        Some(reason) => (Vec::new(), false, format!("{reason}; no signal")),
        None => {
            let poisson = window.poisson_test(config.alpha);
            let binomial = window.binomial_test(config.alpha);
            let cusum = window.cusum_test(&rates, config);
            let signal = (poisson.signal && binomial.signal) || cusum.signal;
            let summary = window.summary(&poisson, &binomial, &cusum, signal);
            (vec![poisson, binomial, cusum], signal, summary)
        }
    };
    Assessment {
        subject: series.subject.clone(),
        dimension: series.dimension.clone(),
        month,
        rates,
        baseline_events,
        // Zeroed with the reason in the summary rather than passed on as ∞ or NaN.
        baseline_exposure: if numbers_usable {
            baseline_exposure
        } else {
            0.0
        },
        baseline_rate_per_1000: if numbers_usable {
            baseline_rate * 1000.0
        } else {
            0.0
        },
        observed: window.observed,
        expected: if numbers_usable { expected } else { 0.0 },
        tests,
        signal,
        summary,
    }
}

/// The figures of one assessment that the tests and their descriptions share.
struct Window {
    month: Month,
    months: u32,
    baseline_events: u64,
    baseline_exposure: f64,
    /// Per device-month.
    baseline_rate: f64,
    observed: u64,
    exposure: f64,
    expected: f64,
}

impl Window {
    fn ratio(&self) -> f64 {
        self.observed as f64 / self.expected
    }

    fn poisson_test(&self, alpha: f64) -> TestResult {
        let p = poisson_upper_p(self.observed, self.expected);
        let signal = p < alpha;
        TestResult {
            method: Method::PoissonExact,
            statistic: self.ratio(),
            p_value: Some(p),
            threshold: alpha,
            signal,
            description: format!(
                "exact Poisson test, one-sided: {} events observed vs {} expected from the \
                 {}-month baseline rate {}/1000 device-months; P(X>={})={} {} {}",
                self.observed,
                num(self.expected),
                self.months,
                num(self.baseline_rate * 1000.0),
                self.observed,
                pval(p),
                if signal { "<" } else { ">=" },
                num(alpha)
            ),
        }
    }

    fn binomial_test(&self, alpha: f64) -> TestResult {
        let p = conditional_binomial_p(
            self.observed,
            self.exposure,
            self.baseline_events,
            self.baseline_exposure,
        );
        let signal = p < alpha;
        let share = self.exposure / (self.exposure + self.baseline_exposure);
        let total = self.observed.saturating_add(self.baseline_events);
        TestResult {
            method: Method::ConditionalBinomial,
            statistic: self.ratio(),
            p_value: Some(p),
            threshold: alpha,
            signal,
            description: format!(
                "conditional binomial test of the rate ratio, one-sided: {} of the {total} events \
                 of {} and the {} months before fell in {}, which had {}% of the device-months \
                 (rate ratio {}); P(Y>={})={} {} {}",
                self.observed,
                self.month,
                self.months,
                self.month,
                num(share * 100.0),
                num(self.ratio()),
                self.observed,
                pval(p),
                if signal { "<" } else { ">=" },
                num(alpha)
            ),
        }
    }

    fn cusum_test(&self, rates: &[Rate], config: &TrendConfig) -> TestResult {
        let counts_and_expected: Vec<(u64, f64)> = rates
            .iter()
            .map(|r| (r.events, self.baseline_rate * r.exposure))
            .collect();
        let path = poisson_cusum(&counts_and_expected, config.cusum_k_ratio);
        let s = path
            .last()
            .copied()
            .expect("the assessed month is in the range");
        let signal = s >= config.cusum_h;
        TestResult {
            method: Method::PoissonCusum,
            statistic: s,
            p_value: None,
            threshold: config.cusum_h,
            signal,
            description: format!(
                "Poisson CUSUM (Lucas 1985) over {}..{}, tuned to a {}-fold rise over the \
                 baseline rate {}/1000 device-months: S={} events {} the decision interval h={}",
                rates[0].month,
                self.month,
                num(config.cusum_k_ratio),
                num(self.baseline_rate * 1000.0),
                num(s),
                if signal { ">=" } else { "<" },
                num(config.cusum_h)
            ),
        }
    }

    fn summary(
        &self,
        poisson: &TestResult,
        binomial: &TestResult,
        cusum: &TestResult,
        signal: bool,
    ) -> String {
        let mut why = Vec::new();
        if poisson.signal && binomial.signal {
            why.push("the exact Poisson and conditional binomial tests are both significant");
        } else if poisson.signal {
            why.push(
                "the exact Poisson test alone is significant (the conditional binomial test, \
                 which allows for the baseline being an estimate, is not)",
            );
        }
        if cusum.signal {
            why.push("the CUSUM crossed its decision interval");
        }
        format!(
            "{}: {} events in {} vs {} expected ({}/1000 device-months vs {}/1000 in the {} \
             months before){}{}",
            if signal { "signal" } else { "no signal" },
            self.observed,
            self.month,
            num(self.expected),
            num(per_1000(self.observed, self.exposure)),
            num(self.baseline_rate * 1000.0),
            self.months,
            if why.is_empty() { "" } else { "; " },
            why.join("; ")
        )
    }
}

fn usable_exposure(exposure: f64) -> f64 {
    if exposure.is_finite() && exposure > 0.0 {
        exposure
    } else {
        0.0
    }
}

/// Clamped to `f64::MAX` so that events over a vanishing exposure give a huge rate, not ∞,
/// which JSON cannot carry.
fn per_1000(events: u64, exposure: f64) -> f64 {
    if exposure > 0.0 {
        (events as f64 / exposure * 1000.0).min(f64::MAX)
    } else {
        0.0
    }
}

/// Three significant figures, without an exponent for the magnitudes of rates and counts.
fn num(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        return format!("{x}");
    }
    let magnitude = x.abs().log10().floor() as i32;
    if !(-4..=9).contains(&magnitude) {
        return format!("{x:.2e}");
    }
    let decimals = (2 - magnitude).max(0) as usize;
    format!("{x:.decimals$}")
}

/// Two significant figures: enough to compare with alpha, and honest about the precision a
/// p-value has as evidence.
fn pval(p: f64) -> String {
    if p == 0.0 {
        // Below the smallest normal double, the tail probability underflows to 0.
        return "<1e-300".into();
    }
    if p >= 0.001 {
        let decimals = (1 - p.log10().floor() as i32).max(1) as usize;
        return format!("{p:.decimals$}");
    }
    format!("{p:.1e}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_numbers_for_people() {
        assert_eq!(num(0.4333), "0.433");
        assert_eq!(num(5.2), "5.20");
        assert_eq!(num(11.357), "11.4");
        assert_eq!(num(24000.0), "24000");
        assert_eq!(num(0.0), "0");
        assert_eq!(num(1.5e-7), "1.50e-7");
        assert_eq!(pval(0.000_912), "9.1e-4");
        assert_eq!(pval(0.0010082), "0.0010");
        assert_eq!(pval(0.5108), "0.51");
        assert_eq!(pval(1.0), "1.0");
        assert_eq!(pval(0.0), "<1e-300");
    }

    #[test]
    fn rates_are_per_1000_and_never_infinite() {
        assert_eq!(per_1000(3, 2000.0), 1.5);
        assert_eq!(per_1000(3, 0.0), 0.0);
        assert_eq!(per_1000(u64::MAX, f64::MIN_POSITIVE), f64::MAX);
    }
}
