//! patch (`PATCH [type]/[id]`) and conditional patch (`PATCH [type]?criteria`): JSON Patch
//! (RFC 6902, `application/json-patch+json`) or FHIRPath Patch (a Parameters resource, in
//! FHIR JSON or XML), with `If-Match`.
//!
//! The current version is read, patched and validated like any update, then written as an
//! update that names the version it was made from: when another write came in between (and
//! the client named no version itself), the patch is applied again to the newer version (up
//! to ten times, waiting a little longer each time); a patch never overwrites a change it did not see.

use super::{check_id, conditional_criteria, if_match};
use crate::access::Gate;
use crate::body::{parse_body, read_bytes, validate};
use crate::error::{ApiError, ApiResult};
use crate::negotiate::{check_body_type, response_format, Prefer};
use crate::params::query_pairs;
use crate::respond::{base_url, version_response, version_url};
use crate::{blocking, AppState};
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest};
use serde_json::Value;
use std::collections::HashMap;
use zorgplan_auth::Interaction;
use zorgplan_fhir::{ErrorKind, FhirError, IssueType};
use zorgplan_store::{Criteria, PageAt, Version};

/// The media type of a JSON Patch.
pub const JSON_PATCH: &str = "application/json-patch+json";

/// How often a patch is applied at most when concurrent writes keep changing its resource
/// (with the store's backoff between attempts).
const ATTEMPTS: u32 = 10;

/// A patch document.
pub enum Patch {
    /// JSON Patch: an array of operations.
    Json(Value),
    /// FHIRPath Patch: a Parameters resource.
    FhirPath(Value),
}

impl Patch {
    /// The patch a Bundle entry carries: a Binary holding a JSON Patch, or a Parameters.
    pub fn of_entry(resource: &Value) -> Result<Patch, FhirError> {
        match resource.get("resourceType").and_then(Value::as_str) {
            Some("Parameters") => Ok(Patch::FhirPath(resource.clone())),
            Some("Binary") => {
                let content_type = resource["contentType"].as_str().unwrap_or_default();
                if !content_type.starts_with(JSON_PATCH) {
                    return Err(FhirError::bad_request(format!(
                        "A Binary patch must be {JSON_PATCH}, not '{content_type}'"
                    )));
                }
                let bytes = resource["data"]
                    .as_str()
                    .and_then(zorgplan_fhirpath::decode_base64)
                    .ok_or_else(|| {
                        FhirError::bad_request("The Binary's data is not base64").at("Binary.data")
                    })?;
                let patch = serde_json::from_slice(&bytes).map_err(|e| {
                    FhirError::bad_request(format!("The JSON Patch is not JSON: {e}"))
                })?;
                Ok(Patch::Json(patch))
            }
            other => Err(FhirError::bad_request(format!(
                "A PATCH entry carries a Binary (JSON Patch) or a Parameters (FHIRPath Patch), not {}",
                other.unwrap_or("nothing")
            ))),
        }
    }

    /// `current` (a stored `res_type/id`) patched: 422 when the patch cannot be applied or
    /// changes the resource's type or id.
    pub fn apply(&self, current: &Value, res_type: &str, id: &str) -> Result<Value, FhirError> {
        let patched = match self {
            Patch::Json(patch) => zorgplan_fhir::json_patch::apply(current, patch),
            Patch::FhirPath(parameters) => zorgplan_fhirpath::patch::apply(current, parameters),
        }
        .map_err(|e| {
            FhirError::new(
                ErrorKind::Unprocessable,
                IssueType::Processing,
                format!("The patch cannot be applied to {res_type}/{id}: {e}"),
            )
        })?;
        let unchanged = patched.get("resourceType").and_then(Value::as_str) == Some(res_type)
            && patched.get("id").and_then(Value::as_str) == Some(id);
        if !unchanged {
            return Err(FhirError::new(
                ErrorKind::Unprocessable,
                IssueType::Processing,
                "A patch cannot change a resource's type or id",
            ));
        }
        Ok(patched)
    }
}

/// The body as a patch, by its Content-Type.
async fn read_patch(
    req: &HttpRequest,
    payload: web::Payload,
    state: &AppState,
) -> Result<Patch, ApiError> {
    let essence = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    if essence == JSON_PATCH {
        let bytes = read_bytes(req, payload, state.config.max_body_bytes).await?;
        let patch = zorgplan_fhir::json::parse_json(&bytes, state.config.json)?;
        return Ok(Patch::Json(patch));
    }
    let format = check_body_type(req).map_err(|mut e| {
        e.issues[0].diagnostics = format!(
            "{}; a PATCH takes {JSON_PATCH} or a FHIRPath Patch Parameters",
            e.issues[0].diagnostics
        );
        e
    })?;
    let bytes = read_bytes(req, payload, state.config.max_body_bytes).await?;
    let parameters = parse_body(&bytes, format, state)?;
    if parameters.get("resourceType").and_then(Value::as_str) != Some("Parameters") {
        return Err(FhirError::bad_request(
            "A FHIRPath Patch is a Parameters resource; a JSON Patch is sent as application/json-patch+json",
        )
        .into());
    }
    Ok(Patch::FhirPath(parameters))
}

/// Which resource a PATCH is for.
pub enum Target {
    Id(String),
    Matching(Criteria),
}

pub async fn patch(
    req: &HttpRequest,
    state: &AppState,
    res_type: &'static str,
    res_id: &str,
    payload: web::Payload,
) -> ApiResult {
    check_id(res_id)?;
    patch_target(req, state, res_type, Target::Id(res_id.to_owned()), payload).await
}

pub async fn conditional_patch(
    req: &HttpRequest,
    state: &AppState,
    res_type: &'static str,
    payload: web::Payload,
) -> ApiResult {
    let criteria = conditional_criteria(state, res_type, req.query_string(), "patch")?;
    patch_target(req, state, res_type, Target::Matching(criteria), payload).await
}

async fn patch_target(
    req: &HttpRequest,
    state: &AppState,
    res_type: &'static str,
    target: Target,
    payload: web::Payload,
) -> ApiResult {
    let format = response_format(req, &query_pairs(req.query_string()))?;
    let expected = if_match(req)?;
    let gate = Gate::of(req);
    gate.may_start(res_type, Interaction::Update)?;
    let patch = read_patch(req, payload, state).await?;
    let target = match target {
        Target::Matching(mut criteria) => {
            // Only what the caller may see can be selected.
            let (store, gate) = (state.store.clone(), gate.clone());
            blocking(move || {
                gate.restrict(&store, res_type, &mut criteria)?;
                Ok(criteria)
            })
            .await
            .map(Target::Matching)?
        }
        target => target,
    };
    let target = std::sync::Arc::new(target);
    for attempt in 1..=ATTEMPTS {
        let store = state.store.clone();
        let which = target.clone();
        let seeing = gate.clone();
        let current = blocking(move || {
            let current = current_of(&store, res_type, &which)?;
            if !seeing.sees(&store, &current)? {
                return Err(FhirError::not_found(format!(
                    "There is no {res_type} to patch"
                )));
            }
            Ok(current)
        })
        .await?;
        let (patched, read) =
            patched_version(state, &gate, res_type, &current, &patch, expected).await?;
        let store = gate.store(&state.store);
        let id = current.id.clone();
        let writing = gate.clone();
        let written = blocking(move || {
            writing.check_write(&store, res_type, Some(&id), Some(&patched))?;
            store.update(res_type, &id, &patched, Some(read))
        })
        .await;
        match written {
            Ok(written) => {
                let version = &written.version;
                return Ok(version_response(
                    StatusCode::OK,
                    version,
                    format,
                    Prefer::of(req).return_,
                    Some(&version_url(&base_url(req, state), version)),
                    &format!(
                        "Patched {}/{} (version {})",
                        version.res_type, version.id, version.version
                    ),
                ));
            }
            // Changed since it was read: patch the newer version, unless the client named
            // the version it patches.
            Err(e)
                if e.error.kind == ErrorKind::PreconditionFailed
                    && expected.is_none()
                    && attempt < ATTEMPTS =>
            {
                actix_web::rt::time::sleep(zorgplan_store::backoff(attempt)).await;
            }
            Err(e) => return Err(e),
        }
    }
    Err(FhirError::new(
        ErrorKind::Conflict,
        IssueType::Conflict,
        "The resource kept changing while it was patched; try again",
    )
    .into())
}

/// The current version of the resource a PATCH is for: 404 when there is none, 410 when it
/// was deleted, 412 when the criteria select several.
pub fn current_of(
    store: &zorgplan_store::Store,
    res_type: &str,
    target: &Target,
) -> Result<Version, FhirError> {
    let found = match target {
        Target::Id(id) => store.read(res_type, id)?,
        Target::Matching(criteria) => {
            let page = store.search(res_type, criteria, 2, &PageAt::First)?;
            match page.matches.len() {
                0 => None,
                1 => page.matches.into_iter().next(),
                _ => {
                    return Err(FhirError::precondition_failed(
                        IssueType::MultipleMatches,
                        format!(
                            "The criteria of the conditional patch match more than one {res_type}"
                        ),
                    ))
                }
            }
        }
    };
    match found {
        None => Err(FhirError::not_found(format!(
            "There is no {res_type} to patch"
        ))),
        Some(v) if v.deleted => Err(FhirError::new(
            ErrorKind::Gone,
            IssueType::Deleted,
            format!("{res_type}/{} was deleted", v.id),
        )),
        Some(v) => Ok(v),
    }
}

/// `current` patched and validated; with the version it was made from. 412 when the client
/// named another version.
pub async fn patched_version(
    state: &AppState,
    gate: &std::sync::Arc<Gate>,
    res_type: &str,
    current: &Version,
    patch: &Patch,
    expected: Option<i64>,
) -> Result<(Value, i64), ApiError> {
    if let Some(v) = expected.filter(|v| *v != current.version) {
        return Err(FhirError::precondition_failed(
            IssueType::Conflict,
            format!(
                "Version conflict: If-Match names version {v} of {res_type}/{}, but the current version is {}",
                current.id, current.version
            ),
        )
        .into());
    }
    let stored: Value = current
        .content
        .as_deref()
        .and_then(|c| serde_json::from_str(c).ok())
        .ok_or_else(|| FhirError::internal("The stored resource is not JSON"))?;
    let mut patched = patch.apply(&stored, res_type, &current.id)?;
    crate::subscription::intake(gate, &mut patched);
    let issues = validate(state, gate, &patched, None, &HashMap::new())
        .await?
        .expect("no extra profile, so none can be unknown");
    if zorgplan_validator::has_errors(&issues) {
        return Err(FhirError::with_issues(ErrorKind::Unprocessable, issues).into());
    }
    Ok((patched, current.version))
}
