//! `$zorgplan`: a child's whole current plan as one FHIR document, on scenario S1 (Mila, her
//! plan after the evaluation at three months), and as far as the caller may see it.

use crate::authorisation::{call, claims, sign, token_config};
use crate::common::{Backend, TestServer};
use crate::conformance::id_of;
use reqwest::Method;
use serde_json::{json, Value};

const BSN: &str = "http://fhir.nl/fhir/NamingSystem/bsn|999913402";

pub fn fixtures(scenario: &str) -> Vec<Value> {
    crate::common::scenario_files(scenario)
        .iter()
        .map(|f| serde_json::from_str(&std::fs::read_to_string(f).unwrap()).unwrap())
        .collect()
}

fn titles(document: &Value) -> Vec<&str> {
    document["entry"][0]["resource"]["section"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["title"].as_str().unwrap())
        .collect()
}

fn section<'a>(document: &'a Value, title: &str) -> &'a Value {
    document["entry"][0]["resource"]["section"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["title"] == title)
        .unwrap_or_else(|| panic!("no section {title}"))
}

/// The references of a section's entries.
fn entries(section: &Value) -> Vec<&str> {
    section["entry"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| e["reference"].as_str().unwrap())
        .collect()
}

async fn the_plan_as_a_document(backend: Backend) {
    let server = TestServer::start(backend).await;
    for bundle in fixtures("S1") {
        assert_eq!(server.post("", &bundle).await.status, 200);
    }
    let found = server
        .get(&format!("Patient?identifier={BSN}"))
        .await
        .json();
    let mila = found["entry"][0]["resource"]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let resp = server.get(&format!("Patient/{mila}/$zorgplan")).await;
    assert_eq!(resp.status, 200, "{}", resp.body);
    let document = resp.json();
    assert_eq!(document["type"], "document");
    assert!(document["identifier"]["value"]
        .as_str()
        .unwrap()
        .starts_with("urn:uuid:"));
    assert!(document["timestamp"].is_string());
    let composition = &document["entry"][0]["resource"];
    assert_eq!(composition["resourceType"], "Composition");
    assert_eq!(composition["title"], "Zorgplan van Mila");
    assert_eq!(
        composition["subject"]["reference"],
        format!("Patient/{mila}")
    );
    assert_eq!(
        titles(&document),
        [
            "Het plan",
            "Medisch",
            "Ontwikkeling",
            "Sociaal",
            "Veiligheid",
            "Wat er gebeurt",
            "Wie helpen er"
        ]
    );
    // Every entry a section names is in the document, by its full URL.
    let full_urls: Vec<&str> = document["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["fullUrl"].as_str().unwrap())
        .collect();
    for section in composition["section"].as_array().unwrap() {
        for reference in entries(section) {
            assert!(
                full_urls.contains(&format!("{}/{reference}", server.base).as_str()),
                "{reference} is not in the document"
            );
        }
    }
    let plan = &document["entry"][2]["resource"];
    assert_eq!(plan["resourceType"], "CarePlan");
    assert_eq!(plan["status"], "active");
    assert!(section(&document, "Het plan")["text"]["div"]
        .as_str()
        .unwrap()
        .contains("Het plan loopt."));
    // The goals per life domain, in the family's words, under the standard's description.
    // Three of Mila's five goals are (also) in the medical domain.
    let medisch = section(&document, "Medisch");
    assert_eq!(entries(medisch).len(), 3, "{medisch}");
    let div = medisch["text"]["div"].as_str().unwrap();
    assert!(div.contains("Gezondheid, ziekte en behandeling."), "{div}");
    assert_eq!(entries(section(&document, "Ontwikkeling")).len(), 2);
    // Who helps: the members in force, not the transfer nurse who left at discharge.
    let helpers = section(&document, "Wie helpen er")["text"]["div"]
        .as_str()
        .unwrap();
    assert!(helpers.contains("Sevda Kaya"), "{helpers}");
    assert!(!helpers.contains("Ruben Smit"), "{helpers}");
    // A valid document.
    let outcome = server.post("Bundle/$validate", &document).await.json();
    let errors: Vec<&Value> = outcome["issue"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["severity"] == "error" || i["severity"] == "fatal")
        .collect();
    assert!(errors.is_empty(), "{errors:?}");

    // By the plan itself, the same plan.
    let plan_id = plan["id"].as_str().unwrap();
    let by_plan = server.get(&format!("CarePlan/{plan_id}/$zorgplan")).await;
    assert_eq!(by_plan.status, 200);
    assert_eq!(
        by_plan.json()["entry"][2]["resource"]["id"].as_str(),
        Some(plan_id)
    );
    // Not known, not a GET, and the CapabilityStatement says it.
    assert_eq!(server.get("Patient/nobody/$zorgplan").await.status, 404);
    assert_eq!(server.get("Goal/x/$zorgplan").await.status, 404);
    let post = server
        .post(&format!("Patient/{mila}/$zorgplan"), &json!({}))
        .await;
    assert_eq!(post.status, 405);
    let metadata = server.get("metadata").await.json();
    for res_type in ["CarePlan", "Patient"] {
        let resource = metadata["rest"][0]["resource"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["type"] == res_type)
            .unwrap();
        assert!(
            resource["operation"]
                .as_array()
                .unwrap()
                .iter()
                .any(|o| o["name"] == "zorgplan"
                    && o["definition"]
                        == "http://fhir.zorgplankindgezin.nl/OperationDefinition/zorgplan"),
            "{res_type}"
        );
    }
}

/// With access control, the document holds what the caller may see: the municipality's
/// youth consultant, kept out of the medical domain by the parents' consent, gets Mila's plan
/// without the goals in the medical domain; a professional whose part in the network has
/// ended gets none. A parent's wish, written in her PGO, is in her next document as hers.
async fn the_document_holds_what_the_caller_may_see(backend: Backend) {
    let server = TestServer::start_with(backend, token_config(&[("epd-umc", "32104867")])).await;
    let epd = sign(
        &claims(json!({"client_id": "epd-umc", "scope": "system/*.cruds"})),
        "rsa-private.pem",
    );
    for bundle in fixtures("S1") {
        let resp = call(&server, &epd, Method::POST, "", Some(&bundle)).await;
        assert_eq!(resp.status, 200, "{}", resp.body);
    }
    let get = |token: String, path: String| {
        let server = &server;
        async move { call(server, &token, Method::GET, &path, None).await }
    };
    let fixture = |kind: &str, value: &str| {
        format!("http://fhir.zorgplankindgezin.nl/fixtures/{kind}|{value}")
    };
    let mila = id_of(&server, &epd, "Patient", BSN).await;
    let yvonne = id_of(
        &server,
        &epd,
        "PractitionerRole",
        &fixture("practitionerrole", "s1-wmo-jeugdconsulent-utrecht"),
    )
    .await;
    let ruben = id_of(
        &server,
        &epd,
        "PractitionerRole",
        &fixture("practitionerrole", "s1-transferverpleegkundige-umc"),
    )
    .await;
    let user = |who: String| {
        sign(
            &claims(json!({"fhirUser": who, "client_id": "epd-web", "scope": "user/*.rs"})),
            "rsa-private.pem",
        )
    };
    let path = format!("Patient/{mila}/$zorgplan");

    let full = get(epd.clone(), path.clone()).await;
    assert_eq!(full.status, 200, "{}", full.body);
    let full: Value = serde_json::from_str(&full.body).unwrap();
    assert_eq!(entries(section(&full, "Medisch")).len(), 3);

    let consultant = get(user(format!("PractitionerRole/{yvonne}")), path.clone()).await;
    assert_eq!(consultant.status, 200, "{}", consultant.body);
    let document: Value = serde_json::from_str(&consultant.body).unwrap();
    assert!(entries(section(&document, "Medisch")).is_empty());
    // Of the two development goals, drinking by mouth is medical too.
    assert_eq!(entries(section(&full, "Ontwikkeling")).len(), 2);
    assert_eq!(entries(section(&document, "Ontwikkeling")).len(), 1);
    // No medical goal is among the document's resources (the plan itself lists them).
    let medical = entries(section(&full, "Medisch"));
    for entry in document["entry"].as_array().unwrap() {
        let url = entry["fullUrl"].as_str().unwrap();
        assert!(
            !medical
                .iter()
                .any(|goal| url.ends_with(&format!("/{goal}"))),
            "{url} is in the consultant's document"
        );
    }
    // Of what the EPD's document holds, a part (the Composition is made for each).
    let urls = |d: &Value| -> Vec<String> {
        d["entry"].as_array().unwrap()[1..]
            .iter()
            .map(|e| e["fullUrl"].as_str().unwrap().to_owned())
            .collect()
    };
    let (mine, all) = (urls(&document), urls(&full));
    assert!(mine.iter().all(|u| all.contains(u)), "{mine:?}");
    assert!(
        mine.len() + 3 <= all.len(),
        "{} of {}",
        mine.len(),
        all.len()
    );
    let former = get(user(format!("PractitionerRole/{ruben}")), path.clone()).await;
    assert_eq!(former.status, 404, "{}", former.body);

    // Mila's mother adds a wish in her PGO: a goal in her own words, expressed by her, with
    // the plan naming it; it is recorded with a Provenance naming her, and her next
    // document shows it under its life domain, as hers.
    let fleur = id_of(
        &server,
        &epd,
        "RelatedPerson",
        &fixture("relatedperson", "s1-moeder"),
    )
    .await;
    let ouder = sign(
        &claims(
            json!({"fhirUser": format!("RelatedPerson/{fleur}"), "patient": mila,
                       "client_id": "pgo", "scope": "openid fhirUser launch/patient patient/*.cruds"}),
        ),
        "rsa-private.pem",
    );
    let wish = json!({"resourceType": "Goal",
        "meta": {"profile": ["http://fhir.zorgplankindgezin.nl/StructureDefinition/doel-kind-gezin"]},
        "text": {"status": "generated", "div": "<div xmlns=\"http://www.w3.org/1999/xhtml\">Een weekend weg</div>"},
        "lifecycleStatus": "proposed",
        "category": [{"coding": [{"system": "http://fhir.zorgplankindgezin.nl/CodeSystem/kinderleefdomein", "code": "sociaal"}]}],
        "description": {"text": "Een weekend weg met het hele gezin"},
        "subject": {"reference": format!("Patient/{mila}")},
        "expressedBy": {"reference": format!("RelatedPerson/{fleur}"), "display": "Fleur (moeder)"}});
    let created = call(&server, &ouder, Method::POST, "Goal", Some(&wish)).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let goal: Value = serde_json::from_str(&created.body).unwrap();
    let goal_id = goal["id"].as_str().unwrap().to_owned();
    let provenance = get(epd.clone(), format!("Provenance?target=Goal/{goal_id}")).await;
    assert!(
        provenance.body.contains(&format!("RelatedPerson/{fleur}")),
        "{}",
        provenance.body
    );
    // The plan names it (as the coordinator would, on the EPD's side).
    let plan_path = format!(
        "CarePlan/{}",
        full["entry"][2]["resource"]["id"].as_str().unwrap()
    );
    let mut plan: Value =
        serde_json::from_str(&get(epd.clone(), plan_path.clone()).await.body).unwrap();
    plan["goal"]
        .as_array_mut()
        .unwrap()
        .push(json!({"reference": format!("Goal/{goal_id}")}));
    let updated = call(&server, &epd, Method::PUT, &plan_path, Some(&plan)).await;
    assert_eq!(updated.status, 200, "{}", updated.body);
    let mine = get(ouder, path).await;
    assert_eq!(mine.status, 200, "{}", mine.body);
    let mine: Value = serde_json::from_str(&mine.body).unwrap();
    assert!(entries(section(&mine, "Sociaal")).contains(&format!("Goal/{goal_id}").as_str()));
    let div = section(&mine, "Sociaal")["text"]["div"].as_str().unwrap();
    assert!(
        div.contains(
            "Een weekend weg met het hele gezin (voorgesteld) — gekozen door Fleur (moeder)"
        ),
        "{div}"
    );
}

crate::backend_tests!(
    the_plan_as_a_document,
    the_document_holds_what_the_caller_may_see
);
