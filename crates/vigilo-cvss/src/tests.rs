use proptest::prelude::*;

use super::*;

fn problem(vector: &str) -> (usize, Problem) {
    let error = score(vector).expect_err("vector must be rejected");
    assert_eq!(error.vector, vector);
    (error.position, error.problem)
}

#[test]
fn v2_prefix_forms_score_alike() {
    for vector in [
        "AV:N/AC:L/Au:N/C:P/I:P/A:P",
        "(AV:N/AC:L/Au:N/C:P/I:P/A:P)",
        "CVSS:2.0/AV:N/AC:L/Au:N/C:P/I:P/A:P",
    ] {
        let s = score(vector).expect(vector);
        assert_eq!(
            (s.version, s.base_score, s.severity),
            (CvssVersion::V2_0, 7.5, Severity::High)
        );
        assert_eq!(s.vector, vector);
    }
}

#[test]
fn temporal_and_environmental_metrics_leave_the_base_score() {
    let v2 = score("AV:N/AC:L/Au:N/C:P/I:P/A:P/E:U/RL:OF/RC:UC/CDP:N/TD:L/CR:L/IR:L/AR:L").unwrap();
    assert_eq!(v2.base_score, 7.5);
    let v3 = score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:U/RL:O/RC:U/MAV:P").unwrap();
    assert_eq!(v3.base_score, 9.8);
}

#[test]
fn v4_scores_the_metric_groups_present() {
    // Expected values from tests/data/redhat-cvss/vectors_threat4 (E:A there
    // is the default that an absent E stands for).
    let base = "CVSS:4.0/AV:P/AC:H/AT:P/PR:H/UI:A/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H";
    assert_eq!(score(base).unwrap().base_score, 7.3);
    assert_eq!(score(&format!("{base}/E:P")).unwrap().base_score, 5.9);
}

#[test]
fn severity_scales() {
    assert_eq!(Severity::nvd_v2(0.0), Severity::Low);
    assert_eq!(Severity::nvd_v2(3.9), Severity::Low);
    assert_eq!(Severity::nvd_v2(4.0), Severity::Medium);
    assert_eq!(Severity::nvd_v2(6.9), Severity::Medium);
    assert_eq!(Severity::nvd_v2(7.0), Severity::High);
    assert_eq!(Severity::nvd_v2(10.0), Severity::High);
    let none = score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N").unwrap();
    assert_eq!((none.base_score, none.severity), (0.0, Severity::None));
    let zero_v2 = score("AV:L/AC:H/Au:M/C:N/I:N/A:N").unwrap();
    assert_eq!(zero_v2.base_score.to_string(), "0");
    assert_eq!(zero_v2.severity, Severity::Low);
}

#[test]
fn serialises_with_lowercase_severity_and_dotted_version() {
    let s = score("CVSS:3.0/AV:N/AC:L/PR:N/UI:R/S:U/C:L/I:N/A:N").unwrap();
    assert_eq!(
        serde_json::to_value(&s).unwrap(),
        serde_json::json!({
            "vector": "CVSS:3.0/AV:N/AC:L/PR:N/UI:R/S:U/C:L/I:N/A:N",
            "version": "3.0",
            "base_score": 4.3,
            "severity": "medium",
        })
    );
}

#[test]
fn errors_name_position_and_expectation() {
    assert_eq!(problem(""), (1, Problem::Empty));
    assert_eq!(
        problem("CVSS:5.0/AV:N"),
        (
            1,
            Problem::UnsupportedVersion {
                found: "CVSS:5.0".into()
            }
        )
    );
    assert_eq!(problem("(AV:N/AC:L"), (1, Problem::UnclosedParenthesis));

    let (position, unknown) = problem("CVSS:3.1/AV:N/AX:L/PR:N/UI:N/S:U/C:H/I:H/A:H");
    assert_eq!(position, 15);
    assert!(
        matches!(&unknown, Problem::UnknownMetric { metric, version: CvssVersion::V3_1, .. } if metric == "AX")
    );
    assert!(
        unknown
            .to_string()
            .contains("expected one of AV, AC, PR, UI, S, C, I, A, E,")
    );

    assert_eq!(
        problem("CVSS:3.1/AV:N/AC:L/AV:L/PR:N/UI:N/S:U/C:H/I:H/A:H"),
        (
            20,
            Problem::DuplicateMetric {
                metric: "AV".into(),
                first: 10
            }
        )
    );
    assert_eq!(
        problem("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H"),
        (
            41,
            Problem::MissingMetric {
                metric: "A",
                allowed: "H, L, N".into()
            }
        )
    );
    assert_eq!(
        problem("AV:N/AC:L/Au:N/C:X/I:P/A:P"),
        (
            16,
            Problem::BadValue {
                metric: "C",
                value: "X".into(),
                allowed: "N, P, C".into()
            }
        )
    );
    assert_eq!(
        problem("CVSS:4.0/AV:N//AC:L"),
        (
            15,
            Problem::MalformedComponent {
                component: String::new()
            }
        )
    );

    let message = score("CVSS:3.1/AV:Q/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H")
        .unwrap_err()
        .to_string();
    assert_eq!(
        message,
        "invalid CVSS vector \"CVSS:3.1/AV:Q/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\" at position 10: \
         bad value \"Q\" for metric AV; expected one of N, A, L, P"
    );
}

#[test]
fn positions_count_characters_not_bytes() {
    let (position, _) = problem("CVSS:3.1/AV:N/é:L");
    assert_eq!(position, 15);
}

fn valid_vector(version: CvssVersion) -> impl Strategy<Value = String> {
    let choices: Vec<_> = version
        .metrics()
        .iter()
        .map(|metric| {
            let pick = proptest::sample::select(metric.values.to_vec());
            let present = if metric.mandatory {
                Just(true).boxed()
            } else {
                any::<bool>().boxed()
            };
            (present, pick).prop_map(move |(present, value)| {
                present.then(|| format!("{}:{value}", metric.name))
            })
        })
        .collect();
    choices
        .prop_map(|picked| picked.into_iter().flatten().collect::<Vec<_>>())
        .prop_shuffle()
        .prop_map(move |metrics| {
            let label = match version {
                CvssVersion::V2_0 => String::new(),
                other => format!("CVSS:{other}/"),
            };
            label + &metrics.join("/")
        })
}

/// Byte offsets of the ':' inside each METRIC:VALUE (not the one in "CVSS:x.y").
fn metric_colons(vector: &str) -> Vec<usize> {
    let label = usize::from(vector.starts_with("CVSS:"));
    vector
        .match_indices(':')
        .skip(label)
        .map(|(i, _)| i)
        .collect()
}

fn any_version() -> impl Strategy<Value = CvssVersion> {
    proptest::sample::select(vec![
        CvssVersion::V2_0,
        CvssVersion::V3_0,
        CvssVersion::V3_1,
        CvssVersion::V4_0,
    ])
}

proptest! {
    #[test]
    fn never_panics_on_arbitrary_input(input in "\\PC{0,80}") {
        let _ = score(&input);
    }

    #[test]
    fn never_panics_on_vector_shaped_input(
        input in "(CVSS:[234]\\.[01]/)?([A-Za-z]{1,3}:[A-Za-z]{1,5}/){0,24}[A-Za-z]{1,3}:[A-Za-z]{1,5}"
    ) {
        let _ = score(&input);
    }

    /// Every vector the tables accept must be scored by the engine: this is
    /// what keeps `Problem::Engine` unreachable.
    #[test]
    fn valid_vectors_in_any_order_score_within_range(
        vector in any_version().prop_flat_map(valid_vector)
    ) {
        let s = score(&vector).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert!((0.0..=10.0).contains(&s.base_score), "{} scored {}", vector, s.base_score);
    }

    #[test]
    fn a_corrupted_value_is_reported_at_its_metric(
        (vector, index) in any_version()
            .prop_flat_map(valid_vector)
            .prop_flat_map(|v| { let n = metric_colons(&v).len(); (Just(v), 0..n) })
    ) {
        let colon = metric_colons(&vector)[index];
        let corrupted = format!("{}:#{}", &vector[..colon], &vector[colon + 1..]);
        let metric_start = vector[..colon].rfind('/').map_or(0, |slash| slash + 1);
        let error = score(&corrupted).expect_err("corrupted vector");
        prop_assert_eq!(error.position, metric_start + 1);
        let is_bad_value = matches!(error.problem, Problem::BadValue { .. });
        prop_assert!(is_bad_value);
    }
}
