//! Content negotiation: Accept, _format, _pretty.

use crate::common::{Backend, Resp, TestServer};
use reqwest::Method;

async fn accept_and_format(backend: Backend) {
    let server = TestServer::start(backend).await;
    let created = server.create(&crate::crud::child("999911120")).await;
    let path = format!("Patient/{}", created["id"].as_str().unwrap());
    let with_accept = |accept: &'static str| {
        Resp::of(server.request(Method::GET, &path).header("Accept", accept))
    };

    for accept in [
        "application/fhir+json",
        "*/*",
        "application/fhir+json;fhirVersion=4.0",
        "text/html, application/*;q=0.8",
    ] {
        let resp = with_accept(accept).await;
        assert_eq!(resp.status, 200, "{accept}");
        assert_eq!(
            resp.header("content-type"),
            Some("application/fhir+json; charset=utf-8")
        );
    }
    let resp = with_accept("application/json").await;
    assert_eq!(resp.status, 200);
    assert_eq!(
        resp.header("content-type"),
        Some("application/json; charset=utf-8")
    );
    for accept in [
        "application/fhir+xml",
        "text/html",
        "application/fhir+json; fhirVersion=3.0",
    ] {
        with_accept(accept).await.outcome(406);
    }
    // _format wins over Accept.
    for format in [
        "json",
        "application/fhir%2Bjson",
        "application/fhir+json",
        "application/json",
    ] {
        let resp = Resp::of(
            server
                .request(Method::GET, &format!("{path}?_format={format}"))
                .header("Accept", "application/fhir+xml"),
        )
        .await;
        assert_eq!(resp.status, 200, "_format={format}");
    }
    for format in ["xml", "application/fhir%2Bxml", "turtle"] {
        server
            .get(&format!("{path}?_format={format}"))
            .await
            .outcome(406);
    }
    // Errors are negotiated too: a write with an unacceptable Accept stores nothing.
    let resp = Resp::of(
        crate::common::fhir_json(server.request(Method::POST, "Patient"), &created)
            .header("Accept", "application/fhir+xml"),
    )
    .await;
    resp.outcome(406);
    assert_eq!(
        server.get("Patient/_history").await.json()["entry"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

async fn pretty(backend: Backend) {
    let server = TestServer::start(backend).await;
    let created = server.create(&crate::crud::child("999911120")).await;
    let path = format!("Patient/{}", created["id"].as_str().unwrap());
    let compact = server.get(&path).await;
    assert!(!compact.body.contains('\n'));
    let pretty = server.get(&format!("{path}?_pretty=true")).await;
    assert!(pretty.body.contains("\n  \"id\""), "{}", pretty.body);
    assert_eq!(pretty.json(), compact.json());
    let bundle = server.get("Patient?_pretty=true").await;
    assert!(bundle.body.contains('\n'));
    let metadata = server.get("metadata?_pretty=true").await;
    assert!(metadata.body.contains('\n'));
}

crate::backend_tests!(accept_and_format, pretty);
