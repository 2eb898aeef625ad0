//! $validate (`POST [type]/$validate`, `POST [type]/[id]/$validate`): validates a resource
//! with the same validator as every write, stores nothing, and answers 200 with an
//! OperationOutcome of every issue found ("All OK" when there are none).
//!
//! The body is the resource itself, or a Parameters with `resource`, `mode` (create, update,
//! delete) and `profile`; without Parameters, `mode` and `profile` may come in the query.
//! A request the operation cannot carry out — a body that is not JSON, a resource of another
//! type, an unknown mode or profile — answers 400; `mode=delete` for a resource that does not
//! exist answers 404.

use crate::access::Gate;
use crate::body::{self, parse_body, read_bytes};
use crate::error::ApiResult;
use crate::negotiate::{check_body_type, response_format};
use crate::params::{last, query_pairs};
use crate::respond::json_response;
use crate::{blocking, AppState};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest};
use serde_json::Value;
use zorgplan_auth::Interaction;
use zorgplan_fhir::json::check_representation;
use zorgplan_fhir::outcome::{operation_outcome, Issue};
use zorgplan_fhir::{FhirError, IssueType};

/// The parameters of the operation.
struct Request {
    resource: Option<Value>,
    mode: Option<String>,
    profile: Option<String>,
}

fn parameter<'v>(parameters: &'v Value, name: &str) -> Option<&'v Value> {
    parameters["parameter"]
        .as_array()?
        .iter()
        .find(|p| p["name"] == name)
}

fn read_request(body: Value, res_type: &str, query: &[(String, String)]) -> Request {
    if body["resourceType"] == "Parameters" && res_type != "Parameters" {
        let text = |name: &str, keys: &[&str]| {
            parameter(&body, name)
                .and_then(|p| keys.iter().find_map(|k| p[*k].as_str()).map(str::to_owned))
        };
        Request {
            mode: text("mode", &["valueCode", "valueString"]),
            profile: text("profile", &["valueUri", "valueCanonical", "valueString"]),
            resource: parameter(&body, "resource").map(|p| p["resource"].clone()),
        }
    } else {
        Request {
            mode: last(query, "mode").map(str::to_owned),
            profile: last(query, "profile").map(str::to_owned),
            resource: Some(body),
        }
    }
}

pub async fn validate(
    req: &HttpRequest,
    state: &AppState,
    res_type: &'static str,
    id: Option<&str>,
    payload: web::Payload,
) -> ApiResult {
    if let Some(id) = id {
        super::check_id(id)?;
    }
    let query = query_pairs(req.query_string());
    let format = response_format(req, &query)?;
    let body_format = check_body_type(req)?;
    let bytes = read_bytes(req, payload, state.config.max_body_bytes).await?;
    let request = read_request(parse_body(&bytes, body_format, state)?, res_type, &query);
    match request.mode.as_deref() {
        None | Some("create" | "update" | "delete" | "profile") => {}
        Some(other) => {
            return Err(FhirError::bad_request(format!(
                "mode '{other}' is not one of create, update, delete, profile"
            ))
            .into())
        }
    }

    if request.mode.as_deref() == Some("delete") {
        let Some(id) = id else {
            return Err(FhirError::bad_request(
                "mode=delete validates the deletion of one resource: use [type]/[id]/$validate",
            )
            .into());
        };
        // Whether the caller may delete it: the scopes, then the resource as the gate judges
        // a delete (404 for what the caller may not see, 403 for what it may not change).
        let gate = Gate::of(req);
        gate.may_start(res_type, Interaction::Delete)?;
        let store = state.store.clone();
        let target = id.to_owned();
        let current = blocking(move || {
            let current = store.read(res_type, &target)?.filter(|v| !v.deleted);
            if let Some(version) = &current {
                let old: Option<Value> = version
                    .content
                    .as_deref()
                    .and_then(|c| serde_json::from_str(c).ok());
                gate.may_write(&store, res_type, old.as_ref(), None)?;
            }
            Ok(current)
        })
        .await?;
        if current.is_none() {
            return Err(FhirError::not_found(format!("{res_type}/{id} is not known")).into());
        }
        let outcome = operation_outcome(&[Issue::information(format!(
            "{res_type}/{id} may be deleted"
        ))]);
        return Ok(json_response(StatusCode::OK, &outcome, format));
    }

    let Some(resource) = request.resource.filter(Value::is_object) else {
        return Err(FhirError::bad_request("There is no resource to validate").into());
    };
    if resource["resourceType"] != res_type {
        return Err(FhirError::bad_request(format!(
            "The resource is a {}, but the URL is for {res_type}",
            resource["resourceType"]
                .as_str()
                .unwrap_or("resource without a type")
        ))
        .into());
    }
    let mut issues = Vec::new();
    if request.mode.as_deref() == Some("update") {
        match (resource["id"].as_str(), id) {
            (None, _) => issues.push(
                Issue::error(IssueType::Required, "An update needs the resource's id")
                    .at(format!("{res_type}.id")),
            ),
            (Some(body_id), Some(url_id)) if body_id != url_id => issues.push(
                Issue::error(
                    IssueType::Invalid,
                    format!("The resource's id '{body_id}' is not the id '{url_id}' in the URL"),
                )
                .at(format!("{res_type}.id")),
            ),
            _ => {}
        }
    }
    issues.extend(check_representation(&resource));
    let found = body::validate(
        state,
        &Gate::of(req),
        &resource,
        request.profile.as_deref(),
        &std::collections::HashMap::new(),
    )
    .await?
    .map_err(|url| {
        FhirError::new(
            zorgplan_fhir::ErrorKind::BadRequest,
            IssueType::NotSupported,
            format!("The profile {url} is not known to this server"),
        )
    })?;
    issues.extend(found);
    Ok(json_response(
        StatusCode::OK,
        &operation_outcome(&issues),
        format,
    ))
}
