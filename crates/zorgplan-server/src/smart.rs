//! SMART on FHIR endpoints outside the FHIR API: the discovery document
//! (`GET /.well-known/smart-configuration`) and the token endpoint of SMART Backend Services
//! (`POST /auth/token`, `client_credentials` with a signed client assertion). Both need no
//! access token; their answers are plain JSON as OAuth 2.0 defines them (RFC 6749 §5), not
//! OperationOutcomes.

use crate::access::Authentication;
use crate::body::read_bytes;
use crate::error::ApiResult;
use crate::params::query_pairs;
use crate::AppState;
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::json;
use zorgplan_fhir::FhirError;

/// The signing algorithms accepted for client assertions and tokens.
pub const ALGORITHMS: [&str; 4] = ["RS256", "RS384", "ES256", "ES384"];

/// `GET /.well-known/smart-configuration`: what a client needs to get a token here.
pub async fn configuration(state: &AppState) -> ApiResult {
    let Authentication::Tokens(tokens) = &state.config.auth else {
        return Err(FhirError::not_found(
            "This server runs without authentication (development mode): there is no SMART configuration",
        )
        .into());
    };
    let mut document = json!({
        "capabilities": ["permission-v1", "permission-v2"],
        "scopes_supported": ["patient/*.cruds", "user/*.cruds", "system/*.cruds", "patient/*.read",
                              "user/*.read", "system/*.read", "launch/patient", "fhirUser"],
    });
    if let Some(verifier) = tokens.verifiers.first() {
        document["issuer"] = json!(verifier.issuer());
    }
    if let Some(service) = &tokens.service {
        document["token_endpoint"] = json!(service.token_endpoint());
        document["token_endpoint_auth_methods_supported"] = json!(["private_key_jwt"]);
        document["token_endpoint_auth_signing_alg_values_supported"] = json!(ALGORITHMS);
        document["grant_types_supported"] = json!(["client_credentials"]);
        document["capabilities"]
            .as_array_mut()
            .expect("an array")
            .push(json!("client-confidential-asymmetric"));
        if tokens.identity.is_some() && !tokens.apps.is_empty() {
            document["authorization_endpoint"] =
                json!(format!("{}/auth/authorize", service.issuer()));
            document["grant_types_supported"] = json!(["client_credentials", "authorization_code"]);
            document["code_challenge_methods_supported"] = json!(["S256"]);
            document["response_types_supported"] = json!(["code"]);
            let capabilities = document["capabilities"].as_array_mut().expect("an array");
            for capability in [
                "launch-standalone",
                "client-public",
                "context-standalone-patient",
                "permission-patient",
            ] {
                capabilities.push(json!(capability));
            }
        }
    }
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .body(document.to_string()))
}

fn oauth_error(status: StatusCode, error: &str, description: &str) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("application/json")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::PRAGMA, "no-cache"))
        .body(json!({"error": error, "error_description": description}).to_string())
}

/// `POST /auth/token` (form-encoded): an access token for a registered system client.
pub async fn token(req: &HttpRequest, state: &AppState, payload: web::Payload) -> ApiResult {
    let service = match &state.config.auth {
        Authentication::Tokens(tokens) if tokens.service.is_some() => tokens.clone(),
        _ => {
            return Err(FhirError::not_found(
                "This server issues no tokens: no system clients are registered (--clients)",
            )
            .into())
        }
    };
    if !crate::body::is_form(req) {
        return Ok(oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "a token request is application/x-www-form-urlencoded",
        ));
    }
    let body = read_bytes(req, payload, 64 * 1024).await?;
    let form = query_pairs(&String::from_utf8_lossy(&body));
    let now = crate::access::now_seconds();
    let issued = web::block(move || {
        let tokens = service;
        let service = tokens.service.as_ref().expect("checked above");
        service.token(&form, &tokens.clients, now)
    })
    .await
    .map_err(|_| FhirError::internal("The token request's task failed"))?;
    Ok(match issued {
        Ok(issued) => {
            tracing::info!(
                client = issued.client_id,
                scope = issued.scope,
                "token issued"
            );
            HttpResponse::Ok()
                .content_type("application/json")
                .insert_header((header::CACHE_CONTROL, "no-store"))
                .insert_header((header::PRAGMA, "no-cache"))
                .body({
                    let mut answer = json!({"access_token": issued.access_token, "token_type": "bearer",
                           "expires_in": issued.expires_in, "scope": issued.scope});
                    if let Some(patient) = &issued.patient {
                        answer["patient"] = json!(patient);
                    }
                    answer.to_string()
                })
        }
        Err(refusal) => {
            tracing::warn!(
                error = refusal.error,
                why = refusal.description,
                "token refused"
            );
            let status = if refusal.error == "invalid_client" {
                StatusCode::UNAUTHORIZED
            } else {
                StatusCode::BAD_REQUEST
            };
            oauth_error(status, refusal.error, &refusal.description)
        }
    })
}
