//! Fleet-wide matching gives the answers of component-by-component queries:
//! `Index::query_many` the reports of `Index::query_report`, and
//! `Inventory::affected_by`, for one advisory, exactly the owners whose
//! components the index built from that advisory alone matches: on every
//! real record here, and on generated advisories and fleets.

mod common;

use std::collections::BTreeSet;

use common::{advisories, zeppelin};
use proptest::prelude::*;
use vigilo_osv::{
    Advisory, Affected, Event, Index, Inventory, Package, Range, RangeKind, load, parse_json,
};
use vigilo_purl::Purl;

/// The owners the index finds: every component queried one by one.
fn by_index(advisory: &Advisory, fleet: &[(Purl, u32)]) -> BTreeSet<u32> {
    let index = Index::build(vec![advisory.clone()]);
    fleet
        .iter()
        .filter(|(purl, _)| !index.query(purl).is_empty())
        .map(|(_, owner)| *owner)
        .collect()
}

fn by_inventory(advisory: &Advisory, fleet: &[(Purl, u32)]) -> BTreeSet<u32> {
    let mut inventory = Inventory::new();
    for (purl, owner) in fleet {
        // Components the inventory cannot evaluate match nothing in the index either.
        let _ = inventory.insert(purl, *owner);
    }
    inventory
        .affected_by(advisory)
        .into_iter()
        .copied()
        .collect()
}

/// The purl of `name` in an OSV `ecosystem` (release suffix and all).
fn purl(ecosystem: &str, name: &str, version: &str) -> Option<Purl> {
    let (base, release) = ecosystem
        .split_once(':')
        .map_or((ecosystem, None), |(base, release)| (base, Some(release)));
    let text = match base {
        "npm" => format!("pkg:npm/{}@{version}", name.replace('@', "%40")),
        "Maven" => format!("pkg:maven/{}@{version}", name.replacen(':', "/", 1)),
        "Go" => format!("pkg:golang/{name}@{version}"),
        "Packagist" if release.is_none() => format!("pkg:composer/{name}@{version}"),
        "PyPI" => format!("pkg:pypi/{name}@{version}"),
        "crates.io" => format!("pkg:cargo/{name}@{version}"),
        "RubyGems" => format!("pkg:gem/{name}@{version}"),
        "NuGet" => format!("pkg:nuget/{name}@{version}"),
        "Debian" => format!(
            "pkg:deb/debian/{name}@{version}{}",
            release.map_or(String::new(), |r| format!("?distro=debian-{r}"))
        ),
        "Alpine" => format!("pkg:apk/alpine/{name}@{version}"),
        _ => return None,
    };
    Purl::parse(&text).ok()
}

/// Components at every version an advisory names (events and lists), at a
/// version below and above them all, and without the release qualifier.
fn fleet_for(advisory: &Advisory) -> Vec<(Purl, u32)> {
    let mut fleet = Vec::new();
    for affected in &advisory.affected {
        let Some(package) = &affected.package else {
            continue;
        };
        let events = affected.ranges.iter().flat_map(|range| &range.events);
        let versions = events
            .map(Event::version)
            .chain(affected.versions.iter().map(String::as_str))
            .chain(["0.0.1", "999.0"]);
        for version in versions {
            let ecosystems = [
                package.ecosystem.as_str(),
                package.ecosystem.split(':').next().unwrap_or_default(),
            ];
            for ecosystem in ecosystems {
                if let Some(purl) = purl(ecosystem, &package.name, version) {
                    let owner = u32::try_from(fleet.len() % 7).unwrap();
                    fleet.push((purl, owner));
                }
            }
        }
    }
    fleet
}

/// The directories of real records under `tests/data/advisories/` (the
/// zeppelin records come as a list of their own).
const RECORD_FOLDERS: [&str; 5] = [
    "ghsa-osv",
    "go-vulndb-osv",
    "osv-scanner-offline-dbs",
    "pypa-yaml",
    "rustsec-osv",
];

fn real_records() -> Vec<Advisory> {
    let mut records = zeppelin();
    for folder in RECORD_FOLDERS {
        records.extend(advisories(&format!("advisories/{folder}")));
    }
    records
}

#[test]
fn inventory_agrees_with_the_index_on_every_real_record() {
    let records = real_records();
    let mut affecting = 0;
    for advisory in &records {
        let fleet = fleet_for(advisory);
        let expected = by_index(advisory, &fleet);
        assert_eq!(by_inventory(advisory, &fleet), expected, "{}", advisory.id);
        affecting += usize::from(!expected.is_empty());
    }
    // Most records affect some component: the comparison is not vacuous.
    assert!(
        affecting > records.len() / 2,
        "{affecting} of {}",
        records.len()
    );
}

#[test]
fn query_many_agrees_with_query_report() {
    let records = real_records();
    let mut fleet: Vec<Purl> = records
        .iter()
        .flat_map(fleet_for)
        .map(|(purl, _)| purl)
        .collect();
    // Twice over, so that components repeat as across a fleet's SBOMs, and
    // some without a version, whose errors name each purl.
    fleet.extend(fleet.clone());
    fleet.extend(
        ["pkg:npm/lodash", "pkg:cargo/smallvec", "pkg:generic/x@1"].map(|p| p.parse().unwrap()),
    );
    let index = Index::build(records);
    let reports = index.query_many(&fleet);
    assert_eq!(reports.len(), fleet.len());
    let mut matched = 0;
    for (purl, report) in fleet.iter().zip(reports.iter()) {
        let expected = index.query_report(purl);
        assert_eq!(report.matches, expected.matches, "{purl}");
        let errors = |r: &vigilo_osv::QueryReport<'_>| {
            r.errors.iter().map(ToString::to_string).collect::<Vec<_>>()
        };
        assert_eq!(errors(report), errors(&expected), "{purl}");
        matched += report.matches.len();
    }
    assert!(
        matched > fleet.len() / 4,
        "{matched} matches for {} components",
        fleet.len()
    );
    assert!(reports.get(fleet.len()).is_none());
}

#[test]
fn reports_components_it_cannot_evaluate() {
    let mut inventory = Inventory::new();
    assert!(
        inventory
            .insert(&Purl::parse("pkg:npm/a").unwrap(), 1)
            .is_err()
    );
    assert!(
        inventory
            .insert(&Purl::parse("pkg:npm/a@not.a.version").unwrap(), 1)
            .is_err()
    );
    assert!(
        inventory
            .insert(&Purl::parse("pkg:generic/a@1").unwrap(), 1)
            .is_ok()
    );
    assert!(inventory.is_empty());
    inventory
        .insert(&Purl::parse("pkg:npm/a@1.0.0").unwrap(), 1)
        .unwrap();
    assert_eq!(inventory.len(), 1);
}

const VERSIONS: &[&str] = &["0", "0.9", "1.0", "1.0.1", "1.1", "2.0", "2.0.1", "3"];

fn event() -> impl Strategy<Value = Event> {
    let version = prop::sample::select(VERSIONS).prop_map(str::to_owned);
    prop_oneof![
        3 => version.clone().prop_map(Event::Introduced),
        2 => version.clone().prop_map(Event::Fixed),
        1 => version.clone().prop_map(Event::LastAffected),
        1 => version.prop_map(Event::Limit),
    ]
}

/// Two packages, in PyPI (names folded per PEP 503) or Debian (entries per
/// release), so that entries share packages and releases exclude components.
fn affected(debian: bool) -> impl Strategy<Value = Affected> {
    let ecosystem = if debian {
        prop::sample::select(vec!["Debian", "Debian:11", "Debian:12"]).boxed()
    } else {
        Just("PyPI").boxed()
    };
    let name = prop::sample::select(vec!["p", "q", "P"]);
    let range = (
        prop_oneof![Just(RangeKind::Ecosystem), Just(RangeKind::Git)],
        prop::collection::vec(event(), 1..5),
    )
        .prop_map(|(kind, events)| Range {
            kind,
            repo: None,
            events,
        });
    let listed =
        prop::collection::vec(prop::sample::select(VERSIONS).prop_map(str::to_owned), 0..3);
    (ecosystem, name, prop::collection::vec(range, 0..3), listed).prop_map(
        |(ecosystem, name, ranges, versions)| Affected {
            package: Some(Package {
                ecosystem: ecosystem.to_owned(),
                name: name.to_owned(),
                purl: None,
            }),
            ranges,
            versions,
            severity: Vec::new(),
        },
    )
}

fn case() -> impl Strategy<Value = (Advisory, Vec<(Purl, u32)>)> {
    any::<bool>().prop_flat_map(|debian| {
        let component = (
            prop::sample::select(vec!["p", "q", "P", "r"]),
            prop::sample::select(VERSIONS),
            prop::sample::select(vec!["", "?distro=debian-11", "?distro=bookworm"]),
            0..6u32,
        )
            .prop_map(move |(name, version, distro, owner)| {
                let text = if debian {
                    format!("pkg:deb/debian/{name}@{version}{distro}")
                } else {
                    format!("pkg:pypi/{name}@{version}")
                };
                (Purl::parse(&text).unwrap(), owner)
            });
        (
            prop::collection::vec(affected(debian), 1..4),
            any::<bool>(),
            prop::collection::vec(component, 0..16),
        )
            .prop_map(|(affected, withdrawn, fleet)| {
                let record = if withdrawn {
                    r#"{"id": "OSV-P", "modified": "2024-01-01T00:00:00Z", "withdrawn": "2024-01-02T00:00:00Z"}"#
                } else {
                    r#"{"id": "OSV-P", "modified": "2024-01-01T00:00:00Z"}"#
                };
                let advisory = Advisory {
                    affected,
                    ..parse_json(record.as_bytes()).unwrap()
                };
                (advisory, fleet)
            })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn inventory_agrees_with_the_index_on_generated_fleets((advisory, fleet) in case()) {
        prop_assert_eq!(by_inventory(&advisory, &fleet), by_index(&advisory, &fleet));
    }
}

/// A scratch directory of this test binary's own, emptied first.
fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    if dir.exists() {
        std::fs::remove_dir_all(&dir).unwrap();
    }
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn built_from_load(path: &std::path::Path) -> Index {
    Index::build(load(path).unwrap().into_iter().map(|(_, a)| a).collect())
}

#[test]
fn index_load_agrees_with_build_over_load() {
    let dir = scratch("index-load");
    // The zeppelin records as OSV's all.zip holds them, so that archives are read too.
    let archive = dir.join("all.zip");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&archive).unwrap());
    for advisory in zeppelin() {
        let options = zip::write::SimpleFileOptions::default();
        zip.start_file(format!("{}.json", advisory.id), options)
            .unwrap();
        serde_json::to_writer_pretty(&mut zip, &advisory).unwrap();
    }
    zip.finish().unwrap();
    let mut sources = vec![archive];
    for folder in RECORD_FOLDERS {
        sources.push(common::data(&format!("advisories/{folder}")));
    }
    let mut matched = 0;
    for source in sources {
        let loaded = Index::load(&source).unwrap();
        let built = built_from_load(&source);
        assert_eq!(
            loaded.advisories(),
            built.advisories(),
            "{}",
            source.display()
        );
        let records = load(&source).unwrap();
        for (purl, _) in records.iter().flat_map(|(_, advisory)| fleet_for(advisory)) {
            let (found, expected) = (loaded.query_report(&purl), built.query_report(&purl));
            assert_eq!(found.matches, expected.matches, "{purl}");
            let errors = |r: &vigilo_osv::QueryReport<'_>| {
                r.errors.iter().map(ToString::to_string).collect::<Vec<_>>()
            };
            assert_eq!(errors(&found), errors(&expected), "{purl}");
            matched += found.matches.len();
        }
    }
    assert!(matched > 10_000, "{matched} matches");
}

/// Records that `load` rejects, `Index::load` rejects with the same error,
/// and the lenient ones it reads alike.
#[test]
fn index_load_reads_and_rejects_records_as_load_does() {
    let dir = scratch("index-load-records");
    let affected = |entry: &str| {
        format!(r#"{{"id": "X-1", "modified": "2024-01-02T03:04:05Z", "affected": [{{{entry}}}]}}"#)
    };
    let package = r#""package": {"ecosystem": "npm", "name": "a"}"#;
    let rejected = [
        r#"{"id": "", "modified": "2024-01-01T00:00:00Z"}"#.to_owned(),
        r#"{"modified": "2024-01-01T00:00:00Z"}"#.to_owned(),
        r#"{"id": "X-1", "modified": "2024-13-01T00:00:00Z"}"#.to_owned(),
        r#"{"id": "X-1", "modified": "2024-01-01T00:00:00Z", "published": "soon"}"#.to_owned(),
        r#"{"id": "X-1", "modified": "2024-01-01T00:00:00Z", "details": 3}"#.to_owned(),
        r#"{"id": "X-1", "modified": "2024-01-01T00:00:00Z", "related": "X-2"}"#.to_owned(),
        r#"{"id": "X-1", "modified": "2024-01-01T00:00:00Z", "references": [{"url": "u"}]}"#
            .to_owned(),
        r#"{"id": "X-1", "modified": "2024-01-01T00:00:00Z", "severity": [{"type": "CVSS_V3"}]}"#
            .to_owned(),
        r#"{"id": "X-1", "modified": "2024-01-01T00:00:00Z", "id": "X-2"}"#.to_owned(),
        "{".to_owned(),
        r#"["X-1", "2024-01-01T00:00:00Z"]"#.to_owned(),
        "3".to_owned(),
        affected(r#""package": {"ecosystem": "npm"}"#),
        affected(&format!(r#"{package}, "versions": "1.0""#)),
        affected(&format!(r#"{package}, "versions": [1]"#)),
        affected(&format!(r#"{package}, "severity": [{{"score": "9"}}]"#)),
        affected(&format!(
            r#"{package}, "ranges": [{{"type": "SEMVER", "events": [{{"fixed": "1"}}]}}]"#
        )),
        affected(&format!(
            r#"{package}, "ranges": [{{"type": "SEMVER", "events": [{{"introduced": "0", "fixed": "1"}}]}}]"#
        )),
    ];
    let not_utf8 =
        b"{\"id\": \"X-1\", \"modified\": \"2024-01-01T00:00:00Z\", \"summary\": \"\xe9\"}";
    let rejected = rejected.iter().map(String::as_bytes).chain([&not_utf8[..]]);
    for (n, record) in rejected.enumerate() {
        let path = dir.join(format!("rejected-{n}.json"));
        std::fs::write(&path, record).unwrap();
        let expected = load(&path).unwrap_err().to_string();
        assert_eq!(Index::load(&path).unwrap_err().to_string(), expected);
    }
    let lenient = [
        affected(&format!(
            r#"{package}, "versions": null, "ranges": null, "severity": null, "x": 1"#
        )),
        affected(&format!(
            r#"{package}, "versions": ["1.0.0", "2.0.\u0030"], "database_specific": {{"a": [1]}}"#
        )),
        r#"{"id": "X-1", "modified": "2024-01-01T00:00:00Z", "aliases": null, "related": null,
            "summary": null, "details": "a\nb", "references": null, "affected": null}"#
            .to_owned(),
    ];
    for (n, record) in lenient.iter().enumerate() {
        let path = dir.join(format!("lenient-{n}.json"));
        std::fs::write(&path, record).unwrap();
        let (loaded, built) = (Index::load(&path).unwrap(), built_from_load(&path));
        assert_eq!(loaded.advisories(), built.advisories());
        for version in ["1.0.0", "2.0.0", "3.0.0"] {
            let purl = Purl::parse(&format!("pkg:npm/a@{version}")).unwrap();
            assert_eq!(loaded.query(&purl), built.query(&purl), "{record}");
        }
    }
}
