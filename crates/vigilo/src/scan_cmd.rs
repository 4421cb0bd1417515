//! `vigilo scan`: SBOMs against OSV advisories, stateless (SPEC §5), like an offline scanner.

use crate::Ctx;
use crate::output::table;
use clap::Args;
use serde::Serialize;
use std::path::PathBuf;
use vigilo_osv::{Index, Summary};
use vigilo_registry::Invalid;

#[derive(Args)]
pub struct ScanArgs {
    /// A CycloneDX 1.4-1.6 (JSON or XML) or SPDX 2.3 (JSON) file; repeat for several.
    #[arg(long = "sbom", value_name = "FILE", required = true)]
    sboms: Vec<PathBuf>,
    /// An OSV file (JSON or YAML), a directory tree of them, or a zip of them (all.zip).
    #[arg(long, value_name = "PATH")]
    advisories: PathBuf,
}

#[derive(Serialize)]
struct SeverityOut {
    #[serde(rename = "type")]
    kind: serde_json::Value,
    score: String,
    /// The base score computed from a CVSS vector; null for other systems.
    base_score: Option<f64>,
}

#[derive(Serialize)]
struct Finding {
    sbom: String,
    purl: String,
    advisory: String,
    aliases: Vec<String>,
    fixed: Vec<String>,
    severity: Vec<SeverityOut>,
}

/// A component the scan could not match by purl, with the reason: nothing is skipped silently.
#[derive(Serialize)]
struct Unmatched {
    sbom: String,
    component: String,
    reason: String,
}

#[derive(Serialize)]
struct Report {
    findings: Vec<Finding>,
    unmatched: Vec<Unmatched>,
    sboms: usize,
    components: usize,
    advisories: usize,
}

fn severity(a: &Summary) -> Vec<SeverityOut> {
    a.severity
        .iter()
        .map(|s| SeverityOut {
            kind: serde_json::to_value(&s.kind).unwrap_or_default(),
            score: s.score.clone(),
            base_score: vigilo_cvss::score(&s.score).ok().map(|c| c.base_score),
        })
        .collect()
}

pub fn run(ctx: &Ctx, args: ScanArgs) -> anyhow::Result<()> {
    let mut sboms = Vec::new();
    for path in &args.sboms {
        let name = path.display().to_string();
        let bytes =
            std::fs::read(path).map_err(|e| Invalid::new(&name, format!("cannot be read: {e}")))?;
        let sbom = vigilo_sbom::parse(&bytes).map_err(|e| Invalid::new(&name, e.to_string()))?;
        sboms.push((name, sbom));
    }
    let source = args.advisories.display().to_string();
    let index = Index::load(&args.advisories).map_err(|e| Invalid::new(&source, e.to_string()))?;

    let mut report = Report {
        findings: Vec::new(),
        unmatched: Vec::new(),
        sboms: sboms.len(),
        components: 0,
        advisories: index.len(),
    };
    for (name, sbom) in &sboms {
        for c in &sbom.components {
            report.components += 1;
            let label = match &c.version {
                Some(v) => format!("{} {v}", c.name),
                None => c.name.clone(),
            };
            let Some(purl) = &c.purl else {
                let reason = match &c.cpe {
                    Some(cpe) => format!("no purl, only CPE {cpe}: not matchable against OSV"),
                    None => "no purl: not matchable against OSV".to_owned(),
                };
                report.unmatched.push(Unmatched {
                    sbom: name.clone(),
                    component: label,
                    reason,
                });
                continue;
            };
            let found = index.query_report(purl);
            for e in &found.errors {
                report.unmatched.push(Unmatched {
                    sbom: name.clone(),
                    component: purl.to_string(),
                    reason: e.to_string(),
                });
            }
            for (advisory, fixed) in found.per_advisory() {
                report.findings.push(Finding {
                    sbom: name.clone(),
                    purl: purl.to_string(),
                    advisory: advisory.id.clone(),
                    aliases: advisory.aliases.clone(),
                    fixed,
                    severity: severity(advisory),
                });
            }
        }
    }
    ctx.out.emit(&report, || {
        let rows: Vec<Vec<String>> = report
            .findings
            .iter()
            .map(|f| {
                let score = f
                    .severity
                    .iter()
                    .find_map(|s| s.base_score)
                    .map_or("-".into(), |s| s.to_string());
                vec![
                    f.sbom.clone(),
                    f.purl.clone(),
                    f.advisory.clone(),
                    f.aliases.join(","),
                    score,
                    f.fixed.join(","),
                ]
            })
            .collect();
        let mut out = table(
            &[
                "sbom",
                "component",
                "advisory",
                "aliases",
                "CVSS",
                "fixed in",
            ],
            &rows,
        );
        out.push_str(&format!(
            "\n{} findings in {} components of {} SBOMs against {} advisories",
            report.findings.len(),
            report.components,
            report.sboms,
            report.advisories
        ));
        if !report.unmatched.is_empty() {
            out.push_str(&format!(
                "; {} components could not be matched (see --json)",
                report.unmatched.len()
            ));
        }
        out
    })
}
