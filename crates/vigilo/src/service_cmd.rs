//! Service and support commands (SPEC §5): `ticket`, `intake mail`, `config`, `service`,
//! `trace`, `maintenance due` and `training matrix`.

use crate::Ctx;
use crate::output::{local, opt, table};
use clap::Subcommand;
use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde_json::json;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use vigilo_registry::input::{self, Invalid};
use vigilo_registry::{Device, DeviceScope};
use vigilo_service::{Channel, Correction, Reportability, ServiceOutcome, TicketClass};
use vigilo_store::Store;
use vigilo_store::requests::{ServiceRequest, Spelling, TicketRequest};
use vigilo_store::service::{DeviceKey, NewServiceEvent, PartUse};
use vigilo_store::tickets::{ComplaintUpdate, Lookup, NewAttachment, NewTicket, TicketView};

fn reference_year(ctx: &Ctx) -> i16 {
    ctx.now.to_zoned(TimeZone::UTC).year()
}

/// The device a ticket names, or `None` (kept as "device unidentified") when nothing matches.
async fn ticket_device(
    ctx: &Ctx,
    store: &Store,
    field: &str,
    value: &str,
    product: Option<&str>,
) -> anyhow::Result<Option<Device>> {
    Ok(
        match store
            .lookup_device(field, value, product, reference_year(ctx))
            .await?
        {
            Lookup::One(d) => Some(d),
            Lookup::Nothing | Lookup::Several(_) => None,
        },
    )
}

fn ticket_line(v: &TicketView, zone: &TimeZone) -> Vec<String> {
    vec![
        v.ticket.id.to_string(),
        v.state.as_str().to_owned(),
        v.ticket
            .classification
            .map_or("-".to_owned(), |c| c.to_string()),
        match (&v.serial, &v.ticket.device_hint) {
            (Some(s), _) => s.clone(),
            (None, Some(h)) => format!("unidentified ({h})"),
            (None, None) => "unidentified".to_owned(),
        },
        v.ticket.channel.to_string(),
        local(v.ticket.received_at, zone),
        v.triage_minutes_left.map_or("-".to_owned(), |m| {
            vigilo_service::triage::format_left(jiff::SignedDuration::from_mins(m))
        }),
        v.vigilance_case
            .map_or("-".to_owned(), |c| format!("case {c}")),
        v.ticket.summary.clone(),
    ]
}

fn ticket_table(views: &[TicketView], zone: &TimeZone) -> String {
    let rows: Vec<Vec<String>> = views.iter().map(|v| ticket_line(v, zone)).collect();
    table(
        &[
            "id",
            "state",
            "class",
            "device",
            "channel",
            "received",
            "triage",
            "vigilance",
            "summary",
        ],
        &rows,
    )
}

#[derive(Subcommand)]
pub enum TicketCmd {
    /// Record an inbound contact. An unknown serial is kept, flagged "device unidentified".
    Open {
        #[arg(long, required_unless_present = "udi", conflicts_with = "udi")]
        serial: Option<String>,
        /// A scanned GS1 UDI string instead of the serial.
        #[arg(long)]
        udi: Option<String>,
        #[arg(long)]
        product: Option<String>,
        /// email, phone, portal, partner or field.
        #[arg(long)]
        channel: String,
        #[arg(long, value_name = "INSTANT")]
        received_at: String,
        #[arg(long)]
        summary: String,
        #[arg(long)]
        description: Option<String>,
        /// Who reported it (name, e-mail, phone).
        #[arg(long)]
        reporter: Option<String>,
    },
    /// The intake queue: open tickets, overdue first.
    List {
        /// List as of this instant instead of now (reproducible listings).
        #[arg(long, value_name = "INSTANT")]
        as_of: Option<String>,
        /// Include closed tickets.
        #[arg(long)]
        all: bool,
    },
    Show {
        id: i64,
    },
    /// Write an attachment's bytes (numbered from 1 as `ticket show` lists them) to a file, or
    /// to standard output.
    Attachment {
        id: i64,
        number: usize,
        /// Write here instead of to standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Classify: complaint, service or information, with the reason.
    Triage {
        id: i64,
        #[arg(long)]
        class: String,
        #[arg(long)]
        reason: String,
    },
    /// Link an unidentified ticket to its device.
    SetDevice {
        id: i64,
        #[arg(long)]
        serial: String,
        #[arg(long)]
        product: Option<String>,
    },
    /// The complaint record (ISO 13485 8.2.2): investigation and decisions.
    Complaint {
        id: i64,
        #[arg(long)]
        investigation: Option<String>,
        /// reportable or not-reportable.
        #[arg(long, requires = "reportability_rationale")]
        reportability: Option<String>,
        #[arg(long, requires = "reportability")]
        reportability_rationale: Option<String>,
        /// none, correction or capa.
        #[arg(long, requires = "correction_rationale")]
        correction: Option<String>,
        #[arg(long, requires = "correction")]
        correction_rationale: Option<String>,
        /// The CAPA's reference in the quality system.
        #[arg(long)]
        capa: Option<String>,
    },
    /// Close a triaged ticket (a complaint only with its record complete).
    Close {
        id: i64,
    },
    /// Flag a suspected serious incident: opens a vigilance case.
    FlagSerious {
        id: i64,
        #[arg(long, value_name = "INSTANT")]
        aware_at: String,
    },
    /// Give the ticket IMDRF codes (Annex A device problem, E/F health effects, G component):
    /// what trends per problem code and the PSUR count.
    Code {
        id: i64,
        /// An IMDRF AET code; its letter names the annex (repeatable).
        #[arg(long = "imdrf", required = true)]
        codes: Vec<String>,
    },
    /// Import a legacy help-desk export (CSV): all rows or none.
    Import {
        file: PathBuf,
    },
}

pub async fn ticket(ctx: &Ctx, cmd: TicketCmd) -> anyhow::Result<()> {
    match cmd {
        TicketCmd::Open {
            serial,
            udi,
            product,
            channel,
            received_at,
            summary,
            description,
            reporter,
        } => {
            let input = TicketRequest {
                serial,
                udi,
                product,
                channel,
                received_at: Some(received_at),
                summary,
                description,
                reporter,
            }
            .parse(Spelling::Flags, ctx.now)?;
            let (store, actor) = ctx.store_as().await?;
            let d = &input.device;
            let device =
                ticket_device(ctx, &store, &d.field, &d.value, d.product.as_deref()).await?;
            let new = input.ticket(device);
            let view = store.open_ticket(&actor, new, ctx.now).await?;
            let zone = ctx.zone(&store).await?;
            ctx.out.emit(&view, || {
                let device = match &view.serial {
                    Some(s) => format!("device {s}"),
                    None => "device unidentified".to_owned(),
                };
                format!(
                    "opened ticket {} ({device}); triage due {}",
                    view.ticket.id,
                    local(view.ticket.triage_due, &zone)
                )
            })
        }
        TicketCmd::List { as_of, all } => {
            let as_of = match as_of {
                Some(t) => input::instant("--as-of", &t)?,
                None => ctx.now,
            };
            let store = ctx.store().await?;
            let scope = scope_of(ctx, &store).await?;
            let views = store.tickets(&scope, as_of, all).await?;
            let zone = ctx.zone(&store).await?;
            let overdue = views
                .iter()
                .filter(|v| v.state == vigilo_service::triage::TriageState::Overdue)
                .count();
            ctx.out.emit(
                &json!({"as_of": as_of, "overdue": overdue, "tickets": views}),
                || ticket_table(&views, &zone),
            )
        }
        TicketCmd::Attachment { id, number, out } => {
            // Under --json a script reads one JSON object from standard output, not bytes.
            if ctx.out.json && out.is_none() {
                return Err(Invalid::new(
                    "--out",
                    "with --json, give --out FILE for the attachment's bytes (the JSON then describes what was written)",
                )
                .into());
            }
            let store = ctx.store().await?;
            let (attachment, content) = store.attachment(id, number).await?;
            crate::output::deliver(ctx, &content, out, json!(attachment))
        }
        TicketCmd::Show { id } => {
            let store = ctx.store().await?;
            let detail = store.ticket_detail(id, ctx.now).await?;
            let zone = ctx.zone(&store).await?;
            ctx.out.emit(&detail, || {
                let t = &detail.view.ticket;
                let mut s = ticket_table(std::slice::from_ref(&detail.view), &zone);
                if let Some(d) = &t.description {
                    s.push_str(&format!("\n{d}\n"));
                }
                for (n, a) in t.attachments.iter().enumerate() {
                    s.push_str(&format!(
                        "attachment {}: {} ({}, {} bytes)\n",
                        n + 1,
                        a.name,
                        a.content_type,
                        a.size
                    ));
                }
                if let Some(c) = &detail.complaint {
                    s.push_str(&format!(
                        "\ncomplaint: investigation {}; reportability {} ({}); correction {} ({}); CAPA {}\n",
                        opt(&c.investigation),
                        opt(&c.reportability),
                        opt(&c.reportability_rationale),
                        opt(&c.correction),
                        opt(&c.correction_rationale),
                        opt(&c.capa_ref)
                    ));
                }
                if !detail.missing_for_closure.is_empty() {
                    s.push_str(&format!(
                        "to close: {}\n",
                        detail.missing_for_closure.join(", ")
                    ));
                }
                s
            })
        }
        TicketCmd::Triage { id, class, reason } => {
            let class = TicketClass::parse("--class", &class)?;
            let reason = input::text("--reason", &reason)?;
            let (store, actor) = ctx.store_as().await?;
            let view = store
                .triage_ticket(&actor, id, class, reason, ctx.now)
                .await?;
            ctx.out
                .emit(&view, || format!("ticket {id} triaged as {class}"))
        }
        TicketCmd::SetDevice {
            id,
            serial,
            product,
        } => {
            let (store, actor) = ctx.store_as().await?;
            let device = store
                .find_device("--serial", &serial, product.as_deref(), reference_year(ctx))
                .await?;
            let view = store
                .set_ticket_device(&actor, id, &device, ctx.now)
                .await?;
            ctx.out.emit(&view, || {
                format!("ticket {id} is about device {}", device.serial)
            })
        }
        TicketCmd::Complaint {
            id,
            investigation,
            reportability,
            reportability_rationale,
            correction,
            correction_rationale,
            capa,
        } => {
            let text = |f: &str, v: Option<String>| v.map(|v| input::text(f, &v)).transpose();
            let update = ComplaintUpdate {
                investigation: text("--investigation", investigation)?,
                reportability: match (reportability, reportability_rationale) {
                    (Some(r), Some(why)) => Some((
                        Reportability::parse("--reportability", &r)?,
                        input::text("--reportability-rationale", &why)?,
                    )),
                    _ => None,
                },
                correction: match (correction, correction_rationale) {
                    (Some(c), Some(why)) => Some((
                        Correction::parse("--correction", &c)?,
                        input::text("--correction-rationale", &why)?,
                    )),
                    _ => None,
                },
                capa_ref: capa.map(|c| input::label("--capa", &c)).transpose()?,
            };
            let (store, actor) = ctx.store_as().await?;
            let detail = store.update_complaint(&actor, id, update, ctx.now).await?;
            ctx.out.emit(&detail, || {
                if detail.missing_for_closure.is_empty() {
                    format!("complaint {id} recorded; it may be closed")
                } else {
                    format!(
                        "complaint {id} recorded; to close it still needs {}",
                        detail.missing_for_closure.join(", ")
                    )
                }
            })
        }
        TicketCmd::Close { id } => {
            let (store, actor) = ctx.store_as().await?;
            let view = store.close_ticket(&actor, id, ctx.now).await?;
            ctx.out.emit(&view, || format!("ticket {id} closed"))
        }
        TicketCmd::FlagSerious { id, aware_at } => {
            let aware_at = input::instant("--aware-at", &aware_at)?;
            let (store, actor) = ctx.store_as().await?;
            let (case, opened) = store.flag_serious(&actor, id, aware_at, ctx.now).await?;
            ctx.out.emit(
                &json!({"case": case, "opened": opened, "id": case.id}),
                || {
                    if opened {
                        format!(
                            "vigilance case {} opened for ticket {id}; aware at {}",
                            case.id, case.aware_at
                        )
                    } else {
                        format!(
                            "ticket {id} is already flagged: vigilance case {} (aware at {})",
                            case.id, case.aware_at
                        )
                    }
                },
            )
        }
        TicketCmd::Code { id, codes } => {
            let codes = codes
                .into_iter()
                .map(|c| {
                    let annex = c.trim().get(..1).unwrap_or("").parse().map_err(|_| {
                        Invalid::new(
                            "--imdrf",
                            format!("{c:?} is not an IMDRF code: expected a letter A–G and digits, e.g. A0705"),
                        )
                    })?;
                    Ok((annex, c))
                })
                .collect::<anyhow::Result<Vec<_>>>()?;
            let (store, actor) = ctx.store_as().await?;
            let all = store.code_ticket(&actor, id, &codes, ctx.now).await?;
            ctx.out.emit(&json!({"ticket": id, "codes": all}), || {
                let list: Vec<String> = all.iter().map(|c| c.code.clone()).collect();
                format!("ticket {id}: IMDRF {}", list.join(", "))
            })
        }
        TicketCmd::Import { file } => import_tickets(ctx, &file).await,
    }
}

async fn scope_of(ctx: &Ctx, store: &Store) -> anyhow::Result<DeviceScope> {
    match &ctx.as_person {
        Some(p) => {
            let person = store.actor(p).await?.person;
            Ok(store.device_scope(&person, ctx.today(store).await?).await?)
        }
        None => Ok(DeviceScope::All),
    }
}

fn digest(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0]);
    }
    format!("{:x}", h.finalize())
}

async fn import_tickets(ctx: &Ctx, file: &Path) -> anyhow::Result<()> {
    let name = file.display().to_string();
    let read =
        vigilo_intake::read_ticket_csv(file).map_err(|e| Invalid::new(&name, e.to_string()))?;
    if !read.errors.is_empty() {
        let lines: Vec<String> = read.errors.iter().map(ToString::to_string).collect();
        return Err(Invalid::new(
            &name,
            format!(
                "{} bad rows, nothing imported:\n  {}",
                lines.len(),
                lines.join("\n  ")
            ),
        )
        .into());
    }
    let (store, actor) = ctx.store_as().await?;
    let mut items = Vec::with_capacity(read.tickets.len());
    for t in read.tickets {
        let place = format!("{name} line {}", t.line);
        let (field, given) = match (&t.udi, &t.serial) {
            (Some(u), _) => ("column udi", Some(u.clone())),
            (None, Some(s)) => ("column serial", Some(s.clone())),
            (None, None) => ("column serial", None),
        };
        let device = match &given {
            Some(g) => ticket_device(ctx, &store, field, g, None)
                .await
                .map_err(|e| anyhow::anyhow!("{place}: {e}"))?,
            None => None,
        };
        // Without the legacy system's ticket number, the row's own content identifies it, so a
        // re-import still adds nothing twice.
        let source_ref = match &t.external_id {
            Some(x) => format!("csv:{x}"),
            None => format!(
                "csv-row:{}",
                digest(&[
                    &t.received_at.to_string(),
                    t.channel.as_str(),
                    given.as_deref().unwrap_or(""),
                    &t.summary
                ])
            ),
        };
        items.push((
            place,
            NewTicket {
                channel: t.channel,
                received_at: t.received_at,
                reporter: t.reporter,
                device,
                device_hint: given,
                summary: t.summary,
                description: None,
                attachments: Vec::new(),
                source_ref: Some(source_ref),
            },
        ));
    }
    import_ticket_items(ctx, &store, &actor, &name, items, "ticket import").await
}

async fn import_ticket_items(
    ctx: &Ctx,
    store: &Store,
    actor: &vigilo_store::registry::Actor,
    source: &str,
    items: Vec<(String, NewTicket)>,
    label: &str,
) -> anyhow::Result<()> {
    let unidentified = items.iter().filter(|(_, t)| t.device.is_none()).count();
    let summary = crate::csv_rows::import_with_progress(ctx, label, items, async |items, done| {
        store.import_tickets(actor, items, ctx.now, done).await
    })
    .await?;
    ctx.out.emit(
        &json!({"source": source, "added": summary.added, "unchanged": summary.unchanged,
                "device_unidentified": unidentified}),
        || {
            format!(
                "{source}: {} tickets opened, {} already imported; {unidentified} with the device unidentified",
                summary.added, summary.unchanged
            )
        },
    )
}

#[derive(Subcommand)]
pub enum IntakeCmd {
    /// Read e-mail (an .eml file, a directory of them, an mbox or a Maildir): one ticket per
    /// message, idempotent by Message-ID.
    Mail { path: PathBuf },
}

pub async fn intake(ctx: &Ctx, cmd: IntakeCmd) -> anyhow::Result<()> {
    let IntakeCmd::Mail { path } = cmd;
    let name = path.display().to_string();
    let messages =
        vigilo_intake::read_mail(&path).map_err(|e| Invalid::new(&name, e.to_string()))?;
    let (store, actor) = ctx.store_as().await?;
    let mut items = Vec::with_capacity(messages.len());
    let mut errors = Vec::new();
    for m in messages {
        let m = match m {
            Ok(m) => m,
            Err(e) => {
                errors.push(e.to_string());
                continue;
            }
        };
        let ids =
            vigilo_intake::device_identifiers(m.subject.as_deref().unwrap_or(""), &m.body_text);
        let mut device = None;
        for id in &ids {
            let text = match id {
                vigilo_intake::Identifier::Udi(s) | vigilo_intake::Identifier::Serial(s) => s,
            };
            // A mistyped UDI in a customer's mail is not bad input to Vigilo: try the next one.
            if let Ok(Lookup::One(d)) = store
                .lookup_device("mail", text, None, reference_year(ctx))
                .await
            {
                device = Some(d);
                break;
            }
        }
        let hint = ids.first().map(|id| match id {
            vigilo_intake::Identifier::Udi(s) => format!("UDI {s}"),
            vigilo_intake::Identifier::Serial(s) => format!("serial {s}"),
        });
        // A sender's clock may run ahead of ours; a mail is never received in the future.
        let received_at = m.date.unwrap_or(ctx.now).min(ctx.now);
        items.push((
            m.place.clone(),
            NewTicket {
                channel: Channel::Email,
                received_at,
                reporter: m.from,
                device,
                device_hint: hint.or_else(|| Some("no serial or UDI in the message".into())),
                summary: m
                    .subject
                    .filter(|s| !s.trim().is_empty())
                    .unwrap_or_else(|| "(no subject)".into()),
                description: Some(m.body_text).filter(|b| !b.trim().is_empty()),
                attachments: m
                    .attachments
                    .into_iter()
                    .map(|a| NewAttachment {
                        name: a.name.unwrap_or_else(|| "(unnamed)".into()),
                        content_type: a.content_type,
                        content: a.content,
                    })
                    .collect(),
                source_ref: Some(format!("mail:{}", m.message_id)),
            },
        ));
    }
    if !errors.is_empty() {
        return Err(Invalid::new(
            &name,
            format!(
                "{} messages cannot be read, nothing imported:\n  {}",
                errors.len(),
                errors.join("\n  ")
            ),
        )
        .into());
    }
    import_ticket_items(ctx, &store, &actor, &name, items, "mail intake").await
}

#[derive(Subcommand)]
pub enum ConfigCmd {
    /// Set an organisation setting: triage-hours N.
    Set {
        name: String,
        value: String,
    },
    List,
}

pub async fn config(ctx: &Ctx, cmd: ConfigCmd) -> anyhow::Result<()> {
    match cmd {
        ConfigCmd::Set { name, value } => {
            let (store, actor) = ctx.store_as().await?;
            let s = store.set_setting(&actor, &name, &value, ctx.now).await?;
            ctx.out.emit(&s, || format!("{} = {}", s.id, s.value))
        }
        ConfigCmd::List => {
            let settings = ctx.store().await?.settings().await?;
            ctx.out.emit(&json!({"settings": settings}), || {
                let rows: Vec<Vec<String>> = settings
                    .iter()
                    .map(|s| vec![s.id.clone(), s.value.clone()])
                    .collect();
                table(&["setting", "value"], &rows)
            })
        }
    }
}

#[derive(Subcommand)]
pub enum ServiceCmd {
    /// Record a service event; refused unless the technician is authorised at its instant.
    Record {
        #[arg(long)]
        serial: String,
        #[arg(long)]
        product: Option<String>,
        #[arg(long = "type")]
        event_type: String,
        #[arg(long)]
        technician: String,
        #[arg(long, value_name = "INSTANT")]
        at: String,
        /// PART:LOT[:QTY], repeatable.
        #[arg(long = "part")]
        parts: Vec<String>,
        /// pass, fail or incomplete.
        #[arg(long)]
        outcome: String,
        #[arg(long)]
        ticket: Option<i64>,
        /// The software version installed by this event.
        #[arg(long)]
        software_after: Option<String>,
        #[arg(long)]
        findings: Option<String>,
    },
    /// Record a file of service events (CSV) in one transaction: all or none.
    Import { file: PathBuf },
    /// Service events of the last days (default 90): serial, engineer, parts, outcome.
    List {
        #[arg(long, default_value_t = 90)]
        days: i64,
        #[arg(long, value_name = "INSTANT")]
        as_of: Option<String>,
        /// At most this many events, newest first.
        #[arg(long)]
        limit: Option<i64>,
    },
}

const SERVICE_COLUMNS: [&str; 11] = [
    "ref",
    "serial",
    "product",
    "type",
    "technician",
    "performed_at",
    "outcome",
    "parts",
    "ticket",
    "software_after",
    "findings",
];

fn service_from_row(
    headers: &csv::StringRecord,
    row: &csv::StringRecord,
) -> Result<NewServiceEvent, Invalid> {
    let mut get = std::collections::HashMap::new();
    for (name, value) in headers.iter().zip(row.iter()) {
        if !value.trim().is_empty() {
            get.insert(name, value.trim());
        }
    }
    let required = |c: &str| {
        get.get(c)
            .copied()
            .ok_or_else(|| Invalid::new(format!("column {c}"), "is empty"))
    };
    let field = |c: &str| format!("column {c}");
    let mut parts = Vec::new();
    if let Some(list) = get.get("parts") {
        for p in list.split(';').filter(|p| !p.trim().is_empty()) {
            parts.push(PartUse::parse(&field("parts"), p)?);
        }
    }
    Ok(NewServiceEvent {
        device: DeviceKey::Serial {
            serial: input::label(&field("serial"), required("serial")?)?,
            product: get
                .get("product")
                .map(|p| input::identifier(&field("product"), p))
                .transpose()?,
        },
        event_type: input::identifier(&field("type"), required("type")?)?,
        technician: input::identifier(&field("technician"), required("technician")?)?,
        performed_at: input::instant(&field("performed_at"), required("performed_at")?)?,
        parts,
        outcome: ServiceOutcome::parse(&field("outcome"), required("outcome")?)?,
        ticket: get
            .get("ticket")
            .map(|t| input::count(&field("ticket"), t, 1))
            .transpose()?,
        software_after: get
            .get("software_after")
            .map(|v| input::label(&field("software_after"), v))
            .transpose()?,
        findings: get
            .get("findings")
            .map(|v| input::text(&field("findings"), v))
            .transpose()?,
        source_ref: get
            .get("ref")
            .map(|v| input::label(&field("ref"), v))
            .transpose()?,
    })
}

pub async fn service(ctx: &Ctx, cmd: ServiceCmd) -> anyhow::Result<()> {
    match cmd {
        ServiceCmd::Record {
            serial,
            product,
            event_type,
            technician,
            at,
            parts,
            outcome,
            ticket,
            software_after,
            findings,
        } => {
            let input = ServiceRequest {
                serial: Some(serial),
                udi: None,
                product,
                event_type,
                technician,
                performed_at: at,
                parts,
                outcome,
                ticket: ticket.map(|t| t.to_string()),
                software_after,
                findings,
            }
            .parse(Spelling::Flags)
            // SPEC §5 spells the instant `--at` on the command line.
            .map_err(|e| match e.field.as_str() {
                "--performed-at" => Invalid::new("--at", e.problem),
                _ => e,
            })?;
            let (store, actor) = ctx.store_as().await?;
            let d = &input.device;
            let device = store
                .find_device(
                    &d.field,
                    &d.value,
                    d.product.as_deref(),
                    reference_year(ctx),
                )
                .await?;
            let new = input.event(device);
            let record = store.record_service(&actor, new, ctx.now).await?;
            ctx.out.emit(&record, || {
                format!(
                    "recorded service event {}: {} on {} by {} under {} v{} ({})",
                    record.event.id,
                    record.event.event_type,
                    record.serial,
                    record.event.technician,
                    record.event.procedure_id,
                    record.event.procedure_version,
                    record.event.outcome
                )
            })
        }
        ServiceCmd::Import { file } => {
            let items = crate::csv_rows::read(
                &file,
                &SERVICE_COLUMNS,
                &["serial", "type", "technician", "performed_at", "outcome"],
                service_from_row,
            )?;
            let (store, actor) = ctx.store_as().await?;
            let summary = crate::csv_rows::import_with_progress(
                ctx,
                "service import",
                items,
                async |items, done| {
                    store
                        .import_service_events(&actor, items, ctx.now, done)
                        .await
                },
            )
            .await?;
            crate::csv_rows::emit_summary(
                ctx,
                &file,
                &summary,
                "service events recorded",
                "already recorded",
            )
        }
        ServiceCmd::List { days, as_of, limit } => {
            let as_of = match as_of {
                Some(t) => input::instant("--as-of", &t)?,
                None => ctx.now,
            };
            let since = as_of
                .checked_sub(jiff::SignedDuration::from_hours(24 * days.max(0)))
                .unwrap_or(Timestamp::MIN);
            let store = ctx.store().await?;
            let scope = scope_of(ctx, &store).await?;
            let (events, total) = store.recent_service(since, &scope, limit).await?;
            let zone = ctx.zone(&store).await?;
            ctx.out.emit(
                &json!({"since": since, "as_of": as_of, "total": total, "events": events}),
                || {
                    let rows: Vec<Vec<String>> = events
                        .iter()
                        .map(|e| {
                            vec![
                                e.id.to_string(),
                                local(e.performed_at, &zone),
                                e.serial.clone(),
                                e.event_type.clone(),
                                e.technician.clone(),
                                parts_text(&e.parts),
                                e.outcome.to_string(),
                            ]
                        })
                        .collect();
                    table(
                        &[
                            "id",
                            "performed",
                            "serial",
                            "type",
                            "engineer",
                            "parts",
                            "outcome",
                        ],
                        &rows,
                    )
                },
            )
        }
    }
}

fn parts_text(parts: &[vigilo_store::service::PartRef]) -> String {
    let items: Vec<String> = parts
        .iter()
        .map(|p| format!("{}:{}×{}", p.part, p.lot, p.qty))
        .collect();
    items.join(" ")
}

#[derive(Subcommand)]
pub enum TraceCmd {
    /// Forward: every device that received parts of this lot.
    Lot {
        lot: String,
        #[arg(long)]
        part: Option<String>,
    },
    /// Backward: every event, lot, technician and procedure version of a device.
    Device {
        serial: String,
        #[arg(long)]
        product: Option<String>,
    },
}

pub async fn trace(ctx: &Ctx, cmd: TraceCmd) -> anyhow::Result<()> {
    let store = ctx.store().await?;
    let zone = ctx.zone(&store).await?;
    match cmd {
        TraceCmd::Lot { lot, part } => {
            let lot = store.resolve_lot(&lot, part.as_deref()).await?;
            let trace = store.trace_lot(&lot).await?;
            ctx.out.emit(&trace, || {
                let rows: Vec<Vec<String>> = trace
                    .devices
                    .iter()
                    .map(|d| {
                        vec![
                            d.serial.clone(),
                            d.country.clone(),
                            d.event.to_string(),
                            d.event_type.clone(),
                            local(d.performed_at, &zone),
                            d.qty.to_string(),
                        ]
                    })
                    .collect();
                format!(
                    "lot {} of part {} ({}; {} of {} issued)\n{}",
                    trace.lot,
                    trace.part,
                    trace.status,
                    trace.quantity_issued,
                    trace.quantity_received,
                    table(
                        &["serial", "country", "event", "type", "performed", "qty"],
                        &rows
                    )
                )
            })
        }
        TraceCmd::Device { serial, product } => {
            let device = store
                .find_device("SERIAL", &serial, product.as_deref(), reference_year(ctx))
                .await?;
            let trace = store.trace_device(&device).await?;
            ctx.out.emit(&trace, || {
                let rows: Vec<Vec<String>> = trace
                    .events
                    .iter()
                    .map(|e| {
                        vec![
                            e.id.to_string(),
                            local(e.performed_at, &zone),
                            e.event_type.clone(),
                            e.technician.clone(),
                            format!("{} v{}", e.procedure, e.procedure_version),
                            parts_text(&e.parts),
                            e.outcome.to_string(),
                        ]
                    })
                    .collect();
                format!(
                    "device {} ({}, {})\n{}",
                    trace.serial,
                    trace.product,
                    trace.country.as_str(),
                    table(
                        &[
                            "event",
                            "performed",
                            "type",
                            "technician",
                            "procedure",
                            "parts",
                            "outcome"
                        ],
                        &rows
                    )
                )
            })
        }
    }
}

#[derive(Subcommand)]
pub enum MaintenanceCmd {
    /// Devices due or overdue for the events of their product's IFU schedule.
    Due {
        /// The day to list as of (default today in the organisation's time zone).
        #[arg(long, value_name = "DATE")]
        as_of: Option<String>,
        /// Also list what falls due within this many days.
        #[arg(long, default_value_t = 30)]
        within: i32,
        #[arg(long)]
        product: Option<String>,
    },
}

pub async fn maintenance(ctx: &Ctx, cmd: MaintenanceCmd) -> anyhow::Result<()> {
    let MaintenanceCmd::Due {
        as_of,
        within,
        product,
    } = cmd;
    let store = ctx.store().await?;
    let as_of = match as_of {
        Some(d) => input::date("--as-of", &d)?,
        None => ctx.today(&store).await?,
    };
    if !(0..=3650).contains(&within) {
        return Err(Invalid::new("--within", "expected a number of days from 0 to 3650").into());
    }
    let scope = scope_of(ctx, &store).await?;
    let due = store
        .maintenance_due(as_of, within, product.as_deref(), &scope)
        .await?;
    let overdue = due
        .iter()
        .filter(|d| d.status == vigilo_service::maintenance::DueStatus::Overdue)
        .count();
    ctx.out.emit(
        &json!({"as_of": as_of, "within_days": within, "overdue": overdue, "due": due}),
        || {
            let rows: Vec<Vec<String>> = due
                .iter()
                .map(|d| {
                    vec![
                        d.serial.clone(),
                        d.product.clone(),
                        d.country.as_str().to_owned(),
                        d.event_type.clone(),
                        opt(&d.last_done),
                        opt(&d.due_on),
                        match d.status {
                            vigilo_service::maintenance::DueStatus::Overdue => "overdue",
                            vigilo_service::maintenance::DueStatus::Due => "due",
                        }
                        .to_owned(),
                        opt(&d.customer),
                    ]
                })
                .collect();
            table(
                &[
                    "serial",
                    "product",
                    "country",
                    "event",
                    "last done",
                    "due",
                    "status",
                    "customer",
                ],
                &rows,
            )
        },
    )
}

pub async fn training_matrix(ctx: &Ctx, as_of: Option<String>) -> anyhow::Result<()> {
    let store = ctx.store().await?;
    let day = match as_of {
        Some(d) => input::date("--as-of", &d)?,
        None => ctx.today(&store).await?,
    };
    let matrix = store.training_matrix(day).await?;
    ctx.out.emit(&json!({"as_of": day, "matrix": matrix}), || {
        let rows: Vec<Vec<String>> = matrix
            .iter()
            .map(|m| {
                vec![
                    m.person.clone(),
                    m.org.clone(),
                    m.event_type.clone(),
                    if m.authorised { "yes" } else { "no" }.to_owned(),
                    match (&m.procedure, &m.procedure_version) {
                        (Some(p), Some(v)) => format!("{p} v{v}"),
                        _ => "-".to_owned(),
                    },
                    opt(&m.until),
                    m.countries.as_ref().map_or("all".to_owned(), |cs| {
                        cs.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(",")
                    }),
                    opt(&m.missing),
                ]
            })
            .collect();
        table(
            &[
                "person",
                "org",
                "event",
                "may",
                "procedure",
                "until",
                "countries",
                "missing",
            ],
            &rows,
        )
    })
}
