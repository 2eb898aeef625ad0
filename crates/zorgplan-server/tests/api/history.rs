//! History at instance, type and system level: order, entries, _since, _count and paging.

use crate::common::{link, Backend, Resp, TestServer};
use crate::crud::child;
use reqwest::Method;
use serde_json::{json, Value};

fn versions(entries: &[Value]) -> Vec<String> {
    entries
        .iter()
        .map(|e| {
            let url = e["fullUrl"].as_str().unwrap();
            let id = url.rsplit('/').next().unwrap();
            let etag = e["response"]["etag"].as_str().unwrap();
            format!(
                "{id}@{}",
                etag.trim_start_matches("W/\"").trim_end_matches('"')
            )
        })
        .collect()
}

async fn instance_history(backend: Backend) {
    let server = TestServer::start(backend).await;
    let created = server.create(&child("999911120")).await;
    let id = created["id"].as_str().unwrap().to_owned();
    let path = format!("Patient/{id}");
    let mut body = created.clone();
    body["birthDate"] = json!("2015-03-02");
    assert_eq!(server.put(&path, &body).await.status, 200);
    assert_eq!(server.delete(&path).await.status, 204);

    let bundle = server.get(&format!("{path}/_history")).await.json();
    assert_eq!(bundle["resourceType"], "Bundle");
    assert_eq!(bundle["type"], "history");
    let entries = bundle["entry"].as_array().unwrap();
    assert_eq!(
        versions(entries),
        [format!("{id}@3"), format!("{id}@2"), format!("{id}@1")]
    );
    assert_eq!(
        entries[0]["request"],
        json!({"method": "DELETE", "url": path})
    );
    assert_eq!(entries[0]["response"]["status"], "204 No Content");
    assert_eq!(entries[1]["request"], json!({"method": "PUT", "url": path}));
    assert_eq!(entries[1]["response"]["status"], "200 OK");
    assert_eq!(entries[1]["resource"]["birthDate"], "2015-03-02");
    assert_eq!(
        entries[2]["request"],
        json!({"method": "POST", "url": "Patient"})
    );
    assert_eq!(entries[2]["response"]["status"], "201 Created");
    assert_eq!(entries[2]["resource"], created);
    assert_eq!(
        entries[2]["response"]["lastModified"],
        created["meta"]["lastUpdated"]
    );
    assert_eq!(entries[2]["fullUrl"], server.url(&path));
    assert!(link(&bundle, "self")
        .unwrap()
        .starts_with(&server.url(&format!("{path}/_history"))));

    // Paging one version at a time gives the same list.
    let paged = server.all_pages(&format!("{path}/_history?_count=1")).await;
    assert_eq!(versions(&paged), versions(entries));
    // _since: versions at or after the instant.
    let since = entries[1]["response"]["lastModified"].as_str().unwrap();
    let recent = server
        .get(&format!(
            "{path}/_history?_since={}",
            since.replace('+', "%2B")
        ))
        .await
        .json();
    assert_eq!(
        versions(recent["entry"].as_array().unwrap()),
        [format!("{id}@3"), format!("{id}@2")]
    );
    // A time zone written with an unencoded `+` (which decodes as a space) is understood.
    let unencoded = server
        .get(&format!("{path}/_history?_since=2000-01-01T01:00:00+01:00"))
        .await
        .json();
    assert_eq!(unencoded["entry"].as_array().unwrap().len(), 3);
    let future = server
        .get(&format!("{path}/_history?_since=2999-01-01"))
        .await
        .json();
    assert!(future.get("entry").is_none());

    server.get("Patient/nobody/_history").await.outcome(404);
    server
        .get(&format!("{path}/_history?_since=yesterday"))
        .await
        .outcome(400);
    server
        .get(&format!("{path}/_history?_count=-1"))
        .await
        .outcome(400);
    server
        .get(&format!("{path}/_history?__cursor=garbage"))
        .await
        .outcome(400);
    // Unsupported parameters: ignored, unless the client asks for strict handling.
    assert_eq!(
        server
            .get(&format!("{path}/_history?_at=2020"))
            .await
            .status,
        200
    );
    let strict = Resp::of(
        server
            .request(Method::GET, &format!("{path}/_history?_at=2020"))
            .header("Prefer", "handling=strict"),
    )
    .await;
    strict.outcome(400);
}

async fn type_and_system_history(backend: Backend) {
    let server = TestServer::start(backend).await;
    let patient = server.create(&child("999911120")).await;
    let subject = format!("Patient/{}", patient["id"].as_str().unwrap());
    crate::crud::care_network(&server, &subject).await;
    let plan = server
        .create(&crate::crud::plan(
            &format!("Patient/{}", patient["id"].as_str().unwrap()),
            json!([{"value": "plan-1"}]),
        ))
        .await;
    let second = server.create(&child("999912345")).await;
    let id = |v: &Value| v["id"].as_str().unwrap().to_owned();

    let patients = server.all_pages("Patient/_history").await;
    assert_eq!(
        versions(&patients),
        [format!("{}@1", id(&second)), format!("{}@1", id(&patient))]
    );
    let all = server.all_pages("_history").await;
    assert_eq!(
        versions(&all),
        [
            format!("{}@1", id(&second)),
            format!("{}@1", id(&plan)),
            "netwerk@1".to_owned(),
            format!("{}@1", id(&patient))
        ]
    );
    let one_by_one = server.all_pages("_history?_count=1").await;
    assert_eq!(versions(&one_by_one), versions(&all));
    let none = server.get("Goal/_history").await.json();
    assert_eq!(none["type"], "history");
    assert!(none.get("entry").is_none());
    server.get("Unicorn/_history").await.outcome(404);
}

async fn paging_is_stable_while_data_changes(backend: Backend) {
    let server = TestServer::start(backend).await;
    let mut ids = Vec::new();
    for i in 0..5 {
        ids.push(
            server.create(&child(&format!("99991{i:04}"))).await["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    let first = server.get("Patient/_history?_count=2").await.json();
    let first_versions = versions(first["entry"].as_array().unwrap());
    assert_eq!(
        first_versions,
        [format!("{}@1", ids[4]), format!("{}@1", ids[3])]
    );
    // New versions written between pages neither shift nor repeat what the next pages show.
    for id in &ids[..2] {
        let current = server.get(&format!("Patient/{id}")).await.json();
        assert_eq!(
            server.put(&format!("Patient/{id}"), &current).await.status,
            200
        );
    }
    server.create(&child("999919999")).await;
    let mut rest = Vec::new();
    let mut next = link(&first, "next");
    while let Some(url) = next {
        let page = Resp::of(server.client.get(&url)).await.json();
        rest.extend(versions(page["entry"].as_array().unwrap()));
        next = link(&page, "next");
    }
    assert_eq!(
        rest,
        [
            format!("{}@1", ids[2]),
            format!("{}@1", ids[1]),
            format!("{}@1", ids[0])
        ]
    );
}

crate::backend_tests!(
    instance_history,
    type_and_system_history,
    paging_is_stable_while_data_changes
);
