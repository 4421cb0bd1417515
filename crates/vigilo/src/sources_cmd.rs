//! The advisory-sources register, KEV/EPSS import and `advisories sync` (SPEC §3.5, §5):
//! `source add|list|review|show`, `intel import kev|epss FILE`.

use crate::Ctx;
use crate::output::{local, opt, table};
use crate::vigilance_cmd::as_of;
use clap::Subcommand;
use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde_json::json;
use std::io::Read;
use std::path::PathBuf;
use std::time::Duration;
use vigilo_intel::register::{ReviewOutcome, SourceKind};
use vigilo_registry::{Invalid, input};
use vigilo_store::Store;
use vigilo_store::intel::{IntelImport, IntelKind, IntelOutcome};
use vigilo_store::registry::Actor;
use vigilo_store::sources::{AdvisorySource, NewSource, SourceStatus, SourceSync, SyncResult};

#[derive(Subcommand)]
pub enum SourceCmd {
    /// Register an advisory source with its owner, backup and review cadence.
    Add {
        id: String,
        #[arg(long)]
        name: String,
        /// osv, kev, epss, vendor or threat-intel.
        #[arg(long)]
        kind: String,
        /// Holds the security role; reviews and answers for the source.
        #[arg(long)]
        owner: String,
        /// Another person with the security role, standing in for the owner.
        #[arg(long)]
        backup: String,
        #[arg(long)]
        cadence_days: i64,
        /// Where `advisories sync` fetches an osv, kev or epss source.
        #[arg(long)]
        url: Option<String>,
    },
    /// Every source with its last review, next review due and last sync; overdue first.
    List {
        #[arg(long)]
        as_of: Option<String>,
    },
    /// Record a review of a source; the acting person is the reviewer.
    Review {
        id: String,
        /// When the review was held.
        #[arg(long)]
        at: String,
        #[arg(long)]
        note: String,
        /// ok or changes-needed.
        #[arg(long, default_value = "ok")]
        outcome: String,
    },
    /// A source with its reviews and sync attempts.
    Show {
        id: String,
        #[arg(long)]
        as_of: Option<String>,
    },
}

#[derive(Subcommand)]
pub enum IntelCmd {
    /// Take in a KEV catalog or EPSS file; the same catalog version or score date again changes
    /// nothing, an older one never replaces a newer one.
    Import {
        /// kev (the CISA catalog's JSON) or epss (the CSV, or the published .csv.gz).
        kind: String,
        file: PathBuf,
    },
}

const STATUS_HEADERS: [&str; 9] = [
    "id",
    "kind",
    "owner",
    "backup",
    "every",
    "last review",
    "next due",
    "status",
    "last sync",
];

fn sync_state(s: &SourceSync) -> String {
    let s = &s.result;
    match &s.error {
        Some(e) => format!("failed: {e}"),
        None => format!(
            "ok ({} added, {} updated, {} unchanged)",
            s.added, s.updated, s.unchanged
        ),
    }
}

fn status_rows(sources: &[SourceStatus], zone: &TimeZone) -> Vec<Vec<String>> {
    sources
        .iter()
        .map(|s| {
            vec![
                s.source.id.clone(),
                json!(s.source.kind).as_str().unwrap_or_default().to_owned(),
                s.source.owner.clone(),
                s.source.backup.clone(),
                format!("{} d", s.source.cadence_days),
                s.last_reviewed_at
                    .map_or_else(|| "never".to_owned(), |t| local(t, zone)),
                local(s.next_review_due, zone),
                if s.overdue { "OVERDUE" } else { "ok" }.to_owned(),
                s.last_sync.as_ref().map_or_else(
                    || "-".to_owned(),
                    |y| format!("{} {}", local(y.result.started_at, zone), sync_state(y)),
                ),
            ]
        })
        .collect()
}

pub async fn source(ctx: &Ctx, cmd: SourceCmd) -> anyhow::Result<()> {
    match cmd {
        SourceCmd::Add {
            id,
            name,
            kind,
            owner,
            backup,
            cadence_days,
            url,
        } => {
            let kind = SourceKind::parse("--kind", &kind)?;
            let (store, actor) = ctx.store_as().await?;
            let new = NewSource {
                id,
                name,
                kind,
                url,
                owner,
                backup,
                cadence_days,
            };
            let source = store.add_source(&actor, new, ctx.now).await?;
            ctx.out.emit(&source, || {
                format!(
                    "registered source {} (owner {}, backup {}, review every {} days)",
                    source.id, source.owner, source.backup, source.cadence_days
                )
            })
        }
        SourceCmd::List { as_of: at } => {
            let at = as_of(ctx, at)?;
            let store = ctx.store().await?;
            let zone = ctx.zone(&store).await?;
            let sources = store.sources(at).await?;
            let overdue = sources.iter().filter(|s| s.overdue).count();
            ctx.out.emit(
                &json!({"as_of": at, "overdue": overdue, "sources": sources}),
                || {
                    format!(
                        "{}{overdue} overdue\n",
                        table(&STATUS_HEADERS, &status_rows(&sources, &zone))
                    )
                },
            )
        }
        SourceCmd::Review {
            id,
            at,
            note,
            outcome,
        } => {
            let at = input::instant("--at", &at)?;
            let outcome = ReviewOutcome::parse("--outcome", &outcome)?;
            let (store, actor) = ctx.store_as().await?;
            let review = store
                .review_source(&actor, &id, at, outcome, &note, ctx.now)
                .await?;
            ctx.out.emit(&review, || {
                format!(
                    "review {} of source {} recorded ({})",
                    review.id,
                    review.source,
                    json!(review.outcome).as_str().unwrap_or_default()
                )
            })
        }
        SourceCmd::Show { id, as_of: at } => {
            let at = as_of(ctx, at)?;
            let store = ctx.store().await?;
            let zone = ctx.zone(&store).await?;
            let view = store.source(&id, at).await?;
            ctx.out.emit(&view, || {
                let s = &view.status.source;
                let mut text = table(
                    &STATUS_HEADERS,
                    &status_rows(std::slice::from_ref(&view.status), &zone),
                );
                text.push_str(&format!("{}: {}\n\n", s.name, opt(&s.url)));
                let reviews: Vec<Vec<String>> = view
                    .reviews
                    .iter()
                    .map(|r| {
                        vec![
                            local(r.reviewed_at, &zone),
                            r.reviewed_by.clone(),
                            json!(r.outcome).as_str().unwrap_or_default().to_owned(),
                            r.note.clone(),
                        ]
                    })
                    .collect();
                text.push_str(&table(&["reviewed", "by", "outcome", "note"], &reviews));
                text.push('\n');
                text.push_str(&sync_table(&view.syncs, &zone));
                text
            })
        }
    }
}

fn sync_table(syncs: &[SourceSync], zone: &TimeZone) -> String {
    let rows: Vec<Vec<String>> = syncs
        .iter()
        .map(|s| {
            vec![
                s.source.clone(),
                local(s.result.started_at, zone),
                opt(&s.result.http_status),
                s.result.bytes.to_string(),
                sync_state(s),
            ]
        })
        .collect();
    table(&["source", "started", "http", "bytes", "result"], &rows)
}

fn intel_text(name: &str, import: &IntelImport) -> String {
    let c = &import.catalog;
    match import.outcome {
        IntelOutcome::Imported => format!(
            "{name}: {} {} taken in: {} added, {} updated, {} unchanged, {} no longer listed",
            c.kind, c.version, import.added, import.updated, import.unchanged, import.removed
        ),
        IntelOutcome::Unchanged => {
            format!(
                "{name}: unchanged: {} {} is on record already",
                c.kind, c.version
            )
        }
        IntelOutcome::Older => format!(
            "{name}: not taken in: the newer {} {} is on record",
            c.kind, c.version
        ),
    }
}

/// EPSS publishes its scores as `.csv.gz`; either form is accepted.
fn gunzipped(name: &str, bytes: Vec<u8>) -> Result<Vec<u8>, Invalid> {
    if !bytes.starts_with(&[0x1f, 0x8b]) {
        return Ok(bytes);
    }
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes.as_slice())
        .read_to_end(&mut out)
        .map_err(|e| Invalid::new(name, format!("not a readable gzip file: {e}")))?;
    Ok(out)
}

async fn import_intel(
    store: &Store,
    actor: &Actor,
    kind: IntelKind,
    name: &str,
    bytes: Vec<u8>,
    now: Timestamp,
) -> anyhow::Result<IntelImport> {
    let bytes = match kind {
        IntelKind::Kev => bytes,
        IntelKind::Epss => gunzipped(name, bytes)?,
    };
    Ok(store.import_intel(actor, kind, name, &bytes, now).await?)
}

pub async fn intel(ctx: &Ctx, cmd: IntelCmd) -> anyhow::Result<()> {
    let IntelCmd::Import { kind, file } = cmd;
    let kind = IntelKind::parse("KIND", &kind)?;
    let name = file.display().to_string();
    let bytes =
        std::fs::read(&file).map_err(|e| Invalid::new(&name, format!("cannot be read: {e}")))?;
    let (store, actor) = ctx.store_as().await?;
    let import = import_intel(&store, &actor, kind, &name, bytes, ctx.now).await?;
    ctx.out.emit(&import, || intel_text(&name, &import))
}

/// Some sources failed to sync; the others were synced and every attempt is on record.
#[derive(Debug)]
pub struct SyncFailed(pub Vec<String>);

impl std::fmt::Display for SyncFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "advisory sync failed for {}", self.0.join("; "))
    }
}

impl std::error::Error for SyncFailed {}

/// Far above the largest OSV `all.zip` (npm's is a few hundred MB), far below what would
/// exhaust memory on a misconfigured URL that streams without end.
const MAX_FEED_BYTES: u64 = 2 << 30;

/// GETs `url`: its HTTP status and body, or why no response came.
fn fetch(url: &str) -> Result<(u16, Vec<u8>), String> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        // A 404 is recorded with its status like any response, not as a transport failure.
        .http_status_as_error(false)
        .timeout_connect(Some(Duration::from_secs(30)))
        .timeout_global(Some(Duration::from_secs(30 * 60)))
        .build()
        .into();
    let mut response = agent.get(url).call().map_err(|e| e.to_string())?;
    let status = response.status().as_u16();
    let body = response
        .body_mut()
        .with_config()
        .limit(MAX_FEED_BYTES)
        .read_to_vec()
        .map_err(|e| format!("reading the body: {e}"))?;
    Ok((status, body))
}

/// Imports a fetched OSV file or zip with the same loader `advisories import` uses.
async fn import_osv(
    store: &Store,
    actor: &Actor,
    url: &str,
    bytes: &[u8],
    now: Timestamp,
) -> anyhow::Result<(i64, i64, i64)> {
    let dir = tempfile::tempdir()?;
    // The loader tells a zip from a record by the file name (or else the content), and the
    // advisories keep `NAME.zip:ENTRY` as their source: the URL's last segment is that name.
    let file_name = url
        .rsplit('/')
        .next()
        .filter(|n| !n.is_empty() && !n.contains(['?', '#']))
        .unwrap_or("feed");
    let path = dir.path().join(file_name);
    std::fs::write(&path, bytes)?;
    let records = vigilo_osv::load(&path).map_err(|e| {
        let message = e.to_string().replace(&path.display().to_string(), url);
        Invalid::new(url, message)
    })?;
    let import = store.import_advisories(actor, records, now).await?;
    Ok((
        import.added as i64,
        import.updated as i64,
        import.unchanged as i64,
    ))
}

async fn intel_counts(
    store: &Store,
    actor: &Actor,
    kind: IntelKind,
    url: &str,
    bytes: Vec<u8>,
    now: Timestamp,
) -> anyhow::Result<(i64, i64, i64)> {
    let i = import_intel(store, actor, kind, url, bytes, now).await?;
    Ok((i.added, i.updated, i.unchanged))
}

async fn sync_one(
    store: &Store,
    actor: &Actor,
    source: &AdvisorySource,
    url: &str,
    result: &mut SyncResult,
) -> anyhow::Result<()> {
    let owned = url.to_owned();
    let (status, bytes) = tokio::task::spawn_blocking(move || fetch(&owned))
        .await?
        .map_err(anyhow::Error::msg)?;
    result.http_status = Some(i64::from(status));
    result.bytes = bytes.len() as i64;
    if status != 200 {
        anyhow::bail!("HTTP {status} from {url}");
    }
    let now = crate::clock();
    let (added, updated, unchanged) = match source.kind {
        SourceKind::Osv => import_osv(store, actor, url, &bytes, now).await?,
        SourceKind::Kev => intel_counts(store, actor, IntelKind::Kev, url, bytes, now).await?,
        SourceKind::Epss => intel_counts(store, actor, IntelKind::Epss, url, bytes, now).await?,
        SourceKind::Vendor | SourceKind::ThreatIntel => {
            anyhow::bail!("a {:?} source is read by people, not synced", source.kind)
        }
    };
    result.added = added;
    result.updated = updated;
    result.unchanged = unchanged;
    Ok(())
}

/// `advisories sync`: every osv, kev and epss source with a URL, each attempt recorded; a
/// failing source does not stop the others.
pub async fn sync(ctx: &Ctx) -> anyhow::Result<()> {
    let (store, actor) = ctx.store_as().await?;
    let zone = ctx.zone(&store).await?;
    let mut syncs = Vec::new();
    for source in store.feeds_to_sync(&actor).await? {
        let url = source.url.clone().unwrap_or_default();
        let mut result = SyncResult {
            started_at: crate::clock(),
            ..SyncResult::default()
        };
        if let Err(e) = sync_one(&store, &actor, &source, &url, &mut result).await {
            result.error = Some(format!("{e:#}"));
        }
        result.finished_at = crate::clock();
        let finished = result.finished_at;
        syncs.push(store.record_sync(&actor, &source, result, finished).await?);
    }
    let failed: Vec<String> = syncs
        .iter()
        .filter_map(|s| {
            s.result
                .error
                .as_ref()
                .map(|e| format!("{}: {e}", s.source))
        })
        .collect();
    ctx.out
        .emit(&json!({"syncs": syncs, "failed": failed.len()}), || {
            sync_table(&syncs, &zone)
        })?;
    if failed.is_empty() {
        Ok(())
    } else {
        Err(SyncFailed(failed).into())
    }
}
