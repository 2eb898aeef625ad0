//! Strict intake of FHIR JSON.
//!
//! [`parse_resource`] turns a request body into a resource or a [`FhirError`] that lists what is
//! wrong. It guards the server before anything is allocated in proportion to a hostile input:
//! nesting deeper than the configured limit is refused by a single byte scan that also finds
//! duplicate object keys (which `serde_json` would silently collapse); then the syntax is
//! checked by `serde_json` (decimals keep their exact text through `arbitrary_precision`);
//! finally [`check_representation`] applies the rules of the FHIR JSON format.

use crate::id::is_valid_id;
use crate::outcome::{ErrorKind, FhirError, Issue, IssueType};
use crate::r4::is_resource_type;
use serde_json::{Map, Value};

/// Limits applied to a JSON body.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Deepest nesting of objects and arrays accepted (the top-level object is depth 1).
    pub max_depth: usize,
}

impl Default for Limits {
    fn default() -> Self {
        // Real resources nest about 12 deep (a Questionnaire's items somewhat more);
        // serde_json refuses more than 128 anyway.
        Limits { max_depth: 100 }
    }
}

/// Parses a body into a JSON value, refusing excessive depth, duplicate keys and bad syntax.
pub fn parse_json(body: &[u8], limits: Limits) -> Result<Value, FhirError> {
    let scan = scan(body, limits.max_depth.min(127));
    if scan.too_deep {
        return Err(FhirError::new(
            ErrorKind::BadRequest,
            IssueType::TooCostly,
            format!(
                "The JSON document nests deeper than {} levels",
                limits.max_depth.min(127)
            ),
        ));
    }
    let value: Value = serde_json::from_slice(body).map_err(|e| {
        FhirError::new(
            ErrorKind::BadRequest,
            IssueType::Structure,
            format!("The body is not valid JSON: {e}"),
        )
    })?;
    if let Some(key) = scan.duplicate_key {
        return Err(FhirError::new(
            ErrorKind::BadRequest,
            IssueType::Structure,
            format!("The JSON document repeats the property \"{key}\" within one object"),
        ));
    }
    Ok(value)
}

/// Parses a body that must hold one resource, of `expected_type` when given.
///
/// Errors: 400 when the body is not JSON, not a resource, or of another type than the URL
/// names; 422 when it is a resource that breaks the FHIR JSON rules (all such issues are
/// listed).
pub fn parse_resource(
    body: &[u8],
    expected_type: Option<&str>,
    limits: Limits,
) -> Result<Value, FhirError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(FhirError::new(
            ErrorKind::BadRequest,
            IssueType::Required,
            "The request has no body; a FHIR resource was expected",
        ));
    }
    check_body_resource(parse_json(body, limits)?, expected_type)
}

/// Checks that a parsed body (from JSON or XML) is one resource, of `expected_type` when
/// given, and keeps the rules of the FHIR JSON representation (the errors of
/// [`parse_resource`]).
pub fn check_body_resource(value: Value, expected_type: Option<&str>) -> Result<Value, FhirError> {
    let Some(object) = value.as_object() else {
        return Err(FhirError::new(
            ErrorKind::BadRequest,
            IssueType::Structure,
            "The body is not a FHIR resource: a JSON object was expected",
        ));
    };
    let resource_type = match object.get("resourceType") {
        Some(Value::String(t)) => t.as_str(),
        Some(_) => {
            return Err(FhirError::new(
                ErrorKind::BadRequest,
                IssueType::Structure,
                "resourceType must be a string",
            )
            .at("resourceType"))
        }
        None => {
            return Err(FhirError::new(
                ErrorKind::BadRequest,
                IssueType::Required,
                "The body is not a FHIR resource: it has no resourceType",
            ))
        }
    };
    if !is_resource_type(resource_type) {
        return Err(FhirError::new(
            ErrorKind::BadRequest,
            IssueType::NotSupported,
            format!("'{resource_type}' is not a FHIR R4 resource type"),
        )
        .at("resourceType"));
    }
    if let Some(expected) = expected_type {
        if resource_type != expected {
            return Err(FhirError::new(
                ErrorKind::BadRequest,
                IssueType::Invalid,
                format!("The body is a {resource_type}, but the URL is for {expected}"),
            )
            .at("resourceType"));
        }
    }
    let issues = check_representation(&value);
    if !issues.is_empty() {
        return Err(FhirError::with_issues(ErrorKind::Unprocessable, issues));
    }
    Ok(value)
}

/// The rules of the FHIR JSON representation that apply to any resource: no empty objects,
/// arrays or strings; `null` only as a placeholder in the arrays of a repeating primitive and
/// its `_element` twin; every `resourceType` (the resource's own, contained resources, bundle
/// entries) a known R4 type; every resource `id` a valid id.
///
/// Returns every issue found, each with the FHIRPath of its element.
pub fn check_representation(resource: &Value) -> Vec<Issue> {
    let mut issues = Vec::new();
    if let Value::Object(object) = resource {
        let root = object
            .get("resourceType")
            .and_then(Value::as_str)
            .unwrap_or("Resource")
            .to_owned();
        check_resource(object, &root, &mut issues);
    }
    issues
}

fn check_resource(object: &Map<String, Value>, path: &str, issues: &mut Vec<Issue>) {
    if let Some(id) = object.get("id") {
        match id.as_str() {
            Some(id) if is_valid_id(id) => {}
            _ => issues.push(
                Issue::error(
                    IssueType::Value,
                    format!(
                        "{id} is not a valid id (1 to 64 characters: letters, digits, '-' and '.')"
                    ),
                )
                .at(format!("{path}.id")),
            ),
        }
    }
    check_object(object, path, issues);
}

fn check_object(object: &Map<String, Value>, path: &str, issues: &mut Vec<Issue>) {
    if object.is_empty() {
        issues.push(
            Issue::error(IssueType::Structure, "An object must not be empty").at(path.to_owned()),
        );
        return;
    }
    for (key, value) in object {
        let child = format!("{path}.{key}");
        if key == "resourceType" {
            match value.as_str() {
                Some(t) if is_resource_type(t) => {}
                _ => issues.push(
                    Issue::error(
                        IssueType::NotSupported,
                        format!("{value} is not a FHIR R4 resource type"),
                    )
                    .at(child),
                ),
            }
            continue;
        }
        match value {
            Value::Array(items) => {
                // A repeating primitive and its `_element` twin may hold `null` placeholders.
                let twin = match key.strip_prefix('_') {
                    Some(plain) => object.contains_key(plain),
                    None => object.contains_key(&format!("_{key}")),
                };
                check_array(items, &child, twin, issues);
            }
            Value::Object(inner) if inner.contains_key("resourceType") => {
                check_resource(inner, &child, issues)
            }
            value => check_value(value, &child, issues),
        }
    }
}

fn check_array(items: &[Value], path: &str, nulls_allowed: bool, issues: &mut Vec<Issue>) {
    if items.is_empty() {
        issues.push(
            Issue::error(IssueType::Structure, "An array must not be empty").at(path.to_owned()),
        );
        return;
    }
    if items.iter().all(Value::is_null) {
        issues.push(
            Issue::error(IssueType::Structure, "An array must not hold only nulls")
                .at(path.to_owned()),
        );
        return;
    }
    for (i, item) in items.iter().enumerate() {
        let child = format!("{path}[{i}]");
        match item {
            Value::Null if nulls_allowed => {}
            Value::Array(_) => issues.push(
                Issue::error(
                    IssueType::Structure,
                    "Arrays must not directly contain arrays",
                )
                .at(child),
            ),
            Value::Object(inner) if inner.contains_key("resourceType") => {
                check_resource(inner, &child, issues)
            }
            item => check_value(item, &child, issues),
        }
    }
}

fn check_value(value: &Value, path: &str, issues: &mut Vec<Issue>) {
    match value {
        Value::Null => issues.push(
            Issue::error(
                IssueType::Structure,
                "null is not allowed here (leave the element out instead)",
            )
            .at(path.to_owned()),
        ),
        Value::String(s) if s.is_empty() => issues.push(
            Issue::error(
                IssueType::Value,
                "A string must not be empty (leave the element out instead)",
            )
            .at(path.to_owned()),
        ),
        Value::Object(inner) => check_object(inner, path, issues),
        Value::Array(items) => check_array(items, path, false, issues),
        _ => {}
    }
}

struct Scan {
    too_deep: bool,
    duplicate_key: Option<String>,
}

/// One pass over the bytes: the nesting depth and the first key repeated within an object.
/// Robust to malformed input (the syntax is judged by serde_json afterwards).
fn scan(body: &[u8], max_depth: usize) -> Scan {
    // Per open container: is it an object, and which keys it has seen (raw, still escaped).
    let mut stack: Vec<(bool, Vec<&[u8]>)> = Vec::new();
    let mut spare: Vec<Vec<&[u8]>> = Vec::new();
    let mut duplicate_key = None;
    let mut expect_key = false;
    let mut i = 0;
    while i < body.len() {
        match body[i] {
            b'{' | b'[' => {
                if stack.len() >= max_depth {
                    return Scan {
                        too_deep: true,
                        duplicate_key,
                    };
                }
                let is_object = body[i] == b'{';
                stack.push((is_object, spare.pop().unwrap_or_default()));
                expect_key = is_object;
            }
            b'}' | b']' => {
                if let Some((_, mut keys)) = stack.pop() {
                    keys.clear();
                    spare.push(keys);
                }
                expect_key = false;
            }
            b',' => expect_key = matches!(stack.last(), Some((true, _))),
            b':' => expect_key = false,
            b'"' => {
                let start = i + 1;
                let mut j = start;
                while j < body.len() && body[j] != b'"' {
                    j += if body[j] == b'\\' { 2 } else { 1 };
                }
                let end = j.min(body.len());
                if expect_key && duplicate_key.is_none() {
                    if let Some((true, keys)) = stack.last_mut() {
                        let key = &body[start..end];
                        if keys.iter().any(|k| same_key(k, key)) {
                            duplicate_key = Some(String::from_utf8_lossy(key).into_owned());
                        } else {
                            keys.push(key);
                        }
                    }
                }
                expect_key = false;
                i = j;
            }
            _ => {}
        }
        i += 1;
    }
    Scan {
        too_deep: false,
        duplicate_key,
    }
}

/// Compares two raw (escaped) keys by the strings they denote.
fn same_key(a: &[u8], b: &[u8]) -> bool {
    if !a.contains(&b'\\') && !b.contains(&b'\\') {
        return a == b;
    }
    let unescape = |raw: &[u8]| {
        let mut quoted = Vec::with_capacity(raw.len() + 2);
        quoted.push(b'"');
        quoted.extend_from_slice(raw);
        quoted.push(b'"');
        serde_json::from_slice::<String>(&quoted).ok()
    };
    match (unescape(a), unescape(b)) {
        (Some(a), Some(b)) => a == b,
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(body: &str) -> Result<Value, FhirError> {
        parse_resource(body.as_bytes(), Some("Patient"), Limits::default())
    }

    #[test]
    fn accepts_a_patient_and_keeps_decimals_and_order_exact() {
        let v = parse_resource(
            br#"{"resourceType":"Observation","status":"final","code":{"text":"x"},"valueQuantity":{"value":1.50}}"#,
            None,
            Limits::default(),
        )
        .unwrap();
        assert_eq!(
            serde_json::to_string(&v).unwrap(),
            r#"{"resourceType":"Observation","status":"final","code":{"text":"x"},"valueQuantity":{"value":1.50}}"#
        );
    }

    #[test]
    fn rejects_what_is_not_a_resource() {
        for (body, status) in [
            ("", 400),
            ("   ", 400),
            ("{", 400),
            ("[]", 400),
            ("42", 400),
            ("{}", 400),
            (r#"{"resourceType":1}"#, 400),
            (r#"{"resourceType":"Patiënt"}"#, 400),
            (r#"{"resourceType":"Observation"}"#, 400),
            (
                r#"{"resourceType":"Patient","active":true,"active":false}"#,
                400,
            ),
            (r#"{"resourceType":"Patient","id":"a b"}"#, 422),
            (r#"{"resourceType":"Patient","name":[]}"#, 422),
            (r#"{"resourceType":"Patient","name":[{}]}"#, 422),
            (r#"{"resourceType":"Patient","gender":null}"#, 422),
            (r#"{"resourceType":"Patient","gender":""}"#, 422),
        ] {
            let err = parse(body).expect_err(body);
            assert_eq!(err.status(), status, "{body}: {err}");
        }
    }

    #[test]
    fn lists_every_representation_issue_with_its_path() {
        let err = parse(
            r#"{"resourceType":"Patient","id":"$","name":[{"given":["a",null]},{"family":""}],"contained":[{"resourceType":"Nope"}]}"#,
        )
        .unwrap_err();
        let paths: Vec<_> = err
            .issues
            .iter()
            .map(|i| i.expression[0].as_str())
            .collect();
        assert_eq!(
            paths,
            [
                "Patient.id",
                "Patient.name[0].given[1]",
                "Patient.name[1].family",
                "Patient.contained[0].resourceType"
            ]
        );
    }

    #[test]
    fn null_placeholders_are_allowed_beside_a_primitive_twin() {
        parse(r#"{"resourceType":"Patient","name":[{"given":["a",null],"_given":[null,{"extension":[{"url":"http://x","valueString":"y"}]}]}]}"#)
            .unwrap();
    }

    #[test]
    fn duplicate_keys_are_compared_unescaped_and_per_object() {
        assert!(parse(r#"{"resourceType":"Patient","a\u0063tive":true,"active":false}"#).is_err());
        parse(r#"{"resourceType":"Patient","name":[{"text":"a"},{"text":"b"}],"text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\">\"text\":</div>"}}"#)
            .unwrap();
    }

    #[test]
    fn depth_is_limited_before_parsing() {
        let deep = format!(
            r#"{{"resourceType":"Patient","extension":{}{}}}"#,
            "[".repeat(500),
            "]".repeat(500)
        );
        let err = parse(&deep).unwrap_err();
        assert_eq!(err.status(), 400);
        assert!(err.issues[0].diagnostics.contains("deeper"));
        let limited = parse_resource(
            br#"{"resourceType":"Patient","name":[{"given":["a"]}]}"#,
            None,
            Limits { max_depth: 2 },
        );
        assert!(limited.is_err());
    }
}
