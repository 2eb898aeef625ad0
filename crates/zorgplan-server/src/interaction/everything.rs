//! `GET Patient/[id]/$everything`: the patient and every resource in its compartment (R4's
//! Patient CompartmentDefinition), as a searchset, `_count` at a time. `_since` keeps what
//! changed since an instant, `_type` the listed types. Pages run through the types in order
//! (the patient first), each in storage order; the cursor is `Type:pk`.

use crate::bundle::BundleWriter;
use crate::error::ApiResult;
use crate::negotiate::response_format;
use crate::params::{self, query_pairs, to_query};
use crate::respond::{base_url, json_body};
use crate::{blocking, AppState};
use actix_web::{HttpRequest, HttpResponse};
use serde_json::json;
use zorgplan_fhir::{r4, FhirError};
use zorgplan_store::Criteria;

pub async fn everything(req: &HttpRequest, state: &AppState, id: &str) -> ApiResult {
    let all = query_pairs(req.query_string());
    let format = response_format(req, &all)?;
    let count = params::count(&all, state.config.default_count, state.config.max_count)?;
    let registry = state.store.search_parameters();
    let mut types: Vec<&'static str> = r4::RESOURCE_TYPES
        .iter()
        .map(|t| t.name)
        .filter(|t| *t == "Patient" || !registry.patient_compartment(t).is_empty())
        .collect();
    types.sort_by_key(|t| (*t != "Patient", *t));
    if let Some(list) = params::last(&all, "_type") {
        let wanted: Vec<&str> = list.split(',').map(str::trim).collect();
        if let Some(bad) = wanted.iter().find(|w| !types.contains(w)) {
            return Err(FhirError::bad_request(format!(
                "_type: '{bad}' is not a resource type of the Patient compartment"
            ))
            .into());
        }
        types.retain(|t| wanted.contains(t));
    }
    let since = params::last(&all, "_since").map(|s| format!("ge{s}"));
    let raw_cursor = params::last(&all, "__cursor").map(str::to_owned);
    let (start_type, after) = match &raw_cursor {
        None => (0, None),
        Some(c) => {
            let parsed = c.split_once(':').and_then(|(t, pk)| {
                let index = types.iter().position(|x| *x == t)?;
                Some((index, pk.parse::<i64>().ok()?))
            });
            let (index, pk) = parsed.ok_or_else(|| {
                FhirError::bad_request(format!("'{c}' is not a paging cursor of this server"))
            })?;
            (index, Some(pk))
        }
    };

    let store = state.store.clone();
    let id = id.to_owned();
    let patient_id = id.clone();
    let (matches, next) = blocking(move || {
        match store.read("Patient", &patient_id)? {
            Some(v) if !v.deleted => {}
            _ => {
                return Err(FhirError::not_found(format!(
                    "Patient/{patient_id} is not known"
                )))
            }
        }
        let mut matches = Vec::new();
        let mut next = None;
        for (index, res_type) in types.iter().enumerate().skip(start_type) {
            let mut criteria = match &since {
                Some(since) => {
                    let (criteria, _) = Criteria::parse(
                        registry,
                        res_type,
                        &[("_lastUpdated".to_owned(), since.clone())],
                    )?;
                    criteria
                }
                None => Criteria::default(),
            };
            criteria.in_patient_compartment(registry, res_type, &patient_id);
            let after = if index == start_type { after } else { None };
            let remaining = count - matches.len();
            let page = store.search(res_type, &criteria, remaining, after)?;
            matches.extend(page.matches);
            if let Some(pk) = page.next {
                next = Some(format!("{res_type}:{pk}"));
                break;
            }
            if matches.len() >= count {
                next = types.get(index + 1).map(|t| format!("{t}:0"));
                break;
            }
        }
        Ok((matches, next))
    })
    .await?;

    let base = base_url(req, state);
    let used: Vec<(String, String)> = all
        .iter()
        .filter(|(k, _)| k != "__cursor")
        .cloned()
        .collect();
    let link = |cursor: Option<&String>| {
        let mut params = used.clone();
        if let Some(c) = cursor {
            params.push(("__cursor".into(), c.clone()));
        }
        format!("{base}/Patient/{id}/$everything?{}", to_query(&params))
    };
    let mut links = vec![("self", link(raw_cursor.as_ref()))];
    if let Some(next) = &next {
        links.push(("next", link(Some(next))));
    }
    let mut bundle = BundleWriter::new("searchset", &links);
    if raw_cursor.is_none() && next.is_none() {
        bundle.total(matches.len());
    }
    for version in &matches {
        let full_url = format!("{base}/{}/{}", version.res_type, version.id);
        bundle.entry(&full_url, version, json!({ "search": { "mode": "match" } }));
    }
    Ok(HttpResponse::Ok()
        .content_type(format.content_type)
        .body(json_body(bundle.finish(), format)))
}
