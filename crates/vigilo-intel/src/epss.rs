//! FIRST's EPSS scores (`epss_scores-YYYY-MM-DD.csv`): a `#model_version:…,score_date:…`
//! comment line, the header `cve,epss,percentile`, then one row per CVE.

use crate::{IntelError, is_cve};
use jiff::Timestamp;
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq)]
pub struct EpssCatalog {
    pub model_version: String,
    /// The same score date is the same file: EPSS publishes once a day.
    pub score_date: Timestamp,
    pub scores: Vec<EpssScore>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EpssScore {
    pub cve: String,
    /// Probability of exploitation activity in the next 30 days, 0 to 1.
    pub epss: f64,
    /// The share of all scored CVEs with a lower score, 0 to 1.
    pub percentile: f64,
}

pub const HEADER: &str = "cve,epss,percentile";

fn line_at(n: usize) -> String {
    format!("line {n}")
}

/// The model and score date of the comment line (`n` is its line number).
fn metadata(file: &str, n: usize, line: &str) -> Result<(String, Timestamp), IntelError> {
    let expected = "expected `#model_version:VERSION,score_date:RFC3339`";
    let err = |problem: String| IntelError::new(file, line_at(n), problem);
    let Some(fields) = line.strip_prefix('#') else {
        return Err(err(format!("{line:?}: {expected}")));
    };
    let (mut model, mut date) = (None, None);
    for field in fields.split(',') {
        match field.trim().split_once(':') {
            Some(("model_version", v)) => model = Some(v.trim().to_owned()),
            Some(("score_date", v)) => {
                date =
                    Some(v.trim().parse::<Timestamp>().map_err(|_| {
                        err(format!("score_date {v:?}: expected an RFC 3339 instant"))
                    })?);
            }
            _ => {}
        }
    }
    match (model.filter(|m| !m.is_empty()), date) {
        (Some(m), Some(d)) => Ok((m, d)),
        _ => Err(err(format!("{line:?}: {expected}"))),
    }
}

fn probability(file: &str, n: usize, column: &str, text: &str) -> Result<f64, IntelError> {
    match text.parse::<f64>() {
        Ok(p) if (0.0..=1.0).contains(&p) => Ok(p),
        _ => Err(IntelError::new(
            file,
            line_at(n),
            format!("{column} {text:?}: expected a number from 0 to 1"),
        )),
    }
}

/// Parses an EPSS CSV; `file` names it in errors. Every row must be complete and each CVE
/// scored once.
pub fn parse_epss(file: &str, bytes: &[u8]) -> Result<EpssCatalog, IntelError> {
    let mut meta = None;
    let mut header = false;
    let mut scores = Vec::new();
    let mut first_line: HashMap<String, usize> = HashMap::new();
    for (i, raw) in bytes.split(|&b| b == b'\n').enumerate() {
        let n = i + 1;
        let line = std::str::from_utf8(raw)
            .map_err(|_| IntelError::new(file, line_at(n), "expected UTF-8 text"))?;
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.trim().is_empty() {
            continue;
        }
        if meta.is_none() {
            meta = Some(metadata(file, n, line)?);
            continue;
        }
        if !header {
            if line.trim() != HEADER {
                return Err(IntelError::new(
                    file,
                    line_at(n),
                    format!("{line:?}: expected the header `{HEADER}`"),
                ));
            }
            header = true;
            continue;
        }
        let fields: Vec<&str> = line.split(',').map(str::trim).collect();
        let [cve, epss, percentile] = fields[..] else {
            return Err(IntelError::new(
                file,
                line_at(n),
                format!("{} fields: expected 3 ({HEADER})", fields.len()),
            ));
        };
        if !is_cve(cve) {
            return Err(IntelError::new(
                file,
                line_at(n),
                format!("cve {cve:?}: expected a CVE id CVE-YYYY-NNNN"),
            ));
        }
        if let Some(first) = first_line.insert(cve.to_owned(), n) {
            return Err(IntelError::new(
                file,
                line_at(n),
                format!("{cve} is scored on line {first} already; expected each CVE once"),
            ));
        }
        scores.push(EpssScore {
            cve: cve.to_owned(),
            epss: probability(file, n, "epss", epss)?,
            percentile: probability(file, n, "percentile", percentile)?,
        });
    }
    let Some((model_version, score_date)) = meta else {
        return Err(IntelError::new(
            file,
            line_at(1),
            "empty file; expected `#model_version:…,score_date:…`",
        ));
    };
    if !header {
        return Err(IntelError::new(
            file,
            "end of file",
            format!("expected the header `{HEADER}`"),
        ));
    }
    Ok(EpssCatalog {
        model_version,
        score_date,
        scores,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn render(c: &EpssCatalog) -> String {
        let mut s = format!(
            "#model_version:{},score_date:{}\n{HEADER}\n",
            c.model_version, c.score_date
        );
        for r in &c.scores {
            s.push_str(&format!("{},{},{}\n", r.cve, r.epss, r.percentile));
        }
        s
    }

    #[test]
    fn reads_the_reference_head() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/epss_scores-current.head99.csv"
        );
        let c = parse_epss("epss.csv", &std::fs::read(path).unwrap()).unwrap();
        assert_eq!(c.model_version, "v2026.06.15");
        assert_eq!(c.score_date.to_string(), "2026-09-29T12:00:22Z");
        assert_eq!(c.scores.len(), 99);
        assert_eq!(
            c.scores[1],
            EpssScore {
                cve: "CVE-1999-0002".into(),
                epss: 0.27858,
                percentile: 0.98037
            }
        );
    }

    #[test]
    fn errors_name_file_line_and_expectation() {
        let head = "#model_version:v1,score_date:2026-09-29T00:00:00Z\ncve,epss,percentile\n";
        let cases = [
            ("", "epss.csv: line 1: empty file"),
            (
                "cve,epss,percentile\n",
                "epss.csv: line 1: \"cve,epss,percentile\": expected `#model_version",
            ),
            (
                "#model_version:v1,score_date:yesterday\n",
                "epss.csv: line 1: score_date \"yesterday\": expected an RFC 3339 instant",
            ),
            (
                "#model_version:v1,score_date:2026-09-29T00:00:00Z\ncve,score\n",
                "epss.csv: line 2: \"cve,score\": expected the header",
            ),
            (
                "#model_version:v1,score_date:2026-09-29T00:00:00Z\n",
                "epss.csv: end of file: expected the header",
            ),
        ];
        for (text, start) in cases {
            let e = parse_epss("epss.csv", text.as_bytes())
                .unwrap_err()
                .to_string();
            assert!(e.starts_with(start), "{text:?}: {e}");
        }
        let rows = [
            ("CVE-1999-0001,0.1\n", "line 3: 2 fields: expected 3"),
            (
                "CVE-1999-0001,0.1,1.5\n",
                "line 3: percentile \"1.5\": expected a number from 0 to 1",
            ),
            ("CVE-1999-0001,NaN,0.5\n", "line 3: epss \"NaN\""),
            (
                "CVE-1999-1,0.1,0.5\n",
                "line 3: cve \"CVE-1999-1\": expected a CVE id",
            ),
            (
                "CVE-1999-0001,0.1,0.5\r\n\nCVE-1999-0001,0.1,0.5\n",
                "line 5: CVE-1999-0001 is scored on line 3 already",
            ),
        ];
        for (body, want) in rows {
            let e = parse_epss("epss.csv", format!("{head}{body}").as_bytes()).unwrap_err();
            assert!(e.to_string().contains(want), "{body:?}: {e}");
        }
    }

    fn catalog() -> impl Strategy<Value = EpssCatalog> {
        (
            "v[0-9]{4}\\.[0-9]{2}\\.[0-9]{2}",
            0i64..4_000_000_000,
            proptest::collection::btree_map(
                (1999u32..2030, 1u32..10_000_000),
                (0u32..=100_000, 0u32..=100_000),
                0..40,
            ),
        )
            .prop_map(|(model_version, secs, rows)| EpssCatalog {
                model_version,
                score_date: Timestamp::from_second(secs).unwrap(),
                scores: rows
                    .into_iter()
                    .map(|((year, number), (e, p))| EpssScore {
                        cve: format!("CVE-{year}-{number:04}"),
                        epss: f64::from(e) / 100_000.0,
                        percentile: f64::from(p) / 100_000.0,
                    })
                    .collect(),
            })
    }

    proptest! {
        #[test]
        fn what_is_written_reads_back(c in catalog(), crlf in any::<bool>()) {
            let mut text = render(&c);
            if crlf {
                text = text.replace('\n', "\r\n");
            }
            prop_assert_eq!(parse_epss("f.csv", text.as_bytes()).unwrap(), c);
        }

        #[test]
        fn a_damaged_row_is_named_by_its_line(c in catalog(), pick in any::<prop::sample::Index>(), junk in "[a-z;]{1,8}") {
            prop_assume!(!c.scores.is_empty());
            let row = pick.index(c.scores.len());
            let mut lines: Vec<String> = render(&c).lines().map(str::to_owned).collect();
            lines[row + 2] = format!("{},{junk}", c.scores[row].cve);
            let e = parse_epss("f.csv", lines.join("\n").as_bytes()).unwrap_err();
            prop_assert_eq!(e.file, "f.csv");
            prop_assert_eq!(e.position, format!("line {}", row + 3));
        }

        #[test]
        fn any_bytes_give_a_catalog_or_an_error(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            let _ = parse_epss("f.csv", &bytes);
        }
    }
}
