//! $validate at type and instance level: 200 with every issue, nothing stored; modes and the
//! profile parameter; 400/404 for requests the operation cannot carry out.

use crate::common::{fhir_json, Backend, Resp, TestServer};
use crate::crud::{child, plan, put_child};
use reqwest::Method;
use serde_json::{json, Value};

async fn validate(server: &TestServer, path: &str, body: &Value) -> Resp {
    Resp::of(fhir_json(server.request(Method::POST, path), body)).await
}

fn issues(outcome: &Value) -> Vec<(String, String, String)> {
    outcome["issue"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["severity"].as_str().unwrap().to_owned(),
                i["code"].as_str().unwrap().to_owned(),
                i["expression"][0].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

async fn validate_reports_without_storing(backend: Backend) {
    let server = TestServer::start(backend).await;
    let valid = plan("Patient/kind", json!([{"value": "p-1"}]));
    let ok = validate(&server, "CarePlan/$validate", &valid)
        .await
        .outcome(200);
    // Valid; the SNOMED CT category is accepted unchecked, and said so.
    assert_eq!(
        issues(&ok),
        [(
            "information".into(),
            "informational".into(),
            "CarePlan.category[0].coding[0]".into()
        )]
    );

    // The standard's profile applies: a plan without its care network is not valid.
    let mut no_team = valid.clone();
    no_team.as_object_mut().unwrap().remove("careTeam");
    no_team["statuz"] = json!("draft");
    let found = issues(
        &validate(&server, "CarePlan/$validate", &no_team)
            .await
            .outcome(200),
    );
    assert!(
        found.contains(&("error".into(), "structure".into(), "CarePlan.statuz".into())),
        "{found:?}"
    );
    assert!(
        found.contains(&(
            "error".into(),
            "required".into(),
            "CarePlan.careTeam".into()
        )),
        "{found:?}"
    );

    // The same through Parameters, with a mode.
    let parameters = json!({"resourceType": "Parameters", "parameter": [
        {"name": "resource", "resource": no_team}, {"name": "mode", "valueCode": "create"}]});
    let wrapped = issues(
        &validate(&server, "CarePlan/$validate", &parameters)
            .await
            .outcome(200),
    );
    assert_eq!(wrapped, found);
    let history = server.get("_history").await.json();
    assert!(history.get("entry").is_none(), "$validate stored something");
}

async fn validate_with_a_profile_and_modes(backend: Backend) {
    let server = TestServer::start(backend).await;
    let mut patient = child("999911120");
    patient.as_object_mut().unwrap().remove("birthDate");
    // A Patient is a KindPatient only when it says so, or when $validate is asked for it.
    let plain = validate(&server, "Patient/$validate", &patient)
        .await
        .outcome(200);
    assert_eq!(plain["issue"][0]["severity"], "information");
    let kind = "http://fhir.zorgplankindgezin.nl/StructureDefinition/kind-patient";
    let as_child = validate(
        &server,
        &format!("Patient/$validate?profile={kind}"),
        &patient,
    )
    .await
    .outcome(200);
    assert_eq!(
        issues(&as_child),
        [(
            "error".into(),
            "required".into(),
            "Patient.birthDate".into()
        )]
    );
    validate(
        &server,
        "Patient/$validate?profile=http://example.org/unknown",
        &patient,
    )
    .await
    .outcome(400);
    validate(&server, "Patient/$validate?mode=banana", &patient)
        .await
        .outcome(400);

    // mode=update: the id must be there and match the URL.
    let mut with_id = child("999911120");
    with_id["id"] = json!("a");
    let mismatch = validate(&server, "Patient/b/$validate?mode=update", &with_id)
        .await
        .outcome(200);
    assert_eq!(
        issues(&mismatch),
        [("error".into(), "invalid".into(), "Patient.id".into())]
    );
    assert_eq!(
        validate(&server, "Patient/a/$validate?mode=update", &with_id)
            .await
            .outcome(200)["issue"][0]["severity"],
        "information"
    );

    // mode=delete: about an existing resource.
    assert_eq!(server.put("Patient/a", &with_id).await.status, 201);
    let delete = validate(&server, "Patient/a/$validate?mode=delete", &json!({}))
        .await
        .outcome(200);
    assert_eq!(delete["issue"][0]["severity"], "information");
    validate(&server, "Patient/nobody/$validate?mode=delete", &json!({}))
        .await
        .outcome(404);
    assert_eq!(
        server.get("Patient/a").await.status,
        200,
        "mode=delete deletes nothing"
    );

    // Requests the operation cannot carry out.
    validate(
        &server,
        "Patient/$validate",
        &json!({"resourceType": "Observation"}),
    )
    .await
    .outcome(400);
    let not_json = Resp::of(
        server
            .request(Method::POST, "Patient/$validate")
            .header("Content-Type", "application/fhir+json")
            .body("{"),
    )
    .await;
    not_json.outcome(400);
    let get = server.get("Patient/$validate").await;
    get.outcome(405);
    assert_eq!(get.header("allow"), Some("POST"));
}

/// The standard's rules that follow references (zkg-3: an active plan's care team has a
/// care coordinator) see the resources the plan refers to on this server, in writes and in
/// $validate alike.
async fn invariants_follow_references_into_the_store(backend: Backend) {
    let server = TestServer::start(backend).await;
    put_child(&server, "kind", "999911120").await;
    let practitioner = json!({"resourceType": "Practitioner", "id": "coordinator",
        "text": {"status": "generated", "div": "<div xmlns=\"http://www.w3.org/1999/xhtml\">Coordinator</div>"},
        "name": [{"family": "Visser"}]});
    assert_eq!(
        server
            .put("Practitioner/coordinator", &practitioner)
            .await
            .status,
        201
    );
    let team = |role: &str, member: &str| {
        json!({"resourceType": "CareTeam", "id": "netwerk",
            "text": {"status": "generated", "div": "<div xmlns=\"http://www.w3.org/1999/xhtml\">Zorgnetwerk</div>"},
            "status": "active", "name": "Zorgnetwerk", "subject": {"reference": "Patient/kind"},
            "participant": [{"role": [{"coding": [{"system": "http://fhir.zorgplankindgezin.nl/CodeSystem/zorgplan-rol", "code": role}]}],
                             "member": {"reference": member}}]})
    };
    let mut active = plan("Patient/kind", json!([{"value": "p-1"}]));
    active["status"] = json!("active");
    let zkg_3 = |outcome: &Value| {
        outcome["issue"].as_array().unwrap().iter().any(|i| {
            i["severity"] == "warning" && i["diagnostics"].as_str().unwrap().contains("zkg-3:")
        })
    };

    let with_coordinator = team("zorgcoordinator", "Practitioner/coordinator");
    assert_eq!(
        server
            .put("CareTeam/netwerk", &with_coordinator)
            .await
            .status,
        201
    );
    let outcome = validate(&server, "CarePlan/$validate", &active)
        .await
        .outcome(200);
    assert!(!zkg_3(&outcome), "{outcome}");

    let without = team("kind", "Patient/kind");
    assert_eq!(server.put("CareTeam/netwerk", &without).await.status, 200);
    let outcome = validate(&server, "CarePlan/$validate", &active)
        .await
        .outcome(200);
    assert!(zkg_3(&outcome), "{outcome}");
    // A warning does not refuse the write.
    assert_eq!(server.post("CarePlan", &active).await.status, 201);
}

crate::backend_tests!(
    validate_reports_without_storing,
    validate_with_a_profile_and_modes,
    invariants_follow_references_into_the_store
);
