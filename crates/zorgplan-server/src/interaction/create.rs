//! create (`POST [type]`), conditional with `If-None-Exist`.

use super::conditional_criteria;
use crate::access::Gate;
use crate::body::read_resource;
use crate::error::ApiResult;
use crate::negotiate::{response_format, Prefer};
use crate::params::query_pairs;
use crate::respond::{base_url, version_response, version_url};
use crate::{blocking, AppState};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest};
use zorgplan_auth::Interaction;
use zorgplan_fhir::FhirError;
use zorgplan_store::Created;

pub async fn create(
    req: &HttpRequest,
    state: &AppState,
    res_type: &'static str,
    payload: web::Payload,
) -> ApiResult {
    let format = response_format(req, &query_pairs(req.query_string()))?;
    let prefer = Prefer::of(req);
    let criteria = match req.headers().get("if-none-exist") {
        None => None,
        Some(value) => {
            let value = value
                .to_str()
                .map_err(|_| FhirError::bad_request("If-None-Exist is not readable text"))?;
            Some(conditional_criteria(state, res_type, value, "create")?)
        }
    };
    let gate = Gate::of(req);
    gate.may_start(res_type, Interaction::Create)?;
    let resource = read_resource(req, payload, res_type, state).await?;
    let store = gate.store(&state.store);
    let created = blocking(move || {
        let mut criteria = criteria;
        match criteria.as_mut() {
            Some(criteria) => {
                gate.check_conditional_write(&store, res_type, criteria, Some(&resource))?
            }
            None => gate.check_write(&store, res_type, None, Some(&resource))?,
        }
        store.create(res_type, &resource, criteria.as_ref())
    })
    .await?;
    let base = base_url(req, state);
    Ok(match created {
        Created::New(version) => version_response(
            StatusCode::CREATED,
            &version,
            format,
            prefer.return_,
            Some(&version_url(&base, &version)),
            &format!("Created {res_type}/{}", version.id),
        ),
        Created::Existing(version) => version_response(
            StatusCode::OK,
            &version,
            format,
            prefer.return_,
            Some(&version_url(&base, &version)),
            &format!(
                "{res_type}/{} matches the If-None-Exist criteria; nothing was created",
                version.id
            ),
        ),
    })
}
