//! Reading a request body: media type (415), size (413), strict JSON intake (400/422), then
//! validation against the R4 definitions (422 with every issue).

use crate::access::Gate;
use crate::error::ApiError;
use crate::negotiate::{check_body_type, BodyFormat};
use crate::{blocking, AppState};
use actix_web::http::header;
use actix_web::web::{self, BytesMut};
use actix_web::HttpRequest;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;
use zorgplan_fhir::references::local_references;
use zorgplan_fhir::Issue;
use zorgplan_fhir::{json, xml, ErrorKind, FhirError, IssueType};

fn too_large(limit: usize) -> ApiError {
    FhirError::new(
        ErrorKind::PayloadTooLarge,
        IssueType::TooLong,
        format!("The request body is larger than the {limit} bytes this server accepts"),
    )
    .into()
}

/// Whether the body is a form (`application/x-www-form-urlencoded`), as OAuth requests and
/// the sign-in forms are.
pub fn is_form(req: &HttpRequest) -> bool {
    req.headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("application/x-www-form-urlencoded"))
}

/// The whole body, at most `limit` bytes.
pub async fn read_bytes(
    req: &HttpRequest,
    mut payload: web::Payload,
    limit: usize,
) -> Result<web::Bytes, ApiError> {
    use futures_util::StreamExt;
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(too_large(limit));
    }
    let mut body = BytesMut::with_capacity(declared.unwrap_or(0).min(limit));
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| {
            ApiError::from(FhirError::bad_request(format!(
                "The request body could not be read: {e}"
            )))
        })?;
        if body.len() + chunk.len() > limit {
            return Err(too_large(limit));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// A body in FHIR XML, as its JSON form.
pub fn parse_xml(bytes: &[u8], state: &AppState) -> Result<Value, FhirError> {
    let text = std::str::from_utf8(bytes)
        .map_err(|_| FhirError::bad_request("The XML body is not valid UTF-8"))?;
    xml::parse(text, state.config.json)
}

/// A body as JSON, whichever format it came in.
pub fn parse_body(bytes: &[u8], format: BodyFormat, state: &AppState) -> Result<Value, FhirError> {
    match format {
        BodyFormat::Json => json::parse_json(bytes, state.config.json),
        BodyFormat::Xml => parse_xml(bytes, state),
    }
}

/// The body as one resource of `expected_type`, well-formed (media type, size, JSON or XML
/// syntax and the JSON representation rules) but not yet validated.
pub async fn read_unvalidated(
    req: &HttpRequest,
    payload: web::Payload,
    expected_type: &str,
    state: &AppState,
) -> Result<Value, ApiError> {
    let format = check_body_type(req)?;
    let bytes = read_bytes(req, payload, state.config.max_body_bytes).await?;
    Ok(match format {
        BodyFormat::Json => json::parse_resource(&bytes, Some(expected_type), state.config.json)?,
        BodyFormat::Xml => {
            json::check_body_resource(parse_xml(&bytes, state)?, Some(expected_type))?
        }
    })
}

/// The body as one valid resource of `expected_type`.
pub async fn read_resource(
    req: &HttpRequest,
    payload: web::Payload,
    expected_type: &str,
    state: &AppState,
) -> Result<Value, ApiError> {
    let mut resource = read_unvalidated(req, payload, expected_type, state).await?;
    crate::subscription::intake(&Gate::of(req), &mut resource);
    // Validation happens before any database transaction opens; an invalid resource is
    // never stored.
    let issues = validate(state, &Gate::of(req), &resource, None, &HashMap::new())
        .await?
        .expect("no extra profile, so none can be unknown");
    if zorgplan_validator::has_errors(&issues) {
        return Err(FhirError::with_issues(ErrorKind::Unprocessable, issues).into());
    }
    Ok(resource)
}

/// Validates `resource` (and against `profile`, when given; `Err` with its URL when it is
/// not known). When an invariant of a profile that applies follows references
/// (`resolve()`, as the standard's zkg-3 and zkg-5 do for a plan's care team and goals), the
/// resources it refers to are looked up in `local` (the references a Bundle resolves among
/// its own entries, as written) and else read from this server first, in one blocking task,
/// so that the rule sees them — those the caller may see (`gate`): to a rule, a resource
/// hidden from the caller is one that does not exist, so that the outcome tells nothing of
/// it.
pub async fn validate(
    state: &AppState,
    gate: &Arc<Gate>,
    resource: &Value,
    profile: Option<&str>,
    local: &HashMap<String, &Value>,
) -> Result<Result<Vec<Issue>, String>, ApiError> {
    let targets: HashMap<String, Value> = if state.validator.resolves_references(resource, profile)
    {
        let references = local_references(resource);
        let store = state.store.clone();
        let gate = gate.clone();
        blocking(move || {
            let mut targets = HashMap::new();
            for reference in references {
                let key = match &reference.version {
                    None => format!("{}/{}", reference.res_type, reference.id),
                    Some(v) => format!("{}/{}/_history/{v}", reference.res_type, reference.id),
                };
                if targets.contains_key(&key) {
                    continue;
                }
                let version = match reference.version.as_deref().map(str::parse::<i64>) {
                    None => store.read(&reference.res_type, &reference.id)?,
                    Some(Ok(v)) => store.vread(&reference.res_type, &reference.id, v)?,
                    Some(Err(_)) => None,
                };
                let Some(version) = version else {
                    continue;
                };
                if !gate.sees(&store, &version)? {
                    continue;
                }
                let content = version.content;
                if let Some(value) = content.and_then(|c| serde_json::from_str(&c).ok()) {
                    targets.insert(key, value);
                }
            }
            Ok(targets)
        })
        .await?
    } else {
        HashMap::new()
    };
    let resolver = |reference: &str| {
        local
            .get(reference)
            .copied()
            .or_else(|| targets.get(reference))
    };
    let mut found = state
        .validator
        .validate_resolving(resource, profile, Some(&resolver));
    if let Ok(issues) = &mut found {
        if resource.get("resourceType").and_then(Value::as_str) == Some("Subscription") {
            issues.extend(crate::subscription::issues(
                state.store.search_parameters(),
                resource,
            ));
        }
    }
    Ok(found)
}
