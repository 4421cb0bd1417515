//! The OSV record model.
//!
//! Lenient where the schema leaves room for growth: unknown fields,
//! `database_specific` and `ecosystem_specific` are ignored, ecosystems are
//! kept as strings, range, severity and reference types outside today's
//! lists are kept as written (`Other`), and the array fields the schema
//! allows to be `null` read as empty. Strict
//! where a record would otherwise be matched wrongly: `id` and a valid
//! `modified` timestamp are required, every event names exactly one of
//! `introduced`, `fixed`, `last_affected` and `limit`, and a range has events,
//! including an `introduced` one when it is to be evaluated by version.

use jiff::Timestamp;
use serde::{Deserialize, Deserializer, Serialize};

/// Defines an enum of the spellings a schema field lists today, with
/// `Other` keeping any later one as written, and its conversions from and to
/// the string. Known spellings deserialise without allocating.
macro_rules! spelled {
    (
        $(#[$meta:meta])*
        $name:ident { $($(#[$variant_meta:meta])* $variant:ident = $text:literal,)+ }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
        #[serde(into = "String")]
        pub enum $name {
            $($(#[$variant_meta])* $variant,)+
            /// A spelling this crate does not know, as written.
            Other(String),
        }

        impl $name {
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $text,)+
                    $name::Other(text) => text,
                }
            }

            fn known(text: &str) -> Option<$name> {
                match text {
                    $($text => Some($name::$variant),)+
                    _ => None,
                }
            }
        }

        impl From<String> for $name {
            fn from(text: String) -> Self {
                $name::known(&text).unwrap_or($name::Other(text))
            }
        }

        impl From<$name> for String {
            fn from(kind: $name) -> String {
                match kind {
                    $name::Other(text) => text,
                    known => known.as_str().to_owned(),
                }
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct Spelling;
                impl serde::de::Visitor<'_> for Spelling {
                    type Value = $name;
                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str("a string")
                    }
                    fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<$name, E> {
                        Ok($name::known(text).unwrap_or_else(|| $name::Other(text.to_owned())))
                    }
                    fn visit_string<E: serde::de::Error>(self, text: String) -> Result<$name, E> {
                        Ok($name::from(text))
                    }
                }
                deserializer.deserialize_str(Spelling)
            }
        }
    };
}

/// One OSV record.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct Advisory {
    #[serde(deserialize_with = "non_empty")]
    pub id: String,
    pub modified: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<Timestamp>,
    /// A withdrawn advisory never matches.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withdrawn: Option<Timestamp>,
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub aliases: Vec<String>,
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub related: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<String>,
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub severity: Vec<Severity>,
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub affected: Vec<Affected>,
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub references: Vec<Reference>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema_version: Option<String>,
}

/// What the index keeps of an advisory besides its compiled ranges: enough
/// to name a finding, rank it, and tell which of several records sharing an
/// id was kept. The full record (details, references, `versions` lists) stays
/// with whoever stores it; keeping it in the index would more than double
/// the index's memory at OSV's scale.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub id: String,
    pub modified: Timestamp,
    /// A withdrawn advisory never matches.
    pub withdrawn: Option<Timestamp>,
    pub aliases: Vec<String>,
    pub severity: Vec<Severity>,
}

impl From<&Advisory> for Summary {
    fn from(advisory: &Advisory) -> Summary {
        Summary {
            id: advisory.id.clone(),
            modified: advisory.modified,
            withdrawn: advisory.withdrawn,
            aliases: advisory.aliases.clone(),
            severity: advisory.severity.clone(),
        }
    }
}

/// A package and the versions of it that an advisory affects.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct Affected {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub package: Option<Package>,
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub ranges: Vec<Range>,
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub versions: Vec<String>,
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub severity: Vec<Severity>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct Package {
    /// As spelled in the record, with any `:<suffix>` (e.g. `Debian:12`); kept
    /// as a string because OSV keeps adding ecosystems.
    pub ecosystem: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purl: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(try_from = "RawRange")]
pub struct Range {
    #[serde(rename = "type")]
    pub kind: RangeKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repo: Option<String>,
    /// In the record's order, which need not be sorted.
    pub events: Vec<Event>,
}

spelled! {
    /// A range's `type`.
    RangeKind {
        Semver = "SEMVER",
        Ecosystem = "ECOSYSTEM",
        /// Commit ranges; evaluating them needs the repository's history.
        Git = "GIT",
    }
}

impl RangeKind {
    /// Whether the events are version strings that the ecosystem's ordering
    /// can evaluate.
    pub fn is_ordered(&self) -> bool {
        matches!(self, RangeKind::Semver | RangeKind::Ecosystem)
    }
}

/// One entry of a range's timeline.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Deserialize)]
#[serde(try_from = "RawEvent")]
pub enum Event {
    /// `"0"` means "before every version".
    Introduced(String),
    Fixed(String),
    /// Inclusive, unlike `Fixed`.
    LastAffected(String),
    /// Versions at or above every limit are unaffected; a limit containing `*`
    /// is infinity.
    Limit(String),
}

impl Event {
    pub fn version(&self) -> &str {
        match self {
            Event::Introduced(v) | Event::Fixed(v) | Event::LastAffected(v) | Event::Limit(v) => v,
        }
    }

    /// The event's key in OSV.
    pub fn key(&self) -> &'static str {
        match self {
            Event::Introduced(_) => "introduced",
            Event::Fixed(_) => "fixed",
            Event::LastAffected(_) => "last_affected",
            Event::Limit(_) => "limit",
        }
    }
}

/// As OSV's single-key object; serde's enum encoding would be a YAML tag.
impl Serialize for Event {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(1))?;
        map.serialize_entry(self.key(), self.version())?;
        map.end()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct Severity {
    #[serde(rename = "type")]
    pub kind: SeverityKind,
    pub score: String,
}

spelled! {
    /// A severity's `type`: which scoring system `score` is in.
    SeverityKind {
        CvssV2 = "CVSS_V2",
        CvssV3 = "CVSS_V3",
        CvssV4 = "CVSS_V4",
        Ubuntu = "Ubuntu",
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct Reference {
    #[serde(rename = "type")]
    pub kind: ReferenceKind,
    pub url: String,
}

spelled! {
    /// A reference's `type`.
    ReferenceKind {
        Advisory = "ADVISORY",
        Article = "ARTICLE",
        Detection = "DETECTION",
        Discussion = "DISCUSSION",
        Report = "REPORT",
        Fix = "FIX",
        Introduced = "INTRODUCED",
        Git = "GIT",
        Package = "PACKAGE",
        Evidence = "EVIDENCE",
        Web = "WEB",
    }
}

/// The wire shape of an event, so that a malformed one is reported with the
/// parser's position instead of whichever key serde saw first.
#[derive(Deserialize)]
struct RawEvent {
    introduced: Option<String>,
    fixed: Option<String>,
    last_affected: Option<String>,
    limit: Option<String>,
}

impl TryFrom<RawEvent> for Event {
    type Error = String;

    fn try_from(raw: RawEvent) -> Result<Self, String> {
        let mut present = [
            raw.introduced.map(Event::Introduced),
            raw.fixed.map(Event::Fixed),
            raw.last_affected.map(Event::LastAffected),
            raw.limit.map(Event::Limit),
        ]
        .into_iter()
        .flatten();
        match (present.next(), present.next()) {
            (Some(event), None) => Ok(event),
            (None, _) => Err(
                "an event needs one of \"introduced\", \"fixed\", \"last_affected\" or \"limit\""
                    .to_owned(),
            ),
            (Some(first), Some(second)) => Err(format!(
                "an event holds only one of \"introduced\", \"fixed\", \"last_affected\" \
                 and \"limit\", not both {:?} and {:?}",
                first.key(),
                second.key()
            )),
        }
    }
}

#[derive(Deserialize)]
struct RawRange {
    #[serde(rename = "type")]
    kind: RangeKind,
    #[serde(default)]
    repo: Option<String>,
    events: Vec<Event>,
}

impl TryFrom<RawRange> for Range {
    type Error = String;

    fn try_from(raw: RawRange) -> Result<Self, String> {
        if raw.events.is_empty() {
            return Err("a range needs at least one event".to_owned());
        }
        // Without an `introduced` event the evaluation rules call every version
        // unaffected, which would hide a broken record as "not vulnerable".
        if raw.kind.is_ordered()
            && !raw
                .events
                .iter()
                .any(|event| matches!(event, Event::Introduced(_)))
        {
            return Err(format!(
                "{} ranges need an \"introduced\" event",
                raw.kind.as_str()
            ));
        }
        Ok(Range {
            kind: raw.kind,
            repo: raw.repo,
            events: raw.events,
        })
    }
}

/// A list the schema allows to be `null`. Trimmed to size: serde grows it by
/// doubling, and with half a million records held in an index the slack
/// would be a sizeable share of its memory.
pub(crate) fn nullable<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    let mut list = Option::<Vec<T>>::deserialize(deserializer)?.unwrap_or_default();
    list.shrink_to_fit();
    Ok(list)
}

pub(crate) fn non_empty<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    let id = String::deserialize(deserializer)?;
    if id.is_empty() {
        return Err(serde::de::Error::custom(
            "an advisory needs a non-empty \"id\"",
        ));
    }
    Ok(id)
}
