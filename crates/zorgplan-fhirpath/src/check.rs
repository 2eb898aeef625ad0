//! Static checking of an expression against the type it will be evaluated on.
//!
//! Follows the FHIR types a path can have from its root and reports names that no
//! possible type defines (`Patient.name.given1`, `Observation.valueQuantity` — choices are
//! named without their type), a root type that is not the context's (`Encounter.name` on a
//! Patient), and string functions applied to complex types. Where a type cannot be known
//! statically (after `resolve()`, `children()`, in a resource-typed element, on System
//! values) checking stops: only certain mistakes are reported.

use crate::ast::{Ast, BinaryOp, Call, Func};
use crate::eval::{resolve_type, TypeRef};
use crate::navigate::element_type;
use crate::value::FhirType;
use crate::EvalError;

/// The possible FHIR types of a collection; `None`: not known.
type Types = Option<Vec<FhirType>>;

pub(crate) struct Checker {
    /// The type of the focus (`%context`).
    pub root: FhirType,
    /// The type of `%resource`, when the focus is (in) a resource.
    pub resource: Option<FhirType>,
}

fn all_known(types: &[FhirType]) -> bool {
    types
        .iter()
        .all(|t| t.def.is_some_and(|d| !(d.is_abstract && t.is_resource())))
}

/// The types of the children named `name`, or an error when none of the types has one.
fn navigate(types: &Types, name: &str) -> Result<Types, EvalError> {
    let Some(types) = types else {
        return Ok(None);
    };
    if types.is_empty() || !all_known(types) {
        return Ok(None);
    }
    let mut out = Vec::new();
    for t in types {
        let Some(def) = t.def else {
            return Ok(None);
        };
        if let Some(property) = def.property(t.path, name) {
            let element = &def.elements[property.element];
            if !element.is_choice() {
                out.push(element_type(def, element, property.type_index));
            }
            continue;
        }
        for &i in def.children(t.path) {
            let element = &def.elements[i];
            if element.is_choice() && element.name == name {
                out.extend((0..element.types.len()).map(|ti| element_type(def, element, ti)));
            }
        }
    }
    if out.is_empty() {
        let names: Vec<&str> = types.iter().map(|t| t.path).collect();
        return Err(EvalError::new(format!(
            "{} has no element '{name}'",
            names.join(" | ")
        )));
    }
    Ok(all_known(&out).then_some(out))
}

impl Checker {
    pub fn check(&self, ast: &Ast) -> Result<(), EvalError> {
        self.visit(ast, &Some(vec![self.root])).map(|_| ())
    }

    fn visit(&self, ast: &Ast, this: &Types) -> Result<Types, EvalError> {
        Ok(match ast {
            Ast::Empty | Ast::Literal(_) | Ast::IndexVar | Ast::Total => None,
            Ast::Ident(name) if name.starts_with(|c: char| c.is_ascii_uppercase()) => match this {
                Some(types) if !types.is_empty() && all_known(types) => {
                    let matching: Vec<FhirType> =
                        types.iter().copied().filter(|t| t.is_a(name)).collect();
                    if matching.is_empty() {
                        return Err(EvalError::new(format!(
                            "the context is a {}, not a {}",
                            types[0].name, &**name
                        )));
                    }
                    Some(matching)
                }
                _ => None,
            },
            Ast::Ident(name) => navigate(this, name)?,
            Ast::Member(focus, name) => navigate(&self.visit(focus, this)?, name)?,
            Ast::Call(call) => self.call(call, this)?,
            Ast::Index(focus, index) => {
                self.visit(index, this)?;
                self.visit(focus, this)?
            }
            Ast::This => this.clone(),
            Ast::Constant(name) => match &**name {
                "context" => Some(vec![self.root]),
                "resource" => self.resource.map(|r| vec![r]),
                _ => None,
            },
            Ast::Negate(inner) | Ast::Is(inner, _) => {
                self.visit(inner, this)?;
                None
            }
            Ast::As(inner, spec) => {
                self.visit(inner, this)?;
                match resolve_type(spec) {
                    Ok(TypeRef::Fhir(t)) => Some(vec![t]),
                    _ => None,
                }
            }
            Ast::Binary(op, left, right) => {
                let l = self.visit(left, this)?;
                let r = self.visit(right, this)?;
                match (op, l, r) {
                    (BinaryOp::Union, Some(mut l), Some(r)) => {
                        l.extend(r);
                        Some(l)
                    }
                    _ => None,
                }
            }
        })
    }

    fn call(&self, call: &Call, this: &Types) -> Result<Types, EvalError> {
        let input = match &call.focus {
            Some(focus) => self.visit(focus, this)?,
            None => this.clone(),
        };
        let args = &call.args;
        if call.func.iterates() {
            let mut results = Vec::with_capacity(args.len());
            for (i, arg) in args.iter().enumerate() {
                // The seed of aggregate() is evaluated outside the iteration.
                let scope = if call.func == Func::Aggregate && i == 1 {
                    this
                } else {
                    &input
                };
                results.push(self.visit(arg, scope)?);
            }
            return Ok(match call.func {
                Func::Where | Func::Sort => input,
                Func::Select => results.into_iter().next().flatten(),
                _ => None,
            });
        }
        if call.func == Func::Iif {
            let scope = if call.focus.is_some() { &input } else { this };
            for arg in args {
                self.visit(arg, scope)?;
            }
            return Ok(None);
        }
        let mut arg_types = Vec::with_capacity(args.len());
        if !matches!(call.func, Func::Is | Func::As | Func::OfType) {
            for (i, arg) in args.iter().enumerate() {
                // The projection of trace() is evaluated per input item.
                let scope = if call.func == Func::Trace && i == 1 {
                    &input
                } else {
                    this
                };
                arg_types.push(self.visit(arg, scope)?);
            }
        }
        Ok(match call.func {
            Func::OfType | Func::As => match call.type_arg.as_ref().map(resolve_type) {
                Some(Ok(TypeRef::Fhir(t))) => Some(vec![t]),
                _ => None,
            },
            Func::First
            | Func::Last
            | Func::Tail
            | Func::Skip
            | Func::Take
            | Func::Single
            | Func::Distinct
            | Func::Trace
            | Func::Intersect
            | Func::Exclude => input,
            Func::Union | Func::Combine => match (input, arg_types.pop().flatten()) {
                (Some(mut a), Some(b)) => {
                    a.extend(b);
                    Some(a)
                }
                _ => None,
            },
            Func::Extension => FhirType::named("Extension").map(|t| vec![t]),
            Func::StartsWith
            | Func::EndsWith
            | Func::Contains
            | Func::Matches
            | Func::MatchesFull
            | Func::ReplaceMatches
            | Func::IndexOf
            | Func::Substring
            | Func::Upper
            | Func::Lower
            | Func::Replace
            | Func::Length
            | Func::ToChars
            | Func::Split
            | Func::Trim => {
                if let Some(types) = &input {
                    if !types.is_empty()
                        && types.iter().all(|t| t.def.is_some() && !t.is_primitive())
                    {
                        return Err(EvalError::new(format!(
                            "{:?} needs a string, not a {}",
                            call.func, types[0].name
                        )));
                    }
                }
                None
            }
            _ => None,
        })
    }
}

/// Whether the order of `ast`'s result is undefined: the results of `children()` and
/// `descendants()`, and what is filtered or projected from them.
fn unordered(ast: &Ast) -> bool {
    match ast {
        Ast::Call(call) => match call.func {
            Func::Children | Func::Descendants => true,
            Func::Where
            | Func::Select
            | Func::OfType
            | Func::As
            | Func::Distinct
            | Func::Repeat
            | Func::Exclude
            | Func::Intersect
            | Func::Trace => call.focus.as_ref().is_some_and(unordered),
            _ => false,
        },
        Ast::Member(focus, _) | Ast::As(focus, _) => unordered(focus),
        _ => false,
    }
}

/// Reports order-dependent functions applied to a collection whose order is undefined.
pub(crate) fn check_ordered(ast: &Ast) -> Result<(), EvalError> {
    let mut children: Vec<&Ast> = Vec::new();
    match ast {
        Ast::Call(call) => {
            let ordered_only = matches!(
                call.func,
                Func::First | Func::Last | Func::Tail | Func::Skip | Func::Take
            );
            if ordered_only && call.focus.as_ref().is_some_and(unordered) {
                return Err(EvalError::new(format!(
                    "{:?} on the result of children() or descendants(), whose order is undefined",
                    call.func
                )));
            }
            children.extend(call.focus.iter());
            children.extend(call.args.iter());
        }
        Ast::Index(focus, index) => {
            if unordered(focus) {
                return Err(EvalError::new(
                    "indexing the result of children() or descendants(), whose order is undefined",
                ));
            }
            children.extend([&**focus, &**index]);
        }
        Ast::Member(focus, _) | Ast::Negate(focus) | Ast::Is(focus, _) | Ast::As(focus, _) => {
            children.push(focus)
        }
        Ast::Binary(_, left, right) => children.extend([&**left, &**right]),
        _ => {}
    }
    children.into_iter().try_for_each(check_ordered)
}
