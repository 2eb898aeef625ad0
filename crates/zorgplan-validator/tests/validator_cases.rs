//! Agreement with the HL7 Java reference validator on the R4 cases of the public FHIR
//! test-case collection (`../shared/validator-cases`): the same valid/invalid verdict, and
//! the same error locations. Prints one line of figures; fails when agreement drops below
//! what this validator reached when the floor was last raised. Cases whose outcome used a
//! terminology server, or that name a profile or supporting definitions, are counted
//! separately. Skips with a message when `../shared` is absent (a fresh clone on its own).

use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;
use zorgplan_fhir::json::{parse_resource, Limits};
use zorgplan_fhir::Severity;
use zorgplan_validator::Validator;

/// Cases needing no terminology server, profile or supporting files on which both verdicts
/// agree, and on which both find errors at the same places (raise them when the validator
/// gets better).
const SAME_VERDICT_FLOOR: usize = 32;
const SAME_LOCATIONS_FLOOR: usize = 28;

/// Strips the Java validator's `/*Type/id*/` annotations from an expression.
fn normalise(expression: &str) -> String {
    let mut out = String::new();
    let mut rest = expression;
    while let Some(start) = rest.find("/*") {
        out.push_str(&rest[..start]);
        match rest[start..].find("*/") {
            Some(end) => rest = &rest[start + end + 2..],
            None => break,
        }
    }
    out.push_str(rest);
    out
}

#[test]
fn agreement_with_the_reference_validator() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/validator-cases");
    let Ok(manifest) = std::fs::read_to_string(dir.join("cases.json")) else {
        eprintln!("skipped: ../shared/validator-cases is not there");
        return;
    };
    let manifest: Value = serde_json::from_str(&manifest).unwrap();
    let (mut plain, mut plain_verdict, mut plain_locations) = (0, 0, 0);
    let (mut other, mut other_verdict) = (0, 0);
    let mut disagreements = Vec::new();
    for case in manifest["cases"].as_array().unwrap() {
        let file = case["file"].as_str().unwrap();
        if !file.ends_with(".json") {
            continue;
        }
        let expected = &case["expected_base"];
        let expected_invalid = expected["errors"].as_u64().unwrap() > 0;
        let expected_locations: BTreeSet<String> = expected["issues"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| matches!(i["severity"].as_str(), Some("error" | "fatal")))
            .filter_map(|i| i["expression"][0].as_str().map(normalise))
            .collect();
        let bytes = std::fs::read(dir.join("files").join(file)).unwrap();
        let (invalid, locations): (bool, BTreeSet<String>) =
            match parse_resource(&bytes, None, Limits::default()) {
                Err(e) => (
                    true,
                    e.issues.iter().flat_map(|i| i.expression.clone()).collect(),
                ),
                Ok(resource) => {
                    let issues = Validator::r4().validate(&resource);
                    let errors: Vec<_> = issues
                        .iter()
                        .filter(|i| matches!(i.severity, Severity::Error | Severity::Fatal))
                        .collect();
                    (
                        !errors.is_empty(),
                        errors
                            .iter()
                            .flat_map(|i| {
                                // This validator points at a missing element itself; the
                                // reference validator at the element that should hold it.
                                i.expression.iter().map(|e| match i.code {
                                    zorgplan_fhir::IssueType::Required => {
                                        e.rsplit_once('.').map_or(e.clone(), |(p, _)| p.to_owned())
                                    }
                                    _ => e.clone(),
                                })
                            })
                            .collect(),
                    )
                }
            };
        let needs_more = expected["terminology_server_used"]
            .as_bool()
            .unwrap_or(false)
            || case.get("profile").is_some()
            || !case["supporting"].as_array().unwrap().is_empty();
        let same = invalid == expected_invalid;
        if needs_more {
            other += 1;
            other_verdict += usize::from(same);
        } else {
            plain += 1;
            plain_verdict += usize::from(same);
            plain_locations += usize::from(same && locations == expected_locations);
            if !same {
                disagreements.push(format!(
                    "{} (reference: {}, here: {})",
                    case["name"].as_str().unwrap(),
                    if expected_invalid { "invalid" } else { "valid" },
                    if invalid { "invalid" } else { "valid" }
                ));
            }
        }
    }
    println!(
        "validator-cases: {plain} plain cases: same verdict {plain_verdict}, same error locations {plain_locations}; \
         {other} cases needing profiles/terminology/supporting files: same verdict {other_verdict}"
    );
    println!(
        "verdict disagreements on plain cases: {}",
        disagreements.join("; ")
    );
    assert!(
        plain_verdict >= SAME_VERDICT_FLOOR,
        "agreement fell to {plain_verdict} (floor {SAME_VERDICT_FLOOR})"
    );
    assert!(
        plain_locations >= SAME_LOCATIONS_FLOOR,
        "location agreement fell to {plain_locations} (floor {SAME_LOCATIONS_FLOOR})"
    );
}
