//! Vigilance commands (SPEC §3.3, §5): `vigilance`, `holidays` and `fsca`.

use crate::Ctx;
use crate::output::{local, opt, table};
use anyhow::Context;
use clap::Subcommand;
use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde_json::json;
use std::path::{Path, PathBuf};
use vigilo_registry::input::{self, Invalid};
use vigilo_store::requests::{
    DecideRequest, DetailsRequest, DraftFormat, DraftRequest, FscaAckRequest, FscaRequest,
    ReportRequest, Spelling,
};
use vigilo_vigilance::CaseStatus;

#[derive(Subcommand)]
pub enum VigilanceCmd {
    /// Cases with their deadlines (the strictest until decided), escalation breaches and late
    /// reports.
    List {
        #[arg(long, value_name = "INSTANT")]
        as_of: Option<String>,
        /// Include closed cases (final report in, or not reportable).
        #[arg(long)]
        all: bool,
    },
    Show {
        id: i64,
        #[arg(long, value_name = "INSTANT")]
        as_of: Option<String>,
    },
    /// Take the case as vigilance officer (ends the 24-hour escalation).
    Acknowledge { id: i64 },
    /// Decide the reporting category with its rationale ("not-reportable" is a decision too).
    Decide {
        id: i64,
        /// serious-public-health-threat, death-or-unanticipated-serious-deterioration,
        /// serious-incident, mdr-30-day, mdr-5-day or not-reportable.
        #[arg(long)]
        category: String,
        #[arg(long)]
        rationale: String,
        /// When the manufacturer became aware that the incident is reportable (for a case
        /// earlier judged not reportable; its clock runs from here).
        #[arg(long, value_name = "INSTANT")]
        reportability_aware_at: Option<String>,
    },
    /// Record a report submitted to an authority.
    Report {
        id: i64,
        /// initial, follow-up, initial-final or final.
        #[arg(long)]
        kind: String,
        #[arg(long, value_name = "INSTANT")]
        submitted_at: String,
        /// EU or US (default: the decided category's market, else the device's).
        #[arg(long)]
        market: Option<String>,
        /// The authority's or the manufacturer's report reference.
        #[arg(long)]
        reference: Option<String>,
    },
    /// Record incident details for the report drafts: a JSON file of fields, and/or codes.
    Details {
        id: i64,
        /// A JSON object with the MIR sections `incident`, `patient`, `investigation` and
        /// `comments`; merged over what is on record, field by field.
        #[arg(long)]
        file: Option<PathBuf>,
        /// IMDRF Annex A device problem code (repeatable).
        #[arg(long = "problem-code")]
        problem_codes: Vec<String>,
        /// IMDRF Annex G component code (repeatable).
        #[arg(long = "component-code")]
        component_codes: Vec<String>,
        /// IMDRF Annex E clinical sign/symptom code (repeatable).
        #[arg(long = "health-effect")]
        health_effects: Vec<String>,
        /// IMDRF Annex F health impact code (repeatable).
        #[arg(long = "health-impact")]
        health_impacts: Vec<String>,
        /// The incident description (MIR 4.1, FDA B5).
        #[arg(long)]
        narrative: Option<String>,
    },
    /// A report draft: the EU MIR as JSON or XML, or the FDA 3500A as JSON, with what is wrong
    /// or still missing.
    Draft {
        id: i64,
        /// mir-json, mir-xml or fda-3500a.
        #[arg(long)]
        format: String,
        /// MIR type of report: initial, follow-up, initial-final or final (default: initial
        /// until an initial report is on record, then follow-up).
        #[arg(long)]
        kind: Option<String>,
        /// Write the draft document to this file instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

pub(crate) fn as_of(ctx: &Ctx, value: Option<String>) -> anyhow::Result<Timestamp> {
    Ok(match value {
        Some(t) => input::instant("--as-of", &t)?,
        None => ctx.now,
    })
}

fn case_lines(cases: &[CaseStatus], zone: &TimeZone) -> String {
    let rows: Vec<Vec<String>> = cases
        .iter()
        .map(|c| {
            let deadlines: Vec<String> = c
                .deadlines
                .iter()
                .map(|d| {
                    format!(
                        "{} {} {}{}",
                        d.market,
                        d.due_date,
                        d.state,
                        if d.decided { "" } else { " (undecided)" }
                    )
                })
                .collect();
            vec![
                c.id.to_string(),
                c.ticket.to_string(),
                opt(&c.country),
                local(c.aware_at, zone),
                c.category.map_or("undecided".to_owned(), |k| k.to_string()),
                if deadlines.is_empty() {
                    "-".to_owned()
                } else {
                    deadlines.join("; ")
                },
                match (&c.escalation.acknowledged_by, c.escalation.breached) {
                    (Some(p), false) => p.clone(),
                    (Some(p), true) => format!("{p} (late)"),
                    (None, true) => "BREACHED".to_owned(),
                    (None, false) => "pending".to_owned(),
                },
            ]
        })
        .collect();
    table(
        &[
            "case",
            "ticket",
            "country",
            "aware",
            "category",
            "deadlines",
            "acknowledged",
        ],
        &rows,
    )
}

fn case_text(c: &CaseStatus, zone: &TimeZone) -> String {
    let mut s = case_lines(std::slice::from_ref(c), zone);
    for d in &c.deadlines {
        s.push_str(&format!(
            "\n{} {}: day 0 {}, calendar due {}, due {} (ends {}), {}",
            d.market,
            d.rule,
            d.awareness_date,
            d.calendar_due_date,
            d.due_date,
            local(d.due_at, zone),
            d.state
        ));
    }
    for d in &c.decisions {
        s.push_str(&format!(
            "\ndecided {} by {} at {}: {}",
            d.category,
            d.decided_by,
            local(d.decided_at, zone),
            d.rationale
        ));
    }
    for r in &c.submissions {
        s.push_str(&format!(
            "\n{} report to {} submitted {}{}",
            r.submission.kind,
            r.submission.market,
            local(r.submission.submitted_at, zone),
            if r.late { " — LATE" } else { "" }
        ));
    }
    s.push('\n');
    s
}

/// A details file, read as the API reads a details request, with the file, line and column on
/// error.
fn details_file(path: &Path) -> anyhow::Result<DetailsRequest> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    Ok(serde_json::from_str(&text).map_err(|e| {
        Invalid::new(
            format!("{} line {} column {}", path.display(), e.line(), e.column()),
            format!("{e}: expected the MIR sections incident, patient, investigation and comments"),
        )
    })?)
}

pub async fn vigilance(ctx: &Ctx, cmd: VigilanceCmd) -> anyhow::Result<()> {
    match cmd {
        VigilanceCmd::List { as_of: at, all } => {
            let at = as_of(ctx, at)?;
            let store = ctx.store().await?;
            let zone = ctx.zone(&store).await?;
            let cases: Vec<CaseStatus> = store
                .case_statuses(at)
                .await?
                .into_iter()
                .filter(|c| all || !c.closed)
                .collect();
            let breaches: Vec<i64> = cases
                .iter()
                .filter(|c| c.escalation.breached)
                .map(|c| c.id)
                .collect();
            let late: Vec<i64> = cases
                .iter()
                .filter(|c| c.submissions.iter().any(|s| s.late))
                .map(|c| c.id)
                .collect();
            let overdue: Vec<i64> = cases
                .iter()
                .filter(|c| {
                    c.deadlines
                        .iter()
                        .any(|d| d.state == vigilo_vigilance::DeadlineState::Overdue)
                })
                .map(|c| c.id)
                .collect();
            ctx.out.emit(
                &json!({"as_of": at, "cases": cases, "escalation_breaches": breaches,
                        "late_reports": late, "overdue": overdue}),
                || {
                    let mut s = case_lines(&cases, &zone);
                    s.push_str(&format!(
                        "escalation breaches: {breaches:?}; overdue: {overdue:?}; late reports: {late:?}\n"
                    ));
                    s
                },
            )
        }
        VigilanceCmd::Show { id, as_of: at } => {
            let at = as_of(ctx, at)?;
            let store = ctx.store().await?;
            let zone = ctx.zone(&store).await?;
            let status = store.case_status(id, at).await?;
            let details = store.case_details(id).await?;
            ctx.out.emit(
                &json!({"case": status, "details": details.map(|d| d.details)}),
                || case_text(&status, &zone),
            )
        }
        VigilanceCmd::Acknowledge { id } => {
            let (store, actor) = ctx.store_as().await?;
            let (ack, new) = store.acknowledge_case(&actor, id, ctx.now).await?;
            ctx.out.emit(&ack, || {
                if new {
                    format!("case {id} acknowledged by {}", ack.person)
                } else {
                    format!(
                        "case {id} was acknowledged already by {} at {}",
                        ack.person, ack.at
                    )
                }
            })
        }
        VigilanceCmd::Decide {
            id,
            category,
            rationale,
            reportability_aware_at,
        } => {
            let d = DecideRequest {
                category,
                rationale,
                reportability_aware_at,
            }
            .parse(Spelling::Flags)?;
            let (store, actor) = ctx.store_as().await?;
            let decision = store
                .decide_case(
                    &actor,
                    id,
                    d.category,
                    &d.rationale,
                    d.reportability_aware_at,
                    ctx.now,
                )
                .await?;
            let status = store.case_status(id, ctx.now).await?;
            let zone = ctx.zone(&store).await?;
            ctx.out.emit(
                &json!({"id": decision.id, "decision": decision, "case": status}),
                || case_text(&status, &zone),
            )
        }
        VigilanceCmd::Report {
            id,
            kind,
            submitted_at,
            market,
            reference,
        } => {
            let r = ReportRequest {
                kind,
                submitted_at,
                market,
                reference,
            }
            .parse(Spelling::Flags)?;
            let (store, actor) = ctx.store_as().await?;
            let submission = store
                .record_submission(
                    &actor,
                    id,
                    r.kind,
                    r.market,
                    r.submitted_at,
                    r.reference.as_deref(),
                    ctx.now,
                )
                .await?;
            let status = store.case_status(id, ctx.now).await?;
            let late = status
                .submissions
                .iter()
                .any(|s| s.submission.id == submission.id && s.late);
            ctx.out.emit(
                &json!({"id": submission.id, "submission": submission, "late": late}),
                || {
                    format!(
                        "{} report for case {id} recorded{}",
                        submission.kind,
                        if late { " — submitted LATE" } else { "" }
                    )
                },
            )
        }
        VigilanceCmd::Details {
            id,
            file,
            problem_codes,
            component_codes,
            health_effects,
            health_impacts,
            narrative,
        } => {
            let (store, actor) = ctx.store_as().await?;
            let current = store
                .case_details(id)
                .await?
                .map(|d| d.details)
                .unwrap_or_default();
            let mut details = match &file {
                Some(path) => details_file(path)?
                    .over(Spelling::Json, &current)
                    .map_err(|e| e.within(path.display()))?,
                None => current,
            };
            let inc = &mut details.incident;
            for (list, more) in [
                (&mut inc.device_problem_codes, problem_codes),
                (&mut inc.component_codes, component_codes),
                (&mut inc.health_effect_codes, health_effects),
                (&mut inc.health_impact_codes, health_impacts),
            ] {
                for code in more {
                    if !list.contains(&code) {
                        list.push(code);
                    }
                }
            }
            if narrative.is_some() {
                inc.description = narrative;
            }
            let saved = store.set_case_details(&actor, id, details, ctx.now).await?;
            ctx.out.emit(
                &json!({"id": saved.id, "details": saved.details, "updated_by": saved.updated_by,
                        "updated_at": saved.updated_at}),
                || format!("case {id}: incident details recorded"),
            )
        }
        VigilanceCmd::Draft {
            id,
            format,
            kind,
            out,
        } => draft(ctx, id, &format, kind, out).await,
    }
}

async fn draft(
    ctx: &Ctx,
    id: i64,
    format: &str,
    kind: Option<String>,
    out: Option<PathBuf>,
) -> anyhow::Result<()> {
    let (format, kind) = DraftRequest {
        format: format.to_owned(),
        kind,
    }
    .parse(Spelling::Flags)?;
    let store = ctx.store().await?;
    let (document, problems, missing) = match format {
        DraftFormat::MirJson | DraftFormat::MirXml => {
            let d = store.mir_draft(id, kind, ctx.now).await?;
            let doc = if format == DraftFormat::MirXml {
                d.draft.to_xml()
            } else {
                d.draft.to_json()
            };
            (doc, d.problems, d.missing)
        }
        DraftFormat::Fda3500a => {
            let d = store.fda_draft(id, ctx.now).await?;
            (d.draft.to_json(), d.problems, d.missing)
        }
    };
    let notes = || {
        let mut s = String::new();
        for p in &problems {
            s.push_str(&format!("problem: {}: {}\n", p.field, p.message));
        }
        if !missing.is_empty() {
            s.push_str(&format!("still missing: {}\n", missing.join(", ")));
        }
        s
    };
    match out {
        Some(path) => {
            std::fs::write(&path, &document)
                .with_context(|| format!("writing {}", path.display()))?;
            ctx.out.emit(
                &json!({"case": id, "format": format, "file": path, "problems": problems,
                        "missing": missing}),
                || format!("wrote {}\n{}", path.display(), notes()),
            )
        }
        None if ctx.out.json => {
            let document: serde_json::Value = if format == DraftFormat::MirXml {
                serde_json::Value::String(document)
            } else {
                serde_json::from_str(&document)?
            };
            ctx.out.emit(
                &json!({"case": id, "format": format, "draft": document, "problems": problems,
                        "missing": missing}),
                String::new,
            )
        }
        None => {
            eprint!("{}", notes());
            print!("{document}");
            Ok(())
        }
    }
}

#[derive(Subcommand)]
pub enum HolidaysCmd {
    /// Import an organisation-maintained calendar: CSV (`country,date,name`) or iCalendar.
    Import {
        file: PathBuf,
        /// The country (ISO alpha-2) for iCalendar files and CSV files without a country column.
        #[arg(long)]
        country: Option<String>,
        /// Expand yearly recurring iCalendar events up to this year.
        #[arg(long, default_value_t = 2035)]
        until_year: i16,
    },
    /// A country's public holidays in a year: national ones by rule and the organisation's own.
    List {
        #[arg(long)]
        country: String,
        #[arg(long)]
        year: i16,
    },
}

pub async fn holidays(ctx: &Ctx, cmd: HolidaysCmd) -> anyhow::Result<()> {
    match cmd {
        HolidaysCmd::Import {
            file,
            country,
            until_year,
        } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("reading {}", file.display()))?;
            let source = file.display().to_string();
            let is_ical = text.trim_start().starts_with("BEGIN:VCALENDAR");
            let parsed = if is_ical {
                let Some(c) = country.as_deref() else {
                    return Err(Invalid::new(
                        "--country",
                        "an iCalendar file needs the country it belongs to",
                    )
                    .into());
                };
                vigilo_holidays::parse_holiday_ical(&text, &source, c, until_year)
            } else {
                vigilo_holidays::parse_holiday_csv(&text, &source, country.as_deref())
            }
            .map_err(|e| {
                Invalid::new(format!("{} line {}", e.source_name, e.line), e.to_string())
            })?;
            let (store, actor) = ctx.store_as().await?;
            let summary = store
                .import_holidays(&actor, &source, &parsed, ctx.now)
                .await?;
            ctx.out.emit(&summary, || {
                format!(
                    "{}: {} holidays added or renamed, {} unchanged",
                    source, summary.added, summary.unchanged
                )
            })
        }
        HolidaysCmd::List { country, year } => {
            let country = country.trim().to_ascii_uppercase();
            let store = ctx.store().await?;
            let mut rows: Vec<serde_json::Value> = Vec::new();
            let national = if country == "US" {
                Some(vigilo_holidays::us_federal_holidays(year))
            } else {
                vigilo_holidays::national_holidays(&country, year)
            };
            for h in national.iter().flatten() {
                rows.push(json!({"date": h.date, "name": h.name, "source": "national (by rule)"}));
            }
            for h in store.imported_holidays(Some(&country)).await? {
                if h.date.year() == year {
                    rows.push(json!({"date": h.date, "name": h.name, "source": h.source}));
                }
            }
            rows.sort_by(|a, b| a["date"].as_str().cmp(&b["date"].as_str()));
            ctx.out.emit(
                &json!({"country": country, "year": year, "by_rule": national.is_some(),
                        "holidays": rows}),
                || {
                    let lines: Vec<Vec<String>> = rows
                        .iter()
                        .map(|r| {
                            ["date", "name", "source"]
                                .iter()
                                .map(|k| r[k].as_str().unwrap_or("").to_owned())
                                .collect()
                        })
                        .collect();
                    let mut s = table(&["date", "name", "source"], &lines);
                    if national.is_none() {
                        s.push_str(&format!(
                            "{country}: no national calendar by rule; weekends and imported dates only\n"
                        ));
                    }
                    s
                },
            )
        }
    }
}

#[derive(Subcommand)]
pub enum FscaCmd {
    /// Open an FSCA: the scope gives the device list, kept with it.
    Open {
        id: String,
        #[arg(long)]
        title: String,
        #[arg(long)]
        product: String,
        /// Software versions in scope (comma-separated; empty: all).
        #[arg(long, value_delimiter = ',')]
        versions: Vec<String>,
        /// Device lots or fitted part lots in scope.
        #[arg(long, value_delimiter = ',')]
        lots: Vec<String>,
        #[arg(long, value_delimiter = ',')]
        serials: Vec<String>,
        #[arg(long, value_delimiter = ',')]
        countries: Vec<String>,
        #[arg(long)]
        reason: String,
        /// The field safety notice text, from a file.
        #[arg(long)]
        notice: PathBuf,
        /// The vigilance case it answers.
        #[arg(long)]
        case: Option<i64>,
    },
    List,
    /// The FSCA, its customers and the share acknowledged; `--csv-dir` writes one device list
    /// per customer.
    Show {
        id: String,
        #[arg(long)]
        csv_dir: Option<PathBuf>,
    },
    /// Record a customer's acknowledgement of the field safety notice.
    Ack {
        id: String,
        #[arg(long)]
        customer: String,
        #[arg(long, value_name = "INSTANT")]
        at: String,
    },
}

fn write_customer_csvs(
    dir: &Path,
    view: &vigilo_store::fsca::FscaView,
) -> anyhow::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let mut written = Vec::new();
    for customer in &view.progress.by_customer {
        let path = dir.join(vigilo_vigilance::fsca::customer_file_name(
            &customer.customer,
        ));
        std::fs::write(
            &path,
            vigilo_vigilance::fsca::customer_csv(&view.devices, &customer.customer),
        )
        .with_context(|| format!("writing {}", path.display()))?;
        written.push(path);
    }
    Ok(written)
}

fn fsca_text(view: &vigilo_store::fsca::FscaView) -> String {
    let p = &view.progress;
    let rows: Vec<Vec<String>> = p
        .by_customer
        .iter()
        .map(|c| {
            vec![
                c.customer.clone(),
                c.devices.to_string(),
                c.countries.join(","),
                opt(&c.acknowledged_at),
            ]
        })
        .collect();
    format!(
        "{} {} ({}): {} devices, {} customers, {}/{} acknowledged ({:.0} %)\n{}",
        view.fsca.id,
        view.fsca.title,
        view.fsca.product,
        p.devices,
        p.customers,
        p.customers_acknowledged,
        p.customers,
        p.share_acknowledged * 100.0,
        table(&["customer", "devices", "countries", "acknowledged"], &rows)
    )
}

pub async fn fsca(ctx: &Ctx, cmd: FscaCmd) -> anyhow::Result<()> {
    match cmd {
        FscaCmd::Open {
            id,
            title,
            product,
            versions,
            lots,
            serials,
            countries,
            reason,
            notice,
            case,
        } => {
            let notice = std::fs::read_to_string(&notice)
                .with_context(|| format!("reading {}", notice.display()))?;
            let new = FscaRequest {
                id,
                title,
                product,
                versions,
                lots,
                serials,
                countries,
                reason,
                notice,
                case: case.map(|c| c.to_string()),
            }
            .parse(Spelling::Flags)?;
            let (store, actor) = ctx.store_as().await?;
            let view = store.open_fsca(&actor, new, ctx.now).await?;
            ctx.out.emit(&view, || fsca_text(&view))
        }
        FscaCmd::List => {
            let store = ctx.store().await?;
            let mut list = Vec::new();
            for f in store.fscas().await? {
                list.push(store.fsca(&f.id).await?);
            }
            let rows: Vec<Vec<String>> = list
                .iter()
                .map(|v| {
                    vec![
                        v.fsca.id.clone(),
                        v.fsca.product.clone(),
                        v.progress.devices.to_string(),
                        format!("{:.0} %", v.progress.share_acknowledged * 100.0),
                        v.fsca.title.clone(),
                    ]
                })
                .collect();
            let summary: Vec<serde_json::Value> = list
                .iter()
                .map(|v| {
                    json!({"id": v.fsca.id, "title": v.fsca.title, "product": v.fsca.product,
                                "devices": v.progress.devices, "customers": v.progress.customers,
                                "share_acknowledged": v.progress.share_acknowledged})
                })
                .collect();
            ctx.out.emit(&json!({"fscas": summary}), || {
                table(
                    &["id", "product", "devices", "acknowledged", "title"],
                    &rows,
                )
            })
        }
        FscaCmd::Show { id, csv_dir } => {
            let store = ctx.store().await?;
            let view = store.fsca(&id).await?;
            let written = match &csv_dir {
                Some(dir) => write_customer_csvs(dir, &view)?,
                None => Vec::new(),
            };
            ctx.out
                .emit(&json!({"fsca": view, "csv_files": written}), || {
                    let mut s = fsca_text(&view);
                    for p in &written {
                        s.push_str(&format!("wrote {}\n", p.display()));
                    }
                    s
                })
        }
        FscaCmd::Ack { id, customer, at } => {
            let (customer, at) = FscaAckRequest {
                customer,
                at: Some(at),
            }
            .parse(Spelling::Flags, ctx.now)?;
            let (store, actor) = ctx.store_as().await?;
            let ack = store
                .acknowledge_fsca(&actor, &id, &customer, at, ctx.now)
                .await?;
            let view = store.fsca(&id).await?;
            ctx.out.emit(
                &json!({"id": ack.id, "acknowledgement": ack, "progress": view.progress}),
                || fsca_text(&view),
            )
        }
    }
}
