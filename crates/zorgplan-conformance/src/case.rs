//! A conformance case: one JSON file, so that partners add cases without writing Rust.
//!
//! ```json
//! {
//!   "description": "What the case proves",
//!   "requires": [{"type": "Patient", "interaction": "update"}, {"system": "transaction"},
//!                {"searchParam": "Goal.category"}, {"operation": "validate"}],
//!   "steps": [{
//!     "name": "create",
//!     "request": {"method": "PUT", "url": "Patient/conf-${run}",
//!                 "headers": {"If-Match": "W/\"1\""}, "body": {"resourceType": "Patient"}},
//!     "expect": {"status": [200, 201], "headers": {"ETag": "W/\"1\"", "Location": "*"},
//!                "assert": ["Patient.id = 'conf-${run}'"],
//!                "issue": {"severity": "error", "code": "invariant", "expression": "Goal"}},
//!     "capture": {"version": "meta.versionId", "where": "header:Location"}
//!   }]
//! }
//! ```
//!
//! - `requires`: what the server must claim in its CapabilityStatement for the case to apply;
//!   a case whose requirements it does not claim is skipped.
//! - `request.body` is the JSON to send; `request.bodyFile` a file to send instead, relative
//!   to the case's own file.
//! - `${name}` in a URL, a header or a body is a value captured by an earlier step; `${run}`
//!   is unique to each run of the suite, so that cases do not meet data of earlier runs.
//! - `expect.status`: one status or a list of those accepted; `expect.headers`: a header's
//!   exact value, or `*` for any; `expect.assert`: FHIRPath expressions on the response body
//!   that must each be `true`; `expect.issue`: an issue the response's OperationOutcome must
//!   have (its `expression` the given path or one below it; `diagnostics`, when given, a
//!   text its diagnostics contain).
//! - `capture`: FHIRPath expressions on the response body (or `header:Name`) whose first value
//!   later steps use as `${name}`.
//! - `roles`: the callers a case needs, each with who its token must stand for
//!   (`{"ouder": "the PGO of Mila's mother: fhirUser her RelatedPerson, patient Mila"}`); a
//!   step sends the token of one with `"as": "ouder"`, no token at all with
//!   `"anonymous": true`, and the runner's own token otherwise. A case whose roles the runner
//!   has no tokens for is skipped.

use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One case, read from its file.
#[derive(Debug, Clone)]
pub struct Case {
    /// Its path below the cases folder, without `.json` (`rest/read-vread-history`).
    pub name: String,
    /// The folder of its file (for `bodyFile`).
    pub dir: PathBuf,
    pub spec: Spec,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub requires: Vec<Requirement>,
    /// The roles whose tokens the steps send: name → who the token must stand for.
    #[serde(default)]
    pub roles: BTreeMap<String, String>,
    pub steps: Vec<Step>,
}

/// Something the server must claim in its CapabilityStatement.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged, deny_unknown_fields)]
pub enum Requirement {
    /// An interaction on a resource type (`read`, `vread`, `update`, `create`, …).
    Interaction {
        #[serde(rename = "type")]
        resource_type: String,
        interaction: String,
    },
    /// A whole-system interaction (`transaction`, `batch`, `history-system`, …).
    System { system: String },
    /// A search parameter of a type, as `Type.name`.
    SearchParam {
        #[serde(rename = "searchParam")]
        search_param: String,
    },
    /// An operation by name (`validate`, `everything`), on the server or any type.
    Operation { operation: String },
    /// A security service (`rest.security.service` code, as `SMART-on-FHIR`).
    Security { security: String },
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    #[serde(default)]
    pub name: String,
    /// The role whose token this step sends (one of the case's `roles`).
    #[serde(rename = "as")]
    pub role: Option<String>,
    /// Send no token at all.
    #[serde(default)]
    pub anonymous: bool,
    pub request: Request,
    #[serde(default)]
    pub expect: Expect,
    #[serde(default)]
    pub capture: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Request {
    pub method: String,
    /// Relative to the base URL (or absolute).
    pub url: String,
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    pub body: Option<Value>,
    #[serde(rename = "bodyFile")]
    pub body_file: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    pub status: Option<Statuses>,
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    #[serde(default)]
    pub assert: Vec<String>,
    pub issue: Option<Issue>,
}

/// One accepted status, or several.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Statuses {
    One(u16),
    Any(Vec<u16>),
}

impl Statuses {
    pub fn accepts(&self, status: u16) -> bool {
        match self {
            Statuses::One(s) => *s == status,
            Statuses::Any(list) => list.contains(&status),
        }
    }
}

impl std::fmt::Display for Statuses {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Statuses::One(s) => write!(f, "{s}"),
            Statuses::Any(list) => {
                let all: Vec<String> = list.iter().map(u16::to_string).collect();
                write!(f, "one of {}", all.join(", "))
            }
        }
    }
}

/// An issue an OperationOutcome must have.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Issue {
    pub severity: Option<String>,
    pub code: Option<String>,
    pub expression: Option<String>,
    pub diagnostics: Option<String>,
}

impl Case {
    /// Reads one case file; `root` is the cases folder its name is relative to.
    pub fn read(root: &Path, file: &Path) -> Result<Case, String> {
        let text = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
        let spec: Spec =
            serde_json::from_str(&text).map_err(|e| format!("{}: {e}", file.display()))?;
        for step in &spec.steps {
            let wrong = if step.request.body.is_some() && step.request.body_file.is_some() {
                Some("has both body and bodyFile".to_owned())
            } else if step.anonymous && step.role.is_some() {
                Some("is both anonymous and as a role".to_owned())
            } else {
                step.role
                    .as_ref()
                    .filter(|role| !spec.roles.contains_key(*role))
                    .map(|role| format!("is as '{role}', which the case's roles do not name"))
            };
            if let Some(wrong) = wrong {
                return Err(format!("{}: step '{}' {wrong}", file.display(), step.name));
            }
        }
        let relative = file.strip_prefix(root).unwrap_or(file);
        let name = relative
            .with_extension("")
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/");
        Ok(Case {
            name,
            dir: file.parent().map(Path::to_owned).unwrap_or_default(),
            spec,
        })
    }

    /// Every case below `root` (`*.json`, in folders to any depth), sorted by name.
    pub fn all_in(root: &Path) -> Result<Vec<Case>, String> {
        let mut files = Vec::new();
        collect(root, &mut files)?;
        files.sort();
        files.iter().map(|file| Case::read(root, file)).collect()
    }
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) -> Result<(), String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for entry in entries {
        let path = entry.map_err(|e| format!("{}: {e}", dir.display()))?.path();
        if path.is_dir() {
            collect(&path, files)?;
        } else if path.extension().is_some_and(|x| x == "json") {
            files.push(path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_case_with_an_unknown_field_is_refused() {
        let bad = r#"{"steps": [{"request": {"method": "GET", "url": "metadata"},
                                  "expect": {"stauts": 200}}]}"#;
        let error = serde_json::from_str::<Spec>(bad).unwrap_err().to_string();
        assert!(error.contains("stauts"), "{error}");
    }

    #[test]
    fn requirements_read_as_their_kind() {
        let spec: Spec = serde_json::from_str(
            r#"{"requires": [{"type": "Goal", "interaction": "read"}, {"system": "batch"},
                             {"searchParam": "Goal.category"}, {"operation": "validate"}],
                "steps": []}"#,
        )
        .unwrap();
        assert!(matches!(spec.requires[0], Requirement::Interaction { .. }));
        assert!(matches!(spec.requires[1], Requirement::System { .. }));
        assert!(matches!(spec.requires[2], Requirement::SearchParam { .. }));
        assert!(matches!(spec.requires[3], Requirement::Operation { .. }));
        let spec: Spec =
            serde_json::from_str(r#"{"requires": [{"security": "SMART-on-FHIR"}], "steps": []}"#)
                .unwrap();
        assert!(matches!(spec.requires[0], Requirement::Security { .. }));
    }

    #[test]
    fn a_step_names_a_role_of_its_case() {
        let dir = std::env::temp_dir().join(format!("zorgplan-case-roles-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("case.json");
        let write = |text: &str| std::fs::write(&file, text).unwrap();
        write(
            r#"{"roles": {"ouder": "a parent"},
                "steps": [{"name": "read", "as": "ouder",
                           "request": {"method": "GET", "url": "metadata"}}]}"#,
        );
        let case = Case::read(&dir, &file).unwrap();
        assert_eq!(case.spec.steps[0].role.as_deref(), Some("ouder"));
        write(
            r#"{"roles": {"ouder": "a parent"},
                "steps": [{"name": "read", "as": "oudr",
                           "request": {"method": "GET", "url": "metadata"}}]}"#,
        );
        let error = Case::read(&dir, &file).unwrap_err();
        assert!(error.contains("'oudr'"), "{error}");
        write(
            r#"{"roles": {"ouder": "a parent"},
                "steps": [{"name": "read", "as": "ouder", "anonymous": true,
                           "request": {"method": "GET", "url": "metadata"}}]}"#,
        );
        let error = Case::read(&dir, &file).unwrap_err();
        assert!(error.contains("anonymous"), "{error}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
