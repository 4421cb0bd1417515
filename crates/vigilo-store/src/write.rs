use crate::Backend;
use crate::audit::EVENT_COLUMNS;
use crate::error::{Error, Result};
use crate::query::Select;
use crate::record::{Record, SqlValue, bind, key_of, to_record, to_sql};
use crate::schema::{Stored, Table};
use jiff::Timestamp;
use serde_json::Value;
use sqlx::{Any, Row, Transaction};
use std::collections::HashMap;
use vigilo_audit::{AuditEvent, ChainWriter, Hash};

/// A write transaction. Every change made through it appends its audit event in the same
/// transaction, so a record and its audit trail commit together or not at all. Dropping it
/// without [`commit`](Self::commit) rolls everything back.
pub struct WriteTx {
    tx: Transaction<'static, Any>,
    backend: Backend,
    chain: ChainWriter,
    actor: String,
    at: Timestamp,
    next_ids: HashMap<&'static str, i64>,
}

impl crate::Store {
    /// Starts a write attributed to `actor` at `at`. Waits for any other writer to finish.
    pub async fn begin_write(&self, actor: &str, at: Timestamp) -> Result<WriteTx> {
        let mut tx = self.pool.begin().await?;
        // A write as the first statement: SQLite takes its write lock now instead of failing
        // to upgrade a read lock later, and PostgreSQL locks the head row until commit.
        let head = sqlx::query("UPDATE audit_head SET seq = seq WHERE id = 1 RETURNING seq, hash")
            .fetch_one(&mut *tx)
            .await?;
        let last_seq: i64 = head.try_get(0)?;
        let last_hash: String = head.try_get(1)?;
        let last_hash: Hash = last_hash
            .parse()
            .map_err(|_| Error::Internal("the audit head holds no valid hash".into()))?;
        Ok(WriteTx {
            tx,
            chain: ChainWriter {
                last_seq,
                last_hash,
            },
            actor: actor.to_owned(),
            at,
            next_ids: HashMap::new(),
            backend: self.backend(),
        })
    }
}

impl WriteTx {
    pub fn at(&self) -> Timestamp {
        self.at
    }

    pub fn actor(&self) -> &str {
        &self.actor
    }

    /// The transaction's connection, for reads that are not a [`Select`].
    pub(crate) fn conn(&mut self) -> &mut sqlx::AnyConnection {
        &mut self.tx
    }

    /// The next free integer id of `table` (ids are dense and never reused).
    pub async fn next_id(&mut self, table: &'static Table) -> Result<i64> {
        let next = match self.next_ids.get(table.name) {
            Some(n) => *n,
            None => {
                let max: Option<i64> =
                    sqlx::query_scalar(&format!("SELECT MAX(id) FROM {}", table.name))
                        .fetch_one(&mut *self.tx)
                        .await?;
                max.unwrap_or(0) + 1
            }
        };
        self.next_ids.insert(table.name, next + 1);
        Ok(next)
    }

    pub async fn fetch<T: Stored>(&mut self, select: Select<T>) -> Result<Vec<T>> {
        select.fetch(&mut *self.tx, self.backend).await
    }

    pub async fn fetch_one<T: Stored>(&mut self, select: Select<T>) -> Result<Option<T>> {
        Ok(select
            .limit(1)
            .fetch(&mut *self.tx, self.backend)
            .await?
            .pop())
    }

    /// Inserts a new record; returns its audit event.
    pub async fn insert<T: Stored>(&mut self, action: &str, value: &T) -> Result<AuditEvent> {
        let table = T::TABLE;
        let record = to_record(value)?;
        insert_rows(
            &mut self.tx,
            self.backend,
            table.name,
            &table.column_list(),
            vec![to_sql(table, &record)?],
        )
        .await?;
        self.audit(action, table, None, record).await
    }

    /// Inserts many new records with their audit events, several rows per statement: bulk
    /// ingest is bound by statement round trips, not by the chain's hashing.
    pub async fn insert_many<T: Stored>(&mut self, action: &str, values: &[T]) -> Result<()> {
        let table = T::TABLE;
        let mut rows = Vec::with_capacity(values.len());
        let mut events = Vec::with_capacity(values.len());
        for value in values {
            let record = to_record(value)?;
            rows.push(to_sql(table, &record)?);
            events.push(event_row(&self.chain_event(action, table, None, record)));
        }
        insert_rows(
            &mut self.tx,
            self.backend,
            table.name,
            &table.column_list(),
            rows,
        )
        .await?;
        insert_rows(
            &mut self.tx,
            self.backend,
            "audit_events",
            EVENT_COLUMNS,
            events,
        )
        .await
    }

    /// Replaces a record that exists (same `id`); returns its audit event.
    pub async fn update<T: Stored>(
        &mut self,
        action: &str,
        before: &T,
        after: &T,
    ) -> Result<AuditEvent> {
        let table = T::TABLE;
        let before = to_record(before)?;
        let after = to_record(after)?;
        if key_of(&before) != key_of(&after) {
            return Err(Error::Internal(format!(
                "{}: an update cannot change the id",
                table.name
            )));
        }
        let sets: Vec<String> = table.columns[1..]
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{} = ${}", c.name, i + 2))
            .collect();
        let sql = format!(
            "UPDATE {} SET {} WHERE id = $1",
            table.name,
            sets.join(", ")
        );
        let mut q = sqlx::query(&sql);
        for v in to_sql(table, &after)? {
            q = bind(q, v);
        }
        let changed = q.execute(&mut *self.tx).await?.rows_affected();
        if changed != 1 {
            return Err(Error::Internal(format!(
                "{}/{}: expected to update one row, updated {changed}",
                table.name,
                key_of(&after)
            )));
        }
        self.audit(action, table, Some(before), after).await
    }

    async fn audit(
        &mut self,
        action: &str,
        table: &Table,
        before: Option<Record>,
        after: Record,
    ) -> Result<AuditEvent> {
        let event = self.chain_event(action, table, before, after);
        insert_rows(
            &mut self.tx,
            self.backend,
            "audit_events",
            EVENT_COLUMNS,
            vec![event_row(&event)],
        )
        .await?;
        Ok(event)
    }

    /// Appends a change's event to the chain (the caller stores its row).
    fn chain_event(
        &mut self,
        action: &str,
        table: &Table,
        before: Option<Record>,
        after: Record,
    ) -> AuditEvent {
        let key = key_of(&after);
        self.chain.append(
            self.at.as_microsecond(),
            &self.actor,
            action,
            table.name,
            &key,
            before.map(Value::Object),
            Some(Value::Object(after)),
        )
    }

    /// Commits the records and their audit events together.
    pub async fn commit(mut self) -> Result<()> {
        sqlx::query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1")
            .bind(self.chain.last_seq)
            .bind(self.chain.last_hash.to_string())
            .execute(&mut *self.tx)
            .await?;
        self.tx.commit().await?;
        Ok(())
    }
}

fn event_row(event: &AuditEvent) -> Vec<SqlValue> {
    let json = |v: &Option<Value>| SqlValue::Text(v.as_ref().map(Value::to_string));
    vec![
        SqlValue::from(event.seq),
        SqlValue::from(event.at),
        SqlValue::from(event.actor.as_str()),
        SqlValue::from(event.action.as_str()),
        SqlValue::from(event.table.as_str()),
        SqlValue::from(event.key.as_str()),
        json(&event.before),
        json(&event.after),
        SqlValue::from(event.prev_hash.to_string()),
        SqlValue::from(event.hash.to_string()),
    ]
}

/// Bound values per statement: SQLite accepts 32,766, PostgreSQL 65,535; beyond a few hundred
/// rows per statement nothing measurable is gained.
const MAX_BINDS: usize = 30_000;
const MAX_ROWS_PER_STATEMENT: usize = 500;

/// Inserts rows of `columns` (all rows the same width) with multi-row `INSERT … VALUES`.
async fn insert_rows(
    tx: &mut Transaction<'static, Any>,
    backend: Backend,
    table: &str,
    columns: &str,
    rows: Vec<Vec<SqlValue>>,
) -> Result<()> {
    let Some(width) = rows.first().map(Vec::len) else {
        return Ok(());
    };
    let per_statement = (MAX_BINDS / width).clamp(1, MAX_ROWS_PER_STATEMENT);
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<Vec<SqlValue>> = rows.by_ref().take(per_statement).collect();
        let groups: Vec<String> = (0..chunk.len())
            .map(|r| {
                let ps: Vec<String> = (1..=width)
                    .map(|c| match backend {
                        // sqlx's SQLite driver resolves every `$N` by name, a lookup that grows
                        // with the statement's parameter count: wide statements turned quadratic
                        // (measured: over half of bulk ingest in sqlite3_bind_parameter_name).
                        // Anonymous `?` parameters bind in order without that lookup.
                        Backend::Sqlite => "?".to_owned(),
                        Backend::Postgres => format!("${}", r * width + c),
                    })
                    .collect();
                format!("({})", ps.join(", "))
            })
            .collect();
        let sql = format!(
            "INSERT INTO {table} ({columns}) VALUES {}",
            groups.join(", ")
        );
        let mut q = sqlx::query(&sql);
        for v in chunk.into_iter().flatten() {
            q = bind(q, v);
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}
