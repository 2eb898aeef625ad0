//! FHIRPath Patch (FHIR R4 `fhirpatch.html`): a Parameters resource whose `operation`
//! parameters each `add`, `insert`, `delete`, `replace` or `move` content at the place a
//! FHIRPath expression selects.
//!
//! Each operation's path is evaluated on the resource as the operations before it left it;
//! the nodes it selects borrow from that JSON, so their place in it is found by identity and
//! the change is made there, on a copy. Whether an added element repeats comes from the R4
//! definitions of the node's type. Any failure leaves the input as it was and names the
//! operation.

use crate::{Context, Expr, Item};
use serde_json::{Map, Value};
use std::collections::HashMap;

/// A step from a JSON value to one inside it.
#[derive(Debug, Clone, PartialEq)]
enum Step {
    Key(String),
    Index(usize),
}

/// Applies the FHIRPath Patch `parameters` to `resource`.
pub fn apply(resource: &Value, parameters: &Value) -> Result<Value, String> {
    if parameters.get("resourceType").and_then(Value::as_str) != Some("Parameters") {
        return Err("A FHIRPath Patch is a Parameters resource".into());
    }
    let mut doc = resource.clone();
    let operations = parameters["parameter"]
        .as_array()
        .map_or(&[][..], Vec::as_slice);
    for (i, parameter) in operations.iter().enumerate() {
        if parameter["name"] != "operation" {
            return Err(format!(
                "parameter {i}: a FHIRPath Patch has only 'operation' parameters, not {}",
                parameter["name"]
            ));
        }
        let operation = Operation::read(parameter).map_err(|e| format!("operation {i}: {e}"))?;
        doc = operation
            .apply(&doc)
            .map_err(|e| format!("operation {i} ({}): {e}", operation.kind))?;
    }
    Ok(doc)
}

struct Operation<'p> {
    kind: &'p str,
    path: &'p str,
    name: Option<&'p str>,
    value: Option<Value>,
    index: Option<usize>,
    source: Option<usize>,
    destination: Option<usize>,
}

/// The value of a part (`value[x]`), or for an anonymous type the object its parts make.
fn part_value(part: &Value) -> Option<Value> {
    if let Some(Value::Array(parts)) = part.get("part") {
        let mut object = Map::new();
        for part in parts {
            let Some(name) = part["name"].as_str() else {
                continue;
            };
            let Some(value) = part_value(part) else {
                continue;
            };
            match object.get_mut(name) {
                None => {
                    object.insert(name.to_owned(), value);
                }
                Some(Value::Array(items)) => items.push(value),
                Some(single) => *single = Value::Array(vec![single.take(), value]),
            }
        }
        return Some(Value::Object(object));
    }
    part.as_object()?
        .iter()
        .find(|(key, _)| key.starts_with("value"))
        .map(|(_, value)| value.clone())
}

impl<'p> Operation<'p> {
    fn read(parameter: &'p Value) -> Result<Operation<'p>, String> {
        let parts = parameter["part"].as_array().map_or(&[][..], Vec::as_slice);
        let part = |name: &str| parts.iter().find(|p| p["name"] == name);
        let text = |name: &str| {
            part(name)?
                .as_object()?
                .iter()
                .find(|(key, _)| key.starts_with("value"))
                .and_then(|(_, value)| value.as_str())
        };
        let number = |name: &str| {
            part(name)
                .and_then(|p| p.get("valueInteger"))
                .and_then(Value::as_u64)
                .map(|n| n as usize)
        };
        let kind = text("type").ok_or("it has no type")?;
        let path = text("path").ok_or("it has no path")?;
        Ok(Operation {
            kind,
            path,
            name: text("name"),
            value: part("value").and_then(part_value),
            index: number("index"),
            source: number("source"),
            destination: number("destination"),
        })
    }

    fn apply(&self, doc: &Value) -> Result<Value, String> {
        let expr = Expr::parse(self.path).map_err(|e| format!("path {}: {e}", self.path))?;
        let found = expr
            .evaluate(&Context::new(doc))
            .map_err(|e| format!("path {}: {e}", self.path))?;
        let places = places(doc);
        let mut targets = Vec::new();
        let mut repeats = HashMap::new();
        for item in found.iter() {
            let Item::Node(node) = item else {
                return Err(format!(
                    "{} selects a value that is not in the resource",
                    self.path
                ));
            };
            let at = node.value.or(node.extra).map(|v| v as *const Value);
            let Some(steps) = at.and_then(|at| places.get(&at)) else {
                return Err(format!(
                    "{} selects a value that is not in the resource",
                    self.path
                ));
            };
            let mut steps = steps.clone();
            if node.value.is_none() {
                // Only a `_name` sibling: the element is `name`.
                if let Some(Step::Key(key)) = steps.last_mut() {
                    *key = key.trim_start_matches('_').to_owned();
                }
            }
            if let (Some(def), Some(name)) = (node.ty.definition(), self.name) {
                let element = def
                    .property(node.ty.path(), name)
                    .map(|p| &def.elements[p.element]);
                repeats.insert(targets.len(), element.is_some_and(|e| e.is_array()));
            }
            targets.push(steps);
        }
        let mut out = doc.clone();
        let value = || self.value.clone().ok_or("it has no value");
        match self.kind {
            "add" => {
                let [target] = targets.as_slice() else {
                    return Err(self.not_one(targets.len(), "adding"));
                };
                let name = self.name.ok_or("it has no name")?;
                let Value::Object(object) = get_mut(&mut out, target) else {
                    return Err(format!("{} is not an element with children", self.path));
                };
                if repeats.get(&0).copied().unwrap_or(false) {
                    match object.get_mut(name) {
                        Some(Value::Array(items)) => items.push(value()?),
                        _ => {
                            object.insert(name.to_owned(), Value::Array(vec![value()?]));
                        }
                    }
                } else {
                    object.insert(name.to_owned(), value()?);
                }
            }
            "replace" => {
                let [target] = targets.as_slice() else {
                    return Err(self.not_one(targets.len(), "replacing"));
                };
                *get_mut(&mut out, target) = value()?;
            }
            "delete" => match targets.as_slice() {
                [] => {}
                [target] => remove(&mut out, target),
                _ => return Err(self.not_one(targets.len(), "deleting")),
            },
            "insert" | "move" => {
                let (list, len) = self.list(&out, &targets)?;
                let Value::Array(items) = get_mut(&mut out, &list) else {
                    return Err(format!("{} is not a list", self.path));
                };
                if self.kind == "insert" {
                    let index = self.index.ok_or("it has no index")?;
                    if index > len {
                        return Err(format!("index {index} is beyond the list of {len}"));
                    }
                    items.insert(index, value()?);
                } else {
                    let source = self.source.ok_or("it has no source")?;
                    let destination = self.destination.ok_or("it has no destination")?;
                    if source >= len || destination >= len {
                        return Err(format!(
                            "source {source} or destination {destination} is beyond the list of {len}"
                        ));
                    }
                    let moved = items.remove(source);
                    items.insert(destination, moved);
                }
            }
            other => return Err(format!("unknown operation type '{other}'")),
        }
        Ok(out)
    }

    /// The list the selected nodes are the items of, and its length.
    fn list(&self, doc: &Value, targets: &[Vec<Step>]) -> Result<(Vec<Step>, usize), String> {
        let mut list = None;
        for target in targets {
            let Some((Step::Index(_), parent)) = target.split_last() else {
                return Err(format!("{} does not select the items of a list", self.path));
            };
            if list.get_or_insert_with(|| parent.to_vec()) != parent {
                return Err(format!("{} selects items of more than one list", self.path));
            }
        }
        let list = list.ok_or_else(|| format!("No content found at {}", self.path))?;
        let mut at = doc;
        for step in &list {
            at = match step {
                Step::Key(k) => &at[k.as_str()],
                Step::Index(i) => &at[*i],
            };
        }
        let len = at.as_array().map_or(0, Vec::len);
        Ok((list, len))
    }

    fn not_one(&self, found: usize, doing: &str) -> String {
        if found == 0 {
            format!("No content found at {} when {doing}", self.path)
        } else {
            format!(
                "{} selects {found} elements when {doing}; it must select one",
                self.path
            )
        }
    }
}

/// Where every JSON value of `doc` is, by its address.
fn places(doc: &Value) -> HashMap<*const Value, Vec<Step>> {
    fn walk(value: &Value, path: &mut Vec<Step>, out: &mut HashMap<*const Value, Vec<Step>>) {
        out.insert(value as *const Value, path.clone());
        match value {
            Value::Object(object) => {
                for (key, child) in object {
                    path.push(Step::Key(key.clone()));
                    walk(child, path, out);
                    path.pop();
                }
            }
            Value::Array(items) => {
                for (i, child) in items.iter().enumerate() {
                    path.push(Step::Index(i));
                    walk(child, path, out);
                    path.pop();
                }
            }
            _ => {}
        }
    }
    let mut out = HashMap::new();
    walk(doc, &mut Vec::new(), &mut out);
    out
}

fn get_mut<'a>(doc: &'a mut Value, steps: &[Step]) -> &'a mut Value {
    let mut at = doc;
    for step in steps {
        at = match step {
            Step::Key(k) => &mut at[k.as_str()],
            Step::Index(i) => &mut at[*i],
        };
    }
    at
}

/// Removes the value at `steps`, with its `_name` sibling; an element or list left empty
/// goes too (FHIR has no empty elements).
fn remove(doc: &mut Value, steps: &[Step]) {
    let Some((last, parent)) = steps.split_last() else {
        return;
    };
    let emptied = match (get_mut(doc, parent), last) {
        (Value::Object(object), Step::Key(key)) => {
            object.shift_remove(key);
            object.shift_remove(&format!("_{key}"));
            object.is_empty()
        }
        (Value::Array(items), Step::Index(i)) => {
            items.remove(*i);
            items.is_empty()
        }
        _ => false,
    };
    if emptied && !parent.is_empty() {
        remove(doc, parent);
    }
}
