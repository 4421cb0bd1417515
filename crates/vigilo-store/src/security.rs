//! The security intake queue (SPEC §3.5): CVE matches (the open findings), vendor advisories
//! and threat-intelligence notes in one list, each with its severity and response clock; triage
//! to the four outcomes, opening the software problem report or the vigilance case an outcome
//! calls for in the same transaction.

use crate::Store;
use crate::advisories::{Finding, FindingState, FindingView};
use crate::error::Result;
use crate::query::Select;
use crate::registry::Actor;
use crate::schema;
use crate::tickets::{NewTicket, flag_serious_in, open_ticket_in, triage_hours_in};
use crate::write::WriteTx;
use jiff::Timestamp;
use serde::Serialize;
use std::collections::HashMap;
use vigilo_registry::{Action, DeviceScope, Invalid, Product, Refusal};
use vigilo_security::response::{
    CRITICAL_HOURS_SETTING, DEFAULT_CRITICAL_HOURS, DEFAULT_HIGH_DAYS, HIGH_DAYS_SETTING,
};
use vigilo_security::{
    Assessment, Outcome, ProblemReport, Response, ResponseTargets, Signal, SignalKind, TriageInput,
    TriageRecord, assess, recommend,
};
use vigilo_service::{Channel, Setting, Ticket};

/// A hand-entered signal as asked for.
#[derive(Debug, Clone)]
pub struct NewSignal {
    pub kind: SignalKind,
    pub title: String,
    pub body: String,
    pub reference: Option<String>,
    pub cves: Vec<String>,
    pub cvss: Vec<String>,
    pub product: Option<String>,
    pub versions: Vec<String>,
    pub received_at: Timestamp,
}

/// What a queue entry is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Subject {
    Finding(i64),
    Signal(i64),
}

impl std::fmt::Display for Subject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Subject::Finding(id) => write!(f, "finding:{id}"),
            Subject::Signal(id) => write!(f, "signal:{id}"),
        }
    }
}

/// One entry of the security intake queue.
#[derive(Debug, Clone, Serialize)]
pub struct QueueItem {
    /// `finding:12` or `signal:3`.
    pub subject: String,
    pub kind: SignalKind,
    pub title: String,
    pub product: Option<String>,
    pub versions: Vec<String>,
    /// The CVE ids (and other aliases) the signal names.
    pub cves: Vec<String>,
    pub assessment: Assessment,
    /// Devices in the field running an affected version.
    pub devices: i64,
    pub finding: Option<FindingView>,
    pub signal: Option<Signal>,
    /// The standing triage decision, if any.
    pub triage: Option<TriageRecord>,
    pub response: Response,
}

/// A triage decision with what it opened.
#[derive(Debug, Clone, Serialize)]
pub struct TriageOutcome {
    #[serde(flatten)]
    pub triage: TriageRecord,
    pub problem: Option<ProblemReport>,
    /// The vigilance case a potential serious incident opened.
    pub vigilance_case: Option<i64>,
}

fn required(field: &str, value: &str) -> Result<String> {
    let v = value.trim();
    if v.is_empty() {
        return Err(Invalid::new(field, "must not be empty").into());
    }
    Ok(v.to_owned())
}

/// The CVE ids among an advisory's id and aliases, in that order.
pub(crate) fn cve_ids(aliases: &[String], id: &str) -> Vec<String> {
    let mut ids: Vec<String> = std::iter::once(id)
        .chain(aliases.iter().map(String::as_str))
        .filter(|a| a.starts_with("CVE-"))
        .map(str::to_owned)
        .collect();
    ids.dedup();
    ids
}

impl Store {
    /// The response-time targets, as configured or by default.
    pub async fn response_targets(&self) -> Result<ResponseTargets> {
        let settings: HashMap<String, String> = self
            .fetch(Select::<Setting>::all())
            .await?
            .into_iter()
            .map(|s| (s.id, s.value))
            .collect();
        let number = |id: &str, default: i64| {
            settings
                .get(id)
                .and_then(|v| v.parse().ok())
                .unwrap_or(default)
        };
        Ok(ResponseTargets {
            critical_hours: number(CRITICAL_HOURS_SETTING, DEFAULT_CRITICAL_HOURS),
            high_days: number(HIGH_DAYS_SETTING, DEFAULT_HIGH_DAYS),
        })
    }

    /// Enters a vendor advisory or threat-intelligence note into the queue.
    pub async fn record_signal(
        &self,
        actor: &Actor,
        new: NewSignal,
        now: Timestamp,
    ) -> Result<Signal> {
        actor.may(Action::RecordSignal)?;
        let mut tx = self.begin_write(&actor.person.id, now).await?;
        let signal = record_signal_in(&mut tx, new, None).await?;
        tx.commit().await?;
        Ok(signal)
    }

    /// The queue at `as_of`: untriaged entries first, breached clocks first among them, then
    /// by due instant; triaged entries follow when `all` is set. Drill signals are not here.
    pub async fn security_queue(&self, as_of: Timestamp, all: bool) -> Result<Vec<QueueItem>> {
        let targets = self.response_targets().await?;
        let triage = self.latest_triage().await?;
        let devices = self.devices_per_version().await?;
        let mut items = Vec::new();
        for view in self.findings(None, None, false).await? {
            let subject = Subject::Finding(view.finding.id);
            items.push(finding_item(
                view,
                triage.get(&subject).cloned(),
                &targets,
                as_of,
            ));
        }
        let signals = self
            .fetch(Select::<Signal>::all().order_by("id"))
            .await?
            .into_iter()
            .filter(|s| s.drill.is_none());
        for signal in signals {
            let subject = Subject::Signal(signal.id);
            let count = signal_devices(&signal, &devices);
            items.push(signal_item(
                signal,
                count,
                triage.get(&subject).cloned(),
                &targets,
                as_of,
            ));
        }
        if !all {
            items.retain(|i| i.triage.is_none());
        }
        items.sort_by_key(|i| {
            (
                i.triage.is_some(),
                !i.response.breached(),
                i.response.due_at.is_none(),
                i.response.due_at,
                i.response.opened_at,
            )
        });
        Ok(items)
    }

    /// One queue entry with its standing triage, at `as_of`.
    pub async fn security_item(&self, subject: Subject, as_of: Timestamp) -> Result<QueueItem> {
        let targets = self.response_targets().await?;
        let triage = self.triage_history(subject).await?.pop();
        match subject {
            Subject::Finding(id) => {
                let finding = self.finding(id).await?;
                let view = self
                    .findings(Some(&finding.product), Some(&finding.version), true)
                    .await?
                    .into_iter()
                    .find(|v| v.finding.id == id)
                    .ok_or_else(|| Invalid::new("FINDING", format!("no finding {id}")))?;
                Ok(finding_item(view, triage, &targets, as_of))
            }
            Subject::Signal(id) => {
                let signal = self.signal(id).await?;
                let devices = self.devices_per_version().await?;
                let count = signal_devices(&signal, &devices);
                Ok(signal_item(signal, count, triage, &targets, as_of))
            }
        }
    }

    /// Every triage decision on `subject`, oldest first.
    pub async fn triage_history(&self, subject: Subject) -> Result<Vec<TriageRecord>> {
        let select = match subject {
            Subject::Finding(id) => Select::<TriageRecord>::all().eq("finding", id),
            Subject::Signal(id) => Select::<TriageRecord>::all().eq("signal", id),
        };
        self.fetch(select.order_by("id")).await
    }

    pub(crate) async fn latest_triage(&self) -> Result<HashMap<Subject, TriageRecord>> {
        let mut latest = HashMap::new();
        for t in self
            .fetch(Select::<TriageRecord>::all().order_by("id"))
            .await?
        {
            if let Some(subject) = subject_of(&t) {
                latest.insert(subject, t);
            }
        }
        Ok(latest)
    }

    async fn finding(&self, id: i64) -> Result<Finding> {
        Ok(self
            .fetch_one(Select::<Finding>::all().eq("id", id))
            .await?
            .ok_or_else(|| Invalid::new("FINDING", format!("no finding {id}")))?)
    }

    async fn signal(&self, id: i64) -> Result<Signal> {
        Ok(self
            .fetch_one(Select::<Signal>::all().eq("id", id))
            .await?
            .ok_or_else(|| Invalid::new("SIGNAL", format!("no signal {id}")))?)
    }

    /// Triages a finding or a signal. A software problem report or patch management opens a
    /// problem report; a potential serious incident opens a ticket on the security channel and
    /// its vigilance case, aware at the decision instant. A later decision supersedes an
    /// earlier one and opens what the new outcome calls for.
    pub async fn triage_signal(
        &self,
        actor: &Actor,
        subject: Subject,
        input: TriageInput,
        now: Timestamp,
    ) -> Result<TriageOutcome> {
        actor.may(Action::TriageSignal)?;
        input.check()?;
        let item = self.security_item(subject, now).await?;
        if let Some(f) = &item.finding
            && f.finding.state == FindingState::Retracted
        {
            return Err(Refusal::new(
                "only an open finding can be triaged",
                format!(
                    "finding {} was retracted at {:?}",
                    f.finding.id, f.finding.retracted_at
                ),
            )
            .into());
        }
        let mut tx = self.begin_write(&actor.person.id, now).await?;
        let outcome = triage_in(&mut tx, &item, subject, input).await?;
        tx.commit().await?;
        Ok(outcome)
    }

    pub async fn problem_reports(&self) -> Result<Vec<ProblemReport>> {
        self.fetch(Select::<ProblemReport>::all().order_by("id"))
            .await
    }
}

pub(crate) async fn record_signal_in(
    tx: &mut WriteTx,
    new: NewSignal,
    drill: Option<i64>,
) -> Result<Signal> {
    let title = required("--title", &new.title)?;
    if let Some(p) = &new.product
        && tx
            .fetch_one(Select::<Product>::all().eq("id", p.as_str()))
            .await?
            .is_none()
    {
        return Err(Invalid::new("--product", format!("no product {p:?}")).into());
    }
    if new.product.is_none() && !new.versions.is_empty() {
        return Err(Invalid::new("--version", "a version needs its --product").into());
    }
    let received_at = new.received_at;
    if received_at > tx.at() {
        return Err(Invalid::new(
            "--received-at",
            format!("{received_at} is in the future (now is {})", tx.at()),
        )
        .into());
    }
    let signal = Signal {
        id: tx.next_id(&schema::SECURITY_SIGNALS).await?,
        kind: new.kind,
        title,
        body: new.body.trim().to_owned(),
        reference: new.reference.filter(|r| !r.trim().is_empty()),
        cves: new.cves,
        cvss: new.cvss,
        product: new.product,
        versions: new.versions,
        received_at,
        drill,
        recorded_by: tx.actor().to_owned(),
        recorded_at: tx.at(),
    };
    tx.insert("security.signal", &signal).await?;
    Ok(signal)
}

pub(crate) async fn triage_in(
    tx: &mut WriteTx,
    item: &QueueItem,
    subject: Subject,
    input: TriageInput,
) -> Result<TriageOutcome> {
    let now = tx.at();
    let rating = item.assessment.rating;
    let problem = match input.outcome {
        Outcome::ProblemReport | Outcome::PatchManagement => {
            let report = ProblemReport {
                id: tx.next_id(&schema::PROBLEM_REPORTS).await?,
                title: item.title.clone(),
                origin: subject.to_string(),
                product: item.product.clone(),
                version: item.versions.first().cloned(),
                rating,
                critical: input.outcome == Outcome::PatchManagement,
                description: format!(
                    "{}\n\nAction: {}",
                    input.rationale.trim(),
                    input.action.as_deref().unwrap_or_default().trim()
                ),
                opened_by: tx.actor().to_owned(),
                opened_at: now,
            };
            tx.insert("problem.open", &report).await?;
            Some(report)
        }
        _ => None,
    };
    let (ticket, case) = if input.outcome == Outcome::PotentialSeriousIncident {
        let (ticket, case) = vigilance_in(tx, item, subject).await?;
        (Some(ticket.id), Some(case))
    } else {
        (None, None)
    };
    let (finding, signal) = match subject {
        Subject::Finding(id) => (Some(id), None),
        Subject::Signal(id) => (None, Some(id)),
    };
    let record = TriageRecord {
        id: tx.next_id(&schema::SECURITY_TRIAGE).await?,
        finding,
        signal,
        outcome: input.outcome,
        rating,
        score: item.assessment.score.clone(),
        vector: item.assessment.vector.clone(),
        exploitability: input.criteria.exploitability,
        reachability: input.criteria.reachability,
        harm: input.criteria.harm,
        recommended: recommend(rating, input.criteria),
        rationale: input.rationale.trim().to_owned(),
        justification: input.justification,
        action: input
            .action
            .map(|a| a.trim().to_owned())
            .filter(|a| !a.is_empty()),
        remediation: input.remediation,
        problem_report: problem.as_ref().map(|p| p.id),
        vigilance_ticket: ticket,
        decided_by: tx.actor().to_owned(),
        decided_at: now,
    };
    tx.insert("security.triage", &record).await?;
    Ok(TriageOutcome {
        triage: record,
        problem,
        vigilance_case: case,
    })
}

/// The ticket and vigilance case for a potential serious incident. The device is not known:
/// a vulnerability affects every device running the version, and the vigilance officer links
/// the device an incident concerns.
async fn vigilance_in(
    tx: &mut WriteTx,
    item: &QueueItem,
    subject: Subject,
) -> Result<(Ticket, i64)> {
    let hours = triage_hours_in(tx).await?;
    let versions = item.versions.join(", ");
    let product = item.product.as_deref().unwrap_or("unspecified product");
    let new = NewTicket {
        channel: Channel::Security,
        received_at: item.response.opened_at,
        reporter: None,
        device: None,
        device_hint: Some(format!("{product} {versions}").trim().to_owned()),
        summary: format!(
            "Potential serious incident from security {subject}: {}",
            item.title
        ),
        description: Some(format!(
            "{} devices run an affected version ({product} {versions}).",
            item.devices
        )),
        attachments: Vec::new(),
        source_ref: Some(format!("security:{subject}")),
    };
    // Every manufacturer staff role may see the security channel: no device, no scope limit.
    let scope = DeviceScope::All;
    let (_, ticket) = open_ticket_in(tx, &scope, new, hours).await?;
    let (case, _) = flag_serious_in(tx, &ticket, tx.at()).await?;
    Ok((ticket, case.id))
}

fn subject_of(t: &TriageRecord) -> Option<Subject> {
    t.finding
        .map(Subject::Finding)
        .or(t.signal.map(Subject::Signal))
}

fn signal_devices(signal: &Signal, devices: &HashMap<(String, String), i64>) -> i64 {
    let Some(product) = &signal.product else {
        return 0;
    };
    devices
        .iter()
        .filter(|((p, v), _)| {
            p == product && (signal.versions.is_empty() || signal.versions.contains(v))
        })
        .map(|(_, n)| n)
        .sum()
}

fn finding_item(
    view: FindingView,
    triage: Option<TriageRecord>,
    targets: &ResponseTargets,
    as_of: Timestamp,
) -> QueueItem {
    let vectors: Vec<&str> = view.severity.iter().map(|s| s.score.as_str()).collect();
    let assessment = assess(&vectors);
    let response = Response::at(
        targets.target(assessment.rating),
        view.finding.found_at,
        triage.as_ref().map(|t| t.decided_at),
        as_of,
    );
    let f = &view.finding;
    QueueItem {
        subject: Subject::Finding(f.id).to_string(),
        kind: SignalKind::CveMatch,
        title: match &view.summary {
            Some(s) => format!("{} in {}: {s}", f.advisory, f.purl),
            None => format!("{} in {}", f.advisory, f.purl),
        },
        product: Some(f.product.clone()),
        versions: vec![f.version.clone()],
        cves: cve_ids(&view.aliases, &f.advisory),
        assessment,
        devices: view.devices,
        finding: Some(view),
        signal: None,
        triage,
        response,
    }
}

fn signal_item(
    signal: Signal,
    devices: i64,
    triage: Option<TriageRecord>,
    targets: &ResponseTargets,
    as_of: Timestamp,
) -> QueueItem {
    let assessment = assess(&signal.cvss);
    let response = Response::at(
        targets.target(assessment.rating),
        signal.received_at,
        triage.as_ref().map(|t| t.decided_at),
        as_of,
    );
    QueueItem {
        subject: Subject::Signal(signal.id).to_string(),
        kind: signal.kind,
        title: signal.title.clone(),
        product: signal.product.clone(),
        versions: signal.versions.clone(),
        cves: signal.cves.clone(),
        assessment,
        devices,
        finding: None,
        signal: Some(signal),
        triage,
        response,
    }
}
