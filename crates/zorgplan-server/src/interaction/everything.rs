//! `GET Patient/[id]/$everything`: the patient and every resource in its compartment (R4's
//! Patient CompartmentDefinition; AuditEvents only when `_type` names them), as a searchset, `_count` at a time. `_since` keeps what
//! changed since an instant, `_type` the listed types. Pages run through the types in order
//! (the patient first), each in storage order; a cursor is `Type:pk` of an entry, for the
//! page after it (`next`) or before it (`previous`). Only the types that something of the
//! compartment has are searched (the store looks them up in one query).

use crate::access::Gate;
use crate::bundle::BundleWriter;
use crate::error::ApiResult;
use crate::negotiate::response_format;
use crate::params::{self, query_pairs, to_query};
use crate::respond::{base_url, json_body};
use crate::{blocking, AppState};
use actix_web::{HttpRequest, HttpResponse};
use serde_json::json;
use zorgplan_auth::Interaction;
use zorgplan_fhir::{r4, FhirError};
use zorgplan_store::{Criteria, PageAt, SearchPage};

pub async fn everything(req: &HttpRequest, state: &AppState, id: &str) -> ApiResult {
    super::check_id(id)?;
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
    } else {
        // The audit trail is not part of the record itself: only when asked for by _type.
        types.retain(|t| *t != "AuditEvent");
    }
    let since = params::last(&all, "_since").map(|s| format!("ge{s}"));
    // `__cursor` (a next link) or `__before` (a previous link): `Type:pk` of an entry.
    let at = params::page_at(&all)?;
    let cursor_at = at.try_map(|c| {
        c.split_once(':')
            .and_then(|(t, pk)| {
                let index = types.iter().position(|x| *x == t)?;
                Some((index, pk.parse::<i64>().ok()?))
            })
            .ok_or_else(|| params::bad_cursor(c))
    })?;

    let gate = Gate::of(req);
    gate.may_start("Patient", Interaction::Read)?;
    // The types the caller's scopes let it search.
    types.retain(|t| gate.caller.may(t, Interaction::Search));
    let auditing = gate.clone();
    let store = state.store.clone();
    let id = id.to_owned();
    let patient_id = id.clone();
    let page = blocking(move || {
        match store.read("Patient", &patient_id)? {
            Some(v) if !v.deleted && gate.reveal(&store, &v)? => {}
            _ => {
                return Err(FhirError::not_found(format!(
                    "Patient/{patient_id} is not known"
                )))
            }
        }
        let criteria = |res_type: &str| -> Result<Criteria, FhirError> {
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
            // Of the compartment, what the caller may see.
            gate.restrict(&store, res_type, &mut criteria)?;
            Ok(criteria)
        };
        // Only the types with something in the compartment are searched (one lookup of
        // what refers to the patient instead of a search per type).
        let present = store.patient_compartment_types(&patient_id)?;
        let searched = |index: &usize| {
            types[*index] == "Patient" || present.iter().any(|t| t == types[*index])
        };
        let cursor = |index: usize, pk: i64| format!("{}:{pk}", types[index]);
        // The first of these types with a match: where a page that ends with a type goes on.
        let first_with_match = |indexes: &mut dyn Iterator<Item = usize>| {
            for index in indexes.filter(searched) {
                let probe =
                    store.search(types[index], &criteria(types[index])?, 1, &PageAt::First)?;
                if !probe.matches.is_empty() {
                    return Ok(Some(index));
                }
            }
            Ok::<_, FhirError>(None)
        };
        if let PageAt::Before((start_type, before)) = cursor_at {
            // Backwards through the types from the cursor's, each newest first.
            let mut page = SearchPage::<String>::default();
            for index in (0..=start_type).rev().filter(searched) {
                let at = PageAt::Before(if index == start_type {
                    before
                } else {
                    i64::MAX
                });
                let remaining = count - page.matches.len();
                let part = store.search(types[index], &criteria(types[index])?, remaining, &at)?;
                if page.next.is_none() {
                    page.next = part.next.map(|pk| cursor(index, pk));
                }
                let mut matches = part.matches;
                matches.append(&mut page.matches);
                page.matches = matches;
                if let Some(pk) = part.previous {
                    page.previous = Some(cursor(index, pk));
                    break;
                }
                if page.matches.len() >= count {
                    page.previous =
                        first_with_match(&mut (0..index).rev())?.map(|i| cursor(i, i64::MAX));
                    break;
                }
            }
            if page.matches.len() == count {
                return Ok(page);
            }
            // Fewer than a page precede the cursor (some were deleted): the first page.
        }
        let (start_type, after) = match cursor_at {
            PageAt::After((index, pk)) => (index, Some(pk)),
            _ => (0, None),
        };
        let mut page = SearchPage::<String>::default();
        for (index, res_type) in types
            .iter()
            .enumerate()
            .skip(start_type)
            .filter(|(i, _)| searched(i))
        {
            let at = match after {
                Some(pk) if index == start_type => PageAt::After(pk),
                _ => PageAt::First,
            };
            let remaining = count - page.matches.len();
            let part = store.search(res_type, &criteria(res_type)?, remaining, &at)?;
            if index == start_type && after.is_some() {
                page.previous = part.previous.map(|pk| cursor(index, pk));
            }
            page.matches.extend(part.matches);
            if let Some(pk) = part.next {
                page.next = Some(cursor(index, pk));
                break;
            }
            if page.matches.len() >= count {
                page.next = first_with_match(&mut (index + 1..types.len()))?.map(|i| cursor(i, 0));
                break;
            }
        }
        if page.previous.is_none() {
            // After the cursor but nothing left: the page before it ends with it.
            if let PageAt::After((index, pk)) = cursor_at {
                page.previous = Some(cursor(index, pk + 1));
            }
        }
        Ok(page)
    })
    .await?;

    auditing.disclose(&state.store, &page.matches);
    let base = base_url(req, state);
    let used: Vec<(String, String)> = all
        .iter()
        .filter(|(k, _)| k != "__cursor" && k != "__before")
        .cloned()
        .collect();
    let complete = at == PageAt::First && page.next.is_none();
    let links = params::page_links(&at, page.next, page.previous, |cursor| {
        let mut params = used.clone();
        if let Some((name, c)) = cursor {
            params.push((name.into(), c));
        }
        format!("{base}/Patient/{id}/$everything?{}", to_query(&params))
    });
    let mut bundle = BundleWriter::new("searchset", &links);
    if complete {
        bundle.total(page.matches.len());
    }
    for version in &page.matches {
        let full_url = format!("{base}/{}/{}", version.res_type, version.id);
        bundle.entry(&full_url, version, json!({ "search": { "mode": "match" } }));
    }
    Ok(HttpResponse::Ok()
        .content_type(format.content_type)
        .body(json_body(bundle.finish(), format)))
}
