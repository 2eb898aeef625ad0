//! search-type (`GET [type]?…` and `POST [type]/_search`), over the parameters the store
//! supports; unknown parameters are errors under `Prefer: handling=strict` and otherwise
//! ignored (and left out of the self link, as the specification asks).

use crate::body::read_bytes;
use crate::bundle::BundleWriter;
use crate::error::ApiResult;
use crate::negotiate::{response_format, Prefer};
use crate::params::{self, query_pairs, to_query};
use crate::respond::{base_url, json_body};
use crate::shape::{Shape, Summary};
use crate::{blocking, AppState};
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::json;
use serde_json::Value;
use zorgplan_fhir::{ErrorKind, FhirError, IssueType};
use zorgplan_store::{Criteria, Include, SortKey};

async fn search(
    req: &HttpRequest,
    state: &AppState,
    res_type: &'static str,
    all: Vec<(String, String)>,
    compartment: Option<&str>,
) -> ApiResult {
    let format = response_format(req, &all)?;
    let strict = Prefer::of(req).strict;
    let (mut criteria, unknown) = Criteria::parse(
        state.store.search_parameters(),
        res_type,
        &params::without_result_params(&all),
    )?;
    if let Some(id) = compartment {
        if !criteria.in_patient_compartment(state.store.search_parameters(), res_type, id) {
            return Err(FhirError::bad_request(format!(
                "{res_type} resources are not in the Patient compartment"
            ))
            .into());
        }
    }
    if strict {
        if let Some((name, _)) = unknown.first() {
            return Err(FhirError::bad_request(format!(
                "The search parameter '{name}' is not supported for {res_type}"
            ))
            .into());
        }
    }
    let count = params::count(&all, state.config.default_count, state.config.max_count)?;
    let registry = state.store.search_parameters();
    let sort = match params::last(&all, "_sort") {
        Some(value) => SortKey::parse(registry, res_type, value)?,
        None => Vec::new(),
    };
    // A page's cursor: the last pk in storage order, or, sorted, the last entry's sort values
    // and pk as a JSON array.
    let bad_cursor =
        |c: &str| FhirError::bad_request(format!("'{c}' is not a paging cursor of this server"));
    let raw_cursor = params::last(&all, "__cursor").map(str::to_owned);
    let before = match params::last(&all, "__before") {
        None => None,
        Some(b) if sort.is_empty() => Some(b.parse::<i64>().map_err(|_| bad_cursor(b))?),
        Some(b) => return Err(bad_cursor(b).into()),
    };
    let (cursor, sort_cursor) = match (&raw_cursor, sort.is_empty()) {
        (None, _) => (None, None),
        (Some(c), true) => (Some(c.parse::<i64>().map_err(|_| bad_cursor(c))?), None),
        (Some(c), false) => {
            let mut values: Vec<Value> = serde_json::from_str(c).map_err(|_| bad_cursor(c))?;
            let pk = values
                .pop()
                .and_then(|v| v.as_i64())
                .ok_or_else(|| bad_cursor(c))?;
            if values.len() != sort.len() {
                return Err(bad_cursor(c).into());
            }
            (None, Some((values, pk)))
        }
    };
    let mut includes = Vec::new();
    let mut revincludes = Vec::new();
    for (name, value) in &all {
        let (list, iterate) = match name.as_str() {
            "_include" => (&mut includes, false),
            "_include:iterate" => (&mut includes, true),
            "_revinclude" => (&mut revincludes, false),
            "_revinclude:iterate" => (&mut revincludes, true),
            _ => continue,
        };
        list.push(Include::parse(registry, value, iterate)?);
    }
    let summary = Summary::parse(params::last(&all, "_summary"))?;
    let shape = Shape::of(summary, params::last(&all, "_elements"));
    let total_mode = params::last(&all, "_total").unwrap_or("default").to_owned();
    if !matches!(
        total_mode.as_str(),
        "default" | "none" | "estimate" | "accurate"
    ) {
        return Err(FhirError::bad_request(format!(
            "_total takes none, estimate or accurate, not '{total_mode}'"
        ))
        .into());
    }
    let store = state.store.clone();
    let query = criteria.clone();
    let limit = state.config.max_count;
    let want_total =
        summary == Summary::Count || matches!(total_mode.as_str(), "estimate" | "accurate");
    let (page, included, total, next_sorted) = blocking(move || {
        let mut next_sorted: Option<String> = None;
        let total = if want_total {
            Some(store.count(res_type, &query)?)
        } else {
            None
        };
        if summary == Summary::Count {
            let empty = zorgplan_store::SearchPage {
                matches: Vec::new(),
                next: None,
                previous: None,
            };
            return Ok((empty, Vec::new(), total, None));
        }
        let page = if let Some(before) = before {
            store.search_before(res_type, &query, count, before)?
        } else if sort.is_empty() {
            store.search(res_type, &query, count, cursor)?
        } else {
            let page = store.search_sorted(res_type, &query, &sort, count, sort_cursor.as_ref())?;
            next_sorted = page.next.map(|(mut values, pk)| {
                values.push(Value::from(pk));
                Value::Array(values).to_string()
            });
            zorgplan_store::SearchPage {
                next: None,
                previous: None,
                matches: page.matches,
            }
        };
        let included = store.included(&page.matches, &includes, &revincludes, limit)?;
        Ok((page, included, total, next_sorted))
    })
    .await?;

    let base = base_url(req, state);
    let mut used: Vec<(String, String)> = params::without_result_params(&all)
        .into_iter()
        .filter(|pair| !unknown.contains(pair))
        .collect();
    used.extend(
        all.iter()
            .filter(|(k, _)| {
                k.starts_with("_include")
                    || k.starts_with("_revinclude")
                    || matches!(k.as_str(), "_summary" | "_elements" | "_total" | "_sort")
            })
            .cloned(),
    );
    used.push(("_count".into(), count.to_string()));
    let path = match compartment {
        Some(id) => format!("Patient/{id}/{res_type}"),
        None => res_type.to_owned(),
    };
    let link = |cursor: Option<(&str, String)>| {
        let mut params = used.clone();
        if let Some((name, value)) = cursor {
            params.push((name.to_owned(), value));
        }
        format!("{base}/{path}?{}", to_query(&params))
    };
    let this = match (&raw_cursor, before) {
        (_, Some(b)) => Some(("__before", b.to_string())),
        (Some(c), None) => Some(("__cursor", c.clone())),
        (None, None) => None,
    };
    let mut links = vec![("self", link(this))];
    let next = page.next.map(|pk| pk.to_string()).or(next_sorted);
    let complete = raw_cursor.is_none() && before.is_none() && next.is_none();
    if let Some(next) = next {
        links.push(("next", link(Some(("__cursor", next)))));
    }
    if let Some(previous) = page.previous {
        links.push(("previous", link(Some(("__before", previous.to_string())))));
    }
    let mut bundle = BundleWriter::new("searchset", &links);
    match (total, total_mode.as_str()) {
        (Some(total), _) => bundle.total(total),
        (None, "none") => {}
        // Without _total, a total is given when it costs nothing: one complete page.
        (None, _) if complete => bundle.total(page.matches.len()),
        (None, _) => {}
    }
    let modes = page
        .matches
        .iter()
        .map(|v| (v, "match"))
        .chain(included.iter().map(|v| (v, "include")));
    for (version, mode) in modes {
        let full_url = format!("{base}/{}/{}", version.res_type, version.id);
        let shaped = version.content.as_deref().and_then(|c| shape.apply(c));
        let shaped_version;
        let version = match shaped {
            Some(content) => {
                shaped_version = zorgplan_store::Version {
                    content: Some(content),
                    ..version.clone()
                };
                &shaped_version
            }
            None => version,
        };
        bundle.entry(&full_url, version, json!({ "search": { "mode": mode } }));
    }
    Ok(HttpResponse::Ok()
        .content_type(format.content_type)
        .body(json_body(bundle.finish(), format)))
}

/// `GET [type]?params`
pub async fn get(req: &HttpRequest, state: &AppState, res_type: &'static str) -> ApiResult {
    let all = query_pairs(req.query_string());
    search(req, state, res_type, all, None).await
}

/// `GET Patient/[id]/[type]?params`: a search within the patient's compartment (R4's Patient
/// CompartmentDefinition).
pub async fn compartment(
    req: &HttpRequest,
    state: &AppState,
    id: &str,
    res_type: &'static str,
) -> ApiResult {
    let all = query_pairs(req.query_string());
    search(req, state, res_type, all, Some(id)).await
}

/// `POST [type]/_search` with the parameters form-encoded in the body (and/or the URL).
pub async fn post(
    req: &HttpRequest,
    state: &AppState,
    res_type: &'static str,
    payload: web::Payload,
) -> ApiResult {
    let mut all = query_pairs(req.query_string());
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let body = read_bytes(req, payload, state.config.max_body_bytes).await?;
    if !body.is_empty() {
        if !content_type.starts_with("application/x-www-form-urlencoded") {
            return Err(FhirError::new(
                ErrorKind::UnsupportedMediaType,
                IssueType::NotSupported,
                "POST _search takes its parameters as application/x-www-form-urlencoded",
            )
            .into());
        }
        all.extend(query_pairs(&String::from_utf8_lossy(&body)));
    }
    search(req, state, res_type, all, None).await
}
