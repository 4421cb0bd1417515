//! Service events (SPEC §3.2): recorded only by an engineer authorised at the event's instant,
//! parts issued only from released lots, and the traces, maintenance-due list, recent-service
//! list and training matrix read from them.

use crate::Store;
use crate::db::Backend;
use crate::error::{Error, Result};
use crate::query::Select;
use crate::record::SqlValue;
use crate::registry::{Actor, ImportSummary};
use crate::schema;
use crate::write::{Ready, Staged, Stager, WriteTx};
use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::Serialize;
use sqlx::Row;
use std::collections::{BTreeMap, HashMap, HashSet};
use vigilo_registry::{
    Action, Country, Device, DeviceScope, DeviceSoftware, DeviceStatus, EventType, Invalid,
    LotStatus, OrgKind, Organisation, PartLot, Person, ProcedureVersion, Product, QualityAgreement,
    Refusal, Role, SoftwareVersion, TrainingRecord,
};
use vigilo_service::authorisation::{Engineer, authorise_service};
use vigilo_service::lots::{self, LotHistory};
use vigilo_service::maintenance::{self, Baseline, DueStatus};
use vigilo_service::{ServiceEvent, ServiceOutcome, ServicePart, Ticket};

/// A part as given: `PART:LOT[:QTY]`, or `LOT` alone when the lot number is unique.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartUse {
    pub part: Option<String>,
    pub lot: String,
    pub quantity: i64,
}

impl PartUse {
    pub fn parse(field: &str, value: &str) -> std::result::Result<PartUse, Invalid> {
        let items: Vec<&str> = value.split(':').map(str::trim).collect();
        let bad = || {
            Invalid::new(
                field,
                format!("{value:?} is not a part: expected PART:LOT or PART:LOT:QTY"),
            )
        };
        let (part, lot, qty) = match items.as_slice() {
            [part, lot] => (*part, *lot, "1"),
            [part, lot, qty] => (*part, *lot, *qty),
            _ => return Err(bad()),
        };
        if part.is_empty() || lot.is_empty() {
            return Err(bad());
        }
        Ok(PartUse {
            part: Some(vigilo_registry::input::label(field, part)?),
            lot: vigilo_registry::input::label(field, lot)?,
            quantity: vigilo_registry::input::count(field, qty, 1)?,
        })
    }
}

/// A service event as entered: on the command line, in the service form, or in a bulk file.
#[derive(Debug, Clone)]
pub struct NewServiceEvent {
    pub device: DeviceKey,
    pub event_type: String,
    pub technician: String,
    pub performed_at: Timestamp,
    pub parts: Vec<PartUse>,
    pub outcome: ServiceOutcome,
    pub ticket: Option<i64>,
    pub software_after: Option<String>,
    pub findings: Option<String>,
    pub source_ref: Option<String>,
}

/// How the event names its device: resolved already (one event), or by serial (bulk files).
#[derive(Debug, Clone)]
pub enum DeviceKey {
    Device(Device),
    Serial {
        serial: String,
        product: Option<String>,
    },
}

/// A recorded event with its parts.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ServiceRecord {
    #[serde(flatten)]
    pub event: ServiceEvent,
    pub serial: String,
    pub parts: Vec<ServicePart>,
}

/// A person with what the service rule looks at: their organisation's kind and agreements and
/// their training records.
#[derive(Debug, Clone)]
pub struct EngineerFacts {
    pub person: Person,
    pub org_kind: OrgKind,
    pub agreements: Vec<QualityAgreement>,
    pub trainings: Vec<TrainingRecord>,
}

impl EngineerFacts {
    pub fn engineer(&self) -> Engineer<'_> {
        Engineer {
            person: &self.person,
            org_kind: self.org_kind,
            agreements: &self.agreements,
            trainings: &self.trainings,
        }
    }
}

/// Joins people to their organisation's kind and agreements and to their trainings.
fn engineer_facts(
    orgs: Vec<Organisation>,
    agreements: Vec<QualityAgreement>,
    persons: Vec<Person>,
    trainings: Vec<TrainingRecord>,
) -> HashMap<String, EngineerFacts> {
    let kinds: HashMap<String, OrgKind> = orgs.into_iter().map(|o| (o.id, o.kind)).collect();
    let mut by_org: HashMap<String, Vec<QualityAgreement>> = HashMap::new();
    for a in agreements {
        by_org.entry(a.org.clone()).or_default().push(a);
    }
    let mut by_person: HashMap<String, Vec<TrainingRecord>> = HashMap::new();
    for t in trainings {
        by_person.entry(t.person.clone()).or_default().push(t);
    }
    persons
        .into_iter()
        .map(|p| {
            let facts = EngineerFacts {
                org_kind: kinds.get(&p.org).copied().unwrap_or(OrgKind::Partner),
                agreements: by_org.get(&p.org).cloned().unwrap_or_default(),
                trainings: by_person.remove(&p.id).unwrap_or_default(),
                person: p,
            };
            (facts.person.id.clone(), facts)
        })
        .collect()
}

struct LotStock {
    lot: PartLot,
    history: LotHistory,
    issued: i64,
}

/// Everything the rules look at, loaded once per write: for one event only what it names, for
/// a bulk file everything, so that checking a million events needs no query per event.
struct ServiceContext {
    zone: TimeZone,
    scope: DeviceScope,
    procedures: Vec<ProcedureVersion>,
    event_types: HashSet<String>,
    engineers: HashMap<String, EngineerFacts>,
    lots: HashMap<(String, String), LotStock>,
    lots_by_number: HashMap<String, Vec<String>>,
    devices: HashMap<String, Vec<Device>>,
    software: HashMap<i64, Vec<(Timestamp, String)>>,
    versions: HashSet<(String, String)>,
    tickets: HashMap<i64, Option<i64>>,
    next_event: i64,
    next_part: i64,
    next_software: i64,
}

/// The records one event writes.
struct Prepared {
    event: ServiceEvent,
    parts: Vec<ServicePart>,
    software: Option<DeviceSoftware>,
    /// The event as the service list shows it.
    listed: RecentService,
}

/// Which records to load: for one event, the keys it names.
struct Wanted<'a> {
    technicians: Option<Vec<&'a str>>,
    lots: Option<Vec<&'a str>>,
    devices: Option<Vec<i64>>,
    tickets: Option<Vec<i64>>,
}

/// The status histories of lots (all, or those with `ids`), read from their audit trail: the
/// records of a lot's receipt and of each status change, with the instant each was recorded.
async fn lot_histories(
    tx: &mut WriteTx,
    ids: Option<Vec<i64>>,
) -> Result<HashMap<i64, LotHistory>> {
    #[derive(serde::Deserialize)]
    struct Status {
        status: LotStatus,
    }
    let sql = "SELECT record_key, at, after_json FROM audit_events \
               WHERE record_table = 'part_lots' AND after_json IS NOT NULL";
    let rows = match ids {
        None => {
            sqlx::query(&format!("{sql} ORDER BY seq"))
                .fetch_all(tx.conn())
                .await?
        }
        Some(ids) => {
            let mut rows = Vec::new();
            for id in ids {
                rows.extend(
                    sqlx::query(&format!("{sql} AND record_key = $1 ORDER BY seq"))
                        .bind(id.to_string())
                        .fetch_all(tx.conn())
                        .await?,
                );
            }
            rows
        }
    };
    let mut out: HashMap<i64, LotHistory> = HashMap::new();
    for row in rows {
        let key: String = row.try_get(0)?;
        let at = Timestamp::from_microsecond(row.try_get(1)?)
            .map_err(|e| Error::Internal(format!("lot {key}'s audit trail: {e}")))?;
        let after: String = row.try_get(2)?;
        let (Ok(id), Ok(Status { status })) =
            (key.parse::<i64>(), serde_json::from_str::<Status>(&after))
        else {
            return Err(Error::Internal(format!(
                "the audit trail of lot {key} holds a record that does not read back"
            )));
        };
        match out.get_mut(&id) {
            Some(history) => history.push(at, status),
            None => {
                out.insert(id, LotHistory::received(at, status));
            }
        }
    }
    Ok(out)
}

async fn load_context(
    tx: &mut WriteTx,
    zone: TimeZone,
    scope: DeviceScope,
    wanted: Wanted<'_>,
    preset: Vec<Device>,
) -> Result<ServiceContext> {
    async fn by<T: crate::schema::Stored>(
        tx: &mut WriteTx,
        column: &'static str,
        keys: &Option<Vec<impl Into<crate::SqlValue> + Clone>>,
    ) -> Result<Vec<T>> {
        match keys {
            None => tx.fetch(Select::<T>::all()).await,
            Some(keys) => {
                let mut out = Vec::new();
                for k in keys {
                    out.extend(tx.fetch(Select::<T>::all().eq(column, k.clone())).await?);
                }
                Ok(out)
            }
        }
    }
    let engineers = engineer_facts(
        tx.fetch(Select::<Organisation>::all()).await?,
        tx.fetch(Select::<QualityAgreement>::all()).await?,
        by::<Person>(tx, "id", &wanted.technicians).await?,
        by::<TrainingRecord>(tx, "person", &wanted.technicians).await?,
    );
    let mut lots = HashMap::new();
    let mut lots_by_number: HashMap<String, Vec<String>> = HashMap::new();
    let loaded = by::<PartLot>(tx, "lot", &wanted.lots).await?;
    let ids = wanted
        .lots
        .is_some()
        .then(|| loaded.iter().map(|l| l.id).collect());
    let mut histories = lot_histories(tx, ids).await?;
    for lot in loaded {
        lots_by_number
            .entry(lot.lot.clone())
            .or_default()
            .push(lot.part.clone());
        // Every lot's trail starts with its receipt; a lot without one is a broken chain,
        // which `audit verify` names, and is judged by its status now.
        let history = histories
            .remove(&lot.id)
            .unwrap_or_else(|| LotHistory::received(Timestamp::MIN, lot.status));
        lots.insert(
            (lot.part.clone(), lot.lot.clone()),
            LotStock {
                lot,
                history,
                issued: 0,
            },
        );
    }
    let issued_sql =
        "SELECT lot_id, CAST(SUM(quantity) AS BIGINT) FROM service_parts GROUP BY lot_id";
    let issued: HashMap<i64, i64> = sqlx::query(issued_sql)
        .fetch_all(tx.conn())
        .await?
        .iter()
        .map(|r| Ok((r.try_get::<i64, _>(0)?, r.try_get::<i64, _>(1)?)))
        .collect::<Result<_>>()?;
    for stock in lots.values_mut() {
        stock.issued = issued.get(&stock.lot.id).copied().unwrap_or(0);
    }
    let mut devices: HashMap<String, Vec<Device>> = HashMap::new();
    let loaded = if wanted.devices.is_some() {
        preset
    } else {
        tx.fetch(Select::<Device>::all()).await?
    };
    for d in loaded {
        devices.entry(d.serial.clone()).or_default().push(d);
    }
    let mut software: HashMap<i64, Vec<(Timestamp, String)>> = HashMap::new();
    for h in by::<DeviceSoftware>(tx, "device", &wanted.devices).await? {
        software
            .entry(h.device)
            .or_default()
            .push((h.installed_at, h.version));
    }
    for history in software.values_mut() {
        history.sort();
    }
    let versions = tx
        .fetch(Select::<SoftwareVersion>::all())
        .await?
        .into_iter()
        .map(|v| (v.product, v.version))
        .collect();
    let tickets = by::<Ticket>(tx, "id", &wanted.tickets)
        .await?
        .into_iter()
        .map(|t| (t.id, t.device))
        .collect();
    Ok(ServiceContext {
        zone,
        scope,
        procedures: tx.fetch(Select::<ProcedureVersion>::all()).await?,
        event_types: tx
            .fetch(Select::<EventType>::all())
            .await?
            .into_iter()
            .map(|t| t.id)
            .collect(),
        engineers,
        lots,
        lots_by_number,
        devices,
        software,
        versions,
        tickets,
        next_event: tx.next_id(&schema::SERVICE_EVENTS).await?,
        next_part: tx.next_id(&schema::SERVICE_PARTS).await?,
        next_software: tx.next_id(&schema::DEVICE_SOFTWARE).await?,
    })
}

fn invalid<T>(field: &str, problem: String) -> Result<T> {
    Err(Invalid::new(field, problem).into())
}

impl ServiceContext {
    fn device(&self, key: &DeviceKey) -> Result<Device> {
        let (serial, product) = match key {
            DeviceKey::Device(d) => return Ok(d.clone()),
            DeviceKey::Serial { serial, product } => (serial, product),
        };
        let found: Vec<&Device> = self
            .devices
            .get(serial)
            .map(|ds| {
                ds.iter()
                    .filter(|d| product.as_ref().is_none_or(|p| &d.product == p))
                    .collect()
            })
            .unwrap_or_default();
        match found.as_slice() {
            [d] => Ok((*d).clone()),
            [] => invalid("serial", format!("no device with serial {serial:?}")),
            _ => invalid(
                "serial",
                format!("serial {serial:?} belongs to devices of several products: give product"),
            ),
        }
    }

    fn lot_key(&self, part: &PartUse) -> Result<(String, String)> {
        let parts = self.lots_by_number.get(&part.lot);
        match (&part.part, parts.map(Vec::as_slice)) {
            (Some(p), Some(ps)) if ps.contains(p) => Ok((p.clone(), part.lot.clone())),
            (None, Some([p])) => Ok((p.clone(), part.lot.clone())),
            (None, Some(ps)) if ps.len() > 1 => invalid(
                "--part",
                format!(
                    "lot {:?} exists for several parts ({}): give PART:LOT",
                    part.lot,
                    ps.join(", ")
                ),
            ),
            (Some(p), _) => invalid(
                "--part",
                format!("no lot {:?} of part {p:?} has been received", part.lot),
            ),
            (None, _) => invalid("--part", format!("no lot {:?} has been received", part.lot)),
        }
    }

    fn software_at(&self, device: i64, at: Timestamp) -> Option<String> {
        self.software
            .get(&device)?
            .iter()
            .take_while(|(t, _)| *t <= at)
            .last()
            .map(|(_, v)| v.clone())
    }

    /// Checks one event against every rule and, if it passes, books its parts against the lots'
    /// stock so the next event in the same batch sees them.
    fn prepare(&mut self, new: NewServiceEvent, now: Timestamp) -> Result<Prepared> {
        if new.performed_at > now {
            return invalid(
                "--at",
                format!("{} is in the future (now is {now})", new.performed_at),
            );
        }
        let device = self.device(&new.device)?;
        if !self.scope.allows(device.country) {
            return Err(Refusal::new(
                "partner engineers work only on devices in the countries of their valid quality agreements",
                format!("device {} is in {}, outside this person's agreements", device.serial, device.country.as_str()),
            )
            .into());
        }
        if !self.event_types.contains(&new.event_type) {
            let mut known: Vec<&str> = self.event_types.iter().map(String::as_str).collect();
            known.sort_unstable();
            return invalid(
                "--type",
                format!(
                    "{:?} is not a service event type: expected one of {}",
                    new.event_type,
                    known.join(", ")
                ),
            );
        }
        let Some(engineer) = self.engineers.get(&new.technician) else {
            return invalid("--technician", format!("no person {:?}", new.technician));
        };
        if let Some(t) = new.ticket {
            match self.tickets.get(&t) {
                None => return invalid("--ticket", format!("no ticket {t}")),
                Some(Some(d)) if *d != device.id => {
                    return invalid(
                        "--ticket",
                        format!("ticket {t} is about another device than {}", device.serial),
                    );
                }
                Some(_) => {}
            }
        }
        if let Some(v) = &new.software_after
            && !self.versions.contains(&(device.product.clone(), v.clone()))
        {
            return invalid(
                "--software-after",
                format!("product {} has no software version {v:?}", device.product),
            );
        }
        let day = new.performed_at.to_zoned(self.zone.clone()).date();
        let authorised = authorise_service(
            engineer.engineer(),
            &self.procedures,
            &new.event_type,
            device.country,
            day,
        )?;
        let procedure = authorised.procedure().clone();
        let mut keys = Vec::with_capacity(new.parts.len());
        let mut not_issuable = Vec::new();
        for part in &new.parts {
            let key = self.lot_key(part)?;
            let stock = &self.lots[&key];
            not_issuable.extend(lots::refusal(
                &stock.lot,
                &stock.history,
                stock.issued,
                part.quantity,
                new.performed_at,
            ));
            keys.push(key);
        }
        if !not_issuable.is_empty() {
            return Err(Refusal::new(lots::RULE, not_issuable.join("; ")).into());
        }
        let id = self.next_event;
        self.next_event += 1;
        let mut parts = Vec::with_capacity(keys.len());
        for (key, part) in keys.into_iter().zip(&new.parts) {
            let stock = self.lots.get_mut(&key).expect("looked up above");
            stock.issued += part.quantity;
            parts.push(ServicePart {
                id: self.next_part,
                event: id,
                part: stock.lot.part.clone(),
                lot: stock.lot.lot.clone(),
                lot_id: stock.lot.id,
                quantity: part.quantity,
            });
            self.next_part += 1;
        }
        let software_before = self.software_at(device.id, new.performed_at);
        let software = match &new.software_after {
            Some(v) if software_before.as_ref() != Some(v) => {
                let entry = DeviceSoftware {
                    id: self.next_software,
                    device: device.id,
                    version: v.clone(),
                    installed_at: new.performed_at,
                };
                self.next_software += 1;
                let history = self.software.entry(device.id).or_default();
                history.push((new.performed_at, v.clone()));
                history.sort();
                Some(entry)
            }
            _ => None,
        };
        let listed = RecentService {
            id,
            serial: device.serial,
            product: device.product,
            country: device.country.as_str().to_owned(),
            event_type: new.event_type.clone(),
            performed_at: new.performed_at,
            technician: new.technician.clone(),
            parts: parts
                .iter()
                .map(|p| PartRef {
                    part: p.part.clone(),
                    lot: p.lot.clone(),
                    qty: p.quantity,
                })
                .collect(),
            outcome: new.outcome,
        };
        Ok(Prepared {
            event: ServiceEvent {
                id,
                device: device.id,
                event_type: new.event_type,
                technician: new.technician,
                performed_at: new.performed_at,
                procedure_id: procedure.procedure_id,
                procedure_version: procedure.version,
                outcome: new.outcome,
                ticket: new.ticket,
                software_before,
                software_after: new.software_after,
                findings: new.findings,
                source_ref: new.source_ref,
            },
            parts,
            software,
            listed,
        })
    }
}

/// Stages prepared events: events first, then the parts and software entries that refer to
/// them, then their service-list entries, each kind in multi-row statements.
fn stage_prepared(stager: &mut Stager, batch: Vec<Prepared>) -> Result<Staged> {
    let mut events = Vec::with_capacity(batch.len());
    let mut parts = Vec::new();
    let mut software = Vec::new();
    let mut listed = Vec::with_capacity(batch.len());
    for p in batch {
        listed.push(sql_row(list_row(&p.listed)?));
        events.push(p.event);
        parts.extend(p.parts);
        software.extend(p.software);
    }
    let mut staged = Staged::default();
    stager.stage_many("service.record", &events, &mut staged)?;
    stager.stage_many("service.part", &parts, &mut staged)?;
    stager.stage_many("device.software", &software, &mut staged)?;
    staged.derived(SERVICE_LIST, SERVICE_LIST_COLUMNS, listed);
    Ok(staged)
}

fn may_record_for(actor: &Actor, technician: &str) -> Result<()> {
    actor.may(Action::RecordService)?;
    // A technician records their own work; office staff may enter anyone's report.
    let office = actor
        .person
        .roles
        .iter()
        .any(|r| matches!(r, Role::Admin | Role::Quality));
    if !office && actor.person.id != technician {
        return Err(Refusal::new(
            "a technician records only their own service events",
            format!(
                "{} is not {technician} and holds neither admin nor quality",
                actor.person.id
            ),
        )
        .into());
    }
    Ok(())
}

/// A bulk file's rows being checked, chunk by chunk, on a blocking thread.
struct Bulk {
    ctx: ServiceContext,
    actor: Actor,
    now: Timestamp,
    /// The `source_ref`s stored already, and those seen in the file so far.
    stored: HashSet<String>,
    seen: HashSet<String>,
    invalid: Vec<String>,
    refused: Vec<String>,
    summary: ImportSummary,
}

impl Bulk {
    fn full(&self) -> bool {
        self.invalid.len() + self.refused.len() >= MAX_REPORTED
    }

    /// Checks `rows` against every rule, in file order, and stages the accepted ones.
    fn stage(
        &mut self,
        stager: &mut Stager,
        rows: Vec<(String, NewServiceEvent)>,
    ) -> Result<Staged> {
        let mut batch = Vec::with_capacity(rows.len());
        for (place, new) in rows {
            if let Some(r) = &new.source_ref {
                if self.stored.contains(r) {
                    self.summary.unchanged += 1;
                    continue;
                }
                if !self.seen.insert(r.clone()) {
                    self.invalid
                        .push(format!("{place}: ref {r:?} appears twice in the file"));
                    continue;
                }
            }
            match may_record_for(&self.actor, &new.technician)
                .and_then(|()| self.ctx.prepare(new, self.now))
            {
                Ok(p) => batch.push(p),
                Err(Error::Invalid(e)) => self.invalid.push(e.within(&place).to_string()),
                Err(Error::Refused(r)) => self.refused.push(format!("{place}: {}", r.missing)),
                Err(e) => return Err(e),
            }
            if self.full() {
                break;
            }
        }
        self.summary.added += batch.len();
        stage_prepared(stager, batch)
    }
}

const SERVICE_LIST: &str = "service_list";
const SERVICE_LIST_COLUMNS: &str = "event, performed_at, country, entry";

/// A service-list entry as `service_list.entry` holds it: a JSON array (id, serial, product,
/// country, type, instant in µs, technician, outcome, parts as (part, lot, quantity)), half the
/// bytes of the object the API serves, which keeps the index that holds it small.
type ListEntry = (
    i64,
    String,
    String,
    String,
    String,
    i64,
    String,
    ServiceOutcome,
    Vec<(String, String, i64)>,
);

/// A `service_list` row: event, instant (µs), country, entry.
type ListRow = (i64, i64, String, String);

fn list_row(e: &RecentService) -> Result<ListRow> {
    let parts = e
        .parts
        .iter()
        .map(|p| (p.part.as_str(), p.lot.as_str(), p.qty))
        .collect::<Vec<_>>();
    let entry = serde_json::to_string(&(
        e.id,
        &e.serial,
        &e.product,
        &e.country,
        &e.event_type,
        e.performed_at.as_microsecond(),
        &e.technician,
        e.outcome,
        parts,
    ))
    .map_err(|err| Error::Internal(format!("service list entry of event {}: {err}", e.id)))?;
    Ok((
        e.id,
        e.performed_at.as_microsecond(),
        e.country.clone(),
        entry,
    ))
}

fn sql_row((event, at, country, entry): ListRow) -> Vec<SqlValue> {
    vec![
        SqlValue::Int(Some(event)),
        SqlValue::Int(Some(at)),
        SqlValue::Text(Some(country)),
        SqlValue::Text(Some(entry)),
    ]
}

/// Fills `service_list` from the stored events, devices and parts when it is empty beside
/// stored events: stores made before migration 0011 had no list. One transaction, so a store
/// is never left with part of its list.
pub(crate) async fn fill_service_list(pool: &sqlx::AnyPool, backend: Backend) -> Result<()> {
    let mut tx = pool.begin().await?;
    let listed: Option<i64> = sqlx::query_scalar("SELECT event FROM service_list LIMIT 1")
        .fetch_optional(&mut *tx)
        .await?;
    if listed.is_some() {
        return Ok(());
    }
    for slice in list_slices(&mut tx).await? {
        let rows = derive_list_rows(&mut tx, backend, slice).await?;
        let rows = rows.into_iter().map(sql_row).collect();
        crate::write::insert_rows(&mut tx, backend, SERVICE_LIST, SERVICE_LIST_COLUMNS, rows)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The first event whose `service_list` row is not what its event, device and parts give, or
/// that has a row without an event or an event without a row: the list is not in the audit
/// chain, so `audit verify` checks it against the records it is derived from.
pub(crate) async fn altered_list_row(
    conn: &mut sqlx::AnyConnection,
    backend: Backend,
) -> Result<Option<i64>> {
    for slice in list_slices(conn).await? {
        let derived = derive_list_rows(conn, backend, slice.clone()).await?;
        let stored: Vec<ListRow> = crate::query::fetch_aggregated(
            &mut *conn,
            backend,
            "event, performed_at, country, entry",
            "event, performed_at",
            "service_list WHERE event >= $1 AND event < $2",
            [slice.start.into(), slice.end.into()],
        )
        .await?;
        if derived != stored {
            let at = derived
                .iter()
                .zip(&stored)
                .position(|(d, s)| d != s)
                .unwrap_or(derived.len().min(stored.len()));
            return Ok(derived.get(at).or(stored.get(at)).map(|r| r.0));
        }
    }
    Ok(None)
}

/// Event ids from the lowest to the highest in the events or the list, in slices, so that no
/// one aggregate holds a million events.
async fn list_slices(conn: &mut sqlx::AnyConnection) -> Result<Vec<std::ops::Range<i64>>> {
    const SLICE: i64 = 50_000;
    let (low, high): (Option<i64>, Option<i64>) = sqlx::query_as(
        "SELECT MIN(id), MAX(id) FROM (SELECT id FROM service_events \
         UNION ALL SELECT event FROM service_list) x",
    )
    .fetch_one(&mut *conn)
    .await?;
    let (Some(low), Some(high)) = (low, high) else {
        return Ok(Vec::new());
    };
    Ok((low..=high)
        .step_by(SLICE as usize)
        .map(|start| start..start + SLICE)
        .collect())
}

/// The list rows of the events with ids in `ids`, from the events, their devices and parts.
async fn derive_list_rows(
    conn: &mut sqlx::AnyConnection,
    backend: Backend,
    ids: std::ops::Range<i64>,
) -> Result<Vec<ListRow>> {
    type Line = (
        i64,
        String,
        String,
        String,
        String,
        i64,
        String,
        ServiceOutcome,
        Option<String>,
        Option<String>,
        Option<i64>,
    );
    let lines: Vec<Line> = crate::query::fetch_aggregated(
        &mut *conn,
        backend,
        "e.id, d.serial, d.product, d.country, e.event_type, e.performed_at, e.technician, \
         e.outcome, p.part, p.lot, p.quantity",
        "e.id, p.id",
        "service_events e JOIN devices d ON d.id = e.device \
         LEFT JOIN service_parts p ON p.event = e.id WHERE e.id >= $1 AND e.id < $2",
        [ids.start.into(), ids.end.into()],
    )
    .await?;
    let mut events: Vec<RecentService> = Vec::new();
    for (id, serial, product, country, event_type, at, technician, outcome, part, lot, qty) in lines
    {
        if events.last().is_none_or(|e| e.id != id) {
            events.push(RecentService {
                id,
                serial,
                product,
                country,
                event_type,
                performed_at: instant(at)?,
                technician,
                outcome,
                parts: Vec::new(),
            });
        }
        if let (Some(part), Some(lot), Some(qty)) = (part, lot, qty) {
            let event = events.last_mut().expect("pushed above");
            event.parts.push(PartRef { part, lot, qty });
        }
    }
    events.iter().map(list_row).collect()
}

fn from_list_entry(e: ListEntry) -> Result<RecentService> {
    let (id, serial, product, country, event_type, at, technician, outcome, parts) = e;
    Ok(RecentService {
        id,
        serial,
        product,
        country,
        event_type,
        performed_at: instant(at)?,
        technician,
        parts: parts
            .into_iter()
            .map(|(part, lot, qty)| PartRef { part, lot, qty })
            .collect(),
        outcome,
    })
}

/// How many events a bulk write prepares before writing them.
const BULK_CHUNK: usize = 5_000;
/// How many rejected rows a bulk import lists before it stops checking.
const MAX_REPORTED: usize = 50;

impl Store {
    /// Records one service event, refused unless its technician was authorised at its instant
    /// and its lots may be issued.
    pub async fn record_service(
        &self,
        actor: &Actor,
        new: NewServiceEvent,
        now: Timestamp,
    ) -> Result<ServiceRecord> {
        may_record_for(actor, &new.technician)?;
        let DeviceKey::Device(device) = &new.device else {
            return Err(Error::Internal(
                "record_service takes a resolved device".into(),
            ));
        };
        let zone = self.zone().await?;
        let scope = self
            .device_scope(&actor.person, now.to_zoned(zone.clone()).date())
            .await?;
        let wanted = Wanted {
            technicians: Some(vec![new.technician.as_str()]),
            lots: Some(new.parts.iter().map(|p| p.lot.as_str()).collect()),
            devices: Some(vec![device.id]),
            tickets: Some(new.ticket.into_iter().collect()),
        };
        let preset = vec![device.clone()];
        let mut tx = self.begin_write(&actor.person.id, now).await?;
        let mut ctx = load_context(&mut tx, zone, scope, wanted, preset).await?;
        let prepared = ctx.prepare(new, now)?;
        let record = ServiceRecord {
            event: prepared.event.clone(),
            serial: prepared.listed.serial.clone(),
            parts: prepared.parts.clone(),
        };
        let staged = stage_prepared(tx.stager(), vec![prepared])?;
        tx.flush(staged).await?;
        tx.commit().await?;
        Ok(record)
    }

    /// Records a file of service events in one transaction: all or none. Every row is checked
    /// against the same rules as one event; rejected rows are all listed (up to 50) with their
    /// place, bad input before refusals. Rows whose `source_ref` is stored already are unchanged.
    pub async fn import_service_events(
        &self,
        actor: &Actor,
        items: Vec<(String, NewServiceEvent)>,
        now: Timestamp,
        progress: &mut (dyn FnMut(usize) + Send),
    ) -> Result<ImportSummary> {
        actor.may(Action::RecordService)?;
        let zone = self.zone().await?;
        let scope = self
            .device_scope(&actor.person, now.to_zoned(zone.clone()).date())
            .await?;
        let all = Wanted {
            technicians: None,
            lots: None,
            devices: None,
            tickets: None,
        };
        let mut tx = self.begin_write(&actor.person.id, now).await?;
        let stored = stored_refs(&mut tx, &items).await?;
        let ctx = load_context(&mut tx, zone, scope, all, Vec::new()).await?;
        let mut bulk = Bulk {
            ctx,
            actor: actor.clone(),
            now,
            stored,
            seen: HashSet::new(),
            invalid: Vec::new(),
            refused: Vec::new(),
            summary: ImportSummary::default(),
        };
        let total = items.len();
        let mut rows = items.into_iter();
        let mut checked = 0;
        // Each chunk is checked and staged while the one before it is written.
        let mut pending = Ready::default();
        while !bulk.full() {
            let chunk: Vec<_> = rows.by_ref().take(BULK_CHUNK).collect();
            if chunk.is_empty() {
                break;
            }
            checked += chunk.len();
            let staged;
            (bulk, staged) = tx
                .write_while_staging(std::mem::take(&mut pending), move |stager| {
                    let ready = bulk.stage(stager, chunk).and_then(|s| stager.ready(s));
                    (bulk, ready)
                })
                .await?;
            pending = staged?;
            progress(checked);
        }
        let Bulk {
            invalid: invalid_rows,
            refused: refused_rows,
            summary,
            ..
        } = bulk;
        if !invalid_rows.is_empty() {
            return Err(Invalid::new(
                "service events",
                format!(
                    "{} of {total} rows have bad input; nothing was recorded:\n  {}",
                    invalid_rows.len(),
                    invalid_rows.join("\n  ")
                ),
            )
            .into());
        }
        if !refused_rows.is_empty() {
            return Err(Refusal::new(
                vigilo_service::authorisation::RULE,
                format!(
                    "{} of {total} rows were refused; nothing was recorded:\n  {}",
                    refused_rows.len(),
                    refused_rows.join("\n  ")
                ),
            )
            .into());
        }
        tx.write(pending).await?;
        progress(total);
        tx.commit().await?;
        self.refresh_statistics(&[
            "service_events",
            "service_parts",
            "service_list",
            "device_software",
        ])
        .await?;
        Ok(summary)
    }
}

/// The `source_ref`s of `items` that are stored already.
async fn stored_refs(
    tx: &mut WriteTx,
    items: &[(String, NewServiceEvent)],
) -> Result<HashSet<String>> {
    let refs: Vec<&str> = items
        .iter()
        .filter_map(|(_, n)| n.source_ref.as_deref())
        .collect();
    let mut stored = HashSet::new();
    for chunk in refs.chunks(500) {
        let ps: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT source_ref FROM service_events WHERE source_ref IN ({})",
            ps.join(", ")
        );
        let mut q = sqlx::query_scalar::<_, String>(&sql);
        for r in chunk {
            q = q.bind(*r);
        }
        stored.extend(q.fetch_all(tx.conn()).await?);
    }
    Ok(stored)
}

// ---- reading: traces, recent service, maintenance due, training matrix ----------------------

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LotTraceEntry {
    /// The device's id (for links).
    pub device: i64,
    pub serial: String,
    pub product: String,
    pub country: String,
    /// The service event's id.
    pub event: i64,
    pub event_type: String,
    pub performed_at: Timestamp,
    pub technician: String,
    pub qty: i64,
}

/// Forward trace: a lot to every device that received it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LotTrace {
    pub lot: String,
    pub part: String,
    pub status: LotStatus,
    pub quantity_received: i64,
    pub quantity_issued: i64,
    pub devices: Vec<LotTraceEntry>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PartRef {
    pub part: String,
    pub lot: String,
    pub qty: i64,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeviceTraceEvent {
    pub id: i64,
    #[serde(rename = "type")]
    pub event_type: String,
    pub performed_at: Timestamp,
    pub technician: String,
    pub procedure: String,
    pub procedure_version: String,
    pub parts: Vec<PartRef>,
    pub outcome: ServiceOutcome,
    pub software_before: Option<String>,
    pub software_after: Option<String>,
    pub ticket: Option<i64>,
    pub findings: Option<String>,
}

/// Backward trace: a device to every event, lot, technician and procedure version.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeviceTrace {
    pub serial: String,
    pub product: String,
    pub country: Country,
    pub events: Vec<DeviceTraceEvent>,
}

/// One line of the recent-service list.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecentService {
    pub id: i64,
    pub serial: String,
    pub product: String,
    pub country: String,
    #[serde(rename = "type")]
    pub event_type: String,
    pub performed_at: Timestamp,
    pub technician: String,
    pub parts: Vec<PartRef>,
    pub outcome: ServiceOutcome,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MaintenanceDue {
    pub serial: String,
    pub product: String,
    pub country: Country,
    pub customer: Option<String>,
    pub event_type: String,
    pub interval: String,
    pub last_done: Option<Date>,
    pub baseline: Baseline,
    pub due_on: Option<Date>,
    pub status: DueStatus,
}

/// One cell of the training matrix: may this person do this event type today, on which
/// procedure version, until when.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MatrixEntry {
    pub person: String,
    pub name: String,
    pub org: String,
    pub event_type: String,
    pub authorised: bool,
    pub procedure: Option<String>,
    pub procedure_version: Option<String>,
    /// The last day of the authorisation as known today: the day before a scheduled new
    /// procedure version takes effect, or a partner's agreement ends.
    pub until: Option<Date>,
    /// For partner engineers: the countries their valid agreements cover today.
    pub countries: Option<Vec<Country>>,
    /// Why not, when not authorised.
    pub missing: Option<String>,
}

fn instant(us: i64) -> Result<Timestamp> {
    Timestamp::from_microsecond(us).map_err(|e| Error::Internal(e.to_string()))
}

fn country_in(scope: &DeviceScope) -> String {
    match scope {
        DeviceScope::All => String::new(),
        DeviceScope::Countries(cs) => {
            // Country codes are two ASCII letters, checked on parse: safe to inline.
            let list: Vec<String> = cs.iter().map(|c| format!("'{}'", c.as_str())).collect();
            format!(
                " AND country IN ({})",
                if list.is_empty() {
                    "''".to_owned()
                } else {
                    list.join(", ")
                }
            )
        }
    }
}

impl Store {
    pub async fn trace_lot(&self, lot: &PartLot) -> Result<LotTrace> {
        let rows = sqlx::query(
            "SELECT d.serial, d.product, d.country, e.id, e.event_type, e.performed_at, \
             e.technician, p.quantity, d.id FROM service_parts p \
             JOIN service_events e ON e.id = p.event JOIN devices d ON d.id = e.device \
             WHERE p.lot_id = $1 ORDER BY e.performed_at, e.id",
        )
        .bind(lot.id)
        .fetch_all(&self.pool)
        .await?;
        let mut devices = Vec::with_capacity(rows.len());
        for r in rows {
            devices.push(LotTraceEntry {
                device: r.try_get(8)?,
                serial: r.try_get(0)?,
                product: r.try_get(1)?,
                country: r.try_get(2)?,
                event: r.try_get(3)?,
                event_type: r.try_get(4)?,
                performed_at: instant(r.try_get(5)?)?,
                technician: r.try_get(6)?,
                qty: r.try_get(7)?,
            });
        }
        Ok(LotTrace {
            lot: lot.lot.clone(),
            part: lot.part.clone(),
            status: lot.status,
            quantity_received: lot.quantity,
            quantity_issued: devices.iter().map(|d| d.qty).sum(),
            devices,
        })
    }

    pub async fn trace_device(&self, device: &Device) -> Result<DeviceTrace> {
        let events = self
            .fetch(
                Select::<ServiceEvent>::all()
                    .eq("device", device.id)
                    .order_by("performed_at")
                    .order_by("id"),
            )
            .await?;
        let rows = sqlx::query(
            "SELECT p.event, p.part, p.lot, p.quantity FROM service_parts p \
             JOIN service_events e ON e.id = p.event WHERE e.device = $1 ORDER BY p.id",
        )
        .bind(device.id)
        .fetch_all(&self.pool)
        .await?;
        let mut parts = parts_by_event(rows)?;
        Ok(DeviceTrace {
            serial: device.serial.clone(),
            product: device.product.clone(),
            country: device.country,
            events: events
                .into_iter()
                .map(|e| DeviceTraceEvent {
                    parts: parts.remove(&e.id).unwrap_or_default(),
                    id: e.id,
                    event_type: e.event_type,
                    performed_at: e.performed_at,
                    technician: e.technician,
                    procedure: e.procedure_id,
                    procedure_version: e.procedure_version,
                    outcome: e.outcome,
                    software_before: e.software_before,
                    software_after: e.software_after,
                    ticket: e.ticket,
                    findings: e.findings,
                })
                .collect(),
        })
    }

    /// Service events performed since `since` on devices in `scope`, newest first, with their
    /// parts (the 90-day service list); at most `limit` events, and how many there are in all.
    pub async fn recent_service(
        &self,
        since: Timestamp,
        scope: &DeviceScope,
        limit: Option<i64>,
    ) -> Result<(Vec<RecentService>, i64)> {
        let filter = country_in(scope);
        let since = since.as_microsecond();
        // The entries are JSON already: the database only concatenates them. An aggregate's
        // order is not defined without an ORDER BY of its own, which would sort the entries
        // again, so the newest-first order is restored after parsing.
        let concat = match self.backend() {
            Backend::Sqlite => "group_concat(entry, ',')",
            Backend::Postgres => "string_agg(entry, ',')",
        };
        let text: String = sqlx::query_scalar(&format!(
            "SELECT '[' || COALESCE({concat}, '') || ']' FROM (SELECT entry FROM service_list \
             WHERE performed_at >= $1{filter} ORDER BY performed_at DESC, event DESC LIMIT $2) x"
        ))
        .bind(since)
        .bind(limit.unwrap_or(i64::MAX))
        .fetch_one(&self.pool)
        .await?;
        let entries: Vec<ListEntry> = serde_json::from_str(&text)
            .map_err(|e| Error::Internal(format!("service_list entries: {e}")))?;
        let mut out = entries
            .into_iter()
            .map(from_list_entry)
            .collect::<Result<Vec<_>>>()?;
        out.sort_unstable_by_key(|e| std::cmp::Reverse((e.performed_at, e.id)));
        // Only a page needs counting; a whole list is its own count.
        let total = match limit {
            None => i64::try_from(out.len()).unwrap_or(i64::MAX),
            Some(_) => {
                sqlx::query_scalar(&format!(
                    "SELECT COUNT(*) FROM service_list WHERE performed_at >= $1{filter}"
                ))
                .bind(since)
                .fetch_one(&self.pool)
                .await?
            }
        };
        Ok((out, total))
    }

    /// Devices in the field due or overdue, by `as_of + horizon_days`, for the events their
    /// product's IFU schedule lists; overdue first, then by due date.
    pub async fn maintenance_due(
        &self,
        as_of: Date,
        horizon_days: i32,
        product: Option<&str>,
        scope: &DeviceScope,
    ) -> Result<Vec<MaintenanceDue>> {
        let zone = self.zone().await?;
        let products: Vec<Product> = self
            .products()
            .await?
            .into_iter()
            .filter(|p| !p.schedule.is_empty() && product.is_none_or(|id| id == p.id))
            .collect();
        let mut last: HashMap<(i64, String), Timestamp> = HashMap::new();
        let rows = sqlx::query(
            "SELECT device, event_type, MAX(performed_at) FROM service_events \
             WHERE outcome = 'pass' GROUP BY device, event_type",
        )
        .fetch_all(&self.pool)
        .await?;
        for r in rows {
            last.insert((r.try_get(0)?, r.try_get(1)?), instant(r.try_get(2)?)?);
        }
        let mut out = Vec::new();
        for p in &products {
            let devices = self
                .fetch(
                    Select::<Device>::all()
                        .eq("product", p.id.as_str())
                        .eq("status", DeviceStatus::InField.as_str()),
                )
                .await?;
            for d in devices.into_iter().filter(|d| scope.allows(d.country)) {
                let last_passed = |t: &str| {
                    last.get(&(d.id, t.to_owned()))
                        .map(|at| at.to_zoned(zone.clone()).date())
                };
                for item in maintenance::due_items(
                    &p.schedule,
                    d.manufactured_on,
                    last_passed,
                    as_of,
                    horizon_days,
                ) {
                    out.push(MaintenanceDue {
                        serial: d.serial.clone(),
                        product: d.product.clone(),
                        country: d.country,
                        customer: d.customer.clone(),
                        last_done: last_passed(&item.event_type),
                        event_type: item.event_type,
                        interval: item.interval.to_string(),
                        baseline: item.baseline,
                        due_on: item.due_on,
                        status: item.status,
                    });
                }
            }
        }
        out.sort_by(|a, b| {
            (a.status, a.due_on, &a.serial, &a.event_type).cmp(&(
                b.status,
                b.due_on,
                &b.serial,
                &b.event_type,
            ))
        });
        Ok(out)
    }

    /// Everyone holding the technician role, with what the service rule looks at, by id.
    pub async fn engineers(&self) -> Result<Vec<EngineerFacts>> {
        let mut all: Vec<EngineerFacts> = engineer_facts(
            self.fetch(Select::<Organisation>::all()).await?,
            self.fetch(Select::<QualityAgreement>::all()).await?,
            self.persons().await?,
            self.trainings(None).await?,
        )
        .into_values()
        .filter(|f| f.person.roles.contains(&Role::Technician))
        .collect();
        all.sort_by(|a, b| a.person.id.cmp(&b.person.id));
        Ok(all)
    }

    /// Who may do which service event type today, on which procedure version, until when.
    pub async fn training_matrix(&self, today: Date) -> Result<Vec<MatrixEntry>> {
        let procedures = self.fetch(Select::<ProcedureVersion>::all()).await?;
        let types = self.event_types().await?;
        let mut out = Vec::new();
        for facts in self.engineers().await? {
            let person = &facts.person;
            let kind = facts.org_kind;
            let valid: Vec<&QualityAgreement> = facts
                .agreements
                .iter()
                .filter(|a| a.valid_from <= today && today <= a.valid_to)
                .collect();
            let countries = match DeviceScope::of(kind, &facts.agreements, today) {
                DeviceScope::All => None,
                DeviceScope::Countries(cs) => Some(cs),
            };
            for t in &types {
                let engineer = facts.engineer();
                // A partner is checked against any one country its agreements cover, so the
                // matrix shows competence; the country itself is checked per device.
                let probe = countries
                    .as_ref()
                    .and_then(|cs| cs.first().copied())
                    .unwrap_or(Country::parse("country", "DE").expect("a valid code"));
                let entry = match authorise_service(engineer, &procedures, &t.id, probe, today) {
                    Ok(a) => {
                        let p = a.procedure();
                        let successor = procedures
                            .iter()
                            .filter(|v| v.procedure_id == p.procedure_id)
                            .filter_map(|v| v.effective_on)
                            .filter(|d| *d > today)
                            .min()
                            .map(|d| d.yesterday().unwrap_or(d));
                        let agreement_end = (kind == OrgKind::Partner)
                            .then(|| valid.iter().map(|a| a.valid_to).max())
                            .flatten();
                        let until = [successor, agreement_end].into_iter().flatten().min();
                        MatrixEntry {
                            person: person.id.clone(),
                            name: person.name.clone(),
                            org: person.org.clone(),
                            event_type: t.id.clone(),
                            authorised: true,
                            procedure: Some(p.procedure_id.clone()),
                            procedure_version: Some(p.version.clone()),
                            until,
                            countries: countries.clone(),
                            missing: None,
                        }
                    }
                    Err(r) => MatrixEntry {
                        person: person.id.clone(),
                        name: person.name.clone(),
                        org: person.org.clone(),
                        event_type: t.id.clone(),
                        authorised: false,
                        procedure: None,
                        procedure_version: None,
                        until: None,
                        countries: countries.clone(),
                        missing: Some(r.missing),
                    },
                };
                out.push(entry);
            }
        }
        Ok(out)
    }
}

fn parts_by_event(rows: Vec<sqlx::any::AnyRow>) -> Result<BTreeMap<i64, Vec<PartRef>>> {
    let mut parts: BTreeMap<i64, Vec<PartRef>> = BTreeMap::new();
    for r in rows {
        parts.entry(r.try_get(0)?).or_default().push(PartRef {
            part: r.try_get(1)?,
            lot: r.try_get(2)?,
            qty: r.try_get(3)?,
        });
    }
    Ok(parts)
}
