//! The system under test: a `zorgplan serve` child process on a scratch database. Every
//! resource here is a guard that cleans up when dropped, so an error or an early return
//! never leaves a server running, a temporary directory behind or a database in PostgreSQL.

use std::fs::{self, File};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// A directory under the system temporary directory, removed with its contents on drop.
pub struct ScratchDir {
    path: PathBuf,
}

impl ScratchDir {
    pub fn create(label: &str) -> Result<ScratchDir, String> {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let path = std::env::temp_dir().join(format!(
            "zorgplan-bench-{}-{label}-{}-{nanos}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        fs::create_dir(&path)
            .map_err(|e| format!("cannot create the directory {}: {e}", path.display()))?;
        Ok(ScratchDir { path })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        if let Err(e) = fs::remove_dir_all(&self.path) {
            eprintln!(
                "zorgplan-bench: warning: cannot remove {}: {e}",
                self.path.display()
            );
        }
    }
}

/// A database of its own in a PostgreSQL server, created through `psql` and dropped (with
/// `FORCE`, so lingering connections do not keep it alive) on drop.
pub struct PostgresScratchDb {
    psql: String,
    admin_url: String,
    name: String,
    url: String,
}

impl PostgresScratchDb {
    /// Creates `zorgplan_bench_<pid>` by connecting to `admin_url` (any database the user
    /// may connect to, typically `postgres`).
    pub fn create(psql: &str, admin_url: &str) -> Result<PostgresScratchDb, String> {
        let name = format!("zorgplan_bench_{}", std::process::id());
        let url = replace_database(admin_url, &name)?;
        // A leftover of an earlier run whose process id was the same.
        run_psql(
            psql,
            admin_url,
            &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
        )?;
        run_psql(psql, admin_url, &format!("CREATE DATABASE {name}"))?;
        Ok(PostgresScratchDb {
            psql: psql.to_owned(),
            admin_url: admin_url.to_owned(),
            name,
            url,
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The URL of the scratch database, for the server.
    pub fn url(&self) -> &str {
        &self.url
    }
}

impl Drop for PostgresScratchDb {
    fn drop(&mut self) {
        let sql = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
        if let Err(e) = run_psql(&self.psql, &self.admin_url, &sql) {
            eprintln!(
                "zorgplan-bench: warning: cannot drop the database {}: {e}",
                self.name
            );
        }
    }
}

/// Runs one SQL statement with `psql`, failing within seconds if the server is unreachable.
pub fn run_psql(psql: &str, url: &str, sql: &str) -> Result<(), String> {
    let output = Command::new(psql)
        .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql])
        .env("PGCONNECT_TIMEOUT", "5")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run `{psql}`: {e}"))?;
    if output.status.success() {
        Ok(())
    } else {
        // psql's message spans lines; keep it on one.
        let stderr = String::from_utf8_lossy(&output.stderr);
        let message = stderr.split_whitespace().collect::<Vec<_>>().join(" ");
        Err(format!("`{sql}` failed ({}): {message}", output.status))
    }
}

/// `postgres://user@host:port/db?opts` with `db` replaced by `name`.
pub fn replace_database(url: &str, name: &str) -> Result<String, String> {
    let scheme_end = url
        .find("://")
        .filter(|_| url.starts_with("postgres://") || url.starts_with("postgresql://"))
        .ok_or_else(|| format!("'{url}' is not a postgres:// URL"))?
        + 3;
    let rest = &url[scheme_end..];
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let after = &rest[authority_end..];
    let query = after.find('?').map_or("", |i| &after[i..]);
    Ok(format!(
        "{}{}/{name}{query}",
        &url[..scheme_end],
        &rest[..authority_end]
    ))
}

/// A free TCP port on 127.0.0.1 (free when asked; the server binds it right after).
pub fn free_port() -> Result<u16, String> {
    let listener =
        TcpListener::bind("127.0.0.1:0").map_err(|e| format!("cannot find a free port: {e}"))?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|e| format!("cannot find a free port: {e}"))
}

/// A running `zorgplan serve`; killed and reaped on drop.
pub struct ServerProcess {
    child: Child,
    log_path: PathBuf,
    pub base_url: String,
}

/// How to start the server.
pub struct ServerOptions<'a> {
    pub binary: &'a Path,
    pub database_url: &'a str,
    pub workers: usize,
    pub log_filter: &'a str,
    /// Where the server's stdout and stderr go.
    pub log_path: PathBuf,
    /// How the server knows its callers: `--auth-…` arguments, or none for `--dev`.
    pub access: Vec<String>,
}

impl ServerProcess {
    pub fn start(options: ServerOptions<'_>) -> Result<ServerProcess, String> {
        let port = free_port()?;
        let listen = format!("127.0.0.1:{port}");
        let log = File::create(&options.log_path).map_err(|e| {
            format!(
                "cannot create the server log {}: {e}",
                options.log_path.display()
            )
        })?;
        let log_err = log
            .try_clone()
            .map_err(|e| format!("cannot share the server log: {e}"))?;
        let mut command = Command::new(options.binary);
        // The server reads its settings from ZORGPLAN_* variables too; only the command line
        // below should decide how it runs.
        for (key, _) in std::env::vars_os() {
            if key.to_string_lossy().starts_with("ZORGPLAN_") {
                command.env_remove(key);
            }
        }
        command.arg("serve");
        if options.access.is_empty() {
            command.arg("--dev");
        } else {
            command.args(&options.access);
        }
        command
            .args(["--database-url", options.database_url])
            .args(["--listen", &listen])
            .args(["--log", options.log_filter])
            .args(["--workers", &options.workers.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::from(log))
            .stderr(Stdio::from(log_err));
        let child = command
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", options.binary.display()))?;
        Ok(ServerProcess {
            child,
            log_path: options.log_path,
            base_url: format!("http://{listen}"),
        })
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// `Some(description)` once the process has exited.
    pub fn exited(&mut self) -> Option<String> {
        match self.child.try_wait() {
            Ok(Some(status)) => Some(status.to_string()),
            Ok(None) => None,
            Err(e) => Some(format!("unknown state ({e})")),
        }
    }

    /// Waits until `GET /metadata` answers 200, the process exits, or `timeout` passes.
    pub async fn wait_ready(
        &mut self,
        client: &reqwest::Client,
        timeout: Duration,
        interrupted: impl Fn() -> bool,
    ) -> Result<Duration, String> {
        let started = Instant::now();
        let url = format!("{}/metadata", self.base_url);
        loop {
            if let Some(status) = self.exited() {
                return Err(format!(
                    "the server exited during start-up ({status}){}",
                    self.log_tail()
                ));
            }
            if interrupted() {
                return Err("interrupted".to_owned());
            }
            let probe = client
                .get(&url)
                .header(reqwest::header::ACCEPT, "application/fhir+json")
                .timeout(Duration::from_secs(2))
                .send()
                .await;
            if let Ok(response) = probe {
                if response.status() == reqwest::StatusCode::OK {
                    return Ok(started.elapsed());
                }
            }
            if started.elapsed() >= timeout {
                return Err(format!(
                    "the server did not answer GET /metadata within {} s{}",
                    timeout.as_secs_f64(),
                    self.log_tail()
                ));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The last lines the server logged, formatted to append to an error message.
    pub fn log_tail(&self) -> String {
        const LINES: usize = 20;
        let Ok(text) = fs::read_to_string(&self.log_path) else {
            return String::new();
        };
        let lines: Vec<&str> = text.lines().collect();
        if lines.is_empty() {
            return String::new();
        }
        let tail = &lines[lines.len().saturating_sub(LINES)..];
        format!("\n  server log (last lines):\n    {}", tail.join("\n    "))
    }

    /// The CPU time the server has used, all its threads, in user and kernel mode
    /// (`/proc/<pid>/stat`; on PostgreSQL the database's own processes are not counted).
    pub fn cpu_time(&self) -> Result<Duration, String> {
        let path = format!("/proc/{}/stat", self.pid());
        let stat = fs::read_to_string(&path).map_err(|e| format!("cannot read {path}: {e}"))?;
        // After the command name in parentheses (which may hold anything) come the fields
        // from the third on: utime and stime are the 14th and 15th.
        let fields: Vec<&str> = stat
            .rsplit_once(')')
            .map_or("", |(_, rest)| rest)
            .split_whitespace()
            .collect();
        let ticks = |n: usize| {
            fields
                .get(n - 3)
                .and_then(|f| f.parse::<u64>().ok())
                .ok_or_else(|| format!("no field {n} in {path}"))
        };
        Ok(Duration::from_secs_f64(
            (ticks(14)? + ticks(15)?) as f64 / clock_ticks() as f64,
        ))
    }

    /// Peak (`VmHWM`) and current (`VmRSS`) resident set size of the server, in kB.
    pub fn memory_kb(&self) -> Result<MemoryKb, String> {
        let path = format!("/proc/{}/status", self.pid());
        let status = fs::read_to_string(&path).map_err(|e| format!("cannot read {path}: {e}"))?;
        let field = |name: &str| {
            crate::machine::kb_field(&status, name).ok_or_else(|| format!("no {name} in {path}"))
        };
        Ok(MemoryKb {
            peak: field("VmHWM:")?,
            current: field("VmRSS:")?,
        })
    }
}

/// Clock ticks per second of `/proc` times (`getconf CLK_TCK`; 100 when it cannot tell).
fn clock_ticks() -> u64 {
    static TICKS: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    *TICKS.get_or_init(|| {
        Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .and_then(|out| String::from_utf8(out.stdout).ok())
            .and_then(|text| text.trim().parse().ok())
            .filter(|&ticks| ticks > 0)
            .unwrap_or(100)
    })
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}

#[derive(Debug, Clone, Copy)]
pub struct MemoryKb {
    pub peak: u64,
    pub current: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_the_database_of_a_url() {
        let cases = [
            (
                "postgres://postgres@127.0.0.1:5432/postgres",
                "postgres://postgres@127.0.0.1:5432/x",
            ),
            (
                "postgres://u:p@h/db?sslmode=disable",
                "postgres://u:p@h/x?sslmode=disable",
            ),
            ("postgresql://h:5433", "postgresql://h:5433/x"),
            (
                "postgres://h?application_name=a",
                "postgres://h/x?application_name=a",
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(replace_database(input, "x").unwrap(), expected);
        }
        assert!(replace_database("mysql://h/db", "x").is_err());
    }
}
