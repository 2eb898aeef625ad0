//! Connections, pools and migrations for both backends.

use diesel::connection::SimpleConnection;
use diesel::r2d2::{ConnectionManager, CustomizeConnection};
use diesel::{Connection, PgConnection, SqliteConnection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use zorgplan_fhir::FhirError;

/// A connection to either backend; every query of the store is written once against it.
#[derive(diesel::MultiConnection)]
pub enum AnyConnection {
    Postgresql(PgConnection),
    Sqlite(SqliteConnection),
}

/// Runs `$body` with `$c` bound to the connection of the actual backend; the body is
/// type-checked once per backend. For the hottest queries: run on the inner connection,
/// diesel's statement cache finds them by type and never writes their SQL again, which the
/// multi-backend layer does on every execution.
macro_rules! on_backend {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::db::AnyConnection::Postgresql($c) => $body,
            $crate::db::AnyConnection::Sqlite($c) => $body,
        }
    };
}
pub(crate) use on_backend;

/// The diesel backend of [`AnyConnection`].
pub type Db = <AnyConnection as Connection>::Backend;
pub type Pool = diesel::r2d2::Pool<ConnectionManager<AnyConnection>>;
pub type PooledConn = diesel::r2d2::PooledConnection<ConnectionManager<AnyConnection>>;

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// Which database a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// The backend a database URL names: `postgres://` or `postgresql://` is PostgreSQL;
    /// anything else is a SQLite file (`sqlite://path`, `sqlite:path`, or a plain path).
    pub fn of_url(url: &str) -> Backend {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// How to reach the database.
#[derive(Debug, Clone)]
pub struct StoreConfig {
    /// `postgres://…`, or a SQLite path (`sqlite://path` or a plain path).
    pub url: String,
    /// Connections in the pool.
    pub pool_size: u32,
    /// How long a request waits for a free connection before it fails with 503.
    pub connection_timeout: Duration,
    /// How long a SQLite writer waits for the write lock before the client gets 503.
    pub busy_timeout: Duration,
    /// How often a write that lost a race with a concurrent write (a PostgreSQL
    /// serialisation failure) is run again before the client gets 409.
    pub write_attempts: u32,
    /// Refuse a write whose literal references (`Type/id`) point to no current resource of
    /// this server (422). Off only for bulk loads of graphs with cycles outside transactions.
    pub enforce_references: bool,
    /// The search parameters whose values every write indexes.
    pub search_parameters: &'static zorgplan_search::Registry,
}

impl StoreConfig {
    pub fn new(url: impl Into<String>) -> Self {
        StoreConfig {
            url: url.into(),
            pool_size: 10,
            connection_timeout: Duration::from_secs(10),
            busy_timeout: Duration::from_secs(10),
            write_attempts: 20,
            enforce_references: true,
            search_parameters: zorgplan_search::Registry::r4(),
        }
    }
}

pub(crate) fn sqlite_path(url: &str) -> &str {
    url.strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url)
}

fn setup_error(what: &str, e: impl std::fmt::Display) -> FhirError {
    FhirError::internal(format!("{what}: {e}"))
}

/// The settings of every new pooled connection.
#[derive(Debug)]
struct SessionSettings {
    busy_timeout_ms: u128,
}

impl CustomizeConnection<AnyConnection, diesel::r2d2::Error> for SessionSettings {
    fn on_acquire(&self, conn: &mut AnyConnection) -> Result<(), diesel::r2d2::Error> {
        if let AnyConnection::Sqlite(conn) = conn {
            // A page cache of up to 16 MiB per connection (instead of 2 MiB) and statement
            // journals in memory: a write of many index rows otherwise spills pages to disk
            // in the middle of its transaction. (32 MiB took the server past 300 MB with
            // ten pooled connections under load, for no measurable gain in transactions.)
            // The WAL is copied back by the store's checkpointer (below), not by the write that
            // fills 1,000 pages of it; a write checkpoints only when the WAL has grown past
            // 40 MB, which the checkpointer does not let happen unless readers hold it back.
            conn.batch_execute(&format!(
                "PRAGMA busy_timeout = {}; PRAGMA journal_mode = WAL; \
                 PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; \
                 PRAGMA cache_size = -16384; PRAGMA temp_store = MEMORY; \
                 PRAGMA wal_autocheckpoint = 10000;",
                self.busy_timeout_ms
            ))
            .map_err(diesel::r2d2::Error::QueryError)?;
        }
        if let AnyConnection::Postgresql(conn) = conn {
            // A plan per execution: a prepared statement's generic plan does not know which
            // patient or code a search names, and picks the index of the least selective
            // condition (160 ms instead of 0.6 ms for a child's goals in one life domain).
            conn.batch_execute("SET plan_cache_mode = force_custom_plan")
                .map_err(diesel::r2d2::Error::QueryError)?;
        }
        Ok(())
    }
}

/// SQLite: the connection the store writes with (see `tx`), with the pooled connections'
/// settings but for foreign keys, which it does not check. The store writes a version or an
/// index row only for the `resources` row it has just written or read in the same
/// transaction, and never deletes one; checked, every one of a resource's twenty-odd index
/// rows would be looked up in `resources`, and since such a check can fail half-way through
/// a multi-row INSERT, SQLite would keep a statement journal of every page the INSERT
/// changes. (PostgreSQL checks them.)
pub(crate) fn sqlite_writer(config: &StoreConfig) -> Result<AnyConnection, FhirError> {
    let mut conn = AnyConnection::Sqlite(
        SqliteConnection::establish(sqlite_path(&config.url))
            .map_err(|e| setup_error("opening the SQLite database for writing", e))?,
    );
    SessionSettings {
        busy_timeout_ms: config.busy_timeout.as_millis(),
    }
    .on_acquire(&mut conn)
    .map_err(|e| setup_error("setting up the SQLite writer", e))?;
    conn.batch_execute("PRAGMA foreign_keys = OFF;")
        .map_err(|e| setup_error("setting up the SQLite writer", e))?;
    Ok(conn)
}

/// SQLite: copies the WAL back into the database file on a thread of its own, every 100 ms
/// (`PRAGMA wal_checkpoint(PASSIVE)`, which waits for no reader or writer). A checkpoint
/// writes and syncs the database file; run by the write whose commit filled the WAL, it
/// would hold the write lock for tens of milliseconds. Stops when dropped.
pub(crate) struct Checkpointer {
    stop: Arc<AtomicBool>,
}

impl Checkpointer {
    pub(crate) fn start(path: &str) -> Result<Checkpointer, FhirError> {
        let mut conn = SqliteConnection::establish(path)
            .map_err(|e| setup_error("opening the SQLite database for checkpoints", e))?;
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = stop.clone();
        std::thread::Builder::new()
            .name("sqlite-checkpoint".into())
            .spawn(move || {
                while !stopped.load(Ordering::Relaxed) {
                    std::thread::sleep(Duration::from_millis(100));
                    if let Err(e) = conn.batch_execute("PRAGMA wal_checkpoint(PASSIVE);") {
                        tracing::warn!(error = %e, "WAL checkpoint failed");
                    }
                }
            })
            .map_err(|e| setup_error("starting the checkpoint thread", e))?;
        Ok(Checkpointer { stop })
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

pub(crate) fn open(config: &StoreConfig) -> Result<(Pool, Backend), FhirError> {
    let backend = Backend::of_url(&config.url);
    let url = match backend {
        Backend::Postgres => config.url.clone(),
        Backend::Sqlite => {
            let path = sqlite_path(&config.url);
            if path.is_empty() || path == ":memory:" {
                return Err(setup_error(
                    "SQLite database",
                    "a file path is required (an in-memory database cannot be shared by a pool)",
                ));
            }
            if let Some(dir) = Path::new(path)
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
            {
                std::fs::create_dir_all(dir)
                    .map_err(|e| setup_error(&format!("creating {}", dir.display()), e))?;
            }
            path.to_owned()
        }
    };
    // Migrate on one connection of the right kind first (AnyConnection::establish would
    // accept any string as a SQLite path).
    match backend {
        Backend::Sqlite => {
            let mut conn = SqliteConnection::establish(&url)
                .map_err(|e| setup_error("opening the SQLite database", e))?;
            conn.batch_execute("PRAGMA journal_mode = WAL;")
                .map_err(|e| setup_error("enabling WAL", e))?;
            conn.run_pending_migrations(SQLITE_MIGRATIONS)
                .map_err(|e| setup_error("migrating the SQLite database", e))?;
        }
        Backend::Postgres => {
            let mut conn = PgConnection::establish(&url)
                .map_err(|e| setup_error("connecting to PostgreSQL", e))?;
            // Several server nodes may start at once against one database.
            conn.batch_execute("SELECT pg_advisory_lock(7236512)")
                .map_err(|e| setup_error("locking for migrations", e))?;
            let migrated = conn
                .run_pending_migrations(POSTGRES_MIGRATIONS)
                .map(|_| ())
                .map_err(|e| setup_error("migrating the PostgreSQL database", e));
            conn.batch_execute("SELECT pg_advisory_unlock(7236512)")
                .map_err(|e| setup_error("unlocking after migrations", e))?;
            migrated?;
        }
    }
    let manager = ConnectionManager::<AnyConnection>::new(url);
    let pool = diesel::r2d2::Pool::builder()
        .max_size(config.pool_size.max(1))
        .connection_timeout(config.connection_timeout)
        // No `SELECT 1` before every use: on PostgreSQL that is a round trip per request. A
        // connection that broke is dropped when it comes back to the pool.
        .test_on_check_out(false)
        .connection_customizer(Box::new(SessionSettings {
            busy_timeout_ms: config.busy_timeout.as_millis(),
        }))
        .build(manager)
        .map_err(|e| setup_error("opening the connection pool", e))?;
    Ok((pool, backend))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_urls_name_their_backend() {
        assert_eq!(Backend::of_url("postgres://u@h/db"), Backend::Postgres);
        assert_eq!(Backend::of_url("postgresql://u@h/db"), Backend::Postgres);
        assert_eq!(Backend::of_url("./data/zorgplan.db"), Backend::Sqlite);
        assert_eq!(sqlite_path("sqlite:///var/lib/z.db"), "/var/lib/z.db");
        assert_eq!(sqlite_path("sqlite://rel/z.db"), "rel/z.db");
        assert_eq!(sqlite_path("sqlite:z.db"), "z.db");
        assert_eq!(sqlite_path("z.db"), "z.db");
    }

    #[test]
    fn an_in_memory_sqlite_database_is_refused() {
        for url in [":memory:", "sqlite::memory:", ""] {
            let Err(err) = open(&StoreConfig::new(url)) else {
                panic!("{url:?} was accepted");
            };
            assert!(err.to_string().contains("file path"), "{url}: {err}");
        }
    }
}
