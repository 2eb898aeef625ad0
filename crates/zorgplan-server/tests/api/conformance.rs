//! The partner kit's conformance suite (`conformance-tests/cases`) against this server, on
//! each backend: in development mode every case passes but those of the access rules, which
//! are skipped (no SMART on FHIR claimed, no tokens); with access tokens required, the
//! access cases pass with tokens minted for the fixtures' people. And a case needing what the
//! server does not claim is skipped, not failed.

use crate::authorisation::{claims, sign, token_config};
use crate::common::{Backend, TestServer};
use serde_json::json;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;
use zorgplan_conformance::{report, Case, Outcome, Runner, Verdict};

fn cases_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../conformance-tests/cases")
}

/// Runs `cases` against `server` (the runner blocks: off the test's executor).
async fn run(server: &TestServer, cases: Vec<Case>) -> Vec<Outcome> {
    run_with(server, None, BTreeMap::new(), cases).await
}

/// Runs `cases` with the runner's own `token` and the tokens of the cases' roles.
async fn run_with(
    server: &TestServer,
    token: Option<String>,
    tokens: BTreeMap<String, String>,
    cases: Vec<Case>,
) -> Vec<Outcome> {
    let base = server.base.clone();
    tokio::task::spawn_blocking(move || {
        let runner = Runner::new(&base, token, Duration::from_secs(60))
            .unwrap()
            .with_tokens(tokens);
        cases.iter().map(|case| runner.run(case)).collect()
    })
    .await
    .unwrap()
}

async fn the_conformance_suite_passes(backend: Backend) {
    let server = TestServer::start(backend).await;
    let cases = Case::all_in(&cases_dir()).unwrap();
    assert!(cases.len() >= 40, "{} cases", cases.len());
    let outcomes = run(&server, cases).await;
    let summary = report::summary(&outcomes);
    for outcome in &outcomes {
        if outcome.name.starts_with("access/") {
            assert!(
                matches!(&outcome.verdict, Verdict::Skipped(why) if why.contains("SMART-on-FHIR")),
                "{summary}"
            );
        } else {
            assert_eq!(outcome.verdict, Verdict::Passed, "{summary}");
        }
    }
}

/// The hospital of scenario S1 (its URA), whose EPD loads the scenario.
const S1_HOSPITAL_URA: &str = "32104867";

/// The id of the one `res_type` with `identifier`, read with `token`.
pub async fn id_of(server: &TestServer, token: &str, res_type: &str, identifier: &str) -> String {
    let found = crate::authorisation::call(
        server,
        token,
        reqwest::Method::GET,
        &format!("{res_type}?identifier={identifier}"),
        None,
    )
    .await;
    assert_eq!(
        found.status, 200,
        "{res_type}?identifier={identifier}: {}",
        found.body
    );
    let bundle: serde_json::Value = serde_json::from_str(&found.body).unwrap();
    assert_eq!(
        bundle["entry"].as_array().map(Vec::len),
        Some(1),
        "{bundle}"
    );
    bundle["entry"][0]["resource"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// The access cases on a server that requires tokens: the hospital's EPD (a registered
/// system client) loads S1, and each role of the cases gets a token for the person of S1 it
/// stands for. Every access case passes, and so does S1 itself, loaded by the EPD.
async fn the_access_cases_pass_with_tokens(backend: Backend) {
    let server =
        TestServer::start_with(backend, token_config(&[("epd-umc", S1_HOSPITAL_URA)])).await;
    let epd = sign(
        &claims(json!({"client_id": "epd-umc", "scope": "system/*.cruds"})),
        "rsa-private.pem",
    );
    let all = Case::all_in(&cases_dir()).unwrap();
    let s1: Vec<Case> = all
        .iter()
        .filter(|c| c.name == "scenarios/S1")
        .cloned()
        .collect();
    let loaded = run_with(&server, Some(epd.clone()), BTreeMap::new(), s1).await;
    assert_eq!(
        loaded[0].verdict,
        Verdict::Passed,
        "{}",
        report::summary(&loaded)
    );

    let fixture = |kind: &str, value: &str| {
        format!("http://fhir.zorgplankindgezin.nl/fixtures/{kind}|{value}")
    };
    let mut ids = Vec::new();
    for (res_type, identifier) in [
        (
            "Patient",
            "http://fhir.nl/fhir/NamingSystem/bsn|999913402".to_owned(),
        ),
        ("RelatedPerson", fixture("relatedperson", "s1-moeder")),
        (
            "PractitionerRole",
            fixture("practitionerrole", "s1-wmo-jeugdconsulent-utrecht"),
        ),
        (
            "PractitionerRole",
            fixture("practitionerrole", "s1-transferverpleegkundige-umc"),
        ),
    ] {
        ids.push(id_of(&server, &epd, res_type, &identifier).await);
    }
    let [mila, fleur, yvonne, ruben] = <[String; 4]>::try_from(ids).unwrap();
    let user = |who: String| {
        sign(
            &claims(json!({"fhirUser": who, "client_id": "epd-web", "scope": "user/*.rs"})),
            "rsa-private.pem",
        )
    };
    let tokens = BTreeMap::from([
        (
            "ouder".to_owned(),
            sign(
                &claims(
                    json!({"fhirUser": format!("RelatedPerson/{fleur}"), "patient": mila,
                               "client_id": "pgo", "scope": "openid fhirUser launch/patient patient/*.rs"}),
                ),
                "rsa-private.pem",
            ),
        ),
        (
            "gemeente".to_owned(),
            user(format!("PractitionerRole/{yvonne}")),
        ),
        (
            "oud-lid".to_owned(),
            user(format!("PractitionerRole/{ruben}")),
        ),
    ]);
    let access: Vec<Case> = all
        .into_iter()
        .filter(|c| c.name.starts_with("access/"))
        .collect();
    assert!(access.len() >= 5, "{} access cases", access.len());
    let outcomes = run_with(&server, Some(epd), tokens, access).await;
    let summary = report::summary(&outcomes);
    assert!(
        outcomes.iter().all(|o| o.verdict == Verdict::Passed),
        "{summary}"
    );
}

/// Without a token for a role it names, an access case is skipped, saying which role.
async fn a_case_without_its_roles_token_is_skipped(backend: Backend) {
    let server = TestServer::start_with(backend, token_config(&[])).await;
    let case = Case::all_in(&cases_dir().join("access"))
        .unwrap()
        .into_iter()
        .find(|c| c.name == "ouder-ziet-eigen-kind")
        .unwrap();
    let outcomes = run_with(&server, None, BTreeMap::new(), vec![case]).await;
    assert!(
        matches!(&outcomes[0].verdict, Verdict::Skipped(why) if why.contains("no token for the role 'ouder'")),
        "{:?}",
        outcomes[0].verdict
    );
}

async fn unclaimed_cases_are_skipped(backend: Backend) {
    let server = TestServer::start(backend).await;
    let dir = std::env::temp_dir().join(format!(
        "zorgplan-conformance-skip-{}-{backend:?}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("unclaimed.json"),
        r#"{"requires": [{"operation": "no-such-operation"}],
            "steps": [{"request": {"method": "GET", "url": "metadata"},
                       "expect": {"status": 599}}]}"#,
    )
    .unwrap();
    std::fs::write(
        dir.join("failing.json"),
        r#"{"steps": [{"name": "read", "request": {"method": "GET", "url": "Patient/none-${run}"},
                       "expect": {"status": 200}}]}"#,
    )
    .unwrap();
    let outcomes = run(&server, Case::all_in(&dir).unwrap()).await;
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(outcomes[0].name, "failing");
    assert!(
        matches!(&outcomes[0].verdict, Verdict::Failed(why) if why.contains("step 1 (read): status 404")),
        "{:?}",
        outcomes[0].verdict
    );
    assert!(
        matches!(&outcomes[1].verdict, Verdict::Skipped(why) if why.contains("no-such-operation")),
        "{:?}",
        outcomes[1].verdict
    );
    assert_eq!(report::counts(&outcomes), (0, 1, 1));
}

/// The cases of `invalid/` expect the issue each fixture's `.expected.json` names, so that a
/// change to the invalid set cannot leave its case behind: one case per fixture, with the same
/// severity, code and element (and the invariant's key for an invariant of the standard).
#[test]
fn invalid_cases_follow_their_fixtures() {
    let fixtures = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/invalid");
    let read = |path: &std::path::Path| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    };
    let mut expected_count = 0;
    for entry in std::fs::read_dir(&fixtures).unwrap() {
        let path = entry.unwrap().path();
        let Some(name) = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_suffix(".expected.json"))
        else {
            continue;
        };
        expected_count += 1;
        let expected = read(&path);
        let case = read(&cases_dir().join(format!("invalid/{name}.json")));
        let issue = &case["steps"][0]["expect"]["issue"];
        for field in ["severity", "code", "expression"] {
            assert_eq!(issue[field], expected[field], "invalid/{name}: {field}");
        }
        let rule = expected["rule"].as_str().unwrap_or_default();
        if rule.starts_with("zkg-") {
            assert_eq!(issue["diagnostics"], rule, "invalid/{name}: the invariant");
        }
        assert_eq!(
            case["steps"][0]["request"]["bodyFile"],
            format!("../../../fixtures/invalid/{name}.json"),
            "invalid/{name}: its fixture"
        );
    }
    let cases = std::fs::read_dir(cases_dir().join("invalid"))
        .unwrap()
        .count();
    assert_eq!(cases, expected_count, "one case per invalid fixture");
}

crate::backend_tests!(
    the_conformance_suite_passes,
    unclaimed_cases_are_skipped,
    the_access_cases_pass_with_tokens,
    a_case_without_its_roles_token_is_skipped
);
