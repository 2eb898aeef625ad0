//! A write whose literal references point to nothing on this server is refused (422, every
//! dangling reference named by its element), and nothing is stored.

use crate::common::{Backend, TestServer};
use crate::crud::{care_network, plan, put_child};
use serde_json::{json, Value};

fn dangling(outcome: &Value) -> Vec<String> {
    outcome["issue"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["code"] == "not-found")
        .map(|i| i["expression"][0].as_str().unwrap().to_owned())
        .collect()
}

async fn references_must_resolve(backend: Backend) {
    let server = TestServer::start(backend).await;
    let mut body = plan("Patient/kind", json!([{"value": "p-1"}]));
    body["id"] = json!("p1");

    // Neither the child nor the care network exists: both named, nothing stored.
    let outcome = server.post("CarePlan", &body).await.outcome(422);
    assert_eq!(
        dangling(&outcome),
        [
            "CarePlan.subject.reference",
            "CarePlan.careTeam[0].reference"
        ]
    );
    let put = server.put("CarePlan/p1", &body).await.outcome(422);
    assert_eq!(dangling(&put).len(), 2);
    assert!(server
        .get("CarePlan/_history")
        .await
        .json()
        .get("entry")
        .is_none());

    // Once they exist, the same plan is stored.
    put_child(&server, "kind", "999911120").await;
    care_network(&server, "Patient/kind").await;
    assert_eq!(server.put("CarePlan/p1", &body).await.status, 201);

    // Versioned references must name a stored version; contained resources are checked too;
    // references to contained resources, other servers and bundle-internal ids are not.
    let mut versioned = body.clone();
    versioned["subject"] = json!({"reference": "Patient/kind/_history/1"});
    versioned["careTeam"] = json!([{"reference": "CareTeam/netwerk/_history/9"}]);
    let outcome = server.put("CarePlan/p1", &versioned).await.outcome(422);
    assert_eq!(dangling(&outcome), ["CarePlan.careTeam[0].reference"]);
    let mut elsewhere = body.clone();
    elsewhere["author"] = json!({"reference": "#auteur"});
    elsewhere["contained"] = json!([{"resourceType": "Practitioner", "id": "auteur",
        "extension": [{"url": "http://example.org/x", "valueReference": {"reference": "Organization/umc"}}]}]);
    elsewhere["contributor"] = json!([{"reference": "https://other.example/fhir/Practitioner/1"}]);
    let outcome = server.put("CarePlan/p1", &elsewhere).await.outcome(422);
    assert_eq!(
        dangling(&outcome),
        ["CarePlan.contained[0].extension[0].valueReference.reference"]
    );
    assert_eq!(
        server.get("CarePlan/p1").await.json()["meta"]["versionId"],
        "1",
        "refused updates store nothing"
    );

    // A deleted target no longer resolves; a resource may refer to itself.
    assert_eq!(server.delete("CareTeam/netwerk").await.status, 204);
    let outcome = server.put("CarePlan/p1", &body).await.outcome(422);
    assert_eq!(dangling(&outcome), ["CarePlan.careTeam[0].reference"]);
    let mut own = json!({"resourceType": "Patient", "id": "zelf",
        "link": [{"other": {"reference": "Patient/zelf"}, "type": "seealso"}]});
    assert_eq!(server.put("Patient/zelf", &own).await.status, 201);
    own["link"][0]["other"]["reference"] = json!("Patient/niemand");
    server.put("Patient/zelf", &own).await.outcome(422);
}

async fn lenient_stores_dangling_references(backend: Backend) {
    let server = TestServer::start_configured(backend, crate::common::development(), |store| {
        store.enforce_references = false
    })
    .await;
    let body = plan("Patient/kind", json!([{"value": "p-1"}]));
    assert_eq!(server.post("CarePlan", &body).await.status, 201);
}

crate::backend_tests!(references_must_resolve, lenient_stores_dangling_references);
