//! Differential tests against SciPy: tests/data/reference.json, made by
//! tests/data/generate_reference.py (see tests/data/SOURCES.md).

use serde::Deserialize;
use vigilo_trends::{conditional_binomial_p, poisson_cusum, poisson_upper_p};

#[derive(Deserialize)]
struct Reference {
    poisson_upper: Vec<PoissonCase>,
    conditional_binomial: Vec<BinomialCase>,
    cusum: Vec<CusumCase>,
}

#[derive(Deserialize)]
struct PoissonCase {
    observed: u64,
    expected: f64,
    p: f64,
}

#[derive(Deserialize)]
struct BinomialCase {
    current: u64,
    current_exposure: f64,
    baseline: u64,
    baseline_exposure: f64,
    p: f64,
}

#[derive(Deserialize)]
struct CusumCase {
    k_ratio: f64,
    counts_and_expected: Vec<(u64, f64)>,
    s: Vec<f64>,
}

fn reference() -> Reference {
    serde_json::from_str(include_str!("data/reference.json")).expect("reference.json parses")
}

/// Relative tolerance for a tail probability of a distribution over about `n` events: 1e-9,
/// widened past about 10^5 events. Why: statrs evaluates the tails as
/// exp(a·ln x - x - lnΓ(a) ...) (and the beta analogue), whose terms are of size n·ln n, so
/// rounding them to doubles alone costs about ε·n·ln n of relative accuracy (3e-9 at 10^6
/// events, observed 2.2e-9). Monthly counts of one subject stay far below that.
fn tolerance(n: u64) -> f64 {
    let n = n as f64;
    (4.0 * f64::EPSILON * n * n.max(1.0).ln()).max(1e-9)
}

/// Relative difference, with exact zeros (underflowed tails, the degenerate cases) required
/// to match exactly.
fn close(got: f64, want: f64, rel: f64) -> bool {
    if want == 0.0 {
        return got == 0.0;
    }
    ((got - want) / want).abs() <= rel
}

#[test]
fn poisson_upper_tail_matches_scipy() {
    let cases = reference().poisson_upper;
    assert!(cases.len() >= 30);
    for c in cases {
        let got = poisson_upper_p(c.observed, c.expected);
        assert!(
            close(got, c.p, tolerance(c.observed)),
            "P(X >= {}), mean {}: got {got:e}, SciPy {:e}",
            c.observed,
            c.expected,
            c.p
        );
    }
}

#[test]
fn conditional_binomial_matches_scipy_binomtest() {
    let cases = reference().conditional_binomial;
    assert!(cases.len() >= 20);
    for c in cases {
        let got = conditional_binomial_p(
            c.current,
            c.current_exposure,
            c.baseline,
            c.baseline_exposure,
        );
        assert!(
            close(got, c.p, tolerance(c.current + c.baseline)),
            "{} vs {} events, exposure {} vs {}: got {got:e}, SciPy {:e}",
            c.current,
            c.baseline,
            c.current_exposure,
            c.baseline_exposure,
            c.p
        );
    }
}

#[test]
fn cusum_matches_plain_loop() {
    for c in reference().cusum {
        let got = poisson_cusum(&c.counts_and_expected, c.k_ratio);
        assert_eq!(got.len(), c.s.len());
        for (t, (got, want)) in got.iter().zip(&c.s).enumerate() {
            // Both sides do the same operations in the same order; the tolerance only covers
            // ln() differing in the last bit between libm and CPython.
            assert!(
                (got - want).abs() <= 1e-12 * want.abs().max(1.0),
                "k_ratio {}, month {t}: got {got}, Python {want}",
                c.k_ratio
            );
        }
    }
}
