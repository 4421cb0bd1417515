//! The security intake queue (SPEC §3.5): `vigilo security queue|signal|triage|show|problems`.

use crate::Ctx;
use crate::output::table;
use crate::vigilance_cmd::as_of;
use clap::{Args, Subcommand};
use serde_json::json;
use std::path::PathBuf;
use vigilo_registry::input::Invalid;
use vigilo_store::requests::{SecurityTriageRequest, SignalRequest, Spelling};
use vigilo_store::security::{QueueItem, Subject};
use vigilo_vex::validate::{Format, Schema};

/// Which queue entry: a finding (a CVE match) or a hand-entered signal.
#[derive(Args, Clone)]
#[group(required = true, multiple = false)]
pub struct SubjectArgs {
    /// A finding id (`vigilo findings list`).
    #[arg(long)]
    finding: Option<i64>,
    /// A signal id (`vigilo security signal`).
    #[arg(long)]
    signal: Option<i64>,
}

impl SubjectArgs {
    fn subject(&self) -> Subject {
        match (self.finding, self.signal) {
            (Some(id), _) => Subject::Finding(id),
            (None, Some(id)) => Subject::Signal(id),
            // clap's group makes one of the two required.
            (None, None) => unreachable!("clap requires --finding or --signal"),
        }
    }
}

#[derive(Subcommand)]
pub enum SecurityCmd {
    /// The intake queue: CVE matches, vendor advisories and threat-intelligence notes, breached
    /// response targets first.
    Queue {
        /// RFC 3339 instant the clocks are read at (default now).
        #[arg(long)]
        as_of: Option<String>,
        /// Include triaged entries, with their measured response times.
        #[arg(long)]
        all: bool,
    },
    /// Enter a vendor advisory or a threat-intelligence note.
    Signal {
        /// vendor-advisory or threat-intel.
        #[arg(long)]
        kind: String,
        #[arg(long)]
        title: String,
        #[arg(long, default_value = "")]
        body: String,
        /// The source's advisory id or URL.
        #[arg(long)]
        reference: Option<String>,
        /// A CVE id the signal names (repeatable).
        #[arg(long = "cve")]
        cves: Vec<String>,
        /// A CVSS vector (repeatable).
        #[arg(long)]
        cvss: Vec<String>,
        #[arg(long)]
        product: Option<String>,
        /// An affected software version (repeatable).
        #[arg(long = "version")]
        versions: Vec<String>,
        /// RFC 3339 (default now).
        #[arg(long)]
        received_at: Option<String>,
    },
    /// Triage an entry to one of the four outcomes, with the criteria and a rationale.
    Triage {
        #[command(flatten)]
        subject: SubjectArgs,
        /// not-relevant, problem-report, patch-management or potential-serious-incident.
        #[arg(long)]
        outcome: String,
        /// known-exploited, public-exploit, theoretical or not-exploitable.
        #[arg(long)]
        exploitability: String,
        /// reachable, not-reachable or unknown.
        #[arg(long)]
        reachability: String,
        /// Patient-harm plausibility: serious, non-serious or none.
        #[arg(long)]
        harm: String,
        #[arg(long)]
        rationale: String,
        /// For not-relevant: the VEX justification.
        #[arg(long)]
        justification: Option<String>,
        /// For an affected outcome: what is done (the VEX action statement).
        #[arg(long)]
        action: Option<String>,
        /// For problem-report and patch-management: vendor-fix, workaround, mitigation,
        /// no-fix-planned or none-available.
        #[arg(long)]
        remediation: Option<String>,
    },
    /// One entry with its triage history.
    Show {
        #[command(flatten)]
        subject: SubjectArgs,
        #[arg(long)]
        as_of: Option<String>,
    },
    /// Software problem reports opened by triage.
    Problems,
    /// CVE drills: the whole loop on a chosen real advisory, apart from real findings.
    #[command(subcommand)]
    Drill(DrillCmd),
    /// The customer-facing security advisory for a triaged finding (HTML or CSAF 2.0).
    Advisory {
        #[arg(long)]
        finding: i64,
        /// A step by which a customer checks the fix is in place (repeatable, at least one).
        #[arg(long = "verify")]
        verify: Vec<String>,
        /// A URL for further reading (repeatable).
        #[arg(long = "reference")]
        references: Vec<String>,
        /// html or csaf.
        #[arg(long)]
        format: String,
        /// Write here instead of to standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
pub enum DrillCmd {
    /// Match a real OSV advisory against every current SBOM, as a drill: nothing enters the
    /// findings or the queue.
    Start {
        /// One OSV record (JSON).
        #[arg(long)]
        advisory: PathBuf,
    },
    /// Time a step: triaged, vex-exported, advisory-drafted or customers-notified.
    Step {
        id: i64,
        step: String,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// File the finished drill as a supervised training on a procedure for every participant.
    Finish {
        id: i64,
        #[arg(long)]
        procedure: String,
        #[arg(long)]
        version: String,
    },
    List,
    Show {
        id: i64,
    },
}

fn drill_text(d: &vigilo_security::Drill) -> String {
    let mut text = format!(
        "drill {} on {}{}",
        d.id,
        d.advisory,
        if d.finished_at.is_some() {
            " (finished)"
        } else {
            ""
        }
    );
    for r in &d.reach {
        text.push_str(&format!(
            "\n  reaches {} {} on {} devices",
            r.product, r.version, r.devices
        ));
    }
    for s in &d.steps {
        text.push_str(&format!(
            "\n  +{:>6} s  {:<18} {}  {}",
            s.elapsed_seconds, s.step, s.by, s.note
        ));
    }
    text
}

async fn drill(ctx: &Ctx, cmd: DrillCmd) -> anyhow::Result<()> {
    let done = match cmd {
        DrillCmd::Start { advisory } => {
            let bytes = std::fs::read(&advisory)
                .map_err(|e| Invalid::new("--advisory", format!("{}: {e}", advisory.display())))?;
            let record = vigilo_osv::parse_json(&bytes)
                .map_err(|e| Invalid::new("--advisory", format!("{}: {e}", advisory.display())))?;
            let (store, actor) = ctx.store_as().await?;
            store.start_drill(&actor, record, ctx.now).await?
        }
        DrillCmd::Step { id, step, note } => {
            let step = vigilo_security::DrillStep::parse("STEP", &step)?;
            let (store, actor) = ctx.store_as().await?;
            store.drill_step(&actor, id, step, &note, ctx.now).await?
        }
        DrillCmd::Finish {
            id,
            procedure,
            version,
        } => {
            let (store, actor) = ctx.store_as().await?;
            let today = ctx.today(&store).await?;
            store
                .finish_drill(&actor, id, (&procedure, &version), today, ctx.now)
                .await?
        }
        DrillCmd::List => {
            let drills = ctx.store().await?.drills().await?;
            return ctx.out.emit(&json!({"drills": drills}), || {
                drills.iter().map(drill_text).collect::<Vec<_>>().join("\n")
            });
        }
        DrillCmd::Show { id } => ctx.store().await?.drill(id).await?,
    };
    ctx.out.emit(&done, || drill_text(&done))
}

/// `vigilo vex export`.
#[derive(Subcommand)]
pub enum VexCmd {
    /// One software version's VEX: a statement per finding with its triage status.
    Export {
        #[arg(long)]
        product: String,
        #[arg(long)]
        version: String,
        /// cyclonedx (1.6), openvex (0.2.0) or csaf (2.0, VEX profile).
        #[arg(long)]
        format: String,
        /// Write here instead of to standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

/// Writes a text document to `out`, or to standard output (ending in a newline) when none is
/// given; with `--out`, the command prints what it wrote.
fn deliver(
    ctx: &Ctx,
    mut text: String,
    out: Option<PathBuf>,
    summary: serde_json::Value,
) -> anyhow::Result<()> {
    if out.is_none() && !text.ends_with('\n') {
        text.push('\n');
    }
    crate::output::deliver(ctx, text.as_bytes(), out, summary)
}

pub async fn vex(ctx: &Ctx, cmd: VexCmd) -> anyhow::Result<()> {
    let VexCmd::Export {
        product,
        version,
        format,
        out,
    } = cmd;
    let Some(format) = Format::from_word(&format) else {
        return Err(Invalid::new(
            "--format",
            format!("{format:?}: expected cyclonedx, openvex or csaf"),
        )
        .into());
    };
    let store = ctx.store().await?;
    let document = store.vex_document(&product, &version).await?;
    let value = format.write(&document)?;
    let summary = json!({"format": format.word(), "product": product, "version": version,
                         "revision": document.revision, "statements": document.statements.len()});
    deliver(ctx, serde_json::to_string_pretty(&value)?, out, summary)
}

fn queue_rows(items: &[QueueItem]) -> String {
    let rows: Vec<Vec<String>> = items
        .iter()
        .map(|i| {
            vec![
                if i.response.breached() { "BREACH" } else { "" }.to_owned(),
                i.subject.clone(),
                i.assessment.rating.to_string(),
                i.assessment.score.clone().unwrap_or_default(),
                format!(
                    "{} {}",
                    i.product.as_deref().unwrap_or("-"),
                    i.versions.join(",")
                ),
                i.devices.to_string(),
                i.response
                    .due_at
                    .map_or("next release".to_owned(), |d| d.to_string()),
                i.triage
                    .as_ref()
                    .map_or(String::new(), |t| t.outcome.to_string()),
                i.title.chars().take(60).collect(),
            ]
        })
        .collect();
    table(
        &[
            "", "entry", "severity", "score", "version", "devices", "due", "triage", "title",
        ],
        &rows,
    )
}

pub async fn security(ctx: &Ctx, cmd: SecurityCmd) -> anyhow::Result<()> {
    match cmd {
        SecurityCmd::Queue { as_of: at, all } => {
            let at = as_of(ctx, at)?;
            let store = ctx.store().await?;
            let targets = store.response_targets().await?;
            let items = store.security_queue(at, all).await?;
            let breaches: Vec<&str> = items
                .iter()
                .filter(|i| i.response.breached())
                .map(|i| i.subject.as_str())
                .collect();
            ctx.out.emit(
                &json!({"as_of": at, "targets": targets, "items": items, "breaches": breaches}),
                || {
                    format!(
                        "{} entr{} ({} past target; critical {} h, high {} days)\n{}",
                        items.len(),
                        if items.len() == 1 { "y" } else { "ies" },
                        breaches.len(),
                        targets.critical_hours,
                        targets.high_days,
                        queue_rows(&items)
                    )
                },
            )
        }
        SecurityCmd::Signal {
            kind,
            title,
            body,
            reference,
            cves,
            cvss,
            product,
            versions,
            received_at,
        } => {
            let new = SignalRequest {
                kind,
                title,
                body,
                reference,
                cves,
                cvss,
                product,
                versions,
                received_at,
            }
            .parse(Spelling::Flags, ctx.now)?;
            let (store, actor) = ctx.store_as().await?;
            let signal = store.record_signal(&actor, new, ctx.now).await?;
            ctx.out.emit(&signal, || {
                format!("signal {} recorded: {}", signal.id, signal.title)
            })
        }
        SecurityCmd::Triage {
            subject,
            outcome,
            exploitability,
            reachability,
            harm,
            rationale,
            justification,
            action,
            remediation,
        } => {
            let input = SecurityTriageRequest {
                outcome,
                exploitability,
                reachability,
                harm,
                rationale,
                justification,
                action,
                remediation,
            }
            .parse(Spelling::Flags)?;
            let (store, actor) = ctx.store_as().await?;
            let done = store
                .triage_signal(&actor, subject.subject(), input, ctx.now)
                .await?;
            ctx.out.emit(&done, || {
                let mut text = format!(
                    "{} triaged: {} (criteria recommend {})",
                    subject.subject(),
                    done.triage.outcome,
                    done.triage.recommended
                );
                if let Some(p) = &done.problem {
                    text.push_str(&format!("\nsoftware problem report {} opened", p.id));
                }
                if let Some(case) = done.vigilance_case {
                    text.push_str(&format!("\nvigilance case {case} opened"));
                }
                text
            })
        }
        SecurityCmd::Show { subject, as_of: at } => {
            let at = as_of(ctx, at)?;
            let store = ctx.store().await?;
            let subject = subject.subject();
            let item = store.security_item(subject, at).await?;
            let history = store.triage_history(subject).await?;
            ctx.out
                .emit(&json!({"item": item, "history": history}), || {
                    let mut text = format!(
                        "{}: {}\nseverity {} {}\n{} devices run {} {}\nresponse: {}",
                        item.subject,
                        item.title,
                        item.assessment.rating,
                        item.assessment.vector.as_deref().unwrap_or(""),
                        item.devices,
                        item.product.as_deref().unwrap_or("-"),
                        item.versions.join(", "),
                        item.response.state
                    );
                    for t in &history {
                        text.push_str(&format!(
                            "\n{} {} by {}: {} ({})",
                            t.decided_at, t.outcome, t.decided_by, t.rationale, t.recommended
                        ));
                    }
                    text
                })
        }
        SecurityCmd::Problems => {
            let store = ctx.store().await?;
            let reports = store.problem_reports().await?;
            ctx.out.emit(&json!({"problem_reports": reports}), || {
                let rows: Vec<Vec<String>> = reports
                    .iter()
                    .map(|p| {
                        vec![
                            p.id.to_string(),
                            if p.critical { "patch" } else { "" }.to_owned(),
                            p.rating.to_string(),
                            p.origin.clone(),
                            p.title.clone(),
                        ]
                    })
                    .collect();
                table(&["id", "", "severity", "origin", "title"], &rows)
            })
        }
        SecurityCmd::Drill(cmd) => drill(ctx, cmd).await,
        SecurityCmd::Advisory {
            finding,
            verify,
            references,
            format,
            out,
        } => {
            if !["html", "csaf"].contains(&format.as_str()) {
                return Err(
                    Invalid::new("--format", format!("{format:?}: expected html or csaf")).into(),
                );
            }
            let store = ctx.store().await?;
            let advisory = store.customer_advisory(finding, verify, references).await?;
            let text = if format == "html" {
                vigilo_vex::advisory_html(&advisory)?
            } else {
                let csaf = Schema::Csaf20.check(vigilo_vex::csaf_advisory(&advisory)?)?;
                serde_json::to_string_pretty(&csaf)?
            };
            let summary = json!({"format": format, "id": advisory.id, "cve": advisory.cve,
                                 "affected": advisory.affected[0].versions,
                                 "fixed_in": advisory.affected[0].fixed_in});
            deliver(ctx, text, out, summary)
        }
    }
}
