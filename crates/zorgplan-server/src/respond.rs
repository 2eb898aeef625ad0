//! Responses that carry a resource version: status, ETag, Last-Modified, Location and a body
//! as the client prefers it.

use crate::negotiate::{Format, Return};
use crate::AppState;
use actix_web::http::header;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use zorgplan_fhir::outcome::{operation_outcome, Issue};
use zorgplan_store::Version;

/// The server's base URL, without a trailing slash.
pub fn base_url(req: &HttpRequest, state: &AppState) -> String {
    match &state.config.base_url {
        Some(base) => base.trim_end_matches('/').to_owned(),
        None => {
            let info = req.connection_info();
            format!("{}://{}", info.scheme(), info.host())
        }
    }
}

/// JSON text as the client wants it (indented for `_pretty=true`).
pub fn json_body(text: String, format: Format) -> Vec<u8> {
    if format.pretty {
        if let Ok(value) = serde_json::from_str::<serde_json::Value>(&text) {
            if let Ok(pretty) = serde_json::to_vec_pretty(&value) {
                return pretty;
            }
        }
    }
    text.into_bytes()
}

/// A JSON value as the response body.
pub fn json_response(
    status: StatusCode,
    value: &serde_json::Value,
    format: Format,
) -> HttpResponse {
    let text = serde_json::to_string(value).unwrap_or_default();
    HttpResponse::build(status)
        .content_type(format.content_type)
        .body(json_body(text, format))
}

/// The versioned URL of a version: `{base}/{type}/{id}/_history/{vid}`.
pub fn version_url(base: &str, version: &Version) -> String {
    format!(
        "{base}/{}/{}/_history/{}",
        version.res_type, version.id, version.version
    )
}

/// A response about one version: ETag and Last-Modified always, Location when asked, and the
/// body per `Prefer: return` (`message` is the OperationOutcome's text).
pub fn version_response(
    status: StatusCode,
    version: &Version,
    format: Format,
    prefer: Return,
    location: Option<&str>,
    message: &str,
) -> HttpResponse {
    let mut response = HttpResponse::build(status);
    response
        .insert_header((header::ETAG, zorgplan_fhir::id::etag(version.version)))
        .insert_header((header::LAST_MODIFIED, version.last_updated.to_http_date()));
    if let Some(location) = location {
        response.insert_header((header::LOCATION, location.to_owned()));
    }
    match (prefer, &version.content) {
        (Return::Minimal, _) => response.finish(),
        (Return::OperationOutcome, _) | (Return::Representation, None) => {
            let outcome = operation_outcome(&[Issue::information(message)]);
            let text = serde_json::to_string(&outcome).unwrap_or_default();
            response
                .content_type(format.content_type)
                .body(json_body(text, format))
        }
        (Return::Representation, Some(content)) => response
            .content_type(format.content_type)
            .body(json_body(content.clone(), format)),
    }
}
