//! A fresh, real database for each test, on either backend.
//!
//! PostgreSQL: the server at `VIGILO_TEST_POSTGRES_URL` (default
//! `postgres://postgres@127.0.0.1:5432/test`); if none answers, a throw-away cluster started
//! with `initdb`/`pg_ctl` from /usr/lib/postgresql/*/bin and shared by all test processes.
//! Only when no PostgreSQL exists at all are the PostgreSQL tests skipped, with a loud message;
//! with `VIGILO_REQUIRE_POSTGRES=1` (as `.ci/run` sets) that is a failure instead.

use sqlx::AnyConnection;
use sqlx::Connection;
use sqlx::any::install_default_drivers;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};
use tokio::sync::OnceCell;

pub enum TestDb {
    Sqlite {
        _dir: tempfile::TempDir,
        path: PathBuf,
    },
    Postgres {
        server: String,
        name: String,
    },
}

static SERVER: OnceCell<Option<String>> = OnceCell::const_new();
static COUNTER: AtomicU32 = AtomicU32::new(0);

const THROWAWAY_PORT: u16 = 54329;

impl TestDb {
    pub fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let path = dir.path().join("vigilo.db");
        TestDb::Sqlite { _dir: dir, path }
    }

    /// A new empty database on a real PostgreSQL server, or `None` when this machine has no
    /// PostgreSQL at all.
    pub async fn postgres() -> Option<TestDb> {
        let server = SERVER.get_or_init(find_or_start_server).await.clone()?;
        let name = format!(
            "vigilo_test_{}_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.subsec_nanos())
        );
        admin_execute(&server, &format!("CREATE DATABASE {name}")).await;
        Some(TestDb::Postgres { server, name })
    }

    /// The `--db` URL of this database.
    pub fn url(&self) -> String {
        match self {
            TestDb::Sqlite { path, .. } => format!("sqlite://{}", path.display()),
            TestDb::Postgres { server, name } => format!("{}/{name}", base_of(server)),
        }
    }

    /// Runs SQL directly, behind Vigilo's back (for tamper tests).
    pub async fn raw_execute(&self, sql: &str) {
        install_default_drivers();
        let url = match self {
            TestDb::Sqlite { path, .. } => format!("sqlite://{}?mode=rw", path.display()),
            TestDb::Postgres { .. } => self.url(),
        };
        let mut conn = AnyConnection::connect(&url)
            .await
            .expect("a raw connection");
        sqlx::raw_sql(sql)
            .execute(&mut conn)
            .await
            .unwrap_or_else(|e| panic!("raw SQL {sql:?}: {e}"));
        conn.close().await.ok();
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let TestDb::Postgres { server, name } = self {
            let (server, name) = (server.clone(), name.clone());
            // Drop runs outside async context; a short-lived runtime on its own thread cleans up.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build();
                if let Ok(rt) = rt {
                    rt.block_on(admin_execute(
                        &server,
                        &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
                    ));
                }
            })
            .join();
        }
    }
}

/// `postgres://user@host:port` of a server URL that names a database.
fn base_of(server: &str) -> &str {
    match server.rfind('/') {
        Some(i) if i > "postgres://".len() => &server[..i],
        _ => server,
    }
}

async fn admin_execute(server: &str, sql: &str) {
    install_default_drivers();
    let mut conn = AnyConnection::connect(server)
        .await
        .unwrap_or_else(|e| panic!("PostgreSQL at {server}: {e}"));
    sqlx::raw_sql(sql)
        .execute(&mut conn)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    conn.close().await.ok();
}

async fn answers(url: &str) -> bool {
    install_default_drivers();
    match AnyConnection::connect(url).await {
        Ok(c) => {
            c.close().await.ok();
            true
        }
        Err(_) => false,
    }
}

async fn find_or_start_server() -> Option<String> {
    let configured = std::env::var("VIGILO_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    if answers(&configured).await {
        return Some(configured);
    }
    let throwaway = format!("postgres://postgres@127.0.0.1:{THROWAWAY_PORT}/postgres");
    if answers(&throwaway).await {
        return Some(throwaway);
    }
    match start_throwaway_cluster() {
        Ok(()) if answers(&throwaway).await => return Some(throwaway),
        Ok(()) => report_missing(&format!(
            "a throw-away cluster started but {throwaway} does not answer"
        )),
        Err(why) => report_missing(&why),
    }
    None
}

fn report_missing(why: &str) {
    let msg = format!(
        "\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n\
         !! NO POSTGRESQL: the PostgreSQL half of this test suite is SKIPPED.\n\
         !! {why}\n\
         !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n"
    );
    if std::env::var("VIGILO_REQUIRE_POSTGRES").is_ok_and(|v| v == "1") {
        panic!("{msg}VIGILO_REQUIRE_POSTGRES=1: failing instead of skipping");
    }
    eprintln!("{msg}");
}

fn postgres_bin() -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|p| p.join("initdb").exists())
        .collect();
    dirs.sort();
    dirs.pop()
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// Runs a PostgreSQL program; as root through the `postgres` account (initdb refuses root).
fn run_pg(bin: &Path, program: &str, args: &[&str]) -> Result<(), String> {
    let exe = bin.join(program);
    let mut cmd = if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(&exe);
        c
    } else {
        Command::new(&exe)
    };
    let out = cmd
        .args(args)
        .output()
        .map_err(|e| format!("{program}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{program} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

fn start_throwaway_cluster() -> Result<(), String> {
    let bin =
        postgres_bin().ok_or("no PostgreSQL server programs under /usr/lib/postgresql/*/bin")?;
    let dir = std::env::temp_dir().join("vigilo-test-postgres");
    let data = dir.join("data");
    if !data.join("PG_VERSION").exists() {
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        if is_root() {
            Command::new("chown")
                .args(["-R", "postgres", &dir.display().to_string()])
                .status()
                .map_err(|e| e.to_string())?;
        }
        run_pg(
            &bin,
            "initdb",
            &[
                "-D",
                &data.display().to_string(),
                "-U",
                "postgres",
                "--auth=trust",
            ],
        )?;
    }
    let log = dir.join("server.log");
    let opts = format!(
        "-p {THROWAWAY_PORT} -k {} -c listen_addresses=127.0.0.1",
        dir.display()
    );
    run_pg(
        &bin,
        "pg_ctl",
        &[
            "-D",
            &data.display().to_string(),
            "-l",
            &log.display().to_string(),
            "-o",
            &opts,
            "-w",
            "start",
        ],
    )
}

/// Declares each `async fn NAME(db: &TestDb)` of the calling module as a test on SQLite and a
/// test on PostgreSQL, so both backends run the same suite.
#[macro_export]
macro_rules! backend_tests {
    ($($name:ident),+ $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let db = $crate::TestDb::sqlite();
                    super::$name(&db).await;
                }
            )+
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some(db) = $crate::TestDb::postgres().await else { return };
                    super::$name(&db).await;
                }
            )+
        }
    };
}
