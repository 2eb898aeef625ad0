//! search-type (`GET [type]?…` and `POST [type]/_search`), over the parameters the store
//! supports; unknown parameters are errors under `Prefer: handling=strict` and otherwise
//! ignored (and left out of the self link, as the specification asks).

use crate::access::Gate;
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
use zorgplan_auth::Interaction;
use zorgplan_fhir::{ErrorKind, FhirError, IssueType};
use zorgplan_store::{Criteria, Include, PageAt, SearchPage, SortCursor, SortKey};

async fn search(
    req: &HttpRequest,
    state: &AppState,
    res_type: &'static str,
    all: Vec<(String, String)>,
    compartment: Option<&str>,
) -> ApiResult {
    let format = response_format(req, &all)?;
    let gate = Gate::of(req);
    gate.may_start(res_type, Interaction::Search)?;
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
    // A page is after (`__cursor`) or before (`__before`) an entry, named by its pk in
    // storage order or, sorted, by its sort values and pk as a JSON array.
    let at = params::page_at(&all)?;
    let parse_pk = |c: &String| c.parse::<i64>().map_err(|_| params::bad_cursor(c));
    let parse_sorted = |c: &String| -> Result<SortCursor, FhirError> {
        let mut values: Vec<Value> = serde_json::from_str(c).map_err(|_| params::bad_cursor(c))?;
        let pk = values
            .pop()
            .and_then(|v| v.as_i64())
            .ok_or_else(|| params::bad_cursor(c))?;
        if values.len() != sort.len() {
            return Err(params::bad_cursor(c));
        }
        Ok((values, pk))
    };
    let (pk_at, sorted_at) = if sort.is_empty() {
        (at.try_map(parse_pk)?, PageAt::First)
    } else {
        (PageAt::First, at.try_map(parse_sorted)?)
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
    let mut query = criteria.clone();
    let limit = state.config.max_count;
    let want_total =
        summary == Summary::Count || matches!(total_mode.as_str(), "estimate" | "accurate");
    if !gate.unrestricted() {
        gate.trail.query(&format!(
            "{}?{}",
            req.path().trim_start_matches('/'),
            to_query(&all)
        ));
    }
    let (page, included, total) = blocking(move || {
        // Only what the caller may see is searched, so that totals and pages hold nothing
        // else.
        gate.restrict(&store, res_type, &mut query)?;
        let total = if want_total {
            Some(store.count(res_type, &query)?)
        } else {
            None
        };
        if summary == Summary::Count {
            return Ok((SearchPage::default(), Vec::new(), total));
        }
        // Cursors become text: a pk, or sort values and pk as a JSON array.
        let page = if sort.is_empty() {
            let mut page = store.search(res_type, &query, count, &pk_at)?;
            if matches!(pk_at, PageAt::Before(_)) && page.matches.len() < count {
                // Fewer than a page precede the cursor (some were deleted): the first page.
                page = store.search(res_type, &query, count, &PageAt::First)?;
            }
            SearchPage {
                matches: page.matches,
                next: page.next.map(|pk| pk.to_string()),
                previous: page.previous.map(|pk| pk.to_string()),
            }
        } else {
            let mut page = store.search_sorted(res_type, &query, &sort, count, &sorted_at)?;
            if matches!(sorted_at, PageAt::Before(_)) && page.matches.len() < count {
                page = store.search_sorted(res_type, &query, &sort, count, &PageAt::First)?;
            }
            let text = |(mut values, pk): SortCursor| {
                values.push(Value::from(pk));
                Value::Array(values).to_string()
            };
            SearchPage {
                matches: page.matches,
                next: page.next.map(text),
                previous: page.previous.map(text),
            }
        };
        let included = store.included(&page.matches, &includes, &revincludes, limit)?;
        // The matches are what the caller may see (the criteria say so); the includes are
        // judged one by one.
        gate.disclose(&store, &page.matches);
        let included = gate.shown(&store, included)?;
        Ok((page, included, total))
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
    let complete = at == PageAt::First && page.next.is_none();
    let links = params::page_links(&at, page.next, page.previous, |cursor| {
        let mut params = used.clone();
        if let Some((name, value)) = cursor {
            params.push((name.to_owned(), value));
        }
        format!("{base}/{path}?{}", to_query(&params))
    });
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
    super::check_id(id)?;
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
