//! The FHIRPath Patch cases of the FHIR test cases (`r4/patch/fhir-patch-tests.xml`), run
//! against `zorgplan_fhirpath::patch`: each case's input, patched by its diff, must give its
//! output, or fail when it names an error. Looks for them in `shared/fhir-test-cases` beside
//! the repository and passes with a message when they are not there.

use serde_json::Value;
use std::path::Path;
use zorgplan_fhir::json::Limits;

/// The text between `<tag>` (or `<tag …>`) and `</tag>` in `xml`.
fn inner<'a>(xml: &'a str, tag: &str) -> Option<&'a str> {
    let open = xml.find(&format!("<{tag}"))?;
    let start = open + xml[open..].find('>')? + 1;
    let end = start + xml[start..].find(&format!("</{tag}>"))?;
    Some(&xml[start..end])
}

fn resource(xml: &str) -> Value {
    zorgplan_fhir::xml::parse(xml.trim(), Limits::default())
        .unwrap_or_else(|e| panic!("{e}: {xml}"))
}

#[test]
fn fhirpath_patch_suite() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/fhir-test-cases/r4/patch/fhir-patch-tests.xml");
    let Ok(text) = std::fs::read_to_string(&path) else {
        eprintln!(
            "{} is not there: the FHIRPath Patch suite is skipped",
            path.display()
        );
        return;
    };
    let mut count = 0;
    for case in text.split("<case ").skip(1) {
        let case = &case[..case.find("</case>").expect("a case ends")];
        let name = case.split('"').nth(1).unwrap_or("?");
        let input = resource(inner(case, "input").expect("an input"));
        let diff = resource(inner(case, "diff").expect("a diff"));
        let result = zorgplan_fhirpath::patch::apply(&input, &diff);
        match inner(case, "output") {
            Some(output) => {
                let expected = resource(output);
                let actual = result.unwrap_or_else(|e| panic!("{name}: failed with {e}"));
                assert_eq!(actual, expected, "{name}");
            }
            None => {
                let error = case
                    .split("<error msg=\"")
                    .nth(1)
                    .expect("an output or an error");
                let error = &error[..error.find('"').unwrap()];
                let message = result.expect_err(name);
                assert!(
                    message.contains(&error.replace("&apos;", "'")),
                    "{name}: {message}"
                );
            }
        }
        count += 1;
    }
    assert!(count >= 33, "{count} cases");
    println!("FHIRPath Patch suite: {count} of {count} cases pass");
}
