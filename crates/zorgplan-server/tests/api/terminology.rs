//! $expand and $validate-code on the standard's value sets and the R4 core value sets.

use crate::common::{Backend, Resp, TestServer};
use reqwest::Method;

const DOMEIN: &str = "http://fhir.zorgplankindgezin.nl/ValueSet/kinderleefdomein";
const SYSTEM: &str = "http://fhir.zorgplankindgezin.nl/CodeSystem/kinderleefdomein";

fn codes(value_set: &serde_json::Value) -> Vec<String> {
    value_set["expansion"]["contains"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| c["code"].as_str().unwrap().to_owned())
        .collect()
}

async fn expand(backend: Backend) {
    let server = TestServer::start(backend).await;
    let by_url = server.get(&format!("ValueSet/$expand?url={DOMEIN}")).await;
    assert_eq!(by_url.status, 200, "{}", by_url.body);
    let value_set = by_url.json();
    assert_eq!(value_set["resourceType"], "ValueSet");
    assert_eq!(value_set["url"], DOMEIN);
    assert_eq!(value_set["expansion"]["total"], 4);
    assert_eq!(
        codes(&value_set),
        ["medisch", "ontwikkeling", "sociaal", "veiligheid"]
    );
    let first = &value_set["expansion"]["contains"][0];
    assert_eq!(first["system"], SYSTEM);
    assert_eq!(first["display"], "Medisch");
    let by_id = server.get("ValueSet/kinderleefdomein/$expand").await.json();
    assert_eq!(codes(&by_id), codes(&value_set));
    let filtered = server
        .get(&format!("ValueSet/$expand?url={DOMEIN}&filter=SOC"))
        .await
        .json();
    assert_eq!(codes(&filtered), ["sociaal"]);
    assert_eq!(filtered["expansion"]["total"], 1);
    let page = server
        .get(&format!("ValueSet/$expand?url={DOMEIN}&count=2&offset=1"))
        .await
        .json();
    assert_eq!(codes(&page), ["ontwikkeling", "sociaal"]);
    assert_eq!(page["expansion"]["total"], 4);
    server
        .get("ValueSet/$expand?url=http://example.org/ValueSet/none")
        .await
        .outcome(404);
    server.get("ValueSet/nope/$expand").await.outcome(404);
    server.get("ValueSet/$expand").await.outcome(400);
    server
        .get(&format!("ValueSet/$expand?url={DOMEIN}&count=x"))
        .await
        .outcome(400);
    // The R4 core value sets that can be expanded offline, with their displays; a version
    // suffix names the same value set.
    for url in [
        "http://hl7.org/fhir/ValueSet/administrative-gender",
        "http://hl7.org/fhir/ValueSet/administrative-gender%7C4.0.1",
    ] {
        let gender = server
            .get(&format!("ValueSet/$expand?url={url}"))
            .await
            .json();
        assert_eq!(
            codes(&gender),
            ["female", "male", "other", "unknown"],
            "{url}"
        );
        assert_eq!(gender["expansion"]["contains"][0]["display"], "Female");
        assert_eq!(
            gender["expansion"]["contains"][0]["system"],
            "http://hl7.org/fhir/administrative-gender"
        );
    }
    let status = server
        .get("ValueSet/$expand?url=http://hl7.org/fhir/ValueSet/care-plan-intent&filter=propos")
        .await
        .json();
    assert_eq!(codes(&status), ["proposal"]);
    let post = Resp::of(server.request(Method::POST, "ValueSet/$expand")).await;
    post.outcome(405);
    assert_eq!(post.header("allow"), Some("GET"));
}

fn parameter<'a>(parameters: &'a serde_json::Value, name: &str) -> Option<&'a serde_json::Value> {
    parameters["parameter"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
}

async fn validate_code(backend: Backend) {
    let server = TestServer::start(backend).await;
    let check = |query: String| {
        let server = &server;
        async move {
            let resp = server
                .get(&format!("ValueSet/$validate-code?url={DOMEIN}&{query}"))
                .await;
            assert_eq!(resp.status, 200, "{query}: {}", resp.body);
            resp.json()
        }
    };
    let ok = check(format!("system={SYSTEM}&code=medisch")).await;
    assert_eq!(parameter(&ok, "result").unwrap()["valueBoolean"], true);
    assert_eq!(parameter(&ok, "display").unwrap()["valueString"], "Medisch");
    assert!(parameter(&ok, "message").is_none());
    let wrong = check(format!("system={SYSTEM}&code=banana")).await;
    assert_eq!(parameter(&wrong, "result").unwrap()["valueBoolean"], false);
    assert!(parameter(&wrong, "message").is_some());
    let other_system = check("system=http://example.org&code=medisch".into()).await;
    assert_eq!(
        parameter(&other_system, "result").unwrap()["valueBoolean"],
        false
    );
    let code_only = check("code=veiligheid".into()).await;
    assert_eq!(
        parameter(&code_only, "result").unwrap()["valueBoolean"],
        true
    );
    let display = check(format!("system={SYSTEM}&code=medisch&display=Medical")).await;
    assert_eq!(parameter(&display, "result").unwrap()["valueBoolean"], true);
    assert!(parameter(&display, "message").unwrap()["valueString"]
        .as_str()
        .unwrap()
        .contains("display"));
    let by_id = server
        .get("ValueSet/kinderleefdomein/$validate-code?code=sociaal")
        .await
        .json();
    assert_eq!(parameter(&by_id, "result").unwrap()["valueBoolean"], true);
    server
        .get(&format!("ValueSet/$validate-code?url={DOMEIN}"))
        .await
        .outcome(400);
    server
        .get("ValueSet/$validate-code?url=http://example.org/x&code=a")
        .await
        .outcome(404);
    let core = server
        .get("ValueSet/$validate-code?url=http://hl7.org/fhir/ValueSet/administrative-gender&system=http://hl7.org/fhir/administrative-gender&code=female")
        .await
        .json();
    assert_eq!(parameter(&core, "result").unwrap()["valueBoolean"], true);
    assert_eq!(
        parameter(&core, "display").unwrap()["valueString"],
        "Female"
    );
    let core = server
        .get("ValueSet/$validate-code?url=http://hl7.org/fhir/ValueSet/administrative-gender&code=banana")
        .await
        .json();
    assert_eq!(parameter(&core, "result").unwrap()["valueBoolean"], false);
}

crate::backend_tests!(expand, validate_code);
