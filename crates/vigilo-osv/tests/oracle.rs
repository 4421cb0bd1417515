//! Differential test against OSV.dev: the recorded answers of the real
//! `api.osv.dev` to package queries (osv.dev's own API test cassettes) must
//! be exactly what the index answers when built from the records in them.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;

use common::data;
use serde_json::Value;
use vigilo_osv::{Advisory, Index, osv_package};
use vigilo_purl::Purl;
use vigilo_versions::Ecosystem;

/// The responses of a `.snap` file by test name: each is a header line
/// `[Test/cassette_…/NAME - 1]`, the JSON response, and a `---` line.
fn snapshots(file: &str) -> BTreeMap<String, Value> {
    let text = fs::read_to_string(data("osv-api-oracle").join(file)).unwrap();
    let mut responses = BTreeMap::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let Some(header) = line.strip_prefix('[').and_then(|h| h.strip_suffix(" - 1]")) else {
            continue;
        };
        let name = header.rsplit_once('/').map_or(header, |(_, name)| name);
        let body: Vec<&str> = lines.by_ref().take_while(|line| *line != "---").collect();
        let response = serde_json::from_str(&body.join("\n")).unwrap();
        responses.insert(name.to_owned(), response);
    }
    responses
}

/// Test name → request body, from the cassette.
fn requests(file: &str) -> BTreeMap<String, Value> {
    let text = fs::read_to_string(data("osv-api-oracle").join(file)).unwrap();
    let cassette: Value = serde_norway::from_str(&text).unwrap();
    cassette["interactions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|interaction| {
            let request = &interaction["request"];
            let name = request["headers"]["X-Test-Name"][0].as_str().unwrap();
            let name = name.rsplit_once('/').unwrap().1.to_owned();
            (
                name,
                serde_json::from_str(request["body"].as_str().unwrap()).unwrap(),
            )
        })
        .collect()
}

/// The recorded records, with the cassette's placeholders replaced: the
/// snapshots stand `"<RFC3339 date …>"` for `modified` and the count of a
/// `versions` list for the list. Dropping the lists is safe here because
/// every recorded entry has ranges, which is checked.
fn advisory(recorded: &Value) -> Advisory {
    let mut record = recorded.clone();
    if record["modified"]
        .as_str()
        .is_some_and(|m| m.starts_with("<RFC3339"))
    {
        record["modified"] = "2026-01-01T00:00:00Z".into();
    }
    for affected in record["affected"].as_array_mut().into_iter().flatten() {
        assert!(affected["ranges"].as_array().is_some_and(|r| !r.is_empty()));
        if affected["versions"].is_number() {
            affected.as_object_mut().unwrap().remove("versions");
        }
    }
    serde_json::from_value(record).unwrap_or_else(|error| panic!("{}: {error}", recorded["id"]))
}

/// The purl type of each OSV ecosystem, inverse of `osv_package`.
fn purl_for(ecosystem: &str, name: &str, version: &str) -> Option<Purl> {
    let ty = match ecosystem.parse::<Ecosystem>().ok()? {
        Ecosystem::Npm => "npm",
        Ecosystem::PyPI => "pypi",
        Ecosystem::Maven => "maven",
        Ecosystem::Go => "golang",
        Ecosystem::CratesIo => "cargo",
        Ecosystem::NuGet => "nuget",
        Ecosystem::RubyGems => "gem",
        Ecosystem::Packagist => "composer",
        Ecosystem::Debian => "deb",
        Ecosystem::Alpine => "apk",
        Ecosystem::Hex => "hex",
        Ecosystem::Pub => "pub",
    };
    let path = if ty == "maven" {
        name.replacen(':', "/", 1)
    } else {
        name.to_owned()
    };
    let purl = Purl::parse(&format!("pkg:{ty}/{path}@{version}")).unwrap();
    let (found_ecosystem, found_name) = osv_package(&purl).unwrap();
    assert_eq!(
        (found_ecosystem.as_str(), found_name.as_str()),
        (ecosystem, name)
    );
    Some(purl)
}

/// What a recorded query asks in this crate's terms, or why it cannot be asked.
fn component(query: &Value) -> Result<Purl, String> {
    let package = &query["package"];
    let version = query["version"].as_str();
    if let Some(purl) = package["purl"].as_str() {
        let mut purl = Purl::parse(purl).unwrap();
        if let Some(version) = version {
            purl.version = Some(version.to_owned());
        }
        return Ok(purl);
    }
    match (
        package["ecosystem"].as_str(),
        package["name"].as_str(),
        version,
    ) {
        (Some(ecosystem), Some(name), Some(version)) => purl_for(ecosystem, name, version)
            .ok_or_else(|| {
                format!("ecosystem {ecosystem}: no package URL names a GIT repository's tag")
            }),
        _ if query.get("commit").is_some() => {
            Err("commit query: needs repositories' commit graphs".into())
        }
        _ => Err(format!("unsupported query {query}")),
    }
}

#[test]
fn index_agrees_with_every_recorded_osv_dev_answer() {
    let mut recorded = snapshots("single_query.responses.snap");
    recorded.extend(snapshots("batch_query.responses.snap"));
    let mut asked = requests("single_query.requests.yaml");
    asked.extend(requests("batch_query.requests.yaml"));
    assert_eq!(
        asked.keys().collect::<Vec<_>>(),
        recorded.keys().collect::<Vec<_>>(),
        "every recorded request has its answer"
    );
    assert_eq!(recorded.len(), 8);

    // Each answer, as (test name, query, ids of the vulnerabilities found).
    let mut answers: Vec<(String, Value, BTreeSet<String>)> = Vec::new();
    let mut records: BTreeMap<String, Advisory> = BTreeMap::new();
    let mut not_applicable = Vec::new();
    for (name, response) in &recorded {
        if let Some(code) = response.get("code") {
            // OSV.dev refused the request itself (a version both in the purl
            // and beside it), which an API over parsed purls cannot express.
            not_applicable.push(format!(
                "{name}: request rejected ({code}: {})",
                response["message"]
            ));
            continue;
        }
        let results = match response.get("results") {
            Some(results) => results.as_array().unwrap().clone(),
            None => vec![response.clone()],
        };
        for result in results {
            let vulns = result["vulns"].as_array().unwrap();
            for vuln in vulns {
                let advisory = advisory(vuln);
                records.insert(advisory.id.clone(), advisory);
            }
            let ids = vulns
                .iter()
                .map(|v| v["id"].as_str().unwrap().to_owned())
                .collect();
            answers.push((name.clone(), result["query"].clone(), ids));
        }
    }
    let index = Index::build(records.into_values().collect());

    let (mut compared, mut expected_matches, mut agreeing_matches) = (0, 0, 0);
    let mut disagreements = Vec::new();
    for (name, query, expected) in &answers {
        let purl = match component(query) {
            Ok(purl) => purl,
            Err(reason) => {
                not_applicable.push(format!("{name}: {reason}"));
                continue;
            }
        };
        compared += 1;
        let report = index.query_report(&purl);
        assert!(report.errors.is_empty(), "{name}: {:?}", report.errors);
        let found: BTreeSet<String> = report
            .matches
            .iter()
            .map(|m| m.advisory.id.clone())
            .collect();
        expected_matches += expected.len();
        agreeing_matches += expected.intersection(&found).count();
        for missing in expected.difference(&found) {
            disagreements.push(format!(
                "{name} ({purl}): OSV.dev reports {missing}, the index does not"
            ));
        }
        for extra in found.difference(expected) {
            disagreements.push(format!(
                "{name} ({purl}): the index reports {extra}, OSV.dev does not"
            ));
        }
    }
    println!(
        "osv-api-oracle: {compared} package queries compared, {agreeing_matches} of {expected_matches} \
         recorded matches found, {} disagreements; not applicable:\n  {}",
        disagreements.len(),
        not_applicable.join("\n  ")
    );
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
    assert_eq!(compared, 4);
    assert_eq!(expected_matches, 33);
    assert_eq!(not_applicable.len(), 4);
}
