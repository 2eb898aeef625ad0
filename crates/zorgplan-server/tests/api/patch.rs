//! PATCH: JSON Patch and FHIRPath Patch, conditional, with If-Match, validated like any
//! update, in transactions, and without lost updates under concurrency.

use crate::common::{fhir_json, Backend, Resp, TestServer};
use crate::crud::child;
use reqwest::Method;
use serde_json::{json, Value};

const BSN: &str = "http://fhir.nl/fhir/NamingSystem/bsn";

async fn json_patch(
    server: &TestServer,
    path: &str,
    patch: &Value,
    if_match: Option<&str>,
) -> Resp {
    let mut request = server
        .request(Method::PATCH, path)
        .header("Content-Type", "application/json-patch+json")
        .body(patch.to_string());
    if let Some(etag) = if_match {
        request = request.header("If-Match", etag);
    }
    Resp::of(request).await
}

fn fhirpath_patch(operations: Vec<Value>) -> Value {
    let parameter: Vec<Value> = operations
        .into_iter()
        .map(|parts| json!({"name": "operation", "part": parts}))
        .collect();
    json!({"resourceType": "Parameters", "parameter": parameter})
}

async fn json_patches(backend: Backend) {
    let server = TestServer::start(backend).await;
    let created = server.create(&child("999911120")).await;
    let path = format!("Patient/{}", created["id"].as_str().unwrap());
    let patch = json!([
        {"op": "test", "path": "/gender", "value": "female"},
        {"op": "replace", "path": "/gender", "value": "other"},
        {"op": "add", "path": "/telecom", "value": [{"system": "phone", "value": "0612345678"}]},
    ]);
    let resp = json_patch(&server, &path, &patch, Some("W/\"1\"")).await;
    assert_eq!(resp.status, 200, "{}", resp.body);
    assert_eq!(resp.header("etag"), Some("W/\"2\""));
    let patched = resp.json();
    assert_eq!(patched["gender"], "other");
    assert_eq!(patched["telecom"][0]["value"], "0612345678");
    assert_eq!(patched["name"], created["name"]);
    // A stale version, a failing test, an invalid result, a changed id: refused, unchanged.
    json_patch(&server, &path, &patch, Some("W/\"1\""))
        .await
        .outcome(412);
    let outcome = json_patch(&server, &path, &patch, None).await.outcome(422);
    assert!(outcome.to_string().contains("test failed"), "{outcome}");
    let invalid = json!([{"op": "replace", "path": "/gender", "value": "banana"}]);
    let outcome = json_patch(&server, &path, &invalid, None)
        .await
        .outcome(422);
    assert!(outcome.to_string().contains("Patient.gender"), "{outcome}");
    let renamed = json!([{"op": "replace", "path": "/id", "value": "other"}]);
    json_patch(&server, &path, &renamed, None)
        .await
        .outcome(422);
    let missing = json!([{"op": "remove", "path": "/photo"}]);
    json_patch(&server, &path, &missing, None)
        .await
        .outcome(422);
    assert_eq!(server.get(&path).await.json()["meta"]["versionId"], "2");
    // Not JSON; not a patch media type; nothing to patch.
    let resp = Resp::of(
        server
            .request(Method::PATCH, &path)
            .header("Content-Type", "application/json-patch+json")
            .body("[{"),
    )
    .await;
    resp.outcome(400);
    let resp = Resp::of(
        server
            .request(Method::PATCH, &path)
            .header("Content-Type", "text/plain")
            .body("x"),
    )
    .await;
    resp.outcome(415);
    json_patch(&server, "Patient/nobody", &patch, None)
        .await
        .outcome(404);
    assert_eq!(server.delete(&path).await.status, 204);
    json_patch(&server, &path, &patch, None).await.outcome(410);
}

async fn fhirpath_patches(backend: Backend) {
    let server = TestServer::start(backend).await;
    let created = server.create(&child("999911120")).await;
    let id = created["id"].as_str().unwrap();
    let patch = fhirpath_patch(vec![
        json!([{"name": "type", "valueCode": "replace"},
            {"name": "path", "valueString": "Patient.birthDate"},
            {"name": "value", "valueDate": "2016-04-02"}]),
        json!([{"name": "type", "valueCode": "add"},
            {"name": "path", "valueString": "Patient"},
            {"name": "name", "valueString": "identifier"},
            {"name": "value", "valueIdentifier": {"system": "http://example.org/mrn", "value": "m1"}}]),
    ]);
    // Conditional, by the child's BSN.
    let path = format!("Patient?identifier={BSN}|999911120");
    let resp = Resp::of(fhir_json(server.request(Method::PATCH, &path), &patch)).await;
    assert_eq!(resp.status, 200, "{}", resp.body);
    let patched = resp.json();
    assert_eq!(patched["id"], id);
    assert_eq!(patched["birthDate"], "2016-04-02");
    assert_eq!(patched["identifier"].as_array().unwrap().len(), 2);
    // The index follows: the new identifier finds the child.
    let found = server
        .get("Patient?identifier=http://example.org/mrn|m1")
        .await
        .json();
    assert_eq!(found["total"], 1);
    // A path that selects nothing to add to.
    let nothing = fhirpath_patch(vec![json!([{"name": "type", "valueCode": "add"},
        {"name": "path", "valueString": "Patient.contact"},
        {"name": "name", "valueString": "gender"},
        {"name": "value", "valueCode": "male"}])]);
    let resp = Resp::of(fhir_json(
        server.request(Method::PATCH, &format!("Patient/{id}")),
        &nothing,
    ))
    .await;
    let outcome = resp.outcome(422);
    assert!(
        outcome.to_string().contains("No content found"),
        "{outcome}"
    );
    // Criteria that select none or two.
    let none = format!("Patient?identifier={BSN}|000000000");
    Resp::of(fhir_json(server.request(Method::PATCH, &none), &patch))
        .await
        .outcome(404);
    server.create(&child("999911120")).await;
    Resp::of(fhir_json(server.request(Method::PATCH, &path), &patch))
        .await
        .outcome(412);
}

async fn patches_in_a_transaction(backend: Backend) {
    let server = TestServer::start(backend).await;
    let created = server.create(&child("999911120")).await;
    let id = created["id"].as_str().unwrap();
    let json_patch = json!([{"op": "replace", "path": "/gender", "value": "other"}]);
    let binary = json!({"resourceType": "Binary", "contentType": "application/json-patch+json",
        "data": zorgplan_fhirpath::encode_base64(json_patch.to_string().as_bytes())});
    let parameters = fhirpath_patch(vec![json!([{"name": "type", "valueCode": "replace"},
        {"name": "path", "valueString": "Observation.status"},
        {"name": "value", "valueCode": "amended"}])]);
    let observation = server
        .create(&json!({"resourceType": "Observation", "status": "final",
            "code": {"text": "weight"}, "subject": {"reference": format!("Patient/{id}")}}))
        .await;
    let bundle = json!({"resourceType": "Bundle", "type": "transaction", "entry": [
        {"resource": binary, "request": {"method": "PATCH", "url": format!("Patient/{id}")}},
        {"resource": parameters, "request": {"method": "PATCH",
            "url": format!("Observation/{}", observation["id"].as_str().unwrap()),
            "ifMatch": "W/\"1\""}},
    ]});
    let resp = server.post("", &bundle).await;
    assert_eq!(resp.status, 200, "{}", resp.body);
    let response = resp.json();
    assert_eq!(response["entry"][0]["resource"]["gender"], "other");
    assert_eq!(response["entry"][1]["resource"]["status"], "amended");
    // Again with the now stale ifMatch: nothing of it is written.
    let outcome = server.post("", &bundle).await.outcome(412);
    assert!(outcome.to_string().contains("Bundle.entry[1]"), "{outcome}");
    assert_eq!(
        server.get(&format!("Patient/{id}")).await.json()["meta"]["versionId"],
        "2"
    );
}

/// Concurrent patches of one resource: each applies to the version before it; none is lost.
async fn concurrent_patches_lose_nothing(backend: Backend) {
    let server = TestServer::start(backend).await;
    let created = server.create(&child("999911120")).await;
    let path = format!("Patient/{}", created["id"].as_str().unwrap());
    let patches: Vec<Value> = (0..6)
        .map(|i| {
            json!([{"op": "add", "path": "/telecom/-",
            "value": {"system": "phone", "value": format!("06{i:08}")}}])
        })
        .collect();
    let mut first = patches[0].clone();
    first[0]["path"] = json!("/telecom");
    first[0]["value"] = json!([]);
    assert_eq!(json_patch(&server, &path, &first, None).await.status, 200);
    let sends = patches.iter().map(|p| json_patch(&server, &path, p, None));
    for resp in futures_util::future::join_all(sends).await {
        assert_eq!(resp.status, 200, "{}", resp.body);
    }
    let stored = server.get(&path).await.json();
    assert_eq!(stored["telecom"].as_array().unwrap().len(), 6, "{stored}");
    assert_eq!(stored["meta"]["versionId"], "8");
}

crate::backend_tests!(
    json_patches,
    fhirpath_patches,
    patches_in_a_transaction,
    concurrent_patches_lose_nothing,
);
