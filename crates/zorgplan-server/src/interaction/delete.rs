//! delete (`DELETE [type]/[id]`, with `If-Match`) and conditional delete
//! (`DELETE [type]?criteria`, one match at most). Deletion is logical: a new version records
//! it, a later read answers 410 Gone, and history keeps every version.

use super::{check_id, conditional_criteria, if_match};
use crate::access::Gate;
use crate::error::ApiResult;
use crate::negotiate::{response_format, Format, Prefer, Return};
use crate::params::query_pairs;
use crate::respond::json_response;
use crate::{blocking, AppState};
use actix_web::http::{header, StatusCode};
use actix_web::{HttpRequest, HttpResponse};
use zorgplan_auth::Interaction;
use zorgplan_fhir::id;
use zorgplan_fhir::outcome::{operation_outcome, Issue};
use zorgplan_store::Deleted;

fn respond(req: &HttpRequest, format: Format, deleted: Deleted, what: &str) -> ApiResult {
    let (message, version) = match &deleted {
        Deleted::Deleted(v) => (
            format!("Deleted {}/{} (version {})", v.res_type, v.id, v.version),
            Some(v),
        ),
        Deleted::AlreadyDeleted => (format!("{what} was already deleted"), None),
        Deleted::NotFound => (format!("{what} does not exist; nothing was deleted"), None),
    };
    // A deletion has no representation: 204, unless the client asks for an outcome.
    let mut response = match Prefer::of(req).return_ {
        Return::OperationOutcome => json_response(
            StatusCode::OK,
            &operation_outcome(&[Issue::information(message)]),
            format,
        ),
        Return::Minimal | Return::Representation => HttpResponse::NoContent().finish(),
    };
    if let Some(v) = version {
        if let Ok(value) = header::HeaderValue::from_str(&id::etag(v.version)) {
            response.headers_mut().insert(header::ETAG, value);
        }
    }
    Ok(response)
}

pub async fn delete(
    req: &HttpRequest,
    state: &AppState,
    res_type: &'static str,
    res_id: &str,
) -> ApiResult {
    let format = response_format(req, &query_pairs(req.query_string()))?;
    check_id(res_id)?;
    let expected_version = if_match(req)?;
    let gate = Gate::of(req);
    gate.may_start(res_type, Interaction::Delete)?;
    let store = gate.store(&state.store);
    let target = res_id.to_owned();
    let deleted = blocking(move || {
        gate.check_write(&store, res_type, Some(&target), None)?;
        store.delete(res_type, &target, expected_version)
    })
    .await?;
    respond(req, format, deleted, &format!("{res_type}/{res_id}"))
}

pub async fn conditional_delete(
    req: &HttpRequest,
    state: &AppState,
    res_type: &'static str,
) -> ApiResult {
    let format = response_format(req, &query_pairs(req.query_string()))?;
    let mut criteria = conditional_criteria(state, res_type, req.query_string(), "delete")?;
    let expected_version = if_match(req)?;
    let gate = Gate::of(req);
    gate.may_start(res_type, Interaction::Delete)?;
    let store = gate.store(&state.store);
    let deleted = blocking(move || {
        gate.check_conditional_write(&store, res_type, &mut criteria, None)?;
        store.conditional_delete(res_type, &criteria, expected_version)
    })
    .await?;
    respond(
        req,
        format,
        deleted,
        &format!("The {res_type} matching the criteria"),
    )
}
