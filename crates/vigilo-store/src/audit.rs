//! Reading and verifying the audit chain.

use crate::db::Backend;
use crate::error::{Error, Result};
use crate::record::{from_row, key_of};
use crate::schema::ALL_TABLES;
use futures_util::TryStreamExt;
use serde::Serialize;
use serde_json::Value;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use vigilo_audit::{AuditEvent, Break, ChainVerifier, Hash};

#[derive(Debug, Clone, Serialize)]
pub struct Verified {
    pub events: i64,
    pub records: u64,
    #[serde(serialize_with = "hash_hex")]
    pub head: Hash,
}

fn hash_hex<S: serde::Serializer>(h: &Hash, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.collect_str(h)
}

/// Which audit events to list.
#[derive(Debug, Default, Clone)]
pub struct AuditFilter {
    pub table: Option<String>,
    pub key: Option<String>,
    /// Any of these record keys (with `table`), instead of one `key`.
    pub keys: Vec<String>,
    pub actor: Option<String>,
    /// Only the most recent `limit` events.
    pub limit: Option<i64>,
}

pub(crate) const EVENT_COLUMNS: &str =
    "seq, at, actor, action, record_table, record_key, before_json, after_json, prev_hash, hash";

/// JSON as stored; text that is not JSON (an edit behind Vigilo's back) is kept as a string so
/// that it fails the hash check instead of the read.
/// Replaces secret fields (password and token hashes) in listed content.
fn redact(value: &mut Option<Value>) {
    if let Some(Value::Object(fields)) = value {
        for name in vigilo_registry::model::SECRET_FIELDS {
            if let Some(v) = fields.get_mut(name) {
                *v = Value::String("[redacted]".into());
            }
        }
    }
}

fn stored_json(text: Option<String>) -> Option<Value> {
    text.map(|t| serde_json::from_str(&t).unwrap_or(Value::String(t)))
}

/// An event row; `Err(seq)` when a stored hash is not even a hash.
fn event_from_row(row: &AnyRow) -> Result<std::result::Result<AuditEvent, i64>> {
    let seq: i64 = row.try_get(0)?;
    let prev: String = row.try_get(8)?;
    let hash: String = row.try_get(9)?;
    let (Ok(prev_hash), Ok(hash)) = (prev.parse::<Hash>(), hash.parse::<Hash>()) else {
        return Ok(Err(seq));
    };
    Ok(Ok(AuditEvent {
        seq,
        at: row.try_get(1)?,
        actor: row.try_get(2)?,
        action: row.try_get(3)?,
        table: row.try_get(4)?,
        key: row.try_get(5)?,
        before: stored_json(row.try_get(6)?),
        after: stored_json(row.try_get(7)?),
        prev_hash,
        hash,
    }))
}

impl crate::Store {
    /// The chain's head: the last event's sequence number and hash. Publishing it elsewhere
    /// (a ticket, a signed e-mail) anchors the chain: a rewrite of the whole store from that
    /// point on would then show.
    pub async fn audit_head(&self) -> Result<(i64, Hash)> {
        let row = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
            .fetch_one(&self.pool)
            .await?;
        let hash: String = row.try_get(1)?;
        let hash = hash
            .parse()
            .map_err(|_| Error::Internal("the audit head holds no valid hash".into()))?;
        Ok((row.try_get(0)?, hash))
    }

    /// Audit events matching `filter`, oldest first, with secret fields redacted.
    pub async fn audit_events(&self, filter: &AuditFilter) -> Result<Vec<AuditEvent>> {
        let mut sql = format!("SELECT {EVENT_COLUMNS} FROM audit_events");
        let mut args: Vec<String> = Vec::new();
        for (column, value) in [
            ("record_table", &filter.table),
            ("record_key", &filter.key),
            ("actor", &filter.actor),
        ] {
            if let Some(v) = value {
                sql.push_str(if args.is_empty() { " WHERE " } else { " AND " });
                args.push(v.clone());
                sql.push_str(&format!("{column} = ${}", args.len()));
            }
        }
        if !filter.keys.is_empty() {
            sql.push_str(if args.is_empty() { " WHERE " } else { " AND " });
            let first = args.len() + 1;
            args.extend(filter.keys.iter().cloned());
            let placeholders: Vec<String> = (first..=args.len()).map(|i| format!("${i}")).collect();
            sql.push_str(&format!("record_key IN ({})", placeholders.join(", ")));
        }
        sql.push_str(" ORDER BY seq DESC");
        if let Some(n) = filter.limit {
            sql.push_str(&format!(" LIMIT {n}"));
        }
        let mut q = sqlx::query(&sql);
        for a in args {
            q = q.bind(a);
        }
        let mut events = Vec::new();
        for row in q.fetch_all(&self.pool).await? {
            match event_from_row(&row)? {
                Ok(mut e) => {
                    redact(&mut e.before);
                    redact(&mut e.after);
                    events.push(e)
                }
                Err(seq) => {
                    return Err(Error::Internal(format!(
                        "audit event #{seq} holds no valid hash: run `vigilo audit verify`"
                    )));
                }
            }
        }
        events.reverse();
        Ok(events)
    }

    /// Checks the whole store against its audit chain, in one consistent snapshot.
    /// `Ok(Err(break))` names the first place where the store departs from the chain.
    pub async fn verify(&self) -> Result<std::result::Result<Verified, Break>> {
        let mut tx = self.pool.begin().await?;
        if self.backend() == Backend::Postgres {
            sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                .execute(&mut *tx)
                .await?;
        }
        let outcome = verify_in(&mut tx, self.backend()).await;
        tx.rollback().await?;
        outcome
    }
}

async fn verify_in(
    conn: &mut AnyConnection,
    backend: Backend,
) -> Result<std::result::Result<Verified, Break>> {
    let mut chain = ChainVerifier::new();
    {
        let sql = format!("SELECT {EVENT_COLUMNS} FROM audit_events ORDER BY seq");
        let mut rows = sqlx::query(&sql).fetch(&mut *conn);
        while let Some(row) = rows.try_next().await? {
            let event = match event_from_row(&row)? {
                Ok(e) => e,
                Err(seq) => return Ok(Err(Break::Content { seq })),
            };
            if let Err(b) = chain.push(&event) {
                return Ok(Err(b));
            }
        }
    }
    let events = chain.checked();
    let head = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
        .fetch_optional(&mut *conn)
        .await?;
    let (head_seq, head_hash) = match head {
        Some(row) => {
            let hash: String = row.try_get(1)?;
            (row.try_get::<i64, _>(0)?, hash.parse().unwrap_or_default())
        }
        None => (-1, Hash::default()),
    };
    let mut expectations = match chain.finish(head_seq, head_hash) {
        Ok(e) => e,
        Err(b) => return Ok(Err(b)),
    };
    let mut records = 0u64;
    for table in ALL_TABLES {
        let sql = format!("SELECT {} FROM {}", table.column_list(), table.name);
        let mut rows = sqlx::query(&sql).fetch(&mut *conn);
        while let Some(row) = rows.try_next().await? {
            let record = from_row(table, &row)?;
            let key = key_of(&record);
            if let Err(b) = expectations.check_row(table.name, key, &Value::Object(record)) {
                return Ok(Err(b));
            }
            records += 1;
        }
        if let Err(b) = expectations.finish_table(table.name) {
            return Ok(Err(b));
        }
    }
    let unknown = expectations.unchecked_tables();
    if !unknown.is_empty() {
        return Err(Error::Internal(format!(
            "the audit chain has records of tables this version of Vigilo does not know: {}",
            unknown.join(", ")
        )));
    }
    if let Some(event) = crate::service::altered_list_row(conn, backend).await? {
        return Ok(Err(Break::DerivedAltered {
            table: "service_list".into(),
            key: event.to_string(),
        }));
    }
    if let Some(sha256) = crate::tickets::altered_attachment(conn).await? {
        return Ok(Err(Break::DerivedAltered {
            table: "attachment_contents".into(),
            key: sha256,
        }));
    }
    Ok(Ok(Verified {
        events,
        records,
        head: head_hash,
    }))
}

impl crate::Store {
    /// Whether an event with this hash is in the chain (an anchor published earlier).
    pub async fn audit_contains(&self, hash: Hash) -> Result<bool> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE hash = $1")
            .bind(hash.to_string())
            .fetch_one(&self.pool)
            .await?;
        Ok(n > 0)
    }
}
