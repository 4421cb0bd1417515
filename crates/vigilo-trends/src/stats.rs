//! The test statistics on their own, so that each can be checked against an independent
//! implementation (tests/data/reference.json, from SciPy).

use statrs::distribution::{Binomial, DiscreteCDF, Poisson};

/// P(X >= `observed`) for X ~ Poisson(`expected`): the one-sided exact Poisson test.
/// `expected` = 0 is the distribution concentrated at 0.
///
/// # Panics
/// If `expected` is negative, infinite or NaN.
pub fn poisson_upper_p(observed: u64, expected: f64) -> f64 {
    assert!(
        expected.is_finite() && expected >= 0.0,
        "expected count must be finite and >= 0, got {expected}"
    );
    if observed == 0 {
        return 1.0;
    }
    if expected == 0.0 {
        return 0.0;
    }
    let poisson = Poisson::new(expected).expect("mean checked above");
    // statrs' survival function is P(X > x) = P(X >= x + 1).
    poisson.sf(observed - 1)
}

/// The conditional test of a rate ratio > 1 (J. Przyborowski, H. Wileński, "Homogeneity of
/// results in testing samples from Poisson series", *Biometrika* 31, 1940, 313–323; the test
/// R's two-sample `poisson.test` runs): given the total of current and baseline events, the current count is binomial with success probability equal to the
/// current share of the exposure when the two rates are equal. Returns P(Y >= `current`),
/// Y ~ Bin(`current` + `baseline`, `current_exposure` / (`current_exposure` + `baseline_exposure`)).
/// Unlike [`poisson_upper_p`] with a baseline-derived mean, this accounts for the baseline
/// rate being an estimate, and it is exact: its false-alarm rate is at most the nominal level
/// whatever the size of the baseline.
///
/// # Panics
/// If an exposure is negative, infinite or NaN, or both are 0.
pub fn conditional_binomial_p(
    current: u64,
    current_exposure: f64,
    baseline: u64,
    baseline_exposure: f64,
) -> f64 {
    for exposure in [current_exposure, baseline_exposure] {
        assert!(
            exposure.is_finite() && exposure >= 0.0,
            "exposure must be finite and >= 0, got {exposure}"
        );
    }
    let total_exposure = current_exposure + baseline_exposure;
    assert!(
        total_exposure > 0.0,
        "current and baseline exposure are both 0"
    );
    if current == 0 {
        return 1.0;
    }
    let share = (current_exposure / total_exposure).min(1.0);
    let binomial =
        Binomial::new(share, current.saturating_add(baseline)).expect("share is within [0, 1]");
    binomial.sf(current - 1)
}

/// Lucas' Poisson CUSUM (J. M. Lucas, "Counted data CUSUM's", *Technometrics* 27(2), 1985,
/// 129–144): S_t = max(0, S_{t-1} + x_t - k_t) from S_0 = 0, with the reference value
/// k_t = m_t (r - 1) / ln r for the in-control mean m_t and the shift r = `k_ratio` to
/// detect. This k_t makes ln(r)·S_t the log-likelihood-ratio CUSUM of Poisson(r·m_t)
/// against Poisson(m_t) (Page 1954), which is what lets [`crate::TrendConfig`] choose the
/// decision interval from the false-alarm rate. Returns S_t for every t.
///
/// # Panics
/// If `k_ratio` is not finite and > 1: the statistic only detects increases.
pub fn poisson_cusum(counts_and_expected: &[(u64, f64)], k_ratio: f64) -> Vec<f64> {
    assert!(
        k_ratio.is_finite() && k_ratio > 1.0,
        "k_ratio must be finite and > 1, got {k_ratio}"
    );
    let factor = (k_ratio - 1.0) / k_ratio.ln();
    let mut s = 0.0_f64;
    counts_and_expected
        .iter()
        .map(|&(count, expected)| {
            s = (s + count as f64 - expected * factor).max(0.0);
            s
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn poisson_edges() {
        assert_eq!(poisson_upper_p(0, 0.0), 1.0);
        assert_eq!(poisson_upper_p(0, 7.0), 1.0);
        assert_eq!(poisson_upper_p(1, 0.0), 0.0);
        // P(X >= 1) = 1 - e^-m.
        let m = 0.3_f64;
        assert!((poisson_upper_p(1, m) - (1.0 - (-m).exp())).abs() < 1e-15);
        assert_eq!(poisson_upper_p(u64::MAX, 1.0), 0.0);
    }

    #[test]
    #[should_panic(expected = "finite and >= 0")]
    fn poisson_rejects_negative_mean() {
        poisson_upper_p(1, -1.0);
    }

    #[test]
    #[should_panic(expected = "finite and >= 0")]
    fn poisson_rejects_nan_mean() {
        poisson_upper_p(1, f64::NAN);
    }

    #[test]
    fn binomial_edges() {
        assert_eq!(conditional_binomial_p(0, 1.0, 0, 1.0), 1.0);
        // No baseline exposure: every event is "current", nothing to compare with.
        assert_eq!(conditional_binomial_p(5, 1.0, 0, 0.0), 1.0);
        // No current exposure but current events: impossible under equal rates.
        assert_eq!(conditional_binomial_p(1, 0.0, 3, 10.0), 0.0);
        // Equal exposures, one event each side: P(Y >= 1), Y ~ Bin(2, 1/2) = 3/4.
        assert!((conditional_binomial_p(1, 1.0, 1, 1.0) - 0.75).abs() < 1e-15);
        // n saturates instead of overflowing.
        let p = conditional_binomial_p(u64::MAX, 1.0, 1, 1.0);
        assert!((0.0..=1.0).contains(&p));
    }

    #[test]
    #[should_panic(expected = "both 0")]
    fn binomial_rejects_no_exposure_at_all() {
        conditional_binomial_p(1, 0.0, 1, 0.0);
    }

    #[test]
    #[should_panic(expected = "finite and >= 0")]
    fn binomial_rejects_infinite_exposure() {
        conditional_binomial_p(1, f64::INFINITY, 1, 1.0);
    }

    #[test]
    fn cusum_resets_at_zero_and_accumulates_excess() {
        let r = std::f64::consts::E;
        // k = m (e - 1) / 1.
        let k = r - 1.0;
        let s = poisson_cusum(&[(0, 1.0), (5, 1.0), (5, 1.0), (0, 1.0)], r);
        let want = [0.0, 5.0 - k, 10.0 - 2.0 * k, 10.0 - 3.0 * k];
        for (got, want) in s.iter().zip(want) {
            assert!((got - want).abs() < 1e-12, "{s:?}");
        }
        assert!(poisson_cusum(&[], 1.5).is_empty());
    }

    #[test]
    #[should_panic(expected = "k_ratio must be finite and > 1")]
    fn cusum_rejects_ratio_of_one() {
        poisson_cusum(&[(1, 1.0)], 1.0);
    }
}
