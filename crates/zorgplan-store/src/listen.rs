//! PostgreSQL: how the servers on one database hear of each other's writes of what the
//! access policy reads, so that none of them has to ask the database on every request
//! whether a child's facts changed ([`crate::Store::local_writes`]).
//!
//! A trigger on `resource_versions` (migration `announce_writes`) notifies channel
//! [`WRITES_CHANNEL`] with the type of every version written of an [`ANNOUNCED`] type, at
//! commit; [`announce`] does the same for a change the trigger does not see. Every store
//! listens ([`Listener`]) on a libpq connection of its own, which it can wait on for input
//! without polling (diesel's connection cannot).

use diesel::RunQueryDsl;
use std::ffi::{CStr, CString};
use std::ptr::NonNull;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use zorgplan_fhir::FhirError;

use crate::db::AnyConnection;

/// The resource types whose writes PostgreSQL announces to every server on the database, on
/// [`WRITES_CHANNEL`] with the type as payload: what the access policy reads of a child
/// (its Patient, CareTeams, Consents, RelatedPersons) and of a professional or system (its
/// PractitionerRoles, Organizations). The trigger of the migration `announce_writes` names
/// the same types; PostgreSQL commits notifying transactions one at a time, so only types
/// written rarely are announced.
pub const ANNOUNCED: [&str; 6] = [
    "Patient",
    "CareTeam",
    "Consent",
    "RelatedPerson",
    "PractitionerRole",
    "Organization",
];

/// The channel of [`ANNOUNCED`] writes.
const WRITES_CHANNEL: &str = "zorgplan_writes";
/// How often the listener makes a round trip on its connection, which shows that it still
/// hears: a connection that a firewall dropped without a word would otherwise look quiet.
pub(crate) const ALIVE_INTERVAL: Duration = Duration::from_millis(250);
/// How long the listener waits before it connects again after losing its connection.
const RECONNECT_INTERVAL: Duration = Duration::from_secs(1);
/// How long dropping a [`Listener`] waits for its thread, which may be waiting for a
/// database that does not answer; after that it is left to end by itself.
const STOP_WAIT: Duration = Duration::from_secs(2);

/// PostgreSQL: announces, at the commit of the open transaction, a change to resources of
/// those of `types` that are [`ANNOUNCED`], for a change the trigger does not see:
/// reindexing writes no version, but can change which resources a search finds (a child's
/// CareTeams, say). Nothing on SQLite, where another connection's commit is seen anyway.
pub(crate) fn announce<'a>(
    conn: &mut AnyConnection,
    types: impl IntoIterator<Item = &'a str>,
) -> diesel::QueryResult<()> {
    let AnyConnection::Postgresql(conn) = conn else {
        return Ok(());
    };
    for res_type in types.into_iter().filter(|t| ANNOUNCED.contains(t)) {
        diesel::sql_query("SELECT pg_notify($1, $2)")
            .bind::<diesel::sql_types::Text, _>(WRITES_CHANNEL)
            .bind::<diesel::sql_types::Text, _>(res_type)
            .execute(conn)?;
    }
    Ok(())
}

/// PostgreSQL: hears the [`ANNOUNCED`] writes of every server on the database (this one
/// too), on a connection of its own that listens on [`WRITES_CHANNEL`], and counts them by
/// type in the store's [`crate::Committed`], for [`crate::Store::local_writes`]. It waits on
/// the connection's socket, so an announcement is counted as soon as it arrives, and makes
/// sure every [`ALIVE_INTERVAL`] that the connection still works (`SELECT 1`, after which
/// every write committed before it was heard); only then does the store say that it can
/// tell. When the connection breaks the store cannot tell until the listener has connected
/// again, which counts as a change of every type (what was announced meanwhile went
/// unheard). Stops when dropped, and is waited for [`STOP_WAIT`] at most.
pub(crate) struct Listener {
    stop: Arc<AtomicBool>,
    /// Written to when the listener is to stop, which wakes its wait for input.
    wake: std::os::fd::OwnedFd,
    thread: Option<std::thread::JoinHandle<()>>,
    /// Disconnected when the thread ends (in a mutex only so that the store is `Sync`).
    ended: std::sync::Mutex<std::sync::mpsc::Receiver<()>>,
}

impl Listener {
    pub(crate) fn start(
        url: String,
        committed: Arc<crate::Committed>,
    ) -> Result<Listener, FhirError> {
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = stop.clone();
        let (ends, ended) = std::sync::mpsc::channel::<()>();
        let (woken, wake) =
            pipe().map_err(|e| FhirError::internal(format!("making the listener's pipe: {e}")))?;
        let thread = std::thread::Builder::new()
            .name("pg-listen".into())
            .spawn(move || {
                let _ends = ends;
                listen(&url, &stopped, &woken, &committed);
            })
            .map_err(|e| {
                FhirError::internal(format!("starting the PostgreSQL listener thread: {e}"))
            })?;
        Ok(Listener {
            stop,
            wake,
            thread: Some(thread),
            ended: std::sync::Mutex::new(ended),
        })
    }
}

/// The listener's thread, until `stopped`.
fn listen(
    url: &str,
    stopped: &AtomicBool,
    woken: &std::os::fd::OwnedFd,
    committed: &crate::Committed,
) {
    let mut listening: Option<Connection> = None;
    // When the last round trip showed that the connection hears (none yet on a new one).
    let mut alive: Option<Instant> = None;
    // Told in the log once per stretch of not hearing.
    let mut deaf = false;
    while !stopped.load(Ordering::Relaxed) {
        let conn = match listening.as_mut() {
            Some(conn) => conn,
            None => match Connection::listening(url) {
                Ok(conn) => {
                    if std::mem::take(&mut deaf) {
                        tracing::info!("listening for other servers' writes again");
                    }
                    // What was announced before went unheard.
                    committed.missed();
                    alive = None;
                    listening.insert(conn)
                }
                Err(e) => {
                    committed.deaf();
                    if !std::mem::replace(&mut deaf, true) {
                        tracing::warn!(error = %e, "cannot listen for other servers' writes: until it can, every checked request asks the database whether a child's facts changed");
                    }
                    std::thread::park_timeout(RECONNECT_INTERVAL);
                    continue;
                }
            },
        };
        let until_due = |alive: Option<Instant>| {
            alive.map_or(Duration::ZERO, |at| {
                ALIVE_INTERVAL.saturating_sub(at.elapsed())
            })
        };
        let heard = conn.wait(until_due(alive), woken).and_then(|()| {
            let due = until_due(alive).is_zero();
            if due {
                conn.execute("SELECT 1")?;
            }
            conn.notifications(|res_type| committed.count([res_type]));
            Ok(due)
        });
        match heard {
            Ok(true) => {
                alive = Some(Instant::now());
                committed.listened();
            }
            Ok(false) => {}
            Err(e) => {
                committed.deaf();
                tracing::warn!(error = %e, "lost the connection that listens for other servers' writes; connecting again");
                deaf = true;
                listening = None;
            }
        }
    }
}

impl Drop for Listener {
    /// Stops the thread and waits for it (its connection closed) for [`STOP_WAIT`] at most:
    /// a connection attempt or round trip to a database that does not answer may take
    /// minutes.
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        // SAFETY: one byte from a live buffer to a pipe this listener owns (when the pipe is
        // full, the thread has been woken already).
        let _ = unsafe {
            libc::write(
                std::os::fd::AsRawFd::as_raw_fd(&self.wake),
                [1u8].as_ptr().cast(),
                1,
            )
        };
        if let Some(thread) = self.thread.take() {
            thread.thread().unpark();
            let ended = self
                .ended
                .get_mut()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            match ended.recv_timeout(STOP_WAIT) {
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                    tracing::warn!(
                        "the PostgreSQL listener did not stop in time; left to end by itself"
                    );
                }
                _ => {
                    if thread.join().is_err() {
                        tracing::warn!("the PostgreSQL listener thread panicked");
                    }
                }
            }
        }
    }
}

/// A pipe (read end, write end), both ends closed on exec and the read end not blocking.
fn pipe() -> std::io::Result<(std::os::fd::OwnedFd, std::os::fd::OwnedFd)> {
    let mut fds = [0; 2];
    // SAFETY: room for the two descriptors; each is owned once made.
    unsafe {
        if libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC | libc::O_NONBLOCK) != 0 {
            return Err(std::io::Error::last_os_error());
        }
        use std::os::fd::FromRawFd;
        Ok((
            std::os::fd::OwnedFd::from_raw_fd(fds[0]),
            std::os::fd::OwnedFd::from_raw_fd(fds[1]),
        ))
    }
}

/// A libpq connection that listens on [`WRITES_CHANNEL`] (`zorgplan-listen` in
/// `pg_stat_activity`), closed when dropped.
struct Connection(NonNull<pq_sys::PGconn>);

// SAFETY: a libpq connection may be used from any thread, by one at a time; a `Connection`
// is owned, and used, by the listener's thread alone.
unsafe impl Send for Connection {}

impl Connection {
    fn listening(url: &str) -> Result<Connection, String> {
        let info = CString::new(url).map_err(|_| "the database URL holds a NUL byte")?;
        // SAFETY: `info` is a C string that lives through the call; the connection libpq
        // returns, also a failed one, is finished by `Drop`.
        let conn = NonNull::new(unsafe { pq_sys::PQconnectdb(info.as_ptr()) })
            .map(Connection)
            .ok_or("libpq could not allocate a connection")?;
        // SAFETY: a live connection.
        let status = unsafe { pq_sys::PQstatus(conn.0.as_ptr()) };
        if status != pq_sys::ConnStatusType::CONNECTION_OK {
            return Err(conn.error());
        }
        conn.execute(&format!(
            "SET application_name = 'zorgplan-listen'; LISTEN {WRITES_CHANNEL}"
        ))?;
        Ok(conn)
    }

    /// The connection's last error message.
    fn error(&self) -> String {
        // SAFETY: a live connection; the message is owned by it and copied at once.
        let message = unsafe { CStr::from_ptr(pq_sys::PQerrorMessage(self.0.as_ptr())) };
        message.to_string_lossy().trim().to_owned()
    }

    /// Runs `sql` and waits for its end (taking the announcements that came before).
    fn execute(&self, sql: &str) -> Result<(), String> {
        let sql = CString::new(sql).map_err(|_| "a statement holds a NUL byte")?;
        // SAFETY: a live connection and a C string that lives through the call; the result
        // is cleared once its status is read.
        let status = unsafe {
            let result = pq_sys::PQexec(self.0.as_ptr(), sql.as_ptr());
            if result.is_null() {
                return Err(self.error());
            }
            let status = pq_sys::PQresultStatus(result);
            pq_sys::PQclear(result);
            status
        };
        match status {
            pq_sys::ExecStatusType::PGRES_COMMAND_OK | pq_sys::ExecStatusType::PGRES_TUPLES_OK => {
                Ok(())
            }
            _ => Err(self.error()),
        }
    }

    /// Waits at most `timeout` for something to arrive, or for `woken` to be written to,
    /// and takes what arrived.
    fn wait(&self, timeout: Duration, woken: &std::os::fd::OwnedFd) -> Result<(), String> {
        // SAFETY: a live connection.
        let socket = unsafe { pq_sys::PQsocket(self.0.as_ptr()) };
        if socket < 0 {
            return Err("the connection has no socket".into());
        }
        let mut ready = [socket, std::os::fd::AsRawFd::as_raw_fd(woken)].map(|fd| libc::pollfd {
            fd,
            events: libc::POLLIN,
            revents: 0,
        });
        // Rounded up: a wait rounded down to 0 ms would return at once, again and again.
        let millis = i32::try_from(timeout.as_micros().div_ceil(1000)).unwrap_or(i32::MAX);
        // SAFETY: two valid pollfds.
        if unsafe { libc::poll(ready.as_mut_ptr(), 2, millis) } < 0 {
            let e = std::io::Error::last_os_error();
            if e.kind() != std::io::ErrorKind::Interrupted {
                return Err(e.to_string());
            }
        }
        // SAFETY: a live connection; reads what the socket holds without blocking.
        if unsafe { pq_sys::PQconsumeInput(self.0.as_ptr()) } == 0 {
            return Err(self.error());
        }
        Ok(())
    }

    /// Hands the payload of every announcement taken to `heard`.
    fn notifications(&self, mut heard: impl FnMut(&str)) {
        loop {
            // SAFETY: a live connection; each notification is freed once read.
            let Some(notification) = NonNull::new(unsafe { pq_sys::PQnotifies(self.0.as_ptr()) })
            else {
                return;
            };
            // SAFETY: libpq sets `extra` to the payload, a C string ("" when there is none).
            unsafe {
                let payload = notification.as_ref().extra;
                if !payload.is_null() {
                    heard(&CStr::from_ptr(payload).to_string_lossy());
                }
                pq_sys::PQfreemem(notification.as_ptr().cast());
            }
        }
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        // SAFETY: the connection is not used after this.
        unsafe { pq_sys::PQfinish(self.0.as_ptr()) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A listener that cannot reach its database never says that it hears (the store then
    /// asks the database), and stops when dropped.
    #[test]
    fn a_listener_without_a_database_hears_nothing() {
        let committed = Arc::new(crate::Committed::default());
        let listener = Listener::start(
            "postgres://postgres@127.0.0.1:1/nowhere".into(),
            committed.clone(),
        )
        .unwrap();
        std::thread::sleep(Duration::from_millis(100));
        assert_eq!(committed.writes(&["Consent"]), None);
        let started = Instant::now();
        drop(listener);
        assert!(started.elapsed() < STOP_WAIT, "{:?}", started.elapsed());
    }

    /// What the store can tell through a listener's life: nothing before it hears; the
    /// writes counted while it hears; nothing once it lost its connection; and, listening
    /// again, a change of every type.
    #[test]
    fn the_store_tells_only_while_the_listener_hears() {
        let committed = crate::Committed::default();
        assert_eq!(committed.writes(&["Consent"]), None);
        committed.missed();
        committed.listened();
        let before = committed.writes(&["Consent"]).expect("hears");
        committed.count(["Consent"]);
        assert_eq!(committed.writes(&["Consent"]), Some(before + 1));
        committed.deaf();
        assert_eq!(committed.writes(&["Consent"]), None);
        committed.missed();
        committed.listened();
        assert_eq!(committed.writes(&["Consent"]), Some(before + 2));
    }
}
