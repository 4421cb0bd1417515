//! Runs every vector of every `vectors_*` file from Red Hat's CVSS test suite
//! (see tests/data/SOURCES.md) and reports all mismatches at once.
//!
//! Line formats: `VECTOR - (base, temporal, environmental)` for v2/v3 (only
//! the base score is compared: `score` returns the base score), and
//! `VECTOR - (score,)` or `VECTOR - score` for v4.

use std::fs;
use std::path::Path;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/redhat-cvss");

/// The version label the vector carries; Red Hat writes v2 vectors bare.
fn expected_version(vector: &str) -> &str {
    vector
        .strip_prefix("CVSS:")
        .and_then(|rest| rest.split_once('/'))
        .map_or("2.0", |(version, _)| version)
}

fn expected_score(expected: &str) -> Option<f64> {
    let first = expected
        .trim()
        .trim_start_matches('(')
        .split([',', ')'])
        .next()?;
    first.trim().parse().ok()
}

fn check_line(line: &str) -> Result<(), String> {
    let (vector, expected) = line
        .split_once(" - ")
        .ok_or("line is not `VECTOR - SCORES`")?;
    let expected = expected_score(expected).ok_or("no expected base score")?;
    let got = vigilo_cvss::score(vector).map_err(|e| e.to_string())?;
    if got.base_score != expected {
        return Err(format!(
            "{vector}: expected {expected}, got {}",
            got.base_score
        ));
    }
    if got.version.to_string() != expected_version(vector) {
        return Err(format!("{vector}: reported as version {}", got.version));
    }
    if got.vector != vector {
        return Err(format!("{vector}: vector echoed as {}", got.vector));
    }
    Ok(())
}

#[test]
fn every_redhat_vector_scores_as_expected() {
    let mut files: Vec<_> = fs::read_dir(DATA)
        .expect("test data directory")
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| {
            path.file_name()
                .and_then(|name| name.to_str())
                .is_some_and(|name| name.starts_with("vectors_"))
        })
        .collect();
    files.sort();
    assert_eq!(files.len(), 11, "expected all 11 vectors_* files in {DATA}");

    let mut mismatches = Vec::new();
    for path in &files {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("?");
        let text = fs::read_to_string(path).expect("readable vector file");
        let (mut passed, mut total) = (0, 0);
        for (index, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            total += 1;
            match check_line(line) {
                Ok(()) => passed += 1,
                Err(why) => mismatches.push(format!("{name}:{}: {why}", index + 1)),
            }
        }
        println!("{name}: {passed}/{total} passed");
        assert!(total > 0, "{} has no vectors", Path::new(name).display());
    }
    assert!(
        mismatches.is_empty(),
        "{} mismatches:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}
