//! `zorgplan`: the command-line entry point. It parses arguments and wires the crates
//! together; the behaviour lives in those crates.

use clap::{Parser, Subcommand, ValueEnum};
use std::io::IsTerminal;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;
use zorgplan_server::ServerConfig;
use zorgplan_store::{Store, StoreConfig};

/// The Zorgplan Kind&Gezin FHIR R4 server and its tools.
#[derive(Parser)]
#[command(name = "zorgplan", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the FHIR R4 server.
    ///
    /// It needs either --auth-issuer with the issuer's keys (access tokens required) or --dev
    /// (no authentication). By default it stores its data in ./data/zorgplan.db (SQLite,
    /// created on first start) and listens on http://127.0.0.1:8080.
    Serve(Box<ServeArgs>),
    /// Validate FHIR resources (JSON files) offline, with the same validator the server uses.
    ///
    /// Prints each file's OperationOutcome as JSON on standard output (indented for one file,
    /// one per line for several) and exits with status 1 when any file has an error.
    Validate(ValidateArgs),
    /// Index every stored resource again with the server's search parameters.
    ///
    /// Needed once after an upgrade that adds search parameters or index tables (searches
    /// find resources stored before only after this), and safe to run at any time; the
    /// server may keep running.
    Reindex(ReindexArgs),
    /// Store a generated population of children with their families and care plans.
    ///
    /// Each child comes with its parents and sister, a care plan with 4–12 goals and 4–12
    /// interventions, 1–4 tasks, a care network of 5–15 members, financing, consent, a
    /// condition, a help-needs scan and 4–16 measurements (about 40 resources), made from the
    /// standard's examples; the networks share a practitioner role per five children and an
    /// organisation per hundred. Ids are fixed (`kind-N`, `zorgplan-N`, `rol-N`, …) and the
    /// same seed gives the same data, so running it again updates instead of adding.
    Generate(GenerateArgs),
    /// Load scenarios (fixtures) into a FHIR server: each step a transaction Bundle, sent in
    /// order.
    ///
    /// Takes scenario folders (their `*.json` steps in name order, as in `fixtures/S1`) or
    /// single Bundle files. Shows a progress bar on a terminal, then a summary of what each
    /// step created and updated; stops at the first step the server refuses, with its
    /// OperationOutcome, and exits with status 1.
    Load(zorgplan_conformance::load::LoadArgs),
    /// Run the conformance cases against any FHIR server and report which pass.
    ///
    /// Reads the cases (one JSON file each, in folders: conformance-tests/cases by default),
    /// asks the server for its CapabilityStatement, and runs each case whose requirements it
    /// claims (the others are reported as skipped). Prints a table, writes JUnit XML with
    /// --junit, and exits with status 1 when a case fails.
    Conformance(ConformanceArgs),
    /// Exchange with a hospital EPD.
    #[command(subcommand)]
    Epd(zorgplan_adapters::cli::EpdCommand),
    /// Handle the handovers announced to the zorgplan server (notified pull): for each Task
    /// of type overdracht that waits for a document of --sender, pull the document and what
    /// it names from the sender, store it, and complete the Task (or fail it with the
    /// reason). Exits with status 1 when a handover failed.
    Handover(zorgplan_adapters::cli::HandoverArgs),
}

#[derive(clap::Args)]
struct ConformanceArgs {
    /// The FHIR base URL of the server under test.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    url: String,
    /// The folder of cases (searched to any depth for *.json).
    #[arg(long, default_value = "conformance-tests/cases")]
    cases: PathBuf,
    /// Only the cases whose name (their path below the folder) contains this text.
    #[arg(long)]
    only: Option<String>,
    /// A bearer token to send with every request.
    #[arg(long, env = "ZORGPLAN_TOKEN", hide_env_values = true)]
    token: Option<String>,
    /// The tokens of the roles that cases name (the access rules of `access/`): a JSON file
    /// with one bearer token per role, `{"ouder": "eyJ…", "gemeente": "eyJ…"}`. A case
    /// needing a role without a token here is skipped.
    #[arg(long, value_name = "FILE")]
    tokens: Option<PathBuf>,
    /// Also write the results as JUnit XML to this file.
    #[arg(long, value_name = "FILE")]
    junit: Option<PathBuf>,
    /// Seconds to wait for one response.
    #[arg(long, default_value_t = 60)]
    timeout: u64,
}

/// The database of a command that works on stored data.
#[derive(clap::Args)]
struct Database {
    /// Database: a SQLite file path (`sqlite://path` or a plain path) or a PostgreSQL URL.
    #[arg(
        long,
        env = "ZORGPLAN_DATABASE_URL",
        default_value = "./data/zorgplan.db"
    )]
    database_url: String,
}

impl Database {
    /// The store, indexing with the server's search parameters.
    fn open(&self) -> Result<Store, String> {
        let mut config = StoreConfig::new(&self.database_url);
        config.search_parameters = zorgplan_server::search_parameters();
        Store::open(&config).map_err(|e| format!("cannot open the database: {e}"))
    }
}

#[derive(clap::Args)]
struct GenerateArgs {
    /// How many children.
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=5_000_000))]
    children: u64,

    #[command(flatten)]
    database: Database,

    /// Seed of the pseudo-random choices.
    #[arg(long, default_value_t = 1)]
    seed: u64,

    /// Children per transaction.
    #[arg(long, default_value_t = 25, value_parser = clap::value_parser!(u64).range(1..=10_000))]
    batch: u64,
}

/// Generates on one thread and writes on this one, a batch at a time.
fn generate(args: GenerateArgs) -> Result<(), String> {
    let store = args.database.open()?;
    let population = zorgplan_generate::Population::new(args.children as usize, args.seed);
    let started = std::time::Instant::now();
    let mut written = store
        .load(
            &store
                .prepare_load(population.shared())
                .map_err(|e| e.to_string())?,
        )
        .map_err(|e| format!("storing the care providers failed: {e}"))?;
    let (batch, children) = (args.batch as usize, population.children);
    std::thread::scope(|scope| {
        let (sender, receiver) = std::sync::mpsc::sync_channel(2);
        let store = &store;
        scope.spawn(move || {
            for first in (0..children).step_by(batch) {
                let resources: Vec<_> = (first..(first + batch).min(children))
                    .flat_map(|child| population.family(child))
                    .collect();
                if sender.send(store.prepare_load(resources)).is_err() {
                    return;
                }
            }
        });
        let mut done = 0;
        let mut reported = std::time::Instant::now();
        for prepared in receiver {
            let prepared = prepared.map_err(|e| e.to_string())?;
            written += store
                .load(&prepared)
                .map_err(|e| format!("storing children {done}.. failed: {e}"))?;
            done = (done + batch).min(children);
            if reported.elapsed().as_secs() >= 10 {
                reported = std::time::Instant::now();
                let rate = written as f64 / started.elapsed().as_secs_f64();
                eprintln!("{done} of {children} children, {written} resources ({rate:.0}/s)");
            }
        }
        Ok::<(), String>(())
    })?;
    store
        .analyze()
        .map_err(|e| format!("updating the statistics failed: {e}"))?;
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "stored {children} children: {written} resources in {seconds:.0} s ({:.0}/s)",
        written as f64 / seconds
    );
    Ok(())
}

#[derive(clap::Args)]
struct ReindexArgs {
    #[command(flatten)]
    database: Database,

    /// Resources indexed per transaction.
    #[arg(long, default_value_t = 500)]
    batch: usize,
}

fn reindex(args: ReindexArgs) -> Result<(), String> {
    let store = args.database.open()?;
    let count = store
        .reindex(args.batch)
        .map_err(|e| format!("reindexing failed: {e}"))?;
    store
        .analyze()
        .map_err(|e| format!("updating the statistics failed: {e}"))?;
    println!("indexed {count} resources");
    Ok(())
}

#[derive(clap::Args)]
struct ValidateArgs {
    /// The files to validate, each holding one resource in FHIR JSON or FHIR XML.
    #[arg(required = true)]
    files: Vec<std::path::PathBuf>,

    /// Conformance resources to load on top of the base specification and the standard: a
    /// StructureDefinition, ValueSet or CodeSystem (JSON or XML), a Bundle of them, a folder of
    /// them, or a FHIR package (.tgz). May be repeated.
    #[arg(long = "ig", value_name = "PATH")]
    igs: Vec<std::path::PathBuf>,

    /// Validate every file against this profile (canonical URL) as well.
    #[arg(long, value_name = "CANONICAL")]
    profile: Option<String>,
}

/// A file holding one resource, in FHIR JSON or FHIR XML (told apart by the first character
/// that is not white space).
fn parse_file(bytes: &[u8]) -> Result<serde_json::Value, zorgplan_fhir::FhirError> {
    let limits = zorgplan_fhir::json::Limits::default();
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'<') {
        let text = std::str::from_utf8(bytes)
            .map_err(|_| zorgplan_fhir::FhirError::bad_request("the XML file is not UTF-8"))?;
        zorgplan_fhir::json::check_body_resource(zorgplan_fhir::xml::parse(text, limits)?, None)
    } else {
        zorgplan_fhir::json::parse_resource(bytes, None, limits)
    }
}

/// The conformance resources in `path` (see `--ig`).
fn conformance_resources(path: &std::path::Path) -> Result<Vec<serde_json::Value>, String> {
    let fail = |e: &dyn std::fmt::Display| format!("cannot read {}: {e}", path.display());
    let mut texts: Vec<(String, Vec<u8>)> = Vec::new();
    if path.is_dir() {
        let mut dirs = vec![path.to_path_buf()];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).map_err(|e| fail(&e))? {
                let entry = entry.map_err(|e| fail(&e))?.path();
                if entry.is_dir() {
                    dirs.push(entry);
                } else if entry.extension().is_some_and(|e| e == "json" || e == "xml") {
                    let bytes = std::fs::read(&entry).map_err(|e| fail(&e))?;
                    texts.push((entry.display().to_string(), bytes));
                }
            }
        }
    } else if path.to_string_lossy().ends_with(".tgz")
        || path.to_string_lossy().ends_with(".tar.gz")
    {
        let file = std::fs::File::open(path).map_err(|e| fail(&e))?;
        let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(file));
        for entry in archive.entries().map_err(|e| fail(&e))? {
            let mut entry = entry.map_err(|e| fail(&e))?;
            let name = entry.path().map_err(|e| fail(&e))?.display().to_string();
            if name.ends_with(".json")
                && !name.ends_with("package.json")
                && !name.contains("/.index")
            {
                let mut bytes = Vec::new();
                std::io::Read::read_to_end(&mut entry, &mut bytes).map_err(|e| fail(&e))?;
                texts.push((name, bytes));
            }
        }
    } else {
        texts.push((
            path.display().to_string(),
            std::fs::read(path).map_err(|e| fail(&e))?,
        ));
    }
    let mut resources = Vec::new();
    for (name, bytes) in texts {
        let value = parse_file(&bytes).map_err(|e| {
            format!(
                "{name} is not a FHIR resource in JSON or XML: {}",
                e.issues
                    .first()
                    .map_or(String::new(), |i| i.diagnostics.clone())
            )
        })?;
        let entries: Vec<serde_json::Value> = if value["resourceType"] == "Bundle" {
            value["entry"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|e| e["resource"].clone())
                .collect()
        } else {
            vec![value]
        };
        resources.extend(entries.into_iter().filter(|r| {
            matches!(
                r["resourceType"].as_str(),
                Some("StructureDefinition" | "ValueSet" | "CodeSystem")
            )
        }));
    }
    Ok(resources)
}

#[derive(Clone, Copy, ValueEnum)]
enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

#[derive(clap::Args)]
struct ServeArgs {
    /// Database: a SQLite file path (`sqlite://path` or a plain path) or a PostgreSQL URL
    /// (`postgres://user@host/db`). The schema is created or migrated at start.
    #[arg(
        long,
        env = "ZORGPLAN_DATABASE_URL",
        default_value = "./data/zorgplan.db"
    )]
    database_url: String,

    /// Address and port to listen on.
    #[arg(long, env = "ZORGPLAN_LISTEN", default_value = "127.0.0.1:8080")]
    listen: String,

    /// Public base URL of the FHIR endpoint, used in Location headers and Bundle links
    /// (default: derived from each request's Host header).
    #[arg(long, env = "ZORGPLAN_BASE_URL")]
    base_url: Option<String>,

    /// Largest request body accepted, in bytes; larger requests get 413.
    #[arg(long, env = "ZORGPLAN_MAX_BODY_BYTES", default_value_t = 16 * 1024 * 1024)]
    max_body_bytes: usize,

    /// Most entries in one transaction or batch Bundle; larger Bundles get 413.
    #[arg(long, env = "ZORGPLAN_MAX_BUNDLE_ENTRIES", default_value_t = 1000)]
    max_bundle_entries: usize,

    /// Attempts to deliver a Subscription's notification before the Subscription is set to
    /// error (waiting 1 s, 2 s, 4 s, … up to an hour between attempts).
    #[arg(long, env = "ZORGPLAN_NOTIFY_ATTEMPTS", default_value_t = 16)]
    notify_attempts: u32,

    /// Push the plan document (`$zorgplan`) to this EPD endpoint (POST) whenever a plan's
    /// MKS phase changes; needs --base-url (the document's addresses).
    #[arg(long, env = "ZORGPLAN_PUSH_ENDPOINT", requires = "base_url")]
    push_endpoint: Option<String>,

    /// The registered client (--clients) whose view of the plan is pushed: what that EPD
    /// may see of the child.
    #[arg(long, env = "ZORGPLAN_PUSH_CLIENT", requires = "push_endpoint")]
    push_client: Option<String>,

    /// A header sent with every push, `Name: value` (repeatable).
    #[arg(long, requires = "push_endpoint")]
    push_header: Vec<String>,

    /// Seconds a Subscription's endpoint has to take a notification.
    #[arg(long, env = "ZORGPLAN_NOTIFY_TIMEOUT", default_value_t = 10)]
    notify_timeout: u64,

    /// Deepest JSON nesting accepted in a body (at most 127); deeper documents get 400.
    #[arg(long, env = "ZORGPLAN_MAX_JSON_DEPTH", default_value_t = 100)]
    max_json_depth: usize,

    /// Entries per page of a search or history when the client names no _count.
    #[arg(long, env = "ZORGPLAN_DEFAULT_COUNT", default_value_t = 50)]
    default_count: usize,

    /// Most entries per page, whatever _count asks.
    #[arg(long, env = "ZORGPLAN_MAX_COUNT", default_value_t = 1000)]
    max_count: usize,

    /// Store writes even when their literal references (`Type/id`) point to no resource on
    /// this server. Off by default: such writes are refused with 422. Only for bulk loads of
    /// resource graphs with cycles outside transactions.
    #[arg(long, env = "ZORGPLAN_ALLOW_DANGLING_REFERENCES")]
    allow_dangling_references: bool,

    /// Database connections in the pool.
    #[arg(long, env = "ZORGPLAN_DB_POOL_SIZE", default_value_t = 10)]
    db_pool_size: u32,

    /// HTTP worker threads (0: one per CPU core).
    #[arg(long, env = "ZORGPLAN_WORKERS", default_value_t = 0)]
    workers: usize,

    /// Serve HTTPS with this certificate chain (PEM: the server's certificate, then its
    /// intermediates); needs --tls-key. Without it the server speaks plain HTTP, for local
    /// development only.
    #[arg(long, env = "ZORGPLAN_TLS_CERT", requires = "tls_key")]
    tls_cert: Option<PathBuf>,

    /// Development mode: no authentication, every client may read and write everything.
    /// Only for a trusted machine; without it the server needs --auth-issuer.
    #[arg(long, env = "ZORGPLAN_DEV")]
    dev: bool,

    /// The issuer (`iss`) whose access tokens the server accepts.
    #[arg(
        long,
        env = "ZORGPLAN_AUTH_ISSUER",
        required_unless_present_any = ["dev", "clients"],
        conflicts_with = "dev"
    )]
    auth_issuer: Option<String>,

    /// The audience (`aud`) the tokens must name: this server's base URL.
    #[arg(long, env = "ZORGPLAN_AUTH_AUDIENCE", requires = "auth_issuer")]
    auth_audience: Option<String>,

    /// A public key of the issuer (PEM, RSA or EC); repeatable.
    #[arg(long = "auth-key", env = "ZORGPLAN_AUTH_KEY", value_delimiter = ',')]
    auth_keys: Vec<PathBuf>,

    /// The issuer's keys as a JWKS document (file); repeatable.
    #[arg(long = "auth-jwks", env = "ZORGPLAN_AUTH_JWKS", value_delimiter = ',')]
    auth_jwks: Vec<PathBuf>,

    /// The registered system clients (SMART Backend Services): a JSON array of
    /// {"client_id", "ura", "scope", "jwks"}. The server then issues access tokens at
    /// /auth/token, as --base-url.
    #[arg(
        long,
        env = "ZORGPLAN_CLIENTS",
        conflicts_with = "dev",
        requires = "base_url"
    )]
    clients: Option<PathBuf>,

    /// The private key (PEM, RSA or P-256) the server signs its own access tokens with;
    /// without it, a key made at start.
    #[arg(long, env = "ZORGPLAN_AUTH_SIGNING_KEY", requires = "clients")]
    auth_signing_key: Option<PathBuf>,

    /// PGO sign-in by a typed BSN, for the apps registered with --clients: for development
    /// and acceptance environments only (anyone can act as any family member).
    #[arg(long, env = "ZORGPLAN_PGO_TEST_LOGIN", requires = "clients")]
    pgo_test_login: bool,

    /// The private key of --tls-cert (PEM).
    #[arg(long, env = "ZORGPLAN_TLS_KEY", requires = "tls_cert")]
    tls_key: Option<PathBuf>,

    /// Mutual TLS: every client must present a certificate issued by one of these CAs (PEM);
    /// needs --tls-cert.
    #[arg(long, env = "ZORGPLAN_TLS_CLIENT_CA", requires = "tls_cert")]
    tls_client_ca: Option<PathBuf>,

    /// Log format.
    #[arg(long, env = "ZORGPLAN_LOG_FORMAT", value_enum, default_value = "text")]
    log_format: LogFormat,

    /// Log filter, e.g. `info`, `warn`, or `info,zorgplan_store=debug`.
    #[arg(long, env = "ZORGPLAN_LOG", default_value = "info")]
    log: String,
}

fn init_logging(format: LogFormat, filter: &str) -> Result<(), String> {
    let filter = tracing_subscriber::EnvFilter::try_new(filter)
        .map_err(|e| format!("invalid --log filter '{filter}': {e}"))?;
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_ansi(std::io::stdout().is_terminal());
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .init(),
    }
    Ok(())
}

fn serve(args: ServeArgs) -> Result<(), String> {
    init_logging(args.log_format, &args.log)?;
    // Access first: a configuration that would start the server open is refused before
    // anything else happens.
    let auth = if args.dev {
        tracing::warn!(
            "DEVELOPMENT MODE (--dev): no authentication, every client may read and write \
             everything; never use it with real data"
        );
        zorgplan_server::access::Authentication::Development
    } else {
        let settings = zorgplan_server::access::AuthSettings {
            issuer: args.auth_issuer.clone(),
            audience: args.auth_audience.clone(),
            keys: args.auth_keys.clone(),
            jwks: args.auth_jwks.clone(),
            clients: args.clients.clone(),
            base_url: args.base_url.clone(),
            signing_key: args.auth_signing_key.clone(),
            test_login: args.pgo_test_login,
        };
        let tokens = zorgplan_server::access::Tokens::load(&settings)?;
        tracing::info!(
            issuer = args.auth_issuer.as_deref().unwrap_or("(none)"),
            clients = tokens.clients.len(),
            apps = tokens.apps.len(),
            "access tokens required"
        );
        zorgplan_server::access::Authentication::Tokens(std::sync::Arc::new(tokens))
    };
    let mut store_config = StoreConfig::new(&args.database_url);
    store_config.pool_size = args.db_pool_size;
    store_config.enforce_references = !args.allow_dangling_references;
    store_config.search_parameters = zorgplan_server::search_parameters();
    store_config.connection_timeout = Duration::from_secs(10);
    let store = Store::open(&store_config).map_err(|e| format!("cannot open the database: {e}"))?;
    tracing::info!(backend = store.backend().name(), "database ready");
    let listener = TcpListener::bind(&args.listen)
        .map_err(|e| format!("cannot listen on {}: {e}", args.listen))?;
    let config = ServerConfig {
        base_url: args.base_url,
        max_body_bytes: args.max_body_bytes,
        max_bundle_entries: args.max_bundle_entries,
        json: zorgplan_server::JsonLimits {
            max_depth: args.max_json_depth,
        },
        default_count: args.default_count,
        max_count: args.max_count.max(1),
        workers: args.workers,
        tls: match (args.tls_cert, args.tls_key) {
            (Some(certificate_chain), Some(private_key)) => Some(zorgplan_server::TlsConfig {
                certificate_chain,
                private_key,
                client_ca: args.tls_client_ca,
            }),
            _ => None,
        },
        auth,
        push: args
            .push_endpoint
            .map(|endpoint| zorgplan_server::subscription::PushConfig {
                endpoint,
                client: args.push_client,
                headers: args.push_header,
            }),
        notify: zorgplan_server::subscription::NotifyConfig {
            attempts: args.notify_attempts.max(1),
            timeout: std::time::Duration::from_secs(args.notify_timeout.max(1)),
            ..Default::default()
        },
    };
    zorgplan_server::serve(listener, store, config).map_err(|e| format!("server error: {e}"))
}

/// Validates the files; `Ok(false)` when any has an error.
fn validate(args: ValidateArgs) -> Result<bool, String> {
    let validator = if args.igs.is_empty() {
        zorgplan_validator::Validator::r4()
    } else {
        let mut resources = zorgplan_validator::profile::Conformance::standard_resources();
        for ig in &args.igs {
            resources.extend(conformance_resources(ig)?);
        }
        // The process ends after validating: the compiled definitions live as long as it.
        let conformance = Box::leak(Box::new(zorgplan_validator::profile::Conformance::load(
            resources,
        )));
        zorgplan_validator::Validator::with(conformance)
    };
    if let Some(profile) = &args.profile {
        if !validator.knows_profile(profile) {
            return Err(format!(
                "the profile {profile} is not known (load it with --ig)"
            ));
        }
    }
    let mut all_valid = true;
    let several = args.files.len() > 1;
    for file in &args.files {
        let bytes =
            std::fs::read(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
        let issues = match parse_file(&bytes) {
            Ok(resource) => validator
                .validate_with(&resource, args.profile.as_deref())
                .map_err(|url| format!("the profile {url} is not known"))?,
            Err(error) => error.issues,
        };
        all_valid &= !zorgplan_validator::has_errors(&issues);
        let outcome = zorgplan_fhir::outcome::operation_outcome(&issues);
        let text = if several {
            serde_json::to_string(&outcome)
        } else {
            serde_json::to_string_pretty(&outcome)
        };
        println!("{}", text.map_err(|e| e.to_string())?);
    }
    Ok(all_valid)
}

/// Runs the cases; whether none failed.
fn conformance(args: ConformanceArgs) -> Result<bool, String> {
    use zorgplan_conformance::{report, Case, Runner};
    let cases: Vec<Case> = Case::all_in(&args.cases)?
        .into_iter()
        .filter(|c| {
            args.only
                .as_deref()
                .is_none_or(|only| c.name.contains(only))
        })
        .collect();
    if cases.is_empty() {
        return Err(format!("no cases in {}", args.cases.display()));
    }
    let tokens = match &args.tokens {
        Some(path) => {
            let text =
                std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
            serde_json::from_str(&text).map_err(|e| {
                format!(
                    "{}: not a JSON object of role names and tokens: {e}",
                    path.display()
                )
            })?
        }
        None => Default::default(),
    };
    let runner =
        Runner::new(&args.url, args.token, Duration::from_secs(args.timeout))?.with_tokens(tokens);
    let outcomes: Vec<_> = cases.iter().map(|case| runner.run(case)).collect();
    print!("{}", report::summary(&outcomes));
    if let Some(path) = &args.junit {
        std::fs::write(path, report::junit(&outcomes))
            .map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(report::counts(&outcomes).1 == 0)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Serve(args) => serve(*args),
        Command::Reindex(args) => reindex(args),
        Command::Generate(args) => generate(args),
        Command::Load(args) => zorgplan_conformance::load::load(args),
        Command::Conformance(args) => match conformance(args) {
            Ok(true) => Ok(()),
            Ok(false) => return ExitCode::FAILURE,
            Err(e) => Err(e),
        },
        Command::Epd(command) => match zorgplan_adapters::cli::epd(command) {
            Ok(true) => Ok(()),
            Ok(false) => return ExitCode::FAILURE,
            Err(e) => Err(e),
        },
        Command::Handover(args) => match zorgplan_adapters::cli::handover(args) {
            Ok(true) => Ok(()),
            Ok(false) => return ExitCode::FAILURE,
            Err(e) => Err(e),
        },
        Command::Validate(args) => match validate(args) {
            Ok(true) => Ok(()),
            Ok(false) => return ExitCode::FAILURE,
            Err(e) => Err(e),
        },
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("zorgplan: {message}");
            ExitCode::FAILURE
        }
    }
}
