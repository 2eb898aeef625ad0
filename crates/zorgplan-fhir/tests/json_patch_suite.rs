//! The JSON Patch cases of the FHIR test cases (`r4/patch/json-patch-tests.json`, from RFC
//! 6902), run against `zorgplan_fhir::json_patch`. Looks for them in
//! `shared/fhir-test-cases` beside the repository and passes with a message when they are not
//! there.

use serde_json::Value;
use std::path::Path;

#[test]
fn json_patch_suite() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/fhir-test-cases/r4/patch/json-patch-tests.json");
    let Ok(text) = std::fs::read_to_string(&path) else {
        eprintln!(
            "{} is not there: the JSON Patch suite is skipped",
            path.display()
        );
        return;
    };
    let cases: Vec<Value> = serde_json::from_str(&text).unwrap();
    assert!(cases.len() >= 16);
    for case in &cases {
        let name = case["comment"].as_str().unwrap_or("?");
        let result = zorgplan_fhir::json_patch::apply(&case["doc"], &case["patch"]);
        match (&case.get("expected"), result) {
            (Some(expected), Ok(actual)) => assert_eq!(&actual, *expected, "{name}"),
            (Some(_), Err(e)) => panic!("{name}: failed with {e}"),
            (None, Ok(actual)) => panic!("{name}: should fail ({}), gave {actual}", case["error"]),
            (None, Err(_)) => {}
        }
    }
    println!(
        "JSON Patch suite: {} of {} cases pass",
        cases.len(),
        cases.len()
    );
}
