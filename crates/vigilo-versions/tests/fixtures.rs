//! Runs every comparison line of the third-party fixtures in `tests/data`
//! (see `tests/data/SOURCES.md`) and reports every failure with its file and line.

use std::cmp::Ordering;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use vigilo_versions::{Ecosystem, compare};

/// Each fixture file and the ecosystems it applies to, as in osv-scalibr's
/// `compare_test.go`.
const FIXTURES: &[(&str, &[Ecosystem])] = &[
    (
        "semver-versions.txt",
        &[
            Ecosystem::Npm,
            Ecosystem::CratesIo,
            Ecosystem::Go,
            Ecosystem::Hex,
        ],
    ),
    ("pypi-versions.txt", &[Ecosystem::PyPI]),
    ("pypi-versions-generated.txt", &[Ecosystem::PyPI]),
    ("maven-versions.txt", &[Ecosystem::Maven]),
    ("maven-versions-generated.txt", &[Ecosystem::Maven]),
    ("nuget-versions.txt", &[Ecosystem::NuGet]),
    ("rubygems-versions.txt", &[Ecosystem::RubyGems]),
    ("rubygems-versions-generated.txt", &[Ecosystem::RubyGems]),
    ("packagist-versions.txt", &[Ecosystem::Packagist]),
    ("packagist-versions-generated.txt", &[Ecosystem::Packagist]),
    ("packagist_test_cases.txt", &[Ecosystem::Packagist]),
    ("debian-versions.txt", &[Ecosystem::Debian]),
    ("debian-versions-generated.txt", &[Ecosystem::Debian]),
    ("alpine-versions.txt", &[Ecosystem::Alpine]),
    ("alpine-versions-generated.txt", &[Ecosystem::Alpine]),
    ("pub-versions.txt", &[Ecosystem::Pub]),
];

/// Fixture files of the same osv-scalibr directory that are deliberately not
/// copied or run: their ecosystems are not ones this crate orders.
const SKIPPED_FILES: &[(&str, &str)] = &[
    ("cran-versions.txt", "CRAN is not a Vigilo ecosystem"),
    (
        "cran-versions-generated.txt",
        "CRAN is not a Vigilo ecosystem",
    ),
    ("hackage-versions.txt", "Hackage is not a Vigilo ecosystem"),
    (
        "redhat-versions.txt",
        "Red Hat (RPM) is not a Vigilo ecosystem",
    ),
];

/// Lines that cannot pass, with the reason. Each must still fail, so that a
/// stale entry is noticed.
const EXCEPTIONS: &[(&str, &str, &str)] = &[
    ("packagist-versions.txt", "1.2.3.# = 1.2.3.1", PHP_HASH),
    ("packagist_test_cases.txt", "1.2.3.# = 1.2.3.1", PHP_HASH),
    (
        "maven-versions-generated.txt",
        "1.0.0-gradle-rework-beta3 < 1.0.0.RC7-3",
        "Maven 3.8 cycle: 1.0.0.RC7-3 < 1.0.0 < 1.0.0-gradle-rework-beta3 < 1.0.0.RC7-3; \
         a total order must break one edge, and breaks this one",
    ),
    (
        "maven-versions-generated.txt",
        "2.9.0-1 < 2.9.0.RC1",
        "Maven 3.8 cycle: 2.9.0.RC1 < 2.9.0 < 2.9.0-1 < 2.9.0.RC1; \
         a total order must break one edge, and breaks this one",
    ),
    (
        "maven-versions-generated.txt",
        "1.1.0-01-glassfish < 1.1.0.Beta1",
        "Maven 3.8 cycle: 1.1.0.Beta1 < 1.1.0 < 1.1.0-01-glassfish < 1.1.0.Beta1; \
         a total order must break one edge, and breaks this one",
    ),
];

const PHP_HASH: &str = "PHP's version_compare is not transitive here: the same files require \
     `1.2.3.# = 1.2.3`, and `1.2.3 < 1.2.3.1` holds in PHP and in OSV, so no total \
     order can also make `1.2.3.#` equal `1.2.3.1`";

/// The sides of each cycle named in [`EXCEPTIONS`] that the total order keeps.
const CYCLE_EDGES_KEPT: &[(Ecosystem, &str, Ordering, &str)] = &[
    (Ecosystem::Maven, "1.0.0.RC7-3", Ordering::Less, "1.0.0"),
    (
        Ecosystem::Maven,
        "1.0.0",
        Ordering::Less,
        "1.0.0-gradle-rework-beta3",
    ),
    (Ecosystem::Maven, "2.9.0.RC1", Ordering::Less, "2.9.0"),
    (Ecosystem::Maven, "2.9.0", Ordering::Less, "2.9.0-1"),
    (Ecosystem::Maven, "1.1.0.Beta1", Ordering::Less, "1.1.0"),
    (
        Ecosystem::Maven,
        "1.1.0",
        Ordering::Less,
        "1.1.0-01-glassfish",
    ),
    (Ecosystem::Packagist, "1.2.3.#", Ordering::Equal, "1.2.3"),
    (Ecosystem::Packagist, "1.2.3", Ordering::Less, "1.2.3.1"),
];

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data")
}

fn is_comment_or_blank(line: &str) -> bool {
    line.is_empty() || line.starts_with("# ") || line.starts_with("// ")
}

fn expected_ordering(op: &str) -> Option<Ordering> {
    match op {
        "<" => Some(Ordering::Less),
        "=" => Some(Ordering::Equal),
        ">" => Some(Ordering::Greater),
        _ => None,
    }
}

/// Checks one fixture line both ways round; `Err` explains the mismatch.
fn check_line(eco: Ecosystem, line: &str) -> Result<(), String> {
    let [a, op, b] = line.split(' ').collect::<Vec<_>>()[..] else {
        return Err("expected `A <op> B`".into());
    };
    let expected = expected_ordering(op).ok_or_else(|| format!("unknown operator {op:?}"))?;
    for (x, y, want) in [(a, b, expected), (b, a, expected.reverse())] {
        let got = compare(eco, x, y).map_err(|e| e.to_string())?;
        if got != want {
            return Err(format!(
                "compare({x:?}, {y:?}) = {got:?}, expected {want:?}"
            ));
        }
    }
    Ok(())
}

#[test]
fn every_fixture_line_orders_as_osv() {
    let mut failures = Vec::new();
    let mut exceptions_hit = BTreeSet::new();
    for (file, ecosystems) in FIXTURES {
        let text = std::fs::read_to_string(data_dir().join(file))
            .unwrap_or_else(|e| panic!("cannot read fixture {file}: {e}"));
        for eco in *ecosystems {
            let (mut passed, mut total, mut excepted) = (0, 0, 0);
            for (index, line) in text.lines().enumerate() {
                if is_comment_or_blank(line) {
                    continue;
                }
                total += 1;
                let exception = EXCEPTIONS
                    .iter()
                    .position(|(f, l, _)| f == file && *l == line);
                match (check_line(*eco, line), exception) {
                    (Ok(()), None) => passed += 1,
                    (Err(_), Some(known)) => {
                        excepted += 1;
                        exceptions_hit.insert(known);
                        let reason = EXCEPTIONS[known].2;
                        println!(
                            "{file}:{} [{eco}] known exception: {line}: {reason}",
                            index + 1
                        );
                    }
                    (Ok(()), Some(_)) => failures.push(format!(
                        "{file}:{} [{eco}] listed as an exception but passes: {line}",
                        index + 1
                    )),
                    (Err(why), None) => {
                        failures.push(format!("{file}:{} [{eco}] {line}: {why}", index + 1))
                    }
                }
            }
            println!("{file} [{eco}]: {passed}/{total} passed, {excepted} known exceptions");
        }
    }
    for (known, (file, line, _)) in EXCEPTIONS.iter().enumerate() {
        if !exceptions_hit.contains(&known) {
            failures.push(format!("exception not found in {file}: {line}"));
        }
    }
    for (file, reason) in SKIPPED_FILES {
        println!("{file}: not run ({reason})");
    }
    assert!(
        failures.is_empty(),
        "{} fixture failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn exceptions_only_break_cycles_whose_other_edges_hold() {
    for (eco, a, want, b) in CYCLE_EDGES_KEPT {
        assert_eq!(compare(*eco, a, b).unwrap(), *want, "{eco}: {a} vs {b}");
    }
}

#[test]
fn data_directory_holds_exactly_the_run_fixtures() {
    let mut on_disk: BTreeSet<String> = std::fs::read_dir(data_dir())
        .expect("tests/data exists")
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .filter(|name| name.ends_with(".txt") && !name.starts_with("LICENSE"))
        .collect();
    for (file, _) in FIXTURES {
        assert!(on_disk.remove(*file), "{file} is run but missing");
    }
    for (file, _) in SKIPPED_FILES {
        assert!(
            !on_disk.contains(*file),
            "{file} is skipped, so it is not shipped"
        );
    }
    assert!(on_disk.is_empty(), "fixtures never run: {on_disk:?}");
}
