//! The advisory-sources register, KEV/EPSS import and `advisories sync` (SPEC §3.5) as a script
//! runs them, on both backends: owners and backups from security, reviews and overdue reviews,
//! KEV and EPSS taken in once, and a sync against a local HTTP server whose feeds raise a
//! finding enriched with both, with a source that answers 404 recorded as failed.

mod support;

use serde_json::{Value, json};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use support::*;
use vigilo_testdb::TestDb;

/// Trimmed KEV catalog 2025.08.25 and the EPSS head (vigilo-intel's test data, SOURCES.md).
fn kev_file() -> PathBuf {
    data("../vigilo-intel/tests/data/known_exploited_vulnerabilities.json")
}

fn epss_file() -> PathBuf {
    data("../vigilo-intel/tests/data/epss_scores-current.head99.csv")
}

fn at(days: i64) -> String {
    jiff::Timestamp::now()
        .checked_add(jiff::SignedDuration::from_hours(24 * days))
        .unwrap()
        .to_string()
}

fn people(db: &TestDb) {
    registry(db);
    for (id, name) in [("sec", "Sam Security"), ("sec2", "Sue Security")] {
        ok(
            db,
            &format!("--as admin person add {id} --name \"{name}\" --org acme --role security"),
        );
    }
}

async fn register_owners_reviews_and_overdue(db: &TestDb) {
    people(db);
    let add = "--as sec source add kev --name \"CISA KEV\" --kind kev --cadence-days 7 \
               --url https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json";
    let m = refused(db, &format!("{add} --owner sec --backup qm"), 1);
    assert!(
        m.contains("security role") && m.contains("backup qm"),
        "{m}"
    );
    let m = refused(db, &format!("{add} --owner sec --backup sec"), 1);
    assert!(m.contains("different persons"), "{m}");
    let m = refused(db, &format!("{add} --owner sec --backup nobody"), 2);
    assert!(m.contains("--backup") && m.contains("nobody"), "{m}");
    let m = refused(
        db,
        "--as tom source add x --name X --kind kev --owner sec --backup sec2 --cadence-days 7",
        1,
    );
    assert!(m.contains("security"), "{m}");
    let m = refused(
        db,
        &format!("{add} --owner sec --backup sec2").replace("--kind kev", "--kind rss"),
        2,
    );
    assert!(m.contains("--kind") && m.contains("threat-intel"), "{m}");

    let kev = ok(db, &format!("{add} --owner sec --backup sec2"));
    assert_eq!(
        (
            &kev["id"],
            &kev["kind"],
            &kev["owner"],
            &kev["backup"],
            &kev["cadence_days"]
        ),
        (
            &json!("kev"),
            &json!("kev"),
            &json!("sec"),
            &json!("sec2"),
            &json!(7)
        )
    );
    ok(
        db,
        "--as admin source add psirt --name \"Vendor PSIRT\" --kind vendor --owner sec2 \
         --backup sec --cadence-days 30",
    );
    let m = refused(
        db,
        "--as admin source add psirt --name X --kind vendor --owner sec2 --backup sec --cadence-days 30",
        2,
    );
    assert!(m.contains("exists already"), "{m}");

    // Ten days on, the weekly review of KEV is overdue and listed first; the monthly one not.
    let list = ok(db, &format!("source list --as-of {}", at(10)));
    let ids: Vec<&Value> = list["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| &s["id"])
        .collect();
    assert_eq!(ids, [&json!("kev"), &json!("psirt")]);
    assert_eq!(list["overdue"], 1);
    assert_eq!(list["sources"][0]["overdue"], true);
    assert_eq!(list["sources"][0]["last_reviewed_at"], Value::Null);
    assert_eq!(list["sources"][1]["overdue"], false);

    // A review restarts the cadence from when it was held; the reviewer is the acting person.
    let held = jiff::Timestamp::now().to_string();
    let m = refused(
        db,
        &format!("--as admin source review kev --at {held} --note checked"),
        1,
    );
    assert!(m.contains("security"), "{m}");
    let m = refused(
        db,
        &format!("--as sec source review kev --at {} --note checked", at(1)),
        2,
    );
    assert!(m.contains("--at") && m.contains("future"), "{m}");
    let review = ok(
        db,
        &format!(
            "--as sec2 source review kev --at {held} --note \"feed current, owner confirmed\" \
             --outcome changes-needed"
        ),
    );
    assert_eq!(
        (&review["reviewed_by"], &review["outcome"]),
        (&json!("sec2"), &json!("changes-needed"))
    );
    let list = ok(db, &format!("source list --as-of {}", at(5)));
    assert_eq!(list["overdue"], 0);
    let shown = ok(db, "source show kev");
    let reviewed: jiff::Timestamp = shown["last_reviewed_at"].as_str().unwrap().parse().unwrap();
    let due: jiff::Timestamp = shown["next_review_due"].as_str().unwrap().parse().unwrap();
    assert_eq!(due.duration_since(reviewed).as_hours(), 7 * 24);
    assert_eq!(shown["reviews"].as_array().unwrap().len(), 1);
    assert_eq!(shown["syncs"], json!([]));
    let m = refused(db, "source show nope", 2);
    assert!(m.contains("no advisory source"), "{m}");

    ok(db, "audit verify");
}

async fn intel_import_once_and_bad_lines_named(db: &TestDb) {
    people(db);
    let kev = json(
        db,
        &["--as", "sec", "intel", "import", "kev", path(&kev_file())],
    );
    assert_eq!(
        (&kev["outcome"], &kev["added"], &kev["catalog"]["version"]),
        (&json!("imported"), &json!(9), &json!("2025.08.25"))
    );
    let epss = json(
        db,
        &["--as", "sec", "intel", "import", "epss", path(&epss_file())],
    );
    assert_eq!(
        (&epss["outcome"], &epss["added"]),
        (&json!("imported"), &json!(99))
    );
    assert_eq!(epss["catalog"]["model"], "v2026.06.15");

    let head = ok(db, "audit head");
    let again = json(
        db,
        &["--as", "sec", "intel", "import", "kev", path(&kev_file())],
    );
    assert_eq!(
        (&again["outcome"], &again["unchanged"]),
        (&json!("unchanged"), &json!(9))
    );
    let again = json(
        db,
        &["--as", "sec", "intel", "import", "epss", path(&epss_file())],
    );
    assert_eq!(again["outcome"], "unchanged");
    assert_eq!(ok(db, "audit head"), head);

    // A later EPSS file: changed scores updated, a CVE it no longer scores marked removed.
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(epss_file()).unwrap();
    let later = text
        .replace("score_date:2026-09-29", "score_date:2026-09-30")
        .replace("CVE-1999-0001,0.03351,0.88255", "CVE-1999-0001,0.5,0.99")
        .replace("CVE-1999-0003,", "CVE-2099-0003,");
    let later_file = dir.path().join("epss-later.csv");
    std::fs::write(&later_file, later).unwrap();
    let next = json(
        db,
        &["--as", "sec", "intel", "import", "epss", path(&later_file)],
    );
    assert_eq!(
        [
            &next["added"],
            &next["updated"],
            &next["unchanged"],
            &next["removed"]
        ],
        [&json!(1), &json!(1), &json!(97), &json!(1)]
    );
    let older = json(
        db,
        &["--as", "sec", "intel", "import", "epss", path(&epss_file())],
    );
    assert_eq!(older["outcome"], "unchanged", "taken in before");

    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        text.replace("CVE-1999-0005,", "CVE-1999-0005,x,")
            .replace("score_date:2026-09-29", "score_date:2026-10-01"),
    )
    .unwrap();
    let head = ok(db, "audit head");
    let m = fails(
        db,
        &["--as", "sec", "intel", "import", "epss", path(&bad)],
        2,
    );
    assert!(
        m.contains("bad.csv") && m.contains("line 7") && m.contains("expected 3"),
        "{m}"
    );
    let m = fails(
        db,
        &["--as", "nb", "intel", "import", "kev", path(&kev_file())],
        1,
    );
    assert!(m.contains("security"), "{m}");
    assert_eq!(ok(db, "audit head"), head);
    ok(db, "audit verify");
}

/// Serves `routes` (path → body) on 127.0.0.1 until the test ends; other paths get 404.
fn serve(routes: HashMap<String, Vec<u8>>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request = String::new();
            if reader.read_line(&mut request).is_err() {
                continue;
            }
            loop {
                let mut header = String::new();
                if reader.read_line(&mut header).unwrap_or(0) == 0 || header.trim().is_empty() {
                    break;
                }
            }
            let target = request.split_whitespace().nth(1).unwrap_or("/");
            let (status, body) = match routes.get(target) {
                Some(b) => ("200 OK", b.as_slice()),
                None => ("404 Not Found", &b"not here"[..]),
            };
            let head = format!(
                "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(body);
        }
    });
    base
}

/// The Packagist OSV records as an `all.zip`. Neither the KEV sample nor the EPSS head shares a
/// CVE with them, so the flysystem advisory gets two more aliases: a KEV entry and an EPSS row.
fn osv_zip() -> Vec<u8> {
    let dir = packagist();
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let mut names: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    names.sort();
    for p in names {
        let mut record: Value = serde_json::from_slice(&std::fs::read(&p).unwrap()).unwrap();
        if record["id"] == "GHSA-9f46-5r25-5wfm" {
            record["aliases"]
                .as_array_mut()
                .unwrap()
                .extend([json!("CVE-2024-3400"), json!("CVE-1999-0002")]);
        }
        let name = p.file_name().unwrap().to_str().unwrap();
        zip.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        zip.write_all(record.to_string().as_bytes()).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(bytes).unwrap();
    gz.finish().unwrap()
}

/// Runs `advisories sync` expecting exit status 1 (one source answers 404); its JSON summary.
fn sync(db: &TestDb) -> Value {
    let args = ["--json", "--as", "sec", "advisories", "sync"];
    let out = vigilo(db)
        .args(args)
        .env_remove("http_proxy")
        .env_remove("HTTP_PROXY")
        .env_remove("ALL_PROXY")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("gone") && stderr.contains("404"),
        "{stderr}"
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn by_source(summary: &Value) -> HashMap<String, Value> {
    summary["syncs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["source"].as_str().unwrap().to_owned(), s.clone()))
        .collect()
}

fn counts(s: &Value) -> Value {
    json!([
        s["http_status"],
        s["added"],
        s["updated"],
        s["unchanged"],
        s["error"]
    ])
}

async fn sync_fetches_every_source_and_records_each(db: &TestDb) {
    people(db);
    ok(db, "--as qm software add --product pt2 --version 2.1.0");
    ok(
        db,
        "--as admin device add --product pt2 --serial A1 --country DE --software 2.1.0",
    );
    let dir = tempfile::tempdir().unwrap();
    let sbom = laravel_with_old_flysystem(dir.path());
    ok(
        db,
        &format!(
            "--as sec sbom import {} --product pt2 --version 2.1.0",
            path(&sbom)
        ),
    );

    let zip = osv_zip();
    let base = serve(HashMap::from([
        ("/osv/Packagist/all.zip".to_owned(), zip.clone()),
        (
            "/kev/known_exploited_vulnerabilities.json".to_owned(),
            std::fs::read(kev_file()).unwrap(),
        ),
        (
            "/epss/epss_scores-current.csv.gz".to_owned(),
            gzip(&std::fs::read(epss_file()).unwrap()),
        ),
    ]));
    for (id, kind, url) in [
        ("packagist", "osv", "/osv/Packagist/all.zip"),
        ("kev", "kev", "/kev/known_exploited_vulnerabilities.json"),
        ("epss", "epss", "/epss/epss_scores-current.csv.gz"),
        ("gone", "osv", "/osv/Gone/all.zip"),
    ] {
        ok(
            db,
            &format!(
                "--as sec source add {id} --name {id} --kind {kind} --owner sec --backup sec2 \
                 --cadence-days 30 --url {base}{url}"
            ),
        );
    }
    // A source people read has no feed to fetch.
    ok(
        db,
        "--as sec source add psirt --name PSIRT --kind vendor --owner sec --backup sec2 --cadence-days 30",
    );

    let first = sync(db);
    assert_eq!(first["failed"], 1);
    let s = by_source(&first);
    assert_eq!(s.len(), 4, "{first}");
    assert_eq!(counts(&s["packagist"]), json!([200, 4, 0, 0, null]));
    assert_eq!(s["packagist"]["bytes"], zip.len());
    assert_eq!(counts(&s["kev"]), json!([200, 9, 0, 0, null]));
    assert_eq!(counts(&s["epss"]), json!([200, 99, 0, 0, null]));
    assert_eq!(s["gone"]["http_status"], 404);
    assert!(
        s["gone"]["error"].as_str().unwrap().contains("HTTP 404"),
        "{first}"
    );
    assert_eq!(s["gone"]["synced_by"], "sec");

    // The finding raised at once, with the exploitation intelligence of its CVE aliases.
    let findings = ok(db, "findings list")["findings"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(findings.len(), 1, "{findings:?}");
    let f = &findings[0];
    assert_eq!(f["advisory"], "GHSA-9f46-5r25-5wfm");
    assert_eq!(
        f["kev"],
        json!({"cve": "CVE-2024-3400", "date_added": "2024-04-12", "due_date": "2024-04-19",
               "known_ransomware": true})
    );
    assert_eq!(
        f["epss"],
        json!({"cve": "CVE-1999-0002", "score": 0.27858, "percentile": 0.98037})
    );
    let text = run(db, &["findings", "list"]);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("CVE-2024-3400 (due 2024-04-19, ransomware)") && text.contains("0.279 (p98)"),
        "{text}"
    );

    // Again: nothing new; each attempt is on record with the source.
    let second = sync(db);
    let s = by_source(&second);
    assert_eq!(counts(&s["packagist"]), json!([200, 0, 0, 4, null]));
    assert_eq!(counts(&s["kev"]), json!([200, 0, 0, 9, null]));
    assert_eq!(counts(&s["epss"]), json!([200, 0, 0, 99, null]));
    let shown = ok(db, "source show packagist");
    assert_eq!(shown["syncs"].as_array().unwrap().len(), 2);
    assert_eq!(shown["last_sync"]["unchanged"], 4);
    let gone = ok(db, "source show gone");
    assert!(
        gone["syncs"]
            .as_array()
            .unwrap()
            .iter()
            .all(|y| y["http_status"] == 404)
    );

    let m = refused(db, "--as qm advisories sync", 1);
    assert!(m.contains("security"), "{m}");
    ok(db, "audit verify");
}

vigilo_testdb::backend_tests!(
    register_owners_reviews_and_overdue,
    intel_import_once_and_bad_lines_named,
    sync_fetches_every_source_and_records_each
);
