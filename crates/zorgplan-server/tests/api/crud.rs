//! read, vread, create, update, delete: statuses, headers and versions.

use crate::common::{Backend, TestServer};
use reqwest::Method;
use serde_json::{json, Value};

pub fn child(bsn: &str) -> Value {
    json!({
        "resourceType": "Patient",
        "text": {"status": "generated", "div": "<div xmlns=\"http://www.w3.org/1999/xhtml\">Sanne Jansen</div>"},
        "identifier": [{ "system": "http://fhir.nl/fhir/NamingSystem/bsn", "value": bsn }],
        "name": [{ "family": "Jansen", "given": ["Sanne"] }],
        "gender": "female",
        "birthDate": "2015-03-01"
    })
}

/// A minimal CarePlan that conforms to the standard's plan profile (ZorgplanKindGezin), which
/// the server applies to every CarePlan: a draft with both categories, the child and a care
/// network.
pub fn plan(subject: &str, identifier: Value) -> Value {
    json!({
        "resourceType": "CarePlan",
        "text": {"status": "generated", "div": "<div xmlns=\"http://www.w3.org/1999/xhtml\">Zorgplan</div>"},
        "status": "draft",
        "intent": "plan",
        "identifier": identifier,
        "category": [
            {"coding": [{"system": "http://snomed.info/sct", "code": "734163000"}]},
            {"coding": [{"system": "http://fhir.zorgplankindgezin.nl/CodeSystem/zorgplan-categorie",
                         "code": "zorgplan-kind-gezin"}]}
        ],
        "subject": {"reference": subject},
        "careTeam": [{"reference": "CareTeam/netwerk"}]
    })
}

/// Stores what [`plan`] refers to besides its subject, the care network `CareTeam/netwerk`
/// of the child `subject` (the server refuses dangling references).
pub async fn care_network(server: &TestServer, subject: &str) {
    let team = json!({"resourceType": "CareTeam", "id": "netwerk", "status": "active",
                      "name": "Zorgnetwerk", "subject": {"reference": subject}});
    let resp = server.put("CareTeam/netwerk", &team).await;
    assert!(resp.status == 201 || resp.status == 200, "{}", resp.body);
}

/// Stores a child as `Patient/{id}`.
pub async fn put_child(server: &TestServer, id: &str, bsn: &str) {
    let mut body = child(bsn);
    body["id"] = json!(id);
    let resp = server.put(&format!("Patient/{id}"), &body).await;
    assert!(resp.status == 201 || resp.status == 200, "{}", resp.body);
}

async fn create_assigns_id_version_and_headers(backend: Backend) {
    let server = TestServer::start(backend).await;
    let mut body = child("999911120");
    body["id"] = json!("client-chosen");
    body["meta"] = json!({ "versionId": "77", "lastUpdated": "2001-01-01T00:00:00Z",
        "profile": ["http://example.org/StructureDefinition/p"] });
    let resp = server.post("Patient", &body).await;
    assert_eq!(resp.status, 201, "{}", resp.body);
    let created = resp.json();
    let id = created["id"].as_str().unwrap();
    assert_ne!(id, "client-chosen", "the server assigns the id of a create");
    assert!(zorgplan_fhir::id::is_valid_id(id));
    assert_eq!(created["meta"]["versionId"], "1");
    assert_eq!(
        created["meta"]["profile"][0],
        "http://example.org/StructureDefinition/p"
    );
    let last_updated = created["meta"]["lastUpdated"].as_str().unwrap();
    assert!(last_updated.starts_with("20") && last_updated != "2001-01-01T00:00:00Z");
    assert_eq!(created["birthDate"], "2015-03-01");
    assert_eq!(resp.header("etag"), Some("W/\"1\""));
    assert_eq!(
        resp.header("location"),
        Some(server.url(&format!("Patient/{id}/_history/1")).as_str())
    );
    let last_modified = resp.header("last-modified").unwrap();
    assert!(last_modified.ends_with(" GMT"), "{last_modified}");

    let read = server.get(&format!("Patient/{id}")).await;
    assert_eq!(read.status, 200);
    assert_eq!(read.json(), created);
    assert_eq!(read.header("etag"), Some("W/\"1\""));
    assert_eq!(read.header("last-modified"), Some(last_modified));
    assert!(read
        .header("content-type")
        .unwrap()
        .starts_with("application/fhir+json"));

    let vread = server.get(&format!("Patient/{id}/_history/1")).await;
    assert_eq!(vread.status, 200);
    assert_eq!(vread.json(), created);
    server
        .get(&format!("Patient/{id}/_history/2"))
        .await
        .outcome(404);
    server
        .get(&format!("Patient/{id}/_history/x"))
        .await
        .outcome(404);
    server.get("Patient/does-not-exist").await.outcome(404);
    server.get("Patient/not$valid").await.outcome(404);
}

async fn update_makes_versions_and_keeps_the_old_ones(backend: Backend) {
    let server = TestServer::start(backend).await;
    let created = server.create(&child("999911120")).await;
    let id = created["id"].as_str().unwrap();
    let mut changed = created.clone();
    changed["birthDate"] = json!("2015-03-02");
    let resp = server.put(&format!("Patient/{id}"), &changed).await;
    assert_eq!(resp.status, 200, "{}", resp.body);
    assert_eq!(resp.header("etag"), Some("W/\"2\""));
    assert_eq!(
        resp.header("location"),
        Some(server.url(&format!("Patient/{id}/_history/2")).as_str())
    );
    let updated = resp.json();
    assert_eq!(updated["meta"]["versionId"], "2");
    assert_eq!(updated["birthDate"], "2015-03-02");
    assert!(
        updated["meta"]["lastUpdated"].as_str() > created["meta"]["lastUpdated"].as_str(),
        "lastUpdated moves forward"
    );
    assert_eq!(server.get(&format!("Patient/{id}")).await.json(), updated);
    let old = server.get(&format!("Patient/{id}/_history/1")).await;
    assert_eq!(old.json()["birthDate"], "2015-03-01");
    assert_eq!(old.header("etag"), Some("W/\"1\""));
}

async fn update_as_create_and_id_rules(backend: Backend) {
    let server = TestServer::start(backend).await;
    let mut body = child("999911120");
    body["id"] = json!("sanne");
    let resp = server.put("Patient/sanne", &body).await;
    assert_eq!(resp.status, 201, "{}", resp.body);
    assert_eq!(resp.header("etag"), Some("W/\"1\""));
    assert_eq!(
        resp.header("location"),
        Some(server.url("Patient/sanne/_history/1").as_str())
    );
    assert_eq!(server.get("Patient/sanne").await.status, 200);

    // The id in the body must be there and match the URL.
    let outcome = server.put("Patient/other", &body).await.outcome(400);
    assert_eq!(outcome["issue"][0]["expression"][0], "Patient.id");
    let mut no_id = body.clone();
    no_id.as_object_mut().unwrap().remove("id");
    server.put("Patient/sanne", &no_id).await.outcome(400);
    server.put("Patient/not$valid", &body).await.outcome(400);
    // The body's type must be the URL's.
    let mut wrong_type = body.clone();
    wrong_type["resourceType"] = json!("Practitioner");
    server.put("Patient/sanne", &wrong_type).await.outcome(400);
    // None of that changed the resource.
    assert_eq!(
        server.get("Patient/sanne").await.header("etag"),
        Some("W/\"1\"")
    );
}

async fn if_match_guards_updates_and_deletes(backend: Backend) {
    let server = TestServer::start(backend).await;
    let created = server.create(&child("999911120")).await;
    let id = created["id"].as_str().unwrap();
    let path = format!("Patient/{id}");
    let mut changed = created.clone();
    changed["gender"] = json!("other");
    let put = |etag: &str| {
        crate::common::fhir_json(server.request(Method::PUT, &path), &changed)
            .header("If-Match", etag.to_owned())
    };
    let resp = crate::common::Resp::of(put("W/\"1\"")).await;
    assert_eq!(resp.status, 200, "{}", resp.body);
    assert_eq!(resp.header("etag"), Some("W/\"2\""));
    // Version 1 is no longer current.
    let stale = crate::common::Resp::of(put("W/\"1\"")).await;
    let outcome = stale.outcome(412);
    assert_eq!(outcome["issue"][0]["code"], "conflict");
    let current = crate::common::Resp::of(put("\"2\"")).await;
    assert_eq!(current.status, 200, "{}", current.body);
    crate::common::Resp::of(put("banana")).await.outcome(400);
    // If-Match on a resource that does not exist.
    let missing = crate::common::fhir_json(
        server.request(Method::PUT, "Patient/nobody"),
        &json!({
            "resourceType": "Patient", "id": "nobody"
        }),
    )
    .header("If-Match", "W/\"1\"");
    crate::common::Resp::of(missing).await.outcome(412);
    assert_eq!(server.get("Patient/nobody").await.status, 404);
    // Delete with a stale version is refused; with the current one it succeeds.
    let del = |etag: &str| {
        server
            .request(Method::DELETE, &path)
            .header("If-Match", etag.to_owned())
    };
    crate::common::Resp::of(del("W/\"1\"")).await.outcome(412);
    assert_eq!(server.get(&path).await.status, 200);
    // (The update with If-Match "2" changed nothing: version 2 is still current.)
    let deleted = crate::common::Resp::of(del("W/\"2\"")).await;
    assert_eq!(deleted.status, 204, "{}", deleted.body);
    assert_eq!(deleted.header("etag"), Some("W/\"3\""));
}

async fn delete_is_logical(backend: Backend) {
    let server = TestServer::start(backend).await;
    let created = server.create(&child("999911120")).await;
    let id = created["id"].as_str().unwrap();
    let path = format!("Patient/{id}");
    let resp = server.delete(&path).await;
    assert_eq!(resp.status, 204, "{}", resp.body);
    assert!(resp.body.is_empty());
    assert_eq!(resp.header("etag"), Some("W/\"2\""));
    let gone = server.get(&path).await.outcome(410);
    assert_eq!(gone["issue"][0]["code"], "deleted");
    // The earlier version stays readable; the deletion itself is Gone.
    assert_eq!(
        server.get(&format!("{path}/_history/1")).await.json(),
        created
    );
    server.get(&format!("{path}/_history/2")).await.outcome(410);
    // History keeps both.
    let history = server.get(&format!("{path}/_history")).await.json();
    let entries = history["entry"].as_array().unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0]["request"]["method"], "DELETE");
    assert!(entries[0].get("resource").is_none());
    assert_eq!(entries[1]["request"]["method"], "POST");
    // Deleting again, or deleting what never existed, changes nothing.
    assert_eq!(server.delete(&path).await.status, 204);
    assert_eq!(server.delete("Patient/never-was").await.status, 204);
    let history = server.get(&format!("{path}/_history")).await.json();
    assert_eq!(history["entry"].as_array().unwrap().len(), 2);
    // A delete that asks for an OperationOutcome gets one.
    let resp = crate::common::Resp::of(
        server
            .request(Method::DELETE, &path)
            .header("Prefer", "return=OperationOutcome"),
    )
    .await;
    assert_eq!(resp.outcome(200)["issue"][0]["severity"], "information");
    // An update brings it back as a new version.
    let resp = server.put(&path, &created).await;
    assert_eq!(resp.status, 201, "{}", resp.body);
    assert_eq!(resp.json()["meta"]["versionId"], "3");
    assert_eq!(server.get(&path).await.status, 200);
}

async fn conditional_read(backend: Backend) {
    let server = TestServer::start(backend).await;
    let created = server.create(&child("999911120")).await;
    let path = format!("Patient/{}", created["id"].as_str().unwrap());
    let get_with = |name: &'static str, value: String| {
        crate::common::Resp::of(server.request(Method::GET, &path).header(name, value))
    };
    let resp = get_with("If-None-Match", "W/\"1\"".into()).await;
    assert_eq!(resp.status, 304);
    assert!(resp.body.is_empty());
    assert_eq!(resp.header("etag"), Some("W/\"1\""));
    assert_eq!(
        get_with("If-None-Match", "W/\"0\", W/\"1\"".into())
            .await
            .status,
        304
    );
    assert_eq!(get_with("If-None-Match", "*".into()).await.status, 304);
    assert_eq!(
        get_with("If-None-Match", "W/\"2\"".into()).await.status,
        200
    );
    let last_modified = server
        .get(&path)
        .await
        .header("last-modified")
        .unwrap()
        .to_owned();
    assert_eq!(
        get_with("If-Modified-Since", last_modified).await.status,
        304
    );
    let earlier = "Sat, 01 Jan 2000 00:00:00 GMT".to_owned();
    assert_eq!(get_with("If-Modified-Since", earlier).await.status, 200);
}

async fn prefer_return(backend: Backend) {
    let server = TestServer::start(backend).await;
    let post = |prefer: &'static str| {
        crate::common::Resp::of(
            crate::common::fhir_json(server.request(Method::POST, "Patient"), &child("999911120"))
                .header("Prefer", prefer),
        )
    };
    let minimal = post("return=minimal").await;
    assert_eq!(minimal.status, 201);
    assert!(minimal.body.is_empty());
    assert!(minimal.header("location").is_some() && minimal.header("etag").is_some());
    let outcome = post("return=OperationOutcome").await.outcome(201);
    assert_eq!(outcome["issue"][0]["severity"], "information");
    let representation = post("return=representation").await;
    assert_eq!(representation.status, 201);
    assert_eq!(representation.json()["resourceType"], "Patient");
    // The same on update.
    let mut created = representation.json();
    let path = format!("Patient/{}", created["id"].as_str().unwrap());
    created["gender"] = json!("other");
    let resp = crate::common::Resp::of(
        crate::common::fhir_json(server.request(Method::PUT, &path), &created)
            .header("Prefer", "return=minimal"),
    )
    .await;
    assert_eq!(resp.status, 200);
    assert!(resp.body.is_empty());
    assert_eq!(resp.header("etag"), Some("W/\"2\""));
    // An update that changes nothing writes no version (whatever its meta says).
    created["meta"]["lastUpdated"] = json!("2020-01-01T00:00:00Z");
    let resp = server.put(&path, &created).await;
    assert_eq!(resp.status, 200, "{}", resp.body);
    assert_eq!(resp.header("etag"), Some("W/\"2\""));
    assert_eq!(resp.json()["meta"]["versionId"], "2");
}

async fn decimals_and_element_order_are_kept(backend: Backend) {
    let server = TestServer::start(backend).await;
    let body = r#"{"resourceType":"Observation","status":"final","code":{"text":"gewicht"},"valueQuantity":{"value":12.50,"unit":"kg"},"component":[{"code":{"text":"x"},"valueQuantity":{"value":1E+2}}]}"#;
    let resp = crate::common::Resp::of(
        server
            .request(Method::POST, "Observation")
            .header("Content-Type", "application/fhir+json")
            .body(body),
    )
    .await;
    assert_eq!(resp.status, 201, "{}", resp.body);
    let id = resp.json()["id"].as_str().unwrap().to_owned();
    let read = server.get(&format!("Observation/{id}")).await;
    assert!(read.body.contains(r#""value":12.50"#), "{}", read.body);
    // An exponent keeps its value (serde_json writes the `E` in lower case).
    assert!(read.body.contains(r#""value":1e+2"#), "{}", read.body);
    assert!(
        read.body
            .starts_with(r#"{"resourceType":"Observation","id":"#),
        "{}",
        read.body
    );
    assert!(
        read.body.contains(r#""status":"final","code""#),
        "{}",
        read.body
    );
}

async fn any_resource_type_is_served(backend: Backend) {
    let server = TestServer::start(backend).await;
    put_child(&server, "x", "999911120").await;
    care_network(&server, "Patient/x").await;
    for body in [
        plan("Patient/x", json!([{"value": "x-1"}])),
        json!({"resourceType": "Basic", "code": {"text": "x"}}),
        json!({"resourceType": "Bundle", "type": "collection"}),
        json!({"resourceType": "Binary", "contentType": "text/plain", "data": "aGFsbG8="}),
    ] {
        let created = server.create(&body).await;
        let path = format!(
            "{}/{}",
            body["resourceType"].as_str().unwrap(),
            created["id"].as_str().unwrap()
        );
        assert_eq!(server.get(&path).await.json(), created);
    }
}

crate::backend_tests!(
    create_assigns_id_version_and_headers,
    update_makes_versions_and_keeps_the_old_ones,
    update_as_create_and_id_rules,
    if_match_guards_updates_and_deletes,
    delete_is_logical,
    conditional_read,
    prefer_return,
    decimals_and_element_order_are_kept,
    any_resource_type_is_served,
);
