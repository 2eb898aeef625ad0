//! Errors as OperationOutcomes.
//!
//! Every layer (JSON intake, store, REST API) reports failures as a [`FhirError`]: a kind that
//! decides the HTTP status and a list of issues that becomes the OperationOutcome. A rejected
//! request lists all issues found, each with severity, code, text and, where there is an
//! element to point at, a FHIRPath expression.

use serde_json::{json, Map, Value};
use std::fmt;

/// OperationOutcome.issue.severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Fatal,
    Error,
    Warning,
    Information,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Fatal => "fatal",
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Information => "information",
        }
    }
}

/// OperationOutcome.issue.code (the IssueType value set), the codes this server raises.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IssueType {
    Invalid,
    Structure,
    Required,
    Value,
    Invariant,
    Security,
    Forbidden,
    Processing,
    NotSupported,
    Duplicate,
    MultipleMatches,
    NotFound,
    Deleted,
    TooLong,
    TooCostly,
    CodeInvalid,
    BusinessRule,
    Conflict,
    Transient,
    Exception,
    Timeout,
    Informational,
}

impl IssueType {
    pub fn as_str(self) -> &'static str {
        match self {
            IssueType::Invalid => "invalid",
            IssueType::Structure => "structure",
            IssueType::Required => "required",
            IssueType::Value => "value",
            IssueType::Invariant => "invariant",
            IssueType::Security => "security",
            IssueType::Forbidden => "forbidden",
            IssueType::Processing => "processing",
            IssueType::NotSupported => "not-supported",
            IssueType::Duplicate => "duplicate",
            IssueType::MultipleMatches => "multiple-matches",
            IssueType::NotFound => "not-found",
            IssueType::Deleted => "deleted",
            IssueType::TooLong => "too-long",
            IssueType::TooCostly => "too-costly",
            IssueType::CodeInvalid => "code-invalid",
            IssueType::BusinessRule => "business-rule",
            IssueType::Conflict => "conflict",
            IssueType::Transient => "transient",
            IssueType::Exception => "exception",
            IssueType::Timeout => "timeout",
            IssueType::Informational => "informational",
        }
    }
}

/// One issue of an OperationOutcome.
#[derive(Debug, Clone, PartialEq)]
pub struct Issue {
    pub severity: Severity,
    pub code: IssueType,
    /// Human-readable text (OperationOutcome.issue.diagnostics).
    pub diagnostics: String,
    /// FHIRPath expressions of the elements concerned.
    pub expression: Vec<String>,
}

impl Issue {
    pub fn error(code: IssueType, diagnostics: impl Into<String>) -> Self {
        Issue {
            severity: Severity::Error,
            code,
            diagnostics: diagnostics.into(),
            expression: Vec::new(),
        }
    }

    pub fn information(diagnostics: impl Into<String>) -> Self {
        Issue {
            severity: Severity::Information,
            code: IssueType::Informational,
            diagnostics: diagnostics.into(),
            expression: Vec::new(),
        }
    }

    pub fn at(mut self, expression: impl Into<String>) -> Self {
        self.expression.push(expression.into());
        self
    }

    pub fn to_json(&self) -> Value {
        let mut issue = Map::new();
        issue.insert("severity".into(), self.severity.as_str().into());
        issue.insert("code".into(), self.code.as_str().into());
        issue.insert("diagnostics".into(), self.diagnostics.clone().into());
        if !self.expression.is_empty() {
            issue.insert("expression".into(), self.expression.clone().into());
        }
        Value::Object(issue)
    }
}

/// An OperationOutcome resource with these issues.
pub fn operation_outcome(issues: &[Issue]) -> Value {
    let issues: Vec<Value> = if issues.is_empty() {
        vec![Issue::information("All OK").to_json()]
    } else {
        issues.iter().map(Issue::to_json).collect()
    };
    json!({ "resourceType": "OperationOutcome", "issue": issues })
}

/// What went wrong, at the level of the FHIR RESTful API; decides the HTTP status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// 400: not parseable, not a resource, bad parameters.
    BadRequest,
    /// 401: no credentials, or credentials the server does not accept.
    Unauthorized,
    /// 403: the caller may not do this.
    Forbidden,
    /// 404: no such resource or resource type.
    NotFound,
    /// 405: the interaction is not allowed on this URL.
    MethodNotAllowed,
    /// 406: no representation the client accepts.
    NotAcceptable,
    /// 409: conflicts with the current state (e.g. a concurrent write).
    Conflict,
    /// 410: the resource was deleted.
    Gone,
    /// 412: a precondition (If-Match, conditional criteria) failed.
    PreconditionFailed,
    /// 413: the request is larger than the server accepts.
    PayloadTooLarge,
    /// 415: the body's media type is not one the server reads.
    UnsupportedMediaType,
    /// 422: a well-formed resource that breaks the rules of FHIR or of the standard.
    Unprocessable,
    /// 500: a fault of the server.
    Internal,
    /// 503: the server is too busy (e.g. the database could not be reached in time).
    Unavailable,
}

impl ErrorKind {
    pub fn http_status(self) -> u16 {
        match self {
            ErrorKind::BadRequest => 400,
            ErrorKind::Unauthorized => 401,
            ErrorKind::Forbidden => 403,
            ErrorKind::NotFound => 404,
            ErrorKind::MethodNotAllowed => 405,
            ErrorKind::NotAcceptable => 406,
            ErrorKind::Conflict => 409,
            ErrorKind::Gone => 410,
            ErrorKind::PreconditionFailed => 412,
            ErrorKind::PayloadTooLarge => 413,
            ErrorKind::UnsupportedMediaType => 415,
            ErrorKind::Unprocessable => 422,
            ErrorKind::Internal => 500,
            ErrorKind::Unavailable => 503,
        }
    }
}

/// A failed request: its kind and every issue found.
#[derive(Debug, Clone, PartialEq)]
pub struct FhirError {
    pub kind: ErrorKind,
    pub issues: Vec<Issue>,
}

impl FhirError {
    pub fn new(kind: ErrorKind, code: IssueType, diagnostics: impl Into<String>) -> Self {
        FhirError {
            kind,
            issues: vec![Issue::error(code, diagnostics)],
        }
    }

    pub fn with_issues(kind: ErrorKind, issues: Vec<Issue>) -> Self {
        debug_assert!(!issues.is_empty());
        FhirError { kind, issues }
    }

    pub fn bad_request(diagnostics: impl Into<String>) -> Self {
        Self::new(ErrorKind::BadRequest, IssueType::Invalid, diagnostics)
    }

    pub fn not_found(diagnostics: impl Into<String>) -> Self {
        Self::new(ErrorKind::NotFound, IssueType::NotFound, diagnostics)
    }

    pub fn precondition_failed(code: IssueType, diagnostics: impl Into<String>) -> Self {
        Self::new(ErrorKind::PreconditionFailed, code, diagnostics)
    }

    pub fn internal(diagnostics: impl Into<String>) -> Self {
        Self::new(ErrorKind::Internal, IssueType::Exception, diagnostics)
    }

    /// Adds an expression to the first issue.
    pub fn at(mut self, expression: impl Into<String>) -> Self {
        if let Some(issue) = self.issues.first_mut() {
            issue.expression.push(expression.into());
        }
        self
    }

    pub fn status(&self) -> u16 {
        self.kind.http_status()
    }

    /// The same error as the error of entry `index` of a Bundle: each issue's diagnostics
    /// name the entry, and its expressions become paths in the Bundle (`CarePlan.goal[0]`
    /// becomes `Bundle.entry[3].resource.goal[0]`; an issue without one gets
    /// `Bundle.entry[3]`).
    pub fn in_entry(mut self, index: usize) -> Self {
        let root = format!("Bundle.entry[{index}]");
        for issue in &mut self.issues {
            issue.diagnostics = format!("{root}: {}", issue.diagnostics);
            if issue.expression.is_empty() {
                issue.expression.push(root.clone());
            }
            for expression in &mut issue.expression {
                if expression.starts_with("Bundle.entry[") {
                    continue;
                }
                let type_name = expression.find(['.', '[']).unwrap_or(expression.len());
                let rest = if expression[..type_name]
                    .chars()
                    .all(|c| c.is_ascii_alphabetic())
                {
                    &expression[type_name..]
                } else {
                    ""
                };
                *expression = format!("{root}.resource{rest}");
            }
        }
        self
    }

    pub fn to_operation_outcome(&self) -> Value {
        operation_outcome(&self.issues)
    }
}

impl fmt::Display for FhirError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let texts: Vec<&str> = self.issues.iter().map(|i| i.diagnostics.as_str()).collect();
        write!(f, "{} ({})", texts.join("; "), self.status())
    }
}

impl std::error::Error for FhirError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_of_a_bundle_entry_name_the_entry_and_the_element() {
        let error = FhirError::new(ErrorKind::Unprocessable, IssueType::Invalid, "bad")
            .at("CarePlan.goal[0].reference")
            .in_entry(3);
        assert_eq!(error.issues[0].diagnostics, "Bundle.entry[3]: bad");
        assert_eq!(
            error.issues[0].expression,
            ["Bundle.entry[3].resource.goal[0].reference"]
        );
        let error = FhirError::bad_request("x").in_entry(0);
        assert_eq!(error.issues[0].expression, ["Bundle.entry[0]"]);
    }

    #[test]
    fn outcome_lists_every_issue() {
        let err = FhirError::with_issues(
            ErrorKind::Unprocessable,
            vec![
                Issue::error(IssueType::Value, "bad id").at("Patient.id"),
                Issue::error(IssueType::Required, "empty").at("Patient.name[0]"),
            ],
        );
        let oo = err.to_operation_outcome();
        assert_eq!(err.status(), 422);
        assert_eq!(oo["resourceType"], "OperationOutcome");
        assert_eq!(oo["issue"].as_array().unwrap().len(), 2);
        assert_eq!(oo["issue"][0]["severity"], "error");
        assert_eq!(oo["issue"][0]["code"], "value");
        assert_eq!(oo["issue"][1]["expression"][0], "Patient.name[0]");
    }
}
