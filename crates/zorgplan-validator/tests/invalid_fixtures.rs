//! Every file of `fixtures/invalid/` fails with the issue written next to it: an issue of the
//! expected severity and code at the expected element (for a FHIRPath invariant, naming its
//! key).

use serde_json::Value;
use std::path::Path;
use zorgplan_fhir::Severity;
use zorgplan_validator::Validator;

/// The element an expression points at: `.ofType(T)` after a choice element names its type,
/// not another element, so it is left out of the comparison.
fn same_element(expression: &str) -> String {
    let mut out = String::new();
    let mut rest = expression;
    while let Some(start) = rest.find(".ofType(") {
        out.push_str(&rest[..start]);
        rest = rest[start..].split_once(')').map_or("", |(_, tail)| tail);
    }
    out.push_str(rest);
    out
}

#[test]
fn every_invalid_fixture_raises_its_issue() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/invalid");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.to_string_lossy();
            name.ends_with(".json") && !name.ends_with(".expected.json")
        })
        .collect();
    files.sort();
    let mut checked = 0;
    let mut failures = Vec::new();
    for file in files {
        let name = file.file_stem().unwrap().to_string_lossy().into_owned();
        let expected: Value = serde_json::from_str(
            &std::fs::read_to_string(file.with_extension("expected.json")).unwrap(),
        )
        .unwrap();
        checked += 1;
        let rule = expected["rule"].as_str().unwrap();
        let resource: Value =
            serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        let issues = Validator::r4().validate(&resource);
        let severity = match expected["severity"].as_str().unwrap() {
            "error" => Severity::Error,
            _ => Severity::Warning,
        };
        let at = same_element(expected["expression"].as_str().unwrap());
        let found = issues.iter().any(|i| {
            i.severity == severity
                && i.code.as_str() == expected["code"].as_str().unwrap()
                && i.expression.iter().any(|e| same_element(e) == at)
                && (i.code.as_str() != "invariant" || i.diagnostics.contains(&format!("{rule}:")))
        });
        if !found {
            let got: Vec<String> = issues
                .iter()
                .map(|i| {
                    format!(
                        "{} {} {} ({})",
                        i.severity.as_str(),
                        i.code.as_str(),
                        i.expression.join(","),
                        i.diagnostics
                    )
                })
                .collect();
            failures.push(format!(
                "{name}: expected {} {} at {}; got [{}]",
                expected["severity"],
                expected["code"],
                expected["expression"],
                got.join(" | ")
            ));
        }
    }
    println!("invalid fixtures: {checked} checked");
    assert_eq!(checked, 40);
    assert!(
        failures.is_empty(),
        "{} of {checked} failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
