//! The literal references of a resource that point into this server.
//!
//! A reference `Type/id` (or `Type/id/_history/vid`) names a resource on the server that
//! stores the resource; a write must not leave such a reference dangling. References to
//! contained resources (`#id`), within a Bundle (`urn:uuid:…`), to other servers (absolute
//! URLs) and conditional references (`Type?criteria`, which only transactions resolve) are not
//! literal references into this server. The references of a Bundle's entries belong to that
//! Bundle (a stored document or collection resolves them among its own entries), so a
//! Bundle has none here.

use crate::id::is_valid_id;
use crate::r4::is_resource_type;
use serde_json::Value;

/// A literal reference into this server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalReference {
    /// The FHIRPath of the `reference` element, e.g. `CarePlan.careTeam[0].reference`.
    pub expression: String,
    pub res_type: String,
    pub id: String,
    /// The version of a versioned reference (`…/_history/vid`).
    pub version: Option<String>,
}

/// Parses `Type/id` or `Type/id/_history/vid` with a known R4 type and valid ids.
pub fn parse_local(reference: &str) -> Option<(&str, &str, Option<&str>)> {
    let mut parts = reference.split('/');
    let res_type = parts.next()?;
    let id = parts.next()?;
    let version = match (parts.next(), parts.next(), parts.next()) {
        (None, _, _) => None,
        (Some("_history"), Some(version), None) if is_valid_id(version) => Some(version),
        _ => return None,
    };
    (is_resource_type(res_type) && is_valid_id(id)).then_some((res_type, id, version))
}

/// Every literal reference of `resource` into this server, contained resources included.
pub fn local_references(resource: &Value) -> Vec<LocalReference> {
    let mut found = Vec::new();
    let Some(root) = resource.get("resourceType").and_then(Value::as_str) else {
        return found;
    };
    if root != "Bundle" {
        walk(resource, &mut root.to_owned(), &mut found);
    }
    found
}

fn walk(value: &Value, path: &mut String, found: &mut Vec<LocalReference>) {
    match value {
        Value::Object(object) => {
            if let Some(Value::String(reference)) = object.get("reference") {
                if let Some((res_type, id, version)) = parse_local(reference) {
                    found.push(LocalReference {
                        expression: format!("{path}.reference"),
                        res_type: res_type.to_owned(),
                        id: id.to_owned(),
                        version: version.map(str::to_owned),
                    });
                }
            }
            for (key, child) in object {
                if key.starts_with('_')
                    || matches!(
                        child,
                        Value::String(_) | Value::Number(_) | Value::Bool(_) | Value::Null
                    )
                {
                    continue;
                }
                let len = path.len();
                path.push('.');
                path.push_str(key);
                walk(child, path, found);
                path.truncate(len);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                walk(item, path, found);
                path.truncate(len);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn finds_the_references_into_this_server() {
        let plan = json!({
            "resourceType": "CarePlan",
            "subject": {"reference": "Patient/kind"},
            "careTeam": [{"reference": "#team"}, {"reference": "CareTeam/netwerk/_history/2"}],
            "author": {"reference": "https://other.example/fhir/Practitioner/1"},
            "goal": [{"reference": "Goal?identifier=x|1"}, {"reference": "urn:uuid:0b1c"}],
            "contained": [{"resourceType": "CareTeam", "id": "team",
                           "participant": [{"member": {"reference": "Practitioner/arts"}}]}],
            "activity": [{"reference": {"reference": "Foo/1"}}, {"reference": {"reference": "Task/a b"}}]
        });
        let found: Vec<(String, String, String, Option<String>)> = local_references(&plan)
            .into_iter()
            .map(|r| (r.expression, r.res_type, r.id, r.version))
            .collect();
        assert_eq!(
            found,
            [
                (
                    "CarePlan.subject.reference".into(),
                    "Patient".into(),
                    "kind".into(),
                    None
                ),
                (
                    "CarePlan.careTeam[1].reference".into(),
                    "CareTeam".into(),
                    "netwerk".into(),
                    Some("2".into())
                ),
                (
                    "CarePlan.contained[0].participant[0].member.reference".into(),
                    "Practitioner".into(),
                    "arts".into(),
                    None
                ),
            ]
        );
        let bundle = json!({"resourceType": "Bundle", "type": "collection",
            "entry": [{"resource": {"resourceType": "Observation", "subject": {"reference": "Patient/1"}}}]});
        assert!(local_references(&bundle).is_empty());
    }
}
