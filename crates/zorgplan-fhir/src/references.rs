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
    each(value, path, &mut |expression, reference| {
        if let Some((res_type, id, version)) = parse_local(reference) {
            found.push(LocalReference {
                expression: expression.to_owned(),
                res_type: res_type.to_owned(),
                id: id.to_owned(),
                version: version.map(str::to_owned),
            });
        }
    });
}

/// Calls `visit` with the FHIRPath of every `reference` element in `value` (whose own path is
/// `path`) and its text: nested elements, extensions (also a primitive's, under `_name`) and
/// contained resources included.
pub fn each(value: &Value, path: &mut String, visit: &mut impl FnMut(&str, &str)) {
    match value {
        Value::Object(object) => {
            if let Some(Value::String(reference)) = object.get("reference") {
                visit(&format!("{path}.reference"), reference);
            }
            for (key, child) in object {
                if !matches!(child, Value::Object(_) | Value::Array(_)) {
                    continue;
                }
                let len = path.len();
                path.push('.');
                // A primitive's extensions (`_birthDate`) are the element's (`birthDate`).
                path.push_str(key.strip_prefix('_').unwrap_or(key));
                each(child, path, visit);
                path.truncate(len);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                each(item, path, visit);
                path.truncate(len);
            }
        }
        _ => {}
    }
}

/// Replaces every `reference` in `value` (whose own path is `path`) that `rewrite` maps to
/// another text, anywhere as [`each`] finds them. Stops at the first one `rewrite` refuses,
/// with the FHIRPath of that element and the reason.
pub fn rewrite(
    value: &mut Value,
    path: &mut String,
    rewrite_one: &mut impl FnMut(&str) -> Result<Option<String>, String>,
) -> Result<(), (String, String)> {
    match value {
        Value::Object(object) => {
            if let Some(Value::String(reference)) = object.get_mut("reference") {
                match rewrite_one(reference) {
                    Ok(Some(new)) => *reference = new,
                    Ok(None) => {}
                    Err(problem) => return Err((format!("{path}.reference"), problem)),
                }
            }
            for (key, child) in object.iter_mut() {
                if !matches!(child, Value::Object(_) | Value::Array(_)) {
                    continue;
                }
                let len = path.len();
                path.push('.');
                path.push_str(key.strip_prefix('_').unwrap_or(key));
                rewrite(child, path, rewrite_one)?;
                path.truncate(len);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                rewrite(item, path, rewrite_one)?;
                path.truncate(len);
            }
        }
        _ => {}
    }
    Ok(())
}

/// Whether `reference` is a conditional reference (`Type?query`), which only a transaction
/// resolves.
pub fn is_conditional(reference: &str) -> bool {
    reference
        .split_once('?')
        .is_some_and(|(res_type, _)| is_resource_type(res_type))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn conditional_references_name_a_type() {
        assert!(is_conditional("Patient?identifier=a|b"));
        assert!(!is_conditional("Patient/1"));
        assert!(!is_conditional("http://x/Patient?identifier=a"));
        assert!(!is_conditional("urn:uuid:1?x"));
    }

    #[test]
    fn rewrites_references_anywhere_and_names_a_refused_one() {
        let mut plan = json!({
            "resourceType": "CarePlan",
            "subject": {"reference": "urn:uuid:a"},
            "extension": [{"url": "x", "valueReference": {"reference": "urn:uuid:a"}}],
            "contained": [{"resourceType": "Goal", "subject": {"reference": "urn:uuid:a"}}],
            "_created": {"extension": [{"url": "y", "valueReference": {"reference": "urn:uuid:a"}}]},
            "goal": [{"reference": "urn:uuid:b"}]
        });
        let mut to_patient = |r: &str| Ok((r == "urn:uuid:a").then(|| "Patient/1".to_owned()));
        rewrite(&mut plan, &mut "CarePlan".to_owned(), &mut to_patient).unwrap();
        let mut seen = Vec::new();
        each(&plan, &mut "CarePlan".to_owned(), &mut |path, r| {
            seen.push(format!("{path}={r}"))
        });
        assert_eq!(
            seen,
            [
                "CarePlan.subject.reference=Patient/1",
                "CarePlan.extension[0].valueReference.reference=Patient/1",
                "CarePlan.contained[0].subject.reference=Patient/1",
                "CarePlan.created.extension[0].valueReference.reference=Patient/1",
                "CarePlan.goal[0].reference=urn:uuid:b",
            ]
        );
        let mut refuse = |r: &str| {
            if r.starts_with("urn:") {
                Err(format!("no {r}"))
            } else {
                Ok(None)
            }
        };
        let refused = rewrite(&mut plan, &mut "CarePlan".to_owned(), &mut refuse).unwrap_err();
        assert_eq!(
            refused,
            (
                "CarePlan.goal[0].reference".to_owned(),
                "no urn:uuid:b".to_owned()
            )
        );
    }

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
