//! R4 Subscriptions with a rest-hook channel: what the server accepts ([`issues`],
//! [`intake`]) and the notifier that delivers the queue ([`Notifier`]).
//!
//! A registered system (an EPD, a home-care system) creates a Subscription with search
//! criteria (`CarePlan?patient=Patient/…`) and an endpoint. The server accepts it as
//! `active` and marks it as the client's (a `meta.tag` of [`SUBSCRIBER`]): a Subscription
//! is its subscriber's alone to read, change or delete. Every write that stores a version
//! matching live criteria queues a notification in the same database transaction
//! (`zorgplan_store::subscriptions`); the notifier delivers the queue:
//!
//! - with `channel.payload` (`application/fhir+json`): `PUT [endpoint]/[type]/[id]` with the
//!   version that matched, as R4 servers do; without: an empty `POST [endpoint]`;
//! - each with the channel's `header`s, within a timeout;
//! - only what the subscriber may see at the time of delivery (the gate of its registered
//!   client: its organisation's place in the child's network and the child's consents);
//!   a notification it may no longer see is withheld, and both are in the audit trail;
//! - in order per Subscription: a notification waits until those before it are delivered;
//! - a failed attempt is tried again after 1, 2, 4, … times the first delay (at most
//!   `max_retry`); after `attempts` failures the Subscription gets status `error` with the
//!   reason, and its queue is dropped. Updating it to `requested` or `active` starts again.
//!
//! Delivery is at least once: a process that stops during an attempt tries again after
//! restarting. Receivers tell repeats apart by `meta.versionId`.
//!
//! The same queue pushes plans to an EPD when the deployment configures one
//! ([`PushConfig`]): every CarePlan write is queued under [`PUSH`], and a write that changed
//! the plan's MKS phase sends the plan's `$zorgplan` document, as the EPD's registered
//! client may see it.

use crate::access::Facts;
use crate::access::{self, Gate};
use crate::{AppState, ServerConfig};
use serde_json::{json, Value};
use std::sync::Arc;
use std::sync::Weak;
use std::time::Duration;
use zorgplan_fhir::{FhirError, Issue, IssueType};
use zorgplan_search::Registry;
use zorgplan_store::{subscriptions, Criteria, Notification, Store, Timestamp, Version};

/// The tag system of a Subscription's subscriber: the `client_id` of the registered system
/// that made it.
pub const SUBSCRIBER: &str = "http://fhir.zorgplankindgezin.nl/CodeSystem/abonnee";

/// Where the server sends a child's plan document when the plan's MKS phase changes (an
/// EPD that keeps the plan with the child's record): `POST` of the `$zorgplan` document, with
/// `headers`, as the registered client `client` may see it (in development mode, whole).
#[derive(Debug, Clone)]
pub struct PushConfig {
    pub endpoint: String,
    pub client: Option<String>,
    pub headers: Vec<String>,
}

/// The queue's name for the pushes of plans (not a FHIR id, so no Subscription has it).
pub const PUSH: &str = "$push";

/// Payload types the notifier sends.
const PAYLOADS: [&str; 2] = ["application/fhir+json", "application/json"];

/// How the notifier delivers.
#[derive(Debug, Clone)]
pub struct NotifyConfig {
    /// How often the queue is looked at when it was empty.
    pub poll: Duration,
    /// The wait after a first failed attempt; doubled after each next one.
    pub first_retry: Duration,
    /// The longest wait between two attempts.
    pub max_retry: Duration,
    /// Attempts before the Subscription is set to `error`.
    pub attempts: u32,
    /// How long one attempt may take.
    pub timeout: Duration,
}

impl Default for NotifyConfig {
    fn default() -> Self {
        NotifyConfig {
            poll: Duration::from_millis(500),
            first_retry: Duration::from_secs(1),
            max_retry: Duration::from_secs(3600),
            attempts: 16,
            timeout: Duration::from_secs(10),
        }
    }
}

/// The subscriber of a Subscription (its [`SUBSCRIBER`] tag).
pub fn subscriber(resource: &Value) -> Option<&str> {
    resource
        .get("meta")?
        .get("tag")?
        .as_array()?
        .iter()
        .find(|t| t.get("system").and_then(Value::as_str) == Some(SUBSCRIBER))?
        .get("code")?
        .as_str()
}

/// What the server requires of a Subscription beyond R4's definition: criteria that are a
/// search of one resource type this server can match, a rest-hook channel to an http(s)
/// endpoint, a payload it can send, headers of the form `Name: value`.
pub fn issues(registry: &Registry, resource: &Value) -> Vec<Issue> {
    let mut issues = Vec::new();
    let criteria = resource
        .get("criteria")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let (res_type, query) = criteria.split_once('?').unwrap_or((criteria, ""));
    let invalid = |why: String| Issue::error(IssueType::Value, why).at("Subscription.criteria");
    if !zorgplan_fhir::r4::is_resource_type(res_type) {
        issues.push(invalid(format!(
            "The criteria must start with a resource type ('CarePlan?patient=Patient/…'), not '{res_type}'"
        )));
    } else if matches!(res_type, "Subscription" | "AuditEvent" | "Provenance") {
        issues.push(invalid(format!(
            "{res_type}s cannot be subscribed to: the server writes them alongside the changes they are about"
        )));
    } else {
        let params = crate::params::query_pairs(query);
        if let Some((name, _)) = params.iter().find(|(name, _)| {
            name.starts_with('_') && crate::params::RESULT_PARAMS.contains(&name.as_str())
        }) {
            issues.push(invalid(format!(
                "The criteria select resources; '{name}' shapes a search's answer and has no meaning here"
            )));
        } else {
            match Criteria::parse(registry, res_type, &params) {
                Ok((_, unknown)) if unknown.is_empty() => {}
                Ok((_, unknown)) => issues.push(invalid(format!(
                    "The criteria use search parameters this server does not support for {res_type}: {}",
                    unknown
                        .iter()
                        .map(|(n, _)| n.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))),
                Err(e) => issues.push(invalid(format!("The criteria cannot be read: {e}"))),
            }
        }
    }
    let channel = resource.get("channel").cloned().unwrap_or(Value::Null);
    let channel_type = channel.get("type").and_then(Value::as_str);
    if channel_type.is_some_and(|t| t != "rest-hook") {
        issues.push(
            Issue::error(
                IssueType::NotSupported,
                format!(
                    "This server notifies over rest-hook channels only, not {}",
                    channel_type.unwrap_or_default()
                ),
            )
            .at("Subscription.channel.type"),
        );
    }
    let endpoint = channel.get("endpoint").and_then(Value::as_str);
    match endpoint.map(url::Url::parse) {
        Some(Ok(url)) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => {}
        _ => issues.push(
            Issue::error(
                IssueType::Required,
                "A rest-hook channel needs an endpoint: an absolute http or https URL",
            )
            .at("Subscription.channel.endpoint"),
        ),
    }
    if let Some(payload) = channel.get("payload").and_then(Value::as_str) {
        if !PAYLOADS.contains(&payload) {
            issues.push(
                Issue::error(
                    IssueType::NotSupported,
                    format!("This server sends payloads as application/fhir+json, not {payload}"),
                )
                .at("Subscription.channel.payload"),
            );
        }
    }
    for (n, header) in channel
        .get("header")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        if header.as_str().and_then(parse_header).is_none() {
            issues.push(
                Issue::error(IssueType::Value, "A header is 'Name: value'")
                    .at(format!("Subscription.channel.header[{n}]")),
            );
        }
    }
    issues
}

/// A channel header `Name: value` as a name and value reqwest accepts.
fn parse_header(text: &str) -> Option<(reqwest::header::HeaderName, reqwest::header::HeaderValue)> {
    let (name, value) = text.split_once(':')?;
    Some((
        reqwest::header::HeaderName::from_bytes(name.trim().as_bytes()).ok()?,
        reqwest::header::HeaderValue::from_str(value.trim()).ok()?,
    ))
}

/// A Subscription as the server stores it: `requested` becomes `active` (its criteria and
/// channel were checked by [`issues`]), and its subscriber is the registered system that
/// writes it (the tag is the server's to set; in development mode, the client's).
pub fn intake(gate: &Gate, resource: &mut Value) {
    if resource.get("resourceType").and_then(Value::as_str) != Some("Subscription") {
        return;
    }
    if resource.get("status").and_then(Value::as_str) == Some("requested") {
        resource["status"] = json!("active");
    }
    if gate.unrestricted() {
        return;
    }
    let Some(meta) = resource
        .as_object_mut()
        .map(|r| r.entry("meta").or_insert_with(|| json!({})))
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    let tags = meta.entry("tag").or_insert_with(|| json!([]));
    if let Some(tags) = tags.as_array_mut() {
        tags.retain(|t| t.get("system").and_then(Value::as_str) != Some(SUBSCRIBER));
        if let Some(client) = &gate.caller.client {
            tags.push(json!({"system": SUBSCRIBER, "code": client}));
        }
    }
}

/// Delivers the queued notifications, on a thread of its own, while the server it was
/// started for runs (it ends once the server's state is gone).
pub struct Notifier;

/// What became of one attempt.
enum Attempt {
    /// Delivered, or not to be delivered (withheld, its Subscription gone or no longer
    /// live): off the queue.
    Done,
    /// Failed: tried again later, or given up.
    Failed(String),
}

/// What the notifier works with: handles of its own to the server's store, configuration
/// and children's facts, so that the server's state (and its audit writer, which stores
/// what is queued when it goes) ends with the server, not with an attempt under way.
struct Deliveries {
    store: Store,
    config: ServerConfig,
    facts: Arc<Facts>,
}

impl Notifier {
    /// Starts delivering for as long as `server` lives.
    pub fn start(server: Weak<AppState>) {
        let Some(deliveries) = server.upgrade().map(|state| Deliveries {
            store: state.store.clone(),
            config: state.config.clone(),
            facts: state.facts.clone(),
        }) else {
            return;
        };
        let spawned = std::thread::Builder::new()
            .name("notifier".into())
            .spawn(move || {
                let client = match reqwest::blocking::Client::builder().build() {
                    Ok(client) => client,
                    Err(e) => {
                        tracing::error!(error = %e, "the notifier cannot make an HTTP client; no Subscription is notified");
                        return;
                    }
                };
                while server.strong_count() > 0 {
                    let busy = match round(&deliveries, &client) {
                        Ok(busy) => busy,
                        Err(e) => {
                            tracing::warn!(error = %e, "notifying subscribers failed; trying again");
                            false
                        }
                    };
                    if !busy {
                        std::thread::sleep(deliveries.config.notify.poll);
                    }
                }
            });
        if let Err(e) = spawned {
            tracing::error!(error = %e, "the notifier thread does not start; no Subscription is notified");
        }
    }
}

/// One look at the queue: an attempt for the first due notification of each Subscription.
/// `true` when one was delivered (the next may be due at once).
fn round(state: &Deliveries, client: &reqwest::blocking::Client) -> Result<bool, FhirError> {
    let store = &state.store;
    let now = Timestamp::now();
    let mut delivered = false;
    for notification in store.due_notifications(now, 100)? {
        let lease = Timestamp(now.0 + micros(state.config.notify.timeout) * 2 + 1_000_000);
        if !store.claim_notification(&notification, lease)? {
            continue;
        }
        match attempt(state, client, &notification)? {
            Attempt::Done => {
                store.notification_done(notification.pk)?;
                delivered = true;
            }
            Attempt::Failed(why) => failed(state, &notification, &why)?,
        }
    }
    Ok(delivered)
}

fn micros(duration: Duration) -> i64 {
    i64::try_from(duration.as_micros()).unwrap_or(i64::MAX / 4)
}

/// After a failed attempt: the next one later, or, after the last, the Subscription in
/// `error` (which drops its queue).
fn failed(state: &Deliveries, notification: &Notification, why: &str) -> Result<(), FhirError> {
    let config = &state.config.notify;
    let attempts = u32::try_from(notification.attempts + 1).unwrap_or(u32::MAX);
    tracing::warn!(subscription = %notification.subscription, attempts, error = why, "notification not delivered");
    if attempts < config.attempts {
        let wait = config
            .first_retry
            .saturating_mul(1 << (attempts - 1).min(30))
            .min(config.max_retry);
        let due = Timestamp(Timestamp::now().0 + micros(wait));
        return state.store.notification_failed(notification, due, why);
    }
    let error = format!("Notifications stopped after {attempts} failed attempts; the last: {why}");
    if notification.subscription == PUSH {
        tracing::error!(plan = %notification.res_id, error, "plan push given up");
    } else {
        set_status(
            &state.store,
            &notification.subscription,
            "error",
            Some(&error),
        )?;
    }
    state.store.notification_done(notification.pk)
}

/// Gives the Subscription `id` a new status (and error), as a new version.
fn set_status(store: &Store, id: &str, status: &str, error: Option<&str>) -> Result<(), FhirError> {
    let Some(current) = store.read("Subscription", id)?.filter(|v| !v.deleted) else {
        return Ok(());
    };
    let Some(mut subscription) = current.resource() else {
        return Ok(());
    };
    subscription["status"] = json!(status);
    match error {
        Some(error) => subscription["error"] = json!(error),
        None => {
            if let Some(s) = subscription.as_object_mut() {
                s.shift_remove("error");
            }
        }
    }
    match store.update("Subscription", id, &subscription, Some(current.version)) {
        // Changed meanwhile by its subscriber, whose version counts.
        Err(e) if e.status() == 412 => Ok(()),
        other => other.map(|_| ()),
    }
}

/// One attempt to deliver `notification`.
fn attempt(
    state: &Deliveries,
    client: &reqwest::blocking::Client,
    notification: &Notification,
) -> Result<Attempt, FhirError> {
    if notification.subscription == PUSH {
        return push(state, client, notification);
    }
    let store = &state.store;
    let Some(subscription) = store
        .read("Subscription", &notification.subscription)?
        .filter(|v| !v.deleted)
        .as_ref()
        .and_then(Version::resource)
    else {
        return Ok(Attempt::Done);
    };
    if subscriptions::live_criteria(&subscription).is_none() {
        return Ok(Attempt::Done);
    }
    if let Some(end) = subscription.get("end").and_then(Value::as_str) {
        if Timestamp::parse_instant(end).is_some_and(|end| end.0 <= Timestamp::now().0) {
            set_status(store, &notification.subscription, "off", None)?;
            return Ok(Attempt::Done);
        }
    }
    let owner = subscriber(&subscription);
    let Some(gate) = access::client_gate(store, &state.config.auth, &state.facts, owner)? else {
        let why = match owner {
            Some(client) => format!("the subscriber {client} is no longer a registered client"),
            None => "the Subscription names no registered client as its subscriber".to_owned(),
        };
        set_status(store, &notification.subscription, "error", Some(&why))?;
        return Ok(Attempt::Done);
    };
    let Some(version) = store.vread(
        &notification.res_type,
        &notification.res_id,
        notification.version,
    )?
    else {
        return Ok(Attempt::Done);
    };
    let permitted = gate
        .caller
        .may(&version.res_type, zorgplan_auth::Interaction::Read)
        && gate.reveal(store, &version)?;
    let result = if permitted {
        send(client, &state.config.notify, &subscription, &version)
    } else {
        tracing::info!(subscription = %notification.subscription,
            resource = %crate::audit::versioned(&version),
            "notification withheld: the subscriber may not see it");
        Ok(())
    };
    let status = match (&result, permitted) {
        (_, false) => 403,
        (Ok(()), true) => 200,
        (Err(_), true) => 502,
    };
    record(
        store,
        &gate,
        status,
        format!("Subscription/{}", notification.subscription),
    )?;
    Ok(match result {
        Ok(()) => Attempt::Done,
        Err(why) => Attempt::Failed(why),
    })
}

/// Sends one version to the Subscription's endpoint; the reason when it was not taken.
fn send(
    client: &reqwest::blocking::Client,
    config: &NotifyConfig,
    subscription: &Value,
    version: &Version,
) -> Result<(), String> {
    let channel = &subscription["channel"];
    let endpoint = channel["endpoint"].as_str().unwrap_or_default();
    let payload = channel.get("payload").and_then(Value::as_str);
    let request = match (payload, &version.content) {
        (Some(_), Some(content)) => client
            .put(format!(
                "{}/{}/{}",
                endpoint.trim_end_matches('/'),
                version.res_type,
                version.id
            ))
            .header(reqwest::header::CONTENT_TYPE, "application/fhir+json")
            .body(content.clone()),
        _ => client.post(endpoint),
    };
    let headers: Vec<&str> = channel
        .get("header")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    dispatch(request, endpoint, &headers, config)
}

/// Sends `request` to `endpoint` with `headers` (`Name: value`), within the timeout; the
/// reason when it was not taken.
fn dispatch(
    mut request: reqwest::blocking::RequestBuilder,
    endpoint: &str,
    headers: &[&str],
    config: &NotifyConfig,
) -> Result<(), String> {
    for header in headers {
        if let Some((name, value)) = parse_header(header) {
            request = request.header(name, value);
        }
    }
    match request.timeout(config.timeout).send() {
        Ok(response) if response.status().is_success() => Ok(()),
        Ok(response) => Err(format!("{endpoint} answered {}", response.status())),
        Err(e) if e.is_timeout() => Err(format!(
            "{endpoint} did not answer within {} s",
            config.timeout.as_secs_f64()
        )),
        Err(e) => Err(format!("{endpoint} could not be reached: {e}")),
    }
}

/// Stores the AuditEvents of what a delivery disclosed and was refused (`status` as a
/// request's), with `site` as the source's site.
fn record(store: &Store, gate: &Gate, status: u16, site: String) -> Result<(), FhirError> {
    if gate.unrestricted() {
        return Ok(());
    }
    let request = crate::audit::Request {
        address: None,
        interaction: "operation",
        action: "R",
        request_id: Some(site),
    };
    let events = gate
        .trail
        .events(&gate.caller, &request, status, Timestamp::now());
    if events.is_empty() {
        return Ok(());
    }
    store.record(&events)
}

/// One attempt to push a plan's document to the configured EPD: only when the version
/// that was written changed the plan's MKS phase (or made the plan), with the plan as it
/// is now, as the push's registered client may see it.
fn push(
    state: &Deliveries,
    client: &reqwest::blocking::Client,
    notification: &Notification,
) -> Result<Attempt, FhirError> {
    let (Some(push), store) = (&state.config.push, &state.store) else {
        return Ok(Attempt::Done);
    };
    let Some(plan) = store
        .vread("CarePlan", &notification.res_id, notification.version)?
        .as_ref()
        .and_then(Version::resource)
    else {
        return Ok(Attempt::Done);
    };
    let before = match notification.version {
        1 => None,
        v => store
            .vread("CarePlan", &notification.res_id, v - 1)?
            .as_ref()
            .and_then(Version::resource),
    };
    let phase = crate::interaction::zorgplan::phase_of;
    if before.as_ref().is_some_and(|b| phase(b) == phase(&plan)) {
        return Ok(Attempt::Done);
    }
    // The plan as it is now goes out: when a later version changed the phase again, its
    // own push carries it.
    let now = store.read("CarePlan", &notification.res_id)?;
    if now
        .as_ref()
        .and_then(Version::resource)
        .is_some_and(|current| {
            phase(&current) != phase(&plan)
                && now
                    .as_ref()
                    .is_some_and(|n| n.version > notification.version)
        })
    {
        return Ok(Attempt::Done);
    }
    let Some(gate) = access::client_gate(
        store,
        &state.config.auth,
        &state.facts,
        push.client.as_deref(),
    )?
    else {
        tracing::error!(client = ?push.client, "the plan push names no registered client: nothing is pushed");
        return Ok(Attempt::Done);
    };
    let gate = std::sync::Arc::new(gate);
    let base = state.config.base_url.clone().unwrap_or_default();
    let site = format!("push/CarePlan/{}", notification.res_id);
    let document = match crate::interaction::zorgplan::plan_document(
        store,
        &gate,
        &base,
        "CarePlan",
        &notification.res_id,
    ) {
        Ok(document) => document,
        Err(e) if e.status() == 404 => {
            tracing::info!(plan = %notification.res_id, "plan push withheld: its client may not see the plan");
            record(store, &gate, 403, site)?;
            return Ok(Attempt::Done);
        }
        Err(e) => return Err(e),
    };
    let request = client
        .post(&push.endpoint)
        .header(reqwest::header::CONTENT_TYPE, "application/fhir+json")
        .body(document.to_string());
    let headers: Vec<&str> = push.headers.iter().map(String::as_str).collect();
    let result = dispatch(request, &push.endpoint, &headers, &state.config.notify);
    record(store, &gate, if result.is_ok() { 200 } else { 502 }, site)?;
    Ok(match result {
        Ok(()) => Attempt::Done,
        Err(why) => Attempt::Failed(why),
    })
}
