//! The audit trail (NEN 7513) and Provenance.
//!
//! Every request on a child's data leaves AuditEvents: one per child it touched and outcome
//! (who — the user or system and its organisation —, from which address, what interaction,
//! which child, which resources, when, and whether it succeeded or was denied), so that a
//! family reading its own child's log sees nothing of other children.
//!
//! - A write's AuditEvent and its Provenance are stored in the write's own database
//!   transaction: the handler writes through [`Gate::store`](crate::access::Gate::store),
//!   which records them ([`zorgplan_store::Store::recording`]); a write that fails stores
//!   neither.
//! - What a request disclosed (reads, search results and includes, history, `$everything`)
//!   and what it was denied are gathered in the request's [`Trail`] and handed to the
//!   [`Writer`], which stores the events of many requests together within some twenty
//!   milliseconds. A crash can lose the events of the last few tens of milliseconds of
//!   reads, never those of a write.
//!
//! A request without authentication (development mode) records nothing. AuditEvents cannot be
//! created, changed or deleted through the API.

use crate::access::owners;
use serde_json::{json, Value};
use std::sync::Mutex;
use zorgplan_auth::policy::{Caller, Role};
use zorgplan_search::Registry;
use zorgplan_store::{Timestamp, Version};

/// 403 for a create, update or delete of an AuditEvent: the server alone writes them, and
/// none is ever changed (in every mode, development included).
pub fn writable(
    res_type: &str,
    interaction: zorgplan_auth::Interaction,
) -> Result<(), zorgplan_fhir::FhirError> {
    use zorgplan_auth::Interaction::{Read, Search};
    if res_type == "AuditEvent" && !matches!(interaction, Read | Search) {
        return Err(zorgplan_fhir::FhirError::new(
            zorgplan_fhir::ErrorKind::Forbidden,
            zorgplan_fhir::IssueType::Forbidden,
            "AuditEvents are written by the server alone: they cannot be created, changed or deleted through the API",
        ));
    }
    Ok(())
}

/// Stores the AuditEvents of reads and refusals on a thread of its own, many requests' in
/// one transaction: a request hands over what makes its events (a [`Job`]) and answers
/// without waiting for them to be built or stored (its writes' events are in their own
/// transactions). The writer wakes for the first job after it went idle, gathers the jobs
/// that come in the next [`GATHER`] without being woken for each (a wake-up is a
/// system call on the request's path, and a switch on the other core), then makes and
/// stores their events. The queue is bounded: when it is full, requests wait, and nothing
/// is dropped. Dropping the writer stores what is queued. Events that cannot be stored after
/// retries are written to the log in full.
pub struct Writer {
    queue: std::sync::Arc<Queue>,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// What makes one request's AuditEvents, run on the writer's thread.
pub type Job = Box<dyn FnOnce() -> Vec<Value> + Send>;

/// Requests' jobs queued before requests wait for room.
const QUEUED: usize = 4096;
/// How long the writer gathers jobs before it stores their events. Longer means fewer
/// commits, each writing the index pages that many events share once (docs/performance.md,
/// "Access control", step 20, has 5 ms against 20), and a longer stretch of the trail of
/// reads that a crash of the process can lose; on SQLite a power loss can lose what was
/// committed since the checkpointer's last pass in any case (`synchronous = NORMAL`).
const GATHER: std::time::Duration = std::time::Duration::from_millis(20);
/// Events stored in one transaction at most.
const BATCH: usize = 1000;

/// The jobs between the requests and the writer.
#[derive(Default)]
struct Queue {
    pending: Mutex<Pending>,
    /// Signalled for the first job after the writer went idle, and when the writer stops.
    work: std::sync::Condvar,
    /// Signalled when the writer took the queued jobs, and when it ended.
    room: std::sync::Condvar,
}

#[derive(Default)]
struct Pending {
    jobs: Vec<Job>,
    /// The writer waits for a first job (it gathers none).
    idle: bool,
    /// No job comes any more (the writer is dropped), or none is taken (it ended).
    closed: bool,
}

impl Queue {
    fn pending(&self) -> std::sync::MutexGuard<'_, Pending> {
        // A job runs outside the lock: nothing can poison it half-way.
        self.pending
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Queues `job` when there is room (the writer woken if idle); gives it back if not.
    fn offer(&self, job: Job) -> Result<(), Option<Job>> {
        let mut pending = self.pending();
        if pending.closed {
            return Err(None);
        }
        if pending.jobs.len() >= QUEUED {
            return Err(Some(job));
        }
        pending.jobs.push(job);
        if std::mem::take(&mut pending.idle) {
            drop(pending);
            self.work.notify_one();
        }
        Ok(())
    }

    /// The next jobs, after the first has come and the others had `GATHER` to come; none
    /// when the queue is closed and empty.
    fn take(&self) -> Vec<Job> {
        let mut pending = self.pending();
        while pending.jobs.is_empty() && !pending.closed {
            pending.idle = true;
            pending = self
                .work
                .wait(pending)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
        }
        pending.idle = false;
        if !pending.closed {
            drop(pending);
            std::thread::sleep(GATHER);
            pending = self.pending();
        }
        let jobs = std::mem::take(&mut pending.jobs);
        drop(pending);
        self.room.notify_all();
        jobs
    }

    fn close(&self) {
        self.pending().closed = true;
        self.work.notify_all();
        self.room.notify_all();
    }
}

/// Closes the queue when the writer's thread ends, also by a panic, so that requests get an
/// error instead of waiting for room that never comes.
struct Closes(std::sync::Arc<Queue>);

impl Drop for Closes {
    fn drop(&mut self) {
        self.0.close();
    }
}

impl Writer {
    pub fn start(store: zorgplan_store::Store) -> Writer {
        let queue = std::sync::Arc::new(Queue::default());
        let closes = Closes(queue.clone());
        let thread = std::thread::Builder::new()
            .name("audit-writer".into())
            .spawn(move || {
                // No request waits for the trail to be stored.
                zorgplan_store::in_background();
                loop {
                    let jobs = closes.0.take();
                    if jobs.is_empty() {
                        break;
                    }
                    let mut batch = Vec::new();
                    for job in jobs {
                        batch.extend(job());
                        if batch.len() >= BATCH {
                            store_batch(&store, &batch);
                            batch.clear();
                        }
                    }
                    if !batch.is_empty() {
                        store_batch(&store, &batch);
                    }
                }
            })
            .expect("the audit writer thread starts");
        Writer {
            queue,
            thread: Some(thread),
        }
    }

    /// Queues a request's events (waiting for room when the queue is full).
    pub async fn send(&self, job: Job) -> Result<(), zorgplan_fhir::FhirError> {
        let stopped = || zorgplan_fhir::FhirError::internal("The audit trail is not being written");
        match self.queue.offer(job) {
            Ok(()) => Ok(()),
            Err(None) => Err(stopped()),
            Err(Some(job)) => {
                let queue = self.queue.clone();
                actix_web::web::block(move || {
                    let mut job = job;
                    loop {
                        match queue.offer(job) {
                            Ok(()) => return Ok(()),
                            Err(None) => return Err(()),
                            Err(Some(back)) => job = back,
                        }
                        let pending = queue.pending();
                        if pending.jobs.len() >= QUEUED && !pending.closed {
                            drop(
                                queue
                                    .room
                                    .wait(pending)
                                    .unwrap_or_else(std::sync::PoisonError::into_inner),
                            );
                        }
                    }
                })
                .await
                .map_err(|_| stopped())?
                .map_err(|()| stopped())
            }
        }
    }
}

impl Drop for Writer {
    /// Stores what is queued before the writer ends.
    fn drop(&mut self) {
        self.queue.close();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn store_batch(store: &zorgplan_store::Store, batch: &[Value]) {
    for attempt in 1..=5 {
        match store.record(batch) {
            Ok(()) => return,
            Err(e) if attempt < 5 => {
                tracing::warn!(error = %e, attempt, events = batch.len(), "storing AuditEvents failed; retrying");
                std::thread::sleep(zorgplan_store::backoff(attempt + 3));
            }
            Err(e) => {
                for event in batch {
                    tracing::error!(error = %e, event = %event, "AUDIT EVENT NOT STORED");
                }
            }
        }
    }
}

/// What a request did with one resource of a child.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Touch {
    /// The child (`None`: no child's, such as a denied search).
    patient: Option<String>,
    /// `Type/id/_history/n`, or `Type/id` when not read.
    what: Option<String>,
    denied: bool,
}

/// What one request disclosed and was denied, for its AuditEvents.
#[derive(Debug, Default)]
pub struct Trail {
    touches: Mutex<Vec<Touch>>,
    /// The search query, for searches.
    query: Mutex<Option<String>>,
}

/// Where the request came from and what it was.
#[derive(Debug, Clone, Default)]
pub struct Request {
    /// The client's network address.
    pub address: Option<String>,
    /// The interaction (`read`, `search-type`, `create`, …, or an operation).
    pub interaction: &'static str,
    /// C, R, U, D or E (execute: operations, transactions, batches).
    pub action: &'static str,
    /// The request id (`X-Request-Id`).
    pub request_id: Option<String>,
}

impl Request {
    /// The interaction and action of `method` on `path`.
    pub fn of(method: &str, path: &str) -> (&'static str, &'static str) {
        let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
        let operation = segments.iter().any(|s| s.starts_with('$'));
        match (method, segments.as_slice()) {
            _ if operation => ("operation", "E"),
            ("POST", [""]) => ("transaction", "E"),
            ("GET", [_, "_history"]) | ("GET", ["_history"]) => ("history-type", "R"),
            ("GET", [_, _, "_history"]) => ("history-instance", "R"),
            ("GET", [_, _, "_history", _]) => ("vread", "R"),
            ("GET", ["Patient", _, _]) => ("search-compartment", "R"),
            ("GET", [_, _]) => ("read", "R"),
            ("GET", [_]) | ("POST", [_, "_search"]) => ("search-type", "R"),
            ("POST", [_]) => ("create", "C"),
            ("PUT", _) => ("update", "U"),
            ("PATCH", _) => ("patch", "U"),
            ("DELETE", _) => ("delete", "D"),
            _ => ("operation", "E"),
        }
    }
}

/// A version as the trail names it: `Type/id/_history/n`.
pub fn versioned(version: &Version) -> String {
    format!(
        "{}/{}/_history/{}",
        version.res_type, version.id, version.version
    )
}

impl Trail {
    /// The caller was refused `what` (`Type/id`), a resource of `patients` (none: no
    /// child's, or not known which).
    pub fn denied(&self, patients: &[String], what: Option<String>) {
        self.note(patients, what, true);
    }

    /// The caller was shown (or, `denied`, refused) `what`, a resource of `patients`. A
    /// refusal of no child's resource is noted too; a disclosure of one is not patient data.
    pub fn note(&self, patients: &[String], what: Option<String>, denied: bool) {
        let mut touches = self.touches.lock().expect("trail");
        if patients.is_empty() && denied {
            touches.push(Touch {
                patient: None,
                what: what.clone(),
                denied,
            });
        }
        for patient in patients {
            touches.push(Touch {
                patient: Some(patient.clone()),
                what: what.clone(),
                denied,
            });
        }
    }

    pub fn query(&self, query: &str) {
        *self.query.lock().expect("trail") = Some(query.to_owned());
    }

    /// The AuditEvents of what the request disclosed and was denied: one per child and
    /// outcome. `status` is the response's, `recorded` when it was given.
    pub fn events(
        &self,
        caller: &Caller,
        request: &Request,
        status: u16,
        recorded: Timestamp,
    ) -> Vec<Value> {
        let touches = std::mem::take(&mut *self.touches.lock().expect("trail"));
        let query = self.query.lock().expect("trail").clone();
        let mut groups: Vec<(Option<String>, bool, Vec<String>)> = Vec::new();
        for touch in touches {
            let group = match groups
                .iter_mut()
                .find(|(p, d, _)| *p == touch.patient && *d == touch.denied)
            {
                Some(group) => group,
                None => {
                    groups.push((touch.patient.clone(), touch.denied, Vec::new()));
                    groups.last_mut().expect("just pushed")
                }
            };
            if let Some(what) = touch.what {
                if !group.2.contains(&what) {
                    group.2.push(what);
                }
            }
        }
        if groups.is_empty() && status >= 400 && status != 404 {
            // A refusal before any resource was looked at (scopes, history).
            groups.push((None, true, Vec::new()));
        }
        groups
            .into_iter()
            .map(|(patient, denied, resources)| {
                let outcome = if denied || status >= 400 { "4" } else { "0" };
                event(
                    caller,
                    request,
                    patient.as_deref(),
                    &resources,
                    query.as_deref(),
                    outcome,
                    recorded,
                )
            })
            .collect()
    }
}

fn coding(system: &str, code: &str, display: &str) -> Value {
    json!({"system": system, "code": code, "display": display})
}

/// The agents of an AuditEvent or Provenance: the caller (user or system) and the
/// organisation it acts for.
fn who(caller: &Caller) -> (Value, Option<&str>) {
    let user = caller.references.first().filter(|r| {
        r.starts_with("Patient/")
            || r.starts_with("RelatedPerson/")
            || r.starts_with("Practitioner")
    });
    let organisation = caller
        .references
        .iter()
        .find(|r| r.starts_with("Organization/"))
        .map(String::as_str);
    let who = match (caller.role, user) {
        (Role::System, _) | (_, None) => match organisation {
            Some(org) => json!({"reference": org}),
            None => json!({"identifier": {"value": caller.subject}}),
        },
        (_, Some(user)) => json!({"reference": user}),
    };
    (who, organisation)
}

/// One AuditEvent.
fn event(
    caller: &Caller,
    request: &Request,
    patient: Option<&str>,
    resources: &[String],
    query: Option<&str>,
    outcome: &str,
    recorded: Timestamp,
) -> Value {
    let (mut who, organisation) = who(caller);
    if caller.role == Role::Child && patient.is_some() && patient != caller.child.as_deref() {
        // A child's attempt on another child's data: named by its subject, not as a
        // Patient, which would put the event in its own log (showing the other child there).
        who = json!({"identifier": {"value": caller.subject}});
    }
    let mut agent = json!({
        "type": {"coding": [coding("http://terminology.hl7.org/CodeSystem/v3-ParticipationType",
                                   "AUT", "author (originator)")]},
        "who": who, "altId": caller.subject, "requestor": true,
    });
    if let Some(address) = &request.address {
        agent["network"] = json!({"address": address, "type": "2"});
    }
    let mut agents = vec![agent];
    if let Some(org) = organisation.filter(|_| caller.role != Role::System) {
        agents.push(json!({
            "type": {"coding": [coding("http://terminology.hl7.org/CodeSystem/v3-RoleClass",
                                       "PROV", "healthcare provider")]},
            "who": {"reference": org}, "requestor": false,
        }));
    }
    let mut entities = Vec::new();
    if let Some(patient) = patient {
        entities.push(json!({
            "what": {"reference": format!("Patient/{patient}")},
            "type": coding("http://terminology.hl7.org/CodeSystem/audit-entity-type", "1", "Person"),
            "role": coding("http://terminology.hl7.org/CodeSystem/object-role", "1", "Patient"),
        }));
    }
    for what in resources {
        entities.push(json!({
            "what": {"reference": what},
            "type": coding("http://terminology.hl7.org/CodeSystem/audit-entity-type", "2", "System Object"),
            "role": coding("http://terminology.hl7.org/CodeSystem/object-role", "4", "Domain Resource"),
        }));
    }
    if let Some(query) = query {
        use base64::Engine;
        entities.push(json!({
            "type": coding("http://terminology.hl7.org/CodeSystem/audit-entity-type", "2", "System Object"),
            "role": coding("http://terminology.hl7.org/CodeSystem/object-role", "24", "Query"),
            "query": base64::engine::general_purpose::STANDARD.encode(query),
        }));
    }
    let mut event = json!({
        "resourceType": "AuditEvent",
        // Time-ordered (UUID v7), as the ids the store assigns: the trail's entries in the
        // id index are added at its end instead of on a random page each.
        "id": uuid::Uuid::now_v7().to_string(),
        "type": coding("http://terminology.hl7.org/CodeSystem/audit-event-type", "rest", "Restful Operation"),
        "subtype": [coding("http://hl7.org/fhir/restful-interaction", request.interaction, request.interaction)],
        "action": request.action,
        "recorded": recorded.to_instant(),
        "outcome": outcome,
        "agent": agents,
        "source": {
            "observer": {"display": "Zorgplan Kind&Gezin server"},
            "type": [coding("http://terminology.hl7.org/CodeSystem/security-source-type", "4", "Application Server")],
        },
    });
    if outcome != "0" {
        event["outcomeDesc"] = json!("denied");
    }
    if let Some(id) = &request.request_id {
        event["source"]["site"] = json!(id);
    }
    if !entities.is_empty() {
        event["entity"] = Value::Array(entities);
    }
    event
}

/// The records of a write: an AuditEvent per child it wrote for, and a Provenance of all it
/// wrote (from the client's `X-Provenance`, when it sent one, with the written versions as
/// its target).
pub fn records(
    registry: &Registry,
    caller: &Caller,
    request: &Request,
    provenance: Option<&Value>,
    written: &[&Version],
    deleted_of: &[String],
) -> Vec<Value> {
    let mut by_patient: Vec<(String, Vec<String>)> = Vec::new();
    let mut targets = Vec::new();
    for version in written {
        let what = versioned(version);
        targets.push(json!({"reference": what}));
        let patients = match version.content {
            Some(_) => version
                .resource()
                .map(|r| owners(registry, &version.res_type, &r))
                .unwrap_or_default(),
            // A deletion: the children of what it deleted.
            None => deleted_of.to_vec(),
        };
        for patient in patients {
            match by_patient.iter_mut().find(|(p, _)| *p == patient) {
                Some((_, list)) => list.push(what.clone()),
                None => by_patient.push((patient, vec![what.clone()])),
            }
        }
    }
    let mut records: Vec<Value> = by_patient
        .iter()
        .map(|(patient, resources)| {
            event(
                caller,
                request,
                Some(patient),
                resources,
                None,
                "0",
                Timestamp::now(),
            )
        })
        .collect();
    let (who, organisation) = who(caller);
    let mut record = provenance.cloned().unwrap_or_else(|| json!({}));
    record["resourceType"] = json!("Provenance");
    record["id"] = json!(uuid::Uuid::now_v7().to_string());
    record["target"] = Value::Array(targets);
    record["recorded"] = json!(Timestamp::now().to_instant());
    if record.get("activity").is_none() {
        let (code, display) = match request.action {
            "C" => ("CREATE", "create"),
            "D" => ("DELETE", "delete"),
            _ => ("UPDATE", "revise"),
        };
        record["activity"] = json!({"coding": [coding(
            "http://terminology.hl7.org/CodeSystem/v3-DataOperation", code, display)]});
    }
    let agents = record
        .get("agent")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if agents.is_empty() {
        let mut agent = json!({
            "type": {"coding": [coding("http://terminology.hl7.org/CodeSystem/provenance-participant-type",
                                       "author", "Author")]},
            "who": who,
        });
        if let Some(org) = organisation.filter(|_| caller.role != Role::System) {
            agent["onBehalfOf"] = json!({"reference": org});
        }
        record["agent"] = json!([agent]);
    }
    records.push(record);
    records
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caller() -> Caller {
        Caller {
            role: Role::Professional,
            references: vec![
                "Practitioner/arts".into(),
                "PractitionerRole/rol".into(),
                "Organization/zh".into(),
            ],
            child: None,
            scopes: zorgplan_auth::Scopes::default(),
            subject: "arts-1".into(),
            client: None,
        }
    }

    fn request() -> Request {
        Request {
            address: Some("192.0.2.7".into()),
            interaction: "read",
            action: "R",
            request_id: Some("abc".into()),
        }
    }

    /// The writer's queue is bounded: requests that find it full wait for room (more jobs
    /// are handed over at once than it holds), and every event handed over is stored — the
    /// last ones when the writer is dropped.
    #[test]
    fn the_writer_stores_every_event_handed_over() {
        let dir = std::env::temp_dir().join(format!("zorgplan-audit-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let mut config = zorgplan_store::StoreConfig::new(dir.join("a.db").to_str().unwrap());
        config.search_parameters = crate::search_parameters();
        let store = zorgplan_store::Store::open(&config).unwrap();
        let writer = Writer::start(store.clone());
        let events: Vec<Value> = (0..QUEUED + 1000)
            .map(|_| {
                let request = request();
                event(
                    &caller(),
                    &request,
                    Some("kind"),
                    &[],
                    None,
                    "0",
                    Timestamp::now(),
                )
            })
            .collect();
        let ids: Vec<String> = events
            .iter()
            .map(|e| e["id"].as_str().unwrap().into())
            .collect();
        actix_web::rt::System::new().block_on(async {
            for event in events {
                writer.send(Box::new(move || vec![event])).await.unwrap();
            }
        });
        drop(writer);
        let missing = ids
            .iter()
            .filter(|id| store.read("AuditEvent", id).unwrap().is_none())
            .count();
        assert_eq!(missing, 0, "of {}", ids.len());
        drop(store);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// What the trail and the records make is valid R4.
    #[test]
    fn audit_events_and_provenance_are_valid_r4() {
        let validator = zorgplan_validator::Validator::r4();
        let trail = Trail::default();
        trail.denied(&["kind".into()], Some("Goal/1".into()));
        trail.query("Goal?category=medisch");
        let events = trail.events(&caller(), &request(), 404, Timestamp::now());
        assert_eq!(events.len(), 1);
        assert_eq!(events[0]["outcome"], "4");
        let version = Version {
            res_type: "Goal".into(),
            id: "1".into(),
            version: 2,
            last_updated: Timestamp::now(),
            deleted: false,
            method: "PUT".into(),
            content: Some(
                json!({"resourceType": "Goal", "id": "1", "subject": {"reference": "Patient/kind"}})
                    .to_string(),
            ),
        };
        let registry = Registry::r4();
        let records = records(registry, &caller(), &request(), None, &[&version], &[]);
        assert_eq!(records.len(), 2);
        assert_eq!(records[0]["entity"][0]["what"]["reference"], "Patient/kind");
        assert_eq!(records[1]["target"][0]["reference"], "Goal/1/_history/2");
        for resource in events.iter().chain(&records) {
            let issues = validator.validate(resource);
            assert!(
                !zorgplan_validator::has_errors(&issues),
                "{resource}: {issues:?}"
            );
        }
    }

    #[test]
    fn interactions_are_named_as_the_specification_names_them() {
        for (method, path, expected) in [
            ("GET", "/Goal/1", ("read", "R")),
            ("GET", "/Goal/1/_history/2", ("vread", "R")),
            ("GET", "/Goal/1/_history", ("history-instance", "R")),
            ("GET", "/Goal", ("search-type", "R")),
            ("POST", "/Goal/_search", ("search-type", "R")),
            ("GET", "/Patient/1/Goal", ("search-compartment", "R")),
            ("GET", "/Patient/1/$everything", ("operation", "E")),
            ("POST", "/Goal", ("create", "C")),
            ("PUT", "/Goal/1", ("update", "U")),
            ("PATCH", "/Goal/1", ("patch", "U")),
            ("DELETE", "/Goal/1", ("delete", "D")),
            ("POST", "/", ("transaction", "E")),
        ] {
            assert_eq!(Request::of(method, path), expected, "{method} {path}");
        }
    }
}
