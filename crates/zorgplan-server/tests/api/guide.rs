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
    let server = TestServer::start(backend).await;
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

crate::backend_tests!(every_guide_resource_round_trips);
