//! The FHIR RESTful interactions, one module each, named as the specification names them.

pub mod capabilities;
pub mod create;
pub mod delete;
pub mod everything;
pub mod history;
pub mod patch;
pub mod read;
pub mod search_type;
pub mod terminology;
pub mod transaction;
pub mod update;
pub mod validate;
pub mod zorgplan;

use crate::error::ApiError;
use crate::params;
use crate::AppState;
use actix_web::HttpRequest;
use zorgplan_fhir::{id, r4, FhirError};
use zorgplan_store::Criteria;

/// The resource type named in the URL, or 404.
pub fn resource_type(name: &str) -> Result<&'static str, ApiError> {
    r4::resource_type(name)
        .map(|def| def.name)
        .ok_or_else(|| FhirError::not_found(format!("Unknown resource type '{name}'")).into())
}

/// 400 unless `res_id` is a valid id (for the interactions that write by id, and those that
/// name a resource in an operation's or compartment's path).
pub fn check_id(res_id: &str) -> Result<(), FhirError> {
    if id::is_valid_id(res_id) {
        Ok(())
    } else {
        Err(FhirError::bad_request(format!(
            "'{res_id}' is not a valid id (1 to 64 characters: letters, digits, '-' and '.')"
        )))
    }
}

/// The version an `If-Match` header names, if any (400 when it is not a version ETag).
pub fn if_match(req: &HttpRequest) -> Result<Option<i64>, ApiError> {
    match req.headers().get("if-match") {
        None => Ok(None),
        Some(value) => {
            let text = value.to_str().unwrap_or_default();
            id::parse_etag_version(text).map(Some).ok_or_else(|| {
                FhirError::bad_request(format!(
                    "If-Match must name a version as W/\"n\", not '{text}'"
                ))
                .into()
            })
        }
    }
}

/// The criteria of a conditional interaction. They must not be empty and every parameter
/// must be supported: ignoring a criterion could make a conditional write hit the wrong
/// resource.
pub fn conditional_criteria(
    state: &AppState,
    res_type: &str,
    query: &str,
    interaction: &str,
) -> Result<Criteria, ApiError> {
    let query = query.trim_start_matches('?');
    // Some clients send `Type?criteria` in If-None-Exist.
    let query = query
        .strip_prefix(res_type)
        .and_then(|q| q.strip_prefix('?'))
        .unwrap_or(query);
    let pairs = params::without_result_params(&params::query_pairs(query));
    let (criteria, unknown) = Criteria::parse(state.store.search_parameters(), res_type, &pairs)?;
    if let Some((name, _)) = unknown.first() {
        return Err(FhirError::bad_request(format!(
            "The conditional {interaction} uses the search parameter '{name}', which this server does not support for {res_type}"
        ))
        .into());
    }
    if criteria.is_empty() {
        return Err(FhirError::bad_request(format!(
            "A conditional {interaction} needs search criteria"
        ))
        .into());
    }
    Ok(criteria)
}
