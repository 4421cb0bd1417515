//! Tools that need no store (SPEC §5): CVSS scoring, purl canonicalisation, version ordering.

use crate::Ctx;
use clap::Subcommand;
use serde_json::json;
use std::cmp::Ordering;
use std::io::BufRead;
use vigilo_registry::Invalid;
use vigilo_versions::Ecosystem;

pub fn cvss(ctx: &Ctx, vector: &str) -> anyhow::Result<()> {
    let score = vigilo_cvss::score(vector).map_err(|e| Invalid::new("VECTOR", e.to_string()))?;
    ctx.out.emit(&score, || {
        format!(
            "CVSS {} base score {} ({})",
            score.version, score.base_score, score.severity
        )
    })
}

pub fn purl(ctx: &Ctx, purl: &str) -> anyhow::Result<()> {
    let parsed = vigilo_purl::Purl::parse(purl).map_err(|e| Invalid::new("PURL", e.to_string()))?;
    let canonical = parsed.to_string();
    let mut out = serde_json::to_value(&parsed)?;
    out["purl"] = json!(canonical);
    ctx.out.emit(&out, || canonical.clone())
}

#[derive(Subcommand)]
pub enum VersionCmd {
    /// Print <, = or > for A against B, as ECOSYSTEM orders versions.
    Compare {
        /// As OSV spells it: npm, PyPI, Maven, Go, crates.io, NuGet, RubyGems, Packagist,
        /// Debian, Alpine, Hex, Pub.
        ecosystem: String,
        a: String,
        b: String,
    },
    /// Read one version per line on stdin; print them ascending (equal versions keep their
    /// input order).
    Sort { ecosystem: String },
}

fn ecosystem(value: &str) -> Result<Ecosystem, Invalid> {
    value
        .parse()
        .map_err(|e: vigilo_versions::VersionError| Invalid::new("ECOSYSTEM", e.to_string()))
}

pub fn version(ctx: &Ctx, cmd: VersionCmd) -> anyhow::Result<()> {
    match cmd {
        VersionCmd::Compare {
            ecosystem: eco,
            a,
            b,
        } => {
            let eco = ecosystem(&eco)?;
            let order = vigilo_versions::compare(eco, &a, &b)
                .map_err(|e| Invalid::new("VERSION", e.to_string()))?;
            let sign = match order {
                Ordering::Less => "<",
                Ordering::Equal => "=",
                Ordering::Greater => ">",
            };
            ctx.out.emit(
                &json!({"ecosystem": eco.as_str(), "a": a, "b": b, "order": sign}),
                || sign.to_owned(),
            )
        }
        VersionCmd::Sort { ecosystem: eco } => {
            let eco = ecosystem(&eco)?;
            let mut lines = Vec::new();
            for (i, line) in std::io::stdin().lock().lines().enumerate() {
                let line =
                    line.map_err(|e| Invalid::new("stdin", format!("line {}: {e}", i + 1)))?;
                if !line.trim().is_empty() {
                    lines.push((i + 1, line.trim().to_owned()));
                }
            }
            // Parse each line first, so a bad version is reported with its line number.
            for (n, v) in &lines {
                vigilo_versions::parse(eco, v)
                    .map_err(|e| Invalid::new(format!("stdin line {n}"), e.to_string()))?;
            }
            let versions: Vec<&str> = lines.iter().map(|(_, v)| v.as_str()).collect();
            let sorted = vigilo_versions::sort(eco, &versions)
                .map_err(|e| Invalid::new("stdin", e.to_string()))?;
            ctx.out.emit(
                &json!({"ecosystem": eco.as_str(), "versions": sorted}),
                || sorted.join("\n"),
            )
        }
    }
}
