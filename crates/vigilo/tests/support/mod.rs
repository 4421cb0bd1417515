#![allow(dead_code)] // each test binary uses part of this shared module

//! Running the real `vigilo` binary against a test database.

use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use vigilo_testdb::TestDb;

pub fn vigilo(db: &TestDb) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_vigilo"));
    c.env_remove("VIGILO_AS")
        .env_remove("VIGILO_DATABASE_URL")
        .args(["--db", &db.url()]);
    c
}

pub fn run(db: &TestDb, args: &[&str]) -> Output {
    vigilo(db).args(args).output().expect("vigilo runs")
}

fn describe(args: &[&str], out: &Output) -> String {
    format!(
        "vigilo {}\nexit {:?}\nstdout: {}\nstderr: {}",
        args.join(" "),
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Runs with `--json`, expects success, returns the one JSON object printed.
pub fn json(db: &TestDb, args: &[&str]) -> Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let out = run(db, &all);
    assert!(out.status.success(), "{}", describe(&all, &out));
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not one JSON object ({e}): {}", describe(&all, &out)))
}

/// Expects exit status `code`; returns stderr.
pub fn fails(db: &TestDb, args: &[&str], code: i32) -> String {
    let out = run(db, args);
    assert_eq!(out.status.code(), Some(code), "{}", describe(args, &out));
    assert!(
        out.stdout.is_empty(),
        "a failure prints nothing on stdout: {}",
        describe(args, &out)
    );
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A store with a manufacturer, a partner, people of each kind and one product.
pub fn registry(db: &TestDb) {
    json(
        db,
        &[
            "init",
            "--org",
            "acme",
            "--org-name",
            "Acme Medical GmbH",
            "--timezone",
            "Europe/Berlin",
            "--admin",
            "admin",
            "--admin-name",
            "Ada Admin",
        ],
    );
    json(
        db,
        &[
            "--as",
            "admin",
            "org",
            "add",
            "alpen",
            "--name",
            "AlpenService GmbH",
            "--partner",
            "--agreement",
            "QA-2025-01",
            "--valid-from",
            "2025-01-01",
            "--valid-to",
            "2026-12-31",
            "--countries",
            "AT,IT",
        ],
    );
    for (id, org, role) in [
        ("qm", "acme", "quality"),
        ("tom", "acme", "technician"),
        ("huber", "alpen", "technician"),
        ("nb", "acme", "auditor"),
    ] {
        json(
            db,
            &[
                "--as",
                "admin",
                "person",
                "add",
                id,
                "--name",
                &id.to_uppercase(),
                "--org",
                org,
                "--role",
                role,
            ],
        );
    }
    json(
        db,
        &[
            "--as",
            "qm",
            "product",
            "add",
            "pt2",
            "--name",
            "PulseTherm P2",
            "--class",
            "IIa",
            "--udi-di",
            "04260123450007",
            "--markets",
            "EU,US",
            "--schedule",
            "battery-replacement=24m,functional-check=12m",
        ],
    );
}

/// Registers a device of product pt2 as admin.
pub fn add_device(db: &TestDb, serial: &str, country: &str) -> Value {
    json(
        db,
        &[
            "--as",
            "admin",
            "device",
            "add",
            "--product",
            "pt2",
            "--serial",
            serial,
            "--country",
            country,
        ],
    )
}

/// A command line written as one string; double quotes group words.
pub fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut any = false;
    for c in line.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                any = true;
            }
            c if c.is_whitespace() && !quoted => {
                if any {
                    out.push(std::mem::take(&mut cur));
                    any = false;
                }
            }
            c => {
                cur.push(c);
                any = true;
            }
        }
    }
    if any {
        out.push(cur);
    }
    out
}

/// Runs a command line (see [`words`]) with `--json`; expects success.
pub fn ok(db: &TestDb, line: &str) -> Value {
    let w = words(line);
    json(db, &w.iter().map(String::as_str).collect::<Vec<_>>())
}

/// Runs a command line expecting exit status `code`; returns stderr.
pub fn refused(db: &TestDb, line: &str, code: i32) -> String {
    let w = words(line);
    fails(db, &w.iter().map(String::as_str).collect::<Vec<_>>(), code)
}

// ---- SBOM and advisory fixtures ----------------------------------------------------------------

pub fn data(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// The Laravel 7.12.0 example SBOM (vigilo-sbom's test data; source in its SOURCES.md).
pub fn laravel() -> PathBuf {
    data("../vigilo-sbom/tests/data/cyclonedx/bom-examples/laravel-7.12.0/bom.1.4.json")
}

/// Real Packagist records from osv-scanner's offline databases (vigilo-osv's test data; source
/// and licence in its SOURCES.md). GHSA-9f46-5r25-5wfm (CVE-2021-32708) affects
/// league/flysystem below 1.1.4.
pub fn packagist() -> PathBuf {
    data("../vigilo-osv/tests/data/advisories/osv-scanner-offline-dbs/Packagist")
}

/// The Laravel SBOM as a release that still ships league/flysystem 1.1.3, the last version
/// before the CVE-2021-32708 fix (the example itself has 1.1.10, which is not affected).
pub fn laravel_with_old_flysystem(dir: &Path) -> PathBuf {
    let mut bom: Value = serde_json::from_slice(&std::fs::read(laravel()).unwrap()).unwrap();
    let flysystem = bom["components"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|c| c["purl"] == "pkg:composer/league/flysystem@1.1.10")
        .unwrap();
    flysystem["version"] = json!("1.1.3");
    flysystem["purl"] = json!("pkg:composer/league/flysystem@1.1.3");
    let path = dir.join("release-2.1.0.cdx.json");
    std::fs::write(&path, bom.to_string()).unwrap();
    path
}

pub fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}
