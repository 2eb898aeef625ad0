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

crate::backend_tests!(the_conformance_suite_passes, unclaimed_cases_are_skipped);
