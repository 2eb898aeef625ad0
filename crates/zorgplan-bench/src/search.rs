//! The search benchmark: a server on a stored population of children (`zorgplan generate`,
//! kept between runs), and the latency of the searches care providers, parents' apps and
//! hospital systems make, one request at a time.

use crate::server::{replace_database, run_psql, ServerOptions, ServerProcess};
use crate::Backend;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};
use zorgplan_generate::family::LIFE_DOMAINS;
use zorgplan_generate::{Population, Rng};

/// What to measure.
pub struct SearchPlan<'a> {
    pub children: usize,
    /// Measured requests per query (after `warmup` unmeasured ones).
    pub requests: usize,
    pub warmup: usize,
    /// Where the SQLite population and the servers' logs are kept.
    pub data_dir: &'a Path,
    pub server_bin: &'a Path,
    pub psql: &'a str,
    pub postgres_url: &'a str,
    pub startup_timeout: Duration,
}

/// One query's latencies.
pub struct QueryReport {
    pub name: &'static str,
    pub example: String,
    /// Microseconds, sorted.
    pub latencies_us: Vec<u32>,
    /// Bundle entries per answer, on average.
    pub mean_entries: f64,
}

const KINDERLEEFDOMEIN: &str = "http://fhir.zorgplankindgezin.nl/CodeSystem/kinderleefdomein";

/// The queries: a name, and the query for a child, a role and an instant.
type Query = (&'static str, fn(usize, usize, &str, &str) -> String);

const QUERIES: [Query; 6] = [
    ("plan with goals, team and members", |child, _, _, _| {
        format!(
            "CarePlan?patient=Patient/{}&_include=CarePlan:goal&_include=CarePlan:care-team\
             &_include:iterate=CareTeam:participant",
            Population::child_id(child)
        )
    }),
    (
        "goals of a child in one life domain",
        |child, _, domain, _| {
            format!(
                "Goal?patient=Patient/{}&category={KINDERLEEFDOMEIN}|{domain}",
                Population::child_id(child)
            )
        },
    ),
    ("care networks of a nurse", |_, role, _, _| {
        format!(
            "CareTeam?participant=PractitionerRole/{}",
            Population::role_id(role)
        )
    }),
    ("children of a nurse (_has)", |_, role, _, _| {
        format!(
            "Patient?_has:CareTeam:patient:participant=PractitionerRole/{}",
            Population::role_id(role)
        )
    }),
    ("goals changed since (sync)", |_, _, _, since| {
        format!("Goal?_lastUpdated=gt{since}&_count=50")
    }),
    ("everything of a child", |child, _, _, _| {
        format!(
            "Patient/{}/$everything?_count=100",
            Population::child_id(child)
        )
    }),
];

/// How many goals the benchmark changes before it measures synchronisation.
const CHANGED_GOALS: usize = 100;

/// Starts a server on the stored population of `backend` (generating it first when it is
/// missing), changes some goals, and measures each query; then what access control costs
/// on the same population ([`crate::access`]).
pub async fn run(
    plan: &SearchPlan<'_>,
    backend: Backend,
    client: &reqwest::Client,
    interrupted: fn() -> bool,
) -> Result<(Vec<QueryReport>, Vec<crate::access::AccessReport>), String> {
    std::fs::create_dir_all(plan.data_dir)
        .map_err(|e| format!("cannot create {}: {e}", plan.data_dir.display()))?;
    let database_url = match backend {
        Backend::Sqlite => plan
            .data_dir
            .join(format!("search-{}.db", plan.children))
            .to_string_lossy()
            .into_owned(),
        Backend::Postgres => {
            let name = format!("zorgplan_bench_search_{}", plan.children);
            // The first run makes the database (the server cannot start without one).
            if let Err(e) = run_psql(
                plan.psql,
                plan.postgres_url,
                &format!("CREATE DATABASE {name}"),
            ) {
                if !e.contains("already exists") {
                    return Err(e);
                }
            }
            replace_database(plan.postgres_url, &name)?
        }
    };
    let last_child = Population::child_id(plan.children - 1);
    // Stored anew only when a server runs on the database and the last child is missing
    // (never when the server did not start: that may have been an interruption or a slow
    // start, and the stored population takes long to make again).
    let launch = || {
        start(
            plan,
            backend,
            &database_url,
            client,
            interrupted,
            ("search", Vec::new()),
        )
    };
    let server = launch().await?;
    let mut server = if exists(client, &server, &format!("Patient/{last_child}")).await {
        server
    } else {
        drop(server);
        generate(plan, backend, &database_url)?;
        launch().await?
    };
    println!(
        "server pid {} on {} children (database {database_url})",
        server.pid(),
        plan.children
    );

    // Goals changed now: what a synchronising system asks for next.
    let since = now_instant();
    tokio::time::sleep(Duration::from_millis(10)).await;
    let population = Population::new(plan.children, 1);
    let mut rng = Rng::new(7, 0);
    for _ in 0..CHANGED_GOALS {
        let path = format!("Goal/doel-{}-0", rng.below(plan.children));
        let mut goal = get_json(client, &server.base_url, &path, None).await?;
        // A change (an update that changes nothing writes no version).
        goal["note"] = serde_json::json!([{ "text": format!("Reviewed {since}") }]);
        let resp = client
            .put(format!("{}/{path}", server.base_url))
            .header("Content-Type", "application/fhir+json")
            .body(goal.to_string())
            .send()
            .await
            .map_err(|e| format!("PUT {path}: {e}"))?;
        if !resp.status().is_success() {
            return Err(format!("PUT {path}: {}", resp.status()));
        }
    }

    let mut reports = Vec::new();
    for (name, query) in QUERIES {
        let mut rng = Rng::new(11, reports.len() as u64);
        let mut latencies = Vec::with_capacity(plan.requests);
        let mut entries = 0usize;
        let mut example = String::new();
        for n in 0..plan.warmup + plan.requests {
            if interrupted() {
                return Err("interrupted".into());
            }
            let child = rng.below(plan.children);
            let role = rng.below(population.roles());
            let domain = LIFE_DOMAINS[rng.below(LIFE_DOMAINS.len())].0;
            let path = query(child, role, domain, &since);
            let started = Instant::now();
            let bundle = get_json(client, &server.base_url, &path, None).await?;
            let took = started.elapsed();
            if n >= plan.warmup {
                latencies.push(took.as_micros().min(u128::from(u32::MAX)) as u32);
                entries += bundle["entry"].as_array().map_or(0, Vec::len);
                if example.is_empty() {
                    example = path;
                }
            }
        }
        if let Some(status) = server.exited() {
            return Err(format!("the server exited ({status}){}", server.log_tail()));
        }
        latencies.sort_unstable();
        reports.push(QueryReport {
            name,
            example,
            latencies_us: latencies,
            mean_entries: entries as f64 / plan.requests.max(1) as f64,
        });
    }
    drop(server);
    // With tokens, every request adds to the audit trail: the server with access control
    // runs on a copy of the population, so that every run starts from the same database;
    // the server in development mode, which writes nothing, runs on the population itself.
    // (On PostgreSQL the copy is made before a server connects to the population.)
    let copy = Copy::of(plan, backend, &database_url)?;
    let access = crate::access::run(
        plan,
        backend,
        [&database_url, &copy.url],
        client,
        interrupted,
    )
    .await;
    drop(copy);
    Ok((reports, access?))
}

/// A copy of the stored population (of a server that stopped), removed when dropped.
struct Copy<'a> {
    url: String,
    plan: &'a SearchPlan<'a>,
    backend: Backend,
}

impl<'a> Copy<'a> {
    fn of(plan: &'a SearchPlan<'a>, backend: Backend, database_url: &str) -> Result<Self, String> {
        let copy = Copy {
            url: match backend {
                Backend::Sqlite => format!("{database_url}.access"),
                Backend::Postgres => {
                    replace_database(plan.postgres_url, &Self::postgres_name(plan))?
                }
            },
            plan,
            backend,
        };
        copy.remove();
        match backend {
            Backend::Sqlite => {
                for suffix in ["", "-wal"] {
                    let from = format!("{database_url}{suffix}");
                    if std::path::Path::new(&from).exists() {
                        std::fs::copy(&from, format!("{}{suffix}", copy.url))
                            .map_err(|e| format!("cannot copy {from}: {e}"))?;
                    }
                }
            }
            Backend::Postgres => run_psql(
                plan.psql,
                plan.postgres_url,
                &format!(
                    "CREATE DATABASE {} TEMPLATE zorgplan_bench_search_{}",
                    Self::postgres_name(plan),
                    plan.children
                ),
            )?,
        }
        Ok(copy)
    }

    fn postgres_name(plan: &SearchPlan<'_>) -> String {
        format!("zorgplan_bench_access_{}", plan.children)
    }

    fn remove(&self) {
        match self.backend {
            Backend::Sqlite => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", self.url));
                }
            }
            Backend::Postgres => {
                let _ = run_psql(
                    self.plan.psql,
                    self.plan.postgres_url,
                    &format!("DROP DATABASE IF EXISTS {}", Self::postgres_name(self.plan)),
                );
            }
        }
    }
}

impl Drop for Copy<'_> {
    fn drop(&mut self) {
        self.remove();
    }
}

/// A server on `database_url`, in development mode or with the `access` arguments, its log
/// in `<data dir>/<log>-<backend>.log`; answers once it is ready.
pub(crate) async fn start(
    plan: &SearchPlan<'_>,
    backend: Backend,
    database_url: &str,
    client: &reqwest::Client,
    interrupted: fn() -> bool,
    (log, access): (&str, Vec<String>),
) -> Result<ServerProcess, String> {
    let mut server = ServerProcess::start(ServerOptions {
        binary: plan.server_bin,
        database_url,
        workers: 0,
        log_filter: "warn",
        log_path: plan.data_dir.join(format!("{log}-{}.log", backend.name())),
        access,
    })?;
    server
        .wait_ready(client, plan.startup_timeout, interrupted)
        .await?;
    Ok(server)
}

async fn exists(client: &reqwest::Client, server: &ServerProcess, path: &str) -> bool {
    let resp = client
        .get(format!("{}/{path}", server.base_url))
        .send()
        .await;
    resp.is_ok_and(|r| r.status().is_success())
}

/// GET `path` as FHIR JSON (with a bearer token, if given); an error unless 2xx.
pub(crate) async fn get_json(
    client: &reqwest::Client,
    base_url: &str,
    path: &str,
    token: Option<&str>,
) -> Result<Value, String> {
    let mut request = client
        .get(format!("{base_url}/{path}"))
        .header("Accept", "application/fhir+json");
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let resp = request
        .send()
        .await
        .map_err(|e| format!("GET {path}: {e}"))?;
    let status = resp.status();
    let body = resp.bytes().await.map_err(|e| format!("GET {path}: {e}"))?;
    if !status.is_success() {
        return Err(format!(
            "GET {path}: {status}: {}",
            String::from_utf8_lossy(&body)
        ));
    }
    serde_json::from_slice(&body).map_err(|e| format!("GET {path}: {e}"))
}

/// Stores the population anew with `zorgplan generate`.
fn generate(plan: &SearchPlan<'_>, backend: Backend, database_url: &str) -> Result<(), String> {
    println!(
        "storing {} children in {database_url} (once; later runs reuse them)",
        plan.children
    );
    match backend {
        Backend::Sqlite => {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(PathBuf::from(format!("{database_url}{suffix}")));
            }
        }
        Backend::Postgres => {
            let name = format!("zorgplan_bench_search_{}", plan.children);
            run_psql(
                plan.psql,
                plan.postgres_url,
                &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
            )?;
            run_psql(
                plan.psql,
                plan.postgres_url,
                &format!("CREATE DATABASE {name}"),
            )?;
        }
    }
    let status = Command::new(plan.server_bin)
        .args(["generate", "--children", &plan.children.to_string()])
        .args(["--database-url", database_url])
        .status()
        .map_err(|e| format!("cannot run {}: {e}", plan.server_bin.display()))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("zorgplan generate failed ({status})"))
    }
}

/// The current time as a FHIR instant (UTC, milliseconds).
fn now_instant() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

#[cfg(test)]
mod tests {
    #[test]
    fn instants_are_fhir_instants() {
        let now = super::now_instant();
        assert_eq!(now.len(), 24, "{now}");
        assert!(now.starts_with("20") && now.ends_with('Z'), "{now}");
    }
}
