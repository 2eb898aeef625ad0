//! The load: `connections` tasks, each sending one request after another over its own
//! keep-alive HTTP/1.1 connection, first through a warm-up that is not counted, then through
//! the measured window. The client is a bare hyper connection per task (no pool, no
//! middleware), so that it takes as little of the machine's CPU from the server as it can.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper::header::{ACCEPT, CONTENT_TYPE, HOST};
use hyper::{Method, Request, StatusCode};
use hyper_util::rt::TokioIo;
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use zorgplan_fhir::references;
use zorgplan_generate::people::new_patient;
use zorgplan_generate::{Population, Rng};

const FHIR_JSON: &str = "application/fhir+json";

/// What the tasks of a phase do.
#[derive(Clone)]
pub enum Workload {
    /// `POST /Patient` with a new Patient each time.
    Create,
    /// `GET /Patient/{id}` of an id picked at random from these.
    Read(Arc<Vec<String>>),
    /// `POST /` with a transaction of a new family each time (see [`family_transaction`]).
    Transaction(Arc<Families>),
}

/// The families the transaction workload sends, one after another.
pub struct Families {
    pub population: Population,
    pub next: AtomicUsize,
}

/// A transaction Bundle that stores family `child` of `population` as a hospital would send
/// it at discharge: every resource a `POST` with a `urn:uuid:` fullUrl, the family's
/// references to each other by those fullUrls, to the shared care providers by `Type/id`.
/// Answers the body and how many resources it holds.
pub fn family_transaction(population: &Population, child: usize) -> (Vec<u8>, usize) {
    let family = population.family(child);
    let mut urns: HashMap<String, String> = HashMap::with_capacity(family.len());
    for (n, resource) in family.iter().enumerate() {
        let local = format!(
            "{}/{}",
            resource["resourceType"].as_str().unwrap_or_default(),
            resource["id"].as_str().unwrap_or_default()
        );
        urns.insert(
            local,
            format!("urn:uuid:{:08x}-0000-4000-8000-{n:012x}", child),
        );
    }
    let count = family.len();
    let entries: Vec<serde_json::Value> = family
        .into_iter()
        .map(|mut resource| {
            let local = format!(
                "{}/{}",
                resource["resourceType"].as_str().unwrap_or_default(),
                resource["id"].as_str().unwrap_or_default()
            );
            let mut to_urn = |reference: &str| Ok(urns.get(reference).cloned());
            references::rewrite(&mut resource, &mut String::new(), &mut to_urn)
                .expect("no reference is refused");
            let res_type = resource["resourceType"].clone();
            if let Some(object) = resource.as_object_mut() {
                object.shift_remove("id");
            }
            serde_json::json!({"fullUrl": urns[&local], "resource": resource,
                "request": {"method": "POST", "url": res_type}})
        })
        .collect();
    let bundle =
        serde_json::json!({"resourceType": "Bundle", "type": "transaction", "entry": entries});
    (serde_json::to_vec(&bundle).expect("JSON"), count)
}

/// A transaction Bundle that stores `resources` (each with its id) with `PUT`.
pub fn put_transaction(resources: Vec<serde_json::Value>) -> Vec<u8> {
    let entries: Vec<serde_json::Value> = resources
        .into_iter()
        .map(|resource| {
            let url = format!(
                "{}/{}",
                resource["resourceType"].as_str().unwrap_or_default(),
                resource["id"].as_str().unwrap_or_default()
            );
            serde_json::json!({"resource": resource, "request": {"method": "PUT", "url": url}})
        })
        .collect();
    let bundle =
        serde_json::json!({"resourceType": "Bundle", "type": "transaction", "entry": entries});
    serde_json::to_vec(&bundle).expect("JSON")
}

/// Timing of a phase.
#[derive(Clone, Copy)]
pub struct PhasePlan {
    pub connections: usize,
    pub warmup: Duration,
    pub duration: Duration,
}

/// Failed requests of the measured window, by kind.
#[derive(Default, Debug)]
pub struct Errors {
    /// Non-2xx answers (and 2xx answers other than the one expected) by status code.
    pub by_status: BTreeMap<u16, u64>,
    /// Requests that got no complete answer (connection refused or reset, timeout, …).
    pub transport: u64,
    /// Answers with the right status whose body was unusable (no `id` after a create).
    pub bad_body: u64,
    /// One example message, to show what went wrong.
    pub example: Option<String>,
}

impl Errors {
    pub fn total(&self) -> u64 {
        self.by_status.values().sum::<u64>() + self.transport + self.bad_body
    }

    fn merge(&mut self, other: Errors) {
        for (status, n) in other.by_status {
            *self.by_status.entry(status).or_default() += n;
        }
        self.transport += other.transport;
        self.bad_body += other.bad_body;
        if self.example.is_none() {
            self.example = other.example;
        }
    }

    fn note(&mut self, example: impl FnOnce() -> String) {
        if self.example.is_none() {
            self.example = Some(example());
        }
    }

    /// `HTTP 500 ×3, transport ×1` and the example message.
    pub fn describe(&self) -> String {
        let mut parts: Vec<String> = self
            .by_status
            .iter()
            .map(|(status, n)| format!("HTTP {status} ×{n}"))
            .collect();
        if self.transport > 0 {
            parts.push(format!("no answer ×{}", self.transport));
        }
        if self.bad_body > 0 {
            parts.push(format!("unusable body ×{}", self.bad_body));
        }
        let mut text = parts.join(", ");
        if let Some(example) = &self.example {
            text.push_str(&format!("; first: {example}"));
        }
        text
    }
}

/// The outcome of a phase's measured window.
pub struct PhaseResult {
    pub successes: u64,
    pub errors: Errors,
    /// Latencies of the successful requests, in microseconds, sorted.
    pub latencies_us: Vec<u32>,
    pub measured: Duration,
    /// Ids of every Patient created, warm-up included (create phase only).
    pub created_ids: Vec<String>,
    /// Resources the successful requests stored (transaction phase only).
    pub resources: u64,
}

impl PhaseResult {
    pub fn requests_per_second(&self) -> f64 {
        self.successes as f64 / self.measured.as_secs_f64()
    }

    pub fn resources_per_second(&self) -> f64 {
        self.resources as f64 / self.measured.as_secs_f64()
    }

    /// The exact `p`-th percentile (nearest rank) in milliseconds; `None` without samples.
    pub fn percentile_ms(&self, p: f64) -> Option<f64> {
        percentile(&self.latencies_us, p).map(|us| f64::from(us) / 1000.0)
    }

    pub fn max_ms(&self) -> Option<f64> {
        self.latencies_us.last().map(|&us| f64::from(us) / 1000.0)
    }
}

/// Nearest-rank percentile of sorted samples: the smallest sample with at least `p` % of
/// the samples at or below it.
pub fn percentile(sorted: &[u32], p: f64) -> Option<u32> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    Some(sorted[rank.clamp(1, sorted.len()) - 1])
}

#[derive(Default)]
struct TaskResult {
    successes: u64,
    errors: Errors,
    latencies_us: Vec<u32>,
    created_ids: Vec<String>,
    resources: u64,
}

/// Runs a phase and gathers what its tasks measured. `interrupted` ends it early.
/// One keep-alive connection to the server.
struct Connection {
    sender: SendRequest<Full<Bytes>>,
    host: Arc<str>,
    timeout: Duration,
}

impl Connection {
    async fn open(addr: &str, timeout: Duration) -> Result<Connection, String> {
        let stream = tokio::net::TcpStream::connect(addr)
            .await
            .map_err(|e| format!("cannot connect to {addr}: {e}"))?;
        stream.set_nodelay(true).map_err(|e| e.to_string())?;
        let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .map_err(|e| format!("HTTP handshake with {addr}: {e}"))?;
        tokio::spawn(connection);
        Ok(Connection {
            sender,
            host: Arc::from(addr),
            timeout,
        })
    }

    /// Sends a request and reads the whole answer; anything but `expected` is a failure.
    async fn exchange(
        &mut self,
        method: Method,
        path: &str,
        body: Option<Vec<u8>>,
        expected: StatusCode,
    ) -> Result<Vec<u8>, Failure> {
        let mut request = Request::builder()
            .method(method)
            .uri(path)
            .header(HOST, &*self.host)
            .header(ACCEPT, FHIR_JSON);
        if body.is_some() {
            request = request.header(CONTENT_TYPE, FHIR_JSON);
        }
        let request = request
            .body(Full::new(Bytes::from(body.unwrap_or_default())))
            .map_err(|e| Failure::Transport(e.to_string()))?;
        let exchange = async {
            self.sender
                .ready()
                .await
                .map_err(|e| Failure::Transport(error_chain(&e)))?;
            let response = self
                .sender
                .send_request(request)
                .await
                .map_err(|e| Failure::Transport(error_chain(&e)))?;
            let status = response.status();
            let body = response
                .into_body()
                .collect()
                .await
                .map_err(|e| Failure::Transport(error_chain(&e)))?
                .to_bytes();
            Ok((status, body))
        };
        let (status, body) = tokio::time::timeout(self.timeout, exchange)
            .await
            .map_err(|_| Failure::Transport(format!("no answer within {:?}", self.timeout)))??;
        if status == expected {
            Ok(body.to_vec())
        } else {
            Err(Failure::Status(status, body.to_vec()))
        }
    }
}

/// One request on a connection of its own: the body of the answer when it has status
/// `expected`.
pub async fn send_once(
    addr: &str,
    timeout: Duration,
    path: &str,
    body: Vec<u8>,
    expected: StatusCode,
) -> Result<Vec<u8>, String> {
    let mut connection = Connection::open(addr, timeout).await?;
    connection
        .exchange(Method::POST, path, Some(body), expected)
        .await
        .map_err(|failure| match failure {
            Failure::Status(status, body) => format!("HTTP {status}: {}", snippet(&body)),
            Failure::Transport(message) | Failure::BadBody(message) => message,
        })
}

pub async fn run_phase(
    addr: &str,
    request_timeout: Duration,
    workload: &Workload,
    plan: PhasePlan,
    interrupted: fn() -> bool,
) -> Result<PhaseResult, String> {
    let start = Instant::now();
    let measure_from = start + plan.warmup;
    let measure_until = measure_from + plan.duration;
    let seed = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0x5EED, |d| d.as_nanos() as u64);
    let mut connections = Vec::with_capacity(plan.connections);
    for _ in 0..plan.connections {
        connections.push(Connection::open(addr, request_timeout).await?);
    }
    let tasks: Vec<_> = connections
        .into_iter()
        .enumerate()
        .map(|(i, connection)| {
            let task = Task {
                connection,
                workload: workload.clone(),
                rng: Rng::new(seed, i as u64),
                measure_from,
                measure_until,
                interrupted,
            };
            tokio::spawn(task.run())
        })
        .collect();
    let mut total = TaskResult::default();
    for task in tasks {
        let result = task.await.map_err(|e| format!("a load task failed: {e}"))?;
        total.successes += result.successes;
        total.errors.merge(result.errors);
        total.latencies_us.extend(result.latencies_us);
        total.created_ids.extend(result.created_ids);
        total.resources += result.resources;
    }
    if interrupted() {
        return Err("interrupted".to_owned());
    }
    total.latencies_us.sort_unstable();
    Ok(PhaseResult {
        successes: total.successes,
        errors: total.errors,
        latencies_us: total.latencies_us,
        measured: plan.duration,
        created_ids: total.created_ids,
        resources: total.resources,
    })
}

struct Task {
    connection: Connection,
    workload: Workload,
    rng: Rng,
    measure_from: Instant,
    measure_until: Instant,
    interrupted: fn() -> bool,
}

impl Task {
    /// Sends requests back to back until the measured window closes. A request counts when
    /// it was sent inside the window; its latency runs from sending to the whole body read.
    async fn run(mut self) -> TaskResult {
        let mut result = TaskResult::default();
        loop {
            let sent = Instant::now();
            if sent >= self.measure_until || (self.interrupted)() {
                break;
            }
            let measured = sent >= self.measure_from;
            let mut stored = 0;
            let outcome = match &self.workload {
                Workload::Create => {
                    let body = new_patient(&mut self.rng);
                    match self
                        .connection
                        .exchange(Method::POST, "/Patient", Some(body), StatusCode::CREATED)
                        .await
                    {
                        Ok(body) => match created_id(&body) {
                            Some(id) => {
                                result.created_ids.push(id);
                                Ok(())
                            }
                            None => Err(Failure::BadBody(format!(
                                "201 without an id: {}",
                                snippet(&body)
                            ))),
                        },
                        Err(failure) => Err(failure),
                    }
                }
                Workload::Transaction(families) => {
                    let child = families.next.fetch_add(1, Ordering::Relaxed);
                    let (body, count) = family_transaction(&families.population, child);
                    stored = count as u64;
                    self.connection
                        .exchange(Method::POST, "/", Some(body), StatusCode::OK)
                        .await
                        .map(drop)
                }
                Workload::Read(ids) => {
                    let id = &ids[self.rng.below(ids.len())];
                    let path = format!("/Patient/{id}");
                    self.connection
                        .exchange(Method::GET, &path, None, StatusCode::OK)
                        .await
                        .map(drop)
                }
            };
            if !measured {
                continue;
            }
            match outcome {
                Ok(()) => {
                    let micros = sent.elapsed().as_micros();
                    result
                        .latencies_us
                        .push(u32::try_from(micros).unwrap_or(u32::MAX));
                    result.successes += 1;
                    result.resources += stored;
                }
                Err(Failure::Status(status, body)) => {
                    *result.errors.by_status.entry(status.as_u16()).or_default() += 1;
                    result
                        .errors
                        .note(|| format!("HTTP {status}: {}", snippet(&body)));
                }
                Err(Failure::Transport(message)) => {
                    result.errors.transport += 1;
                    result.errors.note(|| message);
                }
                Err(Failure::BadBody(message)) => {
                    result.errors.bad_body += 1;
                    result.errors.note(|| message);
                }
            }
        }
        result
    }
}

enum Failure {
    Status(StatusCode, Vec<u8>),
    Transport(String),
    BadBody(String),
}

/// The `id` of a returned resource.
fn created_id(body: &[u8]) -> Option<String> {
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    match value.get("id")? {
        serde_json::Value::String(id) if !id.is_empty() => Some(id.clone()),
        _ => None,
    }
}

fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    match text.char_indices().nth(200) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let samples: Vec<u32> = (1..=100).collect();
        assert_eq!(percentile(&samples, 50.0), Some(50));
        assert_eq!(percentile(&samples, 99.0), Some(99));
        assert_eq!(percentile(&samples, 100.0), Some(100));
        assert_eq!(percentile(&samples, 0.0), Some(1));
        assert_eq!(percentile(&[7], 99.0), Some(7));
        assert_eq!(percentile(&[1, 2, 3], 50.0), Some(2));
        assert_eq!(percentile(&[], 50.0), None);
    }

    #[test]
    fn reads_the_id_of_a_created_resource() {
        assert_eq!(
            created_id(br#"{"resourceType":"Patient","id":"abc-1"}"#),
            Some("abc-1".to_owned())
        );
        assert_eq!(created_id(br#"{"resourceType":"Patient"}"#), None);
        assert_eq!(created_id(b"not json"), None);
    }
}
