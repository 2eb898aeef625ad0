//! Base structure: a resource against the R4 definition of its type.
//!
//! Walks the JSON once, node by node, with the compiled definitions: every property must be
//! an element of the node (choice properties name one of the element's types, `_name`
//! carries the id and extensions of a primitive), arrays exactly where the element repeats,
//! the JSON kind and the spec's regular expression of every primitive value, the minimum
//! cardinality of every element, one type per choice, contained and nested resources
//! validated as resources, and required bindings to value sets that can be expanded locally.
//! Every issue found is reported, with the FHIRPath of its element.

use crate::codes::{coded_in, external_code, information, unchecked_binding};
use crate::invariants::{self, Invariant};
use serde_json::{Map, Value};
use zorgplan_fhir::definitions::{Definitions, Element, Kind, TypeDef};
use zorgplan_fhir::{Issue, IssueType};
use zorgplan_fhirpath::{Context, FhirType, Node};

/// Where a node is, as a stack-allocated chain of segments: rendered as FHIRPath only when an
/// issue is reported, so the walk itself allocates no strings.
#[derive(Clone, Copy)]
pub(crate) enum Segment<'a> {
    /// The path of the resource being walked (its type, or where it is nested).
    Root(&'a str),
    Field(&'a str),
    Index(usize),
    /// A choice element with the type its property names: `value.ofType(Quantity)`.
    Choice(&'a str, &'a str),
}

#[derive(Clone, Copy)]
pub(crate) struct Path<'a> {
    parent: Option<&'a Path<'a>>,
    segment: Segment<'a>,
}

impl<'a> Path<'a> {
    pub(crate) fn root(expression: &'a str) -> Path<'a> {
        Path {
            parent: None,
            segment: Segment::Root(expression),
        }
    }

    fn child(&'a self, segment: Segment<'a>) -> Path<'a> {
        Path {
            parent: Some(self),
            segment,
        }
    }

    fn render(&self) -> String {
        let mut out = self.parent.map(Path::render).unwrap_or_default();
        match self.segment {
            Segment::Root(root) => out.push_str(root),
            Segment::Field(name) => {
                out.push('.');
                out.push_str(name);
            }
            Segment::Index(i) => out.push_str(&format!("[{i}]")),
            Segment::Choice(name, type_code) => {
                out.push_str(&format!(".{name}.ofType({type_code})"))
            }
        }
        out
    }
}

pub(crate) struct Walker<'a> {
    defs: &'a Definitions,
    pub issues: Vec<Issue>,
    /// The resources being walked, innermost last, as FHIRPath contexts for invariants
    /// (`%resource`, `%rootResource`).
    contexts: Vec<Context<'a>>,
    /// The context of the outermost resource, when the caller gives one (with a resolver).
    root_context: Option<Context<'a>>,
    /// Per resource being walked: its `%rootResource`, and the resource itself.
    roots: Vec<&'a Value>,
    resources: Vec<&'a Value>,
    invariants: &'static [Option<Invariant>],
}

/// Whether the resource at `path` is a contained one.
fn is_contained(path: &Path<'_>) -> bool {
    let mut at = Some(path);
    while let Some(p) = at {
        match p.segment {
            Segment::Field("contained") => return true,
            Segment::Index(_) => at = p.parent,
            _ => return false,
        }
    }
    false
}

/// A node of the input with its FHIR type, as the focus of an invariant.
fn node(value: &Value, ty: FhirType) -> Node<'_> {
    Node {
        value: Some(value),
        extra: None,
        ty,
    }
}

fn issue(code: IssueType, path: &Path<'_>, diagnostics: String) -> Issue {
    Issue::error(code, diagnostics).at(path.render())
}

impl<'a> Walker<'a> {
    pub(crate) fn new(defs: &'a Definitions, root_context: Option<Context<'a>>) -> Self {
        Walker {
            defs,
            issues: Vec::new(),
            contexts: Vec::new(),
            root_context,
            roots: Vec::new(),
            resources: Vec::new(),
            invariants: invariants::base(),
        }
    }

    /// Evaluates the base invariants `constraints` (indices into the definitions'
    /// invariants) on `focus`, found at `path`.
    /// `focus` gives the value's FHIR type, worked out only when the engine needs it.
    fn invariants(
        &mut self,
        constraints: &[usize],
        value: &'a Value,
        focus: impl Fn() -> Option<FhirType>,
        path: &Path<'_>,
    ) {
        if constraints.is_empty() {
            return;
        }
        let (Some(ctx), Some(root)) = (self.contexts.last(), self.roots.last()) else {
            return;
        };
        for &index in constraints {
            if let Some(Some(invariant)) = self.invariants.get(index) {
                invariant.check_value(
                    ctx,
                    value,
                    Some(root),
                    || focus().map(|ty| node(value, ty)),
                    || path.render(),
                    &mut self.issues,
                );
            }
        }
    }

    /// Validates a resource at `path` (its type, at the root).
    pub(crate) fn resource(&mut self, value: &'a Value, path: &Path<'_>) {
        let Some(object) = value.as_object() else {
            self.issues.push(issue(
                IssueType::Structure,
                path,
                "A resource must be a JSON object".into(),
            ));
            return;
        };
        let Some(type_name) = object.get("resourceType").and_then(Value::as_str) else {
            self.issues.push(issue(
                IssueType::Required,
                path,
                "The resource has no resourceType".into(),
            ));
            return;
        };
        match self.defs.type_def(type_name) {
            Some(def) if def.kind == Kind::Resource && !def.is_abstract => {
                // The resource that holds this one: for a contained resource its container
                // (where ref-1 looks for `#id`); for a resource nested otherwise (a Bundle
                // entry) the outermost resource, which `resolve()` searches for the other
                // entries, while the entry's own `#id` references stay its own.
                let contained = !self.roots.is_empty() && is_contained(path);
                let root = if contained {
                    self.resources.last().copied().unwrap_or(value)
                } else {
                    value
                };
                let context = match self.root_context.take() {
                    Some(given) if self.contexts.is_empty() => given,
                    _ if contained => invariants::context(value, Some(root)),
                    _ => invariants::context(value, self.resources.first().copied()),
                };
                self.contexts.push(context);
                self.roots.push(root);
                self.resources.push(value);
                self.node(object, def, type_name, path, true);
                if let Some(root) = def.elements.first() {
                    let as_resource = || Some(Node::resource(value).ty);
                    if contained {
                        // dom-6 (narrative, a best practice) is for resources that stand on
                        // their own; a contained resource is shown in its container's.
                        let constraints: Vec<usize> = root
                            .constraints
                            .iter()
                            .copied()
                            .filter(|&i| {
                                self.defs
                                    .invariants()
                                    .get(i)
                                    .is_none_or(|i| i.key != "dom-6")
                            })
                            .collect();
                        self.invariants(&constraints, value, as_resource, path);
                    } else {
                        self.invariants(&root.constraints, value, as_resource, path);
                    }
                }
                self.contexts.pop();
                self.roots.pop();
                self.resources.pop();
            }
            _ => self.issues.push(issue(
                IssueType::NotSupported,
                &path.child(Segment::Field("resourceType")),
                format!("'{type_name}' is not a FHIR R4 resource type"),
            )),
        }
    }

    /// Validates the object `object` as the node `node_path` (an element path of `def`), found
    /// at `path`.
    fn node(
        &mut self,
        object: &'a Map<String, Value>,
        def: &TypeDef,
        node_path: &str,
        path: &Path<'_>,
        is_resource: bool,
    ) {
        // ele-1 (the `_name` twin of a primitive is not an element of its own: its value
        // sits beside it).
        if !is_resource && node_path != "Element" && object.keys().all(|k| k == "id") {
            self.issues.push(issue(
                IssueType::Invariant,
                path,
                "Constraint failed: ele-1: All FHIR elements must have a @value or children".into(),
            ));
        }
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
            let Some(property) = def.property(node_path, name) else {
                self.issues.push(issue(
                    IssueType::Structure,
                    &path.child(Segment::Field(key)),
                    format!("Unknown element '{key}' in {node_path}"),
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
                        &path.child(Segment::Field(key)),
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
            let child = path.child(if element.is_choice() {
                Segment::Choice(&element.name, type_code)
            } else {
                Segment::Field(&element.name)
            });
            if underscore {
                self.primitive_extensions(value, element, type_code, &child);
            } else {
                self.property(value, def, element, type_code, &child);
            }
        }
        for &index in def.children(node_path) {
            let element = &def.elements[index];
            if element.min > 0 && !present.contains(&index) {
                // Reported at the missing element itself.
                self.issues.push(issue(
                    IssueType::Required,
                    &path.child(Segment::Field(&element.name)),
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
        value: &'a Value,
        def: &TypeDef,
        element: &Element,
        type_code: &str,
        path: &Path<'_>,
    ) {
        match (element.is_array(), value) {
            (true, Value::Array(items)) => {
                if let Some(max) = element.max {
                    if items.len() > max as usize {
                        self.issues.push(issue(
                            IssueType::Structure,
                            path,
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
                        self.item(
                            item,
                            def,
                            element,
                            type_code,
                            &path.child(Segment::Index(i)),
                        );
                    }
                }
            }
            (true, _) => self.issues.push(issue(
                IssueType::Structure,
                path,
                format!("{} repeats: its value must be a JSON array", element.path),
            )),
            (false, Value::Array(_)) => self.issues.push(issue(
                IssueType::Structure,
                path,
                format!(
                    "{} does not repeat: its value must not be an array",
                    element.path
                ),
            )),
            (false, item) => self.item(item, def, element, type_code, path),
        }
    }

    /// One item of a property, of type `type_code`.
    fn item(
        &mut self,
        value: &'a Value,
        def: &TypeDef,
        element: &Element,
        type_code: &str,
        path: &Path<'_>,
    ) {
        if let Some(reference) = &element.content_reference {
            self.object(value, path, |walker, object| {
                walker.node(object, def, reference, path, false)
            });
            let target = def.elements.iter().find(|e| &e.path == reference);
            if let Some(target) = target.filter(|t| !t.constraints.is_empty()) {
                self.invariants(&target.constraints, value, || FhirType::at(reference), path);
            }
            return;
        }
        match type_code {
            "Resource" | "DomainResource" => return self.resource(value, path),
            "BackboneElement" | "Element" if !def.children(&element.path).is_empty() => {
                self.object(value, path, |walker, object| {
                    walker.node(object, def, &element.path, path, false)
                });
                if element.path == "Bundle.entry" {
                    self.full_url(value, path);
                }
                self.invariants(
                    &element.constraints,
                    value,
                    || FhirType::at(&element.path),
                    path,
                );
                return;
            }
            _ => {}
        }
        let Some(type_def) = self.defs.type_def(type_code) else {
            // System types (the value of a primitive) do not occur in instances.
            return;
        };
        if type_def.kind == Kind::Primitive {
            self.primitive(value, type_def, path);
            if let (Some(vs), Some(code)) = (&element.required_binding, value.as_str()) {
                self.code_in(vs, value, code, path);
            }
            return;
        }
        self.object(value, path, |walker, object| {
            walker.node(object, type_def, type_code, path, false);
            if let Some(vs) = &element.required_binding {
                walker.coded(value, type_code, vs, path);
            }
            if type_code == "Coding" {
                if let Some(text) = external_code(object) {
                    walker.issues.push(information(path.render(), text));
                }
            }
        });
        let own = type_def
            .elements
            .first()
            .map_or(&[][..], |e| &e.constraints);
        self.invariants(own, value, || FhirType::named(type_code), path);
        self.invariants(
            &element.constraints,
            value,
            || FhirType::named(type_code),
            path,
        );
    }

    fn object(
        &mut self,
        value: &'a Value,
        path: &Path<'_>,
        f: impl FnOnce(&mut Self, &'a Map<String, Value>),
    ) {
        match value {
            Value::Object(object) => f(self, object),
            _ => self.issues.push(issue(
                IssueType::Structure,
                path,
                format!("A JSON object was expected, not {}", kind_of(value)),
            )),
        }
    }

    /// A Bundle entry's fullUrl is absolute (a URL with a scheme, `urn:uuid:` or `urn:oid:`):
    /// it is what references inside the Bundle resolve against.
    fn full_url(&mut self, entry: &Value, path: &Path<'_>) {
        if let Some(url) = entry.get("fullUrl").and_then(Value::as_str) {
            let scheme = url.split_once(':').map(|(scheme, _)| scheme);
            let absolute = scheme.is_some_and(|s| {
                !s.is_empty()
                    && s.starts_with(|c: char| c.is_ascii_alphabetic())
                    && s.chars()
                        .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
            });
            if !absolute {
                self.issues.push(issue(
                    IssueType::Invalid,
                    path,
                    format!(
                        "The fullUrl must be an absolute URL (not '{}')",
                        shorten(url)
                    ),
                ));
            }
        }
    }

    /// `_name`: the id and extensions of a primitive (an array of them, or nulls, where the
    /// primitive repeats).
    fn primitive_extensions(
        &mut self,
        value: &'a Value,
        element: &Element,
        type_code: &str,
        path: &Path<'_>,
    ) {
        let is_primitive = self
            .defs
            .type_def(type_code)
            .is_some_and(|t| t.kind == Kind::Primitive);
        if !is_primitive {
            self.issues.push(issue(
                IssueType::Structure,
                path,
                format!(
                    "'_{}' is only allowed beside a primitive element",
                    element.name
                ),
            ));
            return;
        }
        let element_def = self.defs.type_def("Element").expect("Element is defined");
        match (element.is_array(), value) {
            (true, Value::Array(items)) => {
                for (i, item) in items.iter().enumerate().filter(|(_, v)| !v.is_null()) {
                    let at = path.child(Segment::Index(i));
                    self.object(item, &at, |walker, object| {
                        walker.node(object, element_def, "Element", &at, false)
                    });
                }
            }
            (false, Value::Object(object)) => {
                self.node(object, element_def, "Element", path, false)
            }
            _ => self.issues.push(issue(
                IssueType::Structure,
                path,
                format!("'_{}' has the wrong JSON shape", element.name),
            )),
        }
    }

    fn primitive(&mut self, value: &Value, def: &TypeDef, path: &Path<'_>) {
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
                        path,
                        format!("{n} is not a valid {name}"),
                    ));
                }
                return;
            }
            ("decimal", Value::Number(n)) => n.to_string(),
            ("boolean" | "integer" | "positiveInt" | "unsignedInt" | "decimal", other) => {
                self.issues.push(issue(
                    IssueType::Structure,
                    path,
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
                    path,
                    format!("A {name} must be a JSON string, not {}", kind_of(other)),
                ));
                return;
            }
        };
        let valid = match fast_format_check(name, &text) {
            Some(valid) => valid,
            None => def.regex.as_ref().is_none_or(|regex| regex.is_match(&text)),
        };
        {
            if !valid {
                self.issues.push(issue(
                    IssueType::Value,
                    path,
                    format!("'{}' is not a valid {name}", shorten(&text)),
                ));
            }
        }
    }

    /// A required binding on a Coding (judged when it has a code) or a CodeableConcept.
    fn coded(&mut self, value: &Value, type_code: &str, vs: &str, path: &Path<'_>) {
        let Some(codes) = self.defs.value_set(vs) else {
            if matches!(type_code, "Coding" | "CodeableConcept") {
                self.issues.push(unchecked_binding(vs, path.render()));
            }
            return;
        };
        let message = match type_code {
            "Coding" => match value.get("code").and_then(Value::as_str) {
                Some(code) if !coded_in(codes, "Coding", value) => {
                    format!("'{code}' is not in the required value set {vs}")
                }
                _ => return,
            },
            "CodeableConcept" if !coded_in(codes, "CodeableConcept", value) => {
                format!("None of the codings is from the required value set {vs}")
            }
            _ => return,
        };
        self.issues
            .push(issue(IssueType::CodeInvalid, path, message));
    }

    /// A code must be in the value set, when it can be expanded locally.
    fn code_in(&mut self, vs: &str, value: &Value, code: &str, path: &Path<'_>) {
        let Some(codes) = self.defs.value_set(vs) else {
            self.issues.push(unchecked_binding(vs, path.render()));
            return;
        };
        if !coded_in(codes, "code", value) {
            self.issues.push(issue(
                IssueType::CodeInvalid,
                path,
                format!("'{code}' is not in the required value set {vs}"),
            ));
        }
    }
}

/// The spec's regular expressions of the commonest primitive types, as direct character
/// checks (the same rules; `tests::fast_checks_agree_with_the_regexes` compares them). `None`
/// for the other types, which use their regular expression.
fn fast_format_check(type_name: &str, text: &str) -> Option<bool> {
    Some(match type_name {
        // [ \r\n\t\S]+
        "string" | "markdown" => {
            !text.is_empty()
                && text
                    .chars()
                    .all(|c| matches!(c, ' ' | '\r' | '\n' | '\t') || !c.is_whitespace())
        }
        // \S*
        "uri" | "url" | "canonical" => !text.chars().any(char::is_whitespace),
        // [^\s]+(\s[^\s]+)*
        "code" => !text.is_empty() && text.split(char::is_whitespace).all(|t| !t.is_empty()),
        // [A-Za-z0-9\-\.]{1,64}
        "id" => zorgplan_fhir::id::is_valid_id(text),
        _ => return None,
    })
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

#[cfg(test)]
mod tests {
    use super::fast_format_check;
    use zorgplan_fhir::definitions::Definitions;

    #[test]
    fn fast_checks_agree_with_the_regexes() {
        let samples = [
            "",
            " ",
            "a",
            "a b",
            "a  b",
            " a",
            "a ",
            "a\tb",
            "a\nb",
            "a\u{a0}b",
            "a\u{2003}b",
            "a\u{b}b",
            "\u{c}",
            "Zoë ",
            "x-1.2",
            &"a".repeat(64),
            &"a".repeat(65),
            "a/b",
            "a_b",
            "http://x/y z",
            "\r\n",
            "tab\t",
            "ünïcödé",
        ];
        for type_name in [
            "string",
            "markdown",
            "uri",
            "url",
            "canonical",
            "code",
            "id",
        ] {
            let regex = Definitions::r4()
                .type_def(type_name)
                .unwrap()
                .regex
                .as_ref()
                .unwrap();
            for sample in samples {
                assert_eq!(
                    fast_format_check(type_name, sample),
                    Some(regex.is_match(sample)),
                    "{type_name} {sample:?}"
                );
            }
        }
    }
}
