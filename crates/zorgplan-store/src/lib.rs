//! Versioned storage of FHIR resources on SQLite or PostgreSQL, through diesel and r2d2.
//!
//! One code base serves both backends ([`db::AnyConnection`]). Every resource is kept as its
//! canonical JSON text with every earlier version ([`crud`], [`history`]); a write, its history
//! row and its search-index rows commit in one database transaction ([`tx`]). Search criteria
//! are matched against index tables maintained at write time ([`search`], [`index`]).
//!
//! The store knows nothing of HTTP: it takes resource types, ids, JSON values and parsed
//! criteria, and answers rows or a [`FhirError`]. All calls block; the REST layer runs them
//! off its async executor.

pub mod crud;
pub mod db;
pub mod history;
mod index;
mod listen;
mod plan;
mod schema;
pub mod search;
pub mod subscriptions;
pub mod time;
pub mod transaction;
mod tx;

pub use crud::{Created, Deleted, Prepared, Written};
pub use db::{Backend, StoreConfig};
pub use history::{HistoryCursor, HistoryPage, HistoryQuery, HistoryScope};
pub use search::{
    Criteria, Criterion, Include, PageAt, SearchPage, SearchValue, SortCursor, SortKey,
};
pub use subscriptions::Notification;
pub use time::Timestamp;
pub use transaction::{Outcome, Transaction};
pub use tx::backoff;

use zorgplan_fhir::FhirError;

/// Makes the calling thread run only on CPU time that no other thread wants (Linux:
/// `SCHED_IDLE`), for work that no request waits for: storing the audit trail, copying the
/// SQLite WAL back. A request that wakes up then takes the core at once, instead of waiting
/// up to a few milliseconds for such work's time slice. When requests keep every core busy,
/// that work still gets a little time, and what depends on it holds requests back rather
/// than lose anything (the audit writer's bounded queue; the SQLite writer's own
/// checkpoint once the WAL is very long).
pub fn in_background() {
    #[cfg(target_os = "linux")]
    {
        let param = libc::sched_param { sched_priority: 0 };
        // SAFETY: sets the scheduling policy of the calling thread (pid 0) only; `param` is
        // a valid sched_param that outlives the call.
        if unsafe { libc::sched_setscheduler(0, libc::SCHED_IDLE, &param) } != 0 {
            tracing::debug!(error = %std::io::Error::last_os_error(), "the thread keeps its scheduling policy");
        }
    }
}

/// The store: a connection pool to one database.
#[derive(Clone)]
pub struct Store {
    pool: db::Pool,
    backend: Backend,
    write_attempts: u32,
    writing: crud::Writing,
    /// SQLite: the one connection every write of this process uses, in turn (see `tx`).
    sqlite_writer: Option<std::sync::Arc<tx::SqliteWriter>>,
    /// SQLite: checkpoints the WAL while any clone of the store lives.
    _checkpointer: Option<std::sync::Arc<db::Checkpointer>>,
    /// PostgreSQL: hears the writes other servers announce while any clone lives.
    _listener: Option<std::sync::Arc<listen::Listener>>,
    /// What every write of this handle records besides itself ([`Store::recording`]).
    recorder: Option<Recorder>,
    /// The writes of each resource type this store committed ([`Store::local_writes`]).
    committed: std::sync::Arc<Committed>,
}

/// How many writes of each resource type a store (and its clones) committed — on
/// PostgreSQL with those of the [`listen::ANNOUNCED`] types that the listener ([`listen::Listener`])
/// heard of, this server's own among them — and, on SQLite, how often the watcher
/// ([`db::Checkpointer`]) found that another connection to the file had committed
/// ([`Store::local_writes`]).
#[derive(Default)]
pub(crate) struct Committed {
    counts: std::sync::Mutex<std::collections::HashMap<String, u64>>,
    others: std::sync::Mutex<Others>,
}

/// What the looks at others' writes found: on SQLite, at the writer's `PRAGMA
/// data_version`; on PostgreSQL, whether the listener still hears.
#[derive(Default)]
struct Others {
    /// SQLite: the value at the last look.
    version: Option<i64>,
    /// When the last look was (PostgreSQL: when the listener last showed it hears).
    looked: Option<std::time::Instant>,
    /// How many looks found it changed (PostgreSQL: how often the listener started
    /// listening, having missed what was announced before).
    changes: u64,
}

/// How long after the last look at writes by other connections (on SQLite the watcher of
/// [`db::Checkpointer`], which looks every [`db::LOOK_INTERVAL`]; on PostgreSQL the
/// listener's round trip, every [`listen::ALIVE_INTERVAL`]) the store still says what was
/// committed ([`Store::local_writes`]); after that it cannot tell.
const OTHERS_UNSEEN: std::time::Duration = std::time::Duration::from_secs(1);

impl Committed {
    /// What the looks at others' writes found (a panic elsewhere leaves it whole: each
    /// change under the lock is one assignment or increment).
    fn others(&self) -> std::sync::MutexGuard<'_, Others> {
        self.others.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn count<'a>(&self, types: impl IntoIterator<Item = &'a str>) {
        let mut counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        for res_type in types {
            match counts.get_mut(res_type) {
                Some(n) => *n += 1,
                None => {
                    counts.insert(res_type.to_owned(), 1);
                }
            }
        }
    }

    /// The SQLite writer's `PRAGMA data_version` now: different from the last look's when
    /// another connection committed since.
    pub(crate) fn looked(&self, version: i64) {
        let mut others = self.others();
        if others.version.is_some_and(|last| last != version) {
            others.changes += 1;
        }
        others.version = Some(version);
        others.looked = Some(std::time::Instant::now());
    }

    /// PostgreSQL: the listener has heard every announced write committed until now.
    pub(crate) fn listened(&self) {
        let mut others = self.others();
        others.looked = Some(std::time::Instant::now());
    }

    /// PostgreSQL: the listener (again) listens, and may have missed announcements before.
    pub(crate) fn missed(&self) {
        let mut others = self.others();
        others.changes += 1;
    }

    /// PostgreSQL: the listener lost its connection, or cannot make one: until it shows that
    /// it hears again, the store cannot tell.
    pub(crate) fn deaf(&self) {
        let mut others = self.others();
        others.looked = None;
    }

    /// The writes of `types` committed by this store, plus the changes others made (of any
    /// type) as last looked at; `None` when the last look is too long ago (or none was made).
    fn writes(&self, types: &[&str]) -> Option<u64> {
        let changes = {
            let others = self.others();
            others
                .looked
                .filter(|looked| looked.elapsed() < OTHERS_UNSEEN)
                .map(|_| others.changes)?
        };
        let counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        Some(changes + types.iter().filter_map(|t| counts.get(*t)).sum::<u64>())
    }
}

/// Makes, from the versions a write stored, the resources that record it (an AuditEvent, a
/// Provenance), which the store writes in the same database transaction. Called again when
/// the transaction is retried.
pub type Recorder = std::sync::Arc<dyn Fn(&[&Version]) -> Vec<serde_json::Value> + Send + Sync>;

/// The versions a write stored (for its [`Recorder`]).
pub trait Recorded {
    fn written(&self) -> Vec<&Version> {
        Vec::new()
    }
}

impl Recorded for usize {}

/// Reindexing (the pks it indexed) records nothing.
impl Recorded for Vec<i64> {}

/// One stored version of a resource.
#[derive(Debug, Clone, PartialEq)]
pub struct Version {
    pub res_type: String,
    pub id: String,
    pub version: i64,
    pub last_updated: Timestamp,
    /// This version records a deletion (it has no content).
    pub deleted: bool,
    /// The interaction that wrote the version: POST, PUT or DELETE.
    pub method: String,
    /// The resource's JSON text, with `id` and `meta` as stored; `None` for a deletion.
    pub content: Option<String>,
}

impl Version {
    /// The resource as JSON; `None` for a deletion (or text that is not JSON).
    pub fn resource(&self) -> Option<serde_json::Value> {
        serde_json::from_str(self.content.as_deref()?).ok()
    }
}

impl Store {
    /// Opens the database named by `config.url`, creating it (SQLite) and running the
    /// embedded migrations.
    pub fn open(config: &StoreConfig) -> Result<Store, FhirError> {
        let (pool, backend) = db::open(config)?;
        let sqlite_writer = match backend {
            Backend::Sqlite => Some(std::sync::Arc::new(tx::SqliteWriter::new(
                db::sqlite_writer(config)?,
            ))),
            Backend::Postgres => None,
        };
        let committed = std::sync::Arc::<Committed>::default();
        Ok(Store {
            pool,
            backend,
            write_attempts: config.write_attempts.max(1),
            writing: crud::Writing {
                enforce_references: config.enforce_references,
                registry: config.search_parameters,
            },
            sqlite_writer: sqlite_writer.clone(),
            _checkpointer: match sqlite_writer {
                Some(writer) => Some(std::sync::Arc::new(db::Checkpointer::start(
                    db::sqlite_path(&config.url),
                    writer,
                    db::RESTART_FRAMES,
                    committed.clone(),
                )?)),
                None => None,
            },
            _listener: match backend {
                Backend::Postgres => Some(std::sync::Arc::new(listen::Listener::start(
                    config.url.clone(),
                    committed.clone(),
                )?)),
                Backend::Sqlite => None,
            },
            recorder: None,
            committed,
        })
    }

    /// How many writes of resources of `types` were committed, as far as this store can
    /// tell without asking the database, so that what a caller read of those types before is
    /// known to be current while the number is unchanged. `None` when it cannot tell.
    ///
    /// SQLite: the writes this store and its clones committed, counted after each commit,
    /// plus how often another connection to the same file (another process, which the
    /// server does not expect, or another store) was found to have committed anything —
    /// looked for by a thread of the store every [`db::LOOK_INTERVAL`]; `None` when the last
    /// look is more than a second old (it waits for the writer's group of writes to end): a
    /// write by another process goes unseen for a second at most.
    ///
    /// PostgreSQL, where other servers write to the same database: only for the
    /// [`listen::ANNOUNCED`] types, whose writes every server hears of ([`listen::Listener`]): the
    /// writes this store committed, counted after each commit, and those it heard of. A write
    /// by another server counts once its announcement has arrived, which the listener waits
    /// for (a fraction of a millisecond after its commit on an idle machine); `None` for
    /// other types, while the listener has lost its connection, and when it has not shown
    /// for a second that it still hears.
    ///
    /// (The AuditEvents and Provenances a write records of itself are not counted.)
    pub fn local_writes(&self, types: &[&str]) -> Option<u64> {
        match self.backend {
            Backend::Sqlite => self.committed.writes(types),
            Backend::Postgres if types.iter().all(|t| listen::ANNOUNCED.contains(t)) => {
                self.committed.writes(types)
            }
            Backend::Postgres => None,
        }
    }

    /// Counts committed writes of resources of `types` ([`local_writes`](Self::local_writes)).
    pub(crate) fn committed<'a>(&self, types: impl IntoIterator<Item = &'a str>) {
        self.committed.count(types);
    }

    /// This store, with every write also storing what `recorder` makes of it, in the same
    /// database transaction (each record a new resource with the id it carries).
    pub fn recording(&self, recorder: Recorder) -> Store {
        Store {
            recorder: Some(recorder),
            ..self.clone()
        }
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Brings the planner's statistics up to date after a bulk change (`ANALYZE` on
    /// PostgreSQL, whose plans depend on them; SQLite keeps none, and the store's queries do
    /// not count on them there).
    pub fn analyze(&self) -> Result<(), FhirError> {
        use diesel::connection::SimpleConnection;
        if self.backend == Backend::Postgres {
            self.conn()?
                .batch_execute("ANALYZE")
                .map_err(tx::db_error)?;
        }
        Ok(())
    }

    fn conn(&self) -> Result<db::PooledConn, FhirError> {
        self.pool.get().map_err(|e| {
            tracing::error!(error = %e, "no database connection available");
            FhirError::new(
                zorgplan_fhir::ErrorKind::Unavailable,
                zorgplan_fhir::IssueType::Transient,
                "The database is not available at the moment; try again later",
            )
        })
    }
}
