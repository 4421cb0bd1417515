use crate::error::{Error, Result};
use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AnyPool, Executor};
use std::path::Path;
use std::time::Duration;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenMode {
    /// Create the store if it does not exist (`vigilo init`, `vigilo demo`).
    Create,
    /// The store must exist already.
    Existing,
}

/// An open store. Cheap to clone (the pool is shared).
#[derive(Clone)]
pub struct Store {
    pub(crate) pool: AnyPool,
    backend: Backend,
    location: String,
}

/// Characters that would end the path part of a `sqlite://` URL.
fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        match c {
            '%' | '?' | '#' | ' ' => out.push_str(&format!("%{:02X}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

impl Store {
    /// Opens `url`: `sqlite://PATH`, `sqlite:PATH`, a bare file path, or `postgres://…`.
    /// Applies pending migrations.
    pub async fn open(url: &str, mode: OpenMode) -> Result<Store> {
        install_default_drivers();
        let (backend, connect_url, location) =
            if url.starts_with("postgres://") || url.starts_with("postgresql://") {
                (Backend::Postgres, url.to_owned(), redact_password(url))
            } else {
                let path = url
                    .strip_prefix("sqlite://")
                    .or_else(|| url.strip_prefix("sqlite:"))
                    .unwrap_or(url);
                if path.is_empty() {
                    return Err(Error::NoStore(url.to_owned()));
                }
                if mode == OpenMode::Existing && !Path::new(path).exists() {
                    return Err(Error::NoStore(path.to_owned()));
                }
                let create = if mode == OpenMode::Create {
                    "rwc"
                } else {
                    "rw"
                };
                (
                    Backend::Sqlite,
                    format!("sqlite://{}?mode={create}", encode_path(path)),
                    path.to_owned(),
                )
            };
        let options = AnyPoolOptions::new()
            .max_connections(if backend == Backend::Sqlite { 4 } else { 8 })
            .acquire_timeout(Duration::from_secs(30));
        let options = if backend == Backend::Sqlite {
            // An embedded file cannot drop a connection the way a server can, so sqlx's ping
            // before every checkout buys nothing and costs a worker-thread round trip per query
            // (measured: about a quarter of the web application's CPU under load).
            options.test_before_acquire(false).after_connect(|conn, _| {
                Box::pin(async move {
                    // WAL lets readers run beside the one writer; synchronous=FULL makes every
                    // commit durable across power loss, not just across a process crash.
                    // A 64 MiB page cache per connection (default 2 MiB): with a million
                    // service events, index inserts in instant order otherwise re-read most
                    // pages from the OS (measured: bulk ingest fell from 21k to 11k events/s as
                    // the store grew).
                    conn.execute(
                        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                         PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 30000; \
                         PRAGMA cache_size = -65536;",
                    )
                    .await?;
                    Ok(())
                })
            })
        } else {
            options
        };
        let pool = options.connect(&connect_url).await.map_err(|e| match e {
            sqlx::Error::Database(ref d) if d.message().contains("does not exist") => {
                Error::NoStore(location.clone())
            }
            e => Error::Database(e),
        })?;
        MIGRATOR.run(&pool).await?;
        crate::service::fill_service_list(&pool, backend).await?;
        Ok(Store {
            pool,
            backend,
            location,
        })
    }

    /// Refreshes the query planner's statistics after a bulk load. PostgreSQL otherwise plans
    /// joins on a freshly loaded table from stale estimates until autovacuum gets to it
    /// (measured: `trace device` 42 ms right after loading a million events, 1.6 ms after
    /// ANALYZE); SQLite's
    /// `PRAGMA optimize` analyses only the tables that need it, with a bounded sample.
    pub(crate) async fn refresh_statistics(&self, tables: &[&str]) -> Result<()> {
        let sql = match self.backend {
            Backend::Sqlite => "PRAGMA optimize".to_owned(),
            // VACUUM as well: it sets the visibility map that lets counts and the service list
            // read the covering indexes alone instead of visiting every row's heap page.
            Backend::Postgres => format!("VACUUM (ANALYZE) {}", tables.join(", ")),
        };
        sqlx::query(&sql).execute(&self.pool).await?;
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Where the store is, for messages (a PostgreSQL URL without its password).
    pub fn location(&self) -> &str {
        &self.location
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

fn redact_password(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_not_shown() {
        assert_eq!(
            redact_password("postgres://vigilo:s3cret@db:5432/x"),
            "postgres://vigilo:***@db:5432/x"
        );
        assert_eq!(
            redact_password("postgres://postgres@h/db"),
            "postgres://postgres@h/db"
        );
    }

    #[test]
    fn paths_are_url_safe() {
        assert_eq!(encode_path("/tmp/a b?#%.db"), "/tmp/a%20b%3F%23%25.db");
    }
}
