//! The repository's fixtures (`fixtures/`) hold together: scenario steps are well-formed FHIR
//! transaction Bundles that are referentially closed, BSNs pass the 11-proef, every profile a
//! resource claims is one the implementation guide defines, and every file of the invalid set
//! says which issue it must raise. (Whether they conform to those profiles is the validator's
//! test.)

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use zorgplan_fhir::json::{parse_resource, Limits};
use zorgplan_fhir::nl;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn read(path: &Path) -> Value {
    let bytes = fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    parse_resource(&bytes, None, Limits::default())
        .unwrap_or_else(|e| panic!("{}: not a well-formed FHIR resource: {e}", path.display()))
}

fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
}

/// The canonical URLs of the StructureDefinitions the guide compiles to.
fn guide_profiles() -> BTreeSet<String> {
    json_files(&repo().join("profiles/fsh-generated/resources"))
        .iter()
        .map(|p| read(p))
        .filter(|r| r["resourceType"] == "StructureDefinition")
        .filter_map(|r| r["url"].as_str().map(str::to_owned))
        .collect()
}

/// Every string under a key `reference`, with its path.
fn references(value: &Value, path: &str, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                let child_path = format!("{path}.{key}");
                match (key.as_str(), child) {
                    ("reference", Value::String(r)) => out.push((child_path, r.clone())),
                    _ => references(child, &child_path, out),
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                references(item, &format!("{path}[{i}]"), out);
            }
        }
        _ => {}
    }
}

/// Every Identifier (an object with `system` and `value`) in a resource.
fn identifiers(value: &Value, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            if let (Some(Value::String(s)), Some(Value::String(v))) =
                (map.get("system"), map.get("value"))
            {
                out.push((s.clone(), v.clone()));
            }
            map.values().for_each(|child| identifiers(child, out));
        }
        Value::Array(items) => items.iter().for_each(|item| identifiers(item, out)),
        _ => {}
    }
}

fn check_profiles(resource: &Value, profiles: &BTreeSet<String>, at: &str) {
    for profile in resource["meta"]["profile"].as_array().into_iter().flatten() {
        let profile = profile.as_str().unwrap();
        if profile.starts_with("http://fhir.zorgplankindgezin.nl/") {
            assert!(
                profiles.contains(profile),
                "{at}: unknown profile {profile}"
            );
        }
    }
}

#[test]
fn scenarios_are_closed_transactions_with_valid_identifiers() {
    let profiles = guide_profiles();
    let fixtures = repo().join("fixtures");
    let scenarios: Vec<PathBuf> = fs::read_dir(&fixtures)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir() && p.file_name().unwrap().to_string_lossy().starts_with('S'))
        .collect();
    for required in ["S1", "S2", "S3", "S4", "S5", "S6", "S7", "S8", "S9", "S10"] {
        assert!(
            scenarios.iter().any(|p| p.ends_with(required)),
            "fixtures/{required} is missing"
        );
    }
    for scenario in scenarios {
        // Identifiers of the resources created so far, by resource type.
        let mut known: BTreeMap<String, BTreeSet<(String, String)>> = BTreeMap::new();
        let steps = json_files(&scenario);
        assert!(!steps.is_empty(), "{}: no steps", scenario.display());
        for step in steps {
            let at = step.strip_prefix(repo()).unwrap().display().to_string();
            let bundle = read(&step);
            assert_eq!(bundle["resourceType"], "Bundle", "{at}");
            assert_eq!(bundle["type"], "transaction", "{at}");
            let entries = bundle["entry"]
                .as_array()
                .unwrap_or_else(|| panic!("{at}: no entries"));
            let full_urls: BTreeSet<&str> = entries
                .iter()
                .filter_map(|e| e["fullUrl"].as_str())
                .collect();
            assert_eq!(
                full_urls.len(),
                entries.len(),
                "{at}: fullUrls must be present and unique"
            );
            for (i, entry) in entries.iter().enumerate() {
                let resource = &entry["resource"];
                let res_type = resource["resourceType"].as_str().unwrap().to_owned();
                let at = format!("{at} entry[{i}] ({res_type})");
                let method = entry["request"]["method"].as_str().unwrap_or_default();
                assert!(
                    ["POST", "PUT"].contains(&method),
                    "{at}: request.method {method}"
                );
                assert!(entry["request"]["url"].is_string(), "{at}: request.url");
                if method == "POST" {
                    assert!(
                        entry["request"]["ifNoneExist"].is_string(),
                        "{at}: POST without ifNoneExist"
                    );
                }
                check_profiles(resource, &profiles, &at);
                let mut ids = Vec::new();
                identifiers(resource, &mut ids);
                for (system, value) in &ids {
                    if system == nl::BSN {
                        assert!(
                            nl::is_valid_bsn(value),
                            "{at}: BSN {value} fails the 11-proef"
                        );
                    }
                }
                // `identifier` repeats on most types and is single on some (Composition, …).
                let own = match &resource["identifier"] {
                    Value::Array(ids) => ids.clone(),
                    Value::Object(_) => vec![resource["identifier"].clone()],
                    _ => Vec::new(),
                };
                assert!(!own.is_empty(), "{at}: no business identifier");
                known
                    .entry(res_type)
                    .or_default()
                    .extend(own.iter().filter_map(|id| {
                        Some((
                            id["system"].as_str()?.to_owned(),
                            id["value"].as_str()?.to_owned(),
                        ))
                    }));
            }
            for (i, entry) in entries.iter().enumerate() {
                let mut refs = Vec::new();
                references(&entry["resource"], "", &mut refs);
                for (path, reference) in refs {
                    let at = format!("{at} entry[{i}]{path}");
                    if reference.starts_with("urn:uuid:") {
                        assert!(
                            full_urls.contains(reference.as_str()),
                            "{at}: {reference} is not in the bundle"
                        );
                    } else if let Some((res_type, query)) = reference.split_once("?identifier=") {
                        let (system, value) = query
                            .split_once('|')
                            .unwrap_or_else(|| panic!("{at}: {reference}"));
                        assert!(
                            known.get(res_type).is_some_and(
                                |ids| ids.contains(&(system.to_owned(), value.to_owned()))
                            ),
                            "{at}: {reference} matches no {res_type} of this or an earlier step"
                        );
                    } else {
                        assert!(
                            reference.starts_with('#'),
                            "{at}: {reference} is neither local nor conditional"
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn every_invalid_fixture_names_the_issue_it_must_raise() {
    let profiles = guide_profiles();
    let dir = repo().join("fixtures/invalid");
    let files: Vec<PathBuf> = json_files(&dir)
        .into_iter()
        .filter(|p| !p.to_string_lossy().ends_with(".expected.json"))
        .collect();
    assert!(
        files.len() >= 10,
        "fixtures/invalid holds only {} files",
        files.len()
    );
    let mut rules = BTreeSet::new();
    for file in files {
        let at = file.strip_prefix(repo()).unwrap().display().to_string();
        let resource = read(&file);
        let expected_path = file.with_extension("expected.json");
        let expected: Value = serde_json::from_slice(
            &fs::read(&expected_path)
                .unwrap_or_else(|_| panic!("{at}: no {}", expected_path.display())),
        )
        .unwrap();
        for key in [
            "profile",
            "severity",
            "code",
            "rule",
            "expression",
            "description",
        ] {
            assert!(
                expected[key].as_str().is_some_and(|v| !v.is_empty()),
                "{at}: expected.{key}"
            );
        }
        assert!(
            ["error", "warning"].contains(&expected["severity"].as_str().unwrap()),
            "{at}"
        );
        let profile = expected["profile"].as_str().unwrap();
        assert!(
            profiles.contains(profile),
            "{at}: unknown profile {profile}"
        );
        check_profiles(&resource, &profiles, &at);
        rules.insert(expected["rule"].as_str().unwrap().to_owned());
    }
    for invariant in ["zkg-1", "zkg-2", "zkg-3", "zkg-4", "zkg-5"] {
        assert!(
            rules.contains(invariant),
            "no invalid fixture breaks {invariant}"
        );
    }
}
