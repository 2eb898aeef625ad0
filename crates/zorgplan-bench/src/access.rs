//! What access control costs: the same reads and searches on the stored population of the
//! search benchmark, one request at a time, against the server in development mode and
//! against it requiring access tokens (both running, in alternating blocks; with the CPU
//! time each server spent per request) — a parent's PGO token for its own child, and a nurse's
//! token for a child of its network — so that every request is authenticated, checked
//! against the child's network, age and consents, and written to the audit trail.
//!
//! Then the same requests from [`CLIENTS`] clients at once, against each server in turn:
//! throughput, the number of requests answered over the time until the server was idle
//! again, so that the audit writer's backlog counts.
//!
//! The tokens are signed with the test keys of `zorgplan-auth` (which protect nothing), once
//! per caller before the measurement, as a client reuses its token.

use crate::search::{get_json, start, SearchPlan};
use crate::server::ServerProcess;
use crate::Backend;
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use serde_json::{json, Value};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use zorgplan_generate::family::LIFE_DOMAINS;
use zorgplan_generate::{Population, Rng};

const ISSUER: &str = "https://auth.bench.invalid";
const AUDIENCE: &str = "https://zorgplan.bench.invalid";
const KINDERLEEFDOMEIN: &str = "http://fhir.zorgplankindgezin.nl/CodeSystem/kinderleefdomein";

/// Children the callers are drawn from.
const SAMPLE: usize = 200;

/// One workload in both modes.
pub struct AccessReport {
    pub name: &'static str,
    pub example: String,
    /// Microseconds, sorted: development mode, then with access control.
    pub open_us: Vec<u32>,
    pub checked_us: Vec<u32>,
    /// The server's CPU time per measured request, microseconds, all its threads (the
    /// audit writer's included): what a request costs when the cores are the limit.
    pub open_cpu_us: f64,
    pub checked_cpu_us: f64,
    /// Requests answered per second with [`CLIENTS`] clients at once, until the server was
    /// idle again: development mode, and with access control.
    pub open_rps: f64,
    pub checked_rps: f64,
}

impl AccessReport {
    /// Requests per second of one client, from the mean latency.
    pub fn rate(latencies: &[u32]) -> f64 {
        let mean =
            latencies.iter().map(|&l| f64::from(l)).sum::<f64>() / latencies.len().max(1) as f64;
        1e6 / mean
    }
}

/// A caller of one sampled child.
struct Caller {
    child: usize,
    parent_token: String,
    nurse_token: String,
}

impl Caller {
    /// The nurse's token or the parent's.
    fn token(&self, by_nurse: bool) -> &str {
        if by_nurse {
            &self.nurse_token
        } else {
            &self.parent_token
        }
    }
}

fn keys() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../zorgplan-auth/tests/keys")
}

fn sign(claims: &Value) -> Result<String, String> {
    let pem =
        std::fs::read(keys().join("rsa-private.pem")).map_err(|e| format!("the test key: {e}"))?;
    let key = EncodingKey::from_rsa_pem(&pem).map_err(|e| e.to_string())?;
    encode(&Header::new(Algorithm::RS256), claims, &key).map_err(|e| e.to_string())
}

type Workload = (&'static str, fn(usize, &str) -> String, bool);

/// The workloads: a name, the request for a child (and a life domain), and whether the nurse
/// (else the parent) sends it.
const WORKLOADS: [Workload; 3] = [
    (
        "parent reads the plan",
        |child, _| format!("CarePlan/zorgplan-{child}"),
        false,
    ),
    (
        "parent searches goals in a domain",
        |child, domain| {
            format!(
                "Goal?patient=Patient/{}&category={KINDERLEEFDOMEIN}|{domain}",
                Population::child_id(child)
            )
        },
        false,
    ),
    (
        "nurse searches the plan with its goals",
        |child, _| {
            format!(
                "CarePlan?patient=Patient/{}&_include=CarePlan:goal",
                Population::child_id(child)
            )
        },
        true,
    ),
];

/// Blocks of each workload's requests, alternating between the two servers.
const ROUNDS: usize = 10;

/// Clients sending at once in a throughput block, and how long they send.
pub const CLIENTS: usize = 8;
pub const WINDOW: Duration = Duration::from_secs(3);
/// Throughput blocks of each workload on each server, alternating between the two.
const THROUGHPUT_ROUNDS: usize = 2;
/// How long a server may take to become idle after a throughput block: the checked
/// server's audit writer stores the block's events, up to a full queue of them.
const DRAIN_AT_MOST: Duration = Duration::from_secs(60);

/// How long the servers are left alone before a block at least, and then until neither used
/// CPU over [`STILL`] (at most [`SETTLE_AT_MOST`]): the checked server's audit writer stores
/// what the block before handed it, and no block should pay for the other's.
const SETTLE: std::time::Duration = std::time::Duration::from_millis(50);
const STILL: std::time::Duration = std::time::Duration::from_millis(30);
const SETTLE_AT_MOST: std::time::Duration = std::time::Duration::from_secs(2);

/// How long the servers are left alone before their CPU time is read: time for the audit
/// writer to store what the requests before handed it.
const DRAIN: std::time::Duration = std::time::Duration::from_millis(500);

/// Runs the workloads on the stored population (made by the search benchmark) and a copy of
/// it (`urls`: the population, for the open server, which writes nothing; the copy, for the
/// checked one, which adds to the audit trail) at the same time: the server in
/// development mode and the server with access control take turns, a block of requests each,
/// the same requests in the same order, so that the machine's drift over a run weighs on
/// both alike.
pub async fn run(
    plan: &SearchPlan<'_>,
    backend: Backend,
    [open_url, checked_url]: [&str; 2],
    client: &reqwest::Client,
    interrupted: fn() -> bool,
) -> Result<Vec<AccessReport>, String> {
    let open = start(
        plan,
        backend,
        open_url,
        client,
        interrupted,
        ("access-open", Vec::new()),
    )
    .await?;
    // Callers: each sampled child's mother (a parent with authority in its network) and the
    // first professional of its network.
    let mut rng = Rng::new(13, 0);
    let mut callers = Vec::with_capacity(SAMPLE);
    let expires = chrono::Utc::now().timestamp() + 3600;
    for _ in 0..SAMPLE {
        let child = rng.below(plan.children);
        let network = get_json(
            client,
            &open.base_url,
            &format!("CareTeam/netwerk-{child}"),
            None,
        )
        .await?;
        let nurse = network["participant"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|p| p["member"]["reference"].as_str())
            .find(|r| r.starts_with("PractitionerRole/"))
            .ok_or("a network without professionals")?
            .to_owned();
        let base = json!({"iss": ISSUER, "aud": AUDIENCE, "exp": expires, "sub": format!("bench-{child}")});
        let mut parent = base.clone();
        parent["fhirUser"] = json!(format!("RelatedPerson/moeder-{child}"));
        parent["patient"] = json!(Population::child_id(child));
        parent["scope"] = json!("patient/*.rs");
        let mut professional = base;
        professional["fhirUser"] = json!(nurse);
        professional["scope"] = json!("user/*.rs");
        callers.push(Caller {
            child,
            parent_token: sign(&parent)?,
            nurse_token: sign(&professional)?,
        });
    }
    let key = keys().join("rsa-public.pem").to_string_lossy().into_owned();
    let access = [
        "--auth-issuer",
        ISSUER,
        "--auth-audience",
        AUDIENCE,
        "--auth-key",
        &key,
    ]
    .map(str::to_owned)
    .to_vec();
    let checked = start(
        plan,
        backend,
        checked_url,
        client,
        interrupted,
        ("access-checked", access),
    )
    .await?;
    let mut reports: Vec<AccessReport> = Vec::new();
    for workload in &WORKLOADS {
        let (name, request, _) = workload;
        let mut rng = Rng::new(17, 0);
        let requests: Vec<(&Caller, &str)> = (0..plan.warmup + plan.requests)
            .map(|_| {
                let caller = &callers[rng.below(callers.len())];
                (caller, LIFE_DOMAINS[rng.below(LIFE_DOMAINS.len())].0)
            })
            .collect();
        let (warmup, measured) = requests.split_at(plan.warmup);
        let mut report = AccessReport {
            name,
            example: request(callers[0].child, LIFE_DOMAINS[0].0),
            open_us: Vec::with_capacity(plan.requests),
            checked_us: Vec::with_capacity(plan.requests),
            open_cpu_us: f64::NAN,
            checked_cpu_us: f64::NAN,
            open_rps: f64::NAN,
            checked_rps: f64::NAN,
        };
        let servers = [(&open, false), (&checked, true)];
        for (server, tokens) in servers {
            let mut unmeasured = Vec::new();
            measure(
                client,
                server,
                workload,
                warmup,
                tokens,
                &mut unmeasured,
                interrupted,
            )
            .await?;
        }
        tokio::time::sleep(DRAIN).await;
        let cpu_before = [open.cpu_time()?, checked.cpu_time()?];
        let block = measured.len().div_ceil(ROUNDS).max(1);
        for (round, requests) in measured.chunks(block).enumerate() {
            // Each goes first in every other round.
            let mut order = servers;
            if round % 2 == 1 {
                order.reverse();
            }
            for (server, tokens) in order {
                settle(&[&open, &checked]).await?;
                let latencies = if tokens {
                    &mut report.checked_us
                } else {
                    &mut report.open_us
                };
                measure(
                    client,
                    server,
                    workload,
                    requests,
                    tokens,
                    latencies,
                    interrupted,
                )
                .await?;
            }
        }
        tokio::time::sleep(DRAIN).await;
        let per_request = |server: &ServerProcess, before: std::time::Duration| {
            server.cpu_time().map(|after| {
                (after.saturating_sub(before)).as_secs_f64() * 1e6 / measured.len().max(1) as f64
            })
        };
        report.open_cpu_us = per_request(&open, cpu_before[0])?;
        report.checked_cpu_us = per_request(&checked, cpu_before[1])?;
        let mut answered = [0usize; 2];
        let mut took = [Duration::ZERO; 2];
        for round in 0..THROUGHPUT_ROUNDS {
            let mut order = [0, 1];
            if round % 2 == 1 {
                order.reverse();
            }
            for i in order {
                let (server, tokens) = servers[i];
                settle(&[&open, &checked]).await?;
                let (n, time) =
                    saturate(client, server, workload, measured, tokens, interrupted).await?;
                answered[i] += n;
                took[i] += time;
            }
        }
        report.open_rps = answered[0] as f64 / took[0].as_secs_f64();
        report.checked_rps = answered[1] as f64 / took[1].as_secs_f64();
        report.open_us.sort_unstable();
        report.checked_us.sort_unstable();
        reports.push(report);
    }
    Ok(reports)
}

/// Waits [`SETTLE`], then until no server of `servers` used CPU time over [`STILL`] (or
/// [`SETTLE_AT_MOST`] has passed).
async fn settle(servers: &[&ServerProcess]) -> Result<(), String> {
    let started = Instant::now();
    tokio::time::sleep(SETTLE).await;
    idle(servers, SETTLE_AT_MOST.saturating_sub(started.elapsed())).await?;
    Ok(())
}

/// Looks every [`STILL`] until no server of `servers` used CPU time since the look before:
/// the last moment one was seen busy (when this started, if none was), or `None` when they
/// were still busy after `at_most`.
async fn idle(servers: &[&ServerProcess], at_most: Duration) -> Result<Option<Instant>, String> {
    let started = Instant::now();
    let cpu =
        || -> Result<Vec<Duration>, String> { servers.iter().map(|s| s.cpu_time()).collect() };
    let mut busy_until = started;
    let mut before = cpu()?;
    while started.elapsed() < at_most {
        tokio::time::sleep(STILL).await;
        let now = cpu()?;
        if now == before {
            return Ok(Some(busy_until));
        }
        before = now;
        busy_until = Instant::now();
    }
    Ok(None)
}

/// The path of `workload`'s request for `caller`'s child (in life domain `domain`) and, when
/// `tokens` is set, the token it is sent with.
fn addressed<'a>(
    (_, request, by_nurse): &Workload,
    caller: &'a Caller,
    domain: &str,
    tokens: bool,
) -> (String, Option<&'a str>) {
    (
        request(caller.child, domain),
        tokens.then(|| caller.token(*by_nurse)),
    )
}

/// Sends `requests` of `workload` to `server`, one at a time, with the caller's token when
/// `tokens` is set, and adds their latencies (microseconds) to `latencies`.
async fn measure(
    client: &reqwest::Client,
    server: &ServerProcess,
    workload: &Workload,
    requests: &[(&Caller, &str)],
    tokens: bool,
    latencies: &mut Vec<u32>,
    interrupted: fn() -> bool,
) -> Result<(), String> {
    let name = workload.0;
    for (caller, domain) in requests {
        if interrupted() {
            return Err("interrupted".into());
        }
        let (path, token) = addressed(workload, caller, domain, tokens);
        let started = Instant::now();
        get_json(client, &server.base_url, &path, token)
            .await
            .map_err(|e| format!("{name}: {e}"))?;
        latencies.push(started.elapsed().as_micros().min(u128::from(u32::MAX)) as u32);
    }
    Ok(())
}

/// Sends `requests` of `workload` to `server` from [`CLIENTS`] clients at once for
/// [`WINDOW`] (each client the next request of the list when its last was answered), then
/// waits until the server is idle again: the requests answered, and the time from the first
/// until the server was idle — what it still had to do after its answers (the audit
/// writer's backlog) counts as the block's.
async fn saturate(
    client: &reqwest::Client,
    server: &ServerProcess,
    workload: &Workload,
    requests: &[(&Caller, &str)],
    tokens: bool,
    interrupted: fn() -> bool,
) -> Result<(usize, Duration), String> {
    let name = &workload.0;
    let requests: Arc<Vec<(String, Option<String>)>> = Arc::new(
        requests
            .iter()
            .map(|(caller, domain)| {
                let (path, token) = addressed(workload, caller, domain, tokens);
                (path, token.map(str::to_owned))
            })
            .collect(),
    );
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let deadline = started + WINDOW;
    let mut clients = tokio::task::JoinSet::new();
    for _ in 0..CLIENTS {
        let (client, base_url) = (client.clone(), server.base_url.clone());
        let (requests, next, name) = (requests.clone(), next.clone(), *name);
        clients.spawn(async move {
            let mut answered = 0usize;
            while Instant::now() < deadline && !interrupted() {
                let (path, token) =
                    &requests[next.fetch_add(1, Ordering::Relaxed) % requests.len()];
                get_json(&client, &base_url, path, token.as_deref())
                    .await
                    .map_err(|e| format!("{name}: {e}"))?;
                answered += 1;
            }
            Ok::<usize, String>(answered)
        });
    }
    let mut answered = 0;
    while let Some(joined) = clients.join_next().await {
        answered += joined.map_err(|e| format!("{name}: a client failed: {e}"))??;
    }
    if interrupted() {
        return Err("interrupted".into());
    }
    // Busy until the last look that saw the server's CPU time grow.
    let at_most = (WINDOW + DRAIN_AT_MOST).saturating_sub(started.elapsed());
    let Some(busy_until) = idle(&[server], at_most).await? else {
        return Err(format!(
            "{name}: the server was still busy after {DRAIN_AT_MOST:?}"
        ));
    };
    Ok((answered, busy_until - started))
}
