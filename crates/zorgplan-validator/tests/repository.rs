//! The repository's own FHIR content passes base validation: every resource the
//! implementation guide compiles to (profiles with snapshots, terminology, search
//! parameters, examples) and every resource of the scenario fixtures.

use serde_json::Value;
use std::path::{Path, PathBuf};
use zorgplan_validator::{has_errors, Validator};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
}

fn read(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn assert_valid(resource: &Value, at: &str, failures: &mut Vec<String>) {
    let issues = Validator::r4().validate(resource);
    if has_errors(&issues) {
        for issue in issues {
            failures.push(format!(
                "{at}: {} {}",
                issue.expression.join(","),
                issue.diagnostics
            ));
        }
    }
}

#[test]
fn the_implementation_guide_is_valid_r4() {
    let mut failures = Vec::new();
    let files = json_files(&repo().join("profiles/fsh-generated/resources"));
    assert!(files.len() >= 50);
    for file in files {
        assert_valid(
            &read(&file),
            &file.file_name().unwrap().to_string_lossy(),
            &mut failures,
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_fixture_resource_is_valid_r4() {
    let mut failures = Vec::new();
    let mut count = 0;
    for scenario in ["S1", "S2", "S3", "S4", "S5", "S6", "S7", "S8", "S9", "S10"] {
        for file in json_files(&repo().join("fixtures").join(scenario)) {
            let bundle = read(&file);
            let name = format!("{scenario}/{}", file.file_name().unwrap().to_string_lossy());
            assert_valid(&bundle, &name, &mut failures);
            count += bundle["entry"].as_array().map_or(0, Vec::len);
        }
    }
    assert!(count > 1000, "only {count} fixture resources");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
