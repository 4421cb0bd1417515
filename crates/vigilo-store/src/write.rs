use crate::Backend;
use crate::audit::EVENT_COLUMNS;
use crate::error::{Error, Result};
use crate::query::Select;
use crate::record::{Record, SqlValue, bind, key_of, to_record, to_sql};
use crate::schema::{Stored, Table};
use jiff::Timestamp;
use serde_json::Value;
use sqlx::any::AnyArguments;
use sqlx::{Any, Arguments, Row, Transaction};
use std::collections::HashMap;
use vigilo_audit::{AuditEvent, ChainWriter, Hash};

/// A write transaction. Every change made through it appends its audit event in the same
/// transaction, so a record and its audit trail commit together or not at all. Dropping it
/// without [`commit`](Self::commit) rolls everything back.
pub struct WriteTx {
    tx: Transaction<'static, Any>,
    backend: Backend,
    stager: Stager,
    next_ids: HashMap<&'static str, i64>,
}

/// What building rows and their audit events needs apart from the connection: the chain's
/// head, the actor and the instant. Kept apart so that a bulk write can build and hash its next
/// rows on another thread while its previous rows are written (measured on bulk service
/// ingest: 61 % of the time in SQLite's thread, 39 % building rows, one after the other).
#[derive(Clone)]
pub(crate) struct Stager {
    backend: Backend,
    chain: ChainWriter,
    actor: String,
    at: Timestamp,
}

/// Rows ready to insert, table by table in the order given, and the audit events of the
/// audited ones.
#[derive(Default)]
pub(crate) struct Staged {
    tables: Vec<(&'static str, String, Vec<Vec<SqlValue>>)>,
    events: Vec<Vec<SqlValue>>,
}

impl Staged {
    /// Adds rows of a table derived from audited records (an index the database cannot build
    /// itself), unaudited: the records they are derived from are in the chain.
    pub(crate) fn derived(&mut self, table: &'static str, columns: &str, rows: Vec<Vec<SqlValue>>) {
        self.tables.push((table, columns.to_owned(), rows));
    }
}

/// Staged rows as statements ready to execute.
#[derive(Default)]
pub(crate) struct Ready(Vec<Statement>);

impl Stager {
    /// Turns staged rows into statements: each table's rows, then all their audit events.
    pub(crate) fn ready(&self, staged: Staged) -> Result<Ready> {
        let mut out = Vec::new();
        for (table, columns, rows) in staged.tables {
            out.extend(statements(self.backend, table, &columns, rows)?);
        }
        out.extend(statements(
            self.backend,
            "audit_events",
            EVENT_COLUMNS,
            staged.events,
        )?);
        Ok(Ready(out))
    }

    /// Stages new records with their audit events.
    pub(crate) fn stage_many<T: Stored>(
        &mut self,
        action: &str,
        values: &[T],
        into: &mut Staged,
    ) -> Result<()> {
        let table = T::TABLE;
        let mut rows = Vec::with_capacity(values.len());
        for value in values {
            let record = to_record(value)?;
            rows.push(to_sql(table, &record)?);
            into.events
                .push(event_row(&self.chain_event(action, table, None, record)));
        }
        into.tables.push((table.name, table.column_list(), rows));
        Ok(())
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
            stager: Stager {
                backend: self.backend(),
                chain: ChainWriter {
                    last_seq,
                    last_hash,
                },
                actor: actor.to_owned(),
                at,
            },
            next_ids: HashMap::new(),
            backend: self.backend(),
        })
    }
}

impl WriteTx {
    pub fn at(&self) -> Timestamp {
        self.stager.at
    }

    pub fn actor(&self) -> &str {
        &self.stager.actor
    }

    /// Stages rows in place, for [`flush`](Self::flush).
    pub(crate) fn stager(&mut self) -> &mut Stager {
        &mut self.stager
    }

    /// Inserts staged rows, then their audit events.
    pub(crate) async fn flush(&mut self, staged: Staged) -> Result<()> {
        let ready = self.stager.ready(staged)?;
        self.write(ready).await
    }

    pub(crate) async fn write(&mut self, ready: Ready) -> Result<()> {
        execute(&mut self.tx, ready.0).await
    }

    /// Writes `previous` while `stage` builds the next rows on a blocking thread, with the
    /// chain as it stands after `previous`; the chain then continues from where `stage` left
    /// it. On an error the transaction must be dropped, as after any failed write.
    pub(crate) async fn write_while_staging<T: Send + 'static>(
        &mut self,
        previous: Ready,
        stage: impl FnOnce(&mut Stager) -> T + Send + 'static,
    ) -> Result<T> {
        let mut stager = self.stager.clone();
        let job = tokio::task::spawn_blocking(move || {
            let out = stage(&mut stager);
            (stager, out)
        });
        self.write(previous).await?;
        let (stager, out) = job
            .await
            .map_err(|e| Error::Internal(format!("staging rows: {e}")))?;
        self.stager = stager;
        Ok(out)
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
        let mut staged = Staged::default();
        self.stager.stage_many(action, values, &mut staged)?;
        self.flush(staged).await
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
        let event = self.stager.chain_event(action, table, before, after);
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

    /// Commits the records and their audit events together.
    pub async fn commit(mut self) -> Result<()> {
        sqlx::query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1")
            .bind(self.stager.chain.last_seq)
            .bind(self.stager.chain.last_hash.to_string())
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
pub(crate) async fn insert_rows(
    tx: &mut Transaction<'static, Any>,
    backend: Backend,
    table: &str,
    columns: &str,
    rows: Vec<Vec<SqlValue>>,
) -> Result<()> {
    execute(tx, statements(backend, table, columns, rows)?).await
}

async fn execute(tx: &mut Transaction<'static, Any>, statements: Vec<Statement>) -> Result<()> {
    for s in statements {
        sqlx::query_with(&s.sql, s.args).execute(&mut **tx).await?;
    }
    Ok(())
}

/// One multi-row `INSERT` with its parameters bound. Built apart from its execution so that a
/// bulk write builds the next batch's statements on another thread: binding copies every value
/// (measured: a third of the connection task's time in bulk service ingest).
pub(crate) struct Statement {
    sql: String,
    args: AnyArguments<'static>,
}

fn statements(
    backend: Backend,
    table: &str,
    columns: &str,
    rows: Vec<Vec<SqlValue>>,
) -> Result<Vec<Statement>> {
    let Some(width) = rows.first().map(Vec::len) else {
        return Ok(Vec::new());
    };
    // No wider than the rows given: most writes insert one row, and the text of a full-width
    // statement (500 groups of placeholders) cost more than the insert itself (measured:
    // importing 100,000 devices one by one took twice as long).
    let per_statement = (MAX_BINDS / width)
        .clamp(1, MAX_ROWS_PER_STATEMENT)
        .min(rows.len());
    let sql = |count: usize| {
        let groups: Vec<String> = (0..count)
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
        format!(
            "INSERT INTO {table} ({columns}) VALUES {}",
            groups.join(", ")
        )
    };
    let full = sql(per_statement);
    let mut out = Vec::with_capacity(rows.len().div_ceil(per_statement));
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<Vec<SqlValue>> = rows.by_ref().take(per_statement).collect();
        let count = chunk.len();
        let mut args = AnyArguments::default();
        for v in chunk.into_iter().flatten() {
            let added = match v {
                SqlValue::Text(s) => args.add(s),
                SqlValue::Int(n) => args.add(n),
            };
            added.map_err(|e| Error::Internal(format!("{table}: binding a value: {e}")))?;
        }
        out.push(Statement {
            sql: if count == per_statement {
                full.clone()
            } else {
                sql(count)
            },
            args,
        });
    }
    Ok(out)
}
