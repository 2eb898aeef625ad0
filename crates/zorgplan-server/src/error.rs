//! Errors as HTTP responses: every failure answers an OperationOutcome with its status.

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use std::fmt;
use zorgplan_fhir::{ErrorKind, FhirError, IssueType};

/// A [`FhirError`] on its way to the client.
#[derive(Debug)]
pub struct ApiError {
    pub error: FhirError,
    /// For 405: the methods the URL allows.
    pub allow: Option<&'static str>,
    /// For 401: the `WWW-Authenticate` challenge (RFC 6750).
    pub challenge: Option<String>,
}

impl From<FhirError> for ApiError {
    fn from(error: FhirError) -> Self {
        ApiError {
            error,
            allow: None,
            challenge: None,
        }
    }
}

impl ApiError {
    pub fn method_not_allowed(method: &str, path: &str, allow: &'static str) -> Self {
        ApiError {
            error: FhirError::new(
                ErrorKind::MethodNotAllowed,
                IssueType::NotSupported,
                format!("{method} is not allowed on {path}; allowed: {allow}"),
            ),
            allow: Some(allow),
            challenge: None,
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.error.fmt(f)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    fn error_response(&self) -> HttpResponse {
        let body = serde_json::to_vec(&self.error.to_operation_outcome()).unwrap_or_default();
        let mut response = HttpResponse::build(self.status_code());
        response.content_type(crate::negotiate::FHIR_JSON_UTF8);
        if let Some(allow) = self.allow {
            response.insert_header((header::ALLOW, HeaderValue::from_static(allow)));
        }
        if let Some(challenge) = self.challenge.as_deref() {
            if let Ok(value) = HeaderValue::from_str(challenge) {
                response.insert_header((header::WWW_AUTHENTICATE, value));
            }
        }
        response.body(body)
    }
}

pub type ApiResult<T = HttpResponse> = Result<T, ApiError>;
