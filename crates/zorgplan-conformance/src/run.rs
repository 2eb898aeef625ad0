//! Runs cases against a FHIR server's base URL.

use crate::case::{Case, Issue, Requirement, Step};
use serde_json::Value;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};
use zorgplan_fhirpath::{Context, Expr};

/// What became of one case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Passed,
    /// Which step failed, and why.
    Failed(String),
    /// Which requirement the server does not claim.
    Skipped(String),
}

#[derive(Debug, Clone)]
pub struct Outcome {
    pub name: String,
    pub description: String,
    pub verdict: Verdict,
    pub duration: Duration,
}

/// A server under test: its base URL, the token to send, and its CapabilityStatement.
pub struct Runner {
    client: reqwest::blocking::Client,
    base: String,
    token: Option<String>,
    /// The tokens of the roles cases name (`as`).
    tokens: BTreeMap<String, String>,
    capabilities: Value,
    /// Unique to this run (`${run}` in cases).
    run: String,
}

/// A response as the checks see it.
struct Response {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: Value,
    text: String,
}

impl Runner {
    /// Connects to the server at `base` and reads its CapabilityStatement (`GET metadata`).
    pub fn new(base: &str, token: Option<String>, timeout: Duration) -> Result<Runner, String> {
        let client = reqwest::blocking::Client::builder()
            .timeout(timeout)
            .build()
            .map_err(|e| format!("the HTTP client: {e}"))?;
        let base = base.trim_end_matches('/').to_owned();
        let mut request = client
            .get(format!("{base}/metadata"))
            .header("Accept", "application/fhir+json");
        if let Some(token) = &token {
            request = request.bearer_auth(token);
        }
        let response = request
            .send()
            .map_err(|e| format!("{base}/metadata: {e}"))?;
        if !response.status().is_success() {
            return Err(format!(
                "{base}/metadata answered {}: not a FHIR server?",
                response.status()
            ));
        }
        let text = response
            .text()
            .map_err(|e| format!("{base}/metadata: {e}"))?;
        let capabilities: Value =
            serde_json::from_str(&text).map_err(|e| format!("{base}/metadata: not JSON: {e}"))?;
        if capabilities["resourceType"] != "CapabilityStatement" {
            return Err(format!("{base}/metadata is not a CapabilityStatement"));
        }
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        Ok(Runner {
            client,
            base,
            token,
            tokens: BTreeMap::new(),
            capabilities,
            run: format!("{:x}", nanos & 0xffff_ffff_ffff),
        })
    }

    /// The tokens of the roles that cases name (role → bearer token).
    pub fn with_tokens(self, tokens: BTreeMap<String, String>) -> Runner {
        Runner { tokens, ..self }
    }

    /// Runs one case: skipped when the server does not claim what it requires or the runner
    /// has no token for a role it names, else its steps in order until one fails.
    pub fn run(&self, case: &Case) -> Outcome {
        let started = Instant::now();
        let unclaimed = case.spec.requires.iter().find(|r| !self.claims(r));
        let tokenless = case
            .spec
            .roles
            .iter()
            .find(|(role, _)| !self.tokens.contains_key(*role));
        let verdict = match (unclaimed, tokenless) {
            (Some(missing), _) => Verdict::Skipped(format!("not claimed: {}", describe(missing))),
            (None, Some((role, who))) => {
                Verdict::Skipped(format!("no token for the role '{role}' ({who})"))
            }
            (None, None) => self.steps(case),
        };
        Outcome {
            name: case.name.clone(),
            description: case.spec.description.clone(),
            verdict,
            duration: started.elapsed(),
        }
    }

    fn steps(&self, case: &Case) -> Verdict {
        let mut variables = BTreeMap::from([
            ("run".to_owned(), self.run.clone()),
            ("base".to_owned(), self.base.clone()),
        ]);
        for (n, step) in case.spec.steps.iter().enumerate() {
            let label = if step.name.is_empty() {
                format!("step {}", n + 1)
            } else {
                format!("step {} ({})", n + 1, step.name)
            };
            if let Err(why) = self.step(case, step, &mut variables) {
                return Verdict::Failed(format!("{label}: {why}"));
            }
        }
        Verdict::Passed
    }

    fn step(
        &self,
        case: &Case,
        step: &Step,
        variables: &mut BTreeMap<String, String>,
    ) -> Result<(), String> {
        let response = self.send(case, step, variables)?;
        let expect = &step.expect;
        if let Some(statuses) = &expect.status {
            if !statuses.accepts(response.status) {
                return Err(format!(
                    "status {} where {statuses} was expected: {}",
                    response.status,
                    excerpt(&response.text)
                ));
            }
        }
        for (name, wanted) in &expect.headers {
            let wanted = substitute(wanted, variables)?;
            let got = response.headers.get(name).and_then(|v| v.to_str().ok());
            match got {
                None => return Err(format!("no {name} header")),
                Some(got) if wanted != "*" && got != wanted => {
                    return Err(format!("{name} is {got:?}, not {wanted:?}"))
                }
                Some(_) => {}
            }
        }
        for assertion in &expect.assert {
            let assertion = substitute(assertion, variables)?;
            let expr = Expr::parse(&assertion).map_err(|e| format!("assert `{assertion}`: {e}"))?;
            match expr.evaluate_boolean(&Context::new(&response.body)) {
                Ok(Some(true)) => {}
                Ok(other) => {
                    return Err(format!(
                        "assert `{assertion}` is {} on {}",
                        other.map_or("empty".to_owned(), |b| b.to_string()),
                        excerpt(&response.text)
                    ))
                }
                Err(e) => return Err(format!("assert `{assertion}`: {e}")),
            }
        }
        if let Some(issue) = &expect.issue {
            if !has_issue(&response.body, issue) {
                return Err(format!(
                    "no issue like {issue:?} in {}",
                    excerpt(&response.text)
                ));
            }
        }
        for (name, source) in &step.capture {
            let value = match source.strip_prefix("header:") {
                Some(header) => response
                    .headers
                    .get(header)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned),
                None => {
                    let expr =
                        Expr::parse(source).map_err(|e| format!("capture `{source}`: {e}"))?;
                    let found = expr
                        .evaluate(&Context::new(&response.body))
                        .map_err(|e| format!("capture `{source}`: {e}"))?;
                    let first = found.first().map(ToString::to_string);
                    first
                }
            };
            let value = value.ok_or_else(|| format!("capture `{source}` found nothing"))?;
            variables.insert(name.clone(), value);
        }
        Ok(())
    }

    fn send(
        &self,
        case: &Case,
        step: &Step,
        variables: &BTreeMap<String, String>,
    ) -> Result<Response, String> {
        let request = &step.request;
        let url = substitute(&request.url, variables)?;
        let url = if url.starts_with("http://") || url.starts_with("https://") {
            url
        } else {
            format!("{}/{}", self.base, url.trim_start_matches('/'))
        };
        let method = reqwest::Method::from_bytes(request.method.as_bytes())
            .map_err(|_| format!("method {:?}", request.method))?;
        let body = match (&request.body, &request.body_file) {
            (Some(body), _) => Some(substitute(&body.to_string(), variables)?),
            (None, Some(file)) => {
                let path = case.dir.join(file);
                let text = std::fs::read_to_string(&path)
                    .map_err(|e| format!("{}: {e}", path.display()))?;
                Some(substitute(&text, variables)?)
            }
            (None, None) => None,
        };
        let given = |name: &str| request.headers.keys().any(|h| h.eq_ignore_ascii_case(name));
        let mut builder = self.client.request(method, &url);
        if !given("Accept") {
            builder = builder.header("Accept", "application/fhir+json");
        }
        let token = match (&step.role, step.anonymous) {
            (_, true) => None,
            (Some(role), false) => self.tokens.get(role),
            (None, false) => self.token.as_ref(),
        };
        if let Some(token) = token {
            builder = builder.bearer_auth(token);
        }
        if let Some(body) = body {
            if !given("Content-Type") {
                builder = builder.header("Content-Type", "application/fhir+json");
            }
            builder = builder.body(body);
        }
        for (name, value) in &request.headers {
            builder = builder.header(name, substitute(value, variables)?);
        }
        let response = builder.send().map_err(|e| format!("{url}: {e}"))?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().map_err(|e| format!("{url}: {e}"))?;
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Ok(Response {
            status,
            headers,
            body,
            text,
        })
    }

    /// Whether the CapabilityStatement claims `requirement`.
    pub fn claims(&self, requirement: &Requirement) -> bool {
        let mut rests = self.capabilities["rest"].as_array().into_iter().flatten();
        let Some(rest) = rests.find(|r| r["mode"] == "server") else {
            return false;
        };
        let resource = |t: &str| {
            rest["resource"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|r| r["type"] == t)
        };
        let named = |list: &Value, key: &str, wanted: &str| {
            list.as_array()
                .into_iter()
                .flatten()
                .any(|item| item[key].as_str() == Some(wanted))
        };
        match requirement {
            Requirement::Interaction {
                resource_type,
                interaction,
            } => resource(resource_type)
                .is_some_and(|r| named(&r["interaction"], "code", interaction)),
            Requirement::System { system } => named(&rest["interaction"], "code", system),
            Requirement::SearchParam { search_param } => {
                let (t, name) = search_param.split_once('.').unwrap_or(("", search_param));
                resource(t).is_some_and(|r| named(&r["searchParam"], "name", name))
            }
            Requirement::Operation { operation } => {
                named(&rest["operation"], "name", operation)
                    || rest["resource"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .any(|r| named(&r["operation"], "name", operation))
            }
            Requirement::Security { security } => rest["security"]["service"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|service| named(&service["coding"], "code", security)),
        }
    }
}

fn describe(requirement: &Requirement) -> String {
    match requirement {
        Requirement::Interaction {
            resource_type,
            interaction,
        } => format!("{interaction} of {resource_type}"),
        Requirement::System { system } => format!("the {system} interaction"),
        Requirement::SearchParam { search_param } => format!("the search parameter {search_param}"),
        Requirement::Operation { operation } => format!("the ${operation} operation"),
        Requirement::Security { security } => format!("the security service {security}"),
    }
}

/// `text` with every `${name}` replaced by its value; an unknown name is an error.
fn substitute(text: &str, variables: &BTreeMap<String, String>) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let Some(end) = rest[start..].find('}') else {
            return Err(format!("an unclosed ${{ in {text:?}"));
        };
        let name = &rest[start + 2..start + end];
        let value = variables
            .get(name)
            .ok_or_else(|| format!("${{{name}}} is not captured by an earlier step"))?;
        out.push_str(value);
        rest = &rest[start + end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Whether the OperationOutcome `body` has an issue like `wanted`.
fn has_issue(body: &Value, wanted: &Issue) -> bool {
    body["issue"].as_array().into_iter().flatten().any(|issue| {
        let field = |name: &str| issue[name].as_str();
        let same = |want: &Option<String>, got: Option<&str>| {
            want.as_deref().is_none_or(|w| got == Some(w))
        };
        let at = |path: &str| {
            ["expression", "location"].iter().any(|key| {
                issue[*key].as_array().into_iter().flatten().any(|e| {
                    e.as_str().is_some_and(|e| {
                        e == path
                            || e.strip_prefix(path)
                                .is_some_and(|r| r.starts_with('.') || r.starts_with('['))
                    })
                })
            })
        };
        same(&wanted.severity, field("severity"))
            && same(&wanted.code, field("code"))
            && wanted.expression.as_deref().is_none_or(at)
            && wanted
                .diagnostics
                .as_deref()
                .is_none_or(|d| field("diagnostics").is_some_and(|got| got.contains(d)))
    })
}

fn excerpt(text: &str) -> String {
    let short: String = text.chars().take(600).collect();
    if short.len() < text.len() {
        format!("{short}…")
    } else {
        short
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn substitution_fills_captured_values_and_refuses_unknown_ones() {
        let vars = BTreeMap::from([("id".to_owned(), "abc".to_owned())]);
        assert_eq!(
            substitute("Goal/${id}/_history", &vars).unwrap(),
            "Goal/abc/_history"
        );
        assert!(substitute("Goal/${nope}", &vars)
            .unwrap_err()
            .contains("nope"));
        assert_eq!(substitute("no variables", &vars).unwrap(), "no variables");
    }

    #[test]
    fn an_issue_matches_at_its_path_or_below() {
        let outcome = json!({"resourceType": "OperationOutcome", "issue": [
            {"severity": "error", "code": "invariant", "diagnostics": "zkg-1 failed",
             "expression": ["Goal.category[0]"]}]});
        let issue = |expression: &str, code: &str| Issue {
            severity: Some("error".into()),
            code: Some(code.into()),
            expression: Some(expression.into()),
            diagnostics: Some("zkg-1".into()),
        };
        assert!(has_issue(&outcome, &issue("Goal", "invariant")));
        assert!(has_issue(&outcome, &issue("Goal.category", "invariant")));
        assert!(!has_issue(&outcome, &issue("Goal.cat", "invariant")));
        assert!(!has_issue(&outcome, &issue("Goal", "required")));
    }
}
