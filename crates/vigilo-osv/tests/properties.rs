//! Properties: parsing never panics, and the compiled evaluation (alone and
//! through the index) agrees with a literal transcription of the OSV schema's
//! pseudo-code on generated ranges.

mod common;

use std::cmp::Ordering;
use std::fs;

use common::data;
use proptest::prelude::*;
use vigilo_osv::{
    Advisory, Affected, Event, Index, Package, Range, RangeKind, affects, parse_json, parse_yaml,
};
use vigilo_purl::Purl;
use vigilo_versions::{Ecosystem, compare};

/// The schema's `IsVulnerable` for one affected entry, step by step: no
/// parsing ahead of time, a hand-written stable insertion sort, comparisons
/// through `vigilo_versions::compare`.
fn reference(affected: &Affected, ecosystem: Ecosystem, v: &str) -> bool {
    let cmp = |a: &str, b: &str| compare(ecosystem, a, b).unwrap();
    if affected
        .versions
        .iter()
        .any(|listed| cmp(v, listed) == Ordering::Equal)
    {
        return true;
    }
    for range in &affected.ranges {
        if !matches!(range.kind, RangeKind::Semver | RangeKind::Ecosystem) {
            continue;
        }
        let limits: Vec<&str> = range
            .events
            .iter()
            .filter_map(|event| match event {
                Event::Limit(limit) => Some(limit.as_str()),
                _ => None,
            })
            .collect();
        let before_limits = limits.is_empty()
            || limits
                .iter()
                .any(|limit| limit.contains('*') || cmp(v, limit) == Ordering::Less);
        if !before_limits {
            continue;
        }
        let below = |a: &Event, b: &Event| match (a, b) {
            (_, Event::Introduced(zero)) if zero == "0" => false,
            (Event::Introduced(zero), _) if zero == "0" => true,
            _ => cmp(a.version(), b.version()) == Ordering::Less,
        };
        let mut sorted: Vec<&Event> = Vec::new();
        for event in range
            .events
            .iter()
            .filter(|event| !matches!(event, Event::Limit(_)))
        {
            let at = sorted
                .iter()
                .rposition(|placed| !below(event, placed))
                .map_or(0, |i| i + 1);
            sorted.insert(at, event);
        }
        let mut vulnerable = false;
        for event in sorted {
            match event {
                Event::Introduced(i) if i == "0" || cmp(v, i) != Ordering::Less => {
                    vulnerable = true
                }
                Event::Fixed(f) if cmp(v, f) != Ordering::Less => vulnerable = false,
                Event::LastAffected(l) if cmp(v, l) == Ordering::Greater => vulnerable = false,
                _ => {}
            }
        }
        if vulnerable {
            return true;
        }
    }
    false
}

/// Small pools, so that generated events and versions often meet and tie
/// (npm `1.0` is `1.0.0`; `2.0.0+build` is `2.0.0`).
const POOLS: [(Ecosystem, &str, &[&str]); 3] = [
    (
        Ecosystem::Npm,
        "npm",
        &[
            "0",
            "0.0.0-alpha",
            "0.1.0",
            "1.0.0-rc.1",
            "1.0.0",
            "1.0",
            "1.0.1",
            "1.2.0",
            "2.0.0",
            "2.0.0+build",
            "10.0.0",
        ],
    ),
    (
        Ecosystem::Maven,
        "maven",
        &[
            "0",
            "1-alpha",
            "1.0-SNAPSHOT",
            "1.0",
            "1.0.0",
            "1.0.1",
            "1.0.sp1",
            "2.0.RELEASE",
            "2.0",
            "2.0.1",
        ],
    ),
    (
        Ecosystem::PyPI,
        "pypi",
        &[
            "0",
            "0.9",
            "1.0a1",
            "1.0",
            "1.0.0",
            "1.0.post1",
            "2.0.dev1",
            "2.0",
            "2.1",
        ],
    ),
];

fn event(pool: &'static [&'static str]) -> impl Strategy<Value = Event> {
    let version = prop::sample::select(pool).prop_map(str::to_owned);
    prop_oneof![
        3 => version.clone().prop_map(Event::Introduced),
        2 => version.clone().prop_map(Event::Fixed),
        1 => version.clone().prop_map(Event::LastAffected),
        1 => prop_oneof![version, Just("*".to_owned())].prop_map(Event::Limit),
    ]
}

fn entry(pool: &'static [&'static str]) -> impl Strategy<Value = Affected> {
    let kind = prop_oneof![
        Just(RangeKind::Semver),
        Just(RangeKind::Ecosystem),
        Just(RangeKind::Git)
    ];
    let range = (kind, prop::collection::vec(event(pool), 1..6)).prop_map(|(kind, events)| Range {
        kind,
        repo: None,
        events,
    });
    let listed = prop::collection::vec(prop::sample::select(pool).prop_map(str::to_owned), 0..3);
    (prop::collection::vec(range, 0..3), listed).prop_map(|(ranges, versions)| Affected {
        package: None,
        ranges,
        versions,
        severity: Vec::new(),
    })
}

fn case() -> impl Strategy<Value = (Ecosystem, &'static str, Affected, Vec<&'static str>)> {
    (0..POOLS.len()).prop_flat_map(|which| {
        let (ecosystem, purl_type, pool) = POOLS[which];
        (
            Just(ecosystem),
            Just(purl_type),
            entry(pool),
            Just(pool.to_vec()),
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn evaluation_agrees_with_the_schema_pseudo_code((ecosystem, purl_type, mut affected, probes) in case()) {
        for probe in &probes {
            prop_assert_eq!(
                affects(&affected, ecosystem, probe).unwrap(),
                reference(&affected, ecosystem, probe),
                "{} {:?}", probe, affected
            );
        }
        // The index evaluates the same entry from its compiled form, with the
        // list consulted lazily, and finds it through the purl's package.
        let (name, path) = if purl_type == "maven" { ("g:p", "g/p") } else { ("p", "p") };
        affected.package = Some(Package { ecosystem: ecosystem.to_string(), name: name.into(), purl: None });
        let advisory = Advisory {
            affected: vec![affected.clone()],
            ..parse_json(br#"{"id": "OSV-P", "modified": "2024-01-01T00:00:00Z"}"#).unwrap()
        };
        let index = Index::build(vec![advisory]);
        for probe in &probes {
            let purl = Purl::parse(&format!("pkg:{purl_type}/{path}@{probe}")).unwrap();
            let matched = !index.query(&purl).is_empty();
            prop_assert_eq!(matched, reference(&affected, ecosystem, probe), "{} {:?}", probe, affected);
        }
    }

    #[test]
    fn parsing_arbitrary_bytes_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        let _ = parse_json(&bytes);
        let _ = parse_yaml(&bytes);
    }

    #[test]
    fn parsing_damaged_records_never_panics(
        at in any::<prop::sample::Index>(),
        byte in any::<u8>(),
        truncate in any::<bool>(),
    ) {
        for (file, yaml) in [
            ("advisories/ghsa-osv/GHSA-5667-3wch-7q7w.json", false),
            ("advisories/pypa-yaml/vulns/aiohttp/PYSEC-2024-24.yaml", true),
        ] {
            let mut bytes = fs::read(data(file)).unwrap();
            let at = at.index(bytes.len());
            if truncate { bytes.truncate(at) } else { bytes[at] = byte }
            let _ = if yaml { parse_yaml(&bytes) } else { parse_json(&bytes) };
        }
    }
}
