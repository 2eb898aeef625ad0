//! What access control costs: the same reads and searches on the stored population of the
//! search benchmark, one request at a time, against the server in development mode and
//! against it requiring access tokens — a parent's PGO token for its own child, and a nurse's
//! token for a child of its network — so that every request is authenticated, checked
//! against the child's network, age and consents, and written to the audit trail.
//!
//! The tokens are signed with the test keys of `zorgplan-auth` (which protect nothing), once
//! per caller before the measurement, as a client reuses its token.

use crate::search::{get_json, start, SearchPlan};
use crate::server::ServerProcess;
use crate::Backend;
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use serde_json::{json, Value};
use std::path::PathBuf;
use std::time::Instant;
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

/// Runs the workloads on the stored population (made by the search benchmark) with the
/// server open, then with access control.
pub async fn run(
    plan: &SearchPlan<'_>,
    backend: Backend,
    database_url: &str,
    client: &reqwest::Client,
    interrupted: fn() -> bool,
) -> Result<Vec<AccessReport>, String> {
    let open = start(
        plan,
        backend,
        database_url,
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
        let network = get_json(client, &open, &format!("CareTeam/netwerk-{child}"), None).await?;
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
    let mut reports: Vec<AccessReport> = Vec::new();
    for (name, request, _) in WORKLOADS {
        reports.push(AccessReport {
            name,
            example: request(callers[0].child, LIFE_DOMAINS[0].0),
            open_us: measure(plan, client, &open, &callers, name, None, interrupted).await?,
            checked_us: Vec::new(),
        });
    }
    drop(open);
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
        database_url,
        client,
        interrupted,
        ("access-checked", access),
    )
    .await?;
    for report in &mut reports {
        report.checked_us = measure(
            plan,
            client,
            &checked,
            &callers,
            report.name,
            Some(()),
            interrupted,
        )
        .await?;
    }
    Ok(reports)
}

/// The latencies of workload `name`, sorted; with tokens when `tokens` is set.
async fn measure(
    plan: &SearchPlan<'_>,
    client: &reqwest::Client,
    server: &ServerProcess,
    callers: &[Caller],
    name: &str,
    tokens: Option<()>,
    interrupted: fn() -> bool,
) -> Result<Vec<u32>, String> {
    let (_, request, by_nurse) = WORKLOADS.iter().find(|w| w.0 == name).expect("a workload");
    let mut rng = Rng::new(17, 0);
    let mut latencies = Vec::with_capacity(plan.requests);
    for n in 0..plan.warmup + plan.requests {
        if interrupted() {
            return Err("interrupted".into());
        }
        let caller = &callers[rng.below(callers.len())];
        let domain = LIFE_DOMAINS[rng.below(LIFE_DOMAINS.len())].0;
        let path = request(caller.child, domain);
        let token = tokens.map(|_| {
            if *by_nurse {
                caller.nurse_token.as_str()
            } else {
                caller.parent_token.as_str()
            }
        });
        let started = Instant::now();
        get_json(client, server, &path, token).await?;
        if n >= plan.warmup {
            latencies.push(started.elapsed().as_micros().min(u128::from(u32::MAX)) as u32);
        }
    }
    latencies.sort_unstable();
    Ok(latencies)
}
