//! search-type over `_id` and `identifier`, with paging and lenient or strict handling.

use crate::common::{link, Backend, Resp, TestServer};
use crate::crud::child;
use reqwest::Method;
use serde_json::{json, Value};
use std::collections::BTreeSet;

const BSN: &str = "http://fhir.nl/fhir/NamingSystem/bsn";

fn ids(bundle: &Value) -> BTreeSet<String> {
    bundle["entry"]
        .as_array()
        .map(|entries| {
            entries
                .iter()
                .map(|e| e["resource"]["id"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

fn set(list: &[&str]) -> BTreeSet<String> {
    list.iter().map(|s| s.to_string()).collect()
}

async fn search_by_identifier_and_id(backend: Backend) {
    let server = TestServer::start(backend).await;
    let mut a = child("999911120");
    a["id"] = json!("a");
    let mut b = child("999912345");
    b["id"] = json!("b");
    b["identifier"]
        .as_array_mut()
        .unwrap()
        .push(json!({"system": "urn:oid:2.16.840.1.113883.2.4.6.1", "value": "X1"}));
    let mut c =
        json!({"resourceType": "Patient", "id": "c", "identifier": [{"value": "999911120"}]});
    for body in [&a, &b, &mut c] {
        let id = body["id"].as_str().unwrap().to_owned();
        assert_eq!(server.put(&format!("Patient/{id}"), body).await.status, 201);
    }
    let search = |query: String| {
        let server = &server;
        async move {
            let resp = server.get(&format!("Patient?{query}")).await;
            assert_eq!(resp.status, 200, "{query}: {}", resp.body);
            let bundle = resp.json();
            assert_eq!(bundle["type"], "searchset");
            ids(&bundle)
        }
    };
    assert_eq!(
        search(format!("identifier={BSN}|999911120")).await,
        set(&["a"])
    );
    assert_eq!(
        search("identifier=999911120".into()).await,
        set(&["a", "c"])
    );
    assert_eq!(search("identifier=|999911120".into()).await, set(&["c"]));
    assert_eq!(search(format!("identifier={BSN}|")).await, set(&["a", "b"]));
    assert_eq!(search("identifier=X1,999912345".into()).await, set(&["b"]));
    assert_eq!(
        search(format!("identifier={BSN}|999911120,{BSN}|999912345")).await,
        set(&["a", "b"])
    );
    assert_eq!(
        search(format!("identifier={BSN}|&identifier=X1")).await,
        set(&["b"])
    );
    assert_eq!(search("_id=a,c".into()).await, set(&["a", "c"]));
    assert_eq!(
        search("_id=a&identifier=999911120".into()).await,
        set(&["a"])
    );
    assert_eq!(search("_id=a&_id=b".into()).await, set(&[]));
    assert_eq!(search("".into()).await, set(&["a", "b", "c"]));
    assert_eq!(search("identifier=nobody".into()).await, set(&[]));
    // Matches carry search.mode and a full URL; a complete first page states the total.
    let bundle = server.get("Patient?_id=a").await.json();
    assert_eq!(bundle["total"], 1);
    assert_eq!(bundle["entry"][0]["search"]["mode"], "match");
    assert_eq!(bundle["entry"][0]["fullUrl"], server.url("Patient/a"));
    // Deleted resources are not found; other types are not mixed in.
    assert_eq!(server.delete("Patient/c").await.status, 204);
    assert_eq!(search("identifier=999911120".into()).await, set(&["a"]));
    let plan = crate::crud::plan("Patient/a", json!([{"value": "999911120"}]));
    crate::crud::care_network(&server, "Patient/a").await;
    server.create(&plan).await;
    assert_eq!(search("identifier=999911120".into()).await, set(&["a"]));
    server.get("Unicorn?_id=a").await.outcome(404);
}

async fn unknown_parameters_lenient_and_strict(backend: Backend) {
    let server = TestServer::start(backend).await;
    server.create(&child("999911120")).await;
    let lenient = server
        .get("Patient?nickname=Jansen&identifier=999911120")
        .await;
    assert_eq!(lenient.status, 200);
    let bundle = lenient.json();
    assert_eq!(ids(&bundle).len(), 1);
    let self_link = link(&bundle, "self").unwrap();
    assert!(
        !self_link.contains("nickname"),
        "ignored parameters are left out: {self_link}"
    );
    assert!(self_link.contains("identifier=999911120"));
    let strict = Resp::of(
        server
            .request(Method::GET, "Patient?nickname=Jansen")
            .header("Prefer", "handling=strict"),
    )
    .await;
    let outcome = strict.outcome(400);
    assert!(outcome["issue"][0]["diagnostics"]
        .as_str()
        .unwrap()
        .contains("nickname"));
    server.get("Patient?_count=x").await.outcome(400);
    server.get("Patient?_id=").await.outcome(400);
}

async fn paging_and_post_search(backend: Backend) {
    let server = TestServer::start(backend).await;
    let mut created = BTreeSet::new();
    for i in 0..7 {
        created.insert(
            server.create(&child(&format!("99992{i:04}"))).await["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    let first = server.get("Patient?_count=3").await.json();
    assert_eq!(first["entry"].as_array().unwrap().len(), 3);
    assert!(
        first.get("total").is_none(),
        "no total is computed beyond the page"
    );
    let all = server.all_pages("Patient?_count=3").await;
    let found: BTreeSet<String> = all
        .iter()
        .map(|e| e["resource"]["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(all.len(), 7);
    assert_eq!(found, created);
    let capped = server.get("Patient?_count=100000").await.json();
    assert_eq!(capped["entry"].as_array().unwrap().len(), 7);
    let zero = server.get("Patient?_count=0").await.json();
    assert!(zero.get("entry").is_none());

    let post = Resp::of(
        server
            .request(Method::POST, "Patient/_search")
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body("identifier=999920003"),
    )
    .await;
    assert_eq!(post.status, 200, "{}", post.body);
    assert_eq!(ids(&post.json()).len(), 1);
    let empty_post = Resp::of(server.request(Method::POST, "Patient/_search?_count=2")).await;
    assert_eq!(empty_post.json()["entry"].as_array().unwrap().len(), 2);
    let json_post = Resp::of(
        server
            .request(Method::POST, "Patient/_search")
            .header("Content-Type", "application/fhir+json")
            .body("{}"),
    )
    .await;
    json_post.outcome(415);
}

crate::backend_tests!(
    search_by_identifier_and_id,
    unknown_parameters_lenient_and_strict,
    paging_and_post_search,
);
