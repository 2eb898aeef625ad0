//! The audit trail (NEN 7513) and Provenance, over HTTP with access tokens: scenario S1
//! replayed by the hospital's EPD and then read by a parent, each request producing exactly
//! the AuditEvents it should; AuditEvents closed to writes; X-Provenance.

use crate::authorisation::{call, claims, sign, token_config};
use crate::common::{development, Backend, Resp, TestServer};
use reqwest::Method;
use serde_json::{json, Value};
use std::collections::BTreeSet;

/// The UMC's EPD: a registered system client for URA 32104867 (in the S1 fixtures).
fn epd() -> String {
    sign(
        &claims(json!({"client_id": "epd-umc", "scope": "system/*.cruds"})),
        "rsa-private.pem",
    )
}

fn auditor() -> String {
    sign(
        &claims(
            json!({"fhirUser": "Practitioner/auditor", "client_id": "audit",
                              "scope": "user/AuditEvent.rs"}),
        ),
        "rsa-private.pem",
    )
}

fn fixture(step: &str) -> Value {
    let dir = format!("{}/../../fixtures/S1", env!("CARGO_MANIFEST_DIR"));
    let name = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .find(|n| n.starts_with(step))
        .unwrap();
    serde_json::from_slice(&std::fs::read(format!("{dir}/{name}")).unwrap()).unwrap()
}

/// Sends a request with a request id of our own, to find its AuditEvents by `site`.
async fn traced(
    server: &TestServer,
    token: &str,
    method: Method,
    path: &str,
    body: Option<&Value>,
    id: &str,
) -> Resp {
    let mut request = server
        .request(method, path)
        .bearer_auth(token)
        .header("x-request-id", id);
    if let Some(body) = body {
        request = crate::common::fhir_json(request, body);
    }
    Resp::of(request).await
}

/// The AuditEvents of request `id`, as the auditor reads them. Those of reads reach the
/// database a few milliseconds after the answer (all of a request's at once): this waits up
/// to five seconds for them.
async fn events_of(server: &TestServer, id: &str) -> Vec<Value> {
    for _ in 0..250 {
        let found = stored_events_of(server, id).await;
        if !found.is_empty() {
            return found;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    Vec::new()
}

async fn stored_events_of(server: &TestServer, id: &str) -> Vec<Value> {
    let resp = call(
        server,
        &auditor(),
        Method::GET,
        &format!("AuditEvent?site={id}&_count=1000"),
        None,
    )
    .await;
    assert_eq!(resp.status, 200, "{}", resp.body);
    resp.json()["entry"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .map(|e| e["resource"].clone())
        .collect()
}

fn entities(event: &Value, role: &str) -> BTreeSet<String> {
    event["entity"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["role"]["code"] == role)
        .filter_map(|e| e["what"]["reference"].as_str().map(str::to_owned))
        .collect()
}

/// Replays S1 as the UMC's EPD: each transaction leaves one AuditEvent (for Mila, naming
/// every version it wrote of her data) and one Provenance (of everything it wrote), in its
/// own database transaction; then a parent's reads and a stranger's refused read.
async fn s1_is_audited_request_by_request(backend: Backend) {
    let server = TestServer::start_with(
        backend,
        token_config(&[("epd-umc", "32104867"), ("epd-elders", "99999999")]),
    )
    .await;
    let epd = epd();
    let mut mila = None;
    for step in ["01", "02", "03", "04", "05", "06", "07"] {
        let id = format!("s1-step-{step}");
        let resp = traced(&server, &epd, Method::POST, "", Some(&fixture(step)), &id).await;
        assert_eq!(resp.status, 200, "step {step}: {}", resp.body);
        let written: BTreeSet<String> = resp.json()["entry"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|e| e["response"]["location"].as_str())
            .map(|l| {
                l.trim_start_matches(&format!("{}/", server.base))
                    .to_owned()
            })
            .collect();
        let events = events_of(&server, &id).await;
        assert_eq!(events.len(), 1, "step {step}: {events:#?}");
        let event = &events[0];
        assert_eq!(event["outcome"], "0");
        assert_eq!(event["action"], "E");
        assert_eq!(event["subtype"][0]["code"], "transaction");
        assert_eq!(event["agent"][0]["requestor"], true);
        // The EPD acts for the UMC, once the UMC's Organization exists (step 01 makes it).
        let who = &event["agent"][0]["who"];
        if step == "01" {
            assert_eq!(who["identifier"]["value"], "someone", "{who}");
        } else {
            assert!(
                who["reference"]
                    .as_str()
                    .unwrap()
                    .starts_with("Organization/"),
                "{who}"
            );
        }
        assert_eq!(event["agent"][0]["network"]["address"], "127.0.0.1");
        let patients = entities(event, "1");
        assert_eq!(patients.len(), 1, "step {step}: {patients:?}");
        let patient = patients.into_iter().next().unwrap();
        if let Some(mila) = &mila {
            assert_eq!(&patient, mila);
        }
        mila = Some(patient);
        // Every version written of Mila's data is named; what is nobody's data is not.
        let of_mila: BTreeSet<String> = written
            .iter()
            .filter(|w| !w.starts_with("Organization/") && !w.starts_with("Practitioner"))
            .cloned()
            .collect();
        assert_eq!(entities(event, "4"), of_mila, "step {step}");
        // The Provenance of the step targets all it wrote.
        let provenances = call(
            &server,
            &epd,
            Method::GET,
            &format!(
                "Provenance?_count=1000&target={}",
                written
                    .iter()
                    .next()
                    .unwrap()
                    .split("/_history")
                    .next()
                    .unwrap()
            ),
            None,
        )
        .await
        .json();
        let targets: BTreeSet<String> = provenances["entry"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|e| e["resource"]["target"].as_array().unwrap().clone())
            .filter_map(|t| t["reference"].as_str().map(str::to_owned))
            .collect();
        assert!(
            written.is_subset(&targets),
            "step {step}: {written:?} not in {targets:?}"
        );
    }
    let mila = mila.unwrap();
    let mila_id = mila.trim_start_matches("Patient/").to_owned();
    // The mother reads the plan in her PGO: one AuditEvent, naming what she saw.
    let mother = call(&server, &epd, Method::GET, "RelatedPerson?identifier=http://fhir.zorgplankindgezin.nl/fixtures/relatedperson|s1-moeder", None).await.json();
    let mother_id = mother["entry"][0]["resource"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let pgo = sign(
        &claims(
            json!({"fhirUser": format!("RelatedPerson/{mother_id}"), "patient": mila_id,
                              "client_id": "pgo", "scope": "patient/*.rs"}),
        ),
        "rsa-private.pem",
    );
    let resp = traced(
        &server,
        &pgo,
        Method::GET,
        "CarePlan",
        None,
        "s1-moeder-leest",
    )
    .await;
    assert_eq!(resp.status, 200, "{}", resp.body);
    let seen: BTreeSet<String> = resp.json()["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let r = &e["resource"];
            format!(
                "CarePlan/{}/_history/{}",
                r["id"].as_str().unwrap(),
                r["meta"]["versionId"].as_str().unwrap()
            )
        })
        .collect();
    assert!(!seen.is_empty());
    let events = events_of(&server, "s1-moeder-leest").await;
    assert_eq!(events.len(), 1, "{events:#?}");
    assert_eq!(events[0]["subtype"][0]["code"], "search-type");
    assert_eq!(
        events[0]["agent"][0]["who"]["reference"],
        format!("RelatedPerson/{mother_id}")
    );
    assert_eq!(entities(&events[0], "1"), BTreeSet::from([mila.clone()]));
    assert_eq!(entities(&events[0], "4"), seen);
    assert!(
        events[0]["entity"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["role"]["code"] == "24"),
        "the query is logged"
    );
    // She reads Mila's own log: her read is in it; the log of that read is written after.
    let log = traced(
        &server,
        &pgo,
        Method::GET,
        "AuditEvent?_count=1000",
        None,
        "s1-moeder-log",
    )
    .await;
    assert_eq!(log.status, 200, "{}", log.body);
    let log = log.json();
    let sites: BTreeSet<String> = log["entry"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["resource"]["source"]["site"].as_str().map(str::to_owned))
        .collect();
    assert!(
        sites.contains("s1-step-01") && sites.contains("s1-moeder-leest"),
        "{sites:?}"
    );
    for entry in log["entry"].as_array().unwrap() {
        assert!(
            entities(&entry["resource"], "1").contains(&mila),
            "only Mila's events"
        );
    }
    assert_eq!(events_of(&server, "s1-moeder-log").await.len(), 1);
    // The EPD of a hospital outside Mila's network tries to read her: as if she did not
    // exist, and logged in her trail as a refusal.
    let other = sign(
        &claims(json!({"client_id": "epd-elders", "scope": "system/*.rs"})),
        "rsa-private.pem",
    );
    let resp = traced(
        &server,
        &other,
        Method::GET,
        &format!("Patient/{mila_id}"),
        None,
        "s1-vreemde",
    )
    .await;
    resp.outcome(404);
    let events = events_of(&server, "s1-vreemde").await;
    assert_eq!(events.len(), 1, "{events:#?}");
    assert_eq!(events[0]["outcome"], "4");
    assert_eq!(entities(&events[0], "1"), BTreeSet::from([mila.clone()]));
    // Its search finds nothing of Mila's, and is logged without a child.
    let resp = traced(
        &server,
        &other,
        Method::GET,
        "Goal",
        None,
        "s1-vreemde-zoekt",
    )
    .await;
    assert_eq!(resp.status, 200);
    assert!(resp.json()["entry"].is_null());
    // Events are stored in order: once a later request's are there, this one's would be.
    let resp = traced(
        &server,
        &other,
        Method::GET,
        &format!("Patient/{mila_id}"),
        None,
        "s1-daarna",
    )
    .await;
    resp.outcome(404);
    assert_eq!(events_of(&server, "s1-daarna").await.len(), 1);
    assert!(
        stored_events_of(&server, "s1-vreemde-zoekt")
            .await
            .is_empty(),
        "nothing disclosed, nothing refused"
    );
}

/// `PUT` of `resource` (to its own id) with an `X-Provenance` header.
async fn put_with_provenance(
    server: &TestServer,
    token: &str,
    resource: &Value,
    provenance: &str,
) -> Resp {
    let path = format!(
        "{}/{}",
        resource["resourceType"].as_str().unwrap(),
        resource["id"].as_str().unwrap()
    );
    let request = server.request(Method::PUT, &path).bearer_auth(token);
    Resp::of(crate::common::fhir_json(request, resource).header("x-provenance", provenance)).await
}

/// AuditEvents cannot be created, changed or deleted through the API, in any mode; a write
/// records the client's X-Provenance; a malformed one is refused before anything is stored.
async fn audit_events_are_closed_to_writes(backend: Backend) {
    let event = json!({"resourceType": "AuditEvent",
        "type": {"system": "http://terminology.hl7.org/CodeSystem/audit-event-type", "code": "rest"},
        "recorded": "2026-01-01T00:00:00Z", "agent": [{"requestor": true, "who": {"display": "x"}}],
        "source": {"observer": {"display": "x"}}});
    let dev = TestServer::start_with(backend, development()).await;
    dev.post("AuditEvent", &event).await.outcome(403);
    dev.put("AuditEvent/x", &event).await.outcome(403);
    dev.delete("AuditEvent/x").await.outcome(403);
    let bundle = json!({"resourceType": "Bundle", "type": "transaction", "entry": [
        {"fullUrl": "urn:uuid:1", "resource": event, "request": {"method": "POST", "url": "AuditEvent"}}]});
    dev.post("", &bundle).await.outcome(403);

    let server = TestServer::start_with(
        backend,
        token_config(&[("epd-umc", "32104867"), ("epd-elders", "99999999")]),
    )
    .await;
    let epd = epd();
    let resp = call(&server, &epd, Method::POST, "", Some(&fixture("01"))).await;
    assert_eq!(resp.status, 200, "{}", resp.body);
    let org = call(
        &server,
        &epd,
        Method::GET,
        "Organization?identifier=http://fhir.nl/fhir/NamingSystem/ura|32104867",
        None,
    )
    .await
    .json();
    let org = org["entry"][0]["resource"].clone();
    let provenance = json!({"resourceType": "Provenance", "reason": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ActReason", "code": "TREAT"}]}],
        "agent": [{"who": {"reference": format!("Organization/{}", org["id"].as_str().unwrap())}}]});
    let resp = put_with_provenance(&server, &epd, &org, &provenance.to_string()).await;
    assert_eq!(resp.status, 200, "{}", resp.body);
    let version = resp.json()["meta"]["versionId"]
        .as_str()
        .unwrap()
        .to_owned();
    let found = call(
        &server,
        &epd,
        Method::GET,
        &format!(
            "Provenance?target=Organization/{}",
            org["id"].as_str().unwrap()
        ),
        None,
    )
    .await
    .json();
    let recorded: Vec<&Value> = found["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["resource"])
        .filter(|p| p["reason"][0]["coding"][0]["code"] == "TREAT")
        .collect();
    assert_eq!(recorded.len(), 1, "{found:#}");
    assert_eq!(
        recorded[0]["target"][0]["reference"],
        format!(
            "Organization/{}/_history/{version}",
            org["id"].as_str().unwrap()
        )
    );
    // Not a Provenance, or one that names its own target: 400, nothing written.
    for bad in [
        json!({"resourceType": "Patient"}).to_string(),
        "{not json".to_owned(),
        json!({"resourceType": "Provenance", "target": [{"reference": "Patient/x"}]}).to_string(),
    ] {
        put_with_provenance(&server, &epd, &org, &bad)
            .await
            .outcome(400);
    }
    let after = call(
        &server,
        &epd,
        Method::GET,
        &format!("Organization/{}", org["id"].as_str().unwrap()),
        None,
    )
    .await
    .json();
    assert_eq!(after["meta"]["versionId"].as_str().unwrap(), version);
}

crate::backend_tests!(
    s1_is_audited_request_by_request,
    audit_events_are_closed_to_writes
);
