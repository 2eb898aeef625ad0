//! Content negotiation: Accept, _format, _pretty; JSON and XML.

use crate::common::{Backend, Resp, TestServer};
use reqwest::Method;
use serde_json::{json, Value};
use zorgplan_fhir::json::Limits;

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
    for accept in ["text/html", "application/fhir+json; fhirVersion=3.0"] {
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
    for format in ["turtle", "text/html"] {
        server
            .get(&format!("{path}?_format={format}"))
            .await
            .outcome(406);
    }
    // Errors are negotiated too: a write with an unacceptable Accept stores nothing.
    let resp = Resp::of(
        crate::common::fhir_json(server.request(Method::POST, "Patient"), &created)
            .header("Accept", "text/html"),
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

fn from_xml(resp: &Resp) -> Value {
    assert!(resp.body.starts_with("<?xml"), "{}", resp.body);
    zorgplan_fhir::xml::parse(&resp.body, Limits::default())
        .unwrap_or_else(|e| panic!("{:?}\n{}", e.to_operation_outcome(), resp.body))
}

async fn xml_requests(server: &TestServer, method: Method, path: &str, body: String) -> Resp {
    Resp::of(
        server
            .request(method, path)
            .header("Content-Type", "application/fhir+xml")
            .header("Accept", "application/fhir+xml")
            .body(body),
    )
    .await
}

async fn xml(backend: Backend) {
    let server = TestServer::start(backend).await;
    let child = crate::crud::child("999911120");
    let created = server.create(&child).await;
    let path = format!("Patient/{}", created["id"].as_str().unwrap());

    // Reading in XML, by Accept (quality decides) or _format: the same resource.
    for (accept, query, content_type) in [
        (
            "application/fhir+xml",
            "",
            "application/fhir+xml; charset=utf-8",
        ),
        ("application/xml", "", "application/xml; charset=utf-8"),
        (
            "application/fhir+json;q=0.5, application/fhir+xml",
            "",
            "application/fhir+xml; charset=utf-8",
        ),
        (
            "application/fhir+json",
            "?_format=xml",
            "application/fhir+xml; charset=utf-8",
        ),
        (
            "*/*",
            "?_format=application/fhir%2Bxml",
            "application/fhir+xml; charset=utf-8",
        ),
    ] {
        let resp = Resp::of(
            server
                .request(Method::GET, &format!("{path}{query}"))
                .header("Accept", accept),
        )
        .await;
        assert_eq!(resp.status, 200, "{accept} {query}");
        assert_eq!(
            resp.header("content-type"),
            Some(content_type),
            "{accept} {query}"
        );
        assert!(resp.header("etag").is_some());
        assert_eq!(from_xml(&resp), created, "{accept} {query}");
    }
    let pretty = server
        .get(&format!("{path}?_format=xml&_pretty=true"))
        .await;
    assert!(pretty.body.contains("\n  <id value="), "{}", pretty.body);
    assert_eq!(from_xml(&pretty), created);

    // Bundles and errors answer in XML too.
    let bundle = from_xml(&server.get("Patient?_format=xml").await);
    assert_eq!(bundle["resourceType"], "Bundle");
    assert_eq!(bundle["entry"][0]["resource"], created);
    let missing = server.get("Patient/nope?_format=xml").await;
    assert_eq!(missing.status, 404);
    let outcome = from_xml(&missing);
    assert_eq!(outcome["resourceType"], "OperationOutcome");
    assert_eq!(outcome["issue"][0]["severity"], "error");

    // Writing in XML: the stored resource is the one the JSON format gives.
    let mut second = crate::crud::child("999912343");
    let body = zorgplan_fhir::xml::write(&second, true);
    let resp = xml_requests(&server, Method::POST, "Patient", body).await;
    assert_eq!(resp.status, 201, "{}", resp.body);
    let stored = from_xml(&resp);
    second["id"] = stored["id"].clone();
    second["meta"] = stored["meta"].clone();
    assert_eq!(stored, second);
    let location = resp.header("location").unwrap().to_owned();
    assert!(location.contains("/_history/1"));
    assert_eq!(
        server
            .get(&format!("Patient/{}", second["id"].as_str().unwrap()))
            .await
            .json(),
        second
    );
    second["active"] = json!(false);
    let update = xml_requests(
        &server,
        Method::PUT,
        &format!("Patient/{}", second["id"].as_str().unwrap()),
        zorgplan_fhir::xml::write(&second, false),
    )
    .await;
    assert_eq!(update.status, 200, "{}", update.body);
    assert_eq!(from_xml(&update)["active"], false);

    // Bad XML is a 400, XML breaking the definitions a 422, and neither is stored.
    let before = server.get("Patient/_history").await.json()["entry"]
        .as_array()
        .unwrap()
        .len();
    for (body, status) in [
        (
            "<Patient xmlns=\"http://hl7.org/fhir\"><active value=\"true\">".to_owned(),
            400,
        ),
        (
            "<!DOCTYPE lol [<!ENTITY lol \"lol\">]><Patient xmlns=\"http://hl7.org/fhir\"/>"
                .to_owned(),
            400,
        ),
        (
            "<Patient><active value=\"true\"/></Patient>".to_owned(),
            400,
        ),
        (
            "<Observation xmlns=\"http://hl7.org/fhir\"><status value=\"final\"/></Observation>"
                .to_owned(),
            400,
        ),
        (
            "<Patient xmlns=\"http://hl7.org/fhir\"><active value=\"yes\"/></Patient>".to_owned(),
            422,
        ),
        (
            "<Patient xmlns=\"http://hl7.org/fhir\"><nickname value=\"J\"/></Patient>".to_owned(),
            422,
        ),
        (
            "<Patient xmlns=\"http://hl7.org/fhir\"><gender value=\"banana\"/></Patient>"
                .to_owned(),
            422,
        ),
    ] {
        let resp = xml_requests(&server, Method::POST, "Patient", body.clone()).await;
        assert_eq!(resp.status, status, "{body}: {}", resp.body);
        assert_eq!(
            resp.header("content-type"),
            Some("application/fhir+xml; charset=utf-8")
        );
        let outcome = from_xml(&resp);
        assert_eq!(outcome["resourceType"], "OperationOutcome", "{body}");
    }
    let after = server.get("Patient/_history").await.json()["entry"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(after, before);

    // $validate reads XML as well.
    let resp = xml_requests(
        &server,
        Method::POST,
        "Patient/$validate",
        "<Patient xmlns=\"http://hl7.org/fhir\"><gender value=\"banana\"/></Patient>".into(),
    )
    .await;
    assert_eq!(resp.status, 200);
    let outcome = from_xml(&resp);
    assert!(
        outcome["issue"].to_string().contains("Patient.gender"),
        "{outcome}"
    );
}

crate::backend_tests!(accept_and_format, pretty, xml);
