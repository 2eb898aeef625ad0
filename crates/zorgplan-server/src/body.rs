//! Reading a request body: media type (415), size (413), strict JSON intake (400/422), then
//! validation against the R4 definitions (422 with every issue).

use crate::error::ApiError;
use crate::negotiate::check_body_type;
use crate::AppState;
use actix_web::http::header;
use actix_web::web::{self, BytesMut};
use actix_web::HttpRequest;
use serde_json::Value;
use zorgplan_fhir::{json, ErrorKind, FhirError, IssueType};

fn too_large(limit: usize) -> ApiError {
    FhirError::new(
        ErrorKind::PayloadTooLarge,
        IssueType::TooLong,
        format!("The request body is larger than the {limit} bytes this server accepts"),
    )
    .into()
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

/// The body as one resource of `expected_type`.
pub async fn read_resource(
    req: &HttpRequest,
    payload: web::Payload,
    expected_type: &str,
    state: &AppState,
) -> Result<Value, ApiError> {
    check_body_type(req)?;
    let bytes = read_bytes(req, payload, state.config.max_body_bytes).await?;
    let resource = json::parse_resource(&bytes, Some(expected_type), state.config.json)?;
    // Validation happens before any database transaction opens; an invalid resource is
    // never stored.
    let issues = state.validator.validate(&resource);
    if zorgplan_validator::has_errors(&issues) {
        return Err(FhirError::with_issues(ErrorKind::Unprocessable, issues).into());
    }
    Ok(resource)
}
