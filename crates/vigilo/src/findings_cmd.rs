//! Advisory feeds and findings (SPEC §3.5, §5): `advisories import`, `findings list` and
//! `findings rematch`.

use crate::Ctx;
use crate::output::{local, table};
use clap::Subcommand;
use serde_json::json;
use std::path::PathBuf;
use vigilo_registry::Invalid;
use vigilo_store::advisories::Rematched;

#[derive(Subcommand)]
pub enum AdvisoriesCmd {
    /// Import OSV advisories: a JSON or YAML file, a directory tree of them, or a zip of them
    /// (all.zip). Records not newer than the stored ones change nothing; findings follow at once.
    Import { path: PathBuf },
    /// Fetch every osv, kev and epss source of the register that has a URL, import it, and
    /// record each attempt; a failing source does not stop the others (exit status 1).
    Sync,
}

#[derive(Subcommand)]
pub enum FindingsCmd {
    /// Findings against the current SBOMs, with the devices running each version.
    List {
        #[arg(long)]
        product: Option<String>,
        #[arg(long)]
        version: Option<String>,
        /// Include retracted findings.
        #[arg(long)]
        all: bool,
    },
    /// Match every current SBOM against every stored advisory again (the daily run).
    Rematch,
}

fn counts(r: &Rematched) -> String {
    format!(
        "{} findings added, {} retracted",
        r.findings_added, r.findings_retracted
    )
}

pub async fn advisories(ctx: &Ctx, cmd: AdvisoriesCmd) -> anyhow::Result<()> {
    let path = match cmd {
        AdvisoriesCmd::Import { path } => path,
        AdvisoriesCmd::Sync => return crate::sources_cmd::sync(ctx).await,
    };
    let name = path.display().to_string();
    // Read before opening the store: a bad record refuses the whole import, nothing written.
    let records = vigilo_osv::load(&path).map_err(|e| Invalid::new(&name, e.to_string()))?;
    let (store, actor) = ctx.store_as().await?;
    let import = store.import_advisories(&actor, records, ctx.now).await?;
    ctx.out.emit(&import, || {
        format!(
            "{name}: {} advisories added, {} updated, {} unchanged ({} withdrawn); {}",
            import.added,
            import.updated,
            import.unchanged,
            import.withdrawn,
            counts(&import.findings)
        )
    })
}

pub async fn findings(ctx: &Ctx, cmd: FindingsCmd) -> anyhow::Result<()> {
    match cmd {
        FindingsCmd::List {
            product,
            version,
            all,
        } => {
            let store = ctx.store().await?;
            let zone = ctx.zone(&store).await?;
            let findings = store
                .findings(product.as_deref(), version.as_deref(), all)
                .await?;
            ctx.out.emit(&json!({ "findings": findings }), || {
                let rows: Vec<Vec<String>> = findings
                    .iter()
                    .map(|v| {
                        let f = &v.finding;
                        vec![
                            f.id.to_string(),
                            format!("{} {}", f.product, f.version),
                            f.purl.clone(),
                            f.advisory.clone(),
                            v.aliases.join(","),
                            f.fixed.join(","),
                            json!(f.state).as_str().unwrap_or_default().to_owned(),
                            local(f.found_at, &zone),
                            v.devices.to_string(),
                            v.kev.as_ref().map_or_else(
                                || "-".to_owned(),
                                |k| {
                                    let ransomware = if k.known_ransomware {
                                        ", ransomware"
                                    } else {
                                        ""
                                    };
                                    format!("{} (due {}{ransomware})", k.cve, k.due_date)
                                },
                            ),
                            v.epss.as_ref().map_or_else(
                                || "-".to_owned(),
                                |e| format!("{:.3} (p{:.0})", e.score, e.percentile * 100.0),
                            ),
                        ]
                    })
                    .collect();
                table(
                    &[
                        "id",
                        "version",
                        "component",
                        "advisory",
                        "aliases",
                        "fixed in",
                        "state",
                        "found",
                        "devices",
                        "kev",
                        "epss",
                    ],
                    &rows,
                )
            })
        }
        FindingsCmd::Rematch => {
            let (store, actor) = ctx.store_as().await?;
            let changed = store.rematch(&actor, ctx.now).await?;
            ctx.out.emit(&changed, || counts(&changed))
        }
    }
}
