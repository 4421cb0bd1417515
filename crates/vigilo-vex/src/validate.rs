//! Validation of the outputs against the formats' official JSON schemas, embedded so that
//! an export is checked before it leaves Vigilo, with no network: the schemas' remote `$ref`s
//! are answered from the embedded copies (sources and licences in tests/data/SOURCES.md).

use std::collections::HashMap;
use std::sync::OnceLock;

use jsonschema::{Retrieve, Uri, Validator};
use serde_json::Value;

/// The formats this crate writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Schema {
    CycloneDx16,
    OpenVex020,
    Csaf20,
}

fn parse(text: &str) -> Value {
    serde_json::from_str(text).expect("an embedded schema is JSON")
}

/// Answers the embedded `$ref`s and refuses any other URI.
struct Embedded(HashMap<&'static str, &'static str>);

impl Retrieve for Embedded {
    fn retrieve(
        &self,
        uri: &Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        let bare = uri.as_str().split(['?', '#']).next().unwrap_or_default();
        self.0
            .get(bare)
            .map(|text| parse(text))
            .ok_or_else(|| format!("schema {bare} is not embedded").into())
    }
}

fn build(schema: &str, refs: &[(&'static str, &'static str)]) -> Validator {
    jsonschema::options()
        .should_validate_formats(true)
        .with_retriever(Embedded(refs.iter().copied().collect()))
        .build(&parse(schema))
        .expect("an embedded schema compiles")
}

impl Schema {
    /// The compiled validator, built once per process.
    pub fn validator(self) -> &'static Validator {
        static CYCLONEDX: OnceLock<Validator> = OnceLock::new();
        static OPENVEX: OnceLock<Validator> = OnceLock::new();
        static CSAF: OnceLock<Validator> = OnceLock::new();
        match self {
            Schema::CycloneDx16 => CYCLONEDX.get_or_init(|| {
                build(
                    include_str!("../tests/data/cyclonedx/bom-1.6.schema.json"),
                    &[
                        (
                            "http://cyclonedx.org/schema/spdx.schema.json",
                            include_str!("../tests/data/cyclonedx/spdx.schema.json"),
                        ),
                        (
                            "http://cyclonedx.org/schema/jsf-0.82.schema.json",
                            include_str!("../tests/data/cyclonedx/jsf-0.82.schema.json"),
                        ),
                    ],
                )
            }),
            Schema::OpenVex020 => OPENVEX.get_or_init(|| {
                build(
                    include_str!("../tests/data/openvex/openvex_json_schema.json"),
                    &[],
                )
            }),
            Schema::Csaf20 => CSAF.get_or_init(|| {
                build(
                    include_str!("../tests/data/csaf/csaf_json_schema.json"),
                    &[
                        (
                            "https://www.first.org/cvss/cvss-v2.0.json",
                            include_str!("../tests/data/csaf/first/cvss-v2.0.json"),
                        ),
                        (
                            "https://www.first.org/cvss/cvss-v3.0.json",
                            include_str!("../tests/data/csaf/first/cvss-v3.0.json"),
                        ),
                        (
                            "https://www.first.org/cvss/cvss-v3.1.json",
                            include_str!("../tests/data/csaf/first/cvss-v3.1.json"),
                        ),
                    ],
                )
            }),
        }
    }

    /// The schema errors of `instance`, one line each with where; empty when valid.
    pub fn errors(self, instance: &Value) -> Vec<String> {
        self.validator()
            .iter_errors(instance)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect()
    }
}

/// The VEX formats: their word, file suffix and media type, written and checked in one step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    CycloneDx,
    OpenVex,
    Csaf,
}

impl Format {
    pub const ALL: [Format; 3] = [Format::CycloneDx, Format::OpenVex, Format::Csaf];

    pub fn word(self) -> &'static str {
        match self {
            Format::CycloneDx => "cyclonedx",
            Format::OpenVex => "openvex",
            Format::Csaf => "csaf",
        }
    }

    /// The word a user types, `None` for any other.
    pub fn from_word(word: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.word() == word.trim())
    }

    pub fn suffix(self) -> &'static str {
        match self {
            Format::CycloneDx => "cdx.json",
            Format::OpenVex => "openvex.json",
            Format::Csaf => "csaf.json",
        }
    }

    pub fn media_type(self) -> &'static str {
        match self {
            Format::CycloneDx => "application/vnd.cyclonedx+json",
            Format::OpenVex | Format::Csaf => "application/json",
        }
    }

    pub fn schema(self) -> Schema {
        match self {
            Format::CycloneDx => Schema::CycloneDx16,
            Format::OpenVex => Schema::OpenVex020,
            Format::Csaf => Schema::Csaf20,
        }
    }

    /// The document in this format, checked against the format's official schema: a
    /// regulator's or customer's tool must never be the first to find it malformed.
    pub fn write(self, doc: &crate::VexDocument) -> Result<Value, crate::VexError> {
        let value = match self {
            Format::CycloneDx => crate::cyclonedx(doc)?,
            Format::OpenVex => crate::openvex(doc)?,
            Format::Csaf => crate::csaf_vex(doc)?,
        };
        self.schema().check(value)
    }
}

impl Schema {
    /// `value` when it is valid, else every schema error.
    pub fn check(self, value: Value) -> Result<Value, crate::VexError> {
        let errors = self.errors(&value);
        if errors.is_empty() {
            Ok(value)
        } else {
            Err(crate::VexError::Schema {
                schema: self,
                errors,
            })
        }
    }
}
