//! Helpers shared by the integration tests.

#![allow(dead_code, reason = "each test crate uses a different subset")]

use std::io::Read;
use std::path::{Path, PathBuf};

use vigilo_osv::{Advisory, Affected, Event, Range, RangeKind};

pub fn data(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(relative)
}

/// Every record under a `tests/data` directory.
pub fn advisories(relative: &str) -> Vec<Advisory> {
    vigilo_osv::load(&data(relative))
        .unwrap_or_else(|error| panic!("{error}"))
        .into_iter()
        .map(|(_, advisory)| advisory)
        .collect()
}

/// The 356 OSV.dev records of osv-scalibr's zeppelin-server test data, kept
/// deflated in a zip archive because the JSON is 3 MB.
pub fn zeppelin() -> Vec<Advisory> {
    #[derive(serde::Deserialize)]
    struct Response {
        vulns: Vec<Advisory>,
    }
    let path = data("advisories/osv-scalibr-zeppelin/vulnerabilities.json.zip");
    let mut archive = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut json = String::new();
    archive
        .by_name("vulnerabilities.json")
        .unwrap()
        .read_to_string(&mut json)
        .unwrap();
    serde_json::from_str::<Response>(&json).unwrap().vulns
}

/// An affected entry without a package, with one range per event list.
pub fn affected(kind: RangeKind, ranges: &[&[Event]], versions: &[&str]) -> Affected {
    Affected {
        package: None,
        ranges: ranges
            .iter()
            .map(|events| Range {
                kind: kind.clone(),
                repo: None,
                events: events.to_vec(),
            })
            .collect(),
        versions: versions.iter().map(|v| v.to_string()).collect(),
        severity: Vec::new(),
    }
}

pub fn introduced(v: &str) -> Event {
    Event::Introduced(v.to_owned())
}

pub fn fixed(v: &str) -> Event {
    Event::Fixed(v.to_owned())
}

pub fn last_affected(v: &str) -> Event {
    Event::LastAffected(v.to_owned())
}

pub fn limit(v: &str) -> Event {
    Event::Limit(v.to_owned())
}
