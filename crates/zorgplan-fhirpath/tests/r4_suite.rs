//! The official FHIRPath test suite of FHIR R4 (`tests-fhir-r4.xml` of the FHIR test cases),
//! run against the engine. Looks for the suite in `shared/fhir-test-cases/r4` beside the
//! repository and passes with a message when it is not there.
//!
//! A test passes when its expression parses, checks against the input's type and evaluates
//! to the expected outputs, in order, each of the stated type and value (decimals by value,
//! dates and times in their literal form); a test marked `invalid` passes when parsing,
//! checking or evaluation fails. `predicate="true"` turns the result into whether it is
//! non-empty. `checkOrderedFunctions="true"` adds [`Expr::check_ordered`]. `as` is strict (an error on more than one item). `cargo test -p zorgplan-fhirpath --test r4_suite -- --nocapture` prints a line
//! per failure and the summary `FHIRPath R4 suite: passed N of M (P%)`.

use quick_xml::events::Event;
use quick_xml::XmlVersion;
use serde_json::Value;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use zorgplan_fhirpath::decimal::Decimal;
use zorgplan_fhirpath::{Context, Expr, Item};

/// Tests that pass today; fewer is a regression.
const FLOOR: usize = 935;

#[derive(Debug, Default)]
struct Case {
    group: String,
    name: String,
    input: Option<String>,
    expression: String,
    invalid: bool,
    predicate: bool,
    ordered: bool,
    check_ordered: bool,
    outputs: Vec<(Option<String>, String)>,
}

fn suite_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fhir-test-cases/r4")
}

fn attribute(start: &quick_xml::events::BytesStart<'_>, name: &str) -> Option<String> {
    start
        .attributes()
        .flatten()
        .find(|a| a.key.as_ref() == name)
        .and_then(|a| a.normalized_value(XmlVersion::Implicit1_0).ok())
        .map(|v| v.into_owned())
}

/// Reads the test cases of the suite.
fn cases(xml: &str) -> Vec<Case> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut cases = Vec::new();
    let mut group = String::new();
    let mut current: Option<Case> = None;
    let mut text: Option<String> = None;
    let mut output_type: Option<String> = None;
    loop {
        match reader.read_event().expect("the suite is well-formed XML") {
            Event::Start(start) => match start.local_name().as_ref() {
                "group" => group = attribute(&start, "name").unwrap_or_default(),
                "test" => {
                    current = Some(Case {
                        group: group.clone(),
                        name: attribute(&start, "name").unwrap_or_default(),
                        input: attribute(&start, "inputfile"),
                        predicate: attribute(&start, "predicate").as_deref() == Some("true"),
                        ordered: attribute(&start, "ordered").as_deref() != Some("false"),
                        check_ordered: attribute(&start, "checkOrderedFunctions").as_deref()
                            == Some("true"),
                        ..Case::default()
                    })
                }
                "expression" => {
                    if let Some(case) = current.as_mut() {
                        case.invalid = attribute(&start, "invalid").is_some();
                    }
                    text = Some(String::new());
                }
                "output" => {
                    output_type = attribute(&start, "type");
                    text = Some(String::new());
                }
                _ => {}
            },
            Event::Empty(start) if start.local_name().as_ref() == "output" => {
                if let Some(case) = current.as_mut() {
                    case.outputs
                        .push((attribute(&start, "type"), String::new()));
                }
            }
            Event::Text(t) => {
                if let Some(text) = text.as_mut() {
                    text.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(r) => {
                if let Some(text) = text.as_mut() {
                    let resolved = match r.resolve_char_ref().ok().flatten() {
                        Some(c) => c.to_string(),
                        None => quick_xml::escape::resolve_predefined_entity(&r.xml10_content())
                            .unwrap_or_default()
                            .to_owned(),
                    };
                    text.push_str(&resolved);
                }
            }
            Event::End(end) => match end.local_name().as_ref() {
                "expression" => {
                    if let (Some(case), Some(t)) = (current.as_mut(), text.take()) {
                        case.expression = t;
                    }
                }
                "output" => {
                    if let (Some(case), Some(t)) = (current.as_mut(), text.take()) {
                        case.outputs.push((output_type.take(), t));
                    }
                }
                "test" => cases.extend(current.take()),
                _ => {}
            },
            Event::Eof => return cases,
            _ => {}
        }
    }
}

fn load_input(dir: &Path, name: &str) -> Result<Value, String> {
    let text = std::fs::read_to_string(dir.join(name)).map_err(|e| e.to_string())?;
    if name.ends_with(".json") {
        serde_json::from_str(&text).map_err(|e| e.to_string())
    } else {
        zorgplan_fhir::xml::parse(&text, zorgplan_fhir::json::Limits::default())
            .map_err(|e| format!("{e:?}"))
    }
}

/// The type name the suite uses for an item.
fn type_name(item: &Item<'_>) -> &'static str {
    match item {
        Item::Node(node) => node.ty.name,
        Item::Boolean(_) => "boolean",
        Item::Integer(_) => "integer",
        Item::Decimal(_) => "decimal",
        Item::String(_) => "string",
        Item::Date(_) => "date",
        Item::DateTime(_) => "dateTime",
        Item::Time(_) => "time",
        Item::Quantity(_) => "Quantity",
        Item::Type(_) => "TypeInfo",
    }
}

/// The item as the suite writes outputs: literals for dates and times.
fn written(item: &Item<'_>) -> String {
    match item.to_system() {
        Some(Item::Date(d) | Item::DateTime(d)) => format!("@{d}"),
        Some(Item::Time(t)) => format!("@T{t}"),
        _ => item.to_string(),
    }
}

fn matches_output(item: &Item<'_>, expected_type: Option<&str>, expected: &str) -> bool {
    if expected_type.is_some_and(|t| t != type_name(item)) {
        return false;
    }
    if let Some(Item::Decimal(d)) = item.to_system() {
        return Decimal::parse(expected).is_some_and(|e| e == d);
    }
    written(item) == expected
}

/// Runs one case: `Ok` when it passes, else what went wrong.
fn run(case: &Case, input: Option<&Value>) -> Result<(), String> {
    let expr = match Expr::parse(&case.expression) {
        Ok(expr) => expr,
        Err(_) if case.invalid => return Ok(()),
        Err(e) => return Err(format!("parse error: {e}")),
    };
    let ctx = match input {
        Some(resource) => Context::new(resource),
        None => Context::empty(),
    }
    .with_strict_as();
    if case.check_ordered {
        if let Err(e) = expr.check_ordered() {
            return if case.invalid {
                Ok(())
            } else {
                Err(format!("check error: {e}"))
            };
        }
    }
    let resource_type = input
        .and_then(|r| r.get("resourceType"))
        .and_then(Value::as_str);
    if let Some(resource_type) = resource_type {
        if let Err(e) = expr.check(resource_type) {
            return if case.invalid {
                Ok(())
            } else {
                Err(format!("check error: {e}"))
            };
        }
    }
    let result = match expr.evaluate(&ctx) {
        Ok(result) => result,
        Err(_) if case.invalid => return Ok(()),
        Err(e) => return Err(format!("evaluation error: {e}")),
    };
    let got: Vec<Item<'_>> = if case.predicate {
        vec![Item::Boolean(!result.is_empty())]
    } else {
        result.into_vec()
    };
    let describe = || {
        got.iter()
            .map(|i| format!("{}:{}", type_name(i), written(i)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if case.invalid {
        return Err(format!("expected an error, got [{}]", describe()));
    }
    let matched = got.len() == case.outputs.len()
        && if case.ordered {
            got.iter()
                .zip(&case.outputs)
                .all(|(item, (t, v))| matches_output(item, t.as_deref(), v))
        } else {
            case.outputs
                .iter()
                .all(|(t, v)| got.iter().any(|item| matches_output(item, t.as_deref(), v)))
        };
    if matched {
        Ok(())
    } else {
        Err(format!("got [{}]", describe()))
    }
}

#[test]
fn r4_suite() {
    let dir = suite_dir();
    let suite_file = dir.join("fhirpath/tests-fhir-r4.xml");
    let Ok(xml) = std::fs::read_to_string(&suite_file) else {
        println!(
            "FHIRPath R4 suite: skipped, {} not found",
            suite_file.display()
        );
        return;
    };
    let cases = cases(&xml);
    let mut inputs: HashMap<String, Result<Value, String>> = HashMap::new();
    let mut passed = 0;
    for case in &cases {
        let input = match &case.input {
            Some(name) => match inputs
                .entry(name.clone())
                .or_insert_with(|| load_input(&dir, name))
            {
                Ok(value) => Some(&*value),
                Err(e) => {
                    println!("FAIL {}/{}: input {name}: {e}", case.group, case.name);
                    continue;
                }
            },
            None => None,
        };
        match run(case, input) {
            Ok(()) => passed += 1,
            Err(why) => {
                let expected: Vec<String> = case
                    .outputs
                    .iter()
                    .map(|(t, v)| format!("{}:{v}", t.as_deref().unwrap_or("?")))
                    .collect();
                println!(
                    "FAIL {}/{}: {} | expected {}[{}] | {why}",
                    case.group,
                    case.name,
                    case.expression.trim(),
                    if case.invalid { "an error " } else { "" },
                    expected.join(", ")
                );
            }
        }
    }
    let total = cases.len();
    println!(
        "FHIRPath R4 suite: passed {passed} of {total} ({:.1}%)",
        passed as f64 * 100.0 / total as f64
    );
    assert!(
        passed >= FLOOR,
        "FHIRPath R4 suite: {passed} passed, fewer than the {FLOOR} that passed before"
    );
}
