//! FHIRPath invariants: the constraints of the R4 definitions (dom-*, the resource and data
//! type rules) and of the standard's profiles (zkg-*), compiled once and evaluated by
//! `zorgplan-fhirpath` on every element they are defined on.
//!
//! An invariant holds when its expression is true or empty (an empty result means the rule
//! does not apply, e.g. a comparison of dates of different precision); false raises an issue
//! with the invariant's severity. An expression that cannot be evaluated on the data raises
//! an information issue, never an error. ele-1 (every element has a value or children) is
//! checked natively by the base layer.

use serde_json::Value;
use std::sync::OnceLock;
use zorgplan_fhir::definitions::Definitions;
use zorgplan_fhir::{Issue, IssueType, Severity};
use zorgplan_fhirpath::{Context, Expr, Item, Node};

/// One compiled invariant.
#[derive(Debug)]
pub struct Invariant {
    pub key: String,
    pub severity: Severity,
    pub human: String,
    pub expr: Expr,
    /// The same rule in Rust, for the invariants on the commonest data types (every Reference
    /// and Extension of a resource); proven equal to the expression by a test.
    native: Option<Native>,
}

/// Invariants of the R4 data types evaluated without the FHIRPath engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Native {
    /// ext-1 `extension.exists() != value.exists()`.
    Extension,
    /// ref-1 `reference.startsWith('#').not() or (reference.substring(1) in
    /// %rootResource.contained.id)`.
    Reference,
}

// The expressions of the natively evaluated invariants, exactly as the R4 definitions give
// them: a changed definition falls back to the engine.
const EXT_1: &str = "extension.exists() != value.exists()";
const REF_1: &str = "reference.startsWith('#').not() or (reference.substring(1).trace('url') in %rootResource.contained.id.trace('ids'))";

impl Native {
    fn of(key: &str, expression: &str) -> Option<Native> {
        match (key, expression) {
            ("ext-1", EXT_1) => Some(Native::Extension),
            ("ref-1", REF_1) => Some(Native::Reference),
            _ => None,
        }
    }

    /// Whether the rule holds on `value` (an Extension or a Reference) inside `root`.
    fn holds(self, value: &Value, root: Option<&Value>) -> bool {
        let Some(object) = value.as_object() else {
            return true;
        };
        match self {
            Native::Extension => {
                let has_value = object
                    .keys()
                    .any(|k| k.starts_with("value") || k.starts_with("_value"));
                object.contains_key("extension") != has_value
            }
            Native::Reference => match object.get("reference").and_then(Value::as_str) {
                // `#` alone refers to the container: substring(1) is empty, and so is the
                // rule's result.
                Some(reference) if reference.len() > 1 && reference.starts_with('#') => root
                    .and_then(|r| r.get("contained"))
                    .and_then(Value::as_array)
                    .is_some_and(|contained| {
                        contained
                            .iter()
                            .any(|c| c.get("id").and_then(Value::as_str) == Some(&reference[1..]))
                    }),
                _ => true,
            },
        }
    }
}

impl Invariant {
    /// Compiles an invariant; `None` when its expression does not parse (a defect of the
    /// definitions, reported by [`base`]'s test).
    pub fn compile(key: &str, severity: &str, human: &str, expression: &str) -> Option<Invariant> {
        Some(Invariant {
            key: key.to_owned(),
            severity: if severity == "error" {
                Severity::Error
            } else {
                Severity::Warning
            },
            human: human.to_owned(),
            expr: Expr::parse(expression).ok()?,
            native: Native::of(key, expression),
        })
    }

    /// As [`Invariant::check`] for a value whose FHIR type is only worked out (`focus`) when
    /// the engine needs it; `root` is the resource that holds it (`%rootResource`).
    pub fn check_value<'d>(
        &self,
        ctx: &Context<'d>,
        value: &'d Value,
        root: Option<&Value>,
        focus: impl FnOnce() -> Option<Node<'d>>,
        expression: impl FnOnce() -> String,
        issues: &mut Vec<Issue>,
    ) {
        if let Some(native) = self.native {
            if !native.holds(value, root) {
                issues.push(self.failure(expression()));
            }
            return;
        }
        if let Some(focus) = focus() {
            self.check(ctx, focus, expression, issues);
        }
    }

    fn failure(&self, expression: String) -> Issue {
        Issue {
            severity: self.severity,
            code: IssueType::Invariant,
            diagnostics: format!("Constraint failed: {}: {}", self.key, self.human),
            expression: vec![expression],
        }
    }

    /// Evaluates the invariant on `focus` (at `expression`) and reports a failure.
    pub fn check<'d>(
        &self,
        ctx: &Context<'d>,
        focus: Node<'d>,
        expression: impl FnOnce() -> String,
        issues: &mut Vec<Issue>,
    ) {
        let focus = [Item::Node(focus)];
        let result = self
            .expr
            .evaluate_on(ctx, &focus)
            .map(|items| match items.as_slice() {
                [] => true,
                [Item::Boolean(b)] => *b,
                [_] => true,
                _ => false,
            });
        match result {
            Ok(true) => {}
            Ok(false) => issues.push(self.failure(expression())),
            Err(error) => issues.push(Issue {
                severity: Severity::Information,
                code: IssueType::Informational,
                diagnostics: format!(
                    "The constraint {} could not be evaluated here: {}",
                    self.key, error
                ),
                expression: vec![expression()],
            }),
        }
    }
}

/// The invariants of the R4 definitions, in the order of [`Definitions::invariants`]
/// (`None` for one whose expression does not parse).
pub fn base() -> &'static [Option<Invariant>] {
    static BASE: OnceLock<Vec<Option<Invariant>>> = OnceLock::new();
    BASE.get_or_init(|| {
        Definitions::r4()
            .invariants()
            .iter()
            .map(|i| Invariant::compile(&i.key, &i.severity, &i.human, &i.expression))
            .collect()
    })
}

/// Whether the base definitions already hold this invariant (same key and expression): the
/// base layer checks it, so a profile that repeats it need not.
pub fn in_base(key: &str, expression: &str) -> bool {
    key == "ele-1"
        || Definitions::r4()
            .invariants()
            .iter()
            .any(|i| i.key == key && i.expression == expression)
}

/// A context for evaluating invariants on `resource`, held in `root` (a Bundle or the
/// resource that contains it) when nested.
pub fn context<'a>(resource: &'a Value, root: Option<&'a Value>) -> Context<'a> {
    let ctx = Context::new(resource);
    match root {
        Some(root) => ctx.with_root_resource(root),
        None => ctx,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The native forms of ext-1 and ref-1 give what the engine gives on their expressions.
    #[test]
    fn native_invariants_agree_with_the_engine() {
        let container = json!({"resourceType": "Patient", "contained": [
            {"resourceType": "Organization", "id": "o1"}]});
        let extensions = [
            json!({"url": "u", "valueString": "x"}),
            json!({"url": "u", "extension": [{"url": "v", "valueBoolean": true}]}),
            json!({"url": "u"}),
            json!({"url": "u", "valueString": "x", "extension": [{"url": "v", "valueBoolean": true}]}),
            json!({"url": "u", "_valueString": {"extension": [{"url": "v", "valueBoolean": true}]}}),
        ];
        let references = [
            json!({"reference": "Patient/1"}),
            json!({"reference": "#o1"}),
            json!({"reference": "#o2"}),
            json!({"reference": "#"}),
            json!({"display": "no reference"}),
            json!({"reference": "urn:uuid:1"}),
        ];
        let cases = extensions
            .iter()
            .map(|v| ("ext-1", EXT_1, "Extension", v))
            .chain(references.iter().map(|v| ("ref-1", REF_1, "Reference", v)));
        for (key, expression, type_name, value) in cases {
            let invariant = Invariant::compile(key, "error", "", expression).unwrap();
            let native = invariant
                .native
                .expect("native")
                .holds(value, Some(&container));
            let ctx = context(&container, None);
            let mut issues = Vec::new();
            invariant.check(
                &ctx,
                Node {
                    value: Some(value),
                    extra: None,
                    ty: zorgplan_fhirpath::FhirType::named(type_name).unwrap(),
                },
                String::new,
                &mut issues,
            );
            assert_eq!(native, issues.is_empty(), "{key} on {value}: {issues:?}");
        }
        assert!(
            Invariant::compile("ext-1", "error", "", "extension.exists()")
                .unwrap()
                .native
                .is_none()
        );
    }

    #[test]
    fn every_invariant_of_the_r4_definitions_compiles() {
        let defs = Definitions::r4().invariants();
        let failed: Vec<String> = base()
            .iter()
            .zip(defs)
            .filter(|(compiled, _)| compiled.is_none())
            .map(|(_, i)| format!("{}: {}", i.key, i.expression))
            .collect();
        assert!(failed.is_empty(), "{failed:#?}");
        assert!(defs.len() > 200);
    }
}
