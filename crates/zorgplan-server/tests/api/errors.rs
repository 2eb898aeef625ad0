//! Bad input: every rejection is an OperationOutcome with the right status, and nothing of a
//! rejected request is stored.

use crate::common::{Backend, Resp, TestServer};
use reqwest::Method;
use serde_json::json;
use zorgplan_server::ServerConfig;

async fn raw_post(server: &TestServer, path: &str, content_type: &str, body: String) -> Resp {
    Resp::of(
        server
            .request(Method::POST, path)
            .header("Content-Type", content_type)
            .body(body),
    )
    .await
}

/// POSTs a Patient of about `size` bytes with chunked transfer encoding; answers the
/// response's status line and headers.
fn chunked_post(addr: &str, size: usize) -> String {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    let head = "POST /Patient HTTP/1.1\r\nHost: test\r\nContent-Type: application/fhir+json\r\n\
                Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
    let _ = stream.write_all(head.as_bytes());
    let body = format!(
        "{{\"resourceType\":\"Patient\",\"name\":[{{\"text\":\"{}\"}}]}}",
        "y".repeat(size)
    );
    // The server may answer and close before the body is all sent.
    for chunk in body.as_bytes().chunks(512) {
        let _ = stream.write_all(format!("{:x}\r\n", chunk.len()).as_bytes());
        let _ = stream.write_all(chunk);
        let _ = stream.write_all(b"\r\n");
    }
    let _ = stream.write_all(b"0\r\n\r\n");
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    String::from_utf8_lossy(&response).into_owned()
}

/// Nothing was stored: the system history is empty.
async fn assert_nothing_stored(server: &TestServer) {
    let history = server.get("_history").await.json();
    assert!(history.get("entry").is_none(), "stored: {history}");
}

async fn malformed_bodies_are_rejected_and_nothing_is_stored(backend: Backend) {
    let server = TestServer::start(backend).await;
    let json = "application/fhir+json";
    for (body, status, what) in [
        ("{\"resourceType\":\"Patient\",", 400, "truncated JSON"),
        ("not json at all", 400, "not JSON"),
        ("", 400, "empty body"),
        ("[{\"resourceType\":\"Patient\"}]", 400, "an array"),
        ("{\"active\":true}", 400, "no resourceType"),
        (
            "{\"resourceType\":\"Practitioner\"}",
            400,
            "another type than the URL",
        ),
        ("{\"resourceType\":\"Unicorn\"}", 400, "not an R4 type"),
        (
            "{\"resourceType\":\"ClientApplication\"}",
            400,
            "a vendor's non-FHIR type",
        ),
        (
            "{\"resourceType\":\"Patient\",\"active\":true,\"active\":false}",
            400,
            "a duplicate key",
        ),
        (
            "{\"resourceType\":\"Patient\",\"gender\":\"\"}",
            422,
            "an empty string",
        ),
        (
            "{\"resourceType\":\"Patient\",\"gender\":null}",
            422,
            "a null",
        ),
        (
            "{\"resourceType\":\"Patient\",\"name\":[]}",
            422,
            "an empty array",
        ),
        (
            "{\"resourceType\":\"Patient\",\"meta\":\"x\"}",
            422,
            "meta that is no object",
        ),
    ] {
        let resp = raw_post(&server, "Patient", json, body.to_owned()).await;
        assert_eq!(resp.status, status, "{what}: {}", resp.body);
        resp.outcome(status);
    }
    assert_nothing_stored(&server).await;
}

async fn every_issue_is_listed_with_its_element(backend: Backend) {
    let server = TestServer::start(backend).await;
    let body = json!({
        "resourceType": "Patient",
        "name": [{ "family": "", "given": [null] }],
        "telecom": [{}],
        "contained": [{ "resourceType": "Nope" }]
    });
    let outcome = server.post("Patient", &body).await.outcome(422);
    let expressions: Vec<&str> = outcome["issue"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["expression"][0].as_str().unwrap())
        .collect();
    assert_eq!(
        expressions,
        [
            "Patient.name[0].family",
            "Patient.name[0].given",
            "Patient.telecom[0]",
            "Patient.contained[0].resourceType"
        ]
    );
    assert_nothing_stored(&server).await;
}

async fn oversized_and_deeply_nested_bodies(backend: Backend) {
    let config = ServerConfig {
        max_body_bytes: 2048,
        ..crate::common::development()
    };
    let server = TestServer::start_with(backend, config).await;
    let big = json!({ "resourceType": "Patient", "name": [{ "text": "x".repeat(4096) }] });
    let outcome = server.post("Patient", &big).await.outcome(413);
    assert_eq!(outcome["issue"][0]["code"], "too-long");
    // Without Content-Length (chunked), the limit holds as the body streams in.
    let addr = server.base.trim_start_matches("http://").to_owned();
    let head = tokio::task::spawn_blocking(move || chunked_post(&addr, 4096))
        .await
        .unwrap();
    assert!(head.starts_with("HTTP/1.1 413"), "{head}");
    let deep = format!(
        "{{\"resourceType\":\"Patient\",\"extension\":{}{}}}",
        "[".repeat(300),
        "]".repeat(300)
    );
    let outcome = raw_post(&server, "Patient", "application/fhir+json", deep)
        .await
        .outcome(400);
    assert_eq!(outcome["issue"][0]["code"], "too-costly");
    assert_nothing_stored(&server).await;
}

async fn unsupported_media_types(backend: Backend) {
    let server = TestServer::start(backend).await;
    let body = json!({ "resourceType": "Patient" }).to_string();
    for content_type in [
        "text/plain",
        "application/pdf",
        "application/x-www-form-urlencoded",
        "application/fhir+json; charset=iso-8859-1",
        "application/fhir+json; fhirVersion=3.0",
    ] {
        raw_post(&server, "Patient", content_type, body.clone())
            .await
            .outcome(415);
    }
    let resp = Resp::of(server.request(Method::POST, "Patient").body(body.clone())).await;
    resp.outcome(415);
    // Plain JSON and FHIR JSON with parameters are read.
    for content_type in [
        "application/json",
        "application/fhir+json; charset=UTF-8; fhirVersion=4.0",
    ] {
        assert_eq!(
            raw_post(&server, "Patient", content_type, body.clone())
                .await
                .status,
            201
        );
    }
}

async fn unknown_types_paths_and_methods(backend: Backend) {
    let server = TestServer::start(backend).await;
    let outcome = server.get("Unicorn/1").await.outcome(404);
    assert!(outcome["issue"][0]["diagnostics"]
        .as_str()
        .unwrap()
        .contains("Unicorn"));
    server.get("patient/1").await.outcome(404);
    server
        .post("Unicorn", &json!({"resourceType": "Unicorn"}))
        .await
        .outcome(404);
    server.get("Patient/1/_history/1/extra").await.outcome(404);
    for (method, path, allow) in [
        (Method::POST, "Patient/1", "GET, PUT, PATCH, DELETE"),
        (Method::TRACE, "Patient", "GET, POST, PUT, PATCH, DELETE"),
        (Method::GET, "", "POST"),
        (Method::DELETE, "metadata", "GET"),
        (Method::POST, "Patient/1/_history", "GET"),
        (Method::PUT, "_history", "GET"),
        (Method::GET, "Patient/_search", "POST"),
    ] {
        let resp = Resp::of(server.request(method.clone(), path)).await;
        resp.outcome(405);
        assert_eq!(resp.header("allow"), Some(allow), "{method} {path}");
    }
}

async fn request_ids(backend: Backend) {
    let server = TestServer::start(backend).await;
    let resp = server.get("metadata").await;
    let made_up = resp.header("x-request-id").unwrap().to_owned();
    assert!(made_up.len() >= 16);
    let other = server.get("Patient/x").await;
    assert_ne!(
        other.header("x-request-id").unwrap(),
        made_up,
        "one id per request"
    );
    let given = Resp::of(
        server
            .request(Method::GET, "metadata")
            .header("X-Request-Id", "epd-42.abc"),
    )
    .await;
    assert_eq!(given.header("x-request-id"), Some("epd-42.abc"));
    let hostile = Resp::of(
        server
            .request(Method::GET, "metadata")
            .header("X-Request-Id", "a b<script>"),
    )
    .await;
    assert_ne!(hostile.header("x-request-id"), Some("a b<script>"));
}

async fn writes_are_validated_against_the_r4_definitions(backend: Backend) {
    let server = TestServer::start(backend).await;
    let invalid = json!({
        "resourceType": "Observation",
        "statuz": "final",
        "code": {"text": "gewicht"},
        "valueQuantity": {"value": "12.5"},
        "effectiveDateTime": "2026-13-01",
        "subject": [{"reference": "Patient/1"}]
    });
    let outcome = server.post("Observation", &invalid).await.outcome(422);
    let found: Vec<(&str, &str)> = outcome["issue"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["severity"] == "error")
        .map(|i| {
            (
                i["code"].as_str().unwrap(),
                i["expression"][0].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            ("structure", "Observation.statuz"),
            ("structure", "Observation.value.ofType(Quantity).value"),
            ("value", "Observation.effective.ofType(dateTime)"),
            ("structure", "Observation.subject"),
            ("required", "Observation.status"),
        ]
    );
    assert_nothing_stored(&server).await;
    // An update is validated the same way and leaves the current version as it was.
    let valid = json!({"resourceType": "Observation", "id": "o1", "status": "final",
        "code": {"text": "gewicht"}, "valueQuantity": {"value": 12.5, "unit": "kg"}});
    assert_eq!(server.put("Observation/o1", &valid).await.status, 201);
    let mut broken = valid.clone();
    broken["status"] = json!("banana");
    let outcome = server.put("Observation/o1", &broken).await.outcome(422);
    assert_eq!(outcome["issue"][0]["code"], "code-invalid");
    assert_eq!(outcome["issue"][0]["expression"][0], "Observation.status");
    let current = server.get("Observation/o1").await.json();
    assert_eq!(current["status"], "final");
    assert_eq!(current["meta"]["versionId"], "1");
}

crate::backend_tests!(
    writes_are_validated_against_the_r4_definitions,
    malformed_bodies_are_rejected_and_nothing_is_stored,
    every_issue_is_listed_with_its_element,
    oversized_and_deeply_nested_bodies,
    unsupported_media_types,
    unknown_types_paths_and_methods,
    request_ids,
);
