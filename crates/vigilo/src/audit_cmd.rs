use crate::Ctx;
use crate::output::{local, table};
use clap::Subcommand;
use serde_json::json;
use vigilo_store::{AuditFilter, Hash};

#[derive(Subcommand)]
pub enum AuditCmd {
    /// Check every audit event and every record against the hash chain.
    Verify {
        /// Also require the chain to contain this event hash (a head published earlier).
        #[arg(long, value_name = "HASH")]
        anchor: Option<String>,
    },
    /// The chain's head (sequence number and hash), to publish as an anchor.
    Head,
    /// Audit events, oldest first.
    Log {
        #[arg(long)]
        table: Option<String>,
        #[arg(long)]
        key: Option<String>,
        #[arg(long)]
        actor: Option<String>,
        /// Only the last N events.
        #[arg(long, default_value_t = 50)]
        limit: i64,
    },
}

/// The store departs from its audit chain: the integrity rule is broken (exit status 1).
#[derive(Debug)]
pub struct Tampered(pub String);

impl std::fmt::Display for Tampered {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "audit chain broken: {}", self.0)
    }
}

impl std::error::Error for Tampered {}

impl Tampered {
    pub fn exit_code(&self) -> u8 {
        1
    }
}

pub async fn run(ctx: &Ctx, cmd: AuditCmd) -> anyhow::Result<()> {
    let store = ctx.store().await?;
    match cmd {
        AuditCmd::Verify { anchor } => {
            let anchor = anchor
                .map(|a| {
                    a.parse::<Hash>().map_err(|_| {
                        vigilo_registry::Invalid::new(
                            "--anchor",
                            format!("{a:?}: expected 64 hexadecimal digits"),
                        )
                    })
                })
                .transpose()?;
            let verified = store.verify().await?.map_err(|b| Tampered(b.to_string()))?;
            if let Some(anchor) = anchor
                && !store.audit_contains(anchor).await?
            {
                return Err(Tampered(format!(
                    "no audit event has the anchor hash {anchor}: the chain was rewritten or cut back"
                ))
                .into());
            }
            ctx.out.emit(&verified, || {
                format!(
                    "audit chain intact: {} events checked, {} records match; head {}",
                    verified.events, verified.records, verified.head
                )
            })
        }
        AuditCmd::Head => {
            let (seq, hash) = store.audit_head().await?;
            ctx.out
                .emit(&json!({"seq": seq, "hash": hash.to_string()}), || {
                    format!("#{seq} {hash}")
                })
        }
        AuditCmd::Log {
            table: t,
            key,
            actor,
            limit,
        } => {
            let events = store
                .audit_events(&AuditFilter {
                    table: t,
                    key,
                    actor,
                    limit: Some(limit),
                    ..AuditFilter::default()
                })
                .await?;
            let tz = ctx.zone(&store).await?;
            ctx.out.emit(&json!({ "events": events }), || {
                let rows: Vec<Vec<String>> = events
                    .iter()
                    .map(|e| {
                        vec![
                            e.seq.to_string(),
                            jiff::Timestamp::from_microsecond(e.at)
                                .map_or_else(|_| e.at.to_string(), |t| local(t, &tz)),
                            e.actor.clone(),
                            e.action.clone(),
                            format!("{}/{}", e.table, e.key),
                        ]
                    })
                    .collect();
                table(&["seq", "at", "actor", "action", "record"], &rows)
            })
        }
    }
}
