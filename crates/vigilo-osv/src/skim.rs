//! Reading OSV records for the index alone: only the fields it keeps or
//! matches with are stored, the rest are checked as [`crate::Advisory`]
//! checks them and dropped, and strings are borrowed from the record's bytes
//! where they need not outlive it. Building the index through whole records
//! instead takes about a third more CPU per record at OSV's scale
//! (`benches/index.rs` prints both), much of it allocating details,
//! references and per-version strings only to drop them again.

use std::borrow::Cow;
use std::fmt;

use jiff::Timestamp;
use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, SeqAccess, Visitor};

use crate::index::{Named, Prepared};
use crate::model::{self, Range, Summary, non_empty, nullable};

/// One OSV record as the index reads it. The unused fields are typed, and
/// the structs named as the model's, so that a record [`crate::parse_json`]
/// rejects is rejected here too, with the same message: serde names the
/// struct in some.
#[derive(Deserialize)]
pub(crate) struct Advisory<'a> {
    #[serde(deserialize_with = "non_empty")]
    id: String,
    modified: Timestamp,
    #[serde(default, rename = "published")]
    _published: Option<Timestamp>,
    #[serde(default)]
    withdrawn: Option<Timestamp>,
    #[serde(default, deserialize_with = "nullable")]
    aliases: Vec<String>,
    #[serde(default, rename = "related")]
    _related: Option<Vec<Text>>,
    #[serde(default, rename = "summary")]
    _summary: Option<Text>,
    #[serde(default, rename = "details")]
    _details: Option<Text>,
    #[serde(default, deserialize_with = "nullable")]
    severity: Vec<model::Severity>,
    #[serde(default, borrow, deserialize_with = "nullable")]
    affected: Vec<Affected<'a>>,
    #[serde(default, rename = "references")]
    _references: Option<Vec<Reference>>,
    #[serde(default, rename = "schema_version")]
    _schema_version: Option<Text>,
}

#[derive(Deserialize)]
struct Affected<'a> {
    #[serde(default, borrow)]
    package: Option<Package<'a>>,
    #[serde(default, deserialize_with = "nullable")]
    ranges: Vec<Range>,
    #[serde(default)]
    versions: Listing,
    #[serde(default, rename = "severity")]
    _severity: Option<Vec<Severity>>,
}

#[derive(Deserialize)]
struct Package<'a> {
    #[serde(borrow)]
    ecosystem: Cow<'a, str>,
    #[serde(borrow)]
    name: Cow<'a, str>,
    #[serde(default, rename = "purl")]
    _purl: Option<Text>,
}

/// An affected entry's severity, which the index does not keep.
#[derive(Deserialize)]
struct Severity {
    #[serde(rename = "type")]
    _kind: Text,
    #[serde(rename = "score")]
    _score: Text,
}

/// A reference, which the index does not keep.
#[derive(Deserialize)]
struct Reference {
    #[serde(rename = "type")]
    _kind: Text,
    #[serde(rename = "url")]
    _url: Text,
}

impl Advisory<'_> {
    pub(crate) fn prepare(self) -> Prepared {
        let summary = Summary {
            id: self.id,
            modified: self.modified,
            withdrawn: self.withdrawn,
            aliases: self.aliases,
            severity: self.severity,
        };
        let mut affected = self.affected;
        let entries = affected
            .iter_mut()
            .enumerate()
            .filter_map(|(position, affected)| {
                let package = affected.package.as_ref()?;
                Some(Named {
                    position,
                    ecosystem: &package.ecosystem,
                    name: &package.name,
                    ranges: std::mem::take(&mut affected.ranges),
                    versions: std::mem::take(&mut affected.versions),
                })
            });
        Prepared::new(summary, entries)
    }
}

/// A string that is read and checked but not kept.
struct Text;

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Text, D::Error> {
        deserializer.deserialize_str(Append(None))?;
        Ok(Text)
    }
}

/// Reads a string, appending it to the buffer if there is one.
struct Append<'b>(Option<&'b mut String>);

impl Visitor<'_> for Append<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<(), E> {
        if let Some(buffer) = self.0 {
            buffer.push_str(text);
        }
        Ok(())
    }
}

impl<'de> DeserializeSeed<'de> for Append<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_str(self)
    }
}

/// An affected entry's `versions` list in two allocations instead of one a
/// version: the strings end to end, and where each ends. Real entries list
/// hundreds of versions, and the index keeps them until a query needs them.
#[derive(Debug, Default)]
pub(crate) struct Listing {
    text: Box<str>,
    ends: Box<[u32]>,
}

impl Listing {
    pub(crate) fn new<'s>(versions: impl IntoIterator<Item = &'s str>) -> Listing {
        let mut text = String::new();
        let ends = versions
            .into_iter()
            .map(|version| {
                text.push_str(version);
                narrow(text.len())
            })
            .collect();
        Listing {
            text: text.into(),
            ends,
        }
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &str> {
        let mut start = 0;
        self.ends.iter().map(move |&end| {
            let version = &self.text[start as usize..end as usize];
            start = end;
            version
        })
    }
}

/// No record holds a `versions` list of 4 GiB: archive entries are capped far
/// below, and a file that large would not be an OSV record.
fn narrow(n: usize) -> u32 {
    u32::try_from(n).expect("a versions list fits u32 offsets")
}

impl<'de> Deserialize<'de> for Listing {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Listing, D::Error> {
        struct List;
        impl<'de> Visitor<'de> for List {
            type Value = Listing;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a sequence")
            }

            // The schema allows the list to be `null`.
            fn visit_none<E: de::Error>(self) -> Result<Listing, E> {
                Ok(Listing::default())
            }

            fn visit_unit<E: de::Error>(self) -> Result<Listing, E> {
                Ok(Listing::default())
            }

            fn visit_some<D: Deserializer<'de>>(self, inner: D) -> Result<Listing, D::Error> {
                inner.deserialize_seq(List)
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Listing, A::Error> {
                let mut text = String::new();
                let mut ends = Vec::new();
                while seq.next_element_seed(Append(Some(&mut text)))?.is_some() {
                    let end = u32::try_from(text.len())
                        .map_err(|_| de::Error::custom("a versions list of over 4 GiB"))?;
                    ends.push(end);
                }
                Ok(Listing {
                    text: text.into(),
                    ends: ends.into(),
                })
            }
        }
        deserializer.deserialize_option(List)
    }
}
