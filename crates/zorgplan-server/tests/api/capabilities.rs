//! The CapabilityStatement, and proof that every interaction and search parameter it lists
//! is served.

use crate::common::{Backend, Resp, TestServer};
use reqwest::Method;
use serde_json::{json, Value};
use zorgplan_server::interaction::capabilities::{SYSTEM_INTERACTIONS, TYPE_INTERACTIONS};

async fn capability_statement(backend: Backend) {
    let server = TestServer::start(backend).await;
    let resp = server.get("metadata").await;
    assert_eq!(resp.status, 200);
    let cs = resp.json();
    assert_eq!(cs["resourceType"], "CapabilityStatement");
    assert_eq!(cs["fhirVersion"], "4.0.1");
    assert_eq!(cs["kind"], "instance");
    assert_eq!(cs["implementation"]["url"], server.base);
    let rest = &cs["rest"][0];
    assert_eq!(rest["mode"], "server");
    let resources = rest["resource"].as_array().unwrap();
    assert_eq!(resources.len(), 146, "every R4 resource type");
    let patient = resources.iter().find(|r| r["type"] == "Patient").unwrap();
    assert_eq!(patient["versioning"], "versioned-update");
    assert_eq!(patient["conditionalDelete"], "single");
    let codes: Vec<&str> = patient["interaction"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, TYPE_INTERACTIONS);
    // AuditEvents are the server's to write: read and searched only.
    let audit = resources
        .iter()
        .find(|r| r["type"] == "AuditEvent")
        .unwrap();
    let codes: Vec<&str> = audit["interaction"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        [
            "read",
            "vread",
            "history-instance",
            "history-type",
            "search-type"
        ]
    );
    // Development mode states no security.
    assert!(rest["security"].is_null());
    let params: Vec<&str> = patient["searchParam"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    // Every R4 parameter of the type that is not special, then the common ones.
    for name in [
        "birthdate",
        "family",
        "general-practitioner",
        "identifier",
        "name",
        "_id",
        "_lastUpdated",
        "_tag",
    ] {
        assert!(params.contains(&name), "{name} in {params:?}");
    }
    assert!(
        !params.contains(&"_content"),
        "special parameters are not listed"
    );
    let documentation = |res_type: &str, name: &str| {
        let resource = resources.iter().find(|r| r["type"] == res_type).unwrap();
        let param = resource["searchParam"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("{res_type}?{name} is listed"));
        param["documentation"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };
    assert_eq!(
        documentation("Patient", "family"),
        "Modifiers: :missing, :exact, :contains"
    );
    assert_eq!(
        documentation("Patient", "general-practitioner"),
        "Modifiers: :missing, :identifier, :[type]"
    );
    // Composites of a code and a value are listed.
    for name in [
        "code-value-quantity",
        "combo-code-value-concept",
        "component-code-value-quantity",
    ] {
        assert_eq!(
            documentation("Observation", name),
            "A code and a value: code$value"
        );
    }
    let system: Vec<&str> = rest["interaction"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["code"].as_str().unwrap())
        .collect();
    assert_eq!(system, SYSTEM_INTERACTIONS);
}

/// Performs one listed interaction on a CarePlan; answers the status.
async fn perform(server: &TestServer, code: &str, plan: &Value) -> u16 {
    let id = plan["id"].as_str().unwrap();
    let path = format!("CarePlan/{id}");
    match code {
        "read" => server.get(&path).await.status,
        "vread" => server.get(&format!("{path}/_history/1")).await.status,
        "update" => server.put(&path, plan).await.status,
        "patch" => {
            let patch = json!([{"op": "replace", "path": "/status", "value": "draft"}]);
            let resp = Resp::of(
                server
                    .request(reqwest::Method::PATCH, &path)
                    .header("Content-Type", "application/json-patch+json")
                    .body(patch.to_string()),
            )
            .await;
            assert_eq!(resp.status, 200, "{}", resp.body);
            resp.status
        }
        "delete" => {
            let victim = server.create(&plan_body()).await;
            server
                .delete(&format!("CarePlan/{}", victim["id"].as_str().unwrap()))
                .await
                .status
        }
        "history-instance" => server.get(&format!("{path}/_history")).await.status,
        "history-type" => server.get("CarePlan/_history").await.status,
        "create" => server.post("CarePlan", &plan_body()).await.status,
        "search-type" => server.get("CarePlan").await.status,
        "history-system" => server.get("_history").await.status,
        "transaction" | "batch" => {
            let bundle = json!({"resourceType": "Bundle", "type": code, "entry": [
                {"request": {"method": "GET", "url": path}}]});
            let resp = server.post("", &bundle).await;
            let status = resp.json()["entry"][0]["response"]["status"].clone();
            assert_eq!(status, "200 OK", "{code}: {}", resp.body);
            resp.status
        }
        other => panic!("the CapabilityStatement lists '{other}', which this test does not know"),
    }
}

fn plan_body() -> Value {
    crate::crud::plan(
        "Patient/kind",
        json!([{"system": "http://example.org/plans", "value": "p-1"}]),
    )
}

async fn every_listed_interaction_and_parameter_works(backend: Backend) {
    let server = TestServer::start(backend).await;
    crate::crud::put_child(&server, "kind", "999911120").await;
    crate::crud::care_network(&server, "Patient/kind").await;
    let cs = server.get("metadata").await.json();
    let plan = server.create(&plan_body()).await;
    let rest = &cs["rest"][0];
    let care_plan = rest["resource"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["type"] == "CarePlan")
        .unwrap();
    for interaction in care_plan["interaction"]
        .as_array()
        .unwrap()
        .iter()
        .chain(rest["interaction"].as_array().unwrap())
    {
        let code = interaction["code"].as_str().unwrap();
        let status = perform(&server, code, &plan).await;
        assert!((200..300).contains(&status), "{code}: {status}");
    }
    for operation in care_plan["operation"].as_array().unwrap() {
        let name = operation["name"].as_str().unwrap();
        let resp = match name {
            "validate" => Resp::of(crate::common::fhir_json(
                server.request(Method::POST, "CarePlan/$validate"),
                &plan_body(),
            ))
            .await,
            "zorgplan" => {
                let id = plan["id"].as_str().unwrap();
                let resp = server.get(&format!("CarePlan/{id}/$zorgplan")).await;
                assert_eq!(resp.json()["type"], "document", "{}", resp.body);
                resp
            }
            other => panic!("the CapabilityStatement lists the operation '{other}', which this test does not know"),
        };
        assert_eq!(resp.status, 200, "${name}: {}", resp.body);
    }
    let value_set = rest["resource"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["type"] == "ValueSet")
        .unwrap();
    for operation in value_set["operation"].as_array().unwrap() {
        let name = operation["name"].as_str().unwrap();
        let path = match name {
            "validate" => continue,
            "expand" => "ValueSet/kinderleefdomein/$expand".to_owned(),
            "validate-code" => "ValueSet/kinderleefdomein/$validate-code?code=medisch".to_owned(),
            other => panic!("the CapabilityStatement lists the operation '{other}', which this test does not know"),
        };
        let resp = server.get(&path).await;
        assert_eq!(resp.status, 200, "${name}: {}", resp.body);
    }
    // Every listed parameter is evaluated: the plan either has a value for it or it has not,
    // so exactly one of :missing=false and :missing=true finds it.
    for param in care_plan["searchParam"].as_array().unwrap() {
        let name = param["name"].as_str().unwrap();
        let mut found = Vec::new();
        for missing in ["false", "true"] {
            let resp = Resp::of(
                server
                    .request(Method::GET, &format!("CarePlan?{name}:missing={missing}"))
                    .header("Prefer", "handling=strict"),
            )
            .await;
            assert_eq!(resp.status, 200, "{name}: {}", resp.body);
            found.push(
                resp.json()["entry"]
                    .as_array()
                    .is_some_and(|e| !e.is_empty()),
            );
        }
        assert_eq!(found.iter().filter(|f| **f).count(), 1, "{name}: {found:?}");
    }
    // And with a value, for the kinds of parameter the plan has.
    let id = plan["id"].as_str().unwrap();
    for query in [
        format!("_id={id}"),
        "identifier=http://example.org/plans|p-1".to_owned(),
        "subject=Patient/kind".to_owned(),
        "patient=kind".to_owned(),
        "care-team=CareTeam/netwerk".to_owned(),
        "status=draft".to_owned(),
        "category=http://snomed.info/sct|734163000".to_owned(),
        "intent=plan".to_owned(),
    ] {
        let resp = Resp::of(
            server
                .request(Method::GET, &format!("CarePlan?{query}"))
                .header("Prefer", "handling=strict"),
        )
        .await;
        assert_eq!(resp.status, 200, "{query}: {}", resp.body);
        // (The `create` interaction above made a second plan like it.)
        assert!(
            resp.json()["entry"]
                .as_array()
                .is_some_and(|e| e.iter().any(|e| e["resource"]["id"] == id)),
            "{query} finds the plan"
        );
    }
}

crate::backend_tests!(
    capability_statement,
    every_listed_interaction_and_parameter_works
);
