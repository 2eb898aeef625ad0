//! The route table: which URL and method reach which interaction.
//!
//! One explicit match over the path's segments instead of a list of patterns: the whole
//! table is readable in one place, and routing a request costs a split rather than a series
//! of regular-expression matches. A method that a URL does not serve answers 405 with
//! `Allow`; an unknown URL or resource type answers 404. Both are OperationOutcomes.

use crate::error::{ApiError, ApiResult};
use crate::interaction::{
    capabilities, create, delete, everything, history, patch, read, resource_type, search_type,
    terminology, transaction, update, validate, zorgplan,
};
use crate::AppState;
use actix_web::http::Method;
use actix_web::{web, HttpMessage, HttpRequest};
use zorgplan_fhir::FhirError;

/// Registers the dispatcher for every path.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.default_service(web::to(dispatch));
}

fn not_allowed(req: &HttpRequest, allow: &'static str) -> ApiResult {
    Err(ApiError::method_not_allowed(
        req.method().as_str(),
        req.path(),
        allow,
    ))
}

async fn dispatch(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> ApiResult {
    // The capability statement and the SMART endpoints are public; everything else needs a
    // caller.
    let public = matches!(
        req.path().trim_end_matches('/'),
        "/metadata"
            | "/.well-known/smart-configuration"
            | "/auth/token"
            | "/auth/authorize"
            | "/auth/login"
            | "/auth/choose"
    );
    let gate = if public {
        None
    } else {
        let gate = crate::access::authenticate(&req, state.get_ref()).await?;
        req.extensions_mut().insert(gate.clone());
        Some(gate)
    };
    let result = route(&req, payload, state.get_ref()).await;
    // The request's AuditEvents, queued for the audit writer before the answer leaves.
    if let Some(gate) = gate.filter(|g| !g.unrestricted()) {
        use actix_web::ResponseError;
        let status = match &result {
            Ok(response) => response.status().as_u16(),
            Err(e) => e.status_code().as_u16(),
        };
        // Built on the writer's thread, as of now.
        let recorded = zorgplan_store::Timestamp::now();
        state
            .audit
            .send(Box::new(move || {
                gate.trail
                    .events(&gate.caller, &gate.request, status, recorded)
            }))
            .await?;
    }
    result
}

/// The interaction of a request, by its path and method (also for the entries of a batch).
pub async fn route(req: &HttpRequest, payload: web::Payload, state: &AppState) -> ApiResult {
    let req = req.clone();
    let path = req.path().to_owned();
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let method = req.method();
    match segments.as_slice() {
        [""] => match *method {
            Method::POST => transaction::transaction_or_batch(&req, state, payload).await,
            _ => not_allowed(&req, "POST"),
        },
        [".well-known", "smart-configuration"] => match *method {
            Method::GET => crate::smart::configuration(state).await,
            _ => not_allowed(&req, "GET"),
        },
        ["auth", "token"] => match *method {
            Method::POST => crate::smart::token(&req, state, payload).await,
            _ => not_allowed(&req, "POST"),
        },
        ["auth", "authorize"] => match *method {
            Method::GET => crate::pgo::authorize(&req, state).await,
            _ => not_allowed(&req, "GET"),
        },
        ["auth", "login"] => match *method {
            Method::POST => crate::pgo::login(&req, state, payload).await,
            _ => not_allowed(&req, "POST"),
        },
        ["auth", "choose"] => match *method {
            Method::POST => crate::pgo::choose(&req, state, payload).await,
            _ => not_allowed(&req, "POST"),
        },
        ["metadata"] => match *method {
            Method::GET => capabilities::capabilities(&req, state).await,
            _ => not_allowed(&req, "GET"),
        },
        ["_history"] => match *method {
            Method::GET => history::system(&req, state).await,
            _ => not_allowed(&req, "GET"),
        },
        [res_type, "_history"] => {
            let res_type = resource_type(res_type)?;
            match *method {
                Method::GET => history::type_(&req, state, res_type).await,
                _ => not_allowed(&req, "GET"),
            }
        }
        [res_type, "_search"] => {
            let res_type = resource_type(res_type)?;
            match *method {
                Method::POST => search_type::post(&req, state, res_type, payload).await,
                _ => not_allowed(&req, "POST"),
            }
        }
        ["ValueSet", "$expand"] => match *method {
            Method::GET => terminology::expand(&req, state, None).await,
            _ => not_allowed(&req, "GET"),
        },
        ["ValueSet", id, "$expand"] => match *method {
            Method::GET => terminology::expand(&req, state, Some(id)).await,
            _ => not_allowed(&req, "GET"),
        },
        ["ValueSet", "$validate-code"] => match *method {
            Method::GET => terminology::validate_code(&req, state, None).await,
            _ => not_allowed(&req, "GET"),
        },
        ["ValueSet", id, "$validate-code"] => match *method {
            Method::GET => terminology::validate_code(&req, state, Some(id)).await,
            _ => not_allowed(&req, "GET"),
        },
        [res_type, "$validate"] => {
            let res_type = resource_type(res_type)?;
            match *method {
                Method::POST => validate::validate(&req, state, res_type, None, payload).await,
                _ => not_allowed(&req, "POST"),
            }
        }
        [res_type, id, "$validate"] => {
            let res_type = resource_type(res_type)?;
            match *method {
                Method::POST => validate::validate(&req, state, res_type, Some(id), payload).await,
                _ => not_allowed(&req, "POST"),
            }
        }
        [res_type @ ("CarePlan" | "Patient"), id, "$zorgplan"] => {
            let res_type = resource_type(res_type)?;
            match *method {
                Method::GET => zorgplan::zorgplan(&req, state, res_type, id).await,
                _ => not_allowed(&req, "GET"),
            }
        }
        ["Patient", id, "$everything"] => match *method {
            Method::GET => everything::everything(&req, state, id).await,
            _ => not_allowed(&req, "GET"),
        },
        ["Patient", id, res_type] if !res_type.starts_with(['$', '_']) => {
            let res_type = resource_type(res_type)?;
            match *method {
                Method::GET => search_type::compartment(&req, state, id, res_type).await,
                _ => not_allowed(&req, "GET"),
            }
        }
        [res_type, id, "_history", vid] => {
            let res_type = resource_type(res_type)?;
            match *method {
                Method::GET => read::vread(&req, state, res_type, id, vid).await,
                _ => not_allowed(&req, "GET"),
            }
        }
        [res_type, id, "_history"] => {
            let res_type = resource_type(res_type)?;
            match *method {
                Method::GET => history::instance(&req, state, res_type, id).await,
                _ => not_allowed(&req, "GET"),
            }
        }
        [res_type, id] => {
            let res_type = resource_type(res_type)?;
            match *method {
                Method::GET => read::read(&req, state, res_type, id).await,
                Method::PUT => update::update(&req, state, res_type, id, payload).await,
                Method::PATCH => patch::patch(&req, state, res_type, id, payload).await,
                Method::DELETE => delete::delete(&req, state, res_type, id).await,
                _ => not_allowed(&req, "GET, PUT, PATCH, DELETE"),
            }
        }
        [res_type] if !res_type.is_empty() => {
            let res_type = resource_type(res_type)?;
            match *method {
                Method::GET => search_type::get(&req, state, res_type).await,
                Method::POST => create::create(&req, state, res_type, payload).await,
                Method::PUT => update::conditional_update(&req, state, res_type, payload).await,
                Method::PATCH => patch::conditional_patch(&req, state, res_type, payload).await,
                Method::DELETE => delete::conditional_delete(&req, state, res_type).await,
                _ => not_allowed(&req, "GET, POST, PUT, PATCH, DELETE"),
            }
        }
        _ => Err(FhirError::not_found(format!("There is no FHIR endpoint at {path}")).into()),
    }
}
