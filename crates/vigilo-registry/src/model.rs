//! The registry records as they are stored and exported. Field names are the stored names.

use crate::access::Role;
use crate::country::Country;
use crate::input::Invalid;
use crate::schedule::Schedule;
use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// Declares a closed set of words that is stored, exported and parsed under the same names.
/// The calling crate needs serde in scope and may have an `openapi` feature.
#[macro_export]
macro_rules! word_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $word:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        pub enum $name { $(#[serde(rename = $word)] $variant),+ }

        impl $name {
            pub const WORDS: &'static [(&'static str, $name)] = &[$(($word, $name::$variant)),+];

            pub fn parse(field: &str, value: &str) -> Result<Self, $crate::Invalid> {
                $crate::input::choice(field, value.trim(), Self::WORDS)
            }

            pub fn as_str(&self) -> &'static str {
                match self { $($name::$variant => $word),+ }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

word_enum!(
    /// Manufacturer (exactly one per store), an affiliate of the manufacturer's group, or an
    /// external service partner working under a quality agreement.
    OrgKind { Manufacturer = "manufacturer", Affiliate = "affiliate", Partner = "partner" }
);
word_enum!(
    /// EU MDR risk class (Annex VIII).
    EuClass { I = "I", IIa = "IIa", IIb = "IIb", III = "III" }
);
word_enum!(
    /// FDA device class (21 CFR 860).
    FdaClass { I = "I", II = "II", III = "III" }
);
word_enum!(DeviceStatus { InField = "in-field", Returned = "returned", Scrapped = "scrapped" });
word_enum!(
    /// How competence was checked after training (ISO 13485 6.2 d/e).
    CheckKind { Test = "test", Supervised = "supervised", SignOff = "sign-off" }
);
word_enum!(CheckResult { Pass = "pass", Fail = "fail" });
word_enum!(
    /// Stock status of a part lot (ISO 13485 7.5.8, 8.3): only released lots may be issued.
    LotStatus { Released = "released", Quarantined = "quarantined", Recalled = "recalled" }
);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Organisation {
    pub id: String,
    pub name: String,
    pub kind: OrgKind,
    /// IANA time zone that decides calendar dates (deadlines, reports); the manufacturer's only.
    pub timezone: Option<String>,
}

/// A partner's quality agreement: which countries its engineers may service, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QualityAgreement {
    pub id: i64,
    pub org: String,
    pub reference: String,
    pub valid_from: Date,
    pub valid_to: Date,
    pub countries: Vec<Country>,
}

impl QualityAgreement {
    /// Valid on `day` (both ends inclusive) and covering `country`.
    pub fn covers(&self, country: Country, day: Date) -> bool {
        self.valid_from <= day && day <= self.valid_to && self.countries.contains(&country)
    }
}

/// Checks the validity window of a new agreement; the fields are named as the caller spells
/// them.
pub fn agreement_period(
    valid_from: Date,
    valid_to: Date,
    from_field: &str,
    to_field: &str,
) -> Result<(), Invalid> {
    if valid_to < valid_from {
        return Err(Invalid::new(
            to_field,
            format!(
                "{valid_to} is before {from_field} {valid_from}: expected the end of the agreement on or after its start"
            ),
        ));
    }
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Person {
    pub id: String,
    pub name: String,
    pub org: String,
    pub roles: Vec<Role>,
}

/// The roles a new person of an organisation of `kind` may hold.
pub fn check_roles(kind: OrgKind, roles: &[Role]) -> Result<(), Invalid> {
    if roles.is_empty() {
        return Err(Invalid::new("--role", "at least one role is needed"));
    }
    if kind == OrgKind::Partner
        && let Some(r) = roles.iter().find(|r| !r.allowed_for_partner())
    {
        return Err(Invalid::new(
            "--role",
            format!(
                "{r} is not a role for a service partner's person: expected technician or triager"
            ),
        ));
    }
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Product {
    pub id: String,
    pub name: String,
    pub eu_class: EuClass,
    pub fda_class: Option<FdaClass>,
    /// GS1 GTIN of the device model (the UDI-DI on its label).
    pub udi_di: Option<String>,
    pub basic_udi_di: Option<String>,
    /// `EU`, `US` or ISO 3166-1 country codes of other markets.
    pub markets: Vec<String>,
    /// Service event type → interval such as `24m`.
    #[cfg_attr(feature = "openapi", schema(value_type = std::collections::BTreeMap<String, String>))]
    pub schedule: Schedule,
}

/// A market a product is sold in: `EU`, `US`, or a country code.
pub fn market(field: &str, value: &str) -> Result<String, Invalid> {
    let v = value.trim().to_ascii_uppercase();
    if v == "EU" {
        return Ok(v);
    }
    Country::parse(field, &v)
        .map(|c| c.to_string())
        .map_err(|_| Invalid::new(field, format!("{value:?} is not a market: expected EU, US or an ISO 3166-1 alpha-2 country code")))
}

/// A UDI-DI: a GS1 GTIN of 8, 12, 13 or 14 digits with a valid check digit, kept as GTIN-14.
pub fn udi_di(field: &str, value: &str) -> Result<String, Invalid> {
    let v = value.trim();
    if !matches!(v.len(), 8 | 12 | 13 | 14) || !v.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Invalid::new(
            field,
            format!("{value:?} is not a GS1 GTIN: expected 8, 12, 13 or 14 digits"),
        ));
    }
    let gtin14 = format!("{v:0>14}");
    if !vigilo_udi::gtin_check_digit_is_valid(&gtin14) {
        return Err(Invalid::new(
            field,
            format!("{value:?} has a wrong GS1 check digit"),
        ));
    }
    Ok(gtin14)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EventType {
    pub id: String,
    pub name: String,
}

/// The service event types a new store starts with (SPEC §2); more can be added.
pub const DEFAULT_EVENT_TYPES: [(&str, &str); 5] = [
    ("battery-replacement", "Battery replacement"),
    ("firmware-update", "Firmware update"),
    ("functional-check", "Functional check"),
    ("repair", "Repair"),
    ("calibration", "Calibration"),
];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SoftwareVersion {
    pub id: i64,
    pub product: String,
    pub version: String,
    pub released_on: Option<Date>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Device {
    pub id: i64,
    pub product: String,
    pub serial: String,
    pub country: Country,
    pub customer: Option<String>,
    pub status: DeviceStatus,
    /// UDI-PI production identifiers.
    pub lot: Option<String>,
    pub manufactured_on: Option<Date>,
    pub expires_on: Option<Date>,
}

/// One entry of a device's software history: from `installed_at` the device ran `version`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeviceSoftware {
    pub id: i64,
    pub device: i64,
    pub version: String,
    pub installed_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProcedureVersion {
    pub id: i64,
    pub procedure_id: String,
    pub version: String,
    pub title: String,
    /// Service event types this version governs.
    pub governs: Vec<String>,
    pub effective_on: Option<Date>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TrainingRecord {
    pub id: i64,
    pub person: String,
    pub procedure_id: String,
    pub procedure_version: String,
    pub trained_on: Date,
    pub trainer: String,
    pub check_kind: CheckKind,
    pub result: CheckResult,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PartLot {
    pub id: i64,
    pub part: String,
    pub lot: String,
    pub quantity: i64,
    pub location: Option<String>,
    pub status: LotStatus,
}

/// A person's password, as an Argon2id PHC string (never the password itself).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Credential {
    /// The person.
    pub id: String,
    pub password_hash: String,
    pub changed_at: Timestamp,
}

/// A bearer token for an integration, acting as `person`. Only its SHA-256 is kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiToken {
    pub id: i64,
    pub person: String,
    pub label: String,
    pub token_hash: String,
    pub created_at: Timestamp,
    pub expires_on: Option<Date>,
    pub revoked_at: Option<Timestamp>,
}

/// Record fields that hold secrets (hashes of passwords and tokens): kept in the store and
/// covered by the audit chain, but never shown in listings.
pub const SECRET_FIELDS: [&str; 2] = ["password_hash", "token_hash"];

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn agreements_cover_countries_within_their_dates() {
        let a = QualityAgreement {
            id: 1,
            org: "medserv".into(),
            reference: "QA-2024-07".into(),
            valid_from: date(2024, 1, 1),
            valid_to: date(2025, 12, 31),
            countries: vec![
                Country::parse("c", "AT").unwrap(),
                Country::parse("c", "CH").unwrap(),
            ],
        };
        let at = Country::parse("c", "AT").unwrap();
        let de = Country::parse("c", "DE").unwrap();
        assert!(a.covers(at, date(2024, 1, 1)));
        assert!(a.covers(at, date(2025, 12, 31)));
        assert!(!a.covers(at, date(2026, 1, 1)));
        assert!(!a.covers(at, date(2023, 12, 31)));
        assert!(!a.covers(de, date(2025, 1, 1)));
        assert!(agreement_period(date(2025, 1, 1), date(2024, 1, 1), "from", "to").is_err());
    }

    #[test]
    fn partner_people_do_service_work_only() {
        assert!(check_roles(OrgKind::Partner, &[Role::Technician]).is_ok());
        let e = check_roles(OrgKind::Partner, &[Role::Technician, Role::Quality]).unwrap_err();
        assert!(e.problem.starts_with("quality is not a role"), "{e}");
        assert!(check_roles(OrgKind::Manufacturer, &[]).is_err());
    }

    #[test]
    fn markets_and_udi_dis() {
        assert_eq!(market("--markets", "eu").unwrap(), "EU");
        assert_eq!(market("--markets", "ch").unwrap(), "CH");
        assert!(market("--markets", "EUR").is_err());
        // GS1's example GTIN-13 5901234123457 has check digit 7.
        assert_eq!(
            udi_di("--udi-di", "5901234123457").unwrap(),
            "05901234123457"
        );
        let e = udi_di("--udi-di", "5901234123458").unwrap_err();
        assert!(e.problem.contains("check digit"));
        assert!(udi_di("--udi-di", "59012341234").is_err());
    }

    #[test]
    fn words_round_trip() {
        for (word, v) in LotStatus::WORDS {
            assert_eq!(LotStatus::parse("s", word).unwrap(), *v);
            assert_eq!(serde_json::to_value(v).unwrap(), serde_json::json!(word));
        }
        assert_eq!(EuClass::parse("--class", "IIa").unwrap(), EuClass::IIa);
        assert!(
            EuClass::parse("--class", "2a")
                .unwrap_err()
                .problem
                .contains("I, IIa, IIb, III")
        );
    }
}
