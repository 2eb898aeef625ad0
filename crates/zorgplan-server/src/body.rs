//! Reading a request body: media type (415), size (413), strict JSON intake (400/422), then
//! validation against the R4 definitions (422 with every issue).

use crate::error::ApiError;
use crate::negotiate::{check_body_type, BodyFormat};
use crate::AppState;
use actix_web::http::header;
use actix_web::web::{self, BytesMut};
use actix_web::HttpRequest;
use serde_json::Value;
use zorgplan_fhir::{json, xml, ErrorKind, FhirError, IssueType};

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

/// The body as one resource of `expected_type`.
pub async fn read_resource(
    req: &HttpRequest,
    payload: web::Payload,
    expected_type: &str,
    state: &AppState,
) -> Result<Value, ApiError> {
    let format = check_body_type(req)?;
    let bytes = read_bytes(req, payload, state.config.max_body_bytes).await?;
    let resource = match format {
        BodyFormat::Json => json::parse_resource(&bytes, Some(expected_type), state.config.json)?,
        BodyFormat::Xml => {
            json::check_body_resource(parse_xml(&bytes, state)?, Some(expected_type))?
        }
    };
    // Validation happens before any database transaction opens; an invalid resource is
    // never stored.
    let issues = state.validator.validate(&resource);
    if zorgplan_validator::has_errors(&issues) {
        return Err(FhirError::with_issues(ErrorKind::Unprocessable, issues).into());
    }
    Ok(resource)
}
