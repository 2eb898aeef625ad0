//! What a search parameter indexes of a resource: its expression evaluated on the resource,
//! each value turned into what searches of the parameter's type compare against.

use crate::params::{Kind, Param};
use crate::text::normalize;
use foldhash::HashMap;
use serde_json::{Map, Value};
use std::sync::OnceLock;
use zorgplan_fhir::r4::RESOURCE_TYPES;
use zorgplan_fhir::references::parse_local;
use zorgplan_fhirpath::datetime::DateTime;
use zorgplan_fhirpath::{Context, EvalError, Item, Node};

/// One indexed value.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum IndexValue {
    /// A code in a system (`None`: a code without one): Coding, CodeableConcept, Identifier,
    /// ContactPoint, code, boolean, string and id values.
    Token {
        system: Option<String>,
        code: String,
    },
    /// The text of a CodeableConcept or the display of a Coding, normalised (`:text`).
    TokenText(String),
    /// An Identifier with its type (`:of-type`): the type's system and code, and the value.
    TypedIdentifier {
        type_system: String,
        type_code: String,
        value: String,
    },
    /// The identifier of a logical reference (`Reference.identifier`, `:identifier`).
    ReferenceIdentifier {
        system: Option<String>,
        value: String,
    },
    /// A string, normalised (`normalize`) and as written (`:exact`).
    String { normalized: String, exact: String },
    /// A reference: to a resource of this server (`Type/id`) and/or by URL (absolute
    /// references, canonicals).
    Reference {
        res_type: Option<String>,
        id: Option<String>,
        url: Option<String>,
    },
    /// The instants a date, dateTime, instant, Period or Timing covers, as microseconds since
    /// the epoch (UTC), first and last; an open end is `i64::MIN` / `i64::MAX`.
    Date { low: i64, high: i64 },
    /// A number, as written.
    Number(String),
    /// A quantity: value as written, and its system, code and unit when given.
    Quantity {
        value: String,
        system: Option<String>,
        code: Option<String>,
        unit: Option<String>,
    },
    /// A URI, as written.
    Uri(String),
}

/// A resource of each type with nothing but its `resourceType`: what `resolve()` answers
/// during extraction, so that `subject.where(resolve() is Patient)` selects by the
/// reference's type without reading the target.
fn stub(res_type: &str) -> Option<&'static Value> {
    static STUBS: OnceLock<HashMap<&'static str, Value>> = OnceLock::new();
    STUBS
        .get_or_init(|| {
            RESOURCE_TYPES
                .iter()
                .map(|t| (t.name, serde_json::json!({"resourceType": t.name})))
                .collect()
        })
        .get(res_type)
}

/// The type a reference names: `Type/id`, or the last two segments of an absolute URL.
fn referenced_type(reference: &str) -> Option<&str> {
    if let Some((res_type, _, _)) = parse_local(reference) {
        return Some(res_type);
    }
    let path = reference.split("/_history/").next()?;
    let mut segments = path.rsplit('/');
    let _id = segments.next()?;
    segments.next()
}

/// Every value `param` indexes of `resource`, sorted and without repeats; an error when its
/// expression cannot be evaluated on the resource.
pub fn extract(param: &Param, resource: &Value) -> Result<Vec<IndexValue>, EvalError> {
    let resolver = |reference: &str| referenced_type(reference).and_then(stub);
    let ctx = Context::new(resource).with_resolver(&resolver);
    let items = param.expression.evaluate(&ctx)?;
    let mut out = Vec::new();
    for item in items.iter() {
        values(param.kind, item, &mut out);
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// What a composite parameter indexes of `resource` (see [`Param::composite_searchable`]):
/// for each value of its expression (an Observation, each of its components, …), every code
/// of the first component paired with every value of the second one. Each pair is keyed by
/// [`composite_key`] of the code, in every form a search may name it (`system|code`, `code`,
/// `system|`; `|code` for a code without a system), so that the second value is searched
/// like a value of its own type under that key. Empty for a composite of another shape.
pub fn extract_composite(
    param: &Param,
    resource: &Value,
) -> Result<Vec<(String, IndexValue)>, EvalError> {
    let [first, second] = param.components.as_slice() else {
        return Ok(Vec::new());
    };
    let Some(second_kind) = second.kind.filter(|_| param.composite_searchable()) else {
        return Ok(Vec::new());
    };
    let resolver = |reference: &str| referenced_type(reference).and_then(stub);
    let ctx = Context::new(resource).with_resolver(&resolver);
    let roots = param.expression.evaluate(&ctx)?;
    let mut out = Vec::new();
    for root in roots.iter() {
        let focus = std::slice::from_ref(root);
        let mut codes = Vec::new();
        for item in first.expression.evaluate_on(&ctx, focus)?.iter() {
            values(Kind::Token, item, &mut codes);
        }
        let mut seconds = Vec::new();
        for item in second.expression.evaluate_on(&ctx, focus)?.iter() {
            values(second_kind, item, &mut seconds);
        }
        for code in &codes {
            let IndexValue::Token { system, code } = code else {
                continue;
            };
            let mut keys = vec![composite_key(&param.code, None, Some(code))];
            match system {
                Some(system) => {
                    keys.push(composite_key(&param.code, Some(system), Some(code)));
                    keys.push(composite_key(&param.code, Some(system), None));
                }
                None => keys.push(composite_key(&param.code, Some(""), Some(code))),
            }
            for key in keys {
                for value in &seconds {
                    out.push((key.clone(), value.clone()));
                }
            }
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// The name under which the index keeps the second values of composite parameter `code`
/// paired with a code: `code$system|value`, `code$|value` (no system: `Some("")`),
/// `code$value` (any system: `None`), `code$system|` (any code: `None`). `|`, `$` and `\`
/// inside the system or code are escaped with a backslash.
pub fn composite_key(code: &str, system: Option<&str>, value: Option<&str>) -> String {
    fn escaped(out: &mut String, text: &str) {
        for c in text.chars() {
            if matches!(c, '|' | '$' | '\\') {
                out.push('\\');
            }
            out.push(c);
        }
    }
    let mut key = format!("{code}$");
    if let Some(system) = system {
        escaped(&mut key, system);
        key.push('|');
    }
    if let Some(value) = value {
        escaped(&mut key, value);
    }
    key
}

fn text(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn field(object: &Map<String, Value>, name: &str) -> Option<String> {
    text(object.get(name))
}

fn strings(object: &Map<String, Value>, name: &str) -> Vec<String> {
    match object.get(name) {
        Some(Value::Array(items)) => items.iter().filter_map(|v| text(Some(v))).collect(),
        other => text(other).into_iter().collect(),
    }
}

fn push_string(out: &mut Vec<IndexValue>, exact: String) {
    out.push(IndexValue::String {
        normalized: normalize(&exact),
        exact,
    });
}

fn coding(object: &Map<String, Value>, out: &mut Vec<IndexValue>) {
    if let Some(code) = field(object, "code") {
        out.push(IndexValue::Token {
            system: field(object, "system"),
            code,
        });
    }
    if let Some(display) = field(object, "display") {
        out.push(IndexValue::TokenText(normalize(&display)));
    }
}

fn date_range(text: &str) -> Option<(i64, i64)> {
    DateTime::parse_fhir(text).map(|d| d.range_micros())
}

/// The values one item gives for a parameter of type `kind`.
fn values(kind: Kind, item: &Item<'_>, out: &mut Vec<IndexValue>) {
    let node: Option<&Node<'_>> = item.as_node();
    let type_name = node.map_or("", |n| n.ty.name);
    let value = node.and_then(|n| n.value);
    let object = value.and_then(Value::as_object);
    match (kind, type_name, object) {
        (Kind::Token, "Coding", Some(o)) => coding(o, out),
        (Kind::Token, "CodeableConcept", Some(o)) => {
            for c in o
                .get("coding")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if let Some(c) = c.as_object() {
                    coding(c, out);
                }
            }
            if let Some(text) = field(o, "text") {
                out.push(IndexValue::TokenText(normalize(&text)));
            }
        }
        (Kind::Token, "Identifier", Some(o)) => {
            if let Some(code) = field(o, "value") {
                let codings = o
                    .get("type")
                    .and_then(|t| t.get("coding"))
                    .and_then(Value::as_array);
                for coding in codings.into_iter().flatten() {
                    if let (Some(type_system), Some(type_code)) = (
                        coding.get("system").and_then(Value::as_str),
                        coding.get("code").and_then(Value::as_str),
                    ) {
                        out.push(IndexValue::TypedIdentifier {
                            type_system: type_system.to_owned(),
                            type_code: type_code.to_owned(),
                            value: code.clone(),
                        });
                    }
                }
                out.push(IndexValue::Token {
                    system: field(o, "system"),
                    code,
                });
            }
        }
        (Kind::Token, "ContactPoint", Some(o)) => {
            if let Some(code) = field(o, "value") {
                out.push(IndexValue::Token {
                    system: field(o, "system"),
                    code,
                });
            }
        }
        (Kind::Token, _, None) => {
            let code = match item {
                Item::Boolean(b) => Some(b.to_string()),
                Item::String(s) => Some(s.to_string()),
                _ => text(value),
            };
            if let Some(code) = code {
                out.push(IndexValue::Token { system: None, code });
            }
        }
        (Kind::String, "HumanName", Some(o)) => {
            for name in ["family", "given", "prefix", "suffix", "text"] {
                for s in strings(o, name) {
                    push_string(out, s);
                }
            }
        }
        (Kind::String, "Address", Some(o)) => {
            for name in [
                "line",
                "city",
                "district",
                "state",
                "postalCode",
                "country",
                "text",
            ] {
                for s in strings(o, name) {
                    push_string(out, s);
                }
            }
        }
        (Kind::String, _, None) => {
            let exact = match item {
                Item::String(s) => Some(s.to_string()),
                _ => text(value),
            };
            if let Some(exact) = exact {
                push_string(out, exact);
            }
        }
        (Kind::Reference, "Reference", Some(o)) => {
            if let Some(reference) = field(o, "reference") {
                out.push(reference_value(&reference));
            }
            if let Some(identifier) = o.get("identifier").and_then(Value::as_object) {
                if let Some(value) = field(identifier, "value") {
                    out.push(IndexValue::ReferenceIdentifier {
                        system: field(identifier, "system"),
                        value,
                    });
                }
            }
        }
        (Kind::Reference, _, None) => {
            // canonical or uri: a reference by URL.
            if let Some(url) = text(value) {
                out.push(reference_value(&url));
            }
        }
        (Kind::Date, "Period", Some(o)) => {
            let low = field(o, "start").and_then(|s| date_range(&s)).map(|r| r.0);
            let high = field(o, "end").and_then(|s| date_range(&s)).map(|r| r.1);
            if low.is_some() || high.is_some() {
                out.push(IndexValue::Date {
                    low: low.unwrap_or(i64::MIN),
                    high: high.unwrap_or(i64::MAX),
                });
            }
        }
        (Kind::Date, "Timing", Some(o)) => {
            let ranges: Vec<(i64, i64)> = strings(o, "event")
                .iter()
                .filter_map(|e| date_range(e))
                .collect();
            if let (Some(low), Some(high)) = (
                ranges.iter().map(|r| r.0).min(),
                ranges.iter().map(|r| r.1).max(),
            ) {
                out.push(IndexValue::Date { low, high });
            }
            if let Some(bounds) = o
                .get("repeat")
                .and_then(|r| r.get("boundsPeriod"))
                .and_then(Value::as_object)
            {
                let low = field(bounds, "start")
                    .and_then(|s| date_range(&s))
                    .map(|r| r.0);
                let high = field(bounds, "end")
                    .and_then(|s| date_range(&s))
                    .map(|r| r.1);
                if low.is_some() || high.is_some() {
                    out.push(IndexValue::Date {
                        low: low.unwrap_or(i64::MIN),
                        high: high.unwrap_or(i64::MAX),
                    });
                }
            }
        }
        (Kind::Date, _, None) => {
            let range = match item {
                Item::Date(d) | Item::DateTime(d) => Some(d.range_micros()),
                _ => text(value).and_then(|t| date_range(&t)),
            };
            if let Some((low, high)) = range {
                out.push(IndexValue::Date { low, high });
            }
        }
        (Kind::Number, _, None) => {
            if let Some(n) = text(value).or_else(|| match item {
                Item::Integer(i) => Some(i.to_string()),
                Item::Decimal(d) => Some(d.to_string()),
                _ => None,
            }) {
                out.push(IndexValue::Number(n));
            }
        }
        (Kind::Quantity, _, Some(o)) => {
            if let Some(value) = field(o, "value") {
                out.push(IndexValue::Quantity {
                    value,
                    system: field(o, "system"),
                    code: field(o, "code"),
                    unit: field(o, "unit"),
                });
            }
        }
        (Kind::Uri, _, None) => {
            if let Some(uri) = text(value) {
                out.push(IndexValue::Uri(uri));
            }
        }
        _ => {}
    }
}

/// A reference as the index keeps it: `Type/id` (also when written as an absolute URL, for
/// the store to match against its own base) and the URL of an absolute or canonical one.
fn reference_value(reference: &str) -> IndexValue {
    // A canonical may name a version: `url|1.0`.
    let reference = reference.split('|').next().unwrap_or(reference);
    if let Some((res_type, id, _)) = parse_local(reference) {
        return IndexValue::Reference {
            res_type: Some(res_type.to_owned()),
            id: Some(id.to_owned()),
            url: None,
        };
    }
    let res_type = referenced_type(reference)
        .filter(|t| zorgplan_fhir::r4::is_resource_type(t))
        .map(str::to_owned);
    let id = res_type.as_ref().and_then(|_| {
        reference
            .split("/_history/")
            .next()
            .and_then(|p| p.rsplit('/').next())
            .map(str::to_owned)
    });
    IndexValue::Reference {
        res_type,
        id,
        url: Some(reference.to_owned()),
    }
}
