//! Intake and triage (SPEC §3.1): tickets from every channel, the triage clock, the complaint
//! record, and the suspected-serious-incident flag that opens a vigilance case.

use crate::Store;
use crate::error::{Error, Result};
use crate::query::{Select, columns_of, read_as};
use crate::registry::{Actor, ImportSummary, Outcome};
use crate::schema;
use crate::vex::{PUBLISHER_NAMESPACE_SETTING, parse_namespace};
use crate::write::WriteTx;
use jiff::Timestamp;
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::Row;
use vigilo_registry::{Action, Country, Device, DeviceScope, Invalid, Product, Refusal};
use vigilo_security::response::{CRITICAL_HOURS_SETTING, HIGH_DAYS_SETTING, parse_target};
use vigilo_service::complaint::missing_for_closure;
use vigilo_service::triage::{
    self, DEFAULT_TRIAGE_HOURS, TRIAGE_HOURS_SETTING, TriageState, parse_triage_hours,
};
use vigilo_service::{
    Attachment, Channel, Complaint, Correction, Reportability, Setting, Ticket, TicketClass,
    VigilanceCase,
};

/// The first attachment content that does not match the hash it is stored under, that a ticket
/// names but the store lacks, or that no ticket names: contents are not in the audit chain, the
/// tickets' records naming their hashes are, so `audit verify` checks one against the other.
pub(crate) async fn altered_attachment(conn: &mut sqlx::AnyConnection) -> Result<Option<String>> {
    let mut stored = std::collections::BTreeSet::new();
    {
        let mut rows =
            sqlx::query("SELECT sha256, content FROM attachment_contents ORDER BY sha256")
                .fetch(&mut *conn);
        while let Some(row) = futures_util::TryStreamExt::try_next(&mut rows).await? {
            let sha256: String = row.try_get(0)?;
            let content: Vec<u8> = row.try_get(1)?;
            if hex::encode(Sha256::digest(&content)) != sha256 {
                return Ok(Some(sha256));
            }
            stored.insert(sha256);
        }
    }
    let mut named = std::collections::BTreeSet::new();
    let lists = sqlx::query("SELECT id, attachments FROM tickets WHERE attachments <> '[]'")
        .fetch_all(&mut *conn)
        .await?;
    for row in lists {
        let id: i64 = row.try_get(0)?;
        let attachments: Vec<Attachment> = serde_json::from_str(&row.try_get::<String, _>(1)?)
            .map_err(|e| {
                Error::Internal(format!("ticket {id}'s attachments do not read back: {e}"))
            })?;
        named.extend(attachments.into_iter().filter_map(|a| a.sha256));
    }
    Ok(stored.symmetric_difference(&named).next().cloned())
}

// ---- settings ---------------------------------------------------------------------------------

impl Store {
    pub async fn settings(&self) -> Result<Vec<Setting>> {
        self.fetch(Select::<Setting>::all()).await
    }

    /// Sets an organisation-wide setting; only known settings with valid values are accepted.
    pub async fn set_setting(
        &self,
        actor: &Actor,
        name: &str,
        value: &str,
        now: Timestamp,
    ) -> Result<Setting> {
        actor.may(Action::ChangeSettings)?;
        let id = name.replace('-', "_");
        let value = match id.as_str() {
            TRIAGE_HOURS_SETTING => parse_triage_hours(name, value)?.to_string(),
            CRITICAL_HOURS_SETTING | HIGH_DAYS_SETTING => parse_target(name, value)?.to_string(),
            PUBLISHER_NAMESPACE_SETTING => parse_namespace(name, value)?,
            _ => {
                return Err(Invalid::new(
                    "SETTING",
                    format!(
                        "{name:?} is not a setting: expected triage-hours, \
                         security-critical-hours, security-high-days or publisher-namespace"
                    ),
                )
                .into());
            }
        };
        let setting = Setting { id, value };
        let mut tx = self.begin_write(&actor.person.id, now).await?;
        match tx
            .fetch_one(Select::<Setting>::all().eq("id", setting.id.as_str()))
            .await?
        {
            Some(before) if before == setting => return Ok(setting),
            Some(before) => tx.update("setting.set", &before, &setting).await?,
            None => tx.insert("setting.set", &setting).await?,
        };
        tx.commit().await?;
        Ok(setting)
    }
}

pub(crate) async fn triage_hours_in(tx: &mut WriteTx) -> Result<i64> {
    number_setting_in(tx, TRIAGE_HOURS_SETTING, DEFAULT_TRIAGE_HOURS).await
}

/// A whole-number setting, or its default while unset.
pub(crate) async fn number_setting_in(tx: &mut WriteTx, id: &str, default: i64) -> Result<i64> {
    let setting = tx.fetch_one(Select::<Setting>::all().eq("id", id)).await?;
    Ok(setting
        .and_then(|s| s.value.parse().ok())
        .unwrap_or(default))
}

// ---- device identification -------------------------------------------------------------------

/// What a typed serial or scanned UDI names.
#[derive(Debug, Clone)]
pub enum Lookup {
    One(Device),
    Nothing,
    /// The serial exists under several products; the product is needed to choose.
    Several(Vec<Device>),
}

/// Whether text is a GS1 UDI rather than a serial: bracketed AIs, a symbology identifier, a
/// leading GS, or AI 01 with its 14 digits followed by more.
pub fn looks_like_udi(value: &str) -> bool {
    let b = value.as_bytes();
    value.starts_with("(01)")
        || value.starts_with(']')
        || value.starts_with('\u{1d}')
        || (b.len() > 16 && b.starts_with(b"01") && b[..16].iter().all(u8::is_ascii_digit))
}

impl Store {
    /// The device a serial or a scanned UDI names (SPEC §2: a UDI is accepted wherever a serial
    /// is asked for; its GTIN names the product). A malformed UDI is bad input.
    pub async fn lookup_device(
        &self,
        field: &str,
        value: &str,
        product: Option<&str>,
        reference_year: i16,
    ) -> Result<Lookup> {
        let value = value.trim();
        let (serial, product) = if looks_like_udi(value) {
            let udi = vigilo_udi::parse(value, reference_year)
                .map_err(|e| Invalid::new(field, format!("UDI {value:?}: {e}")))?;
            let serial = udi.serial.ok_or_else(|| {
                Invalid::new(
                    field,
                    format!("UDI {value:?} carries no serial number (AI 21)"),
                )
            })?;
            let product = match product {
                Some(p) => Some(p.to_owned()),
                None => self
                    .fetch_one(Select::<Product>::all().eq("udi_di", udi.gtin.as_str()))
                    .await?
                    .map(|p| p.id),
            };
            (serial, product)
        } else {
            (
                vigilo_registry::input::label(field, value)?,
                product.map(str::to_owned),
            )
        };
        let mut found = self.devices_by_serial(&serial, product.as_deref()).await?;
        Ok(match found.len() {
            0 => Lookup::Nothing,
            1 => Lookup::One(found.remove(0)),
            _ => Lookup::Several(found),
        })
    }

    /// The one device a serial or UDI names, or a bad-input error saying why not.
    pub async fn find_device(
        &self,
        field: &str,
        value: &str,
        product: Option<&str>,
        reference_year: i16,
    ) -> Result<Device> {
        match self
            .lookup_device(field, value, product, reference_year)
            .await?
        {
            Lookup::One(d) => Ok(d),
            Lookup::Nothing => {
                Err(Invalid::new(field, format!("no device with serial or UDI {value:?}")).into())
            }
            Lookup::Several(ds) => {
                let products: Vec<&str> = ds.iter().map(|d| d.product.as_str()).collect();
                Err(Invalid::new(
                    field,
                    format!(
                        "serial {value:?} belongs to devices of several products ({}): give --product",
                        products.join(", ")
                    ),
                )
                .into())
            }
        }
    }
}

// ---- tickets ----------------------------------------------------------------------------------

/// A contact to record. `device` is what was looked up from the serial or UDI given; `hint` is
/// that text, kept when it names no device.
#[derive(Debug, Clone)]
pub struct NewTicket {
    pub channel: Channel,
    pub received_at: Timestamp,
    pub reporter: Option<String>,
    pub device: Option<Device>,
    pub device_hint: Option<String>,
    pub summary: String,
    pub description: Option<String>,
    pub attachments: Vec<NewAttachment>,
    pub source_ref: Option<String>,
}

/// A file that came with a contact, with its bytes.
#[derive(Debug, Clone)]
pub struct NewAttachment {
    pub name: String,
    pub content_type: String,
    pub content: Vec<u8>,
}

/// A ticket with what a reader needs beside it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TicketView {
    #[serde(flatten)]
    pub ticket: Ticket,
    pub serial: Option<String>,
    pub product: Option<String>,
    pub country: Option<Country>,
    pub device_unidentified: bool,
    pub state: TriageState,
    /// Minutes left to triage; negative when overdue, absent once triaged.
    pub triage_minutes_left: Option<i64>,
    pub vigilance_case: Option<i64>,
}

/// A ticket with its complaint record, vigilance case and service events.
#[derive(Debug, Clone, Serialize)]
pub struct TicketDetail {
    #[serde(flatten)]
    pub view: TicketView,
    pub complaint: Option<Complaint>,
    pub missing_for_closure: Vec<&'static str>,
    pub service_events: Vec<i64>,
}

fn refuse_out_of_scope(scope: &DeviceScope, device: &Device) -> Result<()> {
    if scope.allows(device.country) {
        return Ok(());
    }
    Err(Refusal::new(
        "partner engineers work only on devices in the countries of their valid quality agreements",
        format!(
            "device {} is in {}, outside this person's agreements",
            device.serial,
            device.country.as_str()
        ),
    )
    .into())
}

fn check_received(field: &str, received_at: Timestamp, now: Timestamp) -> Result<()> {
    if received_at > now {
        return Err(Invalid::new(
            field,
            format!("{received_at} is in the future (now is {now})"),
        )
        .into());
    }
    Ok(())
}

pub(crate) async fn open_ticket_in(
    tx: &mut WriteTx,
    scope: &DeviceScope,
    new: NewTicket,
    hours: i64,
) -> Result<(Outcome, Ticket)> {
    if let Some(r) = &new.source_ref {
        let existing = tx
            .fetch_one(Select::<Ticket>::all().eq("source_ref", r.as_str()))
            .await?;
        if let Some(t) = existing {
            return Ok((Outcome::Unchanged, t));
        }
    }
    if let Some(d) = &new.device {
        refuse_out_of_scope(scope, d)?;
    }
    let mut attachments = Vec::with_capacity(new.attachments.len());
    for a in new.attachments {
        let sha256 = hex::encode(Sha256::digest(&a.content));
        let size = a.content.len() as u64;
        sqlx::query(
            "INSERT INTO attachment_contents (sha256, content) VALUES ($1, $2) \
             ON CONFLICT (sha256) DO NOTHING",
        )
        .bind(sha256.clone())
        .bind(a.content)
        .execute(tx.conn())
        .await?;
        attachments.push(Attachment {
            name: a.name,
            content_type: a.content_type,
            size,
            sha256: Some(sha256),
        });
    }
    let ticket = Ticket {
        id: tx.next_id(&schema::TICKETS).await?,
        channel: new.channel,
        received_at: new.received_at,
        reporter: new.reporter,
        device: new.device.as_ref().map(|d| d.id),
        device_hint: if new.device.is_some() {
            None
        } else {
            new.device_hint
        },
        summary: new.summary,
        description: new.description,
        attachments,
        source_ref: new.source_ref,
        opened_by: tx.actor().to_owned(),
        triage_due: triage::triage_due(new.received_at, hours),
        classification: None,
        triage_reason: None,
        triaged_by: None,
        triaged_at: None,
        closed_by: None,
        closed_at: None,
    };
    tx.insert("ticket.open", &ticket).await?;
    Ok((Outcome::Added, ticket))
}

/// Opens `ticket`'s vigilance case inside `tx`, or returns the case it has; true when opened.
pub(crate) async fn flag_serious_in(
    tx: &mut WriteTx,
    ticket: &Ticket,
    aware_at: Timestamp,
) -> Result<(VigilanceCase, bool)> {
    if let Some(case) = tx
        .fetch_one(Select::<VigilanceCase>::all().eq("ticket", ticket.id))
        .await?
    {
        return Ok((case, false));
    }
    let case = VigilanceCase {
        id: tx.next_id(&schema::VIGILANCE_CASES).await?,
        ticket: ticket.id,
        device: ticket.device,
        aware_at,
        flagged_by: tx.actor().to_owned(),
        flagged_at: tx.at(),
    };
    tx.insert("vigilance.flag", &case).await?;
    Ok((case, true))
}

impl Store {
    async fn scope_of(&self, actor: &Actor, now: Timestamp) -> Result<DeviceScope> {
        let zone = self.zone().await?;
        self.device_scope(&actor.person, now.to_zoned(zone).date())
            .await
    }

    /// The manufacturer's time zone: it decides calendar dates.
    pub async fn zone(&self) -> Result<jiff::tz::TimeZone> {
        let name = self.manufacturer().await?.timezone;
        Ok(name
            .and_then(|n| jiff::tz::TimeZone::get(&n).ok())
            .unwrap_or(jiff::tz::TimeZone::UTC))
    }

    pub async fn open_ticket(
        &self,
        actor: &Actor,
        new: NewTicket,
        now: Timestamp,
    ) -> Result<TicketView> {
        actor.may(Action::OpenTicket)?;
        check_received("--received-at", new.received_at, now)?;
        let scope = self.scope_of(actor, now).await?;
        let mut tx = self.begin_write(&actor.person.id, now).await?;
        let hours = triage_hours_in(&mut tx).await?;
        let (outcome, ticket) = open_ticket_in(&mut tx, &scope, new, hours).await?;
        if outcome == Outcome::Added {
            tx.commit().await?;
        }
        self.ticket_view(ticket, now).await
    }

    /// Opens a batch of tickets in one transaction: all of them or none. Tickets whose
    /// `source_ref` is already stored are counted as unchanged (re-importing a mailbox or a
    /// help-desk export adds nothing twice).
    pub async fn import_tickets(
        &self,
        actor: &Actor,
        items: Vec<(String, NewTicket)>,
        now: Timestamp,
        progress: &mut (dyn FnMut(usize) + Send),
    ) -> Result<ImportSummary> {
        actor.may(Action::OpenTicket)?;
        let scope = self.scope_of(actor, now).await?;
        let mut tx = self.begin_write(&actor.person.id, now).await?;
        let hours = triage_hours_in(&mut tx).await?;
        let mut summary = ImportSummary::default();
        for (i, (place, new)) in items.into_iter().enumerate() {
            let received = check_received("received_at", new.received_at, now);
            let opened = match received {
                Ok(()) => open_ticket_in(&mut tx, &scope, new, hours).await,
                Err(e) => Err(e),
            };
            match opened {
                Ok((Outcome::Added, _)) => summary.added += 1,
                Ok((Outcome::Unchanged, _)) => summary.unchanged += 1,
                Err(Error::Invalid(e)) => return Err(e.within(place).into()),
                Err(Error::Refused(r)) => {
                    return Err(Refusal::new(r.rule, format!("{place}: {}", r.missing)).into());
                }
                Err(e) => return Err(e),
            }
            progress(i + 1);
        }
        tx.commit().await?;
        Ok(summary)
    }

    async fn ticket_view(&self, ticket: Ticket, as_of: Timestamp) -> Result<TicketView> {
        let device = match ticket.device {
            Some(id) => self.device_by_id(id).await?,
            None => None,
        };
        let case = self
            .fetch_one(Select::<VigilanceCase>::all().eq("ticket", ticket.id))
            .await?;
        Ok(view_of(ticket, device.as_ref(), case.map(|c| c.id), as_of))
    }

    /// Tickets visible in `scope`; open ones first in queue order (overdue on top), then the
    /// closed ones when `include_closed`.
    pub async fn tickets(
        &self,
        scope: &DeviceScope,
        as_of: Timestamp,
        include_closed: bool,
    ) -> Result<Vec<TicketView>> {
        let sql = format!(
            "SELECT {}, d.serial, d.product, d.country, v.id FROM tickets t \
             LEFT JOIN devices d ON d.id = t.device \
             LEFT JOIN vigilance_cases v ON v.ticket = t.id {}",
            columns_of(&schema::TICKETS, "t"),
            if include_closed {
                ""
            } else {
                "WHERE t.closed_at IS NULL"
            }
        );
        let rows = sqlx::query(&sql).fetch_all(&self.pool).await?;
        let width = schema::TICKETS.columns.len();
        let mut views = Vec::with_capacity(rows.len());
        for row in rows {
            let ticket: Ticket = read_as(&row)?;
            let serial: Option<String> = row.try_get(width)?;
            let product: Option<String> = row.try_get(width + 1)?;
            let country: Option<String> = row.try_get(width + 2)?;
            let country = country.and_then(|c| Country::parse("country", &c).ok());
            if let Some(c) = country
                && !scope.allows(c)
            {
                continue;
            }
            if country.is_none() && *scope != DeviceScope::All {
                continue;
            }
            let case: Option<i64> = row.try_get(width + 3)?;
            let mut view = view_of(ticket, None, case, as_of);
            view.serial = serial;
            view.product = product;
            view.country = country;
            views.push(view);
        }
        views.sort_by(|a, b| triage::queue_order(&a.ticket, &b.ticket, as_of));
        Ok(views)
    }

    pub async fn ticket(&self, id: i64) -> Result<Ticket> {
        self.fetch_one(Select::<Ticket>::all().eq("id", id))
            .await?
            .ok_or_else(|| Invalid::new("TICKET", format!("no ticket {id}")).into())
    }

    /// Attachment `number` (counted from 1, in the order received) of ticket `id`, with its
    /// bytes, checked against the hash its ticket record names.
    pub async fn attachment(&self, id: i64, number: usize) -> Result<(Attachment, Vec<u8>)> {
        self.attachment_of(&self.ticket(id).await?, number).await
    }

    /// [`Store::attachment`] of a ticket the caller has read already.
    pub async fn attachment_of(
        &self,
        ticket: &Ticket,
        number: usize,
    ) -> Result<(Attachment, Vec<u8>)> {
        let id = ticket.id;
        let count = ticket.attachments.len();
        let Some(attachment) = number
            .checked_sub(1)
            .and_then(|i| ticket.attachments.get(i).cloned())
        else {
            let detail = match count {
                0 => format!("ticket {id} has no attachments"),
                1 => format!("ticket {id} has 1 attachment; {number} is not 1"),
                n => format!("ticket {id} has {n} attachments; {number} is not one of 1 to {n}"),
            };
            return Err(Invalid::new("NUMBER", detail).into());
        };
        let Some(sha256) = &attachment.sha256 else {
            return Err(Invalid::new(
                "NUMBER",
                format!(
                    "attachment {number} of ticket {id} ({}) was recorded before Vigilo kept attachment contents; it is in the original message, {}",
                    attachment.name,
                    ticket.source_ref.as_deref().unwrap_or("whose source was not recorded")
                ),
            )
            .into());
        };
        let content: Option<Vec<u8>> =
            sqlx::query_scalar("SELECT content FROM attachment_contents WHERE sha256 = $1")
                .bind(sha256.as_str())
                .fetch_optional(&self.pool)
                .await?;
        match content {
            Some(bytes) if hex::encode(Sha256::digest(&bytes)) == *sha256 => {
                Ok((attachment, bytes))
            }
            found => Err(Error::Internal(format!(
                "attachment {number} of ticket {id} ({}): its content was {} outside Vigilo; `vigilo audit verify` names what else was",
                attachment.name,
                if found.is_some() {
                    "altered"
                } else {
                    "deleted"
                }
            ))),
        }
    }

    pub async fn ticket_detail(&self, id: i64, as_of: Timestamp) -> Result<TicketDetail> {
        let ticket = self.ticket(id).await?;
        let complaint = self
            .fetch_one(Select::<Complaint>::all().eq("id", id))
            .await?;
        let view = self.ticket_view(ticket, as_of).await?;
        let missing = complaint
            .as_ref()
            .map(|c| missing_for_closure(c, view.vigilance_case.is_some()))
            .unwrap_or_default();
        let service_events: Vec<i64> =
            sqlx::query_scalar("SELECT id FROM service_events WHERE ticket = $1 ORDER BY id")
                .bind(id)
                .fetch_all(&self.pool)
                .await?;
        Ok(TicketDetail {
            view,
            complaint,
            missing_for_closure: missing,
            service_events,
        })
    }
}

fn view_of(
    ticket: Ticket,
    device: Option<&Device>,
    case: Option<i64>,
    as_of: Timestamp,
) -> TicketView {
    TicketView {
        serial: device.map(|d| d.serial.clone()),
        product: device.map(|d| d.product.clone()),
        country: device.map(|d| d.country),
        device_unidentified: ticket.device_unidentified(),
        state: triage::state(&ticket, as_of),
        triage_minutes_left: triage::time_left(&ticket, as_of).map(|d| d.as_mins()),
        vigilance_case: case,
        ticket,
    }
}

/// Loads a ticket for a change, refusing a closed one.
async fn open_ticket_for_change(tx: &mut WriteTx, id: i64) -> Result<Ticket> {
    let ticket = tx
        .fetch_one(Select::<Ticket>::all().eq("id", id))
        .await?
        .ok_or_else(|| Invalid::new("TICKET", format!("no ticket {id}")))?;
    if let Some(at) = ticket.closed_at {
        return Err(Refusal::new(
            "a closed ticket is not changed (ISO 13485 4.2.5: records remain legible and unaltered)",
            format!("ticket {id} was closed at {at}"),
        )
        .into());
    }
    Ok(ticket)
}

/// The complaint record's changes; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct ComplaintUpdate {
    pub investigation: Option<String>,
    pub reportability: Option<(Reportability, String)>,
    pub correction: Option<(Correction, String)>,
    pub capa_ref: Option<String>,
}

impl Store {
    /// Classifies a ticket. A complaint gets its (empty) complaint record at once.
    pub async fn triage_ticket(
        &self,
        actor: &Actor,
        id: i64,
        class: TicketClass,
        reason: String,
        now: Timestamp,
    ) -> Result<TicketView> {
        actor.may(Action::TriageTicket)?;
        let mut tx = self.begin_write(&actor.person.id, now).await?;
        let before = open_ticket_for_change(&mut tx, id).await?;
        let complaint = tx
            .fetch_one(Select::<Complaint>::all().eq("id", id))
            .await?;
        if complaint.is_some() && class != TicketClass::Complaint {
            return Err(Refusal::new(
                "a complaint stays a complaint (ISO 13485 8.2.2): its record is kept and closed, not reclassified",
                format!("ticket {id} already has a complaint record"),
            )
            .into());
        }
        let after = Ticket {
            classification: Some(class),
            triage_reason: Some(reason),
            triaged_by: Some(actor.person.id.clone()),
            triaged_at: Some(now),
            ..before.clone()
        };
        tx.update("ticket.triage", &before, &after).await?;
        if class == TicketClass::Complaint && complaint.is_none() {
            tx.insert("complaint.open", &Complaint::open(id)).await?;
        }
        tx.commit().await?;
        self.ticket_view(after, now).await
    }

    /// Links an unidentified ticket to its device once the triager has found it.
    pub async fn set_ticket_device(
        &self,
        actor: &Actor,
        id: i64,
        device: &Device,
        now: Timestamp,
    ) -> Result<TicketView> {
        actor.may(Action::TriageTicket)?;
        refuse_out_of_scope(&self.scope_of(actor, now).await?, device)?;
        let mut tx = self.begin_write(&actor.person.id, now).await?;
        let before = open_ticket_for_change(&mut tx, id).await?;
        let after = Ticket {
            device: Some(device.id),
            ..before.clone()
        };
        if after != before {
            tx.update("ticket.device", &before, &after).await?;
            tx.commit().await?;
        }
        self.ticket_view(after, now).await
    }

    pub async fn update_complaint(
        &self,
        actor: &Actor,
        id: i64,
        update: ComplaintUpdate,
        now: Timestamp,
    ) -> Result<TicketDetail> {
        actor.may(Action::RecordComplaint)?;
        let mut tx = self.begin_write(&actor.person.id, now).await?;
        open_ticket_for_change(&mut tx, id).await?;
        let Some(before) = tx
            .fetch_one(Select::<Complaint>::all().eq("id", id))
            .await?
        else {
            return Err(Invalid::new(
                "TICKET",
                format!("ticket {id} is not a complaint: triage it as one first"),
            )
            .into());
        };
        let mut after = before.clone();
        if let Some(i) = update.investigation {
            after.investigation = Some(i);
        }
        if let Some((r, why)) = update.reportability {
            after.reportability = Some(r);
            after.reportability_rationale = Some(why);
        }
        if let Some((c, why)) = update.correction {
            after.correction = Some(c);
            after.correction_rationale = Some(why);
        }
        if let Some(capa) = update.capa_ref {
            after.capa_ref = Some(capa);
        }
        if after != before {
            tx.update("complaint.update", &before, &after).await?;
            tx.commit().await?;
        } else {
            drop(tx);
        }
        self.ticket_detail(id, now).await
    }

    /// Closes a triaged ticket; a complaint only with its 8.2.2 record complete.
    pub async fn close_ticket(&self, actor: &Actor, id: i64, now: Timestamp) -> Result<TicketView> {
        actor.may(Action::CloseTicket)?;
        let mut tx = self.begin_write(&actor.person.id, now).await?;
        let before = open_ticket_for_change(&mut tx, id).await?;
        if before.classification.is_none() {
            return Err(Refusal::new(
                "a ticket is triaged before it is closed (SPEC 3.1)",
                format!("ticket {id} has no classification yet"),
            )
            .into());
        }
        if let Some(c) = tx
            .fetch_one(Select::<Complaint>::all().eq("id", id))
            .await?
        {
            let case = tx
                .fetch_one(Select::<VigilanceCase>::all().eq("ticket", id))
                .await?;
            let missing = missing_for_closure(&c, case.is_some());
            if !missing.is_empty() {
                return Err(Refusal::new(
                    "a complaint is closed only with its investigation and decisions recorded (ISO 13485 8.2.2)",
                    format!("ticket {id} lacks {}", missing.join(", ")),
                )
                .into());
            }
        }
        let after = Ticket {
            closed_by: Some(actor.person.id.clone()),
            closed_at: Some(now),
            ..before.clone()
        };
        tx.update("ticket.close", &before, &after).await?;
        tx.commit().await?;
        self.ticket_view(after, now).await
    }

    /// Flags a suspected serious incident: opens the ticket's vigilance case with the awareness
    /// instant. Flagging a ticket that has its case already returns that case unchanged.
    /// Returns the case and whether it was opened now.
    pub async fn flag_serious(
        &self,
        actor: &Actor,
        id: i64,
        aware_at: Timestamp,
        now: Timestamp,
    ) -> Result<(VigilanceCase, bool)> {
        actor.may(Action::FlagSerious)?;
        if aware_at > now {
            return Err(Invalid::new(
                "--aware-at",
                format!("{aware_at} is in the future (now is {now})"),
            )
            .into());
        }
        let mut tx = self.begin_write(&actor.person.id, now).await?;
        let ticket = tx
            .fetch_one(Select::<Ticket>::all().eq("id", id))
            .await?
            .ok_or_else(|| Invalid::new("TICKET", format!("no ticket {id}")))?;
        let flagged = flag_serious_in(&mut tx, &ticket, aware_at).await?;
        if flagged.1 {
            tx.commit().await?;
        }
        Ok(flagged)
    }

    pub async fn vigilance_cases(&self) -> Result<Vec<VigilanceCase>> {
        self.fetch(Select::<VigilanceCase>::all()).await
    }
}
