use proptest::prelude::*;
use vigilo_trends::{
    Month, Observation, Series, TrendConfig, assess, conditional_binomial_p, poisson_cusum,
    poisson_upper_p,
};

/// Absorbs rounding in the last bits when two tail probabilities are (nearly) equal.
const SLACK: f64 = 1e-12;

fn exposure() -> impl Strategy<Value = f64> {
    prop_oneof![Just(0.0), 1e-3..1e7_f64]
}

proptest! {
    #[test]
    fn poisson_p_is_a_probability_and_falls_as_events_rise(
        observed in 0_u64..2000,
        expected in prop_oneof![Just(0.0), 1e-6..1500.0_f64],
    ) {
        let p = poisson_upper_p(observed, expected);
        let next = poisson_upper_p(observed + 1, expected);
        prop_assert!((0.0..=1.0).contains(&p), "{p}");
        prop_assert!(next <= p * (1.0 + SLACK) + SLACK, "{next} > {p}");
    }

    #[test]
    fn poisson_p_rises_with_the_expected_count(
        observed in 0_u64..500,
        expected in 1e-6..500.0_f64,
    ) {
        let p = poisson_upper_p(observed, expected);
        let more = poisson_upper_p(observed, expected * 1.1);
        prop_assert!(more >= p * (1.0 - SLACK) - SLACK, "{more} < {p}");
    }

    #[test]
    fn binomial_p_is_a_probability_and_falls_as_current_events_rise(
        current in 0_u64..2000,
        baseline in 0_u64..5000,
        (current_exposure, baseline_exposure) in (exposure(), exposure())
            .prop_filter("some exposure", |(c, b)| c + b > 0.0),
    ) {
        let p = conditional_binomial_p(current, current_exposure, baseline, baseline_exposure);
        let next = conditional_binomial_p(current + 1, current_exposure, baseline, baseline_exposure);
        let more_baseline =
            conditional_binomial_p(current, current_exposure, baseline + 1, baseline_exposure);
        prop_assert!((0.0..=1.0).contains(&p), "{p}");
        prop_assert!(next <= p * (1.0 + SLACK) + SLACK, "{next} > {p}");
        prop_assert!(more_baseline >= p * (1.0 - SLACK) - SLACK, "{more_baseline} < {p}");
    }

    #[test]
    fn cusum_is_never_negative(
        steps in prop::collection::vec((0_u64..50, 0.0..40.0_f64), 0..40),
        k_ratio in 1.01..5.0_f64,
    ) {
        let s = poisson_cusum(&steps, k_ratio);
        prop_assert_eq!(s.len(), steps.len());
        prop_assert!(s.iter().all(|v| v.is_finite() && *v >= 0.0));
    }

    #[test]
    fn month_display_and_parse_round_trip(year in 0_i16..=9999, month in 1_i8..=12) {
        let m = Month::new(year, month).unwrap();
        let shown = m.to_string();
        prop_assert_eq!(shown.len(), 7);
        prop_assert_eq!(shown.parse::<Month>().unwrap(), m);
        prop_assert_eq!(m.next().prev(), m);
        prop_assert!(m.prev() < m && m < m.next());
        prop_assert_eq!(m.first_day().year(), year);
    }

    #[test]
    fn parse_never_panics(s in "\\PC{0,10}") {
        if let Ok(m) = s.parse::<Month>() {
            prop_assert_eq!(m.to_string(), s);
        }
    }

    #[test]
    fn assess_never_panics_or_emits_non_numbers(
        observations in prop::collection::vec(
            (0_i8..30, 0_u64..1000, prop_oneof![exposure(), Just(f64::NAN), Just(-1.0)]),
            0..30,
        ),
        baseline_months in 1_u32..40,
    ) {
        let start = Month::new(2024, 1).unwrap();
        let month_at = |offset: i8| (0..offset).fold(start, |m, _| m.next());
        let series = Series {
            subject: "lot 7".into(),
            dimension: "lot".into(),
            observations: observations
                .iter()
                .map(|&(offset, events, exposure)| Observation { month: month_at(offset), events, exposure })
                .collect(),
        };
        let config = TrendConfig { baseline_months, ..TrendConfig::default() };
        let a = assess(&series, month_at(24), &config);
        let numbers = [a.expected, a.baseline_rate_per_1000, a.baseline_exposure]
            .into_iter()
            .chain(a.rates.iter().flat_map(|r| [r.exposure, r.rate_per_1000]))
            .chain(a.tests.iter().flat_map(|t| [t.statistic, t.p_value.unwrap_or(0.0)]));
        for x in numbers {
            prop_assert!(x.is_finite() && x >= 0.0, "{x}");
        }
        prop_assert!(a.tests.is_empty() || a.tests.len() == 3);
        prop_assert!(!a.signal || !a.tests.is_empty());
    }
}
