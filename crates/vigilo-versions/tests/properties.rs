//! Property tests: parsing never panics, each ecosystem's order is a total order
//! consistent with equality, and `sort` is stable.

use std::cmp::Ordering;

use proptest::prelude::*;
use proptest::sample::select;
use vigilo_versions::{Ecosystem, Version, compare, parse, sort};

/// Joins pieces drawn from `words`, each after one of `separators`.
fn words(
    words: &'static [&'static str],
    separators: &'static [&'static str],
    max_len: usize,
) -> BoxedStrategy<String> {
    prop::collection::vec((select(separators), select(words)), 1..=max_len)
        .prop_map(|pieces| {
            pieces
                .into_iter()
                .enumerate()
                .map(|(i, (sep, word))| {
                    if i == 0 {
                        word.to_owned()
                    } else {
                        format!("{sep}{word}")
                    }
                })
                .collect()
        })
        .boxed()
}

/// Strings in each ecosystem's grammar, biased towards the tokens that decide
/// its order (qualifiers, separators, zeros, huge numbers).
fn version(eco: Ecosystem) -> BoxedStrategy<String> {
    const NUMBERS: &[&str] = &[
        "0",
        "1",
        "2",
        "9",
        "10",
        "01",
        "007",
        "18446744073709551616",
    ];
    let grammar = match eco {
        Ecosystem::Npm | Ecosystem::CratesIo | Ecosystem::Go | Ecosystem::Hex | Ecosystem::Pub => {
            "v?(0|1|2|10|01)(\\.(0|1|2|10)){0,4}(-[0-9A-Za-z]{1,3}(\\.[0-9A-Za-z-]{0,3}){0,3})?(\\+[0-9A-Za-z]{1,3}(\\.[0-9a-z]{1,2}){0,2})?"
                .boxed()
        }
        Ecosystem::NuGet => {
            "(0|1|2|10)(\\.(0|1|2|10|01)){0,4}(-[0-9A-Za-z]{1,3}(\\.[0-9A-Za-z]{1,3}){0,2})?(\\+[a-z]{1,3})?"
                .boxed()
        }
        Ecosystem::PyPI => prop_oneof![
            "([0-2]!)?(0|1|2|10)(\\.(0|1|2|10)){0,3}((a|b|c|rc|alpha|beta|pre|preview)[0-2]{0,1})?(\\.post[0-2]?|-[0-2]|\\.r[0-2])?(\\.dev[0-2]?)?(\\+[a-z0-9]{1,3}(\\.[a-z0-9]{1,2}){0,2})?",
            "[0-9a-zA-Z.!_-]{1,10}",
        ]
        .boxed(),
        Ecosystem::Maven => prop_oneof![
            words(
                &["0", "1", "2", "10", "01", "a", "b", "m", "alpha", "beta", "milestone", "rc",
                  "cr", "snapshot", "ga", "final", "release", "sp", "foo", "jre", "", "a1", "sp2"],
                &[".", "-", ""],
                6,
            ),
            "[0-9a-zA-Z._-]{1,12}",
        ]
        .boxed(),
        Ecosystem::RubyGems => "[0-9]{1,2}([.-]?[0-9a-zA-Z]{1,3}){0,4}".boxed(),
        Ecosystem::Packagist => prop_oneof![
            words(
                &["0", "1", "2", "10", "01", "dev", "alpha", "a", "beta", "b", "RC", "rc", "#",
                  "pl", "p", "patch", "foo", "stable", "v1", "V2"],
                &[".", "-", "_", "+", ""],
                6,
            ),
            "[0-9a-zA-Z.#_+-]{1,12}",
        ]
        .boxed(),
        Ecosystem::Debian => "([0-9]{1,2}:)?[0-9][0-9a-zA-Z.+~]{0,6}(-[0-9a-zA-Z.+~]{1,5})?".boxed(),
        Ecosystem::Alpine => prop_oneof![
            words(
                &["1", "2", "10", "0", "01", "a", "z", "_alpha", "_rc", "_p", "_git", "_blah",
                  "~ab", "-r0", "-r1", "-r", "-x", "A"],
                &[".", ""],
                6,
            ),
            "[0-9a-z._~-]{1,12}",
        ]
        .boxed(),
    };
    prop_oneof![9 => grammar, 1 => select(NUMBERS).prop_map(str::to_owned)].boxed()
}

fn parsed_triple() -> impl Strategy<Value = (Ecosystem, Version, Version, Version)> {
    select(Ecosystem::ALL.to_vec()).prop_flat_map(|eco| {
        (version(eco), version(eco), version(eco)).prop_filter_map(
            "all three must parse",
            move |(a, b, c)| {
                Some((
                    eco,
                    parse(eco, &a).ok()?,
                    parse(eco, &b).ok()?,
                    parse(eco, &c).ok()?,
                ))
            },
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4096, ..ProptestConfig::default() })]

    #[test]
    fn parse_never_panics_on_arbitrary_strings(eco in select(Ecosystem::ALL.to_vec()), s in any::<String>()) {
        let _ = parse(eco, &s);
    }

    #[test]
    fn parse_never_panics_on_version_like_strings(
        eco in select(Ecosystem::ALL.to_vec()),
        s in "[0-9a-zA-Z.:~+_#!-]{0,16}|[0-9.\\-é_~]{0,8}",
    ) {
        let _ = parse(eco, &s);
    }

    #[test]
    fn order_is_total_and_consistent_with_equality((eco, a, b, c) in parsed_triple()) {
        let ab = a.cmp(&b);
        prop_assert_eq!(ab, b.cmp(&a).reverse(), "{}: antisymmetry of {} and {}", eco, a, b);
        prop_assert_eq!(a == b, ab == Ordering::Equal, "{}: equality of {} and {}", eco, a, b);
        prop_assert_eq!(a.cmp(&a), Ordering::Equal);
        for (x, y, z) in [(&a, &b, &c), (&a, &c, &b), (&b, &a, &c), (&b, &c, &a), (&c, &a, &b), (&c, &b, &a)] {
            if x <= y && y <= z {
                prop_assert!(x <= z, "{}: {} <= {} <= {} but not {} <= {}", eco, x, y, z, x, z);
            }
            if x == y {
                prop_assert_eq!(x.cmp(z), y.cmp(z), "{}: {} = {} but they differ against {}", eco, x, y, z);
            }
        }
    }

    #[test]
    fn sort_is_stable_and_ascending(
        (eco, versions) in select(Ecosystem::ALL.to_vec())
            .prop_flat_map(|eco| (Just(eco), prop::collection::vec(version(eco), 0..12)))
    ) {
        let versions: Vec<&str> = versions
            .iter()
            .map(String::as_str)
            .filter(|v| parse(eco, v).is_ok())
            .collect();
        let mut expected: Vec<String> = versions.iter().map(|v| v.to_string()).collect();
        // `sort_by` is itself stable, so this is the stable order by `compare`.
        expected.sort_by(|a, b| compare(eco, a, b).unwrap());
        prop_assert_eq!(sort(eco, &versions).unwrap(), expected);
    }
}
