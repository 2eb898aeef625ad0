//! The partner kit's conformance suite (`conformance-tests/cases`) against this server, on
//! each backend: every case passes, none is skipped (the server claims all they need). And a
//! case needing what the server does not claim is skipped, not failed.

use crate::common::{Backend, TestServer};
use std::path::PathBuf;
use std::time::Duration;
use zorgplan_conformance::{report, Case, Outcome, Runner, Verdict};

fn cases_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../conformance-tests/cases")
}

/// Runs `cases` against `server` (the runner blocks: off the test's executor).
async fn run(server: &TestServer, cases: Vec<Case>) -> Vec<Outcome> {
    let base = server.base.clone();
    tokio::task::spawn_blocking(move || {
        let runner = Runner::new(&base, None, Duration::from_secs(60)).unwrap();
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
    assert!(
        outcomes.iter().all(|o| o.verdict == Verdict::Passed),
        "{summary}"
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

crate::backend_tests!(the_conformance_suite_passes, unclaimed_cases_are_skipped);
