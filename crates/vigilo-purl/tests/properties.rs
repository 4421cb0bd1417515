//! Properties: parsing never panics, and a parsed purl survives display,
//! reparsing and rebuilding unchanged.

use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use proptest::prelude::*;
use vigilo_purl::Purl;

/// A mix of registered types (so that their rules are exercised) and others.
fn any_type() -> impl Strategy<Value = String> {
    prop_oneof![
        proptest::sample::select(vec![
            "npm",
            "pypi",
            "maven",
            "golang",
            "git",
            "github",
            "deb",
            "rpm",
            "apk",
            "cargo",
            "pub",
            "mlflow",
            "cpan",
            "julia",
            "swid",
            "huggingface",
            "oci",
            "otp",
            "brew",
            "chrome-extension",
            "generic",
            "conan",
            "docker",
        ])
        .prop_map(str::to_owned),
        "[A-Za-z][A-Za-z0-9.-]{0,6}",
    ]
}

/// Decoded text with the characters that need care: separators, '%',
/// non-ASCII and uppercase.
fn decoded() -> impl Strategy<Value = String> {
    "[A-Za-z0-9._~:/@?#&=+% é€😀-]{1,8}"
}

/// A component as it may appear in a purl string: every character but the
/// alphanumerics percent-encoded, which is more than the canonical form
/// encodes, so decoding and re-encoding both get exercised.
fn text() -> impl Strategy<Value = String> {
    decoded().prop_map(|text| utf8_percent_encode(&text, NON_ALPHANUMERIC).to_string())
}

fn purl_like() -> impl Strategy<Value = String> {
    (
        any_type(),
        proptest::collection::vec(text(), 0..4),
        text(),
        proptest::option::of(text()),
        proptest::collection::vec(("[a-z][a-z0-9._-]{0,5}|[A-Z][a-z]{0,3}", text()), 0..4),
        proptest::option::of(text()),
    )
        .prop_map(|(ty, namespace, name, version, qualifiers, subpath)| {
            let mut purl = format!("pkg:{ty}/");
            for segment in namespace {
                purl += &format!("{segment}/");
            }
            purl += &name;
            if let Some(version) = version {
                purl += &format!("@{version}");
            }
            for (index, (key, value)) in qualifiers.iter().enumerate() {
                purl += &format!("{}{key}={value}", if index == 0 { '?' } else { '&' });
            }
            if let Some(subpath) = subpath {
                purl += &format!("#{subpath}");
            }
            purl
        })
}

fn check_round_trip(purl: &Purl) -> Result<(), TestCaseError> {
    let canonical = purl.to_string();
    let reparsed = Purl::parse(&canonical);
    prop_assert_eq!(reparsed.as_ref(), Ok(purl), "reparsing {}", canonical);
    let rebuilt = purl.clone().canonicalize();
    prop_assert_eq!(rebuilt.as_ref(), Ok(purl), "rebuilding {}", canonical);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn parsing_arbitrary_text_never_panics(input in "\\PC{0,60}") {
        let _ = Purl::parse(&input);
        let _ = Purl::parse_lenient(&input);
    }

    #[test]
    fn parsed_purls_round_trip(input in purl_like()) {
        if let Ok(purl) = Purl::parse(&input) {
            check_round_trip(&purl)?;
        }
        if let Ok(purl) = Purl::parse_lenient(&input) {
            check_round_trip(&purl)?;
        }
    }

    #[test]
    fn built_purls_round_trip(
        ty in any_type(),
        namespace in proptest::option::of(decoded()),
        name in decoded(),
        version in proptest::option::of(decoded()),
        qualifiers in proptest::collection::btree_map("[a-zA-Z ][a-zA-Z0-9._ -]{0,5}", decoded(), 0..4),
        subpath in proptest::option::of(decoded()),
    ) {
        let built = Purl { ty, namespace, name, version, qualifiers, subpath }.canonicalize();
        if let Ok(purl) = built {
            check_round_trip(&purl)?;
        }
    }
}
