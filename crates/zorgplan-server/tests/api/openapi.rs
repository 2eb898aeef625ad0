//! `openapi.yaml` and the running server agree: every path and method the document names is
//! served, and every path and method the server serves is in the document.

use crate::common::{Backend, TestServer};
use reqwest::Method;
use serde_json::json;

/// The paths of `openapi.yaml` with their methods (read from its layout: a path at two
/// spaces' indentation, its methods at four).
fn documented() -> Vec<(String, Vec<Method>)> {
    let path = format!("{}/../../openapi.yaml", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut paths: Vec<(String, Vec<Method>)> = Vec::new();
    let mut in_paths = false;
    for line in text.lines() {
        if !line.starts_with(' ') {
            in_paths = line == "paths:";
            continue;
        }
        if !in_paths {
            continue;
        }
        if let Some(p) = line.strip_prefix("  /").and_then(|p| p.strip_suffix(':')) {
            paths.push((format!("/{p}"), Vec::new()));
        } else if let Some(m) = line.strip_prefix("    ").and_then(|m| m.strip_suffix(':')) {
            if let Ok(method) = m.to_uppercase().parse::<Method>() {
                if ["GET", "POST", "PUT", "PATCH", "DELETE"].contains(&method.as_str()) {
                    paths.last_mut().expect("a path first").1.push(method);
                }
            }
        }
    }
    paths
}

/// A concrete URL for a path template.
fn concrete(template: &str) -> String {
    template
        .replace("{type}", "Basic")
        .replace("{compartmentType}", "Goal")
        .replace("{id}", "probe-1")
        .replace("{vid}", "1")
}

fn matches(template: &str, url: &str) -> bool {
    let (t, u): (Vec<&str>, Vec<&str>) = (template.split('/').collect(), url.split('/').collect());
    t.len() == u.len() && t.iter().zip(&u).all(|(t, u)| t == u || value_of(t, u))
}

/// Whether `segment` is a value the path parameter `param` allows (the document's patterns).
fn value_of(param: &str, segment: &str) -> bool {
    let mut chars = segment.chars();
    match param {
        "{type}" | "{compartmentType}" => {
            chars.next().is_some_and(|c| c.is_ascii_uppercase())
                && chars.all(|c| c.is_ascii_alphabetic())
        }
        "{id}" => {
            (1..=64).contains(&segment.len())
                && segment
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
        }
        "{vid}" => {
            chars.next().is_some_and(|c| ('1'..='9').contains(&c))
                && chars.all(|c| c.is_ascii_digit())
        }
        _ => false,
    }
}

const METHODS: [Method; 5] = [
    Method::GET,
    Method::POST,
    Method::PUT,
    Method::PATCH,
    Method::DELETE,
];

/// How the server answers `method` on `url`: `None` when it serves no such URL (405, "no
/// FHIR endpoint", or a path that only looks like a type's: `/auth/other`), else the status
/// and whether the answer is about the values in the path rather than the route (a resource
/// that is not there, an id that cannot be one: `GET /Goal/_search/_history` reads a Goal
/// called `_search`).
async fn answer(server: &TestServer, method: &Method, url: &str) -> Option<(u16, bool)> {
    let mut request = server.request(method.clone(), url);
    if [Method::POST, Method::PUT, Method::PATCH].contains(method) {
        request = request
            .header("Content-Type", "application/fhir+json")
            .body(json!({"resourceType": "Basic"}).to_string());
    }
    let resp = crate::common::Resp::of(request).await;
    let nowhere = resp.body.contains("There is no FHIR endpoint")
        || resp.body.contains("Unknown resource type");
    if resp.status == 405 || (resp.status == 404 && nowhere) {
        return None;
    }
    let about_values =
        resp.status == 404 || (resp.status == 400 && resp.body.contains("is not a valid id"));
    Some((resp.status, about_values))
}

async fn the_document_and_the_server_agree(backend: Backend) {
    let server = TestServer::start(backend).await;
    // The ids the probes use exist, so that their routes answer more than 404.
    let text = json!({"status": "generated",
                      "div": "<div xmlns=\"http://www.w3.org/1999/xhtml\">probe</div>"});
    for (path, resource) in [
        (
            "Patient/probe-1",
            json!({"resourceType": "Patient", "id": "probe-1", "text": text}),
        ),
        (
            "Basic/probe-1",
            json!({"resourceType": "Basic", "id": "probe-1", "text": text,
                                 "code": {"text": "probe"}}),
        ),
        (
            "CareTeam/probe-1",
            json!({"resourceType": "CareTeam", "id": "probe-1", "status": "active",
                   "name": "probe", "subject": {"reference": "Patient/probe-1"}}),
        ),
        ("CarePlan/probe-1", {
            let mut plan = crate::crud::plan("Patient/probe-1", json!([{"value": "probe"}]));
            plan["id"] = json!("probe-1");
            plan["careTeam"] = json!([{"reference": "CareTeam/probe-1"}]);
            plan
        }),
    ] {
        let resp = server.put(path, &resource).await;
        assert!(resp.status < 300, "{path}: {}", resp.body);
    }
    let paths = documented();
    assert!(paths.len() >= 10, "{paths:?}");
    for (template, methods) in &paths {
        assert!(!methods.is_empty(), "{template} documents no method");
        for method in methods {
            assert!(
                answer(&server, method, &concrete(template)).await.is_some(),
                "documented but not served: {method} {template}"
            );
        }
    }
    // Every method on URLs of one to three segments made of the words routes are made of
    // (a type, an id, `_history`, operations, …), whatever the document says, and a few
    // longer ones.
    const WORDS: [&str; 20] = [
        "Goal",
        "Patient",
        "ValueSet",
        "probe-1",
        "1",
        "_history",
        "_search",
        "$validate",
        "$everything",
        "$zorgplan",
        "$expand",
        "$validate-code",
        "$lookup",
        "metadata",
        ".well-known",
        "smart-configuration",
        "auth",
        "authorize",
        "login",
        "choose",
    ];
    let mut urls: Vec<String> = vec!["/".into(), "/auth/token".into()];
    for a in WORDS {
        urls.push(format!("/{a}"));
        for b in WORDS {
            urls.push(format!("/{a}/{b}"));
            if ["Basic", "Patient", "ValueSet", "_history", "metadata"].contains(&a) {
                for c in WORDS {
                    urls.push(format!("/{a}/{b}/{c}"));
                }
            }
        }
    }
    urls.extend(
        [
            "/Basic/probe-1/_history/1",
            "/Basic/probe-1/_history/1/extra",
            "/Patient/probe-1/Goal/probe-1",
            "/CarePlan/probe-1/$zorgplan",
        ]
        .map(str::to_owned),
    );
    // Method by method, DELETE last: a deletion of a probe would leave the routes below it
    // answering about a resource that is gone.
    for method in &METHODS {
        for url in &urls {
            if let Some((status, false)) = answer(&server, method, url).await {
                assert!(
                    paths
                        .iter()
                        .any(|(t, ms)| matches(t, url) && ms.contains(method)),
                    "served but not documented: {method} {url} ({status})"
                );
            }
        }
    }
}

crate::backend_tests!(the_document_and_the_server_agree);
