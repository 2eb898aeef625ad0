//! Terminology operations on the standard's value sets (those of the Zorgplan Kind&Gezin
//! guide, expanded from its code systems) and the R4 core value sets that can be expanded
//! offline (from the core code systems, with their displays): `$expand` (`GET ValueSet/$expand?url=…` or
//! `GET ValueSet/[id]/$expand`, with `filter`, `count` and `offset`) and `$validate-code`
//! (`GET ValueSet/$validate-code?url=…&code=…[&system=…][&display=…]`, or on
//! `ValueSet/[id]`). `[id]` is the value set's id in the guide. A value set this server
//! cannot expand answers 404.

use crate::error::ApiResult;
use crate::negotiate::response_format;
use crate::params::{last, query_pairs};
use crate::respond::json_response;
use crate::AppState;
use actix_web::http::StatusCode;
use actix_web::HttpRequest;
use serde_json::{json, Map, Value};
use zorgplan_fhir::FhirError;
use zorgplan_store::Timestamp;

const GUIDE_VALUE_SETS: &str = "http://fhir.zorgplankindgezin.nl/ValueSet/";

/// The canonical URL of the value set: `url`, or the guide's value set with this id.
fn value_set_url(params: &[(String, String)], id: Option<&str>) -> Result<String, FhirError> {
    match (id, last(params, "url")) {
        (Some(id), _) => {
            super::check_id(id)?;
            Ok(format!("{GUIDE_VALUE_SETS}{id}"))
        }
        (None, Some(url)) => Ok(url.to_owned()),
        (None, None) => Err(FhirError::bad_request(
            "Name the value set: ValueSet/[id]/$… or the parameter url",
        )),
    }
}

fn unknown(url: &str) -> FhirError {
    FhirError::not_found(format!("The value set {url} is not known to this server"))
}

fn number(params: &[(String, String)], name: &str) -> Result<Option<usize>, FhirError> {
    last(params, name)
        .map(|v| {
            v.parse().map_err(|_| {
                FhirError::bad_request(format!("{name} must be a non-negative integer"))
            })
        })
        .transpose()
}

pub async fn expand(req: &HttpRequest, state: &AppState, id: Option<&str>) -> ApiResult {
    let params = query_pairs(req.query_string());
    let format = response_format(req, &params)?;
    let url = value_set_url(&params, id)?;
    let codes = state
        .validator
        .conformance()
        .expand(&url)
        .ok_or_else(|| unknown(&url))?;
    let filter = last(&params, "filter").map(str::to_lowercase);
    let matching: Vec<_> = codes
        .into_iter()
        .filter(|(_, code, display)| {
            filter.as_ref().is_none_or(|f| {
                code.to_lowercase().contains(f)
                    || display
                        .as_ref()
                        .is_some_and(|d| d.to_lowercase().contains(f))
            })
        })
        .collect();
    let offset = number(&params, "offset")?.unwrap_or(0);
    let count = number(&params, "count")?.unwrap_or(usize::MAX);
    let contains: Vec<Value> = matching
        .iter()
        .skip(offset)
        .take(count)
        .map(|(system, code, display)| {
            let mut entry = Map::new();
            entry.insert("system".into(), system.clone().into());
            entry.insert("code".into(), code.clone().into());
            if let Some(display) = display {
                entry.insert("display".into(), display.clone().into());
            }
            Value::Object(entry)
        })
        .collect();
    let mut expansion = json!({
        "identifier": format!("urn:uuid:{}", uuid::Uuid::new_v4()),
        "timestamp": Timestamp::now().to_instant(),
        "total": matching.len(),
        "offset": offset,
    });
    if !contains.is_empty() {
        expansion["contains"] = contains.into();
    }
    let value_set = json!({
        "resourceType": "ValueSet",
        "url": url,
        "status": "active",
        "expansion": expansion,
    });
    Ok(json_response(StatusCode::OK, &value_set, format))
}

pub async fn validate_code(req: &HttpRequest, state: &AppState, id: Option<&str>) -> ApiResult {
    let params = query_pairs(req.query_string());
    let format = response_format(req, &params)?;
    let url = value_set_url(&params, id)?;
    let code = last(&params, "code")
        .ok_or_else(|| FhirError::bad_request("$validate-code needs the parameter code"))?;
    let system = last(&params, "system");
    let conformance = state.validator.conformance();
    let result = conformance
        .validate_code(&url, system, code)
        .ok_or_else(|| unknown(&url))?;
    let known_display = system.and_then(|s| conformance.display(s, code));
    let mut parameters = vec![json!({ "name": "result", "valueBoolean": result })];
    let message = if !result {
        Some(format!("The code '{code}' is not in the value set {url}"))
    } else {
        match (last(&params, "display"), known_display) {
            (Some(given), Some(known)) if given != known => Some(format!(
                "The display '{given}' is not the display of '{code}' ('{known}')"
            )),
            _ => None,
        }
    };
    if let Some(message) = message {
        parameters.push(json!({ "name": "message", "valueString": message }));
    }
    if let (true, Some(display)) = (result, known_display) {
        parameters.push(json!({ "name": "display", "valueString": display }));
    }
    Ok(json_response(
        StatusCode::OK,
        &json!({ "resourceType": "Parameters", "parameter": parameters }),
        format,
    ))
}
