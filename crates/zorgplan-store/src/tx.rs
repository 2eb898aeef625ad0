//! Transactions: every write runs in one database transaction and is retried from the start
//! when it lost a race with a concurrent write.
//!
//! - SQLite has one writer at a time: writers of this process take turns on one connection
//!   of their own, behind a mutex (which wakes them at once, where SQLite's busy handler
//!   would sleep in steps of up to 100 ms), and then take the database's write lock with
//!   `BEGIN IMMEDIATE`, which waits for writers of other processes up to the busy timeout.
//!   One connection, because in WAL mode a connection drops its whole page cache when
//!   another connection has written since its last transaction: writes taking turns on
//!   pooled connections each started from an empty cache and read every page they touched
//!   again.
//! - PostgreSQL runs a plain write under `REPEATABLE READ`: of two transactions that change one
//!   row, the second fails with a serialisation error and is rerun, so version checks
//!   (If-Match) and update-as-create hold without locking more than the rows written. A write
//!   whose outcome depends on a search (conditional create, update, delete) runs
//!   `SERIALIZABLE`, so that a concurrent write cannot slip a match past it.

use crate::db::AnyConnection;
use crate::Store;
use diesel::connection::{AnsiTransactionManager, TransactionManager};
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel::Connection;
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::Duration;
use zorgplan_fhir::{ErrorKind, FhirError, IssueType};

/// The failure of one attempt: a database error (maybe worth retrying) or a final answer.
#[derive(Debug)]
pub(crate) enum TxError {
    Db(DieselError),
    Fhir(FhirError),
}

impl From<DieselError> for TxError {
    fn from(e: DieselError) -> Self {
        TxError::Db(e)
    }
}

impl From<FhirError> for TxError {
    fn from(e: FhirError) -> Self {
        TxError::Fhir(e)
    }
}

impl TxError {
    /// The same failure, a final answer changed by `f`.
    pub(crate) fn map_fhir(self, f: impl FnOnce(FhirError) -> FhirError) -> TxError {
        match self {
            TxError::Fhir(e) => TxError::Fhir(f(e)),
            db => db,
        }
    }
}

pub(crate) type TxResult<T> = Result<T, TxError>;

fn retryable(e: &DieselError) -> bool {
    matches!(
        e,
        DieselError::DatabaseError(
            DatabaseErrorKind::SerializationFailure | DatabaseErrorKind::UniqueViolation,
            _
        )
    )
}

/// The answer a client gets for a database error.
pub(crate) fn db_error(e: DieselError) -> FhirError {
    match &e {
        DieselError::DatabaseError(DatabaseErrorKind::SerializationFailure, _)
        | DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => FhirError::new(
            ErrorKind::Conflict,
            IssueType::Conflict,
            "The write conflicted with concurrent writes; try again",
        ),
        DieselError::DatabaseError(_, info) if info.message().contains("database is locked") => {
            FhirError::new(
                ErrorKind::Unavailable,
                IssueType::Transient,
                "The database is busy; try again later",
            )
        }
        _ => {
            tracing::error!(error = %e, "database error");
            FhirError::internal("The server could not complete the request (database error)")
        }
    }
}

/// What a write transaction must be protected against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Isolation {
    /// Concurrent changes of the rows it writes.
    Rows,
    /// Also concurrent writes that would change the result of a search it made.
    Search,
}

fn begin_write(conn: &mut AnyConnection, isolation: Isolation) -> Result<(), DieselError> {
    match conn {
        AnyConnection::Sqlite(c) => {
            AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")
        }
        AnyConnection::Postgresql(c) => AnsiTransactionManager::begin_transaction_sql(
            c,
            match isolation {
                Isolation::Rows => "BEGIN ISOLATION LEVEL REPEATABLE READ",
                Isolation::Search => "BEGIN ISOLATION LEVEL SERIALIZABLE",
            },
        ),
    }
}

type Tm = <AnyConnection as Connection>::TransactionManager;

fn attempt<T>(
    conn: &mut AnyConnection,
    isolation: Isolation,
    op: &impl Fn(&mut AnyConnection) -> TxResult<T>,
) -> TxResult<T> {
    begin_write(conn, isolation)?;
    match op(conn) {
        Ok(value) => {
            Tm::commit_transaction(conn)?;
            Ok(value)
        }
        Err(e) => {
            if let Err(rollback) = Tm::rollback_transaction(conn) {
                tracing::warn!(error = %rollback, "rollback failed");
            }
            Err(e)
        }
    }
}

/// Most writes one SQLite transaction takes in (see [`SqliteWriter`]).
const MAX_GROUP: usize = 16;

/// SQLite's writer: the one connection every write of this process uses, and the group of
/// writes whose transaction is open on it.
///
/// Writes take turns on the connection. A write that finds its turn while the previous
/// writes' transaction is still open runs in that transaction; a write that finds others
/// queued behind it when it is done leaves the transaction open for them and waits for its
/// end; the write after which none is queued (or the sixteenth of a group, or the one that
/// runs while the checkpointer waits to run between two groups) commits. The
/// commit writes every page the group changed once, where a commit per write wrote pages
/// they share (the B-tree pages of common index values, the inner pages) again and again:
/// a write of a family's forty resources changes some 850 pages. Every write of a group
/// returns after its commit, so none answers before it is durable, and none is visible to
/// readers before all are.
///
/// A write that fails rolls back the whole group: the others run again (in a later group),
/// and the failed one runs again at once, alone, so that its answer depends on committed
/// data only.
pub(crate) struct SqliteWriter {
    state: Mutex<WriterState>,
    /// Signalled when a group ends.
    ended: Condvar,
    /// Writes waiting for their turn.
    queued: AtomicUsize,
    /// Callers waiting to run between two groups ([`SqliteWriter::between_groups`]): while
    /// there are any, the open group takes in no more writes.
    pausing: AtomicUsize,
}

struct WriterState {
    conn: AnyConnection,
    /// The group whose transaction is open, and how many writes it has taken in.
    open: Option<(u64, usize)>,
    /// The number of the last group begun.
    last: u64,
    /// How groups that writes still wait on ended: committed or not, and how many wait.
    ends: HashMap<u64, (bool, usize)>,
}

impl SqliteWriter {
    pub(crate) fn new(conn: AnyConnection) -> SqliteWriter {
        SqliteWriter {
            state: Mutex::new(WriterState {
                conn,
                open: None,
                last: 0,
                ends: HashMap::new(),
            }),
            ended: Condvar::new(),
            queued: AtomicUsize::new(0),
            pausing: AtomicUsize::new(0),
        }
    }

    fn lock(&self) -> MutexGuard<'_, WriterState> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Runs `op` in a group's transaction: `Ok` once committed, or what failed (run again
    /// as often as other writes' failures roll its group back).
    pub(crate) fn write<T>(&self, op: &impl Fn(&mut AnyConnection) -> TxResult<T>) -> TxResult<T> {
        loop {
            if let Turn::Done(outcome) = self.run(op) {
                return outcome;
            }
        }
    }

    /// Runs `op` in the open group's transaction (or a new one): `Ok` once committed, or
    /// what failed; [`Turn::Again`] when another write's failure rolled the group back.
    fn run<T>(&self, op: &impl Fn(&mut AnyConnection) -> TxResult<T>) -> Turn<T> {
        self.queued.fetch_add(1, Ordering::SeqCst);
        let mut state = self.lock();
        self.queued.fetch_sub(1, Ordering::SeqCst);
        let group = match state.open {
            Some((group, _)) => group,
            None => {
                if let Err(e) = begin_write(&mut state.conn, Isolation::Rows) {
                    return Turn::Done(Err(e.into()));
                }
                state.last += 1;
                state.open = Some((state.last, 0));
                state.last
            }
        };
        let outcome =
            match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| op(&mut state.conn))) {
                Ok(outcome) => outcome,
                Err(panic) => {
                    self.abort(&mut state);
                    std::panic::resume_unwind(panic);
                }
            };
        let (_, taken) = state.open.as_mut().expect("the group is open");
        *taken += 1;
        let alone = *taken == 1;
        match outcome {
            Ok(value)
                if self.queued.load(Ordering::SeqCst) > 0
                    && *taken < MAX_GROUP
                    && self.pausing.load(Ordering::SeqCst) == 0 =>
            {
                // The writes queued behind this one write in its transaction; the last
                // of them commits.
                state.ends.entry(group).or_insert((false, 0)).1 += 1;
                let mut state = self
                    .ended
                    .wait_while(state, |s| s.open.is_some_and(|(open, _)| open == group))
                    .unwrap_or_else(|poisoned| poisoned.into_inner());
                let end = state.ends.get_mut(&group).expect("the group's end is kept");
                let committed = end.0;
                end.1 -= 1;
                if end.1 == 0 {
                    state.ends.remove(&group);
                }
                if committed {
                    Turn::Done(Ok(value))
                } else {
                    Turn::Again
                }
            }
            Ok(value) => match Tm::commit_transaction(&mut state.conn) {
                Ok(()) => {
                    self.end(&mut state, true);
                    Turn::Done(Ok(value))
                }
                Err(e) => {
                    // diesel has rolled the transaction back.
                    self.end(&mut state, false);
                    Turn::Done(Err(e.into()))
                }
            },
            Err(e) => {
                self.abort(&mut state);
                if alone {
                    return Turn::Done(Err(e));
                }
                // The failure may depend on what the other writes of the group changed,
                // which is not stored now: run again, alone.
                Turn::Done(attempt(&mut state.conn, Isolation::Rows, op))
            }
        }
    }

    /// Runs `f` between two groups: while no write transaction of this process is open and
    /// none can begin (writes that come meanwhile wait for their turn). The open group, if
    /// any, ends with the write that runs now instead of taking in those queued behind it.
    /// `f` is given the writer's connection, outside any transaction.
    pub(crate) fn between_groups<T>(&self, f: impl FnOnce(&mut AnyConnection) -> T) -> T {
        self.pausing.fetch_add(1, Ordering::SeqCst);
        let state = self.lock();
        let mut state = self
            .ended
            .wait_while(state, |s| s.open.is_some())
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        self.pausing.fetch_sub(1, Ordering::SeqCst);
        f(&mut state.conn)
    }

    /// Rolls the open group's transaction back and ends the group.
    fn abort(&self, state: &mut WriterState) {
        if let Err(e) = Tm::rollback_transaction(&mut state.conn) {
            tracing::warn!(error = %e, "rollback failed");
        }
        self.end(state, false);
    }

    /// Ends the open group, whose transaction is over (committed, or not), and wakes the
    /// writes that wait for it.
    fn end(&self, state: &mut WriterState, committed: bool) {
        if let Some((group, _)) = state.open.take() {
            if let Some(end) = state.ends.get_mut(&group) {
                end.0 = committed;
            }
        }
        self.ended.notify_all();
    }
}

/// What became of a write's turn on the SQLite writer.
enum Turn<T> {
    Done(TxResult<T>),
    /// Rolled back with its group: to be run again.
    Again,
}

impl Store {
    /// Runs `op` in a write transaction, retrying it from the start when it lost a race.
    pub(crate) fn write<T: crate::Recorded>(
        &self,
        isolation: Isolation,
        op: impl Fn(&mut AnyConnection) -> TxResult<T>,
    ) -> Result<T, FhirError> {
        // The write, then what records it and the notifications it makes, in one
        // transaction.
        let op = |conn: &mut AnyConnection| {
            let done = op(conn)?;
            let written = done.written();
            if !written.is_empty() {
                if let Some(recorder) = &self.recorder {
                    let records = recorder(&written);
                    crate::crud::put_records(conn, self.writing.registry, &records)?;
                }
                crate::subscriptions::on_write(conn, self.writing.registry, &written)?;
            }
            Ok(done)
        };
        let mut tries = 0;
        loop {
            tries += 1;
            let outcome = match &self.sqlite_writer {
                Some(writer) => writer.write(&op),
                None => attempt(&mut *self.conn()?, isolation, &op),
            };
            match outcome {
                Ok(value) => {
                    self.committed(value.written().iter().map(|v| v.res_type.as_str()));
                    return Ok(value);
                }
                Err(TxError::Fhir(e)) => return Err(e),
                Err(TxError::Db(e)) if retryable(&e) && tries < self.write_attempts => {
                    tracing::debug!(error = %e, tries, "write lost a race; retrying");
                    std::thread::sleep(backoff(tries));
                }
                Err(TxError::Db(e)) => return Err(db_error(e)),
            }
        }
    }

    /// Runs `op` on a pooled connection without an explicit transaction (one statement
    /// reads a consistent snapshot on both backends).
    pub(crate) fn read_with<T>(
        &self,
        op: impl FnOnce(&mut AnyConnection) -> TxResult<T>,
    ) -> Result<T, FhirError> {
        let mut conn = self.conn()?;
        op(&mut conn).map_err(|e| match e {
            TxError::Fhir(e) => e,
            TxError::Db(e) => db_error(e),
        })
    }
}

/// Exponential backoff with jitter: 1, 2, 4, … ms plus up to as much again (up to 128 ms):
/// how long to wait before attempt `tries + 1` of something that lost a race.
pub fn backoff(tries: u32) -> Duration {
    let base = 1u64 << tries.min(7);
    let jitter = u64::from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0),
    ) % (base * 1000);
    Duration::from_micros(base * 1000 + jitter)
}
