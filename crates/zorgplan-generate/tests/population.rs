//! A generated population is valid against the standard, referentially closed, reproducible
//! and of the promised sizes.

use serde_json::Value;
use std::collections::{HashMap, HashSet};
use zorgplan_fhir::references::local_references;
use zorgplan_fhir::Severity;
use zorgplan_generate::Population;
use zorgplan_validator::Validator;

fn key(resource: &Value) -> String {
    format!(
        "{}/{}",
        resource["resourceType"].as_str().unwrap(),
        resource["id"].as_str().unwrap()
    )
}

#[test]
fn every_resource_validates_and_every_reference_resolves() {
    let population = Population::new(12, 7);
    let mut all = population.shared();
    assert_eq!(all.len(), population.shared_count());
    let mut sizes = Vec::new();
    for child in 0..population.children {
        let family = population.family(child);
        sizes.push(family.len());
        all.extend(family);
    }
    let keys: HashSet<String> = all.iter().map(key).collect();
    assert_eq!(keys.len(), all.len(), "ids are unique");
    let validator = Validator::r4();
    for resource in &all {
        let errors: Vec<_> = validator
            .validate(resource)
            .into_iter()
            .filter(|i| matches!(i.severity, Severity::Error | Severity::Fatal))
            .collect();
        assert!(errors.is_empty(), "{}: {errors:?}", key(resource));
        for reference in local_references(resource) {
            let target = format!("{}/{}", reference.res_type, reference.id);
            assert!(
                keys.contains(&target),
                "{} refers to {target}",
                key(resource)
            );
        }
    }
    // 4–12 goals and interventions, 1–4 tasks, 4–16 measurements, ten single resources
    // and the plan: 24 to 55 resources per family.
    assert!(sizes.iter().all(|s| (24..=55).contains(s)), "{sizes:?}");
    let mean = sizes.iter().sum::<usize>() as f64 / sizes.len() as f64;
    assert!((30.0..=48.0).contains(&mean), "{mean}");

    let by_type = |t: &str| all.iter().filter(|r| r["resourceType"] == t).count();
    assert_eq!(by_type("CarePlan"), 12);
    assert_eq!(by_type("Patient"), 12);
    assert_eq!(by_type("PractitionerRole"), population.roles());

    // Citizen service numbers are distinct.
    let mut bsns = HashMap::new();
    for resource in &all {
        for identifier in resource["identifier"].as_array().into_iter().flatten() {
            if identifier["system"] == "http://fhir.nl/fhir/NamingSystem/bsn" {
                let value = identifier["value"].as_str().unwrap().to_owned();
                assert!(zorgplan_fhir::nl::is_valid_bsn(&value), "{value}");
                assert!(bsns.insert(value, key(resource)).is_none());
            }
        }
    }
    assert!(bsns.len() >= 12 * 4, "{}", bsns.len());
}

#[test]
fn the_same_seed_gives_the_same_data() {
    let a = Population::new(50, 1);
    let b = Population::new(50, 1);
    let c = Population::new(50, 2);
    assert_eq!(a.family(17), b.family(17));
    assert_ne!(a.family(17), c.family(17));
    assert_eq!(a.shared(), b.shared());
    // Every care network has 5 to 15 members.
    for child in 0..50 {
        let family = a.family(child);
        let team = family
            .iter()
            .find(|r| r["resourceType"] == "CareTeam")
            .unwrap();
        let members = team["participant"].as_array().unwrap().len();
        assert!((5..=15).contains(&members), "{members}");
    }
}
