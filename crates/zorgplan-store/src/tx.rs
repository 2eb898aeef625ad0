//! Transactions: every write runs in one database transaction that serialises with every
//! other write — `BEGIN IMMEDIATE` on SQLite (one writer at a time), `SERIALIZABLE` on
//! PostgreSQL — and is retried when the database reports a serialisation failure, so that
//! concurrent conditional creates and version-checked updates stay correct.

use crate::db::AnyConnection;
use crate::Store;
use diesel::connection::{AnsiTransactionManager, TransactionManager};
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel::Connection;
use std::time::Duration;
use zorgplan_fhir::{ErrorKind, FhirError, IssueType};

/// How often a write that lost a race is tried again before the client gets 409.
const MAX_ATTEMPTS: u32 = 10;

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

fn begin_write(conn: &mut AnyConnection) -> Result<(), DieselError> {
    match conn {
        AnyConnection::Sqlite(c) => {
            AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")
        }
        AnyConnection::Postgresql(c) => {
            AnsiTransactionManager::begin_transaction_sql(c, "BEGIN ISOLATION LEVEL SERIALIZABLE")
        }
    }
}

type Tm = <AnyConnection as Connection>::TransactionManager;

fn attempt<T>(
    conn: &mut AnyConnection,
    op: &impl Fn(&mut AnyConnection) -> TxResult<T>,
) -> TxResult<T> {
    begin_write(conn)?;
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
        op: impl Fn(&mut AnyConnection) -> TxResult<T>,
    ) -> Result<T, FhirError> {
        let mut tries = 0;
        loop {
            tries += 1;
            let mut conn = self.conn()?;
            match attempt(&mut conn, &op) {
                Ok(value) => return Ok(value),
                Err(TxError::Fhir(e)) => return Err(e),
                Err(TxError::Db(e)) if retryable(&e) && tries < MAX_ATTEMPTS => {
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

/// Exponential backoff with jitter: 1, 2, 4, … ms plus up to as much again.
fn backoff(tries: u32) -> Duration {
    let base = 1u64 << tries.min(7);
    let jitter = u64::from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0),
    ) % (base * 1000);
    Duration::from_micros(base * 1000 + jitter)
}
