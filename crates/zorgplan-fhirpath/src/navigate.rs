//! Stepping from a node to its children, typed through the R4 definitions.
//!
//! A child's FHIR type comes from the element that defines it: a choice (`value[x]`) is
//! reached by its plain name and typed by the JSON property that holds it (`valueQuantity` →
//! `Quantity`), a backbone element by its own path in the enclosing type, a content reference
//! (`Questionnaire.item.item`) by the element it refers to, and a resource inside a resource
//! (`contained`, `Bundle.entry.resource`) by its `resourceType`. Primitives are joined with
//! their `_name` siblings, element by element for arrays.

use crate::value::{Collection, FhirType, Item, Node};
use serde_json::{Map, Value};
use std::ops::Deref;
use std::sync::OnceLock;
use zorgplan_fhir::definitions::{upper_first, Element, Kind, TypeDef};

/// A child name in an expression, remembering what it resolved to on the first type it was
/// looked up on: an invariant runs on the same type again and again, and then finds its
/// element without a lookup in the definitions.
#[derive(Debug, Clone)]
pub(crate) struct Name {
    text: Box<str>,
    step: OnceLock<Step>,
}

impl Name {
    pub fn new(text: impl Into<Box<str>>) -> Name {
        Name {
            text: text.into(),
            step: OnceLock::new(),
        }
    }
}

impl Deref for Name {
    type Target = str;

    fn deref(&self) -> &str {
        &self.text
    }
}

/// What a name resolves to on one type, identified by the addresses of its definition and
/// node path (the definitions are immutable and never freed).
#[derive(Debug, Clone)]
pub(crate) struct Step {
    def: usize,
    path: usize,
    found: Found,
}

#[derive(Debug, Clone)]
enum Found {
    Element(FhirType),
    /// A choice: its JSON property names with their types.
    Choice(Box<[(Box<str>, FhirType)]>),
    Missing,
}

impl Step {
    fn resolve(def: &'static TypeDef, path: &'static str, name: &str) -> Step {
        let found = if let Some(property) = def.property(path, name) {
            let element = &def.elements[property.element];
            if element.is_choice() {
                Found::Missing
            } else {
                Found::Element(element_type(def, element, property.type_index))
            }
        } else {
            def.children(path)
                .iter()
                .map(|&i| &def.elements[i])
                .find(|e| e.is_choice() && e.name == name)
                .map_or(Found::Missing, |element| {
                    Found::Choice(
                        element
                            .types
                            .iter()
                            .enumerate()
                            .map(|(i, (code, _))| {
                                (
                                    format!("{name}{}", upper_first(code)).into_boxed_str(),
                                    element_type(def, element, i),
                                )
                            })
                            .collect(),
                    )
                })
        };
        Step {
            def: std::ptr::from_ref(def) as usize,
            path: path.as_ptr() as usize,
            found,
        }
    }

    fn is_for(&self, def: &TypeDef, path: &str) -> bool {
        self.def == std::ptr::from_ref(def) as usize && self.path == path.as_ptr() as usize
    }
}

/// The type of the values of `element`, as its `type_index`th type.
pub(crate) fn element_type(
    def: &'static TypeDef,
    element: &'static Element,
    type_index: usize,
) -> FhirType {
    if let Some(target) = &element.content_reference {
        return FhirType {
            name: "BackboneElement",
            def: Some(def),
            path: target,
        };
    }
    let Some((code, _)) = element.types.get(type_index) else {
        return FhirType::UNKNOWN;
    };
    if (code == "BackboneElement" || code == "Element") && !def.children(&element.path).is_empty() {
        return FhirType {
            name: code,
            def: Some(def),
            path: &element.path,
        };
    }
    // R4 defines Resource.id as an `id`; the definitions carry the `string` of its
    // FHIRPath system type.
    if def.kind == Kind::Resource
        && element.path.len() == def.name.len() + 3
        && element.path.ends_with(".id")
    {
        return FhirType::named("id").unwrap_or(FhirType::UNKNOWN);
    }
    FhirType::named(code).unwrap_or(FhirType::UNKNOWN)
}

/// Objects up to this many properties are searched by comparing keys, which is faster than
/// hashing the key.
const SCAN_LIMIT: usize = 16;

/// `obj[key]`.
pub(crate) fn get<'a>(obj: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    if obj.len() <= SCAN_LIMIT {
        obj.iter().find(|(k, _)| *k == key).map(|(_, v)| v)
    } else {
        obj.get(key)
    }
}

/// `obj[key]` and `obj["_" + key]`, in one pass over a small object.
fn with_sibling<'a>(
    obj: &'a Map<String, Value>,
    key: &str,
) -> (Option<&'a Value>, Option<&'a Value>) {
    if obj.len() > SCAN_LIMIT {
        return (obj.get(key), obj.get(&format!("_{key}")));
    }
    let (mut value, mut sibling) = (None, None);
    for (k, v) in obj {
        if k == key {
            value = Some(v);
        } else if k.strip_prefix('_') == Some(key) {
            sibling = Some(v);
        }
    }
    (value, sibling)
}

fn not_null(v: Option<&Value>) -> Option<&Value> {
    v.filter(|v| !v.is_null())
}

/// Pushes the value(s) of property `key` of `obj`, all of type `ty`.
fn push_values<'a>(obj: &'a Map<String, Value>, key: &str, ty: FhirType, out: &mut Collection<'a>) {
    let (value, extra) = if ty.is_primitive() {
        with_sibling(obj, key)
    } else {
        (get(obj, key), None)
    };
    let node = |value: Option<&'a Value>, extra: Option<&'a Value>| {
        let ty = match value {
            Some(v) if ty.is_resource() || ty.def.is_none() && v.get("resourceType").is_some() => {
                FhirType::of_resource(v)
            }
            _ => ty,
        };
        Item::Node(Node { value, extra, ty })
    };
    match (value, extra) {
        (Some(Value::Array(values)), _) => {
            let extras = extra.and_then(Value::as_array);
            for (i, v) in values.iter().enumerate() {
                let v = not_null(Some(v));
                let e = not_null(extras.and_then(|a| a.get(i)));
                if v.is_some() || e.is_some() {
                    out.push(node(v, e));
                }
            }
        }
        (Some(v), _) => out.push(node(Some(v), not_null(extra))),
        (None, Some(Value::Array(extras))) => {
            for e in extras.iter().filter(|e| !e.is_null()) {
                out.push(node(None, Some(e)));
            }
        }
        (None, Some(e)) if !e.is_null() => out.push(node(None, Some(e))),
        _ => {}
    }
}

/// Pushes the children of `node` named `name` (a choice by its name without type suffix).
pub(crate) fn child<'a>(node: &Node<'a>, name: &Name, out: &mut Collection<'a>) {
    let Some(obj) = node.object() else {
        return;
    };
    let Some(def) = node.ty.def else {
        push_values(obj, name, FhirType::UNKNOWN, out);
        return;
    };
    let path = node.ty.path;
    let resolved;
    let step = match name.step.get() {
        Some(step) if step.is_for(def, path) => step,
        _ => {
            resolved = Step::resolve(def, path, name);
            if name.step.get().is_none() {
                let _ = name.step.set(resolved.clone());
            }
            &resolved
        }
    };
    match &step.found {
        Found::Element(ty) => push_values(obj, name, *ty, out),
        Found::Choice(alternatives) => {
            for key in obj.keys() {
                // `valueString`, or only its sibling `_valueString` (a value given by
                // extensions alone).
                let key = match key.strip_prefix('_') {
                    Some(base) if !obj.contains_key(base) => base,
                    Some(_) => continue,
                    None => key.as_str(),
                };
                if key.len() > name.len() && key.starts_with(&**name) {
                    if let Some((_, ty)) = alternatives.iter().find(|(k, _)| **k == *key) {
                        push_values(obj, key, *ty, out);
                    }
                }
            }
        }
        Found::Missing => {}
    }
}

/// Pushes every child of `node` (`children()`), in the order of the JSON.
pub(crate) fn children<'a>(node: &Node<'a>, out: &mut Collection<'a>) {
    let Some(obj) = node.object() else {
        return;
    };
    for key in obj.keys() {
        if key == "resourceType" {
            continue;
        }
        let key = match key.strip_prefix('_') {
            // The sibling of a primitive goes with the primitive.
            Some(base) if obj.contains_key(base) => continue,
            Some(base) => base,
            None => key.as_str(),
        };
        match node.ty.def {
            Some(def) => {
                if let Some(property) = def.property(node.ty.path, key) {
                    let ty =
                        element_type(def, &def.elements[property.element], property.type_index);
                    push_values(obj, key, ty, out);
                }
            }
            None => push_values(obj, key, FhirType::UNKNOWN, out),
        }
    }
}

/// Pushes every descendant of `node` (`descendants()`): children, their children, and so on.
pub(crate) fn descendants<'a>(node: &Node<'a>, out: &mut Collection<'a>) {
    let start = out.len();
    children(node, out);
    let mut next = start;
    while next < out.len() {
        if let Item::Node(n) = out[next] {
            children(&n, out);
        }
        next += 1;
    }
}
