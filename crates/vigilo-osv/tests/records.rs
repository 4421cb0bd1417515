//! Reading records: every copied real advisory, the model's strict and lenient
//! parts, and `load` on files, directory trees and zip archives.

mod common;

use std::collections::BTreeSet;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use common::{advisories, data, zeppelin};
use vigilo_osv::{
    Advisory, Event, Format, OsvError, RangeKind, ReferenceKind, SeverityKind, load, parse_json,
    parse_yaml,
};
use zip::write::SimpleFileOptions;

/// Every directory of copied OSV records, with how many it holds. The records
/// in OSV.dev's recorded answers are read by `tests/oracle.rs`, and the
/// zeppelin-server ones below.
const RECORD_DIRS: [(&str, usize); 8] = [
    ("advisories/ghsa-osv", 8),
    ("advisories/go-vulndb-osv", 160),
    ("advisories/rustsec-osv", 250),
    ("advisories/pypa-yaml", 200),
    ("advisories/osv-scanner-offline-dbs", 28),
    ("osv-schema/osv-linter-testdata", 12),
    // The `.osv.json` halves; the GitHub GraphQL halves are not OSV.
    ("osv-schema/ghsa-conversion-testdata", 11),
    ("osv-schema/redhat-csaf-to-osv/OSV", 2),
];

fn is_osv_record(path: &Path) -> bool {
    let name = path.file_name().unwrap().to_string_lossy();
    let is_graphql = path.parent().unwrap().ends_with("ghsa-conversion-testdata")
        && !name.ends_with(".osv.json");
    (name.ends_with(".json") || name.ends_with(".yaml")) && !is_graphql
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(files_under(&path));
        } else if is_osv_record(&path) {
            files.push(path);
        }
    }
    files
}

#[test]
fn every_copied_advisory_parses_and_round_trips() {
    let mut parsed = 0;
    for (dir, expected) in RECORD_DIRS {
        let files = files_under(&data(dir));
        assert_eq!(files.len(), expected, "{dir}");
        for file in files {
            let bytes = fs::read(&file).unwrap();
            let yaml = file.extension().unwrap() == "yaml";
            let advisory = if yaml {
                parse_yaml(&bytes)
            } else {
                parse_json(&bytes)
            }
            .unwrap_or_else(|error| panic!("{}: {error}", file.display()));
            assert!(!advisory.id.is_empty());
            // Serialising keeps every modelled field, in JSON and in YAML.
            let json = serde_json::to_vec(&advisory).unwrap();
            assert_eq!(parse_json(&json).unwrap(), advisory, "{}", file.display());
            let yaml = serde_norway::to_string(&advisory).unwrap();
            assert_eq!(
                parse_yaml(yaml.as_bytes()).unwrap(),
                advisory,
                "{}",
                file.display()
            );
            parsed += 1;
        }
    }
    let zeppelin = zeppelin();
    assert_eq!(zeppelin.len(), 356);
    for advisory in zeppelin {
        let json = serde_json::to_vec(&advisory).unwrap();
        assert_eq!(parse_json(&json).unwrap(), advisory);
    }
    assert_eq!(parsed, 671);
}

#[test]
fn real_records_keep_their_fields() {
    let withdrawn = |dir| {
        advisories(dir)
            .iter()
            .filter(|advisory| advisory.withdrawn.is_some())
            .count()
    };
    // SOURCES.md of the reference set counts these.
    assert_eq!(withdrawn("advisories/rustsec-osv"), 13);
    assert_eq!(withdrawn("advisories/pypa-yaml"), 10);
    assert_eq!(withdrawn("advisories/go-vulndb-osv"), 17);
    let rustsec = advisories("advisories/rustsec-osv");
    let cvss4 = rustsec
        .iter()
        .filter(|advisory| {
            advisory
                .severity
                .iter()
                .any(|s| s.kind == SeverityKind::CvssV4)
        })
        .count();
    assert_eq!(cvss4, 57);

    let pypa = fs::read(data(
        "advisories/pypa-yaml/vulns/aiohttp/PYSEC-2022-43059.yaml",
    ))
    .unwrap();
    let pypa = parse_yaml(&pypa).unwrap();
    assert_eq!(pypa.id, "PYSEC-2022-43059");
    assert_eq!(pypa.modified.to_string(), "2024-02-16T13:47:54.655573Z");
    assert_eq!(pypa.aliases, ["CVE-2022-33124"]);
    let versions = &pypa.affected[0].versions;
    // YAML reads unquoted `0.10.0` as a string and quoted `'0.1'` stays one.
    assert_eq!(versions[..2], ["0.1", "0.10.0"]);
    assert_eq!(pypa.severity[0].kind, SeverityKind::CvssV3);

    let quill = fs::read(data("advisories/ghsa-osv/GHSA-4943-9vgg-gr5r.json")).unwrap();
    let quill = parse_json(&quill).unwrap();
    let package = quill.affected[0].package.as_ref().unwrap();
    assert_eq!(
        (package.ecosystem.as_str(), package.name.as_str()),
        ("npm", "quill")
    );
    assert_eq!(
        quill.affected[0].ranges[0].events,
        [
            Event::Introduced("0".into()),
            Event::LastAffected("1.3.7".into())
        ]
    );

    let redhat = advisories("osv-schema/redhat-csaf-to-osv/OSV");
    let ecosystems: BTreeSet<&str> = redhat
        .iter()
        .flat_map(|advisory| &advisory.affected)
        .filter_map(|affected| affected.package.as_ref())
        .map(|package| package.ecosystem.as_str())
        .collect();
    assert!(
        ecosystems.contains("Red Hat:rhel_aus:8.6::appstream"),
        "{ecosystems:?}"
    );

    let git = advisories("advisories/osv-scanner-offline-dbs/GIT");
    let repos = git
        .iter()
        .flat_map(|advisory| &advisory.affected)
        .flat_map(|affected| &affected.ranges)
        .filter(|range| range.kind == RangeKind::Git)
        .filter(|range| {
            range
                .repo
                .as_deref()
                .is_some_and(|repo| repo.starts_with("https://"))
        })
        .count();
    assert!(repos > 0);
}

/// The kinds this crate names must be the schema's whole list, so that a
/// schema update shows up here rather than as `Other` at run time.
#[test]
fn named_kinds_follow_the_schema() {
    let schema: serde_json::Value =
        serde_json::from_slice(&fs::read(data("osv-schema/schema.json")).unwrap()).unwrap();
    // Each listed spelling must come back as itself from a named variant.
    let all_named = |listed: &serde_json::Value, named: &dyn Fn(String) -> Option<String>| {
        let listed = listed.as_array().unwrap();
        for spelling in listed {
            let spelling = spelling.as_str().unwrap().to_owned();
            assert_eq!(named(spelling.clone()).as_deref(), Some(spelling.as_str()));
        }
        listed.len()
    };
    let ranges = &schema["properties"]["affected"]["items"]["properties"]["ranges"];
    let named = |s| match RangeKind::from(s) {
        RangeKind::Other(_) => None,
        kind => Some(kind.as_str().to_owned()),
    };
    assert_eq!(
        all_named(&ranges["items"]["properties"]["type"]["enum"], &named),
        3
    );
    let named = |s| match SeverityKind::from(s) {
        SeverityKind::Other(_) => None,
        kind => Some(kind.as_str().to_owned()),
    };
    let severity = &schema["$defs"]["severity"]["items"]["properties"]["type"]["enum"];
    assert_eq!(all_named(severity, &named), 4);
    let named = |s| match ReferenceKind::from(s) {
        ReferenceKind::Other(_) => None,
        kind => Some(kind.as_str().to_owned()),
    };
    let references = &schema["properties"]["references"]["items"]["properties"]["type"]["enum"];
    assert_eq!(all_named(references, &named), 11);

    // Every ecosystem whose versions Vigilo orders is spelled as OSV spells it.
    let ecosystems: serde_json::Value =
        serde_json::from_slice(&fs::read(data("osv-schema/ecosystems.json")).unwrap()).unwrap();
    for ecosystem in vigilo_versions::Ecosystem::ALL {
        assert!(ecosystems.get(ecosystem.as_str()).is_some(), "{ecosystem}");
    }
}

const MINIMAL: &str = r#"{"id": "OSV-1", "modified": "2024-01-02T03:04:05Z"}"#;

#[test]
fn lenient_where_the_schema_leaves_room() {
    let advisory = parse_json(
        br#"{
          "id": "X-1", "modified": "2024-01-02T03:04:05.123456789Z",
          "aliases": null, "references": null, "severity": null,
          "database_specific": "any value at all", "upstream": ["CVE-1"],
          "affected": [{
            "package": {"ecosystem": "Chainguard:rolling", "name": "curl"},
            "ranges": [{"type": "NEWKIND", "events": [{"limit": "x"}]},
                       {"type": "ECOSYSTEM", "events": [{"introduced": "1", "note": "extra"}],
                        "database_specific": {"k": 1}}],
            "ecosystem_specific": {"imports": []},
            "severity": [{"type": "FUTURE_SCORE", "score": "9"}]
          }]
        }"#,
    )
    .unwrap();
    assert!(advisory.aliases.is_empty() && advisory.references.is_empty());
    assert_eq!(
        advisory.affected[0].ranges[0].kind,
        RangeKind::Other("NEWKIND".into())
    );
    assert_eq!(
        advisory.affected[0].severity[0].kind,
        SeverityKind::Other("FUTURE_SCORE".into())
    );
    assert_eq!(parse_json(MINIMAL.as_bytes()).unwrap().affected, []);
}

fn record_error(result: Result<Advisory, OsvError>) -> (usize, usize, String) {
    match result {
        Err(OsvError::Record {
            origin: None,
            line,
            column,
            message,
            ..
        }) => (line, column, message),
        other => panic!("expected a record error, got {other:?}"),
    }
}

#[test]
fn a_list_is_not_a_record() {
    // serde would read the record's fields from a list, in declaration order.
    let (line, column, message) =
        record_error(parse_json(b" \n  [\"X-1\", \"2024-01-01T00:00:00Z\"]"));
    assert_eq!((line, column), (2, 3));
    assert_eq!(
        message,
        "expected an OSV record (an object of fields), found a list"
    );
    let yaml = b"# exported\n---\n- X-1\n- 2024-01-01T00:00:00Z\n";
    assert_eq!(record_error(parse_yaml(yaml)).0, 3);
    assert_eq!(record_error(parse_yaml(b"--- [X-1]\n")).0, 1);
}

#[test]
fn bytes_that_are_not_utf8_are_named_by_position() {
    // Latin-1 where UTF-8 is due, as a hand-edited record may have it.
    let record =
        b"{\"id\": \"X-1\",\n \"modified\": \"2024-01-01T00:00:00Z\", \"summary\": \"caf\xe9\"}";
    let (line, column, message) = record_error(parse_json(record));
    assert_eq!((line, column), (2, 53));
    assert!(message.contains("invalid unicode"), "{message}");
}

#[test]
fn an_object_after_comments_and_markers_is_read() {
    let yaml = b"# exported\n%YAML 1.2\n---\nid: X-1\nmodified: 2024-01-01T00:00:00Z\naliases:\n  - CVE-1\n";
    assert_eq!(parse_yaml(yaml).unwrap().aliases, ["CVE-1"]);
    let json =
        b"\n  {\"id\": \"X-1\", \"modified\": \"2024-01-01T00:00:00Z\", \"aliases\": [\"CVE-1\"]}";
    assert_eq!(parse_json(json).unwrap().aliases, ["CVE-1"]);
}

#[test]
fn strict_where_matching_depends_on_it() {
    let json = |text: &str| record_error(parse_json(text.as_bytes()));
    let with_events = |events: &str| {
        format!(
            r#"{{"id": "X-1", "modified": "2024-01-02T03:04:05Z", "affected": [{{
              "package": {{"ecosystem": "npm", "name": "a"}},
              "ranges": [{{"type": "SEMVER", "events": {events}}}]}}]}}"#
        )
    };
    let (line, _, message) = json(&with_events(r#"[{"introduced": "0", "fixed": "1"}]"#));
    assert_eq!(line, 3);
    assert!(
        message.contains(r#"not both "introduced" and "fixed""#),
        "{message}"
    );
    let (_, _, message) = json(&with_events(r#"[{"introduced": "0"}, {"note": "1"}]"#));
    assert!(message.contains("an event needs one of"), "{message}");
    let (_, _, message) = json(&with_events(r#"[{"fixed": "1"}]"#));
    assert!(
        message.contains(r#"SEMVER ranges need an "introduced" event"#),
        "{message}"
    );
    let (_, _, message) = json(&with_events("[]"));
    assert!(message.contains("at least one event"), "{message}");
    let (_, _, message) = json(&with_events(r#"[{"introduced": "0", "introduced": "1"}]"#));
    assert!(message.contains("duplicate field"), "{message}");
    // A GIT range is never evaluated by version, so the linter's
    // `nointroduced-*` record (a GIT range with only `fixed`) still reads.
    parse_json(
        &fs::read(data(
            "osv-schema/osv-linter-testdata/nointroduced-CVE-2023-41045.json",
        ))
        .unwrap(),
    )
    .unwrap();

    let (line, column, message) = json(r#"{"id": "X-1", "modified": "2024-13-01T00:00:00Z"}"#);
    assert_eq!((line, column), (1, 48));
    assert!(message.contains("month"), "{message}");
    let (_, _, message) = json(r#"{"id": "", "modified": "2024-01-01T00:00:00Z"}"#);
    assert!(message.contains("non-empty"), "{message}");
    let (_, _, message) = json(r#"{"modified": "2024-01-01T00:00:00Z"}"#);
    assert!(message.contains("missing field `id`"), "{message}");
    let (_, _, message) = json(r#"{"id": "X-1"}"#);
    assert!(message.contains("missing field `modified`"), "{message}");
    let (_, _, message) = json(&format!("{MINIMAL} {MINIMAL}"));
    assert!(message.contains("trailing characters"), "{message}");

    let (line, column, message) = record_error(parse_yaml(
        b"id: X-1\nmodified: 2024-01-02T03:04:05Z\naffected:\n- package: {ecosystem: PyPI, name: a}\n  ranges:\n  - type: ECOSYSTEM\n    events:\n    - fixed: '1'\n",
    ));
    assert_eq!(line, 6);
    assert!(column > 0);
    assert!(
        message.starts_with("affected[0].ranges: ECOSYSTEM ranges need"),
        "{message}"
    );

    let shown = parse_json(b"{").unwrap_err().to_string();
    assert_eq!(
        shown,
        "line 1, column 1: invalid OSV JSON record: EOF while parsing an object"
    );
}

/// A scratch directory of this test binary's own, emptied first.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    if dir.exists() {
        fs::remove_dir_all(&dir).unwrap();
    }
    fs::create_dir_all(&dir).unwrap();
    dir
}

fn write_zip(path: &Path, entries: &[(&str, &[u8])]) {
    let mut zip = zip::ZipWriter::new(fs::File::create(path).unwrap());
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in entries {
        if name.ends_with('/') {
            zip.add_directory(*name, options).unwrap();
        } else {
            zip.start_file(*name, options).unwrap();
            zip.write_all(bytes).unwrap();
        }
    }
    zip.finish().unwrap();
}

#[test]
fn loads_a_file_by_extension_or_content() {
    let quill = data("advisories/ghsa-osv/GHSA-4943-9vgg-gr5r.json");
    let loaded = load(&quill).unwrap();
    assert_eq!(loaded.len(), 1);
    assert_eq!(loaded[0].0, quill.display().to_string());
    assert_eq!(loaded[0].1.id, "GHSA-4943-9vgg-gr5r");

    let dir = scratch("load-file");
    let yaml = fs::read(data(
        "advisories/pypa-yaml/vulns/aiohttp/PYSEC-2022-43059.yaml",
    ))
    .unwrap();
    let no_extension = dir.join("PYSEC-2022-43059");
    fs::write(&no_extension, &yaml).unwrap();
    assert_eq!(load(&no_extension).unwrap()[0].1.id, "PYSEC-2022-43059");
    let json_no_extension = dir.join("record");
    fs::write(&json_no_extension, fs::read(&quill).unwrap()).unwrap();
    assert_eq!(
        load(&json_no_extension).unwrap()[0].1.id,
        "GHSA-4943-9vgg-gr5r"
    );

    let missing = dir.join("missing.json");
    let error = load(&missing).unwrap_err();
    assert!(
        matches!(&error, OsvError::Read { origin, .. } if *origin == missing.display().to_string())
    );
}

#[test]
fn loads_a_directory_tree_in_path_order() {
    let root = data("advisories/osv-scanner-offline-dbs");
    let loaded = load(&root).unwrap();
    assert_eq!(loaded.len(), 28);
    let names: Vec<&str> = loaded.iter().map(|(name, _)| name.as_str()).collect();
    let mut sorted = names.clone();
    sorted.sort_by_key(|name| Path::new(name).to_path_buf());
    assert_eq!(names, sorted);
    let alpine = root.join("Alpine/ALPINE-CVE-2025-26519.json");
    assert_eq!(names[0], alpine.display().to_string());

    // YAML, nested directories, licences and READMEs alongside.
    let pypa = load(&data("advisories/pypa-yaml")).unwrap();
    assert_eq!(pypa.len(), 200);
    assert!(
        pypa[0].0.ends_with("vulns/aiohttp/PYSEC-2022-43059.yaml"),
        "{}",
        pypa[0].0
    );
}

#[test]
fn loads_a_zip_archive_like_osv_all_zip() {
    let dir = scratch("load-zip");
    let files: Vec<(String, Vec<u8>)> = ["GHSA-4943-9vgg-gr5r.json", "GHSA-78hx-gp6g-7mj6.json"]
        .iter()
        .map(|name| {
            (
                name.to_string(),
                fs::read(data("advisories/ghsa-osv").join(name)).unwrap(),
            )
        })
        .collect();
    let yaml = fs::read(data("advisories/pypa-yaml/vulns/django/PYSEC-2024-57.yaml")).unwrap();
    let archive = dir.join("all.zip");
    write_zip(
        &archive,
        &[
            ("nested/", b""),
            (&files[0].0, &files[0].1),
            ("nested/b.yaml", &yaml),
            (&files[1].0, &files[1].1),
            ("README.txt", b"not a record"),
        ],
    );
    let loaded = load(&archive).unwrap();
    let prefix = archive.display().to_string();
    let names: Vec<String> = loaded.iter().map(|(name, _)| name.clone()).collect();
    assert_eq!(
        names,
        [
            format!("{prefix}:GHSA-4943-9vgg-gr5r.json"),
            format!("{prefix}:nested/b.yaml"),
            format!("{prefix}:GHSA-78hx-gp6g-7mj6.json"),
        ]
    );
    assert_eq!(loaded[2].1.id, "GHSA-78hx-gp6g-7mj6");

    // Archives inside a tree are read after the tree's record files.
    let tree = dir.join("tree");
    fs::create_dir_all(tree.join("npm")).unwrap();
    fs::copy(&archive, tree.join("npm/all.zip")).unwrap();
    fs::write(tree.join("one.json"), MINIMAL).unwrap();
    let loaded = load(&tree).unwrap();
    assert_eq!(loaded.len(), 4);
    assert_eq!(loaded[0].1.id, "OSV-1");
    assert!(
        loaded[1]
            .0
            .ends_with("npm/all.zip:GHSA-4943-9vgg-gr5r.json"),
        "{}",
        loaded[1].0
    );

    let not_zip = dir.join("broken.zip");
    fs::write(&not_zip, b"PK\x03\x04 but nothing else").unwrap();
    assert!(matches!(load(&not_zip), Err(OsvError::Zip { .. })));
}

#[test]
fn entries_larger_than_a_read_are_read_whole() {
    // Incompressible details of 300 KiB, several times what a worker reads at once, between
    // small records, stored and deflated.
    let mut noise = 0x2545_f491_4f6c_dd1d_u64;
    let details: String = (0..300 << 10)
        .map(|_| {
            noise ^= noise << 13;
            noise ^= noise >> 7;
            noise ^= noise << 17;
            char::from(b'a' + (noise % 26) as u8)
        })
        .collect();
    let large =
        format!(r#"{{"id": "BIG-1", "modified": "2024-01-02T03:04:05Z", "details": "{details}"}}"#);
    let small = |i: usize| format!(r#"{{"id": "S-{i}", "modified": "2024-01-02T03:04:05Z"}}"#);
    let dir = scratch("load-zip-large");
    for method in [
        zip::CompressionMethod::Stored,
        zip::CompressionMethod::Deflated,
    ] {
        let path = dir.join(format!("{method}.zip"));
        let mut zip = zip::ZipWriter::new(fs::File::create(&path).unwrap());
        let options = SimpleFileOptions::default().compression_method(method);
        for i in 0..300 {
            zip.start_file(format!("{i:03}.json"), options).unwrap();
            let body = if i % 100 == 50 {
                large.clone()
            } else {
                small(i)
            };
            zip.write_all(body.as_bytes()).unwrap();
        }
        zip.finish().unwrap();
        let loaded = load(&path).unwrap();
        assert_eq!(loaded.len(), 300);
        for (i, (_, advisory)) in loaded.iter().enumerate() {
            if i % 100 == 50 {
                assert_eq!(advisory.details.as_deref(), Some(details.as_str()));
            } else {
                assert_eq!(advisory.id, format!("S-{i}"));
            }
        }
    }
}

#[test]
fn archive_entries_are_checked_as_they_are_inflated() {
    let dir = scratch("load-zip-entries");
    let record = fs::read(data("advisories/ghsa-osv/GHSA-5667-3wch-7q7w.json")).unwrap();

    let stored = dir.join("stored.zip");
    let mut zip = zip::ZipWriter::new(fs::File::create(&stored).unwrap());
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    zip.start_file("GHSA-5667-3wch-7q7w.json", options).unwrap();
    zip.write_all(&record).unwrap();
    zip.finish().unwrap();
    assert_eq!(load(&stored).unwrap()[0].1.id, "GHSA-5667-3wch-7q7w");

    // Flip a byte inside the first entry's compressed data.
    let damaged = dir.join("damaged.zip");
    write_zip(&damaged, &[("GHSA-5667-3wch-7q7w.json", &record)]);
    let mut bytes = fs::read(&damaged).unwrap();
    let header = 30
        + usize::from(u16::from_le_bytes([bytes[26], bytes[27]]))
        + usize::from(u16::from_le_bytes([bytes[28], bytes[29]]));
    bytes[header + 40] ^= 0x55;
    fs::write(&damaged, bytes).unwrap();
    match load(&damaged) {
        Err(OsvError::Zip { origin, message }) => {
            assert_eq!(
                origin,
                format!("{}:GHSA-5667-3wch-7q7w.json", damaged.display())
            );
            assert!(
                message.contains("CRC-32") || message.contains("deflate"),
                "{message}"
            );
        }
        other => panic!("{other:?}"),
    }

    // A central directory pointing at something other than a local header.
    let misplaced = dir.join("misplaced.zip");
    write_zip(
        &misplaced,
        &[("a.json", MINIMAL.as_bytes()), ("b.json", &record)],
    );
    let mut bytes = fs::read(&misplaced).unwrap();
    let second = bytes
        .windows(4)
        .skip(1)
        .position(|w| w == b"PK\x03\x04")
        .unwrap()
        + 1;
    bytes[second + 3] = 0;
    fs::write(&misplaced, bytes).unwrap();
    match load(&misplaced) {
        Err(OsvError::Zip { origin, message }) => {
            assert_eq!(origin, format!("{}:b.json", misplaced.display()));
            assert!(message.contains("no local file header"), "{message}");
        }
        other => panic!("{other:?}"),
    }

    let encrypted = dir.join("encrypted.zip");
    let mut zip = zip::ZipWriter::new(fs::File::create(&encrypted).unwrap());
    let options = zip::unstable::write::FileOptionsExt::with_deprecated_encryption(
        SimpleFileOptions::default(),
        b"secret",
    )
    .unwrap();
    zip.start_file("GHSA-5667-3wch-7q7w.json", options).unwrap();
    zip.write_all(&record).unwrap();
    zip.finish().unwrap();
    match load(&encrypted) {
        Err(OsvError::Zip { message, .. }) => assert!(message.contains("encrypted"), "{message}"),
        other => panic!("{other:?}"),
    }
}

/// Many records, so that every worker thread gets some, with one bad record
/// far in: the error must name it, whichever thread met it.
#[test]
fn a_bad_record_fails_the_load_naming_source_and_position() {
    let dir = scratch("load-errors");
    let good: Vec<(String, String)> = (0..500)
        .map(|i| {
            (
                format!("OSV-{i:04}.json"),
                format!(r#"{{"id": "OSV-{i}", "modified": "2024-01-02T03:04:05Z"}}"#),
            )
        })
        .collect();
    let mut entries: Vec<(&str, &[u8])> = good
        .iter()
        .map(|(name, body)| (name.as_str(), body.as_bytes()))
        .collect();
    let bad = b"{\n  \"id\": \"OSV-BAD\",\n  \"modified\": \"2024-01-02T03:04:05Z\",\n  \"affected\": [{\"ranges\": [{\"type\": \"ECOSYSTEM\", \"events\": [{}]}]}]\n}";
    entries.insert(300, ("OSV-0299b.json", bad));
    entries.insert(400, ("OSV-0399b.json", b"{ not json"));
    let archive = dir.join("all.zip");
    write_zip(&archive, &entries);
    let error = load(&archive).unwrap_err();
    let origin = format!("{}:OSV-0299b.json", archive.display());
    match &error {
        OsvError::Record {
            origin: Some(named),
            format: Format::Json,
            line: 4,
            ..
        } => assert_eq!(*named, origin),
        other => panic!("{other:?}"),
    }
    let shown = error.to_string();
    assert!(
        shown.starts_with(&format!("{origin}: line 4, column ")),
        "{shown}"
    );
    assert!(shown.contains("an event needs one of"), "{shown}");

    let tree = dir.join("tree");
    fs::create_dir_all(tree.join("a/b")).unwrap();
    fs::write(tree.join("a/ok.json"), MINIMAL).unwrap();
    fs::write(tree.join("a/b/bad.yaml"), "id: X\nmodified: [\n").unwrap();
    let error = load(&tree).unwrap_err();
    let shown = error.to_string();
    let origin = tree.join("a/b/bad.yaml").display().to_string();
    assert!(shown.starts_with(&format!("{origin}: line ")), "{shown}");
    assert!(shown.contains("invalid OSV YAML record"), "{shown}");
}
