//! The store-less tools of SPEC §5 through the binary: the JSON contract and exit statuses.
//! The libraries behind them are checked against the third-party vectors in their own crates.

use serde_json::{Value, json};
use std::io::Write;
use std::process::{Command, Output, Stdio};

fn vigilo(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_vigilo"))
        .args(["--db", "sqlite:///nonexistent/vigilo.db"])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn json_of(args: &[&str]) -> Value {
    let out = vigilo(args, "");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn stdout_of(args: &[&str], stdin: &str) -> String {
    let out = vigilo(args, stdin);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn cvss_prints_the_spec_keys() {
    assert_eq!(
        json_of(&[
            "--json",
            "cvss",
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
        ]),
        json!({"vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "version": "3.1",
               "base_score": 9.8, "severity": "critical"})
    );
    let v4 = json_of(&[
        "--json",
        "cvss",
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
    ]);
    assert_eq!(
        (v4["version"].clone(), v4["base_score"].clone()),
        (json!("4.0"), json!(9.3))
    );
    let v2 = json_of(&["--json", "cvss", "AV:N/AC:L/Au:N/C:P/I:P/A:P"]);
    assert_eq!(
        (
            v2["version"].clone(),
            v2["base_score"].clone(),
            v2["severity"].clone()
        ),
        (json!("2.0"), json!(7.5), json!("high"))
    );
    let out = vigilo(&["cvss", "CVSS:3.1/AV:Q/AC:L"], "");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("at position 10: bad value \"Q\" for metric AV")
    );
}

#[test]
fn purl_prints_canonical_form_and_parts() {
    let p = json_of(&[
        "--json",
        "purl",
        "pkg:pypi/Django_Rest@1.0?arch=x86#sub/dir",
    ]);
    assert_eq!(
        p,
        json!({"purl": "pkg:pypi/django-rest@1.0?arch=x86#sub/dir", "type": "pypi", "namespace": null,
               "name": "django-rest", "version": "1.0", "qualifiers": {"arch": "x86"}, "subpath": "sub/dir"})
    );
    let out = vigilo(&["purl", "pkg:"], "");
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn versions_compare_and_sort_per_ecosystem() {
    assert_eq!(
        stdout_of(&["version", "compare", "PyPI", "1.0rc1", "1.0"], ""),
        "<\n"
    );
    assert_eq!(
        stdout_of(&["version", "compare", "Maven", "1.0", "1.0.0"], ""),
        "=\n"
    );
    assert_eq!(
        stdout_of(&["version", "compare", "Debian", "1:1.0", "2.0"], ""),
        ">\n"
    );
    assert_eq!(
        stdout_of(
            &["version", "sort", "npm"],
            "1.10.0\n1.2.0\n1.2.0-beta\nv1.2.0\n"
        ),
        "1.2.0-beta\n1.2.0\nv1.2.0\n1.10.0\n",
        "ascending, equal versions in input order"
    );
    let out = vigilo(&["version", "sort", "PyPI"], "1.0\n\u{1}bad\n");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("stdin line 2"));
    let out = vigilo(&["version", "compare", "Cobol", "1", "2"], "");
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn scan_matches_sboms_against_osv_advisories() {
    let dir = tempfile::tempdir().unwrap();
    let sbom = dir.path().join("device-2.1.0.cdx.json");
    std::fs::write(
        &sbom,
        json!({
            "bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
            "components": [
                {"type": "library", "name": "pancurses", "version": "0.16.1", "purl": "pkg:cargo/pancurses@0.16.1"},
                {"type": "library", "name": "odata4j-core", "version": "0.7.0", "purl": "pkg:maven/org.odata4j/odata4j-core@0.7.0"},
                {"type": "library", "name": "odata4j-core", "version": "0.7.1", "purl": "pkg:maven/org.odata4j/odata4j-core@0.7.1"},
                {"type": "library", "name": "sessions", "version": "1.2.1", "purl": "pkg:golang/github.com/gorilla/sessions@1.2.1"},
                {"type": "firmware", "name": "bootloader", "version": "4.2", "cpe": "cpe:2.3:o:acme:bootloader:4.2:*:*:*:*:*:*:*"}
            ]
        })
        .to_string(),
    )
    .unwrap();
    let advisories = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/osv");
    let report = json_of(&[
        "--json",
        "scan",
        "--sbom",
        sbom.to_str().unwrap(),
        "--advisories",
        advisories,
    ]);
    let found: Vec<(String, String)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["purl"].as_str().unwrap().to_owned(),
                f["advisory"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    // Checked by hand against the records: pancurses is affected in every version; odata4j-core up
    // to last_affected 0.7.0 only; the gorilla/sessions advisory is withdrawn and never matches.
    assert_eq!(
        found,
        [
            (
                "pkg:cargo/pancurses@0.16.1".to_owned(),
                "RUSTSEC-2019-0005".to_owned()
            ),
            (
                "pkg:maven/org.odata4j/odata4j-core@0.7.0".to_owned(),
                "GHSA-2382-qx5h-rvqh".to_owned()
            ),
        ]
    );
    let pancurses = &report["findings"][0];
    assert_eq!(
        pancurses["aliases"],
        json!(["CVE-2019-15546", "GHSA-m57c-4vvx-gjgq"])
    );
    assert_eq!(pancurses["severity"][0]["type"], "CVSS_V3");
    assert_eq!(pancurses["severity"][0]["base_score"], 7.5);
    assert_eq!(report["findings"][1]["severity"][0]["base_score"], 9.8);
    assert_eq!(report["unmatched"][0]["component"], "bootloader 4.2");
    assert!(
        report["unmatched"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("only CPE")
    );
    assert_eq!(
        (report["components"].clone(), report["advisories"].clone()),
        (json!(5), json!(3))
    );

    std::fs::write(
        &sbom,
        "{\"bomFormat\": \"CycloneDX\", \"specVersion\": \"1.6\", \"components\": [}",
    )
    .unwrap();
    let out = vigilo(
        &[
            "scan",
            "--sbom",
            sbom.to_str().unwrap(),
            "--advisories",
            advisories,
        ],
        "",
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("device-2.1.0.cdx.json: line 1, column"),
        "{stderr}"
    );
}
