use vigilo_trends::{
    Assessment, Method, Month, Observation, Series, TrendConfig, assess, conditional_binomial_p,
    poisson_upper_p,
};

fn month(s: &str) -> Month {
    s.parse().unwrap()
}

fn series(observations: Vec<Observation>) -> Series {
    Series {
        subject: "PUMP-200".into(),
        dimension: "product".into(),
        observations,
    }
}

/// `counts` are consecutive months ending at `last`, all with the same exposure.
fn steady(last: &str, counts: &[u64], exposure: f64) -> Series {
    let mut m = month(last);
    for _ in 1..counts.len() {
        m = m.prev();
    }
    let mut observations = Vec::new();
    for &events in counts {
        observations.push(Observation {
            month: m,
            events,
            exposure,
        });
        m = m.next();
    }
    series(observations)
}

fn test(a: &Assessment, method: Method) -> &vigilo_trends::TestResult {
    a.tests.iter().find(|t| t.method == method).unwrap()
}

/// Every number in the JSON form is a number: serde_json writes NaN and infinities as null, so
/// the only null allowed is the CUSUM's absent p-value.
fn assert_no_nulls(a: &Assessment) {
    let value = serde_json::to_value(a).unwrap();
    fn walk(v: &serde_json::Value, path: &str) {
        match v {
            serde_json::Value::Null => {
                assert!(path.ends_with("p_value"), "null at {path}");
            }
            serde_json::Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    walk(item, &format!("{path}[{i}]"));
                }
            }
            serde_json::Value::Object(map) => {
                for (k, item) in map {
                    walk(item, &format!("{path}.{k}"));
                }
            }
            _ => {}
        }
    }
    walk(&value, "");
}

#[test]
fn default_config() {
    let c = TrendConfig::default();
    assert_eq!(c.baseline_months, 12);
    assert_eq!(c.alpha, 0.01);
    assert_eq!(c.cusum_k_ratio, 1.5);
    assert!((c.cusum_h - 100f64.ln() / 1.5f64.ln()).abs() < 1e-12);
    assert!((c.cusum_h - 11.357).abs() < 1e-3);
    assert_eq!(c.min_expected, 0.0);
    assert_eq!(c.validate(), Ok(()));
}

#[test]
fn a_clear_increase_signals_and_says_why() {
    // 12 months of 5 events over 12000 device-months (0.417/1000), then 14.
    let mut counts = vec![5; 12];
    counts.push(14);
    let a = assess(
        &steady("2026-03", &counts, 12000.0),
        month("2026-03"),
        &TrendConfig::default(),
    );
    assert_eq!(a.subject, "PUMP-200");
    assert_eq!(a.dimension, "product");
    assert_eq!(a.observed, 14);
    assert_eq!(a.baseline_events, 60);
    assert_eq!(a.baseline_exposure, 144000.0);
    assert!((a.expected - 5.0).abs() < 1e-12);
    assert!((a.baseline_rate_per_1000 - 60.0 / 144.0).abs() < 1e-12);
    assert_eq!(a.rates.len(), 13);
    assert_eq!(a.rates[0].month, month("2025-03"));
    assert_eq!(a.rates[12].month, month("2026-03"));
    assert!((a.rates[12].rate_per_1000 - 14.0 / 12.0).abs() < 1e-12);

    let poisson = test(&a, Method::PoissonExact);
    assert_eq!(poisson.p_value, Some(poisson_upper_p(14, 5.0)));
    assert!((poisson.statistic - 2.8).abs() < 1e-12);
    assert_eq!(poisson.threshold, 0.01);
    assert!(poisson.signal);
    assert_eq!(
        poisson.description,
        "exact Poisson test, one-sided: 14 events observed vs 5.00 expected from the 12-month \
         baseline rate 0.417/1000 device-months; P(X>=14)=7.0e-4 < 0.0100"
    );
    let binomial = test(&a, Method::ConditionalBinomial);
    assert_eq!(
        binomial.p_value,
        Some(conditional_binomial_p(14, 12000.0, 60, 144000.0))
    );
    assert!(binomial.signal, "{}", binomial.description);
    assert!(binomial.description.starts_with(
        "conditional binomial test of the rate ratio, one-sided: 14 of the 74 events of 2026-03 \
         and the 12 months before fell in 2026-03, which had 7.69% of the device-months"
    ));
    let cusum = test(&a, Method::PoissonCusum);
    assert_eq!(cusum.p_value, None);
    assert_eq!(cusum.threshold, TrendConfig::default().cusum_h);
    assert!(a.signal);
    assert!(
        a.summary
            .starts_with("signal: 14 events in 2026-03 vs 5.00 expected"),
        "{}",
        a.summary
    );
    assert!(a.summary.contains("both significant"), "{}", a.summary);
    assert_no_nulls(&a);
}

#[test]
fn a_steady_rate_does_not_signal() {
    let counts = [4, 6, 5, 3, 7, 5, 4, 6, 5, 5, 4, 6, 6];
    let a = assess(
        &steady("2026-03", &counts, 12000.0),
        month("2026-03"),
        &TrendConfig::default(),
    );
    assert_eq!(a.tests.len(), 3);
    assert!(!a.signal);
    assert!(a.tests.iter().all(|t| !t.signal));
    assert!(
        a.summary.starts_with("no signal: 6 events in 2026-03"),
        "{}",
        a.summary
    );
}

#[test]
fn rates_not_counts_are_compared() {
    // The fleet doubles in the assessed month and so do the events: no increase in rate.
    let mut s = steady("2026-02", &[5; 12], 10000.0);
    s.observations.push(Observation {
        month: month("2026-03"),
        events: 10,
        exposure: 20000.0,
    });
    let a = assess(&s, month("2026-03"), &TrendConfig::default());
    assert!((a.expected - 10.0).abs() < 1e-12);
    assert!(!a.signal);
}

#[test]
fn a_rise_spread_over_months_is_caught_by_the_cusum_alone() {
    // Ten months at 10/month, then three at 18: no single month is significant, the CUSUM
    // accumulates the excess.
    let mut counts = vec![10; 10];
    counts.extend([18, 18, 18]);
    let a = assess(
        &steady("2026-03", &counts, 20000.0),
        month("2026-03"),
        &TrendConfig::default(),
    );
    let poisson = test(&a, Method::PoissonExact);
    let cusum = test(&a, Method::PoissonCusum);
    assert!(!poisson.signal, "{}", poisson.description);
    assert!(cusum.signal, "{}", cusum.description);
    assert!(a.signal);
    assert!(a.summary.contains("CUSUM crossed"), "{}", a.summary);
}

#[test]
fn the_poisson_test_alone_does_not_signal() {
    // A thin baseline (4 events) makes the plug-in Poisson test overconfident: SciPy gives
    // P(X >= 3 | 1/3) = 0.0048 but P(Y >= 3 | Bin(7, 1/13)) = 0.0126.
    let mut counts = vec![0; 12];
    counts[3] = 2;
    counts[8] = 2;
    counts.push(3);
    let a = assess(
        &steady("2026-03", &counts, 1000.0),
        month("2026-03"),
        &TrendConfig::default(),
    );
    let poisson = test(&a, Method::PoissonExact);
    let binomial = test(&a, Method::ConditionalBinomial);
    assert!(poisson.signal, "{}", poisson.description);
    assert!(!binomial.signal, "{}", binomial.description);
    assert!(!a.signal);
    assert!(
        a.summary.contains("exact Poisson test alone"),
        "{}",
        a.summary
    );
}

#[test]
fn missing_months_count_as_nothing() {
    let s = series(vec![
        Observation {
            month: month("2025-06"),
            events: 4,
            exposure: 8000.0,
        },
        Observation {
            month: month("2025-09"),
            events: 4,
            exposure: 8000.0,
        },
        Observation {
            month: month("2026-03"),
            events: 2,
            exposure: 8000.0,
        },
    ]);
    let a = assess(&s, month("2026-03"), &TrendConfig::default());
    // The window would start 2025-03, but nothing is recorded before 2025-06.
    assert_eq!(a.rates.len(), 10);
    assert_eq!(a.rates[0].month, month("2025-06"));
    let gap = &a.rates[1];
    assert_eq!(gap.month, month("2025-07"));
    assert_eq!((gap.events, gap.exposure, gap.rate_per_1000), (0, 0.0, 0.0));
    assert_eq!(a.baseline_events, 8);
    assert_eq!(a.baseline_exposure, 16000.0);
    assert!((a.expected - 4.0).abs() < 1e-12);
    assert_no_nulls(&a);
}

#[test]
fn only_the_window_counts_and_duplicates_add_up() {
    let at = |m: &str, events, exposure| Observation {
        month: month(m),
        events,
        exposure,
    };
    let s = series(vec![
        at("2026-04", 500, 1000.0), // after the assessed month
        at("2025-02", 500, 1000.0), // before the window
        at("2026-03", 3, 500.0),
        at("2025-03", 2, 4000.0),
        at("2026-03", 4, 500.0),
        at("2025-03", 2, 4000.0),
    ]);
    let a = assess(&s, month("2026-03"), &TrendConfig::default());
    assert_eq!(a.observed, 7);
    assert_eq!(a.rates.last().unwrap().exposure, 1000.0);
    assert_eq!(a.baseline_events, 4);
    assert_eq!(a.baseline_exposure, 8000.0);
}

#[test]
fn unusable_exposure_counts_as_none() {
    let mut s = steady("2026-03", &[5; 13], 10000.0);
    s.observations[0].exposure = f64::NAN;
    s.observations[1].exposure = -3.0;
    s.observations[2].exposure = f64::INFINITY;
    let a = assess(&s, month("2026-03"), &TrendConfig::default());
    assert_eq!(a.baseline_exposure, 90000.0);
    assert_eq!(a.rates[0].exposure, 0.0);
    assert_no_nulls(&a);
}

fn assert_not_assessed(a: &Assessment, reason: &str) {
    assert!(!a.signal);
    assert!(a.tests.is_empty());
    assert!(a.summary.contains(reason), "{}", a.summary);
    assert!(a.summary.ends_with("; no signal"), "{}", a.summary);
    assert!(a.expected.is_finite() && a.baseline_rate_per_1000.is_finite());
    assert_no_nulls(a);
}

#[test]
fn zero_baseline_exposure_is_insufficient() {
    let s = series(vec![Observation {
        month: month("2026-03"),
        events: 9,
        exposure: 1000.0,
    }]);
    let a = assess(&s, month("2026-03"), &TrendConfig::default());
    assert_not_assessed(
        &a,
        "insufficient baseline: no device-months recorded in the 12 months before 2026-03",
    );
    assert_eq!(a.rates.len(), 1);
    assert_eq!(a.expected, 0.0);
}

#[test]
fn zero_baseline_events_is_insufficient() {
    let mut counts = vec![0; 12];
    counts.push(6);
    let a = assess(
        &steady("2026-03", &counts, 1000.0),
        month("2026-03"),
        &TrendConfig::default(),
    );
    assert_not_assessed(
        &a,
        "insufficient baseline: no events in the 12 months before 2026-03 (12000 device-months)",
    );
}

#[test]
fn no_events_at_all_is_insufficient() {
    let a = assess(
        &steady("2026-03", &[0; 13], 1000.0),
        month("2026-03"),
        &TrendConfig::default(),
    );
    assert_not_assessed(&a, "insufficient baseline");
}

#[test]
fn an_empty_series_is_insufficient() {
    let a = assess(
        &series(Vec::new()),
        month("2026-03"),
        &TrendConfig::default(),
    );
    assert_not_assessed(&a, "no device-months recorded for 2026-03");
    assert_eq!(a.rates.len(), 1);
    assert_eq!(a.observed, 0);
}

#[test]
fn no_exposure_in_the_assessed_month_is_not_assessed() {
    let mut s = steady("2026-02", &[5; 12], 1000.0);
    s.observations.push(Observation {
        month: month("2026-03"),
        events: 40,
        exposure: 0.0,
    });
    let a = assess(&s, month("2026-03"), &TrendConfig::default());
    assert_not_assessed(&a, "not assessed: no device-months recorded for 2026-03");
    assert_eq!(a.observed, 40);
}

#[test]
fn below_min_expected_is_insufficient() {
    let mut counts = vec![0; 12];
    counts[0] = 1;
    counts.push(4);
    let s = steady("2026-03", &counts, 1000.0);
    let default = assess(&s, month("2026-03"), &TrendConfig::default());
    assert!(default.signal, "{}", default.summary);
    let config = TrendConfig {
        min_expected: 0.5,
        ..TrendConfig::default()
    };
    let a = assess(&s, month("2026-03"), &config);
    assert_not_assessed(
        &a,
        "insufficient baseline: the baseline rate predicts 0.0833 events in 2026-03, fewer than the configured minimum of 0.500",
    );
}

#[test]
fn absurd_exposures_do_not_leak_infinities() {
    let mut s = steady("2026-03", &[5; 13], f64::MAX);
    s.observations[12].exposure = f64::MIN_POSITIVE;
    let a = assess(&s, month("2026-03"), &TrendConfig::default());
    assert_not_assessed(&a, "insufficient baseline");
    assert!(a.rates.iter().all(|r| r.rate_per_1000.is_finite()));
}

#[test]
fn a_huge_window_stays_short() {
    let config = TrendConfig {
        baseline_months: u32::MAX,
        ..TrendConfig::default()
    };
    let a = assess(
        &steady("2026-03", &[5; 13], 1000.0),
        month("2026-03"),
        &config,
    );
    assert_eq!(a.rates.len(), 13);
    assert_eq!(a.tests.len(), 3);
}

#[test]
fn months_at_the_ends_of_the_calendar() {
    let a = assess(
        &steady("9999-12", &[5; 13], 1000.0),
        month("9999-12"),
        &TrendConfig::default(),
    );
    assert_eq!(a.rates.len(), 13);
    let a = assess(
        &steady("0000-06", &[5; 13], 1000.0),
        month("0000-06"),
        &TrendConfig::default(),
    );
    assert_eq!(a.rates[0].month, Month { year: -1, month: 6 });
}

#[test]
fn invalid_configurations_are_named() {
    let bad = [
        (
            TrendConfig {
                baseline_months: 0,
                ..TrendConfig::default()
            },
            "baseline_months",
        ),
        (
            TrendConfig {
                alpha: 0.0,
                ..TrendConfig::default()
            },
            "alpha",
        ),
        (
            TrendConfig {
                alpha: f64::NAN,
                ..TrendConfig::default()
            },
            "alpha",
        ),
        (
            TrendConfig {
                cusum_k_ratio: 1.0,
                ..TrendConfig::default()
            },
            "cusum_k_ratio",
        ),
        (
            TrendConfig {
                cusum_h: -1.0,
                ..TrendConfig::default()
            },
            "cusum_h",
        ),
        (
            TrendConfig {
                min_expected: f64::INFINITY,
                ..TrendConfig::default()
            },
            "min_expected",
        ),
    ];
    for (config, field) in bad {
        let err = config.validate().unwrap_err().to_string();
        assert!(err.starts_with("invalid trend configuration: "), "{err}");
        assert!(err.contains(field), "{err}");
    }
}

#[test]
#[should_panic(expected = "invalid trend configuration: alpha")]
fn assess_refuses_an_invalid_configuration() {
    let config = TrendConfig {
        alpha: 2.0,
        ..TrendConfig::default()
    };
    assess(
        &steady("2026-03", &[5; 13], 1000.0),
        month("2026-03"),
        &config,
    );
}

#[test]
fn config_reads_from_json_with_defaults() {
    let config: TrendConfig = serde_json::from_str(r#"{"baseline_months": 24}"#).unwrap();
    assert_eq!(config.baseline_months, 24);
    assert_eq!(config.alpha, 0.01);
    assert!(serde_json::from_str::<TrendConfig>(r#"{"alpah": 0.05}"#).is_err());
}

#[test]
fn serializes_for_the_report() {
    let mut counts = vec![5; 12];
    counts.push(14);
    let a = assess(
        &steady("2026-03", &counts, 12000.0),
        month("2026-03"),
        &TrendConfig::default(),
    );
    let json = serde_json::to_value(&a).unwrap();
    assert_eq!(json["month"], "2026-03");
    assert_eq!(json["rates"][0]["month"], "2025-03");
    let methods: Vec<&str> = json["tests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["method"].as_str().unwrap())
        .collect();
    assert_eq!(
        methods,
        ["poisson-exact", "conditional-binomial", "poisson-cusum"]
    );
    assert_eq!(json["tests"][2]["p_value"], serde_json::Value::Null);
}
