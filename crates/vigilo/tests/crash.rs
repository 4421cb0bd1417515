//! Nothing lost: a `vigilo` process killed with SIGKILL in the middle of a batch leaves the
//! store as it was before the batch; the store reopens, verifies, and takes the batch again.

mod support;

use std::io::{BufRead, BufReader, Write};
use std::process::Stdio;
use support::*;
use vigilo_testdb::TestDb;

const ROWS: usize = 6000;
/// Kill once at least this many rows are written inside the open transaction.
const KILL_AFTER: usize = 1500;

fn write_csv(dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("fleet.csv");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    writeln!(f, "serial,country,software,customer").unwrap();
    for i in 0..ROWS {
        let cc = ["DE", "AT", "FR", "IT", "NL"][i % 5];
        writeln!(f, "PT2-{i:06},{cc},2.1.0,Clinic {}", i % 97).unwrap();
    }
    f.flush().unwrap();
    path
}

/// Imports the fleet file; returns (added, unchanged).
fn import(db: &TestDb, csv: &std::path::Path) -> (Option<u64>, Option<u64>) {
    let s = json(
        db,
        &[
            "--as",
            "admin",
            "device",
            "import",
            "--product",
            "pt2",
            csv.to_str().unwrap(),
        ],
    );
    (s["added"].as_u64(), s["unchanged"].as_u64())
}

fn device_count(db: &TestDb) -> usize {
    json(db, &["device", "list"])["devices"]
        .as_array()
        .unwrap()
        .len()
}

async fn killed_batch_leaves_the_store_before_it(db: &TestDb) {
    registry(db);
    let dir = tempfile::tempdir().unwrap();
    let csv = write_csv(dir.path());
    let head = json(db, &["audit", "head"]);

    let mut child = vigilo(db)
        .args([
            "--progress",
            "lines",
            "--as",
            "admin",
            "device",
            "import",
            "--product",
            "pt2",
        ])
        .arg(&csv)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut done = 0;
    for line in BufReader::new(child.stderr.take().unwrap()).lines() {
        let line = line.unwrap();
        if let Some(progress) = line.strip_prefix("device import: ") {
            done = progress.split('/').next().unwrap().parse().unwrap();
            if done >= KILL_AFTER {
                child.kill().unwrap(); // SIGKILL
                break;
            }
        }
    }
    let status = child.wait().unwrap();
    assert!(
        (KILL_AFTER..ROWS).contains(&done) && !status.success(),
        "the import must be killed mid-batch (at {done} of {ROWS} rows, {status})"
    );

    // Before the batch: nothing of it, and an intact chain.
    assert_eq!(
        device_count(db),
        0,
        "a killed batch must leave nothing behind"
    );
    assert_eq!(json(db, &["audit", "head"]), head);
    json(db, &["audit", "verify"]);

    // The store takes the batch again, whole; a second run changes nothing.
    assert_eq!(import(db, &csv), (Some(ROWS as u64), Some(0)));
    assert_eq!(import(db, &csv), (Some(0), Some(ROWS as u64)));
    assert_eq!(device_count(db), ROWS);
    let v = json(db, &["audit", "verify"]);
    assert_eq!(v["events"], v["records"]);
}

async fn bad_rows_are_named_and_nothing_is_imported(db: &TestDb) {
    registry(db);
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("bad.csv");
    std::fs::write(
        &csv,
        "serial,country,manufactured\nA-1,DE,2025-01-01\nA-2,XX,2025-01-01\nA-3,AT,2025-13-01\nA-4,FR,\n,IT,\n",
    )
    .unwrap();
    let stderr = fails(
        db,
        &[
            "--as",
            "admin",
            "device",
            "import",
            "--product",
            "pt2",
            csv.to_str().unwrap(),
        ],
        2,
    );
    let name = csv.display().to_string();
    for expected in [
        format!("{name} line 3, column country: \"XX\" is not an ISO 3166-1 alpha-2 country code"),
        format!("{name} line 4, column manufactured: \"2025-13-01\" is not a date"),
        format!("{name} line 6, column serial: is empty"),
        "3 bad rows, nothing imported".to_owned(),
    ] {
        assert!(
            stderr.contains(&expected),
            "expected {expected:?} in {stderr}"
        );
    }
    assert_eq!(device_count(db), 0);
    std::fs::write(&csv, "serial,colour\nA-1,red\n").unwrap();
    let stderr = fails(
        db,
        &[
            "--as",
            "admin",
            "device",
            "import",
            "--product",
            "pt2",
            csv.to_str().unwrap(),
        ],
        2,
    );
    assert!(
        stderr.contains("line 1: unknown column \"colour\""),
        "{stderr}"
    );
}

vigilo_testdb::backend_tests!(
    killed_batch_leaves_the_store_before_it,
    bad_rows_are_named_and_nothing_is_imported,
);
