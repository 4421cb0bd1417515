//! The legacy CSV import: good rows kept, every bad row reported at its start line.

use std::path::{Path, PathBuf};

use vigilo_intake::{CsvRowError, IntakeError, read_ticket_csv};
use vigilo_service::Channel;

fn bad_csv() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/tickets-bad.csv")
}

fn temp_csv(name: &str, text: &str) -> PathBuf {
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn good_rows_are_returned_with_their_start_lines() {
    let out = read_ticket_csv(&bad_csv()).unwrap();
    let lines: Vec<u64> = out.tickets.iter().map(|t| t.line).collect();
    assert_eq!(lines, [2, 3, 11]);

    let first = &out.tickets[0];
    assert_eq!(first.external_id.as_deref(), Some("T-1001"));
    assert_eq!(first.received_at, "2026-03-01T07:30:00Z".parse().unwrap());
    assert_eq!(first.channel, Channel::Email);
    assert_eq!(first.serial.as_deref(), Some("PX-2291"));
    assert_eq!(first.udi, None);
    assert_eq!(first.reporter.as_deref(), Some("Dr. Meier"));

    let multi = &out.tickets[1];
    assert_eq!(
        multi.received_at,
        "2026-03-01T09:45:00Z".parse().unwrap(),
        "naive = UTC"
    );
    assert_eq!(multi.serial, None);
    assert_eq!(multi.udi.as_deref(), Some("(01)04012345678901(21)SN-7"));
    assert_eq!(multi.summary, "Alarm sounds\nwithout reason,\nsee \"log\"");

    assert_eq!(out.tickets[2].channel, Channel::Partner, "case-insensitive");
}

#[test]
fn every_bad_row_is_reported_at_its_start_line() {
    let out = read_ticket_csv(&bad_csv()).unwrap();
    let got: Vec<(u64, Option<&str>)> = out
        .errors
        .iter()
        .map(|e| (e.line, e.column.as_deref()))
        .collect();
    assert_eq!(
        got,
        [
            (6, Some("received_at")),
            (7, Some("channel")),
            (9, Some("summary")),
            (10, Some("serial")),
            (12, Some("received_at")),
            (12, Some("channel")),
            (12, Some("summary")),
            (13, None),
        ]
    );
    assert!(out.errors.iter().all(|e| e.path == bad_csv()));
    assert_eq!(
        out.errors[0].to_string(),
        format!(
            "{} line 6, column received_at: expected an RFC 3339 instant or \
             YYYY-MM-DD HH:MM (UTC), found \"yesterday\"",
            bad_csv().display()
        )
    );
    assert_eq!(
        out.errors[1],
        CsvRowError {
            path: bad_csv(),
            line: 7,
            column: Some("channel".into()),
            expected: "one of email, phone, portal, partner, field".into(),
            found: "\"fax\"".into(),
        }
    );
    assert_eq!(out.errors[7].expected, "7 fields as in the header");
}

#[test]
fn unknown_columns_are_named() {
    let path = temp_csv(
        "unknown.csv",
        "received_at,channel,serial,summary,Priority,notes\n",
    );
    let err = read_ticket_csv(&path).unwrap_err();
    assert_eq!(err.place(), format!("{} line 1", path.display()));
    let text = err.to_string();
    assert!(
        text.contains("unknown column(s) \"priority\", \"notes\""),
        "{text}"
    );
}

#[test]
fn missing_required_columns_are_named() {
    let path = temp_csv("missing.csv", "received_at,reporter\n");
    let text = read_ticket_csv(&path).unwrap_err().to_string();
    assert!(
        text.contains("the required column(s) channel, summary, serial or udi"),
        "{text}"
    );
}

#[test]
fn duplicate_column_and_empty_file_are_refused() {
    let dup = temp_csv("dup.csv", "summary,Summary,channel,received_at,udi\n");
    assert!(
        read_ticket_csv(&dup)
            .unwrap_err()
            .to_string()
            .contains("column summary twice")
    );
    let empty = temp_csv("empty.csv", "");
    let err = read_ticket_csv(&empty).unwrap_err();
    assert!(err.to_string().contains("found an empty file"), "{err}");
}

#[test]
fn unreadable_file_is_a_read_error() {
    let err = read_ticket_csv(Path::new("/nonexistent/tickets.csv")).unwrap_err();
    assert!(matches!(err, IntakeError::Read { .. }), "{err}");
    assert_eq!(err.place(), "/nonexistent/tickets.csv");
}

#[test]
fn invalid_utf8_field_is_named() {
    let path = temp_csv("latin1.csv", "");
    std::fs::write(
        &path,
        b"received_at,channel,serial,summary\n2026-01-01 10:00,email,PX-1,Gr\xfc\xdfe\n",
    )
    .unwrap();
    let out = read_ticket_csv(&path).unwrap();
    assert!(out.tickets.is_empty());
    assert_eq!(out.errors.len(), 1);
    assert_eq!(out.errors[0].column.as_deref(), Some("summary"));
    assert_eq!(out.errors[0].expected, "UTF-8 text");
}
