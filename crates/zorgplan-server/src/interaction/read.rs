//! read (`GET [type]/[id]`, with If-None-Match and If-Modified-Since) and vread
//! (`GET [type]/[id]/_history/[vid]`).

use crate::access::Gate;
use crate::error::ApiResult;
use crate::negotiate::{response_format, Return};
use crate::params::query_pairs;
use crate::respond::version_response;
use crate::{blocking, AppState};
use actix_web::http::{header, StatusCode};
use actix_web::{HttpRequest, HttpResponse};
use zorgplan_auth::Interaction;
use zorgplan_fhir::{id, ErrorKind, FhirError, IssueType};
use zorgplan_store::{Timestamp, Version};

fn gone(version: &Version) -> FhirError {
    FhirError::new(
        ErrorKind::Gone,
        IssueType::Deleted,
        format!(
            "{}/{} was deleted (version {})",
            version.res_type, version.id, version.version
        ),
    )
}

/// Whether the client's cached copy is still current (RFC 9110 §13.1.2 and §13.1.3).
fn not_modified(req: &HttpRequest, version: &Version) -> bool {
    if let Some(tags) = req.headers().get(header::IF_NONE_MATCH) {
        let tags = tags.to_str().unwrap_or_default();
        return tags.trim() == "*"
            || tags
                .split(',')
                .any(|tag| id::parse_etag_version(tag) == Some(version.version));
    }
    req.headers()
        .get(header::IF_MODIFIED_SINCE)
        .and_then(|v| v.to_str().ok())
        .and_then(Timestamp::parse_http_date)
        .is_some_and(|since| version.last_updated.seconds() <= since.seconds())
}

pub async fn read(
    req: &HttpRequest,
    state: &AppState,
    res_type: &'static str,
    res_id: &str,
) -> ApiResult {
    let format = response_format(req, &query_pairs(req.query_string()))?;
    let not_found = || FhirError::not_found(format!("{res_type}/{res_id} is not known"));
    if !id::is_valid_id(res_id) {
        return Err(not_found().into());
    }
    let gate = Gate::of(req);
    gate.may_start(res_type, Interaction::Read)?;
    let store = state.store.clone();
    let lookup = res_id.to_owned();
    let version = blocking(move || {
        let found = store.read(res_type, &lookup)?;
        Ok(match found {
            Some(version) if gate.reveal(&store, &version)? => Some(version),
            _ => None,
        })
    })
    .await?
    .ok_or_else(not_found)?;
    if version.deleted {
        return Err(gone(&version).into());
    }
    if not_modified(req, &version) {
        return Ok(HttpResponse::NotModified()
            .insert_header((header::ETAG, id::etag(version.version)))
            .insert_header((header::LAST_MODIFIED, version.last_updated.to_http_date()))
            .finish());
    }
    Ok(version_response(
        StatusCode::OK,
        &version,
        format,
        Return::Representation,
        None,
        "",
    ))
}

pub async fn vread(
    req: &HttpRequest,
    state: &AppState,
    res_type: &'static str,
    res_id: &str,
    vid: &str,
) -> ApiResult {
    let format = response_format(req, &query_pairs(req.query_string()))?;
    let not_found = || FhirError::not_found(format!("{res_type}/{res_id} has no version '{vid}'"));
    let version = match id::parse_version(vid) {
        Some(v) if id::is_valid_id(res_id) => v,
        _ => return Err(not_found().into()),
    };
    let gate = Gate::of(req);
    gate.may_start(res_type, Interaction::Read)?;
    let store = state.store.clone();
    let lookup = res_id.to_owned();
    let found = blocking(move || {
        let found = store.vread(res_type, &lookup, version)?;
        Ok(match found {
            Some(version) if gate.reveal(&store, &version)? => Some(version),
            _ => None,
        })
    })
    .await?
    .ok_or_else(not_found)?;
    if found.deleted {
        return Err(gone(&found).into());
    }
    Ok(version_response(
        StatusCode::OK,
        &found,
        format,
        Return::Representation,
        None,
        "",
    ))
}
