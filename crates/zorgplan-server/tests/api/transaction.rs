//! transaction and batch Bundles: all-or-nothing, fullUrls and conditional references
//! resolved, the scenarios of fixtures/ loaded twice with nothing changed the second time,
//! entries of a batch on their own, the entry limit.

use crate::common::{Backend, Resp, TestServer};
use crate::crud::child;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use zorgplan_server::ServerConfig;

const BSN: &str = "http://fhir.nl/fhir/NamingSystem/bsn";

fn bundle(kind: &str, entries: Vec<Value>) -> Value {
    json!({"resourceType": "Bundle", "type": kind, "entry": entries})
}

fn post(full_url: &str, resource: Value) -> Value {
    let res_type = resource["resourceType"].as_str().unwrap().to_owned();
    json!({"fullUrl": full_url, "resource": resource, "request": {"method": "POST", "url": res_type}})
}

/// A plain R4 Observation of `subject` (a reference as written).
fn observation(subject: &str) -> Value {
    json!({"resourceType": "Observation", "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": "29463-7"}]},
        "subject": {"reference": subject},
        "valueQuantity": {"value": 11.2, "unit": "kg", "system": "http://unitsofmeasure.org", "code": "kg"}})
}

fn statuses(response: &Value) -> Vec<String> {
    response["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["response"]["status"].as_str().unwrap().to_owned())
        .collect()
}

/// The id in a response entry's location (`…/Type/id/_history/n`).
fn located(entry: &Value) -> (String, String) {
    let location = entry["response"]["location"].as_str().unwrap();
    let parts: Vec<&str> = location.rsplit('/').collect();
    (parts[3].to_owned(), parts[2].to_owned())
}

async fn total(server: &TestServer, query: &str) -> u64 {
    let resp = server.get(query).await;
    assert_eq!(resp.status, 200, "{query}: {}", resp.body);
    resp.json()["total"].as_u64().unwrap()
}

async fn references_are_resolved(backend: Backend) {
    let server = TestServer::start(backend).await;
    let mut with_extension = observation("urn:uuid:11111111-1111-1111-1111-111111111111");
    with_extension["extension"] = json!([{"url": "http://example.org/focus",
        "valueReference": {"reference": "urn:uuid:11111111-1111-1111-1111-111111111111"}}]);
    with_extension["contained"] =
        json!([observation("urn:uuid:11111111-1111-1111-1111-111111111111")]);
    with_extension["contained"][0]["id"] = json!("earlier");
    with_extension["hasMember"] = json!([{"reference": "#earlier"}]);
    let by_identifier = observation(&format!("Patient?identifier={BSN}|999911120"));
    let request = bundle(
        "transaction",
        vec![
            // References to an entry that comes later, and to one a conditional reference
            // finds only once this transaction created it.
            post(
                "urn:uuid:22222222-2222-2222-2222-222222222222",
                with_extension,
            ),
            post(
                "urn:uuid:33333333-3333-3333-3333-333333333333",
                by_identifier,
            ),
            json!({"fullUrl": "urn:uuid:11111111-1111-1111-1111-111111111111",
                "resource": child("999911120"),
                "request": {"method": "POST", "url": "Patient",
                    "ifNoneExist": format!("identifier={BSN}|999911120")}}),
        ],
    );
    let resp = server.post("", &request).await;
    assert_eq!(resp.status, 200, "{}", resp.body);
    let response = resp.json();
    assert_eq!(response["type"], "transaction-response");
    assert_eq!(statuses(&response), ["201 Created"; 3]);
    let entries = response["entry"].as_array().unwrap();
    let (_, patient) = located(&entries[2]);
    let patient_ref = format!("Patient/{patient}");
    for entry in &entries[..2] {
        assert_eq!(
            entry["resource"]["subject"]["reference"],
            patient_ref.as_str()
        );
        let (t, id) = located(entry);
        let stored = server.get(&format!("{t}/{id}")).await.json();
        assert_eq!(stored["subject"]["reference"], patient_ref.as_str());
    }
    assert_eq!(
        entries[0]["resource"]["extension"][0]["valueReference"]["reference"],
        patient_ref.as_str()
    );
    assert_eq!(
        entries[0]["resource"]["contained"][0]["subject"]["reference"],
        patient_ref.as_str()
    );
    assert_eq!(
        entries[0]["resource"]["hasMember"][0]["reference"],
        "#earlier"
    );
    // One commit time for all; the index sees the rewritten references.
    let times: BTreeSet<&str> = entries
        .iter()
        .map(|e| e["response"]["lastModified"].as_str().unwrap())
        .collect();
    assert_eq!(times.len(), 1, "{times:?}");
    // The system history shows them together, at that time.
    let history = server.get("_history?_count=3").await.json();
    let stamps: BTreeSet<&str> = history["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["resource"]["meta"]["lastUpdated"].as_str().unwrap())
        .collect();
    assert_eq!(stamps, times);
    assert_eq!(
        total(&server, &format!("Observation?subject={patient_ref}")).await,
        2
    );
    // Again: the conditional create finds the patient; new observations refer to it.
    let response = server.post("", &request).await.json();
    assert_eq!(
        statuses(&response),
        ["201 Created", "201 Created", "200 OK"]
    );
    assert_eq!(located(&response["entry"][2]).1, patient);
    assert_eq!(total(&server, "Patient").await, 1);
    assert_eq!(
        total(&server, &format!("Observation?subject={patient_ref}")).await,
        4
    );
    // Prefer: return=minimal leaves the resources out.
    let resp = Resp::of(
        crate::common::fhir_json(server.request(reqwest::Method::POST, ""), &request)
            .header("Prefer", "return=minimal"),
    )
    .await;
    assert!(
        resp.json()["entry"][0].get("resource").is_none(),
        "{}",
        resp.body
    );
}

async fn a_failing_entry_stores_nothing(backend: Backend) {
    let server = TestServer::start(backend).await;
    let kept = server.create(&child("999911120")).await;
    let kept_id = kept["id"].as_str().unwrap();
    let good = || {
        vec![
            post("urn:uuid:a", child("999911132")),
            post("urn:uuid:b", observation("urn:uuid:a")),
            json!({"resource": json!({"resourceType": "Patient", "id": kept_id, "gender": "male"}),
                "request": {"method": "PUT", "url": format!("Patient/{kept_id}")}}),
        ]
    };
    // The Bundle of `entries` is refused with `status`: the OperationOutcome's text.
    let refused = |entries: Vec<Value>, status: u16| {
        let server = &server;
        async move {
            let outcome = server.post("", &bundle("transaction", entries)).await;
            outcome.outcome(status).to_string()
        }
    };
    // The good entries and one more.
    let with = |entry: Value| {
        let mut entries = good();
        entries.push(entry);
        entries
    };
    let nothing_changed = || async {
        assert_eq!(total(&server, "Patient").await, 1);
        assert_eq!(total(&server, "Observation").await, 0);
        let stored = server.get(&format!("Patient/{kept_id}")).await.json();
        assert_eq!(stored["meta"]["versionId"], "1");
    };

    // An invalid resource: 422, naming the entry and the element.
    let outcome = refused(
        with(post(
            "urn:uuid:c",
            json!({"resourceType": "Observation", "status": "done",
        "code": {"text": "x"}}),
        )),
        422,
    )
    .await;
    assert!(
        outcome.contains("Bundle.entry[3].resource.status"),
        "{outcome}"
    );
    nothing_changed().await;

    // A conditional reference that finds nothing: 400, naming the entry.
    let outcome = refused(
        with(post(
            "urn:uuid:c",
            observation(&format!("Patient?identifier={BSN}|000000000")),
        )),
        400,
    )
    .await;
    assert!(outcome.contains("Bundle.entry[3]"), "{outcome}");
    nothing_changed().await;

    // A conditional reference that finds two: 412.
    server.create(&child("999911144")).await;
    server.create(&child("999911144")).await;
    let outcome = refused(
        with(post(
            "urn:uuid:c",
            observation(&format!("Patient?identifier={BSN}|999911144")),
        )),
        412,
    )
    .await;
    assert!(outcome.contains("Bundle.entry[3]"), "{outcome}");
    for id in server
        .get(&format!("Patient?identifier={BSN}|999911144"))
        .await
        .json()["entry"]
        .as_array()
        .unwrap()
    {
        let id = id["resource"]["id"].as_str().unwrap();
        assert_eq!(server.delete(&format!("Patient/{id}")).await.status, 204);
    }
    nothing_changed().await;

    // A version conflict: 412.
    let mut entries = good();
    entries[2]["request"]["ifMatch"] = json!("W/\"7\"");
    let outcome = refused(entries, 412).await;
    assert!(outcome.contains("Bundle.entry[2]"), "{outcome}");
    nothing_changed().await;

    // A reference to a fullUrl no entry has: 400.
    refused(
        with(post("urn:uuid:c", observation("urn:uuid:nobody"))),
        400,
    )
    .await;
    nothing_changed().await;

    // A dangling literal reference: 422, naming the entry that holds it (the references of
    // all entries are looked up together first).
    let outcome = refused(with(post("urn:uuid:c", observation("Patient/nobody"))), 422).await;
    assert!(outcome.contains("Bundle.entry[3]"), "{outcome}");
    assert!(outcome.contains("Patient/nobody"), "{outcome}");
    assert!(!outcome.contains("Bundle.entry[1]"), "{outcome}");
    nothing_changed().await;

    // Not a transaction or batch; a request a transaction cannot make.
    let outcome = server
        .post("", &bundle("collection", good()))
        .await
        .outcome(400);
    assert!(outcome.to_string().contains("Bundle.type"), "{outcome}");
    for (method, url) in [
        ("PUT", "Patient"),
        ("PUT", "Patient/x/_history/1"),
        ("POST", "Patient/x"),
    ] {
        let entry = json!({"resource": child("999911156"),
            "request": {"method": method, "url": url}});
        let outcome = refused(with(entry), 400).await;
        assert!(outcome.contains("Bundle.entry[3]"), "{outcome}");
    }
    nothing_changed().await;

    // The good part alone goes through.
    let response = server.post("", &bundle("transaction", good())).await.json();
    assert_eq!(
        statuses(&response),
        ["201 Created", "201 Created", "200 OK"]
    );
}

async fn deletes_and_conditional_writes(backend: Backend) {
    let server = TestServer::start(backend).await;
    let old = server.create(&child("999911120")).await;
    let old_id = old["id"].as_str().unwrap();
    let mut changed = child("999911132");
    changed["gender"] = json!("male");
    let request = bundle(
        "transaction",
        vec![
            json!({"resource": changed, "request": {"method": "PUT",
                "url": format!("Patient?identifier={BSN}|999911132")}}),
            json!({"request": {"method": "DELETE", "url": format!("Patient/{old_id}")}}),
            json!({"request": {"method": "GET", "url": format!("Patient?identifier={BSN}|999911132")}}),
        ],
    );
    let response = server.post("", &request).await.json();
    assert_eq!(
        statuses(&response),
        ["201 Created", "204 No Content", "200 OK"],
        "{response}"
    );
    // The read runs after the writes and sees them.
    assert_eq!(response["entry"][2]["resource"]["total"], 1);
    assert_eq!(server.get(&format!("Patient/{old_id}")).await.status, 410);
    // The same update again changes nothing: no new version.
    let response = server.post("", &request).await.json();
    assert_eq!(statuses(&response)[0], "200 OK");
    assert_eq!(response["entry"][0]["response"]["etag"], "W/\"1\"");
    // One resource may be the target of one entry only.
    let twice = bundle(
        "transaction",
        vec![
            json!({"request": {"method": "DELETE", "url": format!("Patient/{old_id}")}}),
            json!({"request": {"method": "DELETE", "url": format!("Patient/{old_id}")}}),
        ],
    );
    server.post("", &twice).await.outcome(400);
    // A conditional delete, and references by urn:oid and by an absolute fullUrl of an
    // update.
    let base = format!("{}/Patient/vast", server.base);
    let request = bundle(
        "transaction",
        vec![
            json!({"request": {"method": "DELETE",
                "url": format!("Patient?identifier={BSN}|999911132")}}),
            json!({"fullUrl": "urn:oid:1.2.3.4", "resource": child("999911144"),
                "request": {"method": "POST", "url": "Patient"}}),
            post("urn:uuid:o1", observation("urn:oid:1.2.3.4")),
            json!({"fullUrl": base, "resource": {"resourceType": "Patient", "id": "vast"},
                "request": {"method": "PUT", "url": "Patient/vast"}}),
            post("urn:uuid:o2", observation(&base)),
        ],
    );
    let response = server.post("", &request).await.json();
    assert_eq!(
        statuses(&response),
        [
            "204 No Content",
            "201 Created",
            "201 Created",
            "201 Created",
            "201 Created"
        ],
        "{response}"
    );
    let (_, created) = located(&response["entry"][1]);
    assert_eq!(
        response["entry"][2]["resource"]["subject"]["reference"],
        format!("Patient/{created}").as_str()
    );
    assert_eq!(
        response["entry"][4]["resource"]["subject"]["reference"],
        "Patient/vast"
    );
    assert_eq!(
        total(&server, &format!("Patient?identifier={BSN}|999911132")).await,
        0
    );
}

/// Every step of every scenario in fixtures/, in order; then all of it again, which finds
/// everything and changes nothing.
async fn scenarios_load_twice_unchanged(backend: Backend) {
    let server = TestServer::start(backend).await;
    let mut steps = Vec::new();
    for scenario in ["S1", "S6"] {
        steps.extend(crate::common::scenario_files(scenario));
    }
    assert!(steps.len() >= 14, "{steps:?}");
    for pass in 0..2 {
        for step in &steps {
            let body: Value = serde_json::from_slice(&std::fs::read(step).unwrap()).unwrap();
            let resp = server.post("", &body).await;
            assert_eq!(
                resp.status,
                200,
                "pass {pass}, {}: {}",
                step.display(),
                resp.body
            );
            for status in statuses(&resp.json()) {
                if pass == 1 {
                    assert_eq!(
                        status,
                        "200 OK",
                        "pass 2 changes nothing: {}",
                        step.display()
                    );
                } else {
                    assert!(status.starts_with('2'), "{}: {status}", step.display());
                }
            }
        }
        if pass == 0 {
            assert!(total(&server, "CarePlan").await >= 2);
        }
    }
}

async fn batch_entries_stand_alone(backend: Backend) {
    let server = TestServer::start(backend).await;
    let existing = server.create(&child("999911120")).await;
    let id = existing["id"].as_str().unwrap();
    let request = bundle(
        "batch",
        vec![
            post("urn:uuid:a", child("999911132")),
            post(
                "urn:uuid:b",
                json!({"resourceType": "Observation", "status": "done"}),
            ),
            json!({"request": {"method": "GET", "url": format!("Patient/{id}")}}),
            json!({"request": {"method": "GET", "url": "Patient/nobody"}}),
            json!({"request": {"method": "DELETE", "url": format!("Patient/{id}")}}),
        ],
    );
    let resp = server.post("", &request).await;
    assert_eq!(resp.status, 200, "{}", resp.body);
    let response = resp.json();
    assert_eq!(response["type"], "batch-response");
    assert_eq!(
        statuses(&response),
        [
            "201 Created",
            "422 Unprocessable Entity",
            "200 OK",
            "404 Not Found",
            "204 No Content"
        ]
    );
    let entries = response["entry"].as_array().unwrap();
    assert_eq!(
        entries[1]["response"]["outcome"]["resourceType"],
        "OperationOutcome"
    );
    assert_eq!(entries[2]["resource"]["id"], id);
    assert_eq!(entries[2]["response"]["etag"], "W/\"1\"");
    assert!(entries[0]["response"]["location"]
        .as_str()
        .unwrap()
        .contains("/Patient/"));
    assert_eq!(total(&server, "Patient").await, 1);
}

async fn bundles_have_limits(backend: Backend) {
    let config = ServerConfig {
        max_bundle_entries: 2,
        ..crate::common::development()
    };
    let server = TestServer::start_with(backend, config).await;
    let entries: Vec<Value> = (0..3)
        .map(|i| post(&format!("urn:uuid:{i}"), child("999911120")))
        .collect();
    for kind in ["transaction", "batch"] {
        let outcome = server
            .post("", &bundle(kind, entries.clone()))
            .await
            .outcome(413);
        assert!(outcome.to_string().contains("at most 2"), "{outcome}");
    }
    assert_eq!(total(&server, "Patient").await, 0);
}

/// Transactions that conditionally create the same child at the same time make one.
async fn concurrent_conditional_creates_make_one(backend: Backend) {
    let server = TestServer::start(backend).await;
    let request = bundle(
        "transaction",
        vec![
            json!({"fullUrl": "urn:uuid:k", "resource": child("999911120"),
                "request": {"method": "POST", "url": "Patient",
                    "ifNoneExist": format!("identifier={BSN}|999911120")}}),
            post("urn:uuid:o", observation("urn:uuid:k")),
        ],
    );
    let sends = (0..8).map(|_| server.post("", &request));
    for resp in futures_util::future::join_all(sends).await {
        assert_eq!(resp.status, 200, "{}", resp.body);
    }
    assert_eq!(total(&server, "Patient").await, 1);
    assert_eq!(total(&server, "Observation").await, 8);
}

/// Transactions at once, some failing in the store: each fails alone (on SQLite they may be
/// committed together, each in a savepoint), the rest are stored whole.
async fn concurrent_transactions_fail_alone(backend: Backend) {
    let server = TestServer::start(backend).await;
    let requests: Vec<Value> = (0..8)
        .map(|i| {
            let subject = if i % 3 == 0 {
                "Patient/nobody"
            } else {
                "urn:uuid:k"
            };
            bundle(
                "transaction",
                vec![
                    post("urn:uuid:k", child("999911120")),
                    post("urn:uuid:o1", observation("urn:uuid:k")),
                    post("urn:uuid:o2", observation(subject)),
                ],
            )
        })
        .collect();
    let sends = requests.iter().map(|r| server.post("", r));
    let statuses: Vec<u16> = futures_util::future::join_all(sends)
        .await
        .iter()
        .map(|r| r.status)
        .collect();
    assert_eq!(statuses, [422, 200, 200, 422, 200, 200, 422, 200]);
    assert_eq!(total(&server, "Patient").await, 5);
    assert_eq!(total(&server, "Observation").await, 10);
}

crate::backend_tests!(
    concurrent_transactions_fail_alone,
    references_are_resolved,
    a_failing_entry_stores_nothing,
    deletes_and_conditional_writes,
    scenarios_load_twice_unchanged,
    batch_entries_stand_alone,
    bundles_have_limits,
    concurrent_conditional_creates_make_one,
);
