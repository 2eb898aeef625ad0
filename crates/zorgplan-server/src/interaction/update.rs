//! update (`PUT [type]/[id]`, update as create allowed, `If-Match` for version-aware
//! updates) and conditional update (`PUT [type]?criteria`).

use super::{check_id, conditional_criteria, if_match};
use crate::access::Gate;
use crate::body::read_resource;
use crate::error::ApiResult;
use crate::negotiate::{response_format, Format, Prefer};
use crate::params::query_pairs;
use crate::respond::{base_url, version_response, version_url};
use crate::{blocking, AppState};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest};
use zorgplan_auth::Interaction;
use zorgplan_fhir::FhirError;
use zorgplan_store::Written;

fn respond(req: &HttpRequest, state: &AppState, format: Format, written: Written) -> ApiResult {
    let prefer = Prefer::of(req);
    let version = &written.version;
    let (status, verb) = if written.created {
        (StatusCode::CREATED, "Created")
    } else {
        (StatusCode::OK, "Updated")
    };
    Ok(version_response(
        status,
        version,
        format,
        prefer.return_,
        Some(&version_url(&base_url(req, state), version)),
        &format!(
            "{verb} {}/{} (version {})",
            version.res_type, version.id, version.version
        ),
    ))
}

pub async fn update(
    req: &HttpRequest,
    state: &AppState,
    res_type: &'static str,
    res_id: &str,
    payload: web::Payload,
) -> ApiResult {
    let format = response_format(req, &query_pairs(req.query_string()))?;
    check_id(res_id)?;
    let expected_version = if_match(req)?;
    let gate = Gate::of(req);
    gate.may_start(res_type, Interaction::Update)?;
    let resource = read_resource(req, payload, res_type, state).await?;
    match resource.get("id").and_then(|v| v.as_str()) {
        Some(body_id) if body_id == res_id => {}
        Some(body_id) => {
            return Err(FhirError::bad_request(format!(
                "The resource's id '{body_id}' does not match the id '{res_id}' in the URL"
            ))
            .at(format!("{res_type}.id"))
            .into())
        }
        None => {
            return Err(FhirError::bad_request(format!(
                "The resource has no id; an update must carry the id of the URL ('{res_id}')"
            ))
            .at(format!("{res_type}.id"))
            .into())
        }
    }
    let store = gate.store(&state.store);
    let res_id = res_id.to_owned();
    let written = blocking(move || {
        gate.check_write(&store, res_type, Some(&res_id), Some(&resource))?;
        store.update(res_type, &res_id, &resource, expected_version)
    })
    .await?;
    respond(req, state, format, written)
}

pub async fn conditional_update(
    req: &HttpRequest,
    state: &AppState,
    res_type: &'static str,
    payload: web::Payload,
) -> ApiResult {
    let format = response_format(req, &query_pairs(req.query_string()))?;
    let mut criteria = conditional_criteria(state, res_type, req.query_string(), "update")?;
    let expected_version = if_match(req)?;
    let gate = Gate::of(req);
    gate.may_start(res_type, Interaction::Update)?;
    let resource = read_resource(req, payload, res_type, state).await?;
    let store = gate.store(&state.store);
    let written = blocking(move || {
        gate.check_conditional_write(&store, res_type, &mut criteria, Some(&resource))?;
        store.conditional_update(res_type, &criteria, &resource, expected_version)
    })
    .await?;
    respond(req, state, format, written)
}
