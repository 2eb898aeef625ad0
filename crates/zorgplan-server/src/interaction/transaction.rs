//! transaction and batch (`POST [base]` with a Bundle of type `transaction` or `batch`).
//!
//! A **transaction** is checked whole before the database is touched — every entry's request
//! parsed, every resource validated (with `resolve()` answered from the Bundle's own entries,
//! from conditional references looked up on this server and from stored resources), every
//! conditional reference's search parsed — and then its writes run as one database
//! transaction (`Store::transaction`: deletes, then creates and updates, `fullUrl`s and
//! conditional references resolved on the way); reads (`GET`) run after it, against its
//! result. Any failure answers one OperationOutcome naming the entry (`Bundle.entry[i]`) and
//! stores nothing.
//!
//! A **batch** runs each entry on its own, as the request it describes, through the same
//! route table as a request over HTTP; each entry gets its own status and, on failure, its
//! OperationOutcome.

use super::conditional_criteria;
use super::patch::{current_of, patched_version, Patch, Target};
use crate::access::Gate;
use crate::body::{read_unvalidated, validate};
use crate::bundle::BundleWriter;
use crate::error::{ApiError, ApiResult};
use crate::negotiate::{response_format, Prefer, Return, FHIR_JSON_UTF8};
use crate::params::query_pairs;
use crate::respond::{base_url, json_body, version_url};
use crate::{blocking, routes, AppState};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::Method;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest, HttpResponse};
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use zorgplan_fhir::outcome::{operation_outcome, Issue};
use zorgplan_fhir::{id, r4, references, ErrorKind, FhirError, IssueType};
use zorgplan_store::transaction::{Entry, Request};
use zorgplan_store::{Created, Deleted, Outcome, Timestamp, Transaction, Version, Written};

/// An entry's `request`, read.
struct Call {
    method: Method,
    /// The URL relative to the base: `Patient`, `Patient/1`, `Patient?identifier=…`.
    url: String,
    res_type: Option<&'static str>,
    /// `[type]/[id]`: the id.
    id: Option<String>,
    /// `[type]?criteria`: the criteria.
    query: Option<String>,
    /// The path has more than `[type]/[id]` (`_history/…`, an operation).
    deeper: bool,
    if_match: Option<String>,
    if_none_exist: Option<String>,
    if_none_match: Option<String>,
    if_modified_since: Option<String>,
}

fn request_error(index: usize, message: String) -> ApiError {
    FhirError::bad_request(message)
        .at(format!("Bundle.entry[{index}].request"))
        .in_entry(index)
        .into()
}

/// Reads entry `index`'s `request`; `base` is this server's base URL (a `url` may be
/// absolute, on this server).
fn read_call(index: usize, entry: &Value, base: &str) -> Result<Call, ApiError> {
    let request = entry
        .get("request")
        .ok_or_else(|| request_error(index, "The entry has no request".into()))?;
    let text = |name: &str| request.get(name).and_then(Value::as_str).map(str::to_owned);
    let method = text("method").unwrap_or_default();
    let method = match method.as_str() {
        "GET" => Method::GET,
        "HEAD" => Method::HEAD,
        "POST" => Method::POST,
        "PUT" => Method::PUT,
        "PATCH" => Method::PATCH,
        "DELETE" => Method::DELETE,
        other => {
            return Err(request_error(
                index,
                format!(
                "The request method '{other}' is not one of GET, HEAD, POST, PUT, PATCH, DELETE"
            ),
            ))
        }
    };
    let raw = text("url").unwrap_or_default();
    let url = raw
        .strip_prefix(base)
        .unwrap_or(&raw)
        .trim_start_matches('/')
        .to_owned();
    if url.is_empty() {
        return Err(request_error(index, "The request has no url".into()));
    }
    let (path, query) = match url.split_once('?') {
        Some((path, query)) => (path, Some(query.to_owned())),
        None => (url.as_str(), None),
    };
    let mut segments = path.split('/');
    let res_type = segments.next().and_then(r4::resource_type).map(|d| d.name);
    let id = segments.next().map(str::to_owned);
    let deeper = segments.next().is_some();
    Ok(Call {
        method,
        res_type,
        id,
        query,
        deeper,
        if_match: text("ifMatch"),
        if_none_exist: text("ifNoneExist"),
        if_none_match: text("ifNoneMatch"),
        if_modified_since: text("ifModifiedSince"),
        url,
    })
}

/// `POST [base]`: a transaction or a batch.
pub async fn transaction_or_batch(
    req: &HttpRequest,
    state: &AppState,
    payload: web::Payload,
) -> ApiResult {
    let format = response_format(req, &query_pairs(req.query_string()))?;
    let bundle = read_unvalidated(req, payload, "Bundle", state).await?;
    let kind = bundle
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if !matches!(kind, "transaction" | "batch") {
        return Err(FhirError::bad_request(format!(
            "A Bundle sent to the base URL must be a transaction or a batch, not '{kind}'"
        ))
        .at("Bundle.type")
        .into());
    }
    let entries = match bundle.get("entry") {
        Some(Value::Array(entries)) => entries.as_slice(),
        _ => &[],
    };
    if entries.len() > state.config.max_bundle_entries {
        return Err(FhirError::new(
            ErrorKind::PayloadTooLarge,
            IssueType::TooCostly,
            format!(
                "The Bundle has {} entries; this server takes at most {} in one request",
                entries.len(),
                state.config.max_bundle_entries
            ),
        )
        .into());
    }
    let base = base_url(req, state);
    let mut calls = Vec::with_capacity(entries.len());
    for (i, entry) in entries.iter().enumerate() {
        calls.push(read_call(i, entry, &base)?);
    }
    let response = if kind == "transaction" {
        transaction(req, state, entries, &calls, &base).await?
    } else {
        batch(req, state, entries, &calls).await
    };
    Ok(HttpResponse::Ok()
        .content_type(format.content_type)
        .body(json_body(response, format)))
}

/// The response entry of a stored version.
fn version_entry(
    bundle: &mut BundleWriter,
    base: &str,
    version: &Version,
    status: &str,
    prefer: Return,
    message: &str,
) {
    let mut response = Map::new();
    response.insert("status".into(), status.into());
    response.insert("location".into(), version_url(base, version).into());
    response.insert("etag".into(), id::etag(version.version).into());
    response.insert(
        "lastModified".into(),
        version.last_updated.to_instant().into(),
    );
    if prefer == Return::OperationOutcome {
        response.insert(
            "outcome".into(),
            operation_outcome(&[Issue::information(message)]),
        );
    }
    let full_url = format!("{base}/{}/{}", version.res_type, version.id);
    let shown = Version {
        content: if prefer == Return::Representation {
            version.content.clone()
        } else {
            None
        },
        ..version.clone()
    };
    bundle.entry(&full_url, &shown, json!({ "response": response }));
}

/// The conditional references of the entries' resources, each with its search (an unknown
/// parameter fails the transaction, naming the first entry that uses it).
fn conditional_references(
    state: &AppState,
    entries: &[Value],
) -> Result<HashMap<String, (String, zorgplan_store::Criteria)>, ApiError> {
    let mut conditional_references = HashMap::new();
    for (i, entry) in entries.iter().enumerate() {
        let Some(resource) = entry.get("resource") else {
            continue;
        };
        let mut found = Vec::new();
        references::each(resource, &mut String::new(), &mut |_, reference| {
            if references::is_conditional(reference) {
                found.push(reference.to_owned());
            }
        });
        for reference in found {
            if conditional_references.contains_key(&reference) {
                continue;
            }
            let (t, query) = reference.split_once('?').unwrap_or_default();
            let t = super::resource_type(t)?;
            let criteria = conditional_criteria(state, t, query, "reference")
                .map_err(|e| ApiError::from(e.error.in_entry(i)))?;
            conditional_references.insert(reference, (t.to_owned(), criteria));
        }
    }
    Ok(conditional_references)
}

async fn transaction(
    req: &HttpRequest,
    state: &AppState,
    entries: &[Value],
    calls: &[Call],
    base: &str,
) -> Result<String, ApiError> {
    let started = std::time::Instant::now();
    let conditional_references = conditional_references(state, entries)?;
    // What the conditional references find now (for validation).
    let found: Vec<(String, Value)> = if conditional_references.is_empty() {
        Vec::new()
    } else {
        let store = state.store.clone();
        let searches = conditional_references.clone();
        blocking(move || {
            let mut found = Vec::new();
            for (reference, (t, criteria)) in searches {
                let page = store.search(&t, &criteria, 2, &zorgplan_store::PageAt::First)?;
                if let [one] = page.matches.as_slice() {
                    if let Some(value) = one
                        .content
                        .as_deref()
                        .and_then(|c| serde_json::from_str(c).ok())
                    {
                        found.push((reference, value));
                    }
                }
            }
            Ok(found)
        })
        .await?
    };
    // The Bundle's own entries, by fullUrl and by `Type/id`, and what the conditional
    // references find, for resolve() in validation.
    let mut local: HashMap<String, &Value> = HashMap::new();
    for (entry, call) in entries.iter().zip(calls) {
        let Some(resource) = entry.get("resource") else {
            continue;
        };
        if let Some(url) = entry.get("fullUrl").and_then(Value::as_str) {
            local.insert(url.to_owned(), resource);
        }
        if let (Some(t), Some(id)) = (call.res_type, &call.id) {
            local.insert(format!("{t}/{id}"), resource);
        }
    }
    local.extend(
        found
            .iter()
            .map(|(reference, value)| (reference.clone(), value)),
    );

    // Every entry read and validated before anything is written.
    let mut writes = Vec::new();
    // Which entries are reads (GET, HEAD), run after the commit.
    let mut read = vec![false; entries.len()];
    let mut issues = Vec::new();
    for (i, (entry, call)) in entries.iter().zip(calls).enumerate() {
        let full_url = entry
            .get("fullUrl")
            .and_then(Value::as_str)
            .map(str::to_owned);
        let res_type = call.res_type.ok_or_else(|| {
            request_error(i, format!("The url '{}' names no resource type", call.url))
        })?;
        let if_match = match &call.if_match {
            None => None,
            Some(text) => Some(id::parse_etag_version(text).ok_or_else(|| {
                request_error(
                    i,
                    format!("ifMatch must name a version as W/\"n\", not '{text}'"),
                )
            })?),
        };
        let criteria = |query: &str, what: &str| {
            conditional_criteria(state, res_type, query, what)
                .map_err(|e| ApiError::from(e.error.in_entry(i)))
        };
        let request = match (&call.method, &call.id, &call.query) {
            (&Method::GET | &Method::HEAD, ..) => {
                read[i] = true;
                continue;
            }
            _ if call.deeper => {
                return Err(request_error(
                    i,
                    format!(
                        "{} {} is not a request a transaction can make",
                        call.method, call.url
                    ),
                ))
            }
            (&Method::POST, None, None) => Request::Create {
                if_none_exist: match &call.if_none_exist {
                    Some(query) => Some(criteria(query, "create")?),
                    None => None,
                },
            },
            (&Method::PUT, Some(id), None) if id::is_valid_id(id) => Request::Update {
                id: id.clone(),
                if_match,
            },
            (&Method::PUT, None, Some(query)) => Request::ConditionalUpdate {
                criteria: criteria(query, "update")?,
                if_match,
            },
            (&Method::DELETE, Some(id), None) if id::is_valid_id(id) => Request::Delete {
                id: id.clone(),
                if_match,
            },
            (&Method::DELETE, None, Some(query)) => Request::ConditionalDelete {
                criteria: criteria(query, "delete")?,
                if_match,
            },
            (&Method::PATCH, id, query) if id.is_some() != query.is_some() => {
                // Patched now, against the current version; written as an update of that
                // version (a concurrent change fails the transaction with 412).
                let target = match (id, query) {
                    (Some(id), _) => Target::Id(id.clone()),
                    (_, Some(query)) => Target::Matching(criteria(query, "patch")?),
                    _ => unreachable!(),
                };
                let in_entry = |e: FhirError| ApiError::from(e.in_entry(i));
                let body = entry.get("resource").ok_or_else(|| {
                    in_entry(FhirError::bad_request("A PATCH entry needs a resource"))
                })?;
                let patch = Patch::of_entry(body).map_err(in_entry)?;
                let store = state.store.clone();
                let current = blocking(move || current_of(&store, res_type, &target))
                    .await
                    .map_err(|e| in_entry(e.error))?;
                let (patched, read) =
                    patched_version(state, &Gate::of(req), res_type, &current, &patch, if_match)
                        .await
                        .map_err(|e| in_entry(e.error))?;
                writes.push(Entry {
                    full_url,
                    res_type: res_type.to_owned(),
                    resource: Some(patched),
                    request: Request::Update {
                        id: current.id,
                        if_match: Some(read),
                    },
                });
                continue;
            }
            _ => {
                return Err(request_error(
                    i,
                    format!(
                        "{} {} is not a request a transaction can make",
                        call.method, call.url
                    ),
                ))
            }
        };
        let resource = match request {
            Request::Create { .. } | Request::Update { .. } | Request::ConditionalUpdate { .. } => {
                let mut resource = entry.get("resource").cloned().ok_or_else(|| {
                    ApiError::from(
                        FhirError::bad_request(format!(
                            "{} {} needs a resource",
                            call.method, call.url
                        ))
                        .in_entry(i),
                    )
                })?;
                let actual = resource.get("resourceType").and_then(Value::as_str);
                if actual != Some(res_type) {
                    return Err(FhirError::bad_request(format!(
                        "The resource is a {}, but the request's url names {res_type}",
                        actual.unwrap_or("(no resourceType)")
                    ))
                    .at(format!("Bundle.entry[{i}].resource.resourceType"))
                    .in_entry(i)
                    .into());
                }
                if let Request::Update { id, .. } = &request {
                    match resource.get("id").and_then(Value::as_str) {
                        Some(body_id) if body_id != id => {
                            return Err(FhirError::bad_request(format!(
                                "The resource's id '{body_id}' does not match the id '{id}' in the request's url"
                            ))
                            .at(format!("{res_type}.id"))
                            .in_entry(i)
                            .into())
                        }
                        Some(_) => {}
                        None => {
                            resource["id"] = Value::String(id.clone());
                        }
                    }
                }
                if let Request::Create { .. } = &request {
                    // A create's id is the server's.
                    if let Some(object) = resource.as_object_mut() {
                        object.shift_remove("id");
                    }
                }
                crate::subscription::intake(&Gate::of(req), &mut resource);
                let found = validate(state, &Gate::of(req), &resource, None, &local)
                    .await?
                    .expect("no extra profile, so none can be unknown");
                if zorgplan_validator::has_errors(&found) {
                    issues.extend(
                        FhirError::with_issues(ErrorKind::Unprocessable, found)
                            .in_entry(i)
                            .issues,
                    );
                }
                Some(resource)
            }
            _ => None,
        };
        writes.push(Entry {
            full_url,
            res_type: res_type.to_owned(),
            resource,
            request,
        });
    }
    if !issues.is_empty() {
        return Err(FhirError::with_issues(ErrorKind::Unprocessable, issues).into());
    }
    // Which write entry is which Bundle entry.
    let checked = started.elapsed();
    let write_index: Vec<usize> = (0..entries.len()).filter(|&i| !read[i]).collect();
    let gate = Gate::of(req);
    let store = gate.store(&state.store);
    let mut transaction = Transaction {
        entries: writes,
        conditional_references,
    };
    let outcomes = if transaction.entries.is_empty() {
        Vec::new()
    } else {
        blocking(move || {
            gate.check_transaction(&store, &mut transaction, &write_index)?;
            store
                .transaction(&transaction)
                .map_err(|e| renumber(e, &write_index))
        })
        .await?
    };

    let stored = started.elapsed() - checked;
    let prefer = Prefer::of(req).return_;
    let mut bundle = BundleWriter::new("transaction-response", &[]);
    let mut outcomes = outcomes.into_iter();
    for (i, call) in calls.iter().enumerate() {
        if read[i] {
            let response = sub_request(req, state, call, None).await;
            bundle.raw_entry(entry_of_response(response, true).await);
            continue;
        }
        let outcome = outcomes.next().expect("an outcome per write");
        write_outcome(&mut bundle, base, prefer, outcome);
    }
    let response = bundle.finish();
    tracing::debug!(
        entries = entries.len(),
        checked_ms = checked.as_secs_f64() * 1e3,
        stored_ms = stored.as_secs_f64() * 1e3,
        total_ms = started.elapsed().as_secs_f64() * 1e3,
        "transaction"
    );
    Ok(response)
}

/// Entry numbers of the store's error (counted among the writes) as numbers in the Bundle.
fn renumber(mut error: FhirError, write_index: &[usize]) -> FhirError {
    for issue in &mut error.issues {
        let texts = std::iter::once(&mut issue.diagnostics).chain(issue.expression.iter_mut());
        for text in texts {
            if let Some(rest) = text.strip_prefix("Bundle.entry[") {
                if let Some((n, tail)) = rest.split_once(']') {
                    if let Some(&i) = n.parse::<usize>().ok().and_then(|n| write_index.get(n)) {
                        *text = format!("Bundle.entry[{i}]{tail}");
                    }
                }
            }
        }
    }
    error
}

fn write_outcome(bundle: &mut BundleWriter, base: &str, prefer: Return, outcome: Outcome) {
    match outcome {
        Outcome::Created(Created::New(v)) => {
            let message = format!("Created {}/{}", v.res_type, v.id);
            version_entry(bundle, base, &v, "201 Created", prefer, &message);
        }
        Outcome::Created(Created::Existing(v)) => {
            let message = format!(
                "{}/{} matches the ifNoneExist criteria; nothing was created",
                v.res_type, v.id
            );
            version_entry(bundle, base, &v, "200 OK", prefer, &message);
        }
        Outcome::Updated(Written { version, created }) => {
            let status = if created { "201 Created" } else { "200 OK" };
            let message = format!(
                "Wrote {}/{} (version {})",
                version.res_type, version.id, version.version
            );
            version_entry(bundle, base, &version, status, prefer, &message);
        }
        Outcome::Deleted(deleted) => {
            let mut response = Map::new();
            response.insert("status".into(), "204 No Content".into());
            if let Deleted::Deleted(v) = &deleted {
                response.insert("etag".into(), id::etag(v.version).into());
                response.insert("lastModified".into(), v.last_updated.to_instant().into());
            }
            if prefer == Return::OperationOutcome {
                let message = match &deleted {
                    Deleted::Deleted(v) => format!("Deleted {}/{}", v.res_type, v.id),
                    Deleted::AlreadyDeleted => "The resource was already deleted".into(),
                    Deleted::NotFound => "No such resource; nothing was deleted".into(),
                };
                response.insert(
                    "outcome".into(),
                    operation_outcome(&[Issue::information(message)]),
                );
            }
            bundle.raw_entry(json!({ "response": response }));
        }
    }
}

async fn batch(req: &HttpRequest, state: &AppState, entries: &[Value], calls: &[Call]) -> String {
    let mut bundle = BundleWriter::new("batch-response", &[]);
    for (entry, call) in entries.iter().zip(calls) {
        let response = sub_request(req, state, call, entry.get("resource")).await;
        let read = matches!(call.method, Method::GET | Method::HEAD);
        bundle.raw_entry(entry_of_response(response, read).await);
    }
    bundle.finish()
}

/// Runs `call` as a request of its own through the route table, with the headers of the
/// Bundle's request that say who asks and how (host, forwarding, `Prefer`).
async fn sub_request(
    req: &HttpRequest,
    state: &AppState,
    call: &Call,
    resource: Option<&Value>,
) -> HttpResponse {
    let mut builder = actix_web::test::TestRequest::default()
        .method(call.method.clone())
        .uri(&format!("/{}", call.url));
    for name in [
        "host",
        "forwarded",
        "x-forwarded-host",
        "x-forwarded-proto",
        "prefer",
    ] {
        if let Some(value) = req.headers().get(name) {
            builder = builder.insert_header((name, value.clone()));
        }
    }
    builder = builder.insert_header((header::ACCEPT, FHIR_JSON_UTF8));
    let conditional = [
        ("if-match", &call.if_match),
        ("if-none-exist", &call.if_none_exist),
        ("if-none-match", &call.if_none_match),
        ("if-modified-since", &call.if_modified_since),
    ];
    for (name, value) in conditional {
        if let Some(value) = value.as_deref().and_then(|v| HeaderValue::from_str(v).ok()) {
            builder = builder.insert_header((HeaderName::from_static(name), value));
        }
    }
    if let Some(resource) = resource {
        builder = builder
            .insert_header((header::CONTENT_TYPE, FHIR_JSON_UTF8))
            .set_payload(serde_json::to_vec(resource).unwrap_or_default());
    }
    let (sub, mut payload) = builder.to_http_parts();
    // The entry is asked by the Bundle's caller.
    sub.extensions_mut().insert(Gate::of(req));
    let result = match web::Payload::from_request(&sub, &mut payload).await {
        Ok(payload) => Box::pin(routes::route(&sub, payload, state)).await,
        Err(e) => Err(FhirError::bad_request(e.to_string()).into()),
    };
    result.unwrap_or_else(|e| actix_web::ResponseError::error_response(&e))
}

/// A response as an entry of a batch-response or transaction-response (`read`: whether the
/// request was a read, so that an OperationOutcome in its body is the resource read).
async fn entry_of_response(response: HttpResponse, read: bool) -> Value {
    let status = response.status();
    let mut out = Map::new();
    let mut answer = Map::new();
    answer.insert(
        "status".into(),
        format!(
            "{} {}",
            status.as_u16(),
            status.canonical_reason().unwrap_or_default()
        )
        .into(),
    );
    let text = |name: header::HeaderName| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    if let Some(location) = text(header::LOCATION) {
        answer.insert("location".into(), location.into());
    }
    if let Some(etag) = text(header::ETAG) {
        answer.insert("etag".into(), etag.into());
    }
    if let Some(modified) = text(header::LAST_MODIFIED) {
        if let Some(t) = Timestamp::parse_http_date(&modified) {
            answer.insert("lastModified".into(), t.to_instant().into());
        }
    }
    let body = actix_web::body::to_bytes(response.into_body())
        .await
        .unwrap_or_default();
    if let Ok(resource) = serde_json::from_slice::<Value>(&body) {
        // An OperationOutcome answers a failure or a write; a read answers the resource.
        let is_outcome =
            resource.get("resourceType").and_then(Value::as_str) == Some("OperationOutcome");
        if is_outcome && (!status.is_success() || !read) {
            answer.insert("outcome".into(), resource);
        } else {
            if let (Some(t), Some(id), Some(location)) = (
                resource.get("resourceType").and_then(Value::as_str),
                resource.get("id").and_then(Value::as_str),
                answer.get("location").and_then(Value::as_str),
            ) {
                if let Some((base, _)) = location.split_once(&format!("/{t}/{id}/")) {
                    out.insert("fullUrl".into(), format!("{base}/{t}/{id}").into());
                }
            }
            out.insert("resource".into(), resource);
        }
    }
    out.insert("response".into(), Value::Object(answer));
    Value::Object(out)
}
