//! history at instance (`GET [type]/[id]/_history`), type (`GET [type]/_history`) and system
//! (`GET _history`) level, newest first, with `_since`, `_count` and paging links.

use crate::access::Gate;
use crate::bundle::BundleWriter;
use crate::error::ApiResult;
use crate::negotiate::{response_format, Prefer};
use crate::params::{self, query_pairs, to_query};
use crate::respond::{base_url, json_body};
use crate::{blocking, AppState};
use actix_web::{HttpRequest, HttpResponse};
use serde_json::json;
use zorgplan_auth::Interaction;
use zorgplan_fhir::{id, FhirError};
use zorgplan_store::{HistoryCursor, HistoryQuery, HistoryScope, Timestamp, Version};

/// Parameters of the history interaction that this server supports.
pub const PARAMS: &[&str] = &["_since", "_count"];

fn request_of(version: &Version) -> serde_json::Value {
    let (method, url, status) = match (version.method.as_str(), version.version) {
        ("POST", _) => ("POST", version.res_type.clone(), "201 Created"),
        ("DELETE", _) => (
            "DELETE",
            format!("{}/{}", version.res_type, version.id),
            "204 No Content",
        ),
        (_, 1) => (
            "PUT",
            format!("{}/{}", version.res_type, version.id),
            "201 Created",
        ),
        _ => (
            "PUT",
            format!("{}/{}", version.res_type, version.id),
            "200 OK",
        ),
    };
    json!({
        "request": { "method": method, "url": url },
        "response": {
            "status": status,
            "etag": id::etag(version.version),
            "lastModified": version.last_updated.to_instant(),
        }
    })
}

/// Whose history, owned so that it can move to the blocking pool.
enum Scope {
    Instance(&'static str, String),
    Type(&'static str),
    System,
}

async fn history(req: &HttpRequest, state: &AppState, scope: Scope) -> ApiResult {
    let path = match &scope {
        Scope::Instance(res_type, id) => format!("{res_type}/{id}/_history"),
        Scope::Type(res_type) => format!("{res_type}/_history"),
        Scope::System => "_history".to_owned(),
    };
    let all = query_pairs(req.query_string());
    let format = response_format(req, &all)?;
    let strict = Prefer::of(req).strict;
    let mut used = Vec::new();
    for (name, value) in params::without_result_params(&all) {
        if PARAMS.contains(&name.as_str()) {
            used.push((name, value));
        } else if strict {
            return Err(FhirError::bad_request(format!(
                "The history interaction does not support the parameter '{name}'"
            ))
            .into());
        }
    }
    let since = match params::last(&used, "_since") {
        None => None,
        // An unencoded `+` of a time zone arrives as a space.
        Some(s) => Some(
            Timestamp::parse_instant(&s.replace(' ', "+")).ok_or_else(|| {
                FhirError::bad_request(format!("_since must be an instant, not '{s}'"))
            })?,
        ),
    };
    let count = params::count(&all, state.config.default_count, state.config.max_count)?;
    let cursor = match params::last(&all, "__cursor") {
        None => None,
        Some(c) => Some(HistoryCursor::decode(c).ok_or_else(|| params::bad_cursor(c))?),
    };
    let query = HistoryQuery {
        since,
        cursor,
        count,
    };
    let gate = Gate::of(req);
    match &scope {
        Scope::Instance(res_type, _) => gate.may_start(res_type, Interaction::Read)?,
        _ => gate.may_list_history()?,
    }
    let store = state.store.clone();
    let page = blocking(move || {
        let scope = match &scope {
            Scope::Instance(res_type, id) => {
                // The resource's history when the caller may see it now (or, deleted,
                // before its deletion); of its versions, those the caller may see.
                match store.read(res_type, id)? {
                    Some(current) if gate.reveal(&store, &current)? => {}
                    _ => return Ok(None),
                }
                HistoryScope::Instance { res_type, id }
            }
            Scope::Type(res_type) => HistoryScope::Type(res_type),
            Scope::System => HistoryScope::System,
        };
        let Some(mut page) = store.history(scope, query)? else {
            return Ok(None);
        };
        page.versions = gate.shown(&store, page.versions)?;
        Ok(Some(page))
    })
    .await?
    .ok_or_else(|| {
        FhirError::not_found(format!(
            "{} is not known",
            path.trim_end_matches("/_history")
        ))
    })?;

    let base = base_url(req, state);
    let mut link_params = used;
    link_params.push(("_count".into(), count.to_string()));
    let link = |params: &[(String, String)]| format!("{base}/{path}?{}", to_query(params));
    let mut links = vec![("self", link(&all_with_cursor(&link_params, cursor)))];
    if let Some(next) = page.next {
        links.push(("next", link(&all_with_cursor(&link_params, Some(next)))));
    }
    let mut bundle = BundleWriter::new("history", &links);
    for version in &page.versions {
        let full_url = format!("{base}/{}/{}", version.res_type, version.id);
        bundle.entry(&full_url, version, request_of(version));
    }
    Ok(HttpResponse::Ok()
        .content_type(format.content_type)
        .body(json_body(bundle.finish(), format)))
}

fn all_with_cursor(
    params: &[(String, String)],
    cursor: Option<HistoryCursor>,
) -> Vec<(String, String)> {
    let mut out = params.to_vec();
    if let Some(cursor) = cursor {
        out.push(("__cursor".into(), cursor.encode()));
    }
    out
}

pub async fn instance(
    req: &HttpRequest,
    state: &AppState,
    res_type: &'static str,
    res_id: &str,
) -> ApiResult {
    if !id::is_valid_id(res_id) {
        return Err(FhirError::not_found(format!("{res_type}/{res_id} is not known")).into());
    }
    history(req, state, Scope::Instance(res_type, res_id.to_owned())).await
}

pub async fn type_(req: &HttpRequest, state: &AppState, res_type: &'static str) -> ApiResult {
    history(req, state, Scope::Type(res_type)).await
}

pub async fn system(req: &HttpRequest, state: &AppState) -> ApiResult {
    history(req, state, Scope::System).await
}
