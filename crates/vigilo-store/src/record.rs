//! Conversion between typed records, their canonical JSON (what the audit chain holds) and
//! table rows. Both directions go through the same canonical form, so a row read back from the
//! table hashes exactly like the content its audit event recorded.

use crate::error::Error;
use crate::schema::{Kind, Stored, Table};
use jiff::Timestamp;
use serde_json::{Map, Value};
use sqlx::any::{AnyArguments, AnyRow};
use sqlx::query::Query;
use sqlx::{Any, Row};

pub type Record = Map<String, Value>;

/// A value bound into SQL.
#[derive(Debug, Clone, PartialEq)]
pub enum SqlValue {
    Text(Option<String>),
    Int(Option<i64>),
}

impl From<&str> for SqlValue {
    fn from(s: &str) -> Self {
        SqlValue::Text(Some(s.to_owned()))
    }
}
impl From<String> for SqlValue {
    fn from(s: String) -> Self {
        SqlValue::Text(Some(s))
    }
}
impl From<i64> for SqlValue {
    fn from(n: i64) -> Self {
        SqlValue::Int(Some(n))
    }
}

pub(crate) fn bind<'q>(
    q: Query<'q, Any, AnyArguments<'q>>,
    v: SqlValue,
) -> Query<'q, Any, AnyArguments<'q>> {
    match v {
        SqlValue::Text(s) => q.bind(s),
        SqlValue::Int(n) => q.bind(n),
    }
}

fn bad_instant(column: &str, v: &Value) -> Error {
    Error::Internal(format!("column {column}: {v} is not an RFC 3339 instant"))
}

/// Canonical text of an instant at the stored (microsecond) precision.
fn instant_text(micros: i64) -> Option<String> {
    Timestamp::from_microsecond(micros)
        .ok()
        .map(|t| t.to_string())
}

fn instant_micros(column: &str, v: &Value) -> Result<i64, Error> {
    let t: Timestamp = v
        .as_str()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| bad_instant(column, v))?;
    Ok(t.as_microsecond())
}

fn has_fraction(v: &Value) -> bool {
    match v {
        Value::Number(n) => n.is_f64(),
        Value::Array(items) => items.iter().any(has_fraction),
        Value::Object(fields) => fields.values().any(has_fraction),
        _ => false,
    }
}

/// The canonical record of a value: exactly the table's columns, instants at stored precision.
pub fn to_record<T: Stored>(value: &T) -> Result<Record, Error> {
    let table = T::TABLE;
    let Value::Object(mut fields) =
        serde_json::to_value(value).map_err(|e| Error::Internal(format!("{}: {e}", table.name)))?
    else {
        return Err(Error::Internal(format!(
            "{}: not a JSON object",
            table.name
        )));
    };
    let mut record = Record::new();
    for c in table.columns {
        let v = fields.remove(c.name).unwrap_or(Value::Null);
        let v = match (c.kind, v) {
            (Kind::Instant, Value::Null) => Value::Null,
            (Kind::Instant, v) => instant_text(instant_micros(c.name, &v)?)
                .map(Value::String)
                .ok_or_else(|| bad_instant(c.name, &v))?,
            (_, v) if has_fraction(&v) => {
                return Err(Error::Internal(format!(
                    "{}.{}: holds a fractional number, which the audit chain's canonical JSON \
                     cannot carry; keep such a document as JSON text",
                    table.name, c.name
                )));
            }
            (_, v) => v,
        };
        record.insert(c.name.to_owned(), v);
    }
    if let Some(extra) = fields.keys().next() {
        return Err(Error::Internal(format!(
            "{}: field {extra} has no column",
            table.name
        )));
    }
    Ok(record)
}

/// The SQL values of a canonical record, in column order.
pub(crate) fn to_sql(table: &Table, record: &Record) -> Result<Vec<SqlValue>, Error> {
    table
        .columns
        .iter()
        .map(|c| {
            let v = &record[c.name];
            Ok(match (c.kind, v) {
                (Kind::Text, Value::Null) | (Kind::Json, Value::Null) => SqlValue::Text(None),
                (Kind::Integer, Value::Null) | (Kind::Instant, Value::Null) => SqlValue::Int(None),
                (Kind::Text, Value::String(s)) => SqlValue::Text(Some(s.clone())),
                (Kind::Json, v) => SqlValue::Text(Some(v.to_string())),
                (Kind::Integer, Value::Number(n)) if n.is_i64() => SqlValue::Int(n.as_i64()),
                (Kind::Instant, v) => SqlValue::Int(Some(instant_micros(c.name, v)?)),
                (kind, v) => {
                    return Err(Error::Internal(format!(
                        "{}.{}: {v} does not fit a {kind:?} column",
                        table.name, c.name
                    )));
                }
            })
        })
        .collect()
}

/// The canonical record of a stored row. A value that cannot have been written by Vigilo (bad
/// JSON, an impossible instant) is kept as raw text, so verification reports the row as altered
/// instead of failing to read it.
pub(crate) fn from_row(table: &Table, row: &AnyRow) -> Result<Record, Error> {
    let mut values = Vec::with_capacity(table.columns.len());
    for (i, c) in table.columns.iter().enumerate() {
        values.push(match c.kind {
            Kind::Text | Kind::Json => row
                .try_get::<Option<String>, _>(i)?
                .map_or(Value::Null, Value::String),
            Kind::Integer | Kind::Instant => row
                .try_get::<Option<i64>, _>(i)?
                .map_or(Value::Null, Value::from),
        });
    }
    Ok(from_values(table, values))
}

/// The canonical record of a row's raw column values (text as strings, integers as numbers),
/// in column order.
pub(crate) fn from_values(table: &Table, values: Vec<Value>) -> Record {
    let mut record = Record::new();
    for (c, v) in table.columns.iter().zip(values) {
        let v = match (c.kind, v) {
            (Kind::Json, Value::String(text)) => {
                serde_json::from_str(&text).unwrap_or(Value::String(text))
            }
            (Kind::Instant, Value::Number(n)) => match n.as_i64().and_then(instant_text) {
                Some(text) => Value::String(text),
                None => Value::Number(n),
            },
            (_, v) => v,
        };
        record.insert(c.name.to_owned(), v);
    }
    record
}

/// The audit key of a record: its `id`, as text.
pub(crate) fn key_of(record: &Record) -> String {
    match record.get("id") {
        Some(Value::String(s)) => s.clone(),
        Some(v) => v.to_string(),
        None => String::new(),
    }
}

pub(crate) fn from_record<T: Stored>(record: Record) -> Result<T, Error> {
    serde_json::from_value(Value::Object(record)).map_err(|e| {
        Error::Internal(format!(
            "a stored {} record does not read back: {e}",
            T::TABLE.name
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use vigilo_registry::DeviceSoftware;

    #[test]
    fn instants_are_kept_at_microsecond_precision() {
        let t: Timestamp = "2026-03-01T09:30:00.123456789Z".parse().unwrap();
        let rec = to_record(&DeviceSoftware {
            id: 1,
            device: 2,
            version: "1.0".into(),
            installed_at: t,
        })
        .unwrap();
        assert_eq!(rec["installed_at"], "2026-03-01T09:30:00.123456Z");
        let sql = to_sql(DeviceSoftware::TABLE, &rec).unwrap();
        assert_eq!(sql[3], SqlValue::Int(Some(t.as_microsecond())));
        assert_eq!(key_of(&rec), "1");
    }
}
