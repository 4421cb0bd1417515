use std::collections::HashSet;
use std::fmt;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::imdrf::{Annex, CodeTable};

/// A postal address.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    /// Street lines, first to last.
    pub lines: Vec<String>,
    pub city: Option<String>,
    pub postal_code: Option<String>,
    /// State, province or county, where the postal address needs one.
    pub region: Option<String>,
    /// ISO 3166-1 alpha-2 code.
    pub country: Option<String>,
}

impl Address {
    pub(crate) fn is_complete(&self) -> bool {
        !self.lines.is_empty() && self.city.is_some() && self.country.is_some()
    }
}

/// A person or office to contact.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    pub name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

/// A patient's age at the time of the event, in the unit the report gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Age {
    pub value: u16,
    pub unit: AgeUnit,
}

code_enum! {
    /// The unit of an [`Age`].
    pub enum AgeUnit {
        Years = ("years", "years"),
        Months = ("months", "months"),
        Weeks = ("weeks", "weeks"),
        Days = ("days", "days"),
    }
}

code_enum! {
    /// A patient's sex as both forms ask it.
    pub enum Sex {
        Female = ("female", "Female"),
        Male = ("male", "Male"),
        Unknown = ("unknown", "Unknown"),
    }
}

/// One thing wrong in a draft, named by the field that holds it (e.g.
/// `incident.device_problem_codes[1]`), so that the officer can go straight to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DraftProblem {
    pub field: String,
    pub message: String,
}

impl fmt::Display for DraftProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

/// A coded value that is not on its list.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{value}` is not a {kind} code (allowed: {allowed})")]
pub struct UnknownValue {
    pub kind: &'static str,
    pub value: String,
    pub allowed: String,
}

/// Collects the problems of one `validate` run.
#[derive(Default)]
pub(crate) struct Problems(Vec<DraftProblem>);

impl Problems {
    pub(crate) fn push(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push(DraftProblem {
            field: field.into(),
            message: message.into(),
        });
    }

    /// Each code must be a selectable, current term of `annex`. A code listed twice adds
    /// nothing to the report and usually means another code was meant.
    pub(crate) fn codes(&mut self, table: &CodeTable, annex: Annex, field: &str, codes: &[String]) {
        let mut seen = HashSet::new();
        for (i, code) in codes.iter().enumerate() {
            if let Err(e) = table.check(annex, code) {
                self.push(format!("{field}[{i}]"), e.to_string());
            } else if !seen.insert(code.as_str()) {
                self.push(format!("{field}[{i}]"), format!("`{code}` is listed twice"));
            }
        }
    }

    /// Flags `earlier` when both dates are known and it falls after `later`.
    pub(crate) fn in_order(&mut self, earlier: (&str, Option<Date>), later: (&str, Option<Date>)) {
        if let ((field, Some(a)), (other, Some(b))) = (earlier, later)
            && a > b
        {
            self.push(field, format!("{a} is after {other} ({b})"));
        }
    }

    /// Only the shape is checked (two capital letters): the authority's system knows the list.
    pub(crate) fn country(&mut self, field: &str, code: Option<&str>) {
        if let Some(code) = code
            && !(code.len() == 2 && code.bytes().all(|b| b.is_ascii_uppercase()))
        {
            self.push(
                field,
                format!("`{code}` is not an ISO 3166-1 alpha-2 country code"),
            );
        }
    }

    /// A weight is optional, but when given it must be one.
    pub(crate) fn weight(&mut self, field: &str, kg: Option<f64>) {
        if let Some(kg) = kg
            && !(kg.is_finite() && kg > 0.0)
        {
            self.push(field, format!("{kg} is not a body weight in kg"));
        }
    }

    pub(crate) fn finish(self) -> Result<(), Vec<DraftProblem>> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(self.0)
        }
    }
}

/// Collects the fields a draft still lacks.
#[derive(Default)]
pub(crate) struct Missing(Vec<&'static str>);

impl Missing {
    pub(crate) fn need(&mut self, field: &'static str, present: bool) {
        if !present {
            self.0.push(field);
        }
    }

    pub(crate) fn finish(self) -> Vec<&'static str> {
        self.0
    }
}
