//! Base structure: a resource against the R4 definition of its type.
//!
//! Walks the JSON once, node by node, with the compiled definitions: every property must be
//! an element of the node (choice properties name one of the element's types, `_name`
//! carries the id and extensions of a primitive), arrays exactly where the element repeats,
//! the JSON kind and the spec's regular expression of every primitive value, the minimum
//! cardinality of every element, one type per choice, contained and nested resources
//! validated as resources, and required bindings to value sets that can be expanded locally.
//! Every issue found is reported, with the FHIRPath of its element.

use crate::definitions::{Definitions, Element, Kind, TypeDef};
use serde_json::{Map, Value};
use zorgplan_fhir::{Issue, IssueType};

pub(crate) struct Walker<'a> {
    defs: &'a Definitions,
    pub issues: Vec<Issue>,
}

fn issue(code: IssueType, expression: &str, diagnostics: String) -> Issue {
    Issue::error(code, diagnostics).at(expression.to_owned())
}

/// `Observation.value.ofType(Quantity)`, as FHIRPath names a choice element.
fn choice_expression(parent: &str, element: &Element, type_code: &str) -> String {
    format!("{parent}.{}.ofType({type_code})", element.name)
}

impl<'a> Walker<'a> {
    pub(crate) fn new(defs: &'a Definitions) -> Self {
        Walker {
            defs,
            issues: Vec::new(),
        }
    }

    /// Validates a resource; `expression` is its FHIRPath (its type, at the root).
    pub(crate) fn resource(&mut self, value: &Value, expression: &str) {
        let Some(object) = value.as_object() else {
            self.issues.push(issue(
                IssueType::Structure,
                expression,
                "A resource must be a JSON object".into(),
            ));
            return;
        };
        let Some(type_name) = object.get("resourceType").and_then(Value::as_str) else {
            self.issues.push(issue(
                IssueType::Required,
                expression,
                "The resource has no resourceType".into(),
            ));
            return;
        };
        match self.defs.type_def(type_name) {
            Some(def) if def.kind == Kind::Resource && !def.is_abstract => {
                self.node(object, def, type_name, expression, true)
            }
            _ => self.issues.push(issue(
                IssueType::NotSupported,
                &format!("{expression}.resourceType"),
                format!("'{type_name}' is not a FHIR R4 resource type"),
            )),
        }
    }

    /// Validates the object `object` as the node at `path` of type `def`.
    fn node(
        &mut self,
        object: &Map<String, Value>,
        def: &TypeDef,
        path: &str,
        expression: &str,
        is_resource: bool,
    ) {
        let mut present: Vec<usize> = Vec::with_capacity(object.len());
        // Choice elements seen, with the property that named them.
        let mut choices: Vec<(usize, &str)> = Vec::new();
        for (key, value) in object {
            if is_resource && key == "resourceType" {
                continue;
            }
            let (name, underscore) = match key.strip_prefix('_') {
                Some(name) => (name, true),
                None => (key.as_str(), false),
            };
            let Some(property) = def.property(path, name) else {
                self.issues.push(issue(
                    IssueType::Structure,
                    &format!("{expression}.{key}"),
                    format!("Unknown element '{key}' in {path}"),
                ));
                continue;
            };
            let element = &def.elements[property.element];
            // Elements that reuse another's definition (contentReference) have no type.
            let type_code = element
                .types
                .get(property.type_index)
                .map_or("", |(code, _)| code.as_str());
            if element.is_choice() {
                match choices.iter().find(|(e, _)| *e == property.element) {
                    Some((_, other)) if *other != name => self.issues.push(issue(
                        IssueType::Structure,
                        &format!("{expression}.{key}"),
                        format!(
                            "{} has more than one type: '{other}' and '{name}'",
                            element.path
                        ),
                    )),
                    Some(_) => {}
                    None => choices.push((property.element, name)),
                }
            }
            present.push(property.element);
            let child_expression = if element.is_choice() {
                choice_expression(expression, element, type_code)
            } else {
                format!("{expression}.{}", element.name)
            };
            if underscore {
                self.primitive_extensions(value, element, type_code, &child_expression);
            } else {
                self.property(value, def, element, type_code, &child_expression);
            }
        }
        for &index in def.children(path) {
            let element = &def.elements[index];
            if element.min > 0 && !present.contains(&index) {
                self.issues.push(issue(
                    IssueType::Required,
                    expression,
                    format!(
                        "{} is required (minimum cardinality {}) but missing",
                        element.path, element.min
                    ),
                ));
            }
        }
    }

    /// The value of one property: an array where the element repeats, and each item of its type.
    fn property(
        &mut self,
        value: &Value,
        def: &TypeDef,
        element: &Element,
        type_code: &str,
        expression: &str,
    ) {
        match (element.is_array(), value) {
            (true, Value::Array(items)) => {
                if let Some(max) = element.max {
                    if items.len() > max as usize {
                        self.issues.push(issue(
                            IssueType::Structure,
                            expression,
                            format!(
                                "{} allows at most {max} items, not {}",
                                element.path,
                                items.len()
                            ),
                        ));
                    }
                }
                for (i, item) in items.iter().enumerate() {
                    if !item.is_null() {
                        self.item(item, def, element, type_code, &format!("{expression}[{i}]"));
                    }
                }
            }
            (true, _) => self.issues.push(issue(
                IssueType::Structure,
                expression,
                format!("{} repeats: its value must be a JSON array", element.path),
            )),
            (false, Value::Array(_)) => self.issues.push(issue(
                IssueType::Structure,
                expression,
                format!(
                    "{} does not repeat: its value must not be an array",
                    element.path
                ),
            )),
            (false, item) => self.item(item, def, element, type_code, expression),
        }
    }

    /// One item of a property, of type `type_code`.
    fn item(
        &mut self,
        value: &Value,
        def: &TypeDef,
        element: &Element,
        type_code: &str,
        expression: &str,
    ) {
        if let Some(reference) = &element.content_reference {
            return self.object(value, expression, |walker, object| {
                walker.node(object, def, reference, expression, false)
            });
        }
        match type_code {
            "Resource" | "DomainResource" => return self.resource(value, expression),
            "BackboneElement" | "Element" if !def.children(&element.path).is_empty() => {
                return self.object(value, expression, |walker, object| {
                    walker.node(object, def, &element.path, expression, false)
                });
            }
            _ => {}
        }
        let Some(type_def) = self.defs.type_def(type_code) else {
            // System types (the value of a primitive) do not occur in instances.
            return;
        };
        if type_def.kind == Kind::Primitive {
            self.primitive(value, type_def, expression);
            if let (Some(vs), Some(code)) = (&element.required_binding, value.as_str()) {
                self.code_in(vs, None, code, expression);
            }
            return;
        }
        self.object(value, expression, |walker, object| {
            walker.node(object, type_def, type_code, expression, false);
            if let Some(vs) = &element.required_binding {
                walker.coded(object, type_code, vs, expression);
            }
        });
    }

    fn object(
        &mut self,
        value: &Value,
        expression: &str,
        f: impl FnOnce(&mut Self, &Map<String, Value>),
    ) {
        match value {
            Value::Object(object) => f(self, object),
            _ => self.issues.push(issue(
                IssueType::Structure,
                expression,
                format!("A JSON object was expected, not {}", kind_of(value)),
            )),
        }
    }

    /// `_name`: the id and extensions of a primitive (an array of them, or nulls, where the
    /// primitive repeats).
    fn primitive_extensions(
        &mut self,
        value: &Value,
        element: &Element,
        type_code: &str,
        expression: &str,
    ) {
        let is_primitive = self
            .defs
            .type_def(type_code)
            .is_some_and(|t| t.kind == Kind::Primitive);
        if !is_primitive {
            self.issues.push(issue(
                IssueType::Structure,
                expression,
                format!(
                    "'_{}' is only allowed beside a primitive element",
                    element.name
                ),
            ));
            return;
        }
        let element_def = self.defs.type_def("Element").expect("Element is defined");
        let items: Vec<(String, &Value)> = match (element.is_array(), value) {
            (true, Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(i, v)| (format!("{expression}[{i}]"), v))
                .collect(),
            (false, Value::Object(_)) => vec![(expression.to_owned(), value)],
            _ => {
                self.issues.push(issue(
                    IssueType::Structure,
                    expression,
                    format!("'_{}' has the wrong JSON shape", element.name),
                ));
                return;
            }
        };
        for (expression, item) in items {
            if item.is_null() {
                continue;
            }
            self.object(item, &expression, |walker, object| {
                walker.node(object, element_def, "Element", &expression, false)
            });
        }
    }

    fn primitive(&mut self, value: &Value, def: &TypeDef, expression: &str) {
        let name = def.name.as_str();
        let text = match (name, value) {
            ("boolean", Value::Bool(_)) => return,
            ("integer" | "positiveInt" | "unsignedInt", Value::Number(n)) => {
                let ok = match (name, n.as_i64()) {
                    (_, None) => false,
                    ("positiveInt", Some(v)) => (1..=i64::from(i32::MAX)).contains(&v),
                    ("unsignedInt", Some(v)) => (0..=i64::from(i32::MAX)).contains(&v),
                    (_, Some(v)) => i32::try_from(v).is_ok(),
                };
                if !ok {
                    self.issues.push(issue(
                        IssueType::Value,
                        expression,
                        format!("{n} is not a valid {name}"),
                    ));
                }
                return;
            }
            ("decimal", Value::Number(n)) => n.to_string(),
            ("boolean" | "integer" | "positiveInt" | "unsignedInt" | "decimal", other) => {
                self.issues.push(issue(
                    IssueType::Structure,
                    expression,
                    format!(
                        "A {name} must be a JSON {}, not {}",
                        json_kind(name),
                        kind_of(other)
                    ),
                ));
                return;
            }
            (_, Value::String(s)) => s.clone(),
            (_, other) => {
                self.issues.push(issue(
                    IssueType::Structure,
                    expression,
                    format!("A {name} must be a JSON string, not {}", kind_of(other)),
                ));
                return;
            }
        };
        if let Some(regex) = &def.regex {
            if !regex.is_match(&text) {
                self.issues.push(issue(
                    IssueType::Value,
                    expression,
                    format!("'{}' is not a valid {name}", shorten(&text)),
                ));
            }
        }
    }

    /// A required binding on a Coding or CodeableConcept.
    fn coded(&mut self, object: &Map<String, Value>, type_code: &str, vs: &str, expression: &str) {
        match type_code {
            "Coding" => {
                if let Some(code) = object.get("code").and_then(Value::as_str) {
                    let system = object.get("system").and_then(Value::as_str);
                    self.code_in(vs, Some(system.unwrap_or_default()), code, expression);
                }
            }
            "CodeableConcept" => {
                let Some(codes) = self.defs.value_set(vs) else {
                    return;
                };
                let codings = object.get("coding").and_then(Value::as_array);
                let matched = codings.into_iter().flatten().any(|c| {
                    let system = c.get("system").and_then(Value::as_str).unwrap_or_default();
                    let code = c.get("code").and_then(Value::as_str).unwrap_or_default();
                    codes.contains(&(system.to_owned(), code.to_owned()))
                });
                if !matched {
                    self.issues.push(issue(
                        IssueType::CodeInvalid,
                        expression,
                        format!("None of the codings is from the required value set {vs}"),
                    ));
                }
            }
            _ => {}
        }
    }

    /// A code (with its system, for a Coding) must be in the value set, when it can be
    /// expanded locally.
    fn code_in(&mut self, vs: &str, system: Option<&str>, code: &str, expression: &str) {
        let Some(codes) = self.defs.value_set(vs) else {
            return;
        };
        let found = match system {
            Some(system) => codes.contains(&(system.to_owned(), code.to_owned())),
            None => codes.iter().any(|(_, c)| c == code),
        };
        if !found {
            self.issues.push(issue(
                IssueType::CodeInvalid,
                expression,
                format!("'{code}' is not in the required value set {vs}"),
            ));
        }
    }
}

fn json_kind(primitive: &str) -> &'static str {
    match primitive {
        "boolean" => "boolean (true or false)",
        _ => "number",
    }
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn shorten(text: &str) -> String {
    if text.chars().count() > 60 {
        format!("{}…", text.chars().take(60).collect::<String>())
    } else {
        text.to_owned()
    }
}
