//! The text inputs of registry writes, parsed in one place so that the command line and the
//! HTTP API accept and refuse exactly the same things. Errors name a field as the caller spells
//! it: `--udi-di` on the command line, `udi_di` in JSON ([`Spelling`]).

use crate::fsca::NewFsca;
use crate::registry::{NewAgreement, NewDevice, NewLot, NewProcedureVersion, NewTraining};
use crate::security::NewSignal;
use crate::service::{DeviceKey, NewServiceEvent, PartUse};
use crate::tickets::{ComplaintUpdate, NewTicket};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Deserializer};
use vigilo_registry::input::{self, Invalid};
use vigilo_registry::schedule::parse_schedule;
use vigilo_registry::{
    CheckKind, CheckResult, Country, Device, EuClass, EventType, FdaClass, LotStatus, Product,
    Role, model, word_enum,
};
use vigilo_security::{
    Criteria, Exploitability, Harm, Justification, Outcome as SecurityOutcome, Reachability,
    Remediation, SignalKind, TriageInput, assess,
};
use vigilo_service::{Channel, Correction, Reportability, ServiceOutcome, TicketClass};
use vigilo_trends::{Month, TrendConfig};
use vigilo_vigilance::{Category, IncidentDetails, Market, ReportKind, ReviewDecision};

#[derive(Debug, Clone, Copy)]
pub enum Spelling {
    /// `--valid-from`; the record's own identifier is the positional `ID`.
    Flags,
    /// `valid_from`.
    Json,
}

impl Spelling {
    pub fn name(self, field: &str) -> String {
        match self {
            Spelling::Json => field.to_owned(),
            Spelling::Flags if field == "id" => "ID".to_owned(),
            Spelling::Flags => format!("--{}", field.replace('_', "-")),
        }
    }
}

/// Accepts `5` as well as `"5"`: the command line has only text, JSON has numbers.
fn text_or_number<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    match serde_json::Value::deserialize(d)? {
        serde_json::Value::String(s) => Ok(s),
        serde_json::Value::Number(n) => Ok(n.to_string()),
        other => Err(serde::de::Error::custom(format!(
            "expected a number, found {other}"
        ))),
    }
}

struct Fields(Spelling);

impl Fields {
    fn identifier(&self, f: &str, v: &str) -> Result<String, Invalid> {
        input::identifier(&self.0.name(f), v)
    }
    fn text(&self, f: &str, v: &str) -> Result<String, Invalid> {
        input::text(&self.0.name(f), v)
    }
    fn label(&self, f: &str, v: &str) -> Result<String, Invalid> {
        input::label(&self.0.name(f), v)
    }
    fn date(&self, f: &str, v: &str) -> Result<Date, Invalid> {
        input::date(&self.0.name(f), v)
    }
    fn text_opt(&self, f: &str, v: &Option<String>) -> Result<Option<String>, Invalid> {
        v.as_deref().map(|v| self.text(f, v)).transpose()
    }
    fn label_opt(&self, f: &str, v: &Option<String>) -> Result<Option<String>, Invalid> {
        v.as_deref().map(|v| self.label(f, v)).transpose()
    }
    fn date_opt(&self, f: &str, v: &Option<String>) -> Result<Option<Date>, Invalid> {
        v.as_deref().map(|v| self.date(f, v)).transpose()
    }
    fn required<'a>(&self, f: &str, v: &'a Option<String>, why: &str) -> Result<&'a str, Invalid> {
        v.as_deref()
            .ok_or_else(|| Invalid::new(self.0.name(f), format!("is needed {why}")))
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgreementRequest {
    /// Reference of the quality agreement.
    pub agreement: Option<String>,
    pub valid_from: Option<String>,
    pub valid_to: Option<String>,
    /// ISO 3166-1 alpha-2 codes, comma-separated.
    pub countries: Option<String>,
}

impl AgreementRequest {
    pub fn given(&self) -> bool {
        self.agreement.is_some()
            || self.valid_from.is_some()
            || self.valid_to.is_some()
            || self.countries.is_some()
    }

    pub fn parse(&self, s: Spelling) -> Result<NewAgreement, Invalid> {
        let f = Fields(s);
        let why = "for a service partner's quality agreement";
        let valid_from = f.date(
            "valid_from",
            f.required("valid_from", &self.valid_from, why)?,
        )?;
        let valid_to = f.date("valid_to", f.required("valid_to", &self.valid_to, why)?)?;
        model::agreement_period(
            valid_from,
            valid_to,
            &s.name("valid_from"),
            &s.name("valid_to"),
        )?;
        Ok(NewAgreement {
            reference: f.text("agreement", f.required("agreement", &self.agreement, why)?)?,
            valid_from,
            valid_to,
            countries: input::list(
                &s.name("countries"),
                f.required("countries", &self.countries, why)?,
                Country::parse,
            )?,
        })
    }
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrgRequest {
    pub id: String,
    pub name: String,
    /// A service partner, with its quality agreement.
    #[serde(default)]
    pub partner: bool,
    #[serde(flatten)]
    pub agreement: AgreementRequest,
}

impl OrgRequest {
    pub fn parse(&self, s: Spelling) -> Result<(String, String, Option<NewAgreement>), Invalid> {
        let f = Fields(s);
        let agreement = match (self.partner, self.agreement.given()) {
            (true, _) => Some(self.agreement.parse(s)?),
            (false, true) => {
                return Err(Invalid::new(
                    s.name("agreement"),
                    format!(
                        "only a service partner ({}) has a quality agreement",
                        s.name("partner")
                    ),
                ));
            }
            (false, false) => None,
        };
        Ok((
            f.identifier("id", &self.id)?,
            f.text("name", &self.name)?,
            agreement,
        ))
    }
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonRequest {
    pub id: String,
    pub name: String,
    pub org: String,
    /// admin, triager, technician, vigilance, pms, security, quality, auditor; comma-separated.
    pub role: String,
}

impl PersonRequest {
    pub fn parse(&self, s: Spelling) -> Result<(String, String, String, Vec<Role>), Invalid> {
        let f = Fields(s);
        Ok((
            f.identifier("id", &self.id)?,
            f.text("name", &self.name)?,
            self.org.clone(),
            input::list(&s.name("role"), &self.role, Role::parse)?,
        ))
    }
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProductRequest {
    pub id: String,
    pub name: String,
    /// EU MDR class: I, IIa, IIb or III.
    pub class: String,
    pub fda_class: Option<String>,
    /// GS1 GTIN of the device model.
    pub udi_di: Option<String>,
    pub basic_udi_di: Option<String>,
    /// EU, US or ISO country codes, comma-separated.
    pub markets: Option<String>,
    /// IFU maintenance schedule, e.g. `battery-replacement=24m,calibration=12m`.
    pub schedule: Option<String>,
}

impl ProductRequest {
    pub fn parse(&self, s: Spelling) -> Result<Product, Invalid> {
        let f = Fields(s);
        Ok(Product {
            id: f.identifier("id", &self.id)?,
            name: f.text("name", &self.name)?,
            eu_class: EuClass::parse(&s.name("class"), &self.class)?,
            fda_class: self
                .fda_class
                .as_deref()
                .map(|c| FdaClass::parse(&s.name("fda_class"), c))
                .transpose()?,
            udi_di: self
                .udi_di
                .as_deref()
                .map(|d| model::udi_di(&s.name("udi_di"), d))
                .transpose()?,
            basic_udi_di: f.label_opt("basic_udi_di", &self.basic_udi_di)?,
            markets: match &self.markets {
                Some(m) => input::list(&s.name("markets"), m, model::market)?,
                None => Vec::new(),
            },
            schedule: parse_schedule(&s.name("schedule"), self.schedule.as_deref().unwrap_or(""))?,
        })
    }
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EventTypeRequest {
    pub id: String,
    pub name: String,
}

impl EventTypeRequest {
    pub fn parse(&self, s: Spelling) -> Result<EventType, Invalid> {
        let f = Fields(s);
        Ok(EventType {
            id: f.identifier("id", &self.id)?,
            name: f.text("name", &self.name)?,
        })
    }
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SoftwareRequest {
    pub product: String,
    pub version: String,
    pub released: Option<String>,
}

impl SoftwareRequest {
    pub fn parse(&self, s: Spelling) -> Result<(String, String, Option<Date>), Invalid> {
        let f = Fields(s);
        Ok((
            self.product.clone(),
            f.label("version", &self.version)?,
            f.date_opt("released", &self.released)?,
        ))
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeviceRequest {
    pub product: Option<String>,
    pub serial: Option<String>,
    /// A GS1 UDI string: GTIN, serial and production identifiers in one.
    pub udi: Option<String>,
    /// ISO 3166-1 alpha-2.
    pub country: String,
    /// Installed software version.
    pub software: Option<String>,
    pub customer: Option<String>,
    /// Production lot (UDI-PI).
    pub lot: Option<String>,
    pub manufactured: Option<String>,
    pub expiry: Option<String>,
}

impl DeviceRequest {
    /// `reference_year` reads a UDI's two-digit years (the GS1 century rule).
    pub fn parse(&self, s: Spelling, reference_year: i16) -> Result<NewDevice, Invalid> {
        let f = Fields(s);
        let udi = self
            .udi
            .as_deref()
            .map(|u| {
                vigilo_udi::parse(u, reference_year)
                    .map_err(|e| Invalid::new(s.name("udi"), e.to_string()))
            })
            .transpose()?;
        Ok(NewDevice {
            product: self.product.clone(),
            serial: f.label_opt("serial", &self.serial)?,
            udi,
            country: Some(Country::parse(&s.name("country"), &self.country)?),
            customer: f.text_opt("customer", &self.customer)?,
            software: f.label_opt("software", &self.software)?,
            software_since: None,
            lot: f.label_opt("lot", &self.lot)?,
            manufactured_on: f.date_opt("manufactured", &self.manufactured)?,
            expires_on: f.date_opt("expiry", &self.expiry)?,
        })
    }
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProcedureRequest {
    pub id: String,
    pub version: String,
    pub title: String,
    /// Service event types it governs, comma-separated.
    pub governs: String,
    /// Without it the version is a draft.
    pub effective: Option<String>,
}

impl ProcedureRequest {
    pub fn parse(&self, s: Spelling) -> Result<NewProcedureVersion, Invalid> {
        let f = Fields(s);
        Ok(NewProcedureVersion {
            procedure_id: f.identifier("id", &self.id)?,
            version: f.label("version", &self.version)?,
            title: f.text("title", &self.title)?,
            governs: input::list(&s.name("governs"), &self.governs, input::identifier)?,
            effective_on: f.date_opt("effective", &self.effective)?,
        })
    }
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TrainingRequest {
    pub person: String,
    pub procedure: String,
    pub version: String,
    pub date: String,
    pub trainer: String,
    /// test, supervised or sign-off.
    pub check: String,
    /// pass or fail.
    pub result: String,
}

impl TrainingRequest {
    pub fn parse(&self, s: Spelling) -> Result<NewTraining, Invalid> {
        let f = Fields(s);
        Ok(NewTraining {
            person: self.person.clone(),
            procedure_id: self.procedure.clone(),
            procedure_version: self.version.clone(),
            trained_on: f.date("date", &self.date)?,
            trainer: self.trainer.clone(),
            check_kind: CheckKind::parse(&s.name("check"), &self.check)?,
            result: CheckResult::parse(&s.name("result"), &self.result)?,
        })
    }
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LotRequest {
    pub part: String,
    pub lot: String,
    #[serde(deserialize_with = "text_or_number")]
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub qty: String,
    pub location: Option<String>,
    /// released (default), or quarantined pending incoming inspection.
    pub status: Option<String>,
}

impl LotRequest {
    pub fn parse(&self, s: Spelling) -> Result<NewLot, Invalid> {
        let f = Fields(s);
        Ok(NewLot {
            part: f.identifier("part", &self.part)?,
            lot: f.label("lot", &self.lot)?,
            quantity: input::count(&s.name("qty"), &self.qty, 1)?,
            location: f.text_opt("location", &self.location)?,
            status: LotStatus::parse(
                &s.name("status"),
                self.status.as_deref().unwrap_or("released"),
            )?,
        })
    }
}

// ---- service and support ---------------------------------------------------------------------

/// A text field as given: absent, or blank (an empty form field), reads as not given.
fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// Accepts an optional number as a number or as text (blank is absent).
fn opt_text_or_number<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    match Option::<serde_json::Value>::deserialize(d)? {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(serde_json::Value::String(s)) => Ok(Some(s)),
        Some(serde_json::Value::Number(n)) => Ok(Some(n.to_string())),
        Some(other) => Err(serde::de::Error::custom(format!(
            "expected a number, found {other}"
        ))),
    }
}

/// Which device a request names: the field it came in (as the caller spells it) and the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceNamed {
    pub field: String,
    pub value: String,
    pub product: Option<String>,
}

fn device_named(
    s: Spelling,
    serial: &Option<String>,
    udi: &Option<String>,
    product: &Option<String>,
) -> Result<Option<DeviceNamed>, Invalid> {
    let product = given(product).map(str::to_owned);
    Ok(match (given(serial), given(udi)) {
        (Some(_), Some(_)) => {
            return Err(Invalid::new(
                s.name("udi"),
                format!("give {} or {}, not both", s.name("serial"), s.name("udi")),
            ));
        }
        (Some(v), None) => Some(DeviceNamed {
            field: s.name("serial"),
            value: v.to_owned(),
            product,
        }),
        (None, Some(v)) => Some(DeviceNamed {
            field: s.name("udi"),
            value: v.to_owned(),
            product,
        }),
        (None, None) => None,
    })
}

/// A contact to record (`ticket open`, `POST /api/tickets`, the intake form).
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TicketRequest {
    pub serial: Option<String>,
    /// A scanned GS1 UDI instead of the serial.
    pub udi: Option<String>,
    pub product: Option<String>,
    /// email, phone, portal, partner or field.
    pub channel: String,
    /// RFC 3339; default now.
    pub received_at: Option<String>,
    pub summary: String,
    pub description: Option<String>,
    /// Who reported it (name, e-mail, phone).
    pub reporter: Option<String>,
}

/// A parsed [`TicketRequest`]: the device is still to be looked up (an unknown one is kept as
/// the ticket's hint).
#[derive(Debug, Clone)]
pub struct TicketInput {
    pub device: DeviceNamed,
    pub channel: Channel,
    pub received_at: Timestamp,
    pub summary: String,
    pub description: Option<String>,
    pub reporter: Option<String>,
}

impl TicketInput {
    /// The ticket to open, about `device` when the serial or UDI named one; the text given is
    /// kept as the hint either way.
    pub fn ticket(self, device: Option<Device>) -> NewTicket {
        NewTicket {
            channel: self.channel,
            received_at: self.received_at,
            reporter: self.reporter,
            device,
            device_hint: Some(self.device.value),
            summary: self.summary,
            description: self.description,
            attachments: Vec::new(),
            source_ref: None,
        }
    }
}

impl TicketRequest {
    pub fn parse(&self, s: Spelling, now: Timestamp) -> Result<TicketInput, Invalid> {
        let f = Fields(s);
        let device = device_named(s, &self.serial, &self.udi, &self.product)?.ok_or_else(|| {
            Invalid::new(
                s.name("serial"),
                format!(
                    "is needed (or {}): the serial or UDI the reporter gave",
                    s.name("udi")
                ),
            )
        })?;
        Ok(TicketInput {
            device,
            channel: Channel::parse_contact(&s.name("channel"), &self.channel)?,
            received_at: match given(&self.received_at) {
                Some(t) => input::instant(&s.name("received_at"), t)?,
                None => now,
            },
            summary: f.text("summary", &self.summary)?,
            description: given(&self.description)
                .map(|d| f.text("description", d))
                .transpose()?,
            reporter: given(&self.reporter)
                .map(|r| f.text("reporter", r))
                .transpose()?,
        })
    }
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TriageRequest {
    /// complaint, service or information.
    pub class: String,
    pub reason: String,
}

impl TriageRequest {
    pub fn parse(&self, s: Spelling) -> Result<(TicketClass, String), Invalid> {
        Ok((
            TicketClass::parse(&s.name("class"), &self.class)?,
            Fields(s).text("reason", &self.reason)?,
        ))
    }
}

/// Links an unidentified ticket to its device.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TicketDeviceRequest {
    pub serial: Option<String>,
    pub udi: Option<String>,
    pub product: Option<String>,
}

impl TicketDeviceRequest {
    pub fn parse(&self, s: Spelling) -> Result<DeviceNamed, Invalid> {
        device_named(s, &self.serial, &self.udi, &self.product)?
            .ok_or_else(|| Invalid::new(s.name("serial"), "is needed (or a UDI)"))
    }
}

/// The complaint record (ISO 13485 8.2.2); absent fields stay as they are.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ComplaintRequest {
    pub investigation: Option<String>,
    /// reportable or not-reportable.
    pub reportability: Option<String>,
    pub reportability_rationale: Option<String>,
    /// none, correction or capa.
    pub correction: Option<String>,
    pub correction_rationale: Option<String>,
    /// The CAPA's reference in the quality system.
    pub capa: Option<String>,
}

impl ComplaintRequest {
    pub fn parse(&self, s: Spelling) -> Result<ComplaintUpdate, Invalid> {
        let f = Fields(s);
        let pair = |what: &str, value: &Option<String>, why: &Option<String>| match (
            given(value),
            given(why),
        ) {
            (Some(v), Some(w)) => Ok(Some((
                v.to_owned(),
                f.text(&format!("{what}_rationale"), w)?,
            ))),
            (None, None) => Ok(None),
            (Some(_), None) => Err(Invalid::new(
                s.name(&format!("{what}_rationale")),
                format!("is needed with {}", s.name(what)),
            )),
            (None, Some(_)) => Err(Invalid::new(
                s.name(what),
                format!("is needed with {}", s.name(&format!("{what}_rationale"))),
            )),
        };
        Ok(ComplaintUpdate {
            investigation: given(&self.investigation)
                .map(|i| f.text("investigation", i))
                .transpose()?,
            reportability: pair(
                "reportability",
                &self.reportability,
                &self.reportability_rationale,
            )?
            .map(|(r, why)| Reportability::parse(&s.name("reportability"), &r).map(|r| (r, why)))
            .transpose()?,
            correction: pair("correction", &self.correction, &self.correction_rationale)?
                .map(|(c, why)| Correction::parse(&s.name("correction"), &c).map(|c| (c, why)))
                .transpose()?,
            capa_ref: given(&self.capa).map(|c| f.label("capa", c)).transpose()?,
        })
    }
}

/// A suspected serious incident: when the organisation became aware.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FlagRequest {
    /// RFC 3339; default now.
    pub aware_at: Option<String>,
}

impl FlagRequest {
    pub fn parse(&self, s: Spelling, now: Timestamp) -> Result<Timestamp, Invalid> {
        match given(&self.aware_at) {
            Some(t) => input::instant(&s.name("aware_at"), t),
            None => Ok(now),
        }
    }
}

/// One service event (`service record`, `POST /api/service-events`, the service form).
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ServiceRequest {
    pub serial: Option<String>,
    pub udi: Option<String>,
    pub product: Option<String>,
    /// A service event type, e.g. battery-replacement.
    #[serde(rename = "type")]
    pub event_type: String,
    pub technician: String,
    /// RFC 3339.
    pub performed_at: String,
    /// `PART:LOT` or `PART:LOT:QTY` each.
    #[serde(default)]
    pub parts: Vec<String>,
    /// pass, fail or incomplete.
    pub outcome: String,
    #[serde(default, deserialize_with = "opt_text_or_number")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub ticket: Option<String>,
    pub software_after: Option<String>,
    pub findings: Option<String>,
}

/// A parsed [`ServiceRequest`]; the device is still to be looked up.
#[derive(Debug, Clone)]
pub struct ServiceInput {
    pub device: DeviceNamed,
    pub event_type: String,
    pub technician: String,
    pub performed_at: Timestamp,
    pub parts: Vec<PartUse>,
    pub outcome: ServiceOutcome,
    pub ticket: Option<i64>,
    pub software_after: Option<String>,
    pub findings: Option<String>,
}

impl ServiceInput {
    pub fn event(self, device: Device) -> NewServiceEvent {
        NewServiceEvent {
            device: DeviceKey::Device(device),
            event_type: self.event_type,
            technician: self.technician,
            performed_at: self.performed_at,
            parts: self.parts,
            outcome: self.outcome,
            ticket: self.ticket,
            software_after: self.software_after,
            findings: self.findings,
            source_ref: None,
        }
    }
}

impl ServiceRequest {
    pub fn parse(&self, s: Spelling) -> Result<ServiceInput, Invalid> {
        let f = Fields(s);
        let device = device_named(s, &self.serial, &self.udi, &self.product)?
            .ok_or_else(|| Invalid::new(s.name("serial"), "is needed (or a UDI)"))?;
        let parts_field = match s {
            Spelling::Flags => "--part".to_owned(),
            Spelling::Json => "parts".to_owned(),
        };
        Ok(ServiceInput {
            device,
            event_type: f.identifier("type", self.event_type.trim())?,
            technician: f.identifier("technician", self.technician.trim())?,
            performed_at: input::instant(&s.name("performed_at"), self.performed_at.trim())?,
            parts: self
                .parts
                .iter()
                .filter(|p| !p.trim().is_empty())
                .map(|p| PartUse::parse(&parts_field, p))
                .collect::<Result<_, _>>()?,
            outcome: ServiceOutcome::parse(&s.name("outcome"), self.outcome.trim())?,
            ticket: given(&self.ticket)
                .map(|t| input::count(&s.name("ticket"), t, 1))
                .transpose()?,
            software_after: given(&self.software_after)
                .map(|v| f.label("software_after", v))
                .transpose()?,
            findings: given(&self.findings)
                .map(|v| f.text("findings", v))
                .transpose()?,
        })
    }
}

// ---- vigilance, FSCA, trends and the PMS review (SPEC §3.3, §3.4) ----------------------------

/// A reportability decision (`vigilance decide`, `POST /api/vigilance/{id}/decide`).
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DecideRequest {
    /// serious-public-health-threat, death-or-unanticipated-serious-deterioration,
    /// serious-incident, mdr-30-day, mdr-5-day or not-reportable.
    pub category: String,
    /// Why; a "not reportable" decision needs one too.
    pub rationale: String,
    /// RFC 3339: when the manufacturer became aware that the incident is reportable. A case
    /// earlier judged not reportable runs its clock from here.
    pub reportability_aware_at: Option<String>,
}

#[derive(Debug, Clone)]
pub struct DecideInput {
    pub category: Category,
    pub rationale: String,
    pub reportability_aware_at: Option<Timestamp>,
}

impl DecideRequest {
    pub fn parse(&self, s: Spelling) -> Result<DecideInput, Invalid> {
        Ok(DecideInput {
            category: Category::parse(&s.name("category"), &self.category)?,
            rationale: Fields(s).text("rationale", &self.rationale)?,
            reportability_aware_at: given(&self.reportability_aware_at)
                .map(|t| input::instant(&s.name("reportability_aware_at"), t))
                .transpose()?,
        })
    }
}

/// A report submitted to an authority (`vigilance report`, `POST /api/vigilance/{id}/reports`).
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportRequest {
    /// initial, follow-up, initial-final or final.
    pub kind: String,
    /// RFC 3339.
    pub submitted_at: String,
    /// EU or US (default: the decided category's market, else the device's).
    pub market: Option<String>,
    /// The authority's or the manufacturer's report reference.
    pub reference: Option<String>,
}

#[derive(Debug, Clone)]
pub struct ReportInput {
    pub kind: ReportKind,
    pub market: Option<Market>,
    pub submitted_at: Timestamp,
    pub reference: Option<String>,
}

impl ReportRequest {
    pub fn parse(&self, s: Spelling) -> Result<ReportInput, Invalid> {
        Ok(ReportInput {
            kind: ReportKind::parse(&s.name("kind"), &self.kind)?,
            market: given(&self.market)
                .map(|m| Market::parse(&s.name("market"), m))
                .transpose()?,
            submitted_at: input::instant(&s.name("submitted_at"), self.submitted_at.trim())?,
            reference: given(&self.reference).map(str::to_owned),
        })
    }
}

/// Incident details for the report drafts, in the MIR form's sections. Each section's fields
/// replace the recorded ones of the same name; fields not given stay as recorded.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DetailsRequest {
    /// MIR section 2: `incident_date`, `description`, `device_problem_codes` (IMDRF Annex A),
    /// `component_codes` (G), `health_effect_codes` (E), `health_impact_codes` (F), …
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub incident: serde_json::Map<String, serde_json::Value>,
    /// MIR section 3: `age`, `sex`, `weight_kg`, `remedial_action`.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub patient: serde_json::Map<String, serde_json::Value>,
    /// MIR section 4: `analysis_results`, `investigation_type_codes` (B), `findings_codes` (C),
    /// `conclusion_codes` (D), …
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub investigation: serde_json::Map<String, serde_json::Value>,
    /// MIR section 5; blank clears it.
    pub comments: Option<String>,
}

/// One section of the record with the request's fields laid over it; a field of the wrong type
/// or unknown to the form is named with its section.
fn laid_over<T: serde::Serialize + serde::de::DeserializeOwned>(
    s: Spelling,
    section: &str,
    recorded: &T,
    given: &serde_json::Map<String, serde_json::Value>,
) -> Result<T, Invalid> {
    let mut fields = match serde_json::to_value(recorded) {
        Ok(serde_json::Value::Object(fields)) => fields,
        _ => serde_json::Map::new(),
    };
    fields.extend(given.clone());
    serde_json::from_value(serde_json::Value::Object(fields)).map_err(|e| {
        Invalid::new(
            s.name(section),
            format!("{e}: expected the fields of the MIR form's {section} section"),
        )
    })
}

impl DetailsRequest {
    /// The details to record: the request laid over what is on record.
    pub fn over(
        &self,
        s: Spelling,
        recorded: &IncidentDetails,
    ) -> Result<IncidentDetails, Invalid> {
        Ok(IncidentDetails {
            incident: laid_over(s, "incident", &recorded.incident, &self.incident)?,
            patient: laid_over(s, "patient", &recorded.patient, &self.patient)?,
            investigation: laid_over(
                s,
                "investigation",
                &recorded.investigation,
                &self.investigation,
            )?,
            comments: match &self.comments {
                Some(_) => given(&self.comments).map(str::to_owned),
                None => recorded.comments.clone(),
            },
        })
    }
}

word_enum!(
    /// The report drafts a case can be exported as.
    DraftFormat { MirJson = "mir-json", MirXml = "mir-xml", Fda3500a = "fda-3500a" }
);

/// Which draft of a case (`vigilance draft`, `GET /api/vigilance/{id}/draft`).
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct DraftRequest {
    /// mir-json, mir-xml or fda-3500a.
    pub format: String,
    /// MIR type of report: initial, follow-up, initial-final or final (default: initial until
    /// an initial report is on record, then follow-up).
    pub kind: Option<String>,
}

impl DraftRequest {
    pub fn parse(&self, s: Spelling) -> Result<(DraftFormat, Option<ReportKind>), Invalid> {
        Ok((
            DraftFormat::parse(&s.name("format"), &self.format)?,
            given(&self.kind)
                .map(|k| ReportKind::parse(&s.name("kind"), k))
                .transpose()?,
        ))
    }
}

/// Comma-separated text or a list, as a list: the command line and forms give text, JSON
/// arrays.
fn text_or_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    match Option::<serde_json::Value>::deserialize(d)? {
        None | Some(serde_json::Value::Null) => Ok(Vec::new()),
        Some(serde_json::Value::String(s)) => Ok(s.split(',').map(str::to_owned).collect()),
        Some(v) => Vec::<String>::deserialize(v).map_err(serde::de::Error::custom),
    }
}

/// A field safety corrective action to open (`fsca open`, `POST /api/fsca`, the FSCA form).
/// Empty scope lists do not narrow the scope.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FscaRequest {
    pub id: String,
    pub title: String,
    pub product: String,
    /// Software versions in scope.
    #[serde(default, deserialize_with = "text_or_list")]
    pub versions: Vec<String>,
    /// Device lots or part lots fitted in service.
    #[serde(default, deserialize_with = "text_or_list")]
    pub lots: Vec<String>,
    #[serde(default, deserialize_with = "text_or_list")]
    pub serials: Vec<String>,
    /// ISO 3166-1 alpha-2 codes.
    #[serde(default, deserialize_with = "text_or_list")]
    pub countries: Vec<String>,
    pub reason: String,
    /// The field safety notice text.
    pub notice: String,
    /// The vigilance case it answers.
    #[serde(default, deserialize_with = "opt_text_or_number")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub case: Option<String>,
}

impl FscaRequest {
    pub fn parse(&self, s: Spelling) -> Result<NewFsca, Invalid> {
        let f = Fields(s);
        let labels = |field: &str, items: &[String]| {
            items
                .iter()
                .map(|v| v.trim())
                .filter(|v| !v.is_empty())
                .map(|v| f.label(field, v))
                .collect::<Result<Vec<_>, _>>()
        };
        Ok(NewFsca {
            id: f.label("id", &self.id)?,
            title: f.text("title", &self.title)?,
            product: f.identifier("product", self.product.trim())?,
            versions: labels("versions", &self.versions)?,
            lots: labels("lots", &self.lots)?,
            serials: labels("serials", &self.serials)?,
            countries: labels("countries", &self.countries)?
                .iter()
                .map(|c| Country::parse(&s.name("countries"), c).map(String::from))
                .collect::<Result<_, _>>()?,
            reason: f.text("reason", &self.reason)?,
            notice: f.text("notice", &self.notice)?,
            case_id: given(&self.case)
                .map(|c| input::count(&s.name("case"), c, 1))
                .transpose()?,
        })
    }
}

/// A customer's acknowledgement of a field safety notice (`fsca ack`,
/// `POST /api/fsca/{id}/acknowledgements`).
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FscaAckRequest {
    /// The customer as the FSCA's device list names it.
    pub customer: String,
    /// When the customer acknowledged, RFC 3339; default now.
    pub at: Option<String>,
}

impl FscaAckRequest {
    pub fn parse(&self, s: Spelling, now: Timestamp) -> Result<(String, Timestamp), Invalid> {
        let at = match given(&self.at) {
            Some(t) => input::instant(&s.name("at"), t)?,
            None => now,
        };
        Ok((Fields(s).text("customer", &self.customer)?, at))
    }
}

/// A calendar month, `YYYY-MM`.
pub fn month(field: &str, value: &str) -> Result<Month, Invalid> {
    value
        .trim()
        .parse()
        .map_err(|e: vigilo_trends::MonthError| Invalid::new(field, e.to_string()))
}

/// The statistical settings of a trend assessment; absent ones take the defaults of
/// [`TrendConfig`], with the CUSUM's decision interval matched to the significance level.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema, utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct TrendSettings {
    /// Months before the assessed one that make the baseline (default 12).
    #[serde(default, deserialize_with = "opt_text_or_number")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<u32>))]
    #[cfg_attr(feature = "openapi", param(value_type = Option<u32>))]
    pub baseline_months: Option<String>,
    /// Significance level of the exact tests (default 0.01).
    #[serde(default, deserialize_with = "opt_text_or_number")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<f64>))]
    #[cfg_attr(feature = "openapi", param(value_type = Option<f64>))]
    pub alpha: Option<String>,
}

impl TrendSettings {
    pub fn config(&self, s: Spelling) -> Result<TrendConfig, Invalid> {
        let base = TrendConfig::default();
        let baseline_months = match given(&self.baseline_months) {
            Some(m) => u32::try_from(input::count(&s.name("baseline_months"), m, 1)?)
                .map_err(|_| Invalid::new(s.name("baseline_months"), "is too large"))?,
            None => base.baseline_months,
        };
        let alpha = match given(&self.alpha) {
            Some(a) => a
                .parse::<f64>()
                .ok()
                .filter(|a| *a > 0.0 && *a < 1.0)
                .ok_or_else(|| {
                    Invalid::new(
                        s.name("alpha"),
                        format!("{a:?} is not valid: expected a number between 0 and 1"),
                    )
                })?,
            None => base.alpha,
        };
        Ok(TrendConfig {
            baseline_months,
            alpha,
            cusum_h: TrendConfig::matched_cusum_h(alpha, base.cusum_k_ratio),
            ..base
        })
    }
}

/// A product's trend assessment for a month (`trends`, `GET /api/trends`).
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct TrendRequest {
    pub product: String,
    /// The month assessed, YYYY-MM.
    pub month: String,
}

impl TrendRequest {
    pub fn parse(&self, s: Spelling) -> Result<(String, Month), Invalid> {
        Ok((
            Fields(s).identifier("product", self.product.trim())?,
            month(&s.name("month"), &self.month)?,
        ))
    }
}

/// The monthly PMS review's record (`review record`, `POST /api/reviews`, the review form).
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReviewRequest {
    /// YYYY-MM.
    pub month: String,
    /// no-action, monitor, capa or trend-report.
    pub decision: String,
    /// The written record of the review.
    pub notes: String,
    #[serde(flatten)]
    pub settings: TrendSettings,
}

#[derive(Debug, Clone)]
pub struct ReviewInput {
    pub month: Month,
    pub decision: ReviewDecision,
    pub notes: String,
    pub config: TrendConfig,
}

impl ReviewRequest {
    pub fn parse(&self, s: Spelling) -> Result<ReviewInput, Invalid> {
        Ok(ReviewInput {
            month: month(&s.name("month"), &self.month)?,
            decision: ReviewDecision::parse(&s.name("decision"), &self.decision)?,
            notes: Fields(s).text("notes", &self.notes)?,
            config: self.settings.config(s)?,
        })
    }
}

// ---- the security intake queue (SPEC §3.5) -----------------------------------------------------

/// A vendor advisory or threat-intelligence note (`security signal`, `POST /api/security/signals`).
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignalRequest {
    /// vendor-advisory or threat-intel.
    pub kind: String,
    pub title: String,
    #[serde(default)]
    pub body: String,
    /// The source's advisory id or URL.
    pub reference: Option<String>,
    #[serde(default, deserialize_with = "text_or_list")]
    pub cves: Vec<String>,
    /// CVSS vectors (v2.0, v3.x or v4.0).
    #[serde(default, deserialize_with = "text_or_list")]
    pub cvss: Vec<String>,
    pub product: Option<String>,
    #[serde(default, deserialize_with = "text_or_list")]
    pub versions: Vec<String>,
    /// RFC 3339; default now.
    pub received_at: Option<String>,
}

impl SignalRequest {
    pub fn parse(&self, s: Spelling, now: Timestamp) -> Result<NewSignal, Invalid> {
        let f = Fields(s);
        let kind = SignalKind::parse(&s.name("kind"), &self.kind)?;
        if kind == SignalKind::CveMatch {
            return Err(Invalid::new(
                s.name("kind"),
                "cve-match signals are the findings of imported advisories: \
                 expected vendor-advisory or threat-intel",
            ));
        }
        let listed = |items: &[String]| -> Vec<String> {
            items
                .iter()
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
                .collect()
        };
        let cves = listed(&self.cves);
        if let Some(bad) = cves.iter().find(|c| !is_cve_id(c)) {
            return Err(Invalid::new(
                s.name("cves"),
                format!("{bad:?} is not a CVE id (CVE-YYYY-NNNN, four or more digits)"),
            ));
        }
        let cvss = listed(&self.cvss);
        if let Some(problem) = assess(&cvss).problems.into_iter().next() {
            return Err(Invalid::new(s.name("cvss"), problem));
        }
        Ok(NewSignal {
            kind,
            title: f.text("title", &self.title)?,
            body: self.body.trim().to_owned(),
            reference: f.text_opt("reference", &given(&self.reference).map(str::to_owned))?,
            cves,
            cvss,
            product: given(&self.product)
                .map(|p| f.identifier("product", p))
                .transpose()?,
            versions: listed(&self.versions)
                .iter()
                .map(|v| f.label("versions", v))
                .collect::<Result<_, _>>()?,
            received_at: given(&self.received_at)
                .map(|t| input::instant(&s.name("received_at"), t))
                .transpose()?
                .unwrap_or(now),
        })
    }
}

fn is_cve_id(id: &str) -> bool {
    let mut parts = id.splitn(3, '-');
    parts.next() == Some("CVE")
        && parts
            .next()
            .is_some_and(|y| y.len() == 4 && y.bytes().all(|b| b.is_ascii_digit()))
        && parts
            .next()
            .is_some_and(|n| n.len() >= 4 && n.bytes().all(|b| b.is_ascii_digit()))
}

/// A triage decision on a finding or signal (`security triage`, `POST /api/security/triage`).
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SecurityTriageRequest {
    /// not-relevant, problem-report, patch-management or potential-serious-incident.
    pub outcome: String,
    /// known-exploited, public-exploit, theoretical or not-exploitable.
    pub exploitability: String,
    /// reachable, not-reachable or unknown.
    pub reachability: String,
    /// Patient-harm plausibility: serious, non-serious or none.
    pub harm: String,
    pub rationale: String,
    /// For not-relevant: component_not_present, vulnerable_code_not_present,
    /// vulnerable_code_not_in_execute_path, vulnerable_code_cannot_be_controlled_by_adversary
    /// or inline_mitigations_already_exist.
    pub justification: Option<String>,
    /// For an affected outcome: what is done (the VEX action statement).
    pub action: Option<String>,
    /// For problem-report and patch-management: vendor-fix, workaround, mitigation,
    /// no-fix-planned or none-available.
    pub remediation: Option<String>,
}

impl SecurityTriageRequest {
    pub fn parse(&self, s: Spelling) -> Result<TriageInput, Invalid> {
        Ok(TriageInput {
            outcome: SecurityOutcome::parse(&s.name("outcome"), &self.outcome)?,
            criteria: Criteria {
                exploitability: Exploitability::parse(
                    &s.name("exploitability"),
                    &self.exploitability,
                )?,
                reachability: Reachability::parse(&s.name("reachability"), &self.reachability)?,
                harm: Harm::parse(&s.name("harm"), &self.harm)?,
            },
            rationale: self.rationale.trim().to_owned(),
            justification: given(&self.justification)
                .map(|j| Justification::parse(&s.name("justification"), j))
                .transpose()?,
            action: given(&self.action).map(str::to_owned),
            remediation: given(&self.remediation)
                .map(|r| Remediation::parse(&s.name("remediation"), r))
                .transpose()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_fields_as_the_caller_spells_them() {
        let lot = LotRequest {
            part: "BAT".into(),
            lot: "L1".into(),
            qty: "0".into(),
            location: None,
            status: None,
        };
        assert!(
            lot.parse(Spelling::Flags)
                .unwrap_err()
                .to_string()
                .starts_with("--qty: ")
        );
        assert!(
            lot.parse(Spelling::Json)
                .unwrap_err()
                .to_string()
                .starts_with("qty: ")
        );
        let p = ProductRequest {
            id: "p 1".into(),
            name: "P".into(),
            class: "IIa".into(),
            fda_class: None,
            udi_di: None,
            basic_udi_di: None,
            markets: None,
            schedule: None,
        };
        assert_eq!(p.parse(Spelling::Flags).unwrap_err().field, "ID");
        let a = AgreementRequest {
            agreement: Some("QA".into()),
            valid_from: Some("2026-01-01".into()),
            valid_to: Some("2025-01-01".into()),
            countries: Some("AT".into()),
        };
        assert_eq!(
            a.parse(Spelling::Json).unwrap_err().to_string(),
            "valid_to: 2025-01-01 is before valid_from 2026-01-01: expected the end of the agreement on or after its start"
        );
    }

    #[test]
    fn quantities_come_as_text_or_number() {
        for body in [
            r#"{"part":"P","lot":"L","qty":5}"#,
            r#"{"part":"P","lot":"L","qty":"5"}"#,
        ] {
            let r: LotRequest = serde_json::from_str(body).unwrap();
            assert_eq!(r.parse(Spelling::Json).unwrap().quantity, 5);
        }
        assert!(
            serde_json::from_str::<LotRequest>(r#"{"part":"P","lot":"L","qty":true}"#).is_err()
        );
    }

    #[test]
    fn service_requests_name_their_fields() {
        let r: ServiceRequest = serde_json::from_str(
            r#"{"serial":"SN-1","type":"repair","technician":"tom","performed_at":"2026-03-01T10:00:00Z",
                "parts":["BAT:L1:2",""],"outcome":"pass","ticket":7}"#,
        )
        .unwrap();
        let i = r.parse(Spelling::Json).unwrap();
        assert_eq!(i.parts.len(), 1);
        assert_eq!(i.ticket, Some(7));
        let bad = ServiceRequest {
            parts: vec!["BAT".into()],
            ..r.clone()
        };
        assert_eq!(bad.parse(Spelling::Json).unwrap_err().field, "parts");
        assert_eq!(bad.parse(Spelling::Flags).unwrap_err().field, "--part");
        let c = ComplaintRequest {
            reportability: Some("reportable".into()),
            ..Default::default()
        };
        assert_eq!(
            c.parse(Spelling::Json).unwrap_err().field,
            "reportability_rationale"
        );
        let t = TicketRequest {
            channel: "fax".into(),
            serial: Some("SN-1".into()),
            summary: "x".into(),
            ..Default::default()
        };
        assert_eq!(
            t.parse(Spelling::Json, Timestamp::UNIX_EPOCH)
                .unwrap_err()
                .field,
            "channel"
        );
    }
}
