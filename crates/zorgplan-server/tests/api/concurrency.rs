//! Concurrent writers: version-checked updates never lose each other's changes, and
//! conditional creates of one identifier make one resource.

use crate::common::{fhir_json, Backend, Resp, TestServer};
use crate::crud::child;
use reqwest::Method;
use serde_json::json;
use std::collections::BTreeSet;
use std::sync::Arc;

const WRITERS: usize = 20;

async fn parallel_if_match_updates_one_wins_per_version(backend: Backend) {
    let server = Arc::new(TestServer::start(backend).await);
    let created = server.create(&child("999911120")).await;
    let path = format!("Patient/{}", created["id"].as_str().unwrap());

    // Round 1: twenty writers all hold version 1; exactly one may write.
    let mut tasks = Vec::new();
    for writer in 0..WRITERS {
        let (server, path, mut body) = (server.clone(), path.clone(), created.clone());
        tasks.push(tokio::spawn(async move {
            body["name"][0]["text"] = json!(format!("writer {writer}"));
            Resp::of(
                fhir_json(server.request(Method::PUT, &path), &body).header("If-Match", "W/\"1\""),
            )
            .await
            .status
        }));
    }
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.unwrap());
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 412).count(),
        WRITERS - 1,
        "{statuses:?}"
    );

    // Round 2: every writer retries on 412 until its change is in; none is lost.
    let mut tasks = Vec::new();
    for writer in 0..WRITERS {
        let (server, path) = (server.clone(), path.clone());
        tasks.push(tokio::spawn(async move {
            for _ in 0..500 {
                let current = server.get(&path).await;
                let etag = current.header("etag").unwrap().to_owned();
                let mut body = current.json();
                body["name"][0]["text"] = json!(format!("round 2 writer {writer}"));
                let resp = Resp::of(
                    fhir_json(server.request(Method::PUT, &path), &body).header("If-Match", etag),
                )
                .await;
                match resp.status {
                    200 => {
                        return resp.json()["meta"]["versionId"]
                            .as_str()
                            .unwrap()
                            .to_owned()
                    }
                    412 => continue,
                    other => panic!("writer {writer}: {other} {}", resp.body),
                }
            }
            panic!("writer {writer} never got its update in");
        }));
    }
    let mut won: BTreeSet<u64> = BTreeSet::new();
    for task in tasks {
        assert!(
            won.insert(task.await.unwrap().parse().unwrap()),
            "two writers got one version"
        );
    }
    let expected: BTreeSet<u64> = (3..3 + WRITERS as u64).collect();
    assert_eq!(won, expected);
    let history = server.all_pages(&format!("{path}/_history")).await;
    assert_eq!(history.len(), 2 + WRITERS);
    let texts: BTreeSet<String> = history
        .iter()
        .filter_map(|e| e["resource"]["name"][0]["text"].as_str())
        .filter(|t| t.starts_with("round 2"))
        .map(str::to_owned)
        .collect();
    assert_eq!(
        texts.len(),
        WRITERS,
        "every writer's change is in the history"
    );
}

async fn parallel_conditional_creates_make_one_resource(backend: Backend) {
    let server = Arc::new(TestServer::start(backend).await);
    let mut tasks = Vec::new();
    for _ in 0..WRITERS {
        let server = server.clone();
        tasks.push(tokio::spawn(async move {
            let resp = Resp::of(
                fhir_json(server.request(Method::POST, "Patient"), &child("999911120")).header(
                    "If-None-Exist",
                    "identifier=http://fhir.nl/fhir/NamingSystem/bsn|999911120",
                ),
            )
            .await;
            assert!(
                resp.status == 201 || resp.status == 200,
                "{} {}",
                resp.status,
                resp.body
            );
            (resp.status, resp.json()["id"].as_str().unwrap().to_owned())
        }));
    }
    let mut results = Vec::new();
    for task in tasks {
        results.push(task.await.unwrap());
    }
    assert_eq!(
        results.iter().filter(|(s, _)| *s == 201).count(),
        1,
        "{results:?}"
    );
    let ids: BTreeSet<&String> = results.iter().map(|(_, id)| id).collect();
    assert_eq!(ids.len(), 1, "every caller got the one resource");
    let bundle = server.get("Patient?identifier=999911120").await.json();
    assert_eq!(bundle["total"], 1);
    assert_eq!(server.all_pages("_history").await.len(), 1);
}

async fn parallel_updates_as_create_of_one_id(backend: Backend) {
    let server = Arc::new(TestServer::start(backend).await);
    let mut tasks = Vec::new();
    for writer in 0..WRITERS {
        let server = server.clone();
        tasks.push(tokio::spawn(async move {
            let mut body = child("999911120");
            body["id"] = json!("same");
            body["name"][0]["text"] = json!(format!("writer {writer}"));
            let resp = server.put("Patient/same", &body).await;
            assert!(
                resp.status == 201 || resp.status == 200,
                "{} {}",
                resp.status,
                resp.body
            );
            resp.status
        }));
    }
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.unwrap());
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        1,
        "{statuses:?}"
    );
    let history = server.all_pages("Patient/same/_history").await;
    assert_eq!(history.len(), WRITERS, "every write is a version");
    let current = server.get("Patient/same").await.json();
    assert_eq!(current["meta"]["versionId"], WRITERS.to_string());
}

/// A writer outside the server holds the write lock on the resource while the server
/// updates it. PostgreSQL then reports a serialisation failure: with retries exhausted the
/// client gets 409 and the resource keeps its version. SQLite makes the server wait for the
/// lock: past the busy timeout the client gets 503.
async fn a_write_that_loses_to_a_concurrent_writer(backend: Backend) {
    use diesel::connection::SimpleConnection;
    use diesel::Connection;
    let server = TestServer::start_configured(backend, crate::common::development(), |c| {
        c.write_attempts = 1;
        c.busy_timeout = std::time::Duration::from_millis(200);
    })
    .await;
    let mut body = server.create(&child("999911120")).await;
    let path = format!("Patient/{}", body["id"].as_str().unwrap());
    let id = body["id"].as_str().unwrap().to_owned();
    let url = server.db_url.clone();
    let (locked_tx, locked) = std::sync::mpsc::channel();
    let holder = std::thread::spawn(move || {
        let hold = |conn: &mut dyn SimpleConnection, begin: &str| {
            conn.batch_execute(&format!(
                "{begin}; UPDATE resources SET last_updated = last_updated WHERE res_id = '{id}';"
            ))
            .unwrap();
            locked_tx.send(()).unwrap();
            std::thread::sleep(std::time::Duration::from_millis(600));
            conn.batch_execute("COMMIT").unwrap();
        };
        match backend {
            Backend::Postgres => hold(
                &mut diesel::PgConnection::establish(&url).unwrap(),
                "BEGIN ISOLATION LEVEL SERIALIZABLE",
            ),
            Backend::Sqlite => hold(
                &mut diesel::SqliteConnection::establish(&url).unwrap(),
                "BEGIN IMMEDIATE",
            ),
        }
    });
    locked.recv().unwrap();
    body["birthDate"] = json!("2016-01-01");
    let resp = server.put(&path, &body).await;
    holder.join().unwrap();
    match backend {
        Backend::Postgres => {
            let outcome = resp.outcome(409);
            assert_eq!(outcome["issue"][0]["code"], "conflict");
        }
        Backend::Sqlite => {
            let outcome = resp.outcome(503);
            assert_eq!(outcome["issue"][0]["code"], "transient");
        }
    }
    let current = server.get(&path).await.json();
    assert_eq!(current["meta"]["versionId"], "1");
    assert_eq!(current["birthDate"], "2015-03-01");
    // Once the other writer is done, the same update goes through.
    assert_eq!(server.put(&path, &body).await.status, 200);
}

crate::backend_tests!(
    a_write_that_loses_to_a_concurrent_writer,
    parallel_if_match_updates_one_wins_per_version,
    parallel_conditional_creates_make_one_resource,
    parallel_updates_as_create_of_one_id,
);
