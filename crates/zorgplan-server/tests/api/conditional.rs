//! Conditional create (If-None-Exist), conditional update and conditional delete.

use crate::common::{fhir_json, Backend, Resp, TestServer};
use crate::crud::child;
use reqwest::Method;
use serde_json::json;

const BSN: &str = "http://fhir.nl/fhir/NamingSystem/bsn";

async fn conditional_create(backend: Backend) {
    let server = TestServer::start(backend).await;
    let post = |criteria: String| {
        Resp::of(
            fhir_json(server.request(Method::POST, "Patient"), &child("999911120"))
                .header("If-None-Exist", criteria),
        )
    };
    let first = post(format!("identifier={BSN}|999911120")).await;
    assert_eq!(first.status, 201, "{}", first.body);
    let id = first.json()["id"].as_str().unwrap().to_owned();
    let second = post(format!("identifier={BSN}|999911120")).await;
    assert_eq!(second.status, 200, "{}", second.body);
    assert_eq!(second.json()["id"], id.as_str());
    assert_eq!(second.header("etag"), Some("W/\"1\""));
    assert!(second.header("location").unwrap().contains(&id));
    // Other spellings of the criteria find the same resource.
    for criteria in [
        "identifier=999911120".to_owned(),
        format!("Patient?identifier={BSN}|999911120"),
        format!("?identifier={BSN}|999911120"),
        format!("_id={id}"),
        format!(
            "identifier={}%7C999911120",
            BSN.replace(':', "%3A").replace('/', "%2F")
        ),
    ] {
        let resp = post(criteria.clone()).await;
        assert_eq!(resp.status, 200, "{criteria}: {}", resp.body);
    }
    assert_eq!(server.get("Patient").await.json()["total"], 1);
    // Two resources with the identifier: the criteria are ambiguous.
    server.create(&child("999911120")).await;
    let outcome = post(format!("identifier={BSN}|999911120"))
        .await
        .outcome(412);
    assert_eq!(outcome["issue"][0]["code"], "multiple-matches");
    // Criteria the server cannot evaluate, or none at all, are refused.
    post("nickname=Jansen".into()).await.outcome(400);
    post("".into()).await.outcome(400);
    post("identifier=".into()).await.outcome(400);
    assert_eq!(server.get("Patient").await.json()["total"], 2);
}

async fn conditional_update(backend: Backend) {
    let server = TestServer::start(backend).await;
    let path = format!("Patient?identifier={BSN}|999911120");
    let first = server.put(&path, &child("999911120")).await;
    assert_eq!(first.status, 201, "{}", first.body);
    let id = first.json()["id"].as_str().unwrap().to_owned();
    let mut changed = child("999911120");
    changed["birthDate"] = json!("2015-04-01");
    let second = server.put(&path, &changed).await;
    assert_eq!(second.status, 200, "{}", second.body);
    assert_eq!(second.json()["id"], id.as_str());
    assert_eq!(second.json()["meta"]["versionId"], "2");
    assert_eq!(
        server.get(&format!("Patient/{id}")).await.json()["birthDate"],
        "2015-04-01"
    );
    // With the body's id: it must be the matched resource's.
    let mut with_id = changed.clone();
    with_id["id"] = json!(id);
    assert_eq!(server.put(&path, &with_id).await.status, 200);
    with_id["id"] = json!("someone-else");
    server.put(&path, &with_id).await.outcome(400);
    // No match and an id in the body: update as create with that id.
    let mut new_child = child("999912345");
    new_child["id"] = json!("chosen");
    let created = server
        .put(&format!("Patient?identifier={BSN}|999912345"), &new_child)
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.json()["id"], "chosen");
    // If-Match applies to the matched resource.
    let stale = Resp::of(
        fhir_json(server.request(Method::PUT, &path), &changed).header("If-Match", "W/\"1\""),
    )
    .await;
    stale.outcome(412);
    // Several matches, no criteria, unknown criteria.
    server.create(&child("999911120")).await;
    server.put(&path, &changed).await.outcome(412);
    server.put("Patient", &changed).await.outcome(400);
    server
        .put("Patient?name:phonetic=Jansen", &changed)
        .await
        .outcome(400);
    server
        .put("Patient?_format=json", &changed)
        .await
        .outcome(400);
}

async fn conditional_delete(backend: Backend) {
    let server = TestServer::start(backend).await;
    let created = server.create(&child("999911120")).await;
    let id = created["id"].as_str().unwrap();
    let resp = server
        .delete(&format!("Patient?identifier={BSN}|999911120"))
        .await;
    assert_eq!(resp.status, 204, "{}", resp.body);
    assert_eq!(resp.header("etag"), Some("W/\"2\""));
    server.get(&format!("Patient/{id}")).await.outcome(410);
    // Nothing matches any more.
    assert_eq!(
        server
            .delete(&format!("Patient?identifier={BSN}|999911120"))
            .await
            .status,
        204
    );
    // Ambiguous criteria delete nothing.
    server.create(&child("999912345")).await;
    server.create(&child("999912345")).await;
    server
        .delete(&format!("Patient?identifier={BSN}|999912345"))
        .await
        .outcome(412);
    assert_eq!(server.get("Patient").await.json()["total"], 2);
    server.delete("Patient").await.outcome(400);
    server
        .delete("Patient?gender:unknown=female")
        .await
        .outcome(400);
}

crate::backend_tests!(conditional_create, conditional_update, conditional_delete);
