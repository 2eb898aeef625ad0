//! The function library: FHIRPath's functions and the ones FHIR adds (`extension`,
//! `hasValue`, `resolve`, `memberOf`, `conformsTo`, `htmlChecks`).
//!
//! A function receives its input collection (the focus before the dot, or `$this`) and its
//! argument expressions. Arguments are evaluated in the caller's environment, except for the
//! iterating functions (`where`, `select`, `all`, `exists`, `repeat`, `aggregate`, `sort`),
//! which evaluate them once per input item with that item as `$this`.

use crate::ast::{Ast, Call, Func};
use crate::datetime::{DateTime, Time};
use crate::decimal::{Decimal, MAX_SCALE};
use crate::eval::{
    cast, eval, is_of_type, members, push_distinct, resolve_type, singleton, truth, Env,
};
use crate::navigate;
use crate::ops;
use crate::parser::compile_regex;
use crate::quantity::{is_calendar_keyword, Quantity};
use crate::value::{Collection, FhirType, Item, Node, Str};
use crate::EvalError;
use regex::Regex;
use serde_json::Value;
use smallvec::smallvec;
use std::borrow::Cow;
use std::cmp::Ordering;

fn one<'a>(item: Item<'a>) -> Collection<'a> {
    smallvec![item]
}

fn boolean<'a>(b: bool) -> Collection<'a> {
    smallvec![Item::Boolean(b)]
}

fn optional<'a>(item: Option<Item<'a>>) -> Collection<'a> {
    item.into_iter().collect()
}

/// The text of a single string item (a System String or the value of a FHIR primitive);
/// `None` for an empty collection.
fn string_of<'c, 'a>(c: &'c [Item<'a>]) -> Result<Option<Cow<'c, str>>, EvalError> {
    let Some(item) = singleton(c)? else {
        return Ok(None);
    };
    match item {
        Item::String(s) => Ok(Some(Cow::Borrowed(&**s))),
        Item::Node(node) if node.ty.is_primitive() || node.ty.def.is_none() => match node.value {
            Some(Value::String(s)) => Ok(Some(Cow::Borrowed(s.as_str()))),
            Some(Value::Number(_) | Value::Bool(_)) => Ok(Some(Cow::Owned(item.to_string()))),
            _ => Ok(None),
        },
        other => Err(EvalError::new(format!(
            "expected a string, found {}",
            other.type_info().name
        ))),
    }
}

fn integer_of(c: &[Item<'_>]) -> Result<Option<i64>, EvalError> {
    match singleton(c)?.and_then(Item::to_system) {
        None => Ok(None),
        Some(Item::Integer(i)) => Ok(Some(i)),
        Some(other) => Err(EvalError::new(format!(
            "expected an integer, found {}",
            other.type_info().name
        ))),
    }
}

fn text<'a>(s: String) -> Item<'a> {
    Item::String(Str::owned(s))
}

/// The System value of the single input item.
fn system_of<'a>(c: &[Item<'a>]) -> Result<Option<Item<'a>>, EvalError> {
    Ok(singleton(c)?.and_then(Item::to_system))
}

pub(crate) fn call<'a>(call: &'a Call, env: &Env<'_, 'a, '_>) -> Result<Collection<'a>, EvalError> {
    let input: Collection<'a> = match &call.focus {
        Some(focus) => eval(focus, env)?,
        None => env.this.iter().cloned().collect(),
    };
    if call.func.iterates() {
        return iterating(call, input, env);
    }
    // The functions invariants use most, kept out of the large frame of the others.
    Ok(match call.func {
        Func::Empty => boolean(input.is_empty()),
        Func::Count => one(Item::Integer(input.len() as i64)),
        Func::Not => match truth(&input)? {
            Some(b) => boolean(!b),
            None => Collection::new(),
        },
        Func::First => optional(input.into_iter().next()),
        Func::HasValue => boolean(matches!(
            singleton(&input),
            Ok(Some(Item::Node(node))) if node.ty.is_primitive() && node.value.is_some()
        )),
        _ => other(call, input, env)?,
    })
}

#[inline(never)]
fn other<'a>(
    call: &'a Call,
    input: Collection<'a>,
    env: &Env<'_, 'a, '_>,
) -> Result<Collection<'a>, EvalError> {
    let args = &call.args;
    let arg = |i: usize| eval(&args[i], env);
    Ok(match call.func {
        Func::AllTrue | Func::AnyTrue | Func::AllFalse | Func::AnyFalse => {
            let mut values = Vec::with_capacity(input.len());
            for item in &input {
                match item.to_system() {
                    Some(Item::Boolean(b)) => values.push(b),
                    _ => return Err(EvalError::new("expected booleans")),
                }
            }
            boolean(match call.func {
                Func::AllTrue => values.iter().all(|b| *b),
                Func::AnyTrue => values.iter().any(|b| *b),
                Func::AllFalse => values.iter().all(|b| !*b),
                _ => values.iter().any(|b| !*b),
            })
        }
        Func::SubsetOf | Func::SupersetOf => {
            let other = arg(0)?;
            let (small, large) = if call.func == Func::SubsetOf {
                (&input, &other)
            } else {
                (&other, &input)
            };
            boolean(
                small
                    .iter()
                    .all(|x| large.iter().any(|y| ops::equal(x, y) == Some(true))),
            )
        }
        Func::Distinct => {
            let mut out = Collection::new();
            for item in input {
                push_distinct(&mut out, item);
            }
            out
        }
        Func::IsDistinct => {
            let len = input.len();
            let mut out = Collection::new();
            for item in input {
                push_distinct(&mut out, item);
            }
            boolean(out.len() == len)
        }
        Func::OfType => {
            let ty = resolve_type(call.type_arg.as_ref().ok_or_else(missing_type)?)?;
            input
                .into_iter()
                .filter(|item| is_of_type(item, &ty, true))
                .collect()
        }
        Func::Is => {
            let ty = resolve_type(call.type_arg.as_ref().ok_or_else(missing_type)?)?;
            match singleton(&input)? {
                None => Collection::new(),
                Some(item) => boolean(is_of_type(item, &ty, false)),
            }
        }
        Func::As => cast(input, call.type_arg.as_ref().ok_or_else(missing_type)?, env)?,
        Func::Single => optional(singleton(&input)?.cloned()),
        Func::Last => optional(input.into_iter().last()),
        Func::Tail => input.into_iter().skip(1).collect(),
        Func::Skip | Func::Take => {
            let n = integer_of(&arg(0)?)?.unwrap_or(0).max(0) as usize;
            if call.func == Func::Skip {
                input.into_iter().skip(n).collect()
            } else {
                input.into_iter().take(n).collect()
            }
        }
        Func::Intersect => {
            let other = arg(0)?;
            let mut out = Collection::new();
            for item in input {
                if other.iter().any(|o| ops::equal(o, &item) == Some(true)) {
                    push_distinct(&mut out, item);
                }
            }
            out
        }
        Func::Exclude => {
            let other = arg(0)?;
            input
                .into_iter()
                .filter(|item| !other.iter().any(|o| ops::equal(o, item) == Some(true)))
                .collect()
        }
        Func::Union => {
            let mut out = Collection::new();
            for item in input.into_iter().chain(arg(0)?) {
                push_distinct(&mut out, item);
            }
            out
        }
        Func::Combine => {
            let mut out = input;
            out.extend(arg(0)?);
            out
        }
        Func::Iif => {
            if input.len() > 1 {
                return Err(EvalError::new("iif() on more than one item"));
            }
            let inner = Env {
                ctx: env.ctx,
                this: if call.focus.is_some() {
                    &input
                } else {
                    env.this
                },
                context: env.context,
                index: env.index,
                total: env.total,
            };
            let criterion = eval(&args[0], &inner)?;
            let condition = match singleton(&criterion)? {
                None => false,
                Some(item) => match item.to_system() {
                    Some(Item::Boolean(b)) => b,
                    _ => return Err(EvalError::new("the criterion of iif() must be a boolean")),
                },
            };
            if condition {
                eval(&args[1], &inner)?
            } else if let Some(otherwise) = args.get(2) {
                eval(otherwise, &inner)?
            } else {
                Collection::new()
            }
        }
        Func::ToBoolean => optional(system_of(&input)?.and_then(to_boolean).map(Item::Boolean)),
        Func::ConvertsToBoolean => converts(&input, |i| to_boolean(i).is_some())?,
        Func::ToInteger => optional(system_of(&input)?.and_then(to_integer).map(Item::Integer)),
        Func::ConvertsToInteger => converts(&input, |i| to_integer(i).is_some())?,
        Func::ToDecimal => optional(system_of(&input)?.and_then(to_decimal).map(Item::Decimal)),
        Func::ConvertsToDecimal => converts(&input, |i| to_decimal(i).is_some())?,
        Func::ToString => optional(system_of(&input)?.map(|i| text(i.to_string()))),
        Func::ConvertsToString => converts(&input, |_| true)?,
        Func::ToDate => optional(system_of(&input)?.and_then(to_date).map(Item::Date)),
        Func::ConvertsToDate => converts(&input, |i| to_date(i).is_some())?,
        Func::ToDateTime => optional(system_of(&input)?.and_then(to_datetime).map(Item::DateTime)),
        Func::ConvertsToDateTime => converts(&input, |i| to_datetime(i).is_some())?,
        Func::ToTime => optional(system_of(&input)?.and_then(to_time).map(Item::Time)),
        Func::ConvertsToTime => converts(&input, |i| to_time(i).is_some())?,
        Func::ToQuantity | Func::ConvertsToQuantity => {
            let unit = match args.first() {
                Some(_) => string_of(&arg(0)?)?.map(Cow::into_owned),
                None => None,
            };
            let Some(value) = system_of(&input)? else {
                return Ok(Collection::new());
            };
            let quantity = to_quantity(value).and_then(|q| match &unit {
                None => Some(q),
                Some(unit) => {
                    let target = Quantity::new(Decimal::new(1, 0), Str::owned(unit.clone()));
                    target
                        .convert(&q)
                        .map(|v| Quantity::new(v, Str::owned(unit.clone())))
                }
            });
            if call.func == Func::ToQuantity {
                optional(quantity.map(Item::Quantity))
            } else {
                boolean(quantity.is_some())
            }
        }
        Func::IndexOf
        | Func::StartsWith
        | Func::EndsWith
        | Func::Contains
        | Func::Split
        | Func::Encode
        | Func::Decode
        | Func::Escape
        | Func::Unescape => {
            let Some(s) = string_of(&input)? else {
                return Ok(Collection::new());
            };
            let argument = arg(0)?;
            let Some(a) = string_of(&argument)? else {
                return Ok(Collection::new());
            };
            match call.func {
                Func::IndexOf => one(Item::Integer(
                    s.find(&*a)
                        .map_or(-1, |byte| s[..byte].chars().count() as i64),
                )),
                Func::StartsWith => boolean(s.starts_with(&*a)),
                Func::EndsWith => boolean(s.ends_with(&*a)),
                Func::Contains => boolean(s.contains(&*a)),
                Func::Split => s.split(&*a).map(|part| text(part.to_owned())).collect(),
                Func::Encode => optional(encode(&s, &a).map(text)),
                Func::Decode => optional(decode(&s, &a).map(text)),
                Func::Escape => optional(escape(&s, &a).map(text)),
                _ => optional(unescape(&s, &a).map(text)),
            }
        }
        Func::Substring => {
            let Some(s) = string_of(&input)? else {
                return Ok(Collection::new());
            };
            let Some(start) = integer_of(&arg(0)?)? else {
                return Ok(Collection::new());
            };
            let length = match args.get(1) {
                Some(_) => integer_of(&arg(1)?)?,
                None => None,
            };
            let count = s.chars().count() as i64;
            if start < 0 || start >= count {
                return Ok(Collection::new());
            }
            let take = length.unwrap_or(count).max(0) as usize;
            one(text(s.chars().skip(start as usize).take(take).collect()))
        }
        Func::Upper | Func::Lower | Func::Trim | Func::Length | Func::ToChars => {
            let Some(s) = string_of(&input)? else {
                return Ok(Collection::new());
            };
            match call.func {
                Func::Upper => one(text(s.to_uppercase())),
                Func::Lower => one(text(s.to_lowercase())),
                Func::Trim => one(text(s.trim().to_owned())),
                Func::Length => one(Item::Integer(s.chars().count() as i64)),
                _ => s.chars().map(|c| text(c.to_string())).collect(),
            }
        }
        Func::Replace => {
            let Some(s) = string_of(&input)? else {
                return Ok(Collection::new());
            };
            let (pattern, substitution) = (arg(0)?, arg(1)?);
            match (string_of(&pattern)?, string_of(&substitution)?) {
                (Some(p), Some(r)) => one(text(s.replace(&*p, &r))),
                _ => Collection::new(),
            }
        }
        Func::Matches | Func::MatchesFull => {
            let Some(s) = string_of(&input)? else {
                return Ok(Collection::new());
            };
            let pattern = arg(0)?;
            match regex_for(call, &pattern)? {
                Some(regex) => boolean(regex.is_match(&s)),
                None => Collection::new(),
            }
        }
        Func::ReplaceMatches => {
            let Some(s) = string_of(&input)? else {
                return Ok(Collection::new());
            };
            let (pattern, substitution) = (arg(0)?, arg(1)?);
            let Some(r) = string_of(&substitution)? else {
                return Ok(Collection::new());
            };
            if string_of(&pattern)?.is_some_and(|p| p.is_empty()) {
                return Ok(one(text(s.into_owned())));
            }
            match regex_for(call, &pattern)? {
                Some(regex) => one(text(regex.replace_all(&s, &*r).into_owned())),
                None => Collection::new(),
            }
        }
        Func::Join => {
            let separator = match args.first() {
                Some(_) => string_of(&arg(0)?)?
                    .map(Cow::into_owned)
                    .unwrap_or_default(),
                None => String::new(),
            };
            let mut parts = Vec::with_capacity(input.len());
            for item in &input {
                parts.push(
                    string_of(std::slice::from_ref(item))?
                        .unwrap_or_default()
                        .into_owned(),
                );
            }
            one(text(parts.join(&separator)))
        }
        Func::Abs
        | Func::Ceiling
        | Func::Floor
        | Func::Truncate
        | Func::Exp
        | Func::Ln
        | Func::Sqrt => optional(math(call.func, system_of(&input)?)?),
        Func::Round => {
            let places = match args.first() {
                Some(_) => integer_of(&arg(0)?)?.unwrap_or(0),
                None => 0,
            };
            let places = u8::try_from(places)
                .map_err(|_| EvalError::new("round() needs a precision of 0 or more"))?;
            optional(match system_of(&input)? {
                None => None,
                Some(Item::Integer(i)) => Some(Item::Integer(i)),
                Some(Item::Decimal(d)) => Some(Item::Decimal(d.round(places))),
                Some(_) => return Err(EvalError::new("round() needs a number")),
            })
        }
        Func::Log | Func::Power => {
            let (Some(x), Some(y)) = (system_of(&input)?, system_of(&arg(0)?)?) else {
                return Ok(Collection::new());
            };
            optional(log_or_power(call.func, &x, &y)?)
        }
        Func::Children | Func::Descendants => {
            let mut out = Collection::new();
            for item in &input {
                if let Item::Node(node) = item {
                    if call.func == Func::Children {
                        navigate::children(node, &mut out);
                    } else {
                        navigate::descendants(node, &mut out);
                    }
                }
            }
            out
        }
        Func::Trace => {
            if let Some(tracer) = env.ctx.tracer {
                let name = string_of(&arg(0)?)?.unwrap_or_default().into_owned();
                match args.get(1) {
                    Some(projection) => {
                        let mut projected = Collection::new();
                        for (i, item) in input.iter().enumerate() {
                            projected.extend(eval(projection, &env.iteration(item, i))?);
                        }
                        tracer(&name, &projected);
                    }
                    None => tracer(&name, &input),
                }
            }
            input
        }
        Func::Now => one(Item::DateTime(env.ctx.now())),
        Func::Today => one(Item::Date(env.ctx.now().to_date())),
        Func::TimeOfDay => optional(env.ctx.now().time().map(Item::Time)),
        Func::Type => input.iter().map(|i| Item::Type(i.type_info())).collect(),
        Func::LowBoundary | Func::HighBoundary => {
            let digits = match args.first() {
                Some(_) => integer_of(&arg(0)?)?,
                None => None,
            };
            optional(boundary(
                system_of(&input)?,
                digits,
                call.func == Func::HighBoundary,
            ))
        }
        Func::Precision => optional(match system_of(&input)? {
            Some(Item::Decimal(d)) => Some(Item::Integer(i64::from(d.scale()))),
            Some(Item::Integer(_)) => Some(Item::Integer(0)),
            Some(Item::Date(d) | Item::DateTime(d)) => Some(Item::Integer(d.precision_digits())),
            Some(Item::Time(t)) => Some(Item::Integer(t.precision_digits())),
            _ => None,
        }),
        Func::Comparable => match (system_of(&input)?, system_of(&arg(0)?)?) {
            (Some(Item::Quantity(a)), Some(Item::Quantity(b))) => boolean(a.comparable(&b)),
            (None, _) | (_, None) => Collection::new(),
            _ => return Err(EvalError::new("comparable() needs quantities")),
        },
        Func::Extension => {
            let url = arg(0)?;
            let Some(url) = string_of(&url)? else {
                return Ok(Collection::new());
            };
            let mut extensions = Collection::new();
            let name = call
                .member
                .as_ref()
                .ok_or_else(|| EvalError::new("extension() without name"))?;
            members(&input, name, &mut extensions);
            extensions
                .into_iter()
                .filter(|ext| {
                    ext.as_node()
                        .and_then(|n| n.value)
                        .and_then(|v| v.get("url"))
                        .and_then(Value::as_str)
                        == Some(&*url)
                })
                .collect()
        }
        Func::GetValue => match singleton(&input)? {
            Some(Item::Node(node)) if node.ty.is_primitive() => {
                optional(Item::Node(*node).to_system())
            }
            _ => Collection::new(),
        },
        Func::Resolve => {
            let mut out = Collection::new();
            for item in &input {
                let reference = match item {
                    Item::Node(node) if !node.ty.is_primitive() && node.ty.def.is_some() => node
                        .value
                        .and_then(|v| v.get("reference"))
                        .and_then(Value::as_str),
                    Item::Node(node) => node.value.and_then(Value::as_str),
                    Item::String(s) => {
                        if let Some(found) = resolve(s, env) {
                            out.push(found);
                        }
                        None
                    }
                    _ => None,
                };
                if let Some(found) = reference.and_then(|r| resolve(r, env)) {
                    out.push(found);
                }
            }
            out
        }
        Func::HtmlChecks => boolean(input.iter().all(|item| {
            item.as_node()
                .and_then(|n| n.value)
                .and_then(Value::as_str)
                .is_some_and(|html| html.trim_start().starts_with("<div"))
        })),
        Func::ConformsTo => {
            let url = arg(0)?;
            let Some(url) = string_of(&url)? else {
                return Ok(Collection::new());
            };
            let ty = url
                .strip_prefix("http://hl7.org/fhir/StructureDefinition/")
                .and_then(FhirType::named)
                .ok_or_else(|| EvalError::new(format!("cannot check conformance to {url}")))?;
            match singleton(&input)? {
                Some(Item::Node(node)) => boolean(node.ty.is_a(ty.name)),
                Some(_) => boolean(false),
                None => Collection::new(),
            }
        }
        Func::MemberOf => {
            let url = arg(0)?;
            let (Some(url), Some(item), Some(member_of)) =
                (string_of(&url)?, singleton(&input)?, env.ctx.member_of)
            else {
                return Ok(Collection::new());
            };
            optional(member_of(item, &url).map(Item::Boolean))
        }
        Func::Empty
        | Func::Count
        | Func::Not
        | Func::First
        | Func::HasValue
        | Func::Exists
        | Func::All
        | Func::Where
        | Func::Select
        | Func::Repeat
        | Func::Aggregate
        | Func::Sort => unreachable!("evaluated by call() or iterating()"),
    })
}

fn missing_type() -> EvalError {
    EvalError::new("a type is required")
}

/// The compiled pattern: the one compiled at parse time, or the argument compiled now.
fn regex_for<'r>(
    call: &'r Call,
    pattern: &[Item<'_>],
) -> Result<Option<Cow<'r, Regex>>, EvalError> {
    if let Some(regex) = &call.regex {
        return Ok(Some(Cow::Borrowed(regex)));
    }
    match string_of(pattern)? {
        None => Ok(None),
        Some(p) => compile_regex(call.func, &p)
            .map(|r| Some(Cow::Owned(r)))
            .map_err(|e| EvalError::new(format!("bad regular expression: {e}"))),
    }
}

/// The functions that evaluate their argument per input item.
fn iterating<'a>(
    call: &'a Call,
    input: Collection<'a>,
    env: &Env<'_, 'a, '_>,
) -> Result<Collection<'a>, EvalError> {
    let args = &call.args;
    Ok(match call.func {
        Func::Exists if args.is_empty() => boolean(!input.is_empty()),
        Func::Exists | Func::All => {
            let want_all = call.func == Func::All;
            for (i, item) in input.iter().enumerate() {
                let holds = truth(&eval(&args[0], &env.iteration(item, i))?)? == Some(true);
                if holds != want_all {
                    return Ok(boolean(!want_all));
                }
            }
            boolean(want_all)
        }
        Func::Where => {
            let mut out = Collection::new();
            for (i, item) in input.iter().enumerate() {
                if truth(&eval(&args[0], &env.iteration(item, i))?)? == Some(true) {
                    out.push(item.clone());
                }
            }
            out
        }
        Func::Select => {
            let mut out = Collection::new();
            for (i, item) in input.iter().enumerate() {
                out.extend(eval(&args[0], &env.iteration(item, i))?);
            }
            out
        }
        Func::Repeat => {
            let mut out = Collection::new();
            let mut current = input;
            while !current.is_empty() {
                let mut next = Collection::new();
                for (i, item) in current.iter().enumerate() {
                    for found in eval(&args[0], &env.iteration(item, i))? {
                        let before = out.len();
                        push_distinct(&mut out, found);
                        if out.len() > before {
                            next.push(out[before].clone());
                        }
                    }
                }
                current = next;
            }
            out
        }
        Func::Aggregate => {
            let mut total: Collection<'a> = match args.get(1) {
                Some(init) => eval(init, env)?,
                None => Collection::new(),
            };
            for (i, item) in input.iter().enumerate() {
                let step = Env {
                    ctx: env.ctx,
                    this: std::slice::from_ref(item),
                    context: env.context,
                    index: Some(i),
                    total: Some(&total),
                };
                total = eval(&args[0], &step)?;
            }
            total
        }
        _ => sort(args, input, env)?,
    })
}

/// `sort()`: by the items themselves, or by key expressions (`-key` sorts descending).
fn sort<'a>(
    keys: &'a [Ast],
    input: Collection<'a>,
    env: &Env<'_, 'a, '_>,
) -> Result<Collection<'a>, EvalError> {
    let order =
        |a: &Item<'_>, b: &Item<'_>| ops::compare(a, b).ok().flatten().unwrap_or(Ordering::Equal);
    if keys.is_empty() {
        let mut items: Vec<Item<'a>> = input.into_vec();
        items.sort_by(|a, b| order(a, b));
        return Ok(items.into_iter().collect());
    }
    let mut keyed = Vec::with_capacity(input.len());
    for (i, item) in input.iter().enumerate() {
        let mut values = Vec::with_capacity(keys.len());
        for key in keys {
            let (expr, _) = descending(key);
            values.push(eval(expr, &env.iteration(item, i))?.into_iter().next());
        }
        keyed.push((values, item.clone()));
    }
    keyed.sort_by(|(a, _), (b, _)| {
        for ((x, y), key) in a.iter().zip(b).zip(keys) {
            // Items without a key come first, in either direction.
            let o = match (x, y) {
                (Some(x), Some(y)) if descending(key).1 => order(x, y).reverse(),
                (Some(x), Some(y)) => order(x, y),
                (None, Some(_)) => Ordering::Less,
                (Some(_), None) => Ordering::Greater,
                (None, None) => Ordering::Equal,
            };
            if o != Ordering::Equal {
                return o;
            }
        }
        Ordering::Equal
    });
    Ok(keyed.into_iter().map(|(_, item)| item).collect())
}

fn descending(key: &Ast) -> (&Ast, bool) {
    match key {
        Ast::Negate(inner) => (inner, true),
        other => (other, false),
    }
}

fn converts<'a>(
    input: &[Item<'a>],
    f: impl Fn(Item<'a>) -> bool,
) -> Result<Collection<'a>, EvalError> {
    Ok(match system_of(input)? {
        Some(item) => boolean(f(item)),
        None => Collection::new(),
    })
}

fn to_boolean(item: Item<'_>) -> Option<bool> {
    match item {
        Item::Boolean(b) => Some(b),
        Item::Integer(1) => Some(true),
        Item::Integer(0) => Some(false),
        Item::Decimal(d) if d == Decimal::new(1, 0) => Some(true),
        Item::Decimal(d) if d.is_zero() => Some(false),
        Item::String(s) => match s.to_ascii_lowercase().as_str() {
            "true" | "t" | "yes" | "y" | "1" | "1.0" => Some(true),
            "false" | "f" | "no" | "n" | "0" | "0.0" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

fn to_integer(item: Item<'_>) -> Option<i64> {
    match item {
        Item::Integer(i) => Some(i),
        Item::Boolean(b) => Some(i64::from(b)),
        Item::String(s) => {
            let digits = s.strip_prefix(['+', '-']).unwrap_or(&s);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            s.parse().ok()
        }
        _ => None,
    }
}

fn to_decimal(item: Item<'_>) -> Option<Decimal> {
    match item {
        Item::Integer(i) => Some(Decimal::from_int(i)),
        Item::Decimal(d) => Some(d),
        Item::Boolean(b) => Some(Decimal::new(i128::from(b) * 10, 1)),
        Item::String(s) if !s.contains(['e', 'E']) => Decimal::parse(&s),
        _ => None,
    }
}

fn to_date(item: Item<'_>) -> Option<DateTime> {
    match item {
        Item::Date(d) => Some(d),
        Item::DateTime(d) => Some(d.to_date()),
        Item::String(s) => {
            DateTime::parse_date(&s).or_else(|| DateTime::parse_datetime(&s).map(DateTime::to_date))
        }
        _ => None,
    }
}

fn to_datetime(item: Item<'_>) -> Option<DateTime> {
    match item {
        Item::Date(d) | Item::DateTime(d) => Some(d),
        Item::String(s) => DateTime::parse_datetime(&s),
        _ => None,
    }
}

fn to_time(item: Item<'_>) -> Option<Time> {
    match item {
        Item::Time(t) => Some(t),
        Item::String(s) => Time::parse(&s),
        _ => None,
    }
}

/// A quantity from a number, a quantity or text like `1 day` or `4.5 'mg'`.
fn to_quantity(item: Item<'_>) -> Option<Quantity<'_>> {
    match item {
        Item::Integer(i) => Some(Quantity::new(Decimal::from_int(i), Str::Borrowed("1"))),
        Item::Decimal(d) => Some(Quantity::new(d, Str::Borrowed("1"))),
        Item::Boolean(b) => Some(Quantity::new(
            Decimal::new(i128::from(b), 0),
            Str::Borrowed("1"),
        )),
        Item::Quantity(q) => Some(q),
        Item::String(s) => {
            let s = s.trim();
            let (number, unit) = s.split_once(' ').unwrap_or((s, ""));
            let value = Decimal::parse(number)?;
            let unit = unit.trim();
            let unit = if unit.is_empty() {
                "1".to_owned()
            } else if let Some(quoted) = unit.strip_prefix('\'').and_then(|u| u.strip_suffix('\''))
            {
                quoted.to_owned()
            } else if is_calendar_keyword(unit) {
                unit.to_owned()
            } else {
                return None;
            };
            Some(Quantity::new(value, Str::owned(unit)))
        }
        _ => None,
    }
}

fn math<'a>(func: Func, value: Option<Item<'a>>) -> Result<Option<Item<'a>>, EvalError> {
    let Some(value) = value else {
        return Ok(None);
    };
    let float = |d: Decimal, f: fn(f64) -> f64| Decimal::from_f64(f(d.to_f64())).map(Item::Decimal);
    Ok(match (func, value) {
        (Func::Abs, Item::Integer(i)) => i.checked_abs().map(Item::Integer),
        (Func::Abs, Item::Decimal(d)) => Some(Item::Decimal(d.abs())),
        (Func::Abs, Item::Quantity(q)) => {
            Some(Item::Quantity(Quantity::new(q.value.abs(), q.unit)))
        }
        (Func::Ceiling | Func::Floor | Func::Truncate, Item::Integer(i)) => Some(Item::Integer(i)),
        (Func::Ceiling, Item::Decimal(d)) => d.ceiling().to_integer().map(Item::Integer),
        (Func::Floor, Item::Decimal(d)) => d.floor().to_integer().map(Item::Integer),
        (Func::Truncate, Item::Decimal(d)) => d.truncate(0).to_integer().map(Item::Integer),
        (Func::Exp | Func::Ln | Func::Sqrt, Item::Integer(i)) => {
            math(func, Some(Item::Decimal(Decimal::from_int(i))))?
        }
        (Func::Exp, Item::Decimal(d)) => float(d, f64::exp),
        (Func::Ln, Item::Decimal(d)) => float(d, f64::ln),
        (Func::Sqrt, Item::Decimal(d)) => float(d, f64::sqrt),
        (_, other) => {
            return Err(EvalError::new(format!(
                "{func:?} needs a number, found {}",
                other.type_info().name
            )))
        }
    })
}

fn log_or_power<'a>(func: Func, x: &Item<'a>, y: &Item<'a>) -> Result<Option<Item<'a>>, EvalError> {
    let number = |i: &Item<'_>| match i {
        Item::Integer(i) => Ok(Decimal::from_int(*i)),
        Item::Decimal(d) => Ok(*d),
        other => Err(EvalError::new(format!(
            "expected a number, found {}",
            other.type_info().name
        ))),
    };
    let (a, b) = (number(x)?, number(y)?);
    if func == Func::Log {
        return Ok(Decimal::from_f64(a.to_f64().ln() / b.to_f64().ln()).map(Item::Decimal));
    }
    if let (Item::Integer(base), Item::Integer(exponent)) = (x, y) {
        if let Ok(exponent) = u32::try_from(*exponent) {
            return Ok(base.checked_pow(exponent).map(Item::Integer));
        }
    }
    if let Some(exponent) = b.to_integer().and_then(|e| u32::try_from(e).ok()) {
        return Ok(a.powi(exponent).map(Item::Decimal));
    }
    Ok(Decimal::from_f64(a.to_f64().powf(b.to_f64())).map(Item::Decimal))
}

/// `lowBoundary()` / `highBoundary()`: the least or greatest value the input could stand
/// for given its precision, written to `digits`.
fn boundary<'a>(value: Option<Item<'a>>, digits: Option<i64>, high: bool) -> Option<Item<'a>> {
    fn decimal(d: Decimal, digits: Option<i64>, high: bool) -> Option<Decimal> {
        let places = u8::try_from(digits.unwrap_or(8)).ok()?;
        if places > MAX_SCALE {
            return None;
        }
        if d.is_negative() {
            return decimal(d.negated(), digits, !high).map(Decimal::negated);
        }
        let edge = if high {
            d.checked_add(d.half_ulp())?.round(places)
        } else {
            d.checked_sub(d.half_ulp())?.truncate(places)
        };
        edge.with_scale(places)
    }
    match value? {
        Item::Integer(i) => decimal(Decimal::from_int(i), digits, high).map(Item::Decimal),
        Item::Decimal(d) => decimal(d, digits, high).map(Item::Decimal),
        Item::Quantity(q) => {
            decimal(q.value, digits, high).map(|v| Item::Quantity(Quantity::new(v, q.unit)))
        }
        Item::Date(d) => d.boundary(digits.unwrap_or(8), high, true).map(Item::Date),
        Item::DateTime(d) => {
            let b = d.boundary(digits.unwrap_or(17), high, false)?;
            Some(if b.time().is_some() {
                Item::DateTime(b)
            } else {
                Item::Date(b)
            })
        }
        Item::Time(t) => t.boundary(digits.unwrap_or(9), high).map(Item::Time),
        _ => None,
    }
}

/// The resource a reference points to: contained (`#id`) in `%resource`, an entry of the
/// Bundle that is `%rootResource` (by full URL or `Type/id`), or what the resolver finds.
fn resolve<'a>(reference: &str, env: &Env<'_, 'a, '_>) -> Option<Item<'a>> {
    let resource_value = |item: &Option<Item<'a>>| item.as_ref()?.as_node()?.value;
    if let Some(id) = reference.strip_prefix('#') {
        let contained = resource_value(&env.ctx.resource)?
            .get("contained")?
            .as_array()?;
        return contained
            .iter()
            .find(|r| r.get("id").and_then(Value::as_str) == Some(id))
            .map(|r| Item::Node(Node::resource(r)));
    }
    if let Some(bundle) = resource_value(&env.ctx.root)
        .filter(|r| r.get("resourceType").and_then(Value::as_str) == Some("Bundle"))
    {
        let entries = bundle.get("entry").and_then(Value::as_array);
        let relative = reference
            .rsplit_once('/')
            .and_then(|(head, id)| Some((head.rsplit('/').next()?, id)));
        for entry in entries.into_iter().flatten() {
            let Some(resource) = entry.get("resource") else {
                continue;
            };
            let full_url = entry.get("fullUrl").and_then(Value::as_str);
            let by_type_and_id = relative.is_some_and(|(ty, id)| {
                resource.get("resourceType").and_then(Value::as_str) == Some(ty)
                    && resource.get("id").and_then(Value::as_str) == Some(id)
            });
            if full_url == Some(reference) || (by_type_and_id && !reference.contains("://")) {
                return Some(Item::Node(Node::resource(resource)));
            }
        }
    }
    let resolver = env.ctx.resolver?;
    resolver(reference).map(|r| Item::Node(Node::resource(r)))
}

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const BASE64_URL: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

fn base64_encode(bytes: &[u8], alphabet: &[u8; 64]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, b)| acc | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(alphabet[(n >> (18 - 6 * i) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// `bytes` in standard base64 (RFC 4648, padded), as FHIR's `base64Binary` holds them.
pub fn encode_base64(bytes: &[u8]) -> String {
    base64_encode(bytes, BASE64)
}

/// Standard base64 (RFC 4648, padding optional) decoded, as FHIR's `base64Binary` holds it.
pub fn decode_base64(text: &str) -> Option<Vec<u8>> {
    base64_decode(text.trim(), BASE64)
}

fn base64_decode(text: &str, alphabet: &[u8; 64]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    let (mut buffer, mut bits) = (0u32, 0);
    for b in text.bytes().filter(|b| *b != b'=') {
        let value = alphabet.iter().position(|a| *a == b)? as u32;
        buffer = buffer << 6 | value;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits & 0xff) as u8);
        }
    }
    Some(out)
}

fn encode(s: &str, format: &str) -> Option<String> {
    match format {
        "base64" => Some(base64_encode(s.as_bytes(), BASE64)),
        "urlbase64" => Some(base64_encode(s.as_bytes(), BASE64_URL)),
        "hex" => Some(s.bytes().map(|b| format!("{b:02x}")).collect()),
        _ => None,
    }
}

fn decode(s: &str, format: &str) -> Option<String> {
    let bytes = match format {
        "base64" => base64_decode(s, BASE64)?,
        "urlbase64" => base64_decode(s, BASE64_URL)?,
        "hex" => (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
            .collect::<Option<Vec<u8>>>()?,
        _ => return None,
    };
    String::from_utf8(bytes).ok()
}

fn escape(s: &str, format: &str) -> Option<String> {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match (format, c) {
            ("html", '&') => out.push_str("&amp;"),
            ("html", '<') => out.push_str("&lt;"),
            ("html", '>') => out.push_str("&gt;"),
            ("html", '"') => out.push_str("&quot;"),
            ("html", '\'') => out.push_str("&#39;"),
            ("json", '"') => out.push_str("\\\""),
            ("json", '\\') => out.push_str("\\\\"),
            ("json", '\n') => out.push_str("\\n"),
            ("json", '\r') => out.push_str("\\r"),
            ("json", '\t') => out.push_str("\\t"),
            ("html" | "json", c) => out.push(c),
            _ => return None,
        }
    }
    Some(out)
}

fn unescape(s: &str, format: &str) -> Option<String> {
    match format {
        "html" => Some(
            s.replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&#39;", "'")
                .replace("&apos;", "'")
                .replace("&amp;", "&"),
        ),
        "json" => {
            let mut out = String::with_capacity(s.len());
            let mut chars = s.chars();
            while let Some(c) = chars.next() {
                if c != '\\' {
                    out.push(c);
                    continue;
                }
                match chars.next()? {
                    'n' => out.push('\n'),
                    'r' => out.push('\r'),
                    't' => out.push('\t'),
                    other => out.push(other),
                }
            }
            Some(out)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trip() {
        assert_eq!(encode("subjects?_d", "base64").unwrap(), "c3ViamVjdHM/X2Q=");
        assert_eq!(
            encode("subjects?_d", "urlbase64").unwrap(),
            "c3ViamVjdHM_X2Q="
        );
        assert_eq!(decode("dGVzdA==", "base64").unwrap(), "test");
        assert_eq!(decode("74657374", "hex").unwrap(), "test");
    }

    #[test]
    fn decimal_boundaries() {
        let d = |s: &str| Some(Item::Decimal(Decimal::parse(s).unwrap()));
        let show = |i: Option<Item<'_>>| i.map(|i| i.to_string()).unwrap_or_default();
        assert_eq!(show(boundary(d("1.587"), None, false)), "1.58650000");
        assert_eq!(show(boundary(d("1.587"), Some(2), true)), "1.59");
        assert_eq!(show(boundary(d("-1.587"), Some(2), false)), "-1.59");
        assert_eq!(show(boundary(d("120"), Some(2), false)), "119.50");
        assert_eq!(show(boundary(d("0.0034"), Some(1), true)), "0.0");
        assert!(boundary(d("1.587"), Some(39), true).is_none());
    }
}
