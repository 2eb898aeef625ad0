//! FHIRPath (N1, the version FHIR R4 uses) over FHIR JSON, for running invariants on every
//! write.
//!
//! An expression is parsed once into an [`Expr`] (`Send + Sync + Clone`, to be cached and
//! shared) and evaluated many times against `serde_json::Value` resources:
//!
//! ```
//! use zorgplan_fhirpath::{Context, Expr, Item};
//!
//! let patient = serde_json::json!({
//!     "resourceType": "Patient",
//!     "name": [{"family": "Peeters", "given": ["An"]}],
//!     "birthDate": "2024-03-01"
//! });
//! let expr = Expr::parse("name.exists() or telecom.exists()").unwrap();
//! assert_eq!(expr.evaluate_boolean(&Context::new(&patient)).unwrap(), Some(true));
//!
//! let birth = Expr::parse("Patient.birthDate + 1 year").unwrap();
//! let result = birth.evaluate(&Context::new(&patient)).unwrap();
//! assert_eq!(result[0].to_string(), "2025-03-01");
//! assert!(matches!(result[0], Item::Date(_)));
//! ```
//!
//! Items borrow from the input (and from the expression's literals); nothing of a resource is
//! copied. Each node of the input carries its FHIR type, resolved through the R4 definitions
//! of `zorgplan-fhir`: choice elements are reached by their plain name (`value`, typed by
//! `valueQuantity`), primitives are typed by their element (`birthDate` is a Date, `gender` a
//! `code`) and keep their `_name` extensions, resources inside resources are typed by their
//! `resourceType`, `is`/`as`/`ofType` follow the type hierarchy (`Age is Quantity`).
//!
//! [`Expr::check`] reports, once per expression and type, paths the type cannot have;
//! evaluation itself does not check them (a name no type defines yields nothing).
//!
//! Outside the engine's reach: `resolve()` of references that are neither contained nor in
//! the Bundle that is `%rootResource` goes to [`Context::with_resolver`], `memberOf()` to
//! [`Context::with_member_of`]; `conformsTo()` knows the core types only; `htmlChecks()`
//! checks only that the narrative is a `div`; UCUM covers the common units (metric prefixes,
//! mass, length, volume, time, pressure, energy, customary weights and lengths).
//!
//! The crate's README gives the results on the official R4 test suite (`tests/r4_suite.rs`),
//! the speed of core invariants and what the engine leaves out.

mod ast;
mod check;
pub mod datetime;
pub mod decimal;
mod eval;
mod functions;
mod lexer;
mod navigate;
mod ops;
mod parser;
pub mod patch;
pub mod quantity;
mod value;

pub use eval::{Context, MemberOf, Resolver, Tracer};
pub use functions::{decode_base64, encode_base64};
pub use value::{Collection, FhirType, Item, Node, Str, TypeInfo};

use std::fmt;

/// An expression that did not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// Byte offset in the expression.
    pub offset: usize,
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (at {})", self.message, self.offset)
    }
}

impl std::error::Error for ParseError {}

/// An expression that could not be evaluated (or failed its static check): e.g. a function
/// given more than one item where it needs one, or values of types an operator does not take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvalError {
    pub message: String,
}

impl EvalError {
    pub(crate) fn new(message: impl Into<String>) -> EvalError {
        EvalError {
            message: message.into(),
        }
    }
}

impl fmt::Display for EvalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for EvalError {}

/// A parsed FHIRPath expression.
#[derive(Debug, Clone)]
pub struct Expr {
    source: Box<str>,
    ast: ast::Ast,
}

impl Expr {
    /// Parses and compiles an expression: functions are resolved, literals decoded and regular
    /// expressions given as literals compiled.
    pub fn parse(source: &str) -> Result<Expr, ParseError> {
        Ok(Expr {
            source: source.into(),
            ast: parser::parse(source)?,
        })
    }

    /// The text the expression was parsed from.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Checks the expression against the FHIR type it will be evaluated on, given as an
    /// element path (see [`FhirType::at`]): a resource type, a data type such as `Period`, or
    /// a backbone element such as `Patient.contact`. An error names a path that type cannot
    /// have. A path without a single known type is not checked.
    pub fn check(&self, path: &str) -> Result<(), EvalError> {
        let Some(root) = FhirType::at(path) else {
            return Ok(());
        };
        let resource = path
            .split('.')
            .next()
            .and_then(FhirType::named)
            .filter(FhirType::is_resource);
        check::Checker { root, resource }.check(&self.ast)
    }

    /// Reports order-dependent functions (`first()`, `last()`, `tail()`, `skip()`, `take()`,
    /// an indexer) applied to the results of `children()` or `descendants()`, whose order
    /// FHIRPath leaves undefined.
    pub fn check_ordered(&self) -> Result<(), EvalError> {
        check::check_ordered(&self.ast)
    }

    /// Evaluates the expression on the context's resource (`%resource`, which is also
    /// `%context` and `$this`).
    pub fn evaluate<'a, 'd: 'a>(&'a self, ctx: &Context<'d>) -> Result<Collection<'a>, EvalError> {
        let focus: &[Item<'a>] = ctx.resource.as_slice();
        self.evaluate_on(ctx, focus)
    }

    /// Evaluates the expression on `focus` (e.g. an element for an element-level invariant;
    /// it is also `%context`), with `%resource` from the context.
    pub fn evaluate_on<'a, 'd: 'a>(
        &'a self,
        ctx: &Context<'d>,
        focus: &[Item<'a>],
    ) -> Result<Collection<'a>, EvalError> {
        let env = eval::Env {
            ctx,
            this: focus,
            context: focus,
            index: None,
            total: None,
        };
        eval::eval(&self.ast, &env)
    }

    /// Evaluates the expression on the context's resource as a condition: `None` when the
    /// result is empty, the value of a single Boolean, `true` for any other single item, an
    /// error for more than one item.
    pub fn evaluate_boolean(&self, ctx: &Context<'_>) -> Result<Option<bool>, EvalError> {
        eval::truth(&self.evaluate(ctx)?)
    }
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}
