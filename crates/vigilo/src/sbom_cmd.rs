//! SBOM commands (SPEC §3.5, §5): `sbom import`, `list` and `show`.

use crate::Ctx;
use crate::output::{local, opt, table};
use clap::Subcommand;
use serde_json::json;
use std::path::PathBuf;
use vigilo_registry::Invalid;
use vigilo_store::sbom::{ImportOutcome, Sbom, SbomComponent, SbomView};

#[derive(Subcommand)]
pub enum SbomCmd {
    /// Attach an SBOM to a software version: CycloneDX 1.4-1.6 (JSON or XML) or SPDX 2.3
    /// (JSON). The same file again changes nothing; another file replaces the version's SBOM.
    Import {
        file: PathBuf,
        #[arg(long)]
        product: String,
        #[arg(long)]
        version: String,
    },
    /// The current SBOM of each software version.
    List {
        #[arg(long)]
        product: Option<String>,
        /// Include superseded SBOMs.
        #[arg(long)]
        all: bool,
    },
    /// A software version's SBOM and its components.
    Show {
        #[arg(long)]
        product: String,
        #[arg(long)]
        version: String,
    },
}

/// Why a component cannot be matched against OSV advisories, or `None` when it can.
fn unmatchable(c: &SbomComponent) -> Option<&'static str> {
    match (&c.purl, c.matchable) {
        (_, true) => None,
        (None, _) => Some("not matchable by purl"),
        (Some(_), false) => Some("no OSV ecosystem for this purl type"),
    }
}

fn sbom_rows(sboms: &[Sbom], zone: &jiff::tz::TimeZone) -> Vec<Vec<String>> {
    sboms
        .iter()
        .map(|s| {
            vec![
                s.id.to_string(),
                s.product.clone(),
                s.version.clone(),
                format!("{} {}", s.format, s.spec_version),
                s.component_count.to_string(),
                s.file_name.clone(),
                local(s.imported_at, zone),
                s.superseded_by
                    .map_or("current".to_owned(), |n| format!("superseded by {n}")),
            ]
        })
        .collect()
}

const SBOM_HEADERS: [&str; 8] = [
    "id",
    "product",
    "version",
    "format",
    "components",
    "file",
    "imported",
    "status",
];

fn show_text(view: &SbomView, zone: &jiff::tz::TimeZone) -> String {
    let mut s = table(
        &SBOM_HEADERS,
        &sbom_rows(std::slice::from_ref(&view.sbom), zone),
    );
    for w in &view.sbom.warnings {
        s.push_str(&format!("warning: {w}\n"));
    }
    s.push('\n');
    let rows: Vec<Vec<String>> = view
        .components
        .iter()
        .map(|c| {
            vec![
                c.name.clone(),
                opt(&c.version),
                opt(&c.purl),
                opt(&c.cpe),
                unmatchable(c).map_or_else(|| opt(&c.ecosystem), str::to_owned),
            ]
        })
        .collect();
    s.push_str(&table(
        &["component", "version", "purl", "cpe", "ecosystem"],
        &rows,
    ));
    s
}

pub async fn sbom(ctx: &Ctx, cmd: SbomCmd) -> anyhow::Result<()> {
    match cmd {
        SbomCmd::Import {
            file,
            product,
            version,
        } => {
            let path = file.display().to_string();
            let bytes = std::fs::read(&file)
                .map_err(|e| Invalid::new(&path, format!("cannot be read: {e}")))?;
            let (store, actor) = ctx.store_as().await?;
            let import = store
                .import_sbom(&actor, &product, &version, &path, &bytes, ctx.now)
                .await?;
            let s = &import.sbom;
            ctx.out.emit(&import, || {
                let mut text = match import.outcome {
                    ImportOutcome::Unchanged => format!(
                        "unchanged: {path} is already SBOM {} of {} {}\n",
                        s.id, s.product, s.version
                    ),
                    ImportOutcome::Imported | ImportOutcome::Replaced => format!(
                        "imported SBOM {} ({} {}, {} components) for {} {}{}\n",
                        s.id,
                        s.format,
                        s.spec_version,
                        s.component_count,
                        s.product,
                        s.version,
                        import
                            .replaced
                            .map_or(String::new(), |old| format!(", superseding SBOM {old}"))
                    ),
                };
                for w in &s.warnings {
                    text.push_str(&format!("warning: {w}\n"));
                }
                text
            })
        }
        SbomCmd::List { product, all } => {
            let store = ctx.store().await?;
            let zone = ctx.zone(&store).await?;
            let sboms = store.sboms(product.as_deref(), all).await?;
            ctx.out.emit(&json!({ "sboms": sboms }), || {
                table(&SBOM_HEADERS, &sbom_rows(&sboms, &zone))
            })
        }
        SbomCmd::Show { product, version } => {
            let store = ctx.store().await?;
            let zone = ctx.zone(&store).await?;
            let view = store.sbom(&product, &version).await?;
            ctx.out.emit(&view, || show_text(&view, &zone))
        }
    }
}
