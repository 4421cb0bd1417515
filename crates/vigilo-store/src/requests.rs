//! The text inputs of registry writes, parsed in one place so that the command line and the
//! HTTP API accept and refuse exactly the same things. Errors name a field as the caller spells
//! it: `--udi-di` on the command line, `udi_di` in JSON ([`Spelling`]).

use crate::registry::{NewAgreement, NewDevice, NewLot, NewProcedureVersion, NewTraining};
use jiff::civil::Date;
use serde::{Deserialize, Deserializer};
use vigilo_registry::input::{self, Invalid};
use vigilo_registry::schedule::parse_schedule;
use vigilo_registry::{
    CheckKind, CheckResult, Country, EuClass, EventType, FdaClass, LotStatus, Product, Role, model,
};

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
}
