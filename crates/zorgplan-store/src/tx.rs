//! Transactions: every write runs in one database transaction and is retried from the start
//! when it lost a race with a concurrent write.
//!
//! - SQLite has one writer at a time: writers of this process queue on a mutex (which wakes
//!   them at once, where SQLite's busy handler would sleep in steps of up to 100 ms) and then
//!   take the database's write lock with `BEGIN IMMEDIATE`, which waits for writers of other
//!   processes up to the busy timeout.
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

impl Store {
    /// Runs `op` in a write transaction, retrying it from the start when it lost a race.
    pub(crate) fn write<T>(
        &self,
        isolation: Isolation,
        op: impl Fn(&mut AnyConnection) -> TxResult<T>,
    ) -> Result<T, FhirError> {
        let mut tries = 0;
        loop {
            tries += 1;
            let _writer = self
                .sqlite_writer
                .as_ref()
                .map(|m| m.lock().unwrap_or_else(|poisoned| poisoned.into_inner()));
            let mut conn = self.conn()?;
            match attempt(&mut conn, isolation, &op) {
                Ok(value) => return Ok(value),
                Err(TxError::Fhir(e)) => return Err(e),
                Err(TxError::Db(e)) if retryable(&e) && tries < self.write_attempts => {
                    tracing::debug!(error = %e, tries, "write lost a race; retrying");
                    drop(conn);
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
