//! Codes, shared by the base and profile layers: membership of a coded value in a set of
//! codes, and what cannot be checked offline.

use foldhash::HashSet;
use serde_json::Value;
use zorgplan_fhir::{Issue, IssueType, Severity};

/// Large code systems that no server holds offline. Their codes are accepted with an
/// information issue: the validator never raises a false error on them.
const EXTERNAL_SYSTEMS: &[(&str, &str)] = &[
    ("http://snomed.info/sct", "SNOMED CT"),
    ("http://loinc.org", "LOINC"),
    ("http://unitsofmeasure.org", "UCUM"),
    ("http://hl7.org/fhir/sid/icd-10", "ICD-10"),
    ("http://www.whocc.no/atc", "ATC"),
    ("http://www.nlm.nih.gov/research/umls/rxnorm", "RxNorm"),
];

/// What to say of a Coding whose code system is one of [`EXTERNAL_SYSTEMS`]: its code is
/// accepted without being checked.
pub(crate) fn external_code(coding: &serde_json::Map<String, Value>) -> Option<String> {
    let system = coding.get("system")?.as_str()?;
    let code = coding.get("code")?.as_str()?;
    let (_, name) = EXTERNAL_SYSTEMS.iter().find(|(url, _)| *url == system)?;
    Some(format!(
        "The {name} code '{code}' was accepted unchecked: {name} is not available offline"
    ))
}

/// An information issue at `expression`.
pub(crate) fn information(expression: String, diagnostics: String) -> Issue {
    Issue {
        severity: Severity::Information,
        ..Issue::error(IssueType::Informational, diagnostics).at(expression)
    }
}

/// The information issue for a binding to a value set that cannot be expanded locally.
pub(crate) fn unchecked_binding(vs: &str, expression: String) -> Issue {
    information(
        expression,
        format!(
            "The code was not checked against the value set {vs}: it cannot be expanded offline"
        ),
    )
}

/// Whether a coded value of type `type_code` belongs to `codes`: a `code` by its code alone
/// (any system), a `Coding` by system and code, a `CodeableConcept` when any of its codings
/// does. Values of other types, and a `code` that is not a string, are not judged (`true`).
pub(crate) fn coded_in(codes: &HashSet<(String, String)>, type_code: &str, value: &Value) -> bool {
    let coding_in = |coding: &Value| {
        let system = coding
            .get("system")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let code = coding
            .get("code")
            .and_then(Value::as_str)
            .unwrap_or_default();
        codes.contains(&(system.to_owned(), code.to_owned()))
    };
    match type_code {
        "code" => value
            .as_str()
            .is_none_or(|code| codes.iter().any(|(_, c)| c == code)),
        "Coding" => coding_in(value),
        "CodeableConcept" => value
            .get("coding")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .any(coding_in),
        _ => true,
    }
}
