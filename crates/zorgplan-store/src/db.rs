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
            // The WAL is copied back by the store's checkpointer (below); the writer
            // connection checkpoints by itself only when that falls behind.
            conn.batch_execute(&format!(
                "PRAGMA busy_timeout = {}; PRAGMA journal_mode = WAL; \
                 PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; \
                 PRAGMA cache_size = -16384; PRAGMA temp_store = MEMORY; \
                 PRAGMA wal_autocheckpoint = 10000;",
                self.busy_timeout_ms
            ))
            .map_err(diesel::r2d2::Error::QueryError)?;
        }
        // PostgreSQL keeps its default `plan_cache_mode` (auto): a statement diesel keeps
        // prepared — the lookups by key, whose text is fixed — gets a generic plan after
        // five executions and is not planned again (planning took longer than running a
        // read); a search is not kept prepared ([`planned_with_values`]), so each is planned
        // with the values it names.
        Ok(())
    }
}

/// A condition that is always true, for a search's statements on PostgreSQL: its only
/// effect is that diesel does not keep the statement prepared, so PostgreSQL plans it with
/// its values each time. A prepared statement may be switched to a generic plan, which does
/// not know which patient or code a search names and starts from the index of the least
/// selective condition (163 ms instead of 0.6 ms for a child's goals in one life domain).
/// `None` on SQLite, which plans without values anyway and would prepare the statement
/// again on every search.
pub(crate) fn planned_with_values(
    conn: &AnyConnection,
) -> Option<diesel::expression::SqlLiteral<diesel::sql_types::Bool>> {
    matches!(conn, AnyConnection::Postgresql(_))
        .then(|| diesel::dsl::sql::<diesel::sql_types::Bool>("TRUE"))
}

/// SQLite: the connection the store writes with (see `tx`), with the pooled connections'
/// settings but for automatic checkpoints, which the [`Checkpointer`] makes, and foreign
/// keys, which it does not check. The store writes a version or an
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
    conn.batch_execute(&format!(
        "PRAGMA foreign_keys = OFF; PRAGMA wal_autocheckpoint = {WRITER_CHECKPOINT_FRAMES};"
    ))
    .map_err(|e| setup_error("setting up the SQLite writer", e))?;
    Ok(conn)
}

/// SQLite: copies the WAL back into the database file on a thread of its own, so that the
/// writer does not (a checkpoint writes and syncs the database file: run by the write whose
/// commit filled the WAL, it held every write back for up to a hundred milliseconds).
///
/// A passive checkpoint (`PRAGMA wal_checkpoint(PASSIVE)`, which waits for no reader or
/// writer) copies the frames the WAL holds when it starts while the writer goes on
/// appending, so under a steady stream of commits it never finds the WAL copied whole; and
/// SQLite starts writing the WAL from its beginning again only when it is. Left alone, the
/// WAL would grow until the writer's own automatic checkpoint (at [`WRITER_CHECKPOINT_FRAMES`])
/// finished the copy inside a commit. Instead, once the WAL holds `restart_frames`
/// ([`RESTART_FRAMES`] in the store), the checkpointer asks the writer to end its group of
/// writes and copies the frames written since its last pass before the next group begins
/// ([`crate::tx::SqliteWriter::between_groups`]); the writer waits for that copy and its
/// sync, and its next write starts the WAL again. Runs every
/// [`CHECKPOINT_INTERVAL`] while the WAL grows, every [`IDLE_CHECKPOINT_INTERVAL`] when it does
/// not; stops, and is waited for, when dropped.
///
/// Beside it, a thread at normal priority looks every [`LOOK_INTERVAL`] whether another
/// connection to the file committed (the writer's `PRAGMA data_version`, [`data_version`]),
/// for [`crate::Store::local_writes`].
pub(crate) struct Checkpointer {
    stop: Arc<AtomicBool>,
    /// The checkpointer's thread and the watcher's.
    threads: Vec<std::thread::JoinHandle<()>>,
}

/// How long the checkpointer waits between passes while the WAL grows: long enough for a
/// page that many commits change to be copied once for all of them, short enough for the
/// last group's frames, copied while the writer waits, to be few.
const CHECKPOINT_INTERVAL: Duration = Duration::from_millis(20);
/// How long it waits when the WAL did not grow since its last pass.
const IDLE_CHECKPOINT_INTERVAL: Duration = Duration::from_millis(100);
/// How often the watcher looks whether another connection committed.
pub(crate) const LOOK_INTERVAL: Duration = Duration::from_millis(250);
/// A WAL of this many frames (125 MiB of 4 KiB pages) is started again: each start costs the
/// writer a wait for the last group's frames to be copied and synced (8,000 frames made
/// transactions from eight clients some 10% slower).
pub(crate) const RESTART_FRAMES: i64 = 32_000;
/// The writer checkpoints by itself only past this many frames (390 MiB): when readers kept
/// the checkpointer from starting the WAL again.
const WRITER_CHECKPOINT_FRAMES: i64 = 100_000;

#[derive(diesel::QueryableByName)]
struct CheckpointResult {
    /// Frames in the WAL.
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    log: i64,
}

/// A passive checkpoint: the number of frames in the WAL, or `None` when it failed.
fn checkpoint(conn: &mut SqliteConnection) -> Option<i64> {
    use diesel::RunQueryDsl;
    match diesel::sql_query("PRAGMA wal_checkpoint(PASSIVE)").get_result::<CheckpointResult>(conn) {
        Ok(result) => Some(result.log),
        Err(e) => {
            tracing::warn!(error = %e, "WAL checkpoint failed");
            None
        }
    }
}

/// A connection's `PRAGMA data_version`: it changes when another connection to the file
/// committed. On the writer's connection, through which this process makes all its writes,
/// a change means another process (or another store) wrote. `None` when it cannot be read.
fn data_version(conn: &mut AnyConnection) -> Option<i64> {
    #[derive(diesel::QueryableByName)]
    struct DataVersion {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        data_version: i64,
    }
    use diesel::RunQueryDsl;
    let AnyConnection::Sqlite(conn) = conn else {
        return None;
    };
    match diesel::sql_query("PRAGMA data_version").get_result::<DataVersion>(conn) {
        Ok(version) => Some(version.data_version),
        Err(e) => {
            tracing::warn!(error = %e, "PRAGMA data_version failed");
            None
        }
    }
}

impl Checkpointer {
    pub(crate) fn start(
        path: &str,
        writer: Arc<crate::tx::SqliteWriter>,
        restart_frames: i64,
        committed: Arc<crate::Committed>,
    ) -> Result<Checkpointer, FhirError> {
        let mut conn = SqliteConnection::establish(path)
            .map_err(|e| setup_error("opening the SQLite database for checkpoints", e))?;
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = stop.clone();
        let checkpoints = writer.clone();
        let checkpointer = std::thread::Builder::new()
            .name("sqlite-checkpoint".into())
            .spawn(move || {
                crate::in_background();
                let mut last = None;
                while !stopped.load(Ordering::Relaxed) {
                    let frames = checkpoint(&mut conn);
                    if frames.is_some_and(|frames| frames >= restart_frames) {
                        checkpoints.between_groups(|_| checkpoint(&mut conn));
                    }
                    std::thread::park_timeout(if frames.is_some() && frames != last {
                        CHECKPOINT_INTERVAL
                    } else {
                        IDLE_CHECKPOINT_INTERVAL
                    });
                    last = frames;
                }
            })
            .map_err(|e| setup_error("starting the checkpoint thread", e))?;
        // Stopped when dropped, also if the watcher cannot start.
        let mut started = Checkpointer {
            stop: stop.clone(),
            threads: vec![checkpointer],
        };
        // At normal priority: a busy machine must not keep the store from telling whether
        // another process wrote (it then cannot tell, and every request asks the database,
        // which would make it busier still).
        let stopped = stop.clone();
        let watcher = std::thread::Builder::new()
            .name("sqlite-watch".into())
            .spawn(move || {
                while !stopped.load(Ordering::Relaxed) {
                    if let Some(version) = writer.between_groups(data_version) {
                        committed.looked(version);
                    }
                    std::thread::park_timeout(LOOK_INTERVAL);
                }
            })
            .map_err(|e| setup_error("starting the SQLite watch thread", e))?;
        started.threads.push(watcher);
        Ok(started)
    }
}

impl Drop for Checkpointer {
    /// Stops the threads and waits for them, so that their connections (the checkpointer's
    /// own and, through the writer they hold, the writer's) are closed when the store is.
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        for thread in self.threads.drain(..) {
            thread.thread().unpark();
            let name = thread.thread().name().unwrap_or_default().to_owned();
            if thread.join().is_err() {
                tracing::warn!(thread = name, "a SQLite upkeep thread panicked");
            }
        }
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

    /// A SQLite file of its own in a fresh folder, with a table `t`, and its writer.
    fn scratch(name: &str) -> (std::path::PathBuf, Arc<crate::tx::SqliteWriter>) {
        let dir = std::env::temp_dir().join(format!("zorgplan-db-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("t.db");
        let mut conn = SqliteConnection::establish(path.to_str().unwrap()).unwrap();
        conn.batch_execute(
            "PRAGMA journal_mode = WAL; CREATE TABLE t (n INTEGER PRIMARY KEY, body TEXT NOT NULL);",
        )
        .unwrap();
        let writer = sqlite_writer(&StoreConfig::new(path.to_str().unwrap())).unwrap();
        (path, Arc::new(crate::tx::SqliteWriter::new(writer)))
    }

    /// `threads` threads each insert `writes` rows of `body` through the writer, at once, a
    /// write every `pace` at most.
    fn write_rows(
        writer: &crate::tx::SqliteWriter,
        threads: usize,
        writes: usize,
        body: &str,
        pace: Duration,
    ) {
        use diesel::RunQueryDsl;
        std::thread::scope(|scope| {
            for _ in 0..threads {
                scope.spawn(|| {
                    for _ in 0..writes {
                        writer
                            .write(&|conn| {
                                diesel::sql_query("INSERT INTO t (body) VALUES (?)")
                                    .bind::<diesel::sql_types::Text, _>(body)
                                    .execute(conn)?;
                                Ok(())
                            })
                            .unwrap();
                        std::thread::sleep(pace);
                    }
                });
            }
        });
    }

    fn rows(path: &Path) -> i64 {
        use diesel::RunQueryDsl;
        #[derive(diesel::QueryableByName)]
        struct Count {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let mut conn = SqliteConnection::establish(path.to_str().unwrap()).unwrap();
        diesel::sql_query("SELECT count(*) AS n FROM t")
            .get_result::<Count>(&mut conn)
            .unwrap()
            .n
    }

    /// The writer's `PRAGMA data_version` stays as it is through the writer's own commits
    /// and changes with another connection's: what tells the store that another process wrote.
    #[test]
    fn data_version_changes_with_other_connections_commits_only() {
        let (path, writer) = scratch("data-version");
        let first = writer.between_groups(data_version).expect("a data version");
        write_rows(&writer, 2, 5, "ours", Duration::ZERO);
        assert_eq!(writer.between_groups(data_version), Some(first));
        let mut other = SqliteConnection::establish(path.to_str().unwrap()).unwrap();
        other
            .batch_execute("INSERT INTO t (body) VALUES ('theirs');")
            .unwrap();
        assert_ne!(writer.between_groups(data_version), Some(first));
        std::fs::remove_dir_all(path.parent().unwrap()).unwrap();
    }

    /// Between two groups no write transaction is open: another connection takes the write
    /// lock at once. And the writes all land.
    #[test]
    fn between_groups_no_write_transaction_is_open() {
        let (path, writer) = scratch("between");
        let mut other = SqliteConnection::establish(path.to_str().unwrap()).unwrap();
        other.batch_execute("PRAGMA busy_timeout = 0;").unwrap();
        std::thread::scope(|scope| {
            scope.spawn(|| write_rows(&writer, 4, 100, "x", Duration::ZERO));
            for _ in 0..20 {
                writer.between_groups(|_| {
                    other
                        .batch_execute("BEGIN IMMEDIATE; ROLLBACK;")
                        .expect("the write lock is free between groups")
                });
                std::thread::sleep(Duration::from_millis(2));
            }
        });
        assert_eq!(rows(&path), 400);
        std::fs::remove_dir_all(path.parent().unwrap()).unwrap();
    }

    /// Under a stream of writes the checkpointer copies the WAL and has it started again, so
    /// that the WAL file stays a fraction of what was written.
    #[test]
    fn the_checkpointer_starts_the_wal_again() {
        const FRAME: u64 = 4096 + 24;
        let (path, writer) = scratch("restart");
        let committed = Arc::<crate::Committed>::default();
        let checkpointer = Checkpointer::start(
            path.to_str().unwrap(),
            writer.clone(),
            64,
            committed.clone(),
        )
        .unwrap();
        // 1,000 writes of a row that fills a page of its own, over about a second: some
        // 2,000 frames, which a WAL never started again would hold.
        write_rows(&writer, 4, 250, &"x".repeat(4000), Duration::from_millis(4));
        drop(checkpointer);
        assert_eq!(rows(&path), 1000);
        // It looked for other connections' writes meanwhile, and took the writer's for none.
        let others = committed.others.lock().unwrap();
        assert!(others.looked.is_some());
        assert_eq!(others.changes, 0);
        drop(others);
        let wal = std::fs::metadata(path.with_extension("db-wal"))
            .unwrap()
            .len();
        assert!(
            wal < 500 * FRAME,
            "the WAL file grew to {} frames",
            wal / FRAME
        );
        std::fs::remove_dir_all(path.parent().unwrap()).unwrap();
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
