//! The XML examples of the public FHIR test-case collection (`../shared/fhir-test-cases/r4`):
//! each converts to JSON that the validator accepts without errors (but for the one the
//! collection made invalid on purpose), and writing that JSON as XML and reading it again
//! gives the same JSON.

use std::path::Path;
use zorgplan_fhir::json::Limits;
use zorgplan_fhir::xml;
use zorgplan_validator::{has_errors, Validator};

#[test]
fn xml_examples_convert_validate_and_round_trip() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fhir-test-cases/r4");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!("skipped: ../shared/fhir-test-cases is not there");
        return;
    };
    let mut files: Vec<_> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "xml"))
        .collect();
    files.sort();
    assert!(files.len() >= 7, "the collection has its XML examples");
    let validator = Validator::r4();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        let resource = xml::parse(&text, Limits::default())
            .unwrap_or_else(|e| panic!("{}: {:?}", file.display(), e.to_operation_outcome()));
        let mut issues = validator.validate(&resource);
        // The CodeSystem example repeats a code on purpose (the file says "wrong!"), which
        // breaks csd-1; that is the one error these files hold.
        if file.ends_with("codesystem-example.xml") {
            let before = issues.len();
            issues.retain(|i| !i.diagnostics.starts_with("Constraint failed: csd-1:"));
            assert_eq!(before - issues.len(), 1, "csd-1 is found");
        }
        assert!(!has_errors(&issues), "{}: {:#?}", file.display(), issues);
        let again = xml::parse(&xml::write(&resource, true), Limits::default()).unwrap();
        assert_eq!(again, resource, "{}", file.display());
    }
}
