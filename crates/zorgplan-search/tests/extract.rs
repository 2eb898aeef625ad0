//! What the search parameters extract: every parameter on every resource of the scenarios,
//! and each kind of value on resources written for the purpose.

use serde_json::{json, Value};
use std::path::Path;
use zorgplan_search::{composite_key, extract, extract_composite, IndexValue, Registry};

fn fixture_resources() -> Vec<Value> {
    let mut out = Vec::new();
    for scenario in ["S1", "S6"] {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../fixtures")
            .join(scenario);
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        files.sort();
        for file in files {
            let bundle: Value =
                serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
            for entry in bundle["entry"].as_array().unwrap() {
                out.push(entry["resource"].clone());
            }
        }
    }
    out
}

#[test]
fn every_parameter_evaluates_on_every_scenario_resource() {
    let registry = Registry::r4();
    let resources = fixture_resources();
    assert!(resources.len() > 150);
    let (mut evaluated, mut values) = (0, 0);
    for resource in &resources {
        let res_type = resource["resourceType"].as_str().unwrap();
        for param in registry.params(res_type) {
            let found = extract(param, resource)
                .unwrap_or_else(|e| panic!("{res_type}.{}: {e}", param.code));
            let pairs = extract_composite(param, resource)
                .unwrap_or_else(|e| panic!("{res_type}.{}: {e}", param.code));
            evaluated += 1;
            values += found.len() + pairs.len();
        }
    }
    println!("{evaluated} parameter evaluations, {values} index values");
    assert!(values > 1000, "only {values} values");
}

fn values(res_type: &str, code: &str, resource: &Value) -> Vec<IndexValue> {
    let param = Registry::r4()
        .param(res_type, code)
        .unwrap_or_else(|| panic!("{res_type}.{code}"));
    extract(param, resource).unwrap()
}

fn token(system: Option<&str>, code: &str) -> IndexValue {
    IndexValue::Token {
        system: system.map(str::to_owned),
        code: code.to_owned(),
    }
}

#[test]
fn tokens_strings_and_dates_of_a_patient() {
    let patient = json!({"resourceType": "Patient", "id": "p1",
        "meta": {"lastUpdated": "2026-11-23T10:00:00.5Z", "tag": [{"system": "http://t", "code": "x"}]},
        "identifier": [{"system": "http://fhir.nl/fhir/NamingSystem/bsn", "value": "999911120"}],
        "active": true,
        "name": [{"family": "van den Berg", "given": ["Zoë", "Anna"]}],
        "telecom": [{"system": "phone", "value": "0612345678"}],
        "gender": "female", "birthDate": "2015-03",
        "address": [{"line": ["Dorpsstraat 1"], "city": "Utrecht", "postalCode": "3511 AA"}]});
    assert_eq!(
        values("Patient", "identifier", &patient),
        [token(
            Some("http://fhir.nl/fhir/NamingSystem/bsn"),
            "999911120"
        )]
    );
    assert_eq!(values("Patient", "active", &patient), [token(None, "true")]);
    assert_eq!(
        values("Patient", "gender", &patient),
        [token(None, "female")]
    );
    assert_eq!(
        values("Patient", "phone", &patient),
        [token(Some("phone"), "0612345678")]
    );
    assert_eq!(values("Patient", "_id", &patient), [token(None, "p1")]);
    assert_eq!(
        values("Patient", "_tag", &patient),
        [token(Some("http://t"), "x")]
    );
    let name = values("Patient", "name", &patient);
    assert!(name.contains(&IndexValue::String {
        normalized: "zoe".into(),
        exact: "Zoë".into()
    }));
    assert!(name.contains(&IndexValue::String {
        normalized: "van den berg".into(),
        exact: "van den Berg".into()
    }));
    assert_eq!(values("Patient", "address-city", &patient).len(), 1);
    assert_eq!(values("Patient", "address", &patient).len(), 3);
    // A month covers the whole month.
    let IndexValue::Date { low, high } = values("Patient", "birthdate", &patient)[0] else {
        panic!("a date")
    };
    assert_eq!(high - low + 1, 31 * 86_400 * 1_000_000);
    let IndexValue::Date { low, high } = values("Patient", "_lastUpdated", &patient)[0] else {
        panic!("a date")
    };
    assert_eq!(
        high - low,
        99_999,
        "a value to the tenth of a second covers that tenth"
    );
}

#[test]
fn references_by_type_and_codes_of_a_plan() {
    let plan = json!({"resourceType": "CarePlan", "status": "active", "intent": "plan",
        "subject": {"reference": "Patient/kind"},
        "careTeam": [{"reference": "CareTeam/netwerk"}],
        "instantiatesCanonical": ["http://example.org/PlanDefinition/x|1.0"],
        "category": [{"coding": [{"system": "http://snomed.info/sct", "code": "734163000", "display": "Care plan"}],
                      "text": "Zorgplan"}],
        "period": {"start": "2026-01-01"},
        "activity": [{"detail": {"status": "scheduled", "scheduledTiming": {
            "event": ["2026-02-01", "2026-03-15T10:00:00Z"]}}}]});
    let patient = IndexValue::Reference {
        res_type: Some("Patient".into()),
        id: Some("kind".into()),
        url: None,
    };
    assert_eq!(
        values("CarePlan", "patient", &plan),
        std::slice::from_ref(&patient)
    );
    assert_eq!(values("CarePlan", "subject", &plan), [patient]);
    let mut group = plan.clone();
    group["subject"] = json!({"reference": "Group/g"});
    assert_eq!(values("CarePlan", "patient", &group), []);
    assert_eq!(
        values("CarePlan", "instantiates-canonical", &plan),
        [IndexValue::Reference {
            res_type: Some("PlanDefinition".into()),
            id: Some("x".into()),
            url: Some("http://example.org/PlanDefinition/x".into())
        }]
    );
    assert_eq!(
        values("CarePlan", "category", &plan),
        [
            token(Some("http://snomed.info/sct"), "734163000"),
            IndexValue::TokenText("care plan".into()),
            IndexValue::TokenText("zorgplan".into()),
        ]
    );
    let IndexValue::Date { high, .. } = values("CarePlan", "date", &plan)[0] else {
        panic!("a date")
    };
    assert_eq!(high, i64::MAX, "an open period");
    let IndexValue::Date { low, high } = values("CarePlan", "activity-date", &plan)[0] else {
        panic!("a date")
    };
    assert!(low < high);
}

#[test]
fn quantities_numbers_and_the_standards_parameters() {
    // Parsed from text, so that the decimal keeps its written precision.
    let obs: Value = serde_json::from_str(
        r#"{"resourceType": "Observation", "status": "final", "code": {"text": "gewicht"},
            "valueQuantity": {"value": 12.50, "unit": "kg", "system": "http://unitsofmeasure.org", "code": "kg"}}"#,
    )
    .unwrap();
    assert_eq!(
        values("Observation", "value-quantity", &obs),
        [IndexValue::Quantity {
            value: "12.50".into(),
            system: Some("http://unitsofmeasure.org".into()),
            code: Some("kg".into()),
            unit: Some("kg".into())
        }]
    );
    let registry = Registry::with(&[json!({
        "resourceType": "SearchParameter", "url": "http://example.org/sp", "code": "mks-fase",
        "base": ["CarePlan"], "type": "token",
        "expression": "CarePlan.extension('http://example.org/mks').value"})]);
    let plan = json!({"resourceType": "CarePlan", "status": "draft", "intent": "plan",
        "subject": {"reference": "Patient/kind"},
        "extension": [{"url": "http://example.org/mks", "valueCoding": {"system": "http://s", "code": "zorgplan"}}]});
    let param = registry.param("CarePlan", "mks-fase").unwrap();
    assert_eq!(
        extract(param, &plan).unwrap(),
        [token(Some("http://s"), "zorgplan")]
    );
}

#[test]
fn the_standards_parameters_index_the_scenarios() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../profiles/fsh-generated/resources");
    let standard: Vec<Value> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("SearchParameter-"))
        })
        .map(|p| serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap())
        .collect();
    assert_eq!(standard.len(), 8);
    let registry = Registry::with(&standard);
    let mut indexed = std::collections::BTreeMap::new();
    for sp in &standard {
        let code = sp["code"].as_str().unwrap();
        for base in sp["base"].as_array().unwrap() {
            let base = base.as_str().unwrap();
            let param = registry
                .param(base, code)
                .unwrap_or_else(|| panic!("{base}.{code}"));
            for resource in fixture_resources()
                .iter()
                .filter(|r| r["resourceType"] == base)
            {
                let found = extract(param, resource).unwrap();
                *indexed.entry(format!("{base}.{code}")).or_insert(0) += found.len();
            }
        }
    }
    println!("{indexed:?}");
    // The scenarios use the life domains on goals and the MKS phase on plans.
    assert!(indexed["Goal.kinderleefdomein"] > 0, "{indexed:?}");
    assert!(indexed["CarePlan.mks-fase"] > 0, "{indexed:?}");
}

#[test]
fn composites_pair_each_code_with_the_values_beside_it() {
    let obs: Value = serde_json::from_str(
        r#"{"resourceType": "Observation", "status": "final",
            "code": {"coding": [{"system": "http://loinc.org", "code": "85354-9"}]},
            "component": [
              {"code": {"coding": [{"system": "http://loinc.org", "code": "8480-6"}]},
               "valueQuantity": {"value": 120, "code": "mm[Hg]"}},
              {"code": {"coding": [{"code": "x|y"}]},
               "valueQuantity": {"value": 80}}]}"#,
    )
    .unwrap();
    let param = Registry::r4()
        .param("Observation", "component-code-value-quantity")
        .unwrap();
    assert!(param.composite_searchable());
    let quantity = |value: &str, code: Option<&str>| IndexValue::Quantity {
        value: value.into(),
        system: None,
        code: code.map(Into::into),
        unit: None,
    };
    let key = |system, code| composite_key("component-code-value-quantity", system, code);
    let systolic = quantity("120", Some("mm[Hg]"));
    let pairs = extract_composite(param, &obs).unwrap();
    let mut expected = vec![
        (key(None, Some("8480-6")), systolic.clone()),
        (
            key(Some("http://loinc.org"), Some("8480-6")),
            systolic.clone(),
        ),
        (key(Some("http://loinc.org"), None), systolic),
        (key(None, Some("x|y")), quantity("80", None)),
        (key(Some(""), Some("x|y")), quantity("80", None)),
    ];
    expected.sort();
    assert_eq!(pairs, expected);
    // A `|` inside a code cannot be mistaken for the system separator.
    assert_eq!(
        key(None, Some("x|y")),
        "component-code-value-quantity$x\\|y"
    );
    assert_ne!(key(Some("x"), Some("y")), key(None, Some("x|y")));
    // The Observation has no value of its own: code-value-quantity pairs nothing.
    let own = Registry::r4()
        .param("Observation", "code-value-quantity")
        .unwrap();
    assert!(extract_composite(own, &obs).unwrap().is_empty());
    // A parameter of another type pairs nothing either.
    let code = Registry::r4().param("Observation", "code").unwrap();
    assert!(extract_composite(code, &obs).unwrap().is_empty());
}
