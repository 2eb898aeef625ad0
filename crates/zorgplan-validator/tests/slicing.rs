//! Slicing by the discriminators beyond `value` and `pattern` — `type`, `exists` and
//! `profile` — and the `openAtEnd` rule, on small profiles loaded next to the standard.

use serde_json::{json, Value};
use zorgplan_fhir::Issue;
use zorgplan_validator::profile::Conformance;
use zorgplan_validator::{has_errors, Validator};

const BASE: &str = "http://hl7.org/fhir/StructureDefinition/";

fn element(id: &str, min: u32, max: &str, extra: Value) -> Value {
    let path: String = id
        .split('.')
        .map(|part| part.split(':').next().unwrap())
        .collect::<Vec<_>>()
        .join(".");
    let mut e = json!({"id": id, "path": path, "min": min, "max": max,
                       "base": {"path": path, "min": 0, "max": "*"}});
    if let (Some(e), Some(extra)) = (e.as_object_mut(), extra.as_object()) {
        e.extend(extra.clone());
    }
    e
}

fn profile(url: &str, resource_type: &str, elements: Vec<Value>) -> Value {
    json!({"resourceType": "StructureDefinition", "url": url, "name": "Test",
           "status": "active", "kind": "resource", "abstract": false, "type": resource_type,
           "baseDefinition": format!("{BASE}{resource_type}"), "derivation": "constraint",
           "snapshot": {"element": elements}})
}

fn validator() -> Validator {
    let by_type = profile(
        "http://example.org/bundle-by-type",
        "Bundle",
        vec![
            element("Bundle", 0, "*", json!({})),
            element(
                "Bundle.entry",
                0,
                "*",
                json!({"slicing": {"discriminator": [{"type": "type", "path": "resource"}],
                                   "rules": "openAtEnd"}}),
            ),
            element("Bundle.entry:patient", 1, "1", json!({})),
            element(
                "Bundle.entry:patient.resource",
                1,
                "1",
                json!({"type": [{"code": "Patient"}]}),
            ),
        ],
    );
    let by_exists = profile(
        "http://example.org/observation-by-exists",
        "Observation",
        vec![
            element("Observation", 0, "*", json!({})),
            element(
                "Observation.component",
                0,
                "*",
                json!({"slicing": {"discriminator": [{"type": "exists", "path": "value[x]"}],
                                   "rules": "closed"}}),
            ),
            element("Observation.component:measured", 0, "1", json!({})),
            element(
                "Observation.component:measured.value[x]",
                1,
                "1",
                json!({"type": [{"code": "Quantity"}]}),
            ),
            element("Observation.component:absent", 0, "*", json!({})),
            element("Observation.component:absent.value[x]", 0, "0", json!({})),
        ],
    );
    let by_profile = profile(
        "http://example.org/bundle-by-profile",
        "Bundle",
        vec![
            element("Bundle", 0, "*", json!({})),
            element(
                "Bundle.entry",
                0,
                "*",
                json!({"slicing": {"discriminator": [{"type": "profile", "path": "resource"}],
                                   "rules": "open"}}),
            ),
            element("Bundle.entry:child", 1, "*", json!({})),
            element(
                "Bundle.entry:child.resource",
                1,
                "1",
                json!({"type": [{"code": "Patient", "profile": [
                    "http://fhir.zorgplankindgezin.nl/StructureDefinition/kind-patient"]}]}),
            ),
        ],
    );
    let mut resources = Conformance::standard_resources();
    resources.extend([by_type, by_exists, by_profile]);
    Validator::with(Box::leak(Box::new(Conformance::load(resources))))
}

fn errors(validator: &Validator, resource: &Value, profile: &str) -> Vec<Issue> {
    validator
        .validate_with(resource, Some(profile))
        .unwrap()
        .into_iter()
        .filter(|i| has_errors(std::slice::from_ref(i)))
        .collect()
}

fn patient() -> Value {
    json!({"resourceType": "Patient", "gender": "female"})
}

fn kind() -> Value {
    json!({"resourceType": "Patient",
        "meta": {"profile": ["http://fhir.zorgplankindgezin.nl/StructureDefinition/kind-patient"]},
        "identifier": [{"system": "http://fhir.nl/fhir/NamingSystem/bsn", "value": "999911120"}],
        "name": [{"family": "Jansen"}], "gender": "female", "birthDate": "2015-03-01"})
}

fn observation() -> Value {
    json!({"resourceType": "Observation", "status": "final", "code": {"text": "x"}})
}

fn bundle(resources: &[Value]) -> Value {
    json!({"resourceType": "Bundle", "type": "collection",
           "entry": resources.iter().enumerate()
               .map(|(i, r)| json!({"fullUrl": format!("urn:uuid:0000000{i}"), "resource": r}))
               .collect::<Vec<_>>()})
}

#[test]
fn type_discriminator_and_open_at_end() {
    let v = validator();
    let url = "http://example.org/bundle-by-type";
    assert_eq!(errors(&v, &bundle(&[patient(), observation()]), url), []);
    let late = errors(&v, &bundle(&[observation(), patient()]), url);
    assert_eq!(late.len(), 2, "{late:?}");
    assert!(late[0].diagnostics.contains("open at the end"), "{late:?}");
    assert!(late[1].diagnostics.contains("slice 'patient'"), "{late:?}");
    let none = errors(&v, &bundle(&[observation()]), url);
    assert_eq!(none.len(), 1, "{none:?}");
    assert!(
        none[0].diagnostics.contains("minimum cardinality 1"),
        "{none:?}"
    );
}

#[test]
fn exists_discriminator() {
    let v = validator();
    let url = "http://example.org/observation-by-exists";
    let mut obs = observation();
    obs["component"] = json!([
        {"code": {"text": "a"}, "valueQuantity": {"value": 1}},
        {"code": {"text": "b"}, "dataAbsentReason": {"text": "not measured"}}
    ]);
    assert_eq!(errors(&v, &obs, url), []);
    obs["component"][1]["valueQuantity"] = json!({"value": 2});
    obs["component"][1]
        .as_object_mut()
        .unwrap()
        .remove("dataAbsentReason");
    let two = errors(&v, &obs, url);
    assert_eq!(two.len(), 1, "{two:?}");
    assert!(two[0].diagnostics.contains("slice 'measured'"), "{two:?}");
}

#[test]
fn profile_discriminator() {
    let v = validator();
    let url = "http://example.org/bundle-by-profile";
    assert_eq!(errors(&v, &bundle(&[kind(), observation()]), url), []);
    let plain = errors(&v, &bundle(&[patient(), observation()]), url);
    assert_eq!(plain.len(), 1, "{plain:?}");
    assert!(plain[0].diagnostics.contains("slice 'child'"), "{plain:?}");
}
