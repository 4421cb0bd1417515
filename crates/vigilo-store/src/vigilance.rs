//! Vigilance (SPEC §3.3): the cases opened by `ticket flag-serious`, their acknowledgement,
//! reportability decisions, submitted reports and incident details, the public-holiday
//! calendars their deadlines are counted with, and IMDRF codes on tickets.

use crate::Store;
use crate::error::Result;
use crate::query::Select;
use crate::registry::{Actor, ImportSummary};
use crate::schema;
use jiff::Timestamp;
use jiff::civil::Date;
use std::collections::HashMap;
use vigilo_holidays::{ImportedHoliday, WorkCalendar};
use vigilo_incident::Annex;
use vigilo_registry::{Action, Device, Invalid};
use vigilo_service::{Ticket, VigilanceCase};
use vigilo_vigilance::case::{self, CaseFacts};
use vigilo_vigilance::{
    Acknowledgement, CaseDetails, CaseStatus, Category, Decision, HolidayRecord, IncidentDetails,
    Market, ReportKind, Submission, TicketCode,
};

/// An IMDRF code checked against the code table of its annex, naming the input on failure.
pub fn check_imdrf(annex: Annex, code: &str, field: &str) -> Result<String> {
    match vigilo_incident::codes().check(annex, code.trim()) {
        Ok(term) => Ok(term.code.clone()),
        Err(e) => Err(Invalid::new(field, e.to_string()).into()),
    }
}

/// The incident details' codes, each against the annex its field takes.
fn check_details(details: &IncidentDetails) -> Result<()> {
    let (inc, inv) = (&details.incident, &details.investigation);
    let lists: [(&str, Annex, &[String]); 7] = [
        (
            "incident.device_problem_codes",
            Annex::A,
            &inc.device_problem_codes,
        ),
        ("incident.component_codes", Annex::G, &inc.component_codes),
        (
            "incident.health_effect_codes",
            Annex::E,
            &inc.health_effect_codes,
        ),
        (
            "incident.health_impact_codes",
            Annex::F,
            &inc.health_impact_codes,
        ),
        (
            "investigation.investigation_type_codes",
            Annex::B,
            &inv.investigation_type_codes,
        ),
        (
            "investigation.findings_codes",
            Annex::C,
            &inv.findings_codes,
        ),
        (
            "investigation.conclusion_codes",
            Annex::D,
            &inv.conclusion_codes,
        ),
    ];
    for (field, annex, codes) in lists {
        for (i, code) in codes.iter().enumerate() {
            check_imdrf(annex, code, &format!("{field}[{i}]"))?;
        }
    }
    Ok(())
}

/// The years a deadline counted from an awareness date can reach.
fn years_around(date: Date) -> (i16, i16) {
    (date.year(), date.year().saturating_add(1))
}

impl Store {
    pub(crate) async fn case(&self, id: i64) -> Result<VigilanceCase> {
        self.fetch_one(Select::<VigilanceCase>::all().eq("id", id))
            .await?
            .ok_or_else(|| Invalid::new("CASE", format!("no vigilance case {id}")).into())
    }

    /// The device a case is about: the ticket's device now (it may have been identified after
    /// the flag), else the one recorded with the flag.
    async fn case_device(&self, case: &VigilanceCase) -> Result<Option<Device>> {
        let ticket = self
            .fetch_one(Select::<Ticket>::all().eq("id", case.ticket))
            .await?;
        match ticket.and_then(|t| t.device).or(case.device) {
            Some(id) => self.fetch_one(Select::<Device>::all().eq("id", id)).await,
            None => Ok(None),
        }
    }

    // ---- holidays ------------------------------------------------------------------------------

    /// Organisation-maintained holidays, of one country or all.
    pub async fn imported_holidays(&self, country: Option<&str>) -> Result<Vec<HolidayRecord>> {
        let select = Select::<HolidayRecord>::all().order_by("date");
        self.fetch(match country {
            Some(c) => select.eq("country", c.to_ascii_uppercase()),
            None => select,
        })
        .await
    }

    /// Imports holidays in one transaction: a date already on record for the country is kept
    /// unchanged (same name) or renamed; nothing is removed.
    pub async fn import_holidays(
        &self,
        actor: &Actor,
        source: &str,
        holidays: &[ImportedHoliday],
        now: Timestamp,
    ) -> Result<ImportSummary> {
        actor.may(Action::ManageHolidays)?;
        let mut summary = ImportSummary::default();
        let mut tx = self.begin_write(&actor.person.id, now).await?;
        for h in holidays {
            let country = h.country.to_ascii_uppercase();
            let existing = tx
                .fetch_one(
                    Select::<HolidayRecord>::all()
                        .eq("country", country.as_str())
                        .eq("date", h.date.to_string()),
                )
                .await?;
            match existing {
                Some(before) if before.name == h.name => summary.unchanged += 1,
                Some(before) => {
                    let after = HolidayRecord {
                        name: h.name.clone(),
                        source: source.to_owned(),
                        ..before.clone()
                    };
                    tx.update("holiday.rename", &before, &after).await?;
                    summary.added += 1;
                }
                None => {
                    let record = HolidayRecord {
                        id: tx.next_id(&schema::HOLIDAYS).await?,
                        country,
                        date: h.date,
                        name: h.name.clone(),
                        source: source.to_owned(),
                    };
                    tx.insert("holiday.add", &record).await?;
                    summary.added += 1;
                }
            }
        }
        tx.commit().await?;
        Ok(summary)
    }

    // ---- case status --------------------------------------------------------------------------

    /// Every case as it stands at `as_of`, newest awareness first.
    pub async fn case_statuses(&self, as_of: Timestamp) -> Result<Vec<CaseStatus>> {
        let cases = self.fetch(Select::<VigilanceCase>::all()).await?;
        let mut out = Vec::with_capacity(cases.len());
        let facts = self.case_records().await?;
        for case in &cases {
            out.push(self.status_of(case, &facts, as_of).await?);
        }
        out.sort_by_key(|s| std::cmp::Reverse((s.aware_at, s.id)));
        Ok(out)
    }

    pub async fn case_status(&self, id: i64, as_of: Timestamp) -> Result<CaseStatus> {
        let case = self.case(id).await?;
        let facts = self.case_records().await?;
        self.status_of(&case, &facts, as_of).await
    }

    /// What every case's status needs, read once for all of them.
    async fn case_records(&self) -> Result<CaseRecords> {
        let mut records = CaseRecords {
            zone: self.zone().await?,
            decisions: HashMap::new(),
            submissions: HashMap::new(),
            acknowledgements: HashMap::new(),
            holidays: HashMap::new(),
        };
        for h in self.imported_holidays(None).await? {
            records.holidays.entry(h.country).or_default().push(h.date);
        }
        for d in self.fetch(Select::<Decision>::all()).await? {
            records.decisions.entry(d.case_id).or_default().push(d);
        }
        for s in self.fetch(Select::<Submission>::all()).await? {
            records.submissions.entry(s.case_id).or_default().push(s);
        }
        for a in self.fetch(Select::<Acknowledgement>::all()).await? {
            records.acknowledgements.insert(a.case_id, a);
        }
        Ok(records)
    }

    async fn status_of(
        &self,
        case: &VigilanceCase,
        records: &CaseRecords,
        as_of: Timestamp,
    ) -> Result<CaseStatus> {
        let zone = &records.zone;
        let country = self.case_device(case).await?.map(|d| d.country);
        let decisions = records
            .decisions
            .get(&case.id)
            .map_or(&[][..], Vec::as_slice);
        let clock = case::latest(decisions).map_or(case.aware_at, |d| d.clock_from);
        let (first, last) = years_around(clock.to_zoned(zone.clone()).date());
        let eu = records.calendar(country.as_ref().map_or("", |c| c.as_str()), first, last);
        let us = records.calendar("US", first, last);
        let is_working = |market: Market, d: Date| match market {
            Market::Eu => eu.is_working_day(d),
            Market::Us => us.is_working_day(d),
        };
        Ok(case::status(
            CaseFacts {
                case,
                country,
                decisions,
                acknowledgement: records.acknowledgements.get(&case.id),
                submissions: records
                    .submissions
                    .get(&case.id)
                    .map_or(&[][..], Vec::as_slice),
            },
            zone,
            &is_working,
            as_of,
        ))
    }

    // ---- writes -------------------------------------------------------------------------------

    /// A vigilance officer takes the case (ends the 24-hour escalation). Acknowledging again
    /// returns the first acknowledgement.
    pub async fn acknowledge_case(
        &self,
        actor: &Actor,
        id: i64,
        now: Timestamp,
    ) -> Result<(Acknowledgement, bool)> {
        actor.may(Action::AcknowledgeCase)?;
        let case = self.case(id).await?;
        let mut tx = self.begin_write(&actor.person.id, now).await?;
        if let Some(a) = tx
            .fetch_one(Select::<Acknowledgement>::all().eq("case_id", case.id))
            .await?
        {
            return Ok((a, false));
        }
        let ack = Acknowledgement {
            id: tx.next_id(&schema::VIGILANCE_ACKNOWLEDGEMENTS).await?,
            case_id: case.id,
            person: actor.person.id.clone(),
            at: now,
        };
        tx.insert("vigilance.acknowledge", &ack).await?;
        tx.commit().await?;
        Ok((ack, true))
    }

    /// Records a reportability decision. A category must fit the device's market; the clock of
    /// a case last judged not reportable runs from `reportability_aware_at` (default: now).
    pub async fn decide_case(
        &self,
        actor: &Actor,
        id: i64,
        category: Category,
        rationale: &str,
        reportability_aware_at: Option<Timestamp>,
        now: Timestamp,
    ) -> Result<Decision> {
        actor.may(Action::DecideCase)?;
        let rationale = rationale.trim();
        if rationale.is_empty() {
            return Err(Invalid::new(
                "--rationale",
                "a decision needs its rationale (a \"not reportable\" decision too)",
            )
            .into());
        }
        let case = self.case(id).await?;
        if let Some(at) = reportability_aware_at
            && (at > now || at < case.aware_at)
        {
            return Err(Invalid::new(
                "--reportability-aware-at",
                format!(
                    "{at} must lie between the incident's awareness ({}) and now ({now})",
                    case.aware_at
                ),
            )
            .into());
        }
        let country = self.case_device(&case).await?.map(|d| d.country);
        case::check_category(category, country)
            .map_err(|problem| Invalid::new("--category", problem))?;
        let mut tx = self.begin_write(&actor.person.id, now).await?;
        let previous = tx
            .fetch(Select::<Decision>::all().eq("case_id", case.id))
            .await?;
        let decision = Decision {
            id: tx.next_id(&schema::VIGILANCE_DECISIONS).await?,
            case_id: case.id,
            category,
            rationale: rationale.to_owned(),
            clock_from: case::clock_from(
                &case,
                case::latest(&previous),
                reportability_aware_at,
                now,
            ),
            decided_by: actor.person.id.clone(),
            decided_at: now,
        };
        tx.insert("vigilance.decide", &decision).await?;
        tx.commit().await?;
        Ok(decision)
    }

    /// Records a report submitted to an authority. The market defaults to the decided
    /// category's, else the device country's.
    #[allow(clippy::too_many_arguments)]
    pub async fn record_submission(
        &self,
        actor: &Actor,
        id: i64,
        kind: ReportKind,
        market: Option<Market>,
        submitted_at: Timestamp,
        reference: Option<&str>,
        now: Timestamp,
    ) -> Result<Submission> {
        actor.may(Action::RecordSubmission)?;
        if submitted_at > now {
            return Err(Invalid::new(
                "--submitted-at",
                format!("{submitted_at} is in the future (now is {now})"),
            )
            .into());
        }
        let case = self.case(id).await?;
        let decisions = self
            .fetch(Select::<Decision>::all().eq("case_id", case.id))
            .await?;
        let decided = case::latest(&decisions).map(|d| d.category);
        if decided == Some(Category::NotReportable) {
            return Err(Invalid::new(
                "CASE",
                format!("case {id} is decided not reportable: decide its category first"),
            )
            .into());
        }
        let country = self.case_device(&case).await?.map(|d| d.country);
        let market = market
            .or(decided.and_then(|c| c.market()))
            .or(country.and_then(|c| c.market()))
            .ok_or_else(|| {
                Invalid::new(
                    "--market",
                    "the case has no decided category and no device market: name EU or US",
                )
            })?;
        let mut tx = self.begin_write(&actor.person.id, now).await?;
        let submission = Submission {
            id: tx.next_id(&schema::VIGILANCE_SUBMISSIONS).await?,
            case_id: case.id,
            market,
            kind,
            submitted_at,
            reference: reference
                .map(str::trim)
                .filter(|r| !r.is_empty())
                .map(str::to_owned),
            recorded_by: actor.person.id.clone(),
            recorded_at: now,
        };
        tx.insert("vigilance.submit", &submission).await?;
        tx.commit().await?;
        Ok(submission)
    }

    /// Replaces a case's incident details after checking every IMDRF code against its annex.
    pub async fn set_case_details(
        &self,
        actor: &Actor,
        id: i64,
        details: IncidentDetails,
        now: Timestamp,
    ) -> Result<CaseDetails> {
        actor.may(Action::RecordCaseDetails)?;
        check_details(&details)?;
        let case = self.case(id).await?;
        let mut tx = self.begin_write(&actor.person.id, now).await?;
        let after = CaseDetails {
            id: case.id,
            details,
            updated_by: actor.person.id.clone(),
            updated_at: now,
        };
        match tx
            .fetch_one(Select::<CaseDetails>::all().eq("id", case.id))
            .await?
        {
            Some(before) if before.details == after.details => return Ok(before),
            Some(before) => tx.update("vigilance.details", &before, &after).await?,
            None => tx.insert("vigilance.details", &after).await?,
        };
        tx.commit().await?;
        Ok(after)
    }

    pub async fn case_details(&self, id: i64) -> Result<Option<CaseDetails>> {
        self.fetch_one(Select::<CaseDetails>::all().eq("id", id))
            .await
    }

    /// Gives a ticket IMDRF codes (each checked against its annex); a code already given is
    /// left as it is.
    pub async fn code_ticket(
        &self,
        actor: &Actor,
        ticket: i64,
        codes: &[(Annex, String)],
        now: Timestamp,
    ) -> Result<Vec<TicketCode>> {
        actor.may(Action::CodeTicket)?;
        let checked = codes
            .iter()
            .map(|(annex, code)| Ok((*annex, check_imdrf(*annex, code, "--code")?)))
            .collect::<Result<Vec<_>>>()?;
        let mut tx = self.begin_write(&actor.person.id, now).await?;
        tx.fetch_one(Select::<Ticket>::all().eq("id", ticket))
            .await?
            .ok_or_else(|| Invalid::new("TICKET", format!("no ticket {ticket}")))?;
        let existing = tx
            .fetch(Select::<TicketCode>::all().eq("ticket", ticket))
            .await?;
        for (annex, code) in checked {
            if existing.iter().any(|c| c.code == code) {
                continue;
            }
            let record = TicketCode {
                id: tx.next_id(&schema::TICKET_CODES).await?,
                ticket,
                annex: annex.to_string(),
                code,
                coded_by: actor.person.id.clone(),
                coded_at: now,
            };
            tx.insert("ticket.code", &record).await?;
        }
        tx.commit().await?;
        self.fetch(Select::<TicketCode>::all().eq("ticket", ticket))
            .await
    }
}

struct CaseRecords {
    zone: jiff::tz::TimeZone,
    decisions: HashMap<i64, Vec<Decision>>,
    submissions: HashMap<i64, Vec<Submission>>,
    acknowledgements: HashMap<i64, Acknowledgement>,
    /// The organisation's imported holidays by country.
    holidays: HashMap<String, Vec<Date>>,
}

impl CaseRecords {
    /// The working-day calendar of a country for the given years: national holidays by rule
    /// plus the organisation's own.
    fn calendar(&self, country: &str, first: i16, last: i16) -> WorkCalendar {
        let country = country.to_ascii_uppercase();
        let extra = self.holidays.get(&country).into_iter().flatten().copied();
        WorkCalendar::for_country(&country, first, last, extra)
    }
}
