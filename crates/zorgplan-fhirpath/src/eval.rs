//! Evaluation of a compiled expression against a [`Context`].
//!
//! Every node of the tree maps an input collection to an output collection. Paths step
//! through [`crate::navigate`]; operators follow the FHIRPath rules for empty operands
//! (propagated), single operands (required where the operator needs one) and three-valued
//! logic for `and`, `or`, `xor` and `implies` (which short-circuit where the result is known).

use crate::ast::{Ast, BinaryOp, Literal, TypeSpec};
use crate::datetime::DateTime;
use crate::functions;
use crate::navigate::{self, Name};
use crate::ops::{self, Arith};
use crate::quantity::Quantity;
use crate::value::{Collection, FhirType, Item, Node, Str, TypeInfo};
use crate::EvalError;
use serde_json::Value;
use smallvec::smallvec;

/// Answers `resolve()` for a reference that is neither contained nor in the Bundle: the
/// resource the reference string points to, if the caller can find it.
pub type Resolver<'a> = dyn Fn(&str) -> Option<&'a Value> + 'a;
/// Answers `memberOf(valueSet)` for a code, Coding or CodeableConcept; `None`: unknown.
pub type MemberOf<'a> = dyn Fn(&Item<'_>, &str) -> Option<bool> + 'a;
/// Receives what `trace(name)` sees.
pub type Tracer<'a> = dyn Fn(&str, &[Item<'_>]) + 'a;

/// What an expression is evaluated against: the resource (`%resource`, and the focus unless
/// one is given), the root resource (`%rootResource`, e.g. the Bundle holding the resource),
/// external constants and the callbacks of functions that need the outside world.
pub struct Context<'a> {
    pub(crate) resource: Option<Item<'a>>,
    pub(crate) root: Option<Item<'a>>,
    variables: Vec<(String, Collection<'a>)>,
    pub(crate) resolver: Option<&'a Resolver<'a>>,
    pub(crate) member_of: Option<&'a MemberOf<'a>>,
    pub(crate) tracer: Option<&'a Tracer<'a>>,
    now: Option<DateTime>,
    pub(crate) strict_as: bool,
}

impl<'a> Context<'a> {
    /// A context for `resource`, typed by its `resourceType`.
    pub fn new(resource: &'a Value) -> Context<'a> {
        let item = Item::Node(Node::resource(resource));
        Context {
            resource: Some(item.clone()),
            root: Some(item),
            ..Context::empty()
        }
    }

    /// A context without a resource (for expressions that do not look at one).
    pub fn empty() -> Context<'a> {
        Context {
            resource: None,
            root: None,
            variables: Vec::new(),
            resolver: None,
            member_of: None,
            tracer: None,
            now: None,
            strict_as: false,
        }
    }

    /// Sets `%rootResource`: the resource that holds `%resource` (a Bundle, or the resource
    /// that contains it). `resolve()` looks up Bundle entries there.
    pub fn with_root_resource(mut self, root: &'a Value) -> Self {
        self.root = Some(Item::Node(Node::resource(root)));
        self
    }

    /// Defines the external constant `%name`.
    pub fn with_variable(mut self, name: impl Into<String>, value: Collection<'a>) -> Self {
        self.variables.push((name.into(), value));
        self
    }

    pub fn with_resolver(mut self, resolver: &'a Resolver<'a>) -> Self {
        self.resolver = Some(resolver);
        self
    }

    pub fn with_member_of(mut self, member_of: &'a MemberOf<'a>) -> Self {
        self.member_of = Some(member_of);
        self
    }

    pub fn with_tracer(mut self, tracer: &'a Tracer<'a>) -> Self {
        self.tracer = Some(tracer);
        self
    }

    /// Fixes what `now()`, `today()` and `timeOfDay()` return (by default the clock).
    pub fn with_now(mut self, now: DateTime) -> Self {
        self.now = Some(now);
        self
    }

    /// Makes `as` on more than one item an error, as FHIRPath N1 says. By default `as` on a
    /// collection keeps the items of the type, like `ofType()`: the R4 core invariants rely
    /// on that (dom-3 applies `as(canonical)` to all descendants).
    pub fn with_strict_as(mut self) -> Self {
        self.strict_as = true;
        self
    }

    pub(crate) fn now(&self) -> DateTime {
        self.now.unwrap_or_else(DateTime::now)
    }

    fn variable(&self, name: &str) -> Option<&Collection<'a>> {
        self.variables
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, value)| value)
    }
}

/// The evaluation state: the context, `$this`, `%context`, `$index` and `$total`. Items
/// live for `'a`, which the expression and the context's data (`'d`) both outlive.
pub(crate) struct Env<'e, 'a, 'd: 'a> {
    pub ctx: &'e Context<'d>,
    pub this: &'e [Item<'a>],
    pub context: &'e [Item<'a>],
    pub index: Option<usize>,
    pub total: Option<&'e [Item<'a>]>,
}

impl<'e, 'a, 'd: 'a> Env<'e, 'a, 'd> {
    /// The state inside an iterating function: `$this` is `item`, `$index` its position.
    pub fn iteration<'f>(&'f self, item: &'f Item<'a>, index: usize) -> Env<'f, 'a, 'd> {
        Env {
            ctx: self.ctx,
            this: std::slice::from_ref(item),
            context: self.context,
            index: Some(index),
            total: self.total,
        }
    }
}

/// The truth of a collection used as a condition: empty is unknown, a single Boolean is
/// itself, any other single item is true, more than one item is an error.
pub(crate) fn truth(c: &[Item<'_>]) -> Result<Option<bool>, EvalError> {
    match c {
        [] => Ok(None),
        [Item::Boolean(b)] => Ok(Some(*b)),
        [item @ Item::Node(_)] => Ok(Some(!matches!(
            item.to_system(),
            Some(Item::Boolean(false))
        ))),
        [_] => Ok(Some(true)),
        _ => Err(EvalError::new(
            "a collection of more than one item used as a boolean",
        )),
    }
}

/// The single item of a collection; an error when there are more.
pub(crate) fn singleton<'c, 'a>(c: &'c [Item<'a>]) -> Result<Option<&'c Item<'a>>, EvalError> {
    match c {
        [] => Ok(None),
        [item] => Ok(Some(item)),
        _ => Err(EvalError::new(format!(
            "expected a single item, found {}",
            c.len()
        ))),
    }
}

fn boolean<'a>(b: Option<bool>) -> Collection<'a> {
    match b {
        Some(b) => smallvec![Item::Boolean(b)],
        None => Collection::new(),
    }
}

/// Names of the System types, for type specifiers.
const SYSTEM_TYPES: [&str; 8] = [
    "Boolean", "Integer", "Decimal", "String", "Date", "DateTime", "Time", "Quantity",
];

/// What a type specifier names.
pub(crate) enum TypeRef {
    System(String),
    Fhir(FhirType),
    /// A qualified name that names nothing: no item is of it.
    Nothing,
}

/// Resolves a type specifier: unqualified names are looked up in FHIR first, then System;
/// an unqualified name that is neither is an error.
pub(crate) fn resolve_type(spec: &TypeSpec) -> Result<TypeRef, EvalError> {
    let name = &*spec.name;
    match spec.namespace.as_deref() {
        Some("System") if SYSTEM_TYPES.contains(&name) => Ok(TypeRef::System(name.to_owned())),
        Some("FHIR") => Ok(FhirType::named(name).map_or(TypeRef::Nothing, TypeRef::Fhir)),
        Some(_) => Ok(TypeRef::Nothing),
        None => match FhirType::named(name) {
            Some(t) => Ok(TypeRef::Fhir(t)),
            None if SYSTEM_TYPES.contains(&name) => Ok(TypeRef::System(name.to_owned())),
            None => Err(EvalError::new(format!("unknown type {name}"))),
        },
    }
}

/// Whether `item` is of the type: `exact` for `as` and `ofType`, where a FHIR primitive must
/// be of that very type (a `code` is a `string` for `is`, but `as(string)` does not take it).
pub(crate) fn is_of_type(item: &Item<'_>, ty: &TypeRef, exact: bool) -> bool {
    match (item, ty) {
        (Item::Node(node), TypeRef::Fhir(t)) => {
            if exact && node.ty.is_primitive() {
                node.ty.name == t.name
            } else {
                node.ty.is_a(t.name)
            }
        }
        (Item::Node(_), _) => false,
        (other, TypeRef::System(name)) => other.type_info().name == name,
        _ => false,
    }
}

fn literal<'a>(lit: &'a Literal) -> Item<'a> {
    match lit {
        Literal::Boolean(b) => Item::Boolean(*b),
        Literal::Integer(i) => Item::Integer(*i),
        Literal::Decimal(d) => Item::Decimal(*d),
        Literal::String(s) => Item::String(Str::Borrowed(s)),
        Literal::Date(d) => Item::Date(*d),
        Literal::DateTime(d) => Item::DateTime(*d),
        Literal::Time(t) => Item::Time(*t),
        Literal::Quantity(value, unit) => {
            Item::Quantity(Quantity::new(*value, Str::Borrowed(unit)))
        }
    }
}

/// The well-known constants of FHIR's FHIRPath environment.
fn constant<'a>(name: &str, env: &Env<'_, 'a, '_>) -> Result<Collection<'a>, EvalError> {
    let text = |s: String| -> Collection<'a> { smallvec![Item::String(Str::owned(s))] };
    Ok(match name {
        "resource" => env.ctx.resource.iter().cloned().collect(),
        "rootResource" => env.ctx.root.iter().cloned().collect(),
        "context" => env.context.iter().cloned().collect(),
        "ucum" => smallvec![Item::String(Str::Borrowed("http://unitsofmeasure.org"))],
        "sct" => smallvec![Item::String(Str::Borrowed("http://snomed.info/sct"))],
        "loinc" => smallvec![Item::String(Str::Borrowed("http://loinc.org"))],
        _ => {
            if let Some(value) = env.ctx.variable(name) {
                return Ok(value.iter().cloned().collect());
            }
            if let Some(id) = name.strip_prefix("vs-") {
                text(format!("http://hl7.org/fhir/ValueSet/{id}"))
            } else if let Some(id) = name.strip_prefix("ext-") {
                text(format!("http://hl7.org/fhir/StructureDefinition/{id}"))
            } else {
                return Err(EvalError::new(format!("unknown constant %{name}")));
            }
        }
    })
}

/// Children named `name` of every item (`namespace` and `name` of a `type()` result).
pub(crate) fn members<'a>(items: &[Item<'a>], name: &Name, out: &mut Collection<'a>) {
    for item in items {
        match item {
            Item::Node(node) => navigate::child(node, name, out),
            Item::Type(TypeInfo {
                namespace,
                name: type_name,
            }) => match &**name {
                "namespace" => out.push(Item::String(Str::Borrowed(namespace))),
                "name" => out.push(Item::String(Str::Borrowed(type_name))),
                _ => {}
            },
            _ => {}
        }
    }
}

/// Evaluates `ast` in `env`.
pub(crate) fn eval<'a>(ast: &'a Ast, env: &Env<'_, 'a, '_>) -> Result<Collection<'a>, EvalError> {
    match ast {
        Ast::Empty => Ok(Collection::new()),
        Ast::Literal(lit) => Ok(smallvec![literal(lit)]),
        Ast::Ident(name) => {
            let mut out = Collection::new();
            if name.starts_with(|c: char| c.is_ascii_uppercase()) {
                // `Patient.name`: the type of the context selects it.
                out.extend(
                    env.this
                        .iter()
                        .filter(|item| matches!(item, Item::Node(n) if n.ty.is_a(name)))
                        .cloned(),
                );
            } else {
                members(env.this, name, &mut out);
            }
            Ok(out)
        }
        Ast::Member(focus, name) => {
            let input = eval(focus, env)?;
            let mut out = Collection::new();
            members(&input, name, &mut out);
            Ok(out)
        }
        Ast::Call(call) => functions::call(call, env),
        Ast::Index(focus, index) => {
            let input = eval(focus, env)?;
            let index = eval(index, env)?;
            let position = match singleton(&index)?.and_then(Item::to_system) {
                Some(Item::Integer(i)) => i,
                None => return Ok(Collection::new()),
                Some(_) => return Err(EvalError::new("an index must be an integer")),
            };
            Ok(usize::try_from(position)
                .ok()
                .and_then(|i| input.into_iter().nth(i))
                .into_iter()
                .collect())
        }
        Ast::This => Ok(env.this.iter().cloned().collect()),
        Ast::IndexVar => Ok(env
            .index
            .and_then(|i| i64::try_from(i).ok())
            .map(Item::Integer)
            .into_iter()
            .collect()),
        Ast::Total => Ok(env.total.unwrap_or_default().iter().cloned().collect()),
        Ast::Constant(name) => constant(name, env),
        Ast::Negate(inner) => {
            let value = eval(inner, env)?;
            let Some(item) = singleton(&value)? else {
                return Ok(Collection::new());
            };
            Ok(match item.to_system() {
                Some(Item::Integer(i)) => smallvec![Item::Integer(-i)],
                Some(Item::Decimal(d)) => smallvec![Item::Decimal(d.negated())],
                Some(Item::Quantity(q)) => {
                    smallvec![Item::Quantity(Quantity::new(q.value.negated(), q.unit))]
                }
                _ => return Err(EvalError::new("only numbers and quantities can be negated")),
            })
        }
        Ast::Binary(op, left, right) => binary(*op, left, right, env),
        Ast::Is(focus, spec) => {
            let input = eval(focus, env)?;
            let ty = resolve_type(spec)?;
            Ok(match singleton(&input)? {
                Some(item) => smallvec![Item::Boolean(is_of_type(item, &ty, false))],
                None => Collection::new(),
            })
        }
        Ast::As(focus, spec) => cast(eval(focus, env)?, spec, env),
    }
}

/// `as`: the item if it is of the type (exactly, for primitives).
pub(crate) fn cast<'a>(
    input: Collection<'a>,
    spec: &TypeSpec,
    env: &Env<'_, 'a, '_>,
) -> Result<Collection<'a>, EvalError> {
    let ty = resolve_type(spec)?;
    if env.ctx.strict_as {
        singleton(&input)?;
    }
    Ok(input
        .into_iter()
        .filter(|item| is_of_type(item, &ty, true))
        .collect())
}

/// Pushes `item` unless an equal item is there already.
pub(crate) fn push_distinct<'a>(out: &mut Collection<'a>, item: Item<'a>) {
    let present = out.iter().any(|o| match (o, &item) {
        (Item::Node(a), Item::Node(b)) if a.same(b) => true,
        _ => ops::equal(o, &item) == Some(true),
    });
    if !present {
        out.push(item);
    }
}

fn arith_of(op: BinaryOp) -> Option<Arith> {
    Some(match op {
        BinaryOp::Add => Arith::Add,
        BinaryOp::Sub => Arith::Sub,
        BinaryOp::Mul => Arith::Mul,
        BinaryOp::Div => Arith::Div,
        BinaryOp::IntDiv => Arith::IntDiv,
        BinaryOp::Mod => Arith::Mod,
        _ => return None,
    })
}

/// `=` on collections: empty if either is, item by item in order.
pub(crate) fn collections_equal(a: &[Item<'_>], b: &[Item<'_>]) -> Option<bool> {
    if a.is_empty() || b.is_empty() {
        return None;
    }
    if a.len() != b.len() {
        return Some(false);
    }
    let mut unknown = false;
    for (x, y) in a.iter().zip(b) {
        match ops::equal(x, y) {
            Some(false) => return Some(false),
            None => unknown = true,
            Some(true) => {}
        }
    }
    (!unknown).then_some(true)
}

/// `~` on collections: both empty, or every item has an equivalent in the other, in any order.
pub(crate) fn collections_equivalent(a: &[Item<'_>], b: &[Item<'_>]) -> bool {
    a.len() == b.len()
        && a.iter().all(|x| b.iter().any(|y| ops::equivalent(x, y)))
        && b.iter().all(|y| a.iter().any(|x| ops::equivalent(x, y)))
}

fn binary<'a>(
    op: BinaryOp,
    left: &'a Ast,
    right: &'a Ast,
    env: &Env<'_, 'a, '_>,
) -> Result<Collection<'a>, EvalError> {
    match op {
        BinaryOp::And | BinaryOp::Or | BinaryOp::Implies => {
            let l = truth(&eval(left, env)?)?;
            // Short-circuit where the left side decides.
            match (op, l) {
                (BinaryOp::And, Some(false)) => return Ok(boolean(Some(false))),
                (BinaryOp::Or, Some(true)) => return Ok(boolean(Some(true))),
                (BinaryOp::Implies, Some(false)) => return Ok(boolean(Some(true))),
                _ => {}
            }
            let r = truth(&eval(right, env)?)?;
            Ok(boolean(match (op, l, r) {
                (BinaryOp::And, _, Some(false)) => Some(false),
                (BinaryOp::And, Some(true), Some(true)) => Some(true),
                (BinaryOp::Or, _, Some(true)) => Some(true),
                (BinaryOp::Or, Some(false), Some(false)) => Some(false),
                (BinaryOp::Implies, _, Some(true)) => Some(true),
                (BinaryOp::Implies, Some(true), Some(false)) => Some(false),
                _ => None,
            }))
        }
        BinaryOp::Xor => {
            let l = truth(&eval(left, env)?)?;
            let r = truth(&eval(right, env)?)?;
            Ok(boolean(l.zip(r).map(|(a, b)| a != b)))
        }
        BinaryOp::Union => {
            let mut out = Collection::new();
            for item in eval(left, env)?.into_iter().chain(eval(right, env)?) {
                push_distinct(&mut out, item);
            }
            Ok(out)
        }
        BinaryOp::Eq | BinaryOp::Ne => {
            let equal = collections_equal(&eval(left, env)?, &eval(right, env)?);
            Ok(boolean(if op == BinaryOp::Eq {
                equal
            } else {
                equal.map(|e| !e)
            }))
        }
        BinaryOp::Equiv | BinaryOp::NotEquiv => {
            let equivalent = collections_equivalent(&eval(left, env)?, &eval(right, env)?);
            Ok(boolean(Some(equivalent == (op == BinaryOp::Equiv))))
        }
        BinaryOp::Lt | BinaryOp::Gt | BinaryOp::Le | BinaryOp::Ge => {
            let l = eval(left, env)?;
            let r = eval(right, env)?;
            let (Some(a), Some(b)) = (singleton(&l)?, singleton(&r)?) else {
                return Ok(Collection::new());
            };
            Ok(boolean(ops::compare(a, b)?.map(|o| match op {
                BinaryOp::Lt => o.is_lt(),
                BinaryOp::Gt => o.is_gt(),
                BinaryOp::Le => o.is_le(),
                _ => o.is_ge(),
            })))
        }
        BinaryOp::In | BinaryOp::Contains => {
            let l = eval(left, env)?;
            let r = eval(right, env)?;
            let (element, collection) = if op == BinaryOp::In {
                (&l, &r)
            } else {
                (&r, &l)
            };
            Ok(match singleton(element)? {
                None => Collection::new(),
                Some(item) => boolean(Some(
                    collection.iter().any(|c| ops::equal(item, c) == Some(true)),
                )),
            })
        }
        BinaryOp::Concat => {
            let l = eval(left, env)?;
            let r = eval(right, env)?;
            let text = |c: &[Item<'_>]| -> Result<String, EvalError> {
                Ok(singleton(c)?.map(ToString::to_string).unwrap_or_default())
            };
            Ok(smallvec![Item::String(Str::owned(text(&l)? + &text(&r)?))])
        }
        _ => {
            let arith = arith_of(op).ok_or_else(|| EvalError::new("unknown operator"))?;
            let l = eval(left, env)?;
            let r = eval(right, env)?;
            let (Some(a), Some(b)) = (singleton(&l)?, singleton(&r)?) else {
                return Ok(Collection::new());
            };
            Ok(ops::arithmetic(arith, a, b)?.into_iter().collect())
        }
    }
}
