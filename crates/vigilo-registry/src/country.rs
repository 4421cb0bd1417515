//! Countries (ISO 3166-1 alpha-2) and the markets they belong to.

use crate::input::Invalid;
use serde::{Deserialize, Serialize};
use std::fmt;

/// An ISO 3166-1 alpha-2 country code, upper case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Country([u8; 2]);

/// EU member states, plus the EEA states where the MDR applies through the EEA Agreement
/// (Iceland, Liechtenstein, Norway): their incidents are reported under MDR Art. 87.
const EU_MDR_STATES: [&str; 30] = [
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT",
    "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK", "IS", "LI", "NO",
];

impl Country {
    pub fn parse(field: &str, value: &str) -> Result<Self, Invalid> {
        let upper = value.trim().to_ascii_uppercase();
        match isocountry::CountryCode::for_alpha2(&upper) {
            Ok(_) => {
                let b = upper.as_bytes();
                Ok(Country([b[0], b[1]]))
            }
            Err(_) => Err(Invalid::new(
                field,
                format!("{value:?} is not an ISO 3166-1 alpha-2 country code (e.g. DE, AT, US)"),
            )),
        }
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).expect("constructed from ASCII")
    }

    /// The regulatory market whose vigilance rules apply to a device in this country.
    pub fn market(&self) -> Option<Market> {
        if EU_MDR_STATES.contains(&self.as_str()) {
            Some(Market::Eu)
        } else if self.as_str() == "US" {
            Some(Market::Us)
        } else {
            None
        }
    }
}

impl fmt::Display for Country {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl TryFrom<String> for Country {
    type Error = Invalid;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Country::parse("country", &value)
    }
}

impl From<Country> for String {
    fn from(c: Country) -> String {
        c.as_str().to_owned()
    }
}

/// A regulatory market with its own vigilance rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Market {
    #[serde(rename = "EU")]
    Eu,
    #[serde(rename = "US")]
    Us,
}

impl Market {
    pub fn as_str(&self) -> &'static str {
        match self {
            Market::Eu => "EU",
            Market::Us => "US",
        }
    }

    pub fn parse(field: &str, value: &str) -> Result<Self, Invalid> {
        match value.trim().to_ascii_uppercase().as_str() {
            "EU" => Ok(Market::Eu),
            "US" => Ok(Market::Us),
            _ => Err(Invalid::new(
                field,
                format!("{value:?} is not a market: expected EU or US"),
            )),
        }
    }
}

impl fmt::Display for Market {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// On the wire a string.
#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for Country {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .examples(["DE"])
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for Country {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_checked_against_iso_3166() {
        assert_eq!(Country::parse("--country", "de").unwrap().as_str(), "DE");
        let e = Country::parse("--country", "XX").unwrap_err();
        assert_eq!(
            e.to_string(),
            "--country: \"XX\" is not an ISO 3166-1 alpha-2 country code (e.g. DE, AT, US)"
        );
        assert!(Country::parse("--country", "DEU").is_err());
        assert!(Country::parse("--country", "").is_err());
        assert!(Country::parse("--country", "É").is_err());
    }

    #[test]
    fn markets_follow_the_country() {
        let m = |c| Country::parse("c", c).unwrap().market();
        assert_eq!(m("AT"), Some(Market::Eu));
        assert_eq!(m("NO"), Some(Market::Eu));
        assert_eq!(m("US"), Some(Market::Us));
        assert_eq!(m("CH"), None);
        assert_eq!(m("GB"), None);
    }

    #[test]
    fn serde_validates() {
        let c: Country = serde_json::from_str("\"FR\"").unwrap();
        assert_eq!(serde_json::to_string(&c).unwrap(), "\"FR\"");
        assert!(serde_json::from_str::<Country>("\"ZZ\"").is_err());
    }
}
