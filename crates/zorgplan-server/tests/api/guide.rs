//! Every resource of the implementation guide (profiles/fsh-generated) — StructureDefinitions
//! with snapshots, ValueSets, CodeSystems, SearchParameters and the examples — is accepted by
//! the server and read back exactly as sent, apart from `meta.versionId`/`lastUpdated`.

use crate::common::{Backend, TestServer};
use serde_json::Value;
use std::path::Path;

fn guide_resources() -> Vec<Value> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../profiles/fsh-generated/resources");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|p| serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap())
        .collect()
}

fn without_version(mut resource: Value) -> Value {
    if let Some(meta) = resource.get_mut("meta").and_then(Value::as_object_mut) {
        meta.remove("versionId");
        meta.remove("lastUpdated");
        if meta.is_empty() {
            resource.as_object_mut().unwrap().remove("meta");
        }
    }
    resource
}

async fn every_guide_resource_round_trips(backend: Backend) {
    // The guide's examples refer to each other in cycles (a plan and the tasks based on
    // it); stored one by one, such a graph can only load with reference checks off.
    let server = TestServer::start_configured(backend, crate::common::development(), |store| {
        store.enforce_references = false
    })
    .await;
    let resources = guide_resources();
    assert!(
        resources.len() >= 50,
        "the guide has {} resources",
        resources.len()
    );
    for resource in &resources {
        let path = format!(
            "{}/{}",
            resource["resourceType"].as_str().unwrap(),
            resource["id"].as_str().unwrap()
        );
        let resp = server.put(&path, resource).await;
        assert_eq!(resp.status, 201, "{path}: {}", resp.body);
        let read = server.get(&path).await.json();
        assert_eq!(
            without_version(read),
            *resource,
            "{path} changed on the way"
        );
    }
}

/// Every file of fixtures/invalid is refused with 422 and the issue written next to it (or,
/// for the standard's warnings, reported by $validate); nothing is stored.
async fn the_invalid_set_is_refused(backend: Backend) {
    let server = TestServer::start(backend).await;
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/invalid");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.to_string_lossy();
            name.ends_with(".json") && !name.ends_with(".expected.json")
        })
        .collect();
    files.sort();
    let mut checked = 0;
    for file in files {
        let expected: Value = serde_json::from_str(
            &std::fs::read_to_string(file.with_extension("expected.json")).unwrap(),
        )
        .unwrap();
        let mut resource: Value =
            serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        resource.as_object_mut().unwrap().remove("id");
        let res_type = resource["resourceType"].as_str().unwrap().to_owned();
        let severity = expected["severity"].as_str().unwrap();
        // An error refuses the write; a warning (the standard's advice) does not, and is
        // what $validate reports.
        let outcome = if severity == "error" {
            server.post(&res_type, &resource).await.outcome(422)
        } else {
            server
                .post(&format!("{res_type}/$validate"), &resource)
                .await
                .outcome(200)
        };
        let code = expected["code"].as_str().unwrap();
        let rule = expected["rule"].as_str().unwrap();
        assert!(
            outcome["issue"].as_array().unwrap().iter().any(|i| {
                i["code"] == code
                    && i["severity"] == severity
                    && (code != "invariant"
                        || i["diagnostics"]
                            .as_str()
                            .is_some_and(|d| d.contains(&format!("{rule}:"))))
            }),
            "{}: no {severity} '{code}' issue in {outcome}",
            file.display()
        );
        checked += 1;
    }
    assert_eq!(checked, 40, "every invalid fixture is checked");
    let history = server.get("_history").await.json();
    assert!(history.get("entry").is_none(), "something was stored");
}

crate::backend_tests!(every_guide_resource_round_trips, the_invalid_set_is_refused);
