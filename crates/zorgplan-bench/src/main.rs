//! `zorgplan-bench`: starts a real `zorgplan` server per database backend on a scratch
//! database, loads it over HTTP with FHIR creates, reads and transactions, and reports throughput,
//! latency percentiles and the server's memory as a Markdown table.

mod access;
mod load;
mod machine;
mod search;
mod server;

use clap::{Parser, ValueEnum};
use load::{run_phase, send_once, Families, PhasePlan, PhaseResult, Workload};
use server::{MemoryKb, PostgresScratchDb, ScratchDir, ServerOptions, ServerProcess};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Load-tests the zorgplan FHIR server and prints throughput, latency and memory.
///
/// For each backend it starts `zorgplan serve` on a free port with a fresh database (SQLite:
/// a file in a temporary directory; PostgreSQL: a database `zorgplan_bench_<pid>` created
/// with psql), waits for GET /metadata, then runs four phases, each after an uncounted
/// warm-up: `create` (POST /Patient with small Dutch child Patients), `read` (GET
/// /Patient/{id} of ids picked at random from those created), and `transaction ×1` and
/// `transaction ×8` (POST / with a transaction Bundle of one generated family's plan, about
/// 40 resources with urn:uuid references, validated and stored whole, from one client and
/// from eight; resources/s counts the resources of successful transactions). Requests/s
/// counts successful requests sent inside the measured window; latencies (of successes,
/// from sending to the last byte of the answer) are exact nearest-rank percentiles. Any
/// other answer than 201 (create) or 200 (read, transaction) is an error. Peak server
/// memory is VmHWM of the server process, read at the end of each phase. The server is stopped and the database removed
/// afterwards, also after an error or Ctrl-C.
///
/// If PostgreSQL cannot be reached the PostgreSQL run is skipped with a message. The exit
/// status is non-zero if the SQLite run could not run, if any run that did start failed or
/// had errors, or if no backend ran at all.
#[derive(Parser)]
#[command(name = "zorgplan-bench", version, about, long_about)]
struct Args {
    /// The zorgplan server binary to benchmark (build it with `cargo build --release`).
    #[arg(
        long,
        env = "ZORGPLAN_BENCH_SERVER_BIN",
        default_value = "target/release/zorgplan"
    )]
    server_bin: PathBuf,

    /// Backends to benchmark, in order, comma-separated.
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        default_value = "sqlite,postgres"
    )]
    backends: Vec<Backend>,

    /// Concurrent connections, each sending one request after another.
    #[arg(long, short = 'c', default_value_t = 16, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    connections: u32,

    /// Measured seconds per phase.
    #[arg(long, short = 'd', default_value_t = 10.0, value_parser = positive_seconds)]
    duration: f64,

    /// Seconds of load before each phase's measurement starts (not counted).
    #[arg(long, short = 'w', default_value_t = 2.0, value_parser = non_negative_seconds)]
    warmup: f64,

    /// Maintenance database URL psql connects to in order to create and drop the scratch
    /// database `zorgplan_bench_<pid>`; the server gets the same URL with that database.
    #[arg(
        long,
        env = "ZORGPLAN_BENCH_POSTGRES_URL",
        default_value = "postgres://postgres@127.0.0.1:5432/postgres"
    )]
    postgres_url: String,

    /// The psql client used to create and drop the scratch database.
    #[arg(long, env = "ZORGPLAN_BENCH_PSQL", default_value = "psql")]
    psql: String,

    /// HTTP worker threads of the server (`zorgplan serve --workers`; 0: one per core).
    #[arg(long, default_value_t = 0)]
    server_workers: usize,

    /// Log filter of the server (`zorgplan serve --log`); its log is shown when it fails.
    #[arg(long, default_value = "warn")]
    server_log: String,

    /// Threads of the load generator's runtime. It shares the machine with the server, so
    /// keep this small.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=64))]
    client_threads: u16,

    /// Seconds to wait for the server to answer GET /metadata after starting it.
    #[arg(long, default_value_t = 30.0, value_parser = positive_seconds)]
    startup_timeout: f64,

    /// Instead of the load test: the search benchmark on a stored population of this many
    /// children (`zorgplan generate`; kept in --data-dir for SQLite and in the database
    /// `zorgplan_bench_search_<N>` for PostgreSQL, and reused by later runs).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=5_000_000))]
    search_children: Option<u64>,

    /// Measured requests per search query (after a tenth as many unmeasured ones).
    #[arg(long, default_value_t = 500, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    search_requests: u64,

    /// Where the search benchmark keeps its SQLite population and server logs.
    #[arg(long, default_value = "target/bench-data")]
    data_dir: PathBuf,

    /// Seconds before a single request counts as failed.
    #[arg(long, default_value_t = 30.0, value_parser = positive_seconds)]
    request_timeout: f64,

    /// The phases of the load test to run, comma-separated (`read` needs `create`, whose
    /// Patients it reads; `transaction` runs both transaction phases).
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        default_value = "create,read,transaction"
    )]
    phases: Vec<Phase>,

    /// Live Subscriptions on Patient to create before the load test, whose criteria the
    /// benchmark's Patients never match: every create then matches them in its transaction
    /// (the cost of matching, without deliveries).
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u32).range(0..=10_000))]
    subscriptions: u32,

    /// Their criteria: each one child's (`identifier=` a BSN of its own, as a subscription
    /// to one child's plan), or broad (`birthdate=lt…`, a year of its own: searched for
    /// every write).
    #[arg(long, value_enum, default_value = "child")]
    subscription_criteria: Criteria,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Criteria {
    Child,
    Broad,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Phase {
    Create,
    Read,
    Transaction,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

fn positive_seconds(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(s) if s.is_finite() && s > 0.0 && s <= 86_400.0 => Ok(s),
        _ => Err(format!("expected seconds > 0, got '{text}'")),
    }
}

fn non_negative_seconds(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(s) if s.is_finite() && (0.0..=86_400.0).contains(&s) => Ok(s),
        _ => Err(format!("expected seconds >= 0, got '{text}'")),
    }
}

/// Set by Ctrl-C or SIGTERM: the load stops and everything is cleaned up.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::Relaxed)
}

/// One backend's measurements.
struct BackendReport {
    backend: Backend,
    phases: Vec<PhaseReport>,
    memory_at_end: MemoryKb,
}

struct PhaseReport {
    result: PhaseResult,
    name: &'static str,
    connections: usize,
    /// Server VmHWM at the end of this phase (since the server started).
    peak_kb: u64,
}

/// Why a backend has no report.
enum NoReport {
    /// Its prerequisites are missing (PostgreSQL unreachable); not a failure of the bench.
    Skipped(String),
    /// It started and failed.
    Failed(String),
}

fn main() -> ExitCode {
    let args = Args::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(usize::from(args.client_threads))
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("zorgplan-bench: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.spawn(watch_signals());
    let code = runtime.block_on(run(&args));
    // Tasks still waiting for a signal must not keep the process alive.
    runtime.shutdown_background();
    code
}

async fn watch_signals() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let Ok(mut terminate) = signal(SignalKind::terminate()) else {
            return;
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = terminate.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        if tokio::signal::ctrl_c().await.is_err() {
            return;
        }
    }
    eprintln!("zorgplan-bench: interrupted; stopping the server and cleaning up");
    INTERRUPTED.store(true, Ordering::Relaxed);
}

async fn run(args: &Args) -> ExitCode {
    if args.phases.contains(&Phase::Read) && !args.phases.contains(&Phase::Create) {
        eprintln!("zorgplan-bench: the read phase reads the Patients of the create phase; add create to --phases");
        return ExitCode::FAILURE;
    }
    if !args.server_bin.is_file() {
        eprintln!(
            "zorgplan-bench: the server binary {} does not exist; build it with \
             `cargo build --release -p zorgplan-cli` or name it with --server-bin",
            args.server_bin.display()
        );
        return ExitCode::FAILURE;
    }
    let client = match reqwest::Client::builder()
        .no_proxy()
        .tcp_nodelay(true)
        .pool_max_idle_per_host(args.connections as usize)
        .timeout(Duration::from_secs_f64(args.request_timeout))
        .build()
    {
        Ok(client) => client,
        Err(e) => {
            eprintln!("zorgplan-bench: cannot create the HTTP client: {e}");
            return ExitCode::FAILURE;
        }
    };
    if let Some(children) = args.search_children {
        return run_search(args, children as usize, &client).await;
    }
    let plan = PhasePlan {
        connections: args.connections as usize,
        warmup: Duration::from_secs_f64(args.warmup),
        duration: Duration::from_secs_f64(args.duration),
    };
    println!(
        "zorgplan-bench: server {}, {} connections, {} s warm-up + {} s measured per phase, \
         server workers {}, client threads {}",
        args.server_bin.display(),
        plan.connections,
        args.warmup,
        args.duration,
        if args.server_workers == 0 {
            "one per core".to_owned()
        } else {
            args.server_workers.to_string()
        },
        args.client_threads
    );

    let mut backends = args.backends.clone();
    backends.dedup();
    let mut reports = Vec::new();
    let mut failed = false;
    for backend in backends {
        if interrupted() {
            failed = true;
            break;
        }
        println!("\n== {}", backend.name());
        match run_backend(args, backend, &client, plan).await {
            Ok(report) => {
                if report.phases.iter().any(|p| p.result.errors.total() > 0) {
                    failed = true;
                }
                reports.push(report);
            }
            Err(NoReport::Skipped(reason)) => {
                println!(
                    "** {} run SKIPPED: {reason}",
                    if backend == Backend::Postgres {
                        "PostgreSQL"
                    } else {
                        "SQLite"
                    }
                );
                // Only PostgreSQL depends on something outside the bench.
                if backend == Backend::Sqlite {
                    failed = true;
                }
            }
            Err(NoReport::Failed(reason)) => {
                println!("!! {} run FAILED: {reason}", backend.name());
                failed = true;
            }
        }
    }

    if reports.is_empty() {
        eprintln!("zorgplan-bench: no backend was measured");
        return ExitCode::FAILURE;
    }
    println!();
    print_table(&reports);
    println!();
    for report in &reports {
        println!(
            "{} server at the end: peak RSS (VmHWM) {:.1} MB, RSS (VmRSS) {:.1} MB",
            report.backend.name(),
            mb(report.memory_at_end.peak),
            mb(report.memory_at_end.current)
        );
    }
    println!("{}", machine::describe());
    println!(
        "Settings: {} s warm-up + {} s measured per phase; load generator on the same machine \
         ({} runtime thread{}).",
        args.warmup,
        args.duration,
        args.client_threads,
        if args.client_threads == 1 { "" } else { "s" }
    );
    let with_errors: Vec<String> = reports
        .iter()
        .flat_map(|r| {
            r.phases
                .iter()
                .filter(|p| p.result.errors.total() > 0)
                .map(move |p| format!("{} {}", r.backend.name(), p.name))
        })
        .collect();
    if !with_errors.is_empty() {
        println!(
            "\n!! ERRORS in: {} (see above); these figures are not valid",
            with_errors.join(", ")
        );
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// The search benchmark on each backend, and its table.
async fn run_search(args: &Args, children: usize, client: &reqwest::Client) -> ExitCode {
    let plan = search::SearchPlan {
        children,
        requests: args.search_requests as usize,
        warmup: (args.search_requests as usize / 10).max(1),
        data_dir: &args.data_dir,
        server_bin: &args.server_bin,
        psql: &args.psql,
        postgres_url: &args.postgres_url,
        startup_timeout: Duration::from_secs_f64(args.startup_timeout),
    };
    println!(
        "zorgplan-bench: search on {children} children, {} requests per query, one at a time",
        plan.requests
    );
    let mut backends = args.backends.clone();
    backends.dedup();
    let mut failed = false;
    let mut rows = Vec::new();
    let mut access_rows = Vec::new();
    for backend in backends {
        if interrupted() {
            break;
        }
        println!("\n== {}", backend.name());
        match search::run(&plan, backend, client, interrupted).await {
            Ok((reports, access)) => {
                rows.extend(reports.into_iter().map(|r| (backend, r)));
                access_rows.extend(access.into_iter().map(|r| (backend, r)));
            }
            Err(e) => {
                println!("!! {} search run FAILED: {e}", backend.name());
                failed = true;
            }
        }
    }
    println!();
    println!("| backend | query | p50 ms | p99 ms | max ms | entries per answer |");
    println!("|---|---|---:|---:|---:|---:|");
    for (backend, report) in &rows {
        let ms = |p: f64| {
            load::percentile(&report.latencies_us, p).map_or(f64::NAN, |us| f64::from(us) / 1000.0)
        };
        println!(
            "| {} | {} | {:.2} | {:.2} | {:.2} | {:.1} |",
            backend.name(),
            report.name,
            ms(50.0),
            ms(99.0),
            ms(100.0),
            report.mean_entries
        );
    }
    println!();
    println!("What access control costs (the same requests, one at a time, in alternating blocks; tokens, network, age, consent and audit trail against development mode; server CPU per request, all threads):");
    println!();
    println!("| backend | workload | open p50 ms | checked p50 ms | open p99 ms | checked p99 ms | open req/s | checked req/s | overhead | open CPU µs | checked CPU µs | CPU overhead |");
    println!("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (backend, report) in &access_rows {
        let ms = |l: &[u32], p: f64| {
            load::percentile(l, p).map_or(f64::NAN, |us| f64::from(us) / 1000.0)
        };
        let (open, checked) = (
            access::AccessReport::rate(&report.open_us),
            access::AccessReport::rate(&report.checked_us),
        );
        println!(
            "| {} | {} | {:.2} | {:.2} | {:.2} | {:.2} | {:.0} | {:.0} | {:+.0}% | {:.0} | {:.0} | {:+.0}% |",
            backend.name(),
            report.name,
            ms(&report.open_us, 50.0),
            ms(&report.checked_us, 50.0),
            ms(&report.open_us, 99.0),
            ms(&report.checked_us, 99.0),
            open,
            checked,
            (open / checked - 1.0) * 100.0,
            report.open_cpu_us,
            report.checked_cpu_us,
            (report.checked_cpu_us / report.open_cpu_us - 1.0) * 100.0
        );
    }
    println!();
    println!("Throughput with {} clients at once ({} s per block, two blocks per server, alternating; requests answered per second until the server was idle again, so that the audit trail it still had to store counts):", access::CLIENTS, access::WINDOW.as_secs());
    println!();
    println!("| backend | workload | open req/s | checked req/s | overhead |");
    println!("|---|---|---:|---:|---:|");
    for (backend, report) in &access_rows {
        println!(
            "| {} | {} | {:.0} | {:.0} | {:+.0}% |",
            backend.name(),
            report.name,
            report.open_rps,
            report.checked_rps,
            (report.open_rps / report.checked_rps - 1.0) * 100.0
        );
    }
    println!();
    if let Some((first, _)) = access_rows.first() {
        for (_, report) in access_rows.iter().filter(|(b, _)| b == first) {
            println!("- {}: `{}`", report.name, report.example);
        }
    }
    println!();
    if let Some((first, _)) = rows.first() {
        for (_, report) in rows.iter().filter(|(b, _)| b == first) {
            println!("- {}: `{}`", report.name, report.example);
        }
    }
    println!("{}", machine::describe());
    if failed || rows.is_empty() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// Starts a server on a scratch database of `backend`, runs both phases and stops it.
async fn run_backend(
    args: &Args,
    backend: Backend,
    client: &reqwest::Client,
    plan: PhasePlan,
) -> Result<BackendReport, NoReport> {
    // Declared before the server, so dropped after it: the server is stopped before its
    // database goes away.
    let scratch = ScratchDir::create(backend.name()).map_err(NoReport::Failed)?;
    let postgres;
    let database_url = match backend {
        Backend::Sqlite => scratch
            .path()
            .join("zorgplan.db")
            .to_string_lossy()
            .into_owned(),
        Backend::Postgres => {
            postgres = PostgresScratchDb::create(&args.psql, &args.postgres_url).map_err(|e| {
                NoReport::Skipped(format!(
                    "cannot create a scratch database via {} ({e})",
                    args.postgres_url
                ))
            })?;
            println!("scratch database {}", postgres.name());
            postgres.url().to_owned()
        }
    };
    let mut server = ServerProcess::start(ServerOptions {
        binary: &args.server_bin,
        database_url: &database_url,
        workers: args.server_workers,
        log_filter: &args.server_log,
        log_path: scratch.path().join("server.log"),
        access: Vec::new(),
    })
    .map_err(NoReport::Failed)?;
    let startup = server
        .wait_ready(
            client,
            Duration::from_secs_f64(args.startup_timeout),
            interrupted,
        )
        .await
        .map_err(NoReport::Failed)?;
    println!(
        "server pid {} at {} (database {database_url}), ready after {:.2} s",
        server.pid(),
        server.base_url,
        startup.as_secs_f64()
    );

    subscribe(
        client,
        &server.base_url,
        args.subscriptions,
        args.subscription_criteria,
    )
    .await
    .map_err(NoReport::Failed)?;
    let timeout = Duration::from_secs_f64(args.request_timeout);
    let mut phases = Vec::new();
    if args.phases.contains(&Phase::Create) {
        let create = measure(
            &mut server,
            backend,
            "create",
            &Workload::Create,
            plan,
            timeout,
        )
        .await?;
        if create.result.created_ids.is_empty() {
            return Err(NoReport::Failed(format!(
                "no Patient was created, so there is nothing to read{}",
                server.log_tail()
            )));
        }
        let read = Workload::Read(Arc::new(create.result.created_ids.clone()));
        phases.push(create);
        if args.phases.contains(&Phase::Read) {
            phases.push(measure(&mut server, backend, "read", &read, plan, timeout).await?);
        }
    }
    if !args.phases.contains(&Phase::Transaction) {
        let memory_at_end = server.memory_kb().map_err(NoReport::Failed)?;
        return Ok(BackendReport {
            backend,
            phases,
            memory_at_end,
        });
    }
    // Transactions: a family's plan (its resources POSTed with urn:uuid fullUrls) per
    // request, from one client and from eight, after the care providers they refer to.
    let families = Arc::new(Families {
        population: zorgplan_generate::Population::new(1000, 42),
        next: std::sync::atomic::AtomicUsize::new(0),
    });
    let shared = load::put_transaction(families.population.shared());
    let addr = server.base_url.trim_start_matches("http://").to_owned();
    send_once(&addr, timeout, "/", shared, hyper::StatusCode::OK)
        .await
        .map_err(|e| NoReport::Failed(format!("storing the care providers: {e}")))?;
    let workload = Workload::Transaction(families);
    for (connections, name) in [(1, "transaction ×1"), (8, "transaction ×8")] {
        let plan = PhasePlan {
            connections,
            ..plan
        };
        phases.push(measure(&mut server, backend, name, &workload, plan, timeout).await?);
    }
    let memory_at_end = server.memory_kb().map_err(NoReport::Failed)?;
    if phases.iter().any(|p| p.result.errors.total() > 0) {
        let tail = server.log_tail();
        if !tail.is_empty() {
            println!("{}{tail}", backend.name());
        }
    }
    Ok(BackendReport {
        backend,
        phases,
        memory_at_end,
    })
}

/// Runs one phase against `server` and reports it.
/// Creates `count` live Subscriptions on Patient that no Patient of the benchmark matches,
/// to an endpoint that is never called.
async fn subscribe(
    client: &reqwest::Client,
    base: &str,
    count: u32,
    criteria: Criteria,
) -> Result<(), String> {
    for n in 0..count {
        let criteria = match criteria {
            Criteria::Child => {
                format!("Patient?identifier=http://fhir.nl/fhir/NamingSystem/bsn|1{n:08}")
            }
            // Each its own, so that none is matched for another.
            Criteria::Broad => format!("Patient?birthdate=lt{}-01-01", 1000 + n),
        };
        let subscription = serde_json::json!({
            "resourceType": "Subscription", "status": "requested", "reason": "benchmark",
            "criteria": criteria,
            "channel": {"type": "rest-hook", "endpoint": "http://127.0.0.1:9/fhir",
                        "payload": "application/fhir+json"}});
        let resp = client
            .post(format!("{base}/Subscription"))
            .header("Content-Type", "application/fhir+json")
            .body(subscription.to_string())
            .send()
            .await
            .map_err(|e| format!("creating a Subscription: {e}"))?;
        if resp.status() != reqwest::StatusCode::CREATED {
            return Err(format!("creating a Subscription: {}", resp.status()));
        }
    }
    if count > 0 {
        println!("{count} live Subscriptions on Patient that the load does not match");
    }
    Ok(())
}

async fn measure(
    server: &mut ServerProcess,
    backend: Backend,
    name: &'static str,
    workload: &Workload,
    plan: PhasePlan,
    timeout: Duration,
) -> Result<PhaseReport, NoReport> {
    let addr = server.base_url.trim_start_matches("http://").to_owned();
    let result = run_phase(&addr, timeout, workload, plan, interrupted)
        .await
        .map_err(NoReport::Failed)?;
    if let Some(status) = server.exited() {
        return Err(NoReport::Failed(format!(
            "the server exited during the {name} phase ({status}){}",
            server.log_tail()
        )));
    }
    let memory = server.memory_kb().map_err(NoReport::Failed)?;
    print_phase(backend, name, &result, memory.peak);
    Ok(PhaseReport {
        result,
        name,
        connections: plan.connections,
        peak_kb: memory.peak,
    })
}

fn print_phase(backend: Backend, name: &str, result: &PhaseResult, peak_kb: u64) {
    println!(
        "{name:>6}: {} ok in {:.1} s = {:.1} req/s; p50 {} ms, p99 {} ms, max {} ms; \
         {} errors; server peak RSS {:.1} MB",
        result.successes,
        result.measured.as_secs_f64(),
        result.requests_per_second(),
        ms(result.percentile_ms(50.0)),
        ms(result.percentile_ms(99.0)),
        ms(result.max_ms()),
        result.errors.total(),
        mb(peak_kb)
    );
    if result.resources > 0 {
        println!(
            "        {} resources stored = {:.0} resources/s ({:.1} per request)",
            result.resources,
            result.resources_per_second(),
            result.resources as f64 / result.successes.max(1) as f64
        );
    }
    if name == "create" {
        println!(
            "        {} Patients created in all (warm-up included)",
            result.created_ids.len()
        );
    }
    if result.errors.total() > 0 {
        println!(
            "!! {} {name}: {} ERRORS: {}",
            backend.name(),
            result.errors.total(),
            result.errors.describe()
        );
    }
}

fn print_table(reports: &[BackendReport]) {
    println!(
        "| backend | phase | connections | requests/s | resources/s | p50 ms | p99 ms | max ms | \
         errors | server peak RSS MB |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for report in reports {
        for phase in &report.phases {
            let r = &phase.result;
            let resources = if r.resources > 0 {
                format!("{:.0}", r.resources_per_second())
            } else {
                "–".to_owned()
            };
            println!(
                "| {} | {} | {} | {:.0} | {resources} | {} | {} | {} | {} | {:.1} |",
                report.backend.name(),
                phase.name,
                phase.connections,
                r.requests_per_second(),
                ms(r.percentile_ms(50.0)),
                ms(r.percentile_ms(99.0)),
                ms(r.max_ms()),
                r.errors.total(),
                mb(phase.peak_kb)
            );
        }
    }
}

fn ms(value: Option<f64>) -> String {
    value.map_or_else(|| "–".to_owned(), |v| format!("{v:.2}"))
}

fn mb(kb: u64) -> f64 {
    kb as f64 / 1024.0
}
