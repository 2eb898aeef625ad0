//! The FHIR XML format, converted to and from the canonical JSON form.
//!
//! The server keeps and validates resources as JSON; XML is only a representation on the
//! wire. [`parse`] turns an XML resource into the JSON the JSON format would have given, using
//! the R4 definitions for what XML leaves implicit (which elements repeat, which primitive
//! values are numbers or booleans, where a nested resource sits); [`write`] does the reverse,
//! emitting elements in the order of the definitions. XML that is not well-formed, uses a
//! DOCTYPE (entity expansion is refused outright) or breaks the XML format's own rules (text
//! outside the narrative, unknown attributes, the wrong namespace) is a 400. Element names
//! that the definitions do not know are carried into the JSON unchanged, so that the
//! validator reports them exactly as it does for JSON input.

use crate::definitions::{upper_first, Definitions, Element, Kind, TypeDef};
use crate::json::Limits;
use crate::outcome::{ErrorKind, FhirError, IssueType};
use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;
use quick_xml::XmlVersion;
use serde_json::{Map, Value};

/// The FHIR namespace.
pub const FHIR_NS: &str = "http://hl7.org/fhir";
/// The XHTML namespace of a narrative's `div`.
pub const XHTML_NS: &str = "http://www.w3.org/1999/xhtml";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ns {
    Fhir,
    Xhtml,
    Other,
}

/// One element of the parsed document.
#[derive(Debug)]
struct Node {
    ns: Ns,
    name: String,
    attributes: Vec<(String, String)>,
    children: Vec<Child>,
}

#[derive(Debug)]
enum Child {
    Element(Node),
    Text(String),
}

impl Node {
    fn elements(&self) -> impl Iterator<Item = &Node> {
        self.children.iter().filter_map(|c| match c {
            Child::Element(node) => Some(node),
            Child::Text(_) => None,
        })
    }
}

fn bad(diagnostics: impl Into<String>) -> FhirError {
    FhirError::new(ErrorKind::BadRequest, IssueType::Structure, diagnostics)
}

/// Parses an XML body holding one resource into its JSON form.
pub fn parse(xml: &str, limits: Limits) -> Result<Value, FhirError> {
    let root = read_tree(xml, limits)?;
    if root.ns != Ns::Fhir {
        return Err(bad(format!(
            "The root element <{}> is not in the FHIR namespace {FHIR_NS}",
            root.name
        )));
    }
    resource(Definitions::r4(), &root, &root.name)
}

/// Reads the document into a tree: well-formedness, namespaces, no DOCTYPE, bounded depth.
fn read_tree(xml: &str, limits: Limits) -> Result<Node, FhirError> {
    let mut reader = NsReader::from_str(xml);
    reader.config_mut().check_end_names = true;
    let mut stack: Vec<Node> = Vec::new();
    let mut root: Option<Node> = None;
    let malformed = |e: &dyn std::fmt::Display, at: u64| {
        bad(format!(
            "The body is not well-formed XML (at byte {at}): {e}"
        ))
    };
    loop {
        let position = reader.buffer_position();
        let (ns, event) = reader
            .read_resolved_event()
            .map_err(|e| malformed(&e, position))?;
        let ns = match ns {
            ResolveResult::Bound(ns) if ns.as_ref() == FHIR_NS => Ns::Fhir,
            ResolveResult::Bound(ns) if ns.as_ref() == XHTML_NS => Ns::Xhtml,
            _ => Ns::Other,
        };
        match event {
            Event::Start(ref start) | Event::Empty(ref start) => {
                if root.is_some() {
                    return Err(bad("The XML document has more than one root element"));
                }
                if stack.len() >= limits.max_depth {
                    return Err(FhirError::new(
                        ErrorKind::BadRequest,
                        IssueType::TooCostly,
                        format!(
                            "The XML document nests deeper than {} levels",
                            limits.max_depth
                        ),
                    ));
                }
                let name = start.local_name().as_ref().to_owned();
                let mut attributes = Vec::new();
                for attribute in start.attributes() {
                    let attribute = attribute.map_err(|e| malformed(&e, position))?;
                    let key = attribute.key.as_ref().to_owned();
                    if key == "xmlns" || key.starts_with("xmlns:") {
                        continue;
                    }
                    let value = attribute
                        .normalized_value(XmlVersion::Implicit1_0)
                        .map_err(|e| malformed(&e, position))?;
                    attributes.push((key, value.into_owned()));
                }
                let node = Node {
                    ns,
                    name,
                    attributes,
                    children: Vec::new(),
                };
                if matches!(event, Event::Empty(_)) {
                    attach(&mut stack, &mut root, node);
                } else {
                    stack.push(node);
                }
            }
            Event::End(_) => {
                let node = stack.pop().expect("end names are checked by the reader");
                attach(&mut stack, &mut root, node);
            }
            Event::Text(text) => {
                let text = text.xml10_content();
                push_text(&mut stack, &text)?;
            }
            Event::CData(data) => {
                let text = data.xml10_content().into_owned();
                push_text(&mut stack, &text)?;
            }
            Event::GeneralRef(reference) => {
                let resolved = if reference.is_char_ref() {
                    reference
                        .resolve_char_ref()
                        .map_err(|e| malformed(&e, position))?
                        .map(String::from)
                } else {
                    quick_xml::escape::resolve_predefined_entity(&reference.xml10_content())
                        .map(str::to_owned)
                };
                let Some(text) = resolved else {
                    return Err(bad(format!(
                        "The XML document uses the undefined entity &{};",
                        reference.xml10_content()
                    )));
                };
                push_text(&mut stack, &text)?;
            }
            Event::DocType(_) => {
                return Err(bad(
                    "The XML document has a DOCTYPE; FHIR XML does not allow one",
                ))
            }
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
            Event::Eof => break,
        }
    }
    if !stack.is_empty() {
        return Err(bad("The XML document ends before its elements are closed"));
    }
    root.ok_or_else(|| bad("The XML document has no root element"))
}

fn attach(stack: &mut [Node], root: &mut Option<Node>, node: Node) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(Child::Element(node)),
        None => *root = Some(node),
    }
}

fn push_text(stack: &mut [Node], text: &str) -> Result<(), FhirError> {
    match stack.last_mut() {
        Some(parent) => {
            if let Some(Child::Text(previous)) = parent.children.last_mut() {
                previous.push_str(text);
            } else {
                parent.children.push(Child::Text(text.to_owned()));
            }
            Ok(())
        }
        None if text.trim().is_empty() => Ok(()),
        None => Err(bad("The XML document has text outside its root element")),
    }
}

/// Where the children of an element of type `code` are defined: the same type at the
/// element's path (backbone elements and content references) or the type's own definition.
fn child_scope<'d>(
    defs: &'d Definitions,
    owner: &'d TypeDef,
    element: &Element,
    code: &str,
) -> (Option<&'d TypeDef>, String) {
    if let Some(path) = &element.content_reference {
        return (Some(owner), path.clone());
    }
    if matches!(code, "BackboneElement" | "Element") && !owner.children(&element.path).is_empty() {
        return (Some(owner), element.path.clone());
    }
    (defs.type_def(code), code.to_owned())
}

fn is_primitive(defs: &Definitions, code: &str) -> bool {
    code.starts_with("System.")
        || defs
            .type_def(code)
            .is_some_and(|t| t.kind == Kind::Primitive)
}

/// What a property name of a node stands for: the element and the type code it names.
fn property<'d>(
    owner: Option<&'d TypeDef>,
    path: &str,
    name: &str,
) -> Option<(&'d TypeDef, &'d Element, &'d str)> {
    let owner = owner?;
    let property = owner.property(path, name)?;
    let element = &owner.elements[property.element];
    let code = match element.types.get(property.type_index) {
        Some((code, _)) => code.as_str(),
        // A content reference (`Questionnaire.item.item`) has no type of its own.
        None if element.content_reference.is_some() => "Element",
        None => return None,
    };
    Some((owner, element, code))
}

fn resource(defs: &Definitions, node: &Node, location: &str) -> Result<Value, FhirError> {
    if node.ns != Ns::Fhir {
        return Err(bad(format!(
            "The element <{}> at {location} is not in the FHIR namespace",
            node.name
        )));
    }
    if let Some((name, _)) = node.attributes.iter().find(|(k, _)| !k.contains(':')) {
        return Err(bad(format!(
            "The resource element <{}> has an attribute '{name}'; FHIR XML gives a resource's id as an element",
            node.name
        )));
    }
    let mut object = Map::new();
    object.insert("resourceType".into(), Value::String(node.name.clone()));
    let owner = defs.type_def(&node.name);
    children(defs, owner, &node.name, node, &mut object, location)?;
    Ok(Value::Object(object))
}

/// Converts the child elements of `node` (an element whose children are defined at `path` of
/// `owner`) into the properties of `object`.
fn children(
    defs: &Definitions,
    owner: Option<&TypeDef>,
    path: &str,
    node: &Node,
    object: &mut Map<String, Value>,
    location: &str,
) -> Result<(), FhirError> {
    for child in &node.children {
        if let Child::Text(text) = child {
            if !text.trim().is_empty() {
                return Err(bad(format!(
                    "The element at {location} has text content; FHIR XML carries values in 'value' attributes"
                )));
            }
        }
    }
    let mut groups: Vec<(&str, Vec<&Node>)> = Vec::new();
    for child in node.elements() {
        if child.ns != Ns::Fhir && !(child.ns == Ns::Xhtml && child.name == "div") {
            return Err(bad(format!(
                "The element <{}> in {location} is not in the FHIR namespace",
                child.name
            )));
        }
        match groups.iter_mut().find(|(name, _)| *name == child.name) {
            Some((_, nodes)) => nodes.push(child),
            None => groups.push((&child.name, vec![child])),
        }
    }
    for (name, nodes) in groups {
        let location = format!("{location}.{name}");
        let Some((owner, element, code)) = property(owner, path, name) else {
            let values = nodes.iter().map(|n| unknown(n)).collect::<Vec<_>>();
            object.insert(name.to_owned(), one_or_many(values, nodes.len() > 1));
            continue;
        };
        let repeats = element.is_array();
        if code == "xhtml" {
            let values = nodes.iter().map(|n| Value::String(xhtml(n))).collect();
            object.insert(name.to_owned(), one_or_many(values, repeats));
        } else if code == "Resource" {
            let mut values = Vec::with_capacity(nodes.len());
            for n in &nodes {
                let mut inner = n.elements();
                let (Some(resource_node), None) = (inner.next(), inner.next()) else {
                    return Err(bad(format!(
                        "{location} must hold exactly one resource element"
                    )));
                };
                values.push(resource(defs, resource_node, &location)?);
            }
            object.insert(name.to_owned(), one_or_many(values, repeats));
        } else if is_primitive(defs, code) {
            let mut values = Vec::with_capacity(nodes.len());
            let mut twins = Vec::with_capacity(nodes.len());
            for n in &nodes {
                let (value, twin) = primitive(defs, n, code, &location)?;
                values.push(value);
                twins.push(twin);
            }
            if repeats {
                if values.iter().any(Option::is_some) {
                    let values = values.into_iter().map(|v| v.unwrap_or(Value::Null));
                    object.insert(name.to_owned(), Value::Array(values.collect()));
                }
                if twins.iter().any(Option::is_some) {
                    let twins = twins.into_iter().map(|v| v.unwrap_or(Value::Null));
                    object.insert(format!("_{name}"), Value::Array(twins.collect()));
                }
            } else {
                // A single-valued element given more than once: keep them all, so that the
                // validator reports the cardinality.
                let many = nodes.len() > 1;
                if values.iter().any(Option::is_some) {
                    let values = values.into_iter().map(|v| v.unwrap_or(Value::Null));
                    object.insert(name.to_owned(), one_or_many(values.collect(), many));
                }
                if twins.iter().any(Option::is_some) {
                    let twins = twins.into_iter().map(|v| v.unwrap_or(Value::Null));
                    object.insert(format!("_{name}"), one_or_many(twins.collect(), many));
                }
            }
        } else {
            let (scope, scope_path) = child_scope(defs, owner, element, code);
            let mut values = Vec::with_capacity(nodes.len());
            for n in &nodes {
                let mut inner = Map::new();
                element_attributes(n, code, &mut inner, &location)?;
                children(defs, scope, &scope_path, n, &mut inner, &location)?;
                values.push(Value::Object(inner));
            }
            object.insert(name.to_owned(), one_or_many(values, repeats));
        }
    }
    Ok(())
}

fn one_or_many(mut values: Vec<Value>, repeats: bool) -> Value {
    if repeats || values.len() != 1 {
        Value::Array(values)
    } else {
        values.pop().expect("one value")
    }
}

/// The `id` attribute of any element and the `url` attribute of an extension.
fn element_attributes(
    node: &Node,
    code: &str,
    object: &mut Map<String, Value>,
    location: &str,
) -> Result<(), FhirError> {
    for (key, value) in &node.attributes {
        match key.as_str() {
            // Attributes of other namespaces (`xsi:schemaLocation`) are not FHIR content.
            key if key.contains(':') => {}
            "id" => {
                object.insert("id".into(), Value::String(value.clone()));
            }
            "url" if code == "Extension" => {
                object.insert("url".into(), Value::String(value.clone()));
            }
            _ => {
                return Err(bad(format!(
                "The element at {location} has an attribute '{key}' that FHIR XML does not define"
            )))
            }
        }
    }
    Ok(())
}

/// A primitive element: its value (typed as the JSON format types it) and its `_name` twin
/// (`id` and extensions) when it has one.
fn primitive(
    defs: &Definitions,
    node: &Node,
    code: &str,
    location: &str,
) -> Result<(Option<Value>, Option<Value>), FhirError> {
    let mut twin = Map::new();
    let mut value = None;
    for (key, text) in &node.attributes {
        match key.as_str() {
            key if key.contains(':') => {}
            "value" => value = Some(primitive_value(code, text)),
            "id" => {
                twin.insert("id".into(), Value::String(text.clone()));
            }
            _ => {
                return Err(bad(format!(
                "The element at {location} has an attribute '{key}' that FHIR XML does not define"
            )))
            }
        }
    }
    let extension = defs.type_def("Extension");
    let mut extensions = Vec::new();
    for child in node.elements() {
        if child.name != "extension" {
            return Err(bad(format!(
                "The primitive element at {location} has a child <{}>; only extensions are allowed",
                child.name
            )));
        }
        let mut inner = Map::new();
        let location = format!("{location}.extension");
        element_attributes(child, "Extension", &mut inner, &location)?;
        children(defs, extension, "Extension", child, &mut inner, &location)?;
        extensions.push(Value::Object(inner));
    }
    for child in &node.children {
        if matches!(child, Child::Text(t) if !t.trim().is_empty()) {
            return Err(bad(format!(
                "The element at {location} has text content; FHIR XML carries values in 'value' attributes"
            )));
        }
    }
    if !extensions.is_empty() {
        twin.insert("extension".into(), Value::Array(extensions));
    }
    Ok((value, (!twin.is_empty()).then_some(Value::Object(twin))))
}

/// A `value` attribute as the JSON format types it: booleans and numbers as JSON booleans and
/// numbers (decimals keep their exact text), everything else as a string. A value that does
/// not have the lexical form of its type stays a string, for the validator to report.
fn primitive_value(code: &str, text: &str) -> Value {
    match code {
        "boolean" | "System.Boolean" => match text {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => Value::String(text.to_owned()),
        },
        "integer" | "positiveInt" | "unsignedInt" | "decimal" | "integer64" | "System.Integer"
        | "System.Decimal" => {
            let numeric = !text.is_empty()
                && !text.starts_with(['+', ' '])
                && !text.ends_with(' ')
                && text
                    .bytes()
                    .all(|b| b.is_ascii_digit() || b"-.eE+".contains(&b));
            match serde_json::from_str::<serde_json::Number>(text) {
                Ok(number) if numeric => Value::Number(number),
                _ => Value::String(text.to_owned()),
            }
        }
        _ => Value::String(text.to_owned()),
    }
}

/// An element the definitions do not know, carried over as it is.
fn unknown(node: &Node) -> Value {
    let mut object = Map::new();
    for (key, value) in &node.attributes {
        object.insert(key.clone(), Value::String(value.clone()));
    }
    for child in node.elements() {
        let value = unknown(child);
        match object.get_mut(&child.name) {
            Some(Value::Array(values)) => values.push(value),
            Some(existing) => {
                let first = existing.take();
                *existing = Value::Array(vec![first, value]);
            }
            None => {
                object.insert(child.name.clone(), value);
            }
        }
    }
    match object.len() {
        1 if object.contains_key("value") => object.remove("value").expect("present"),
        _ => Value::Object(object),
    }
}

/// The narrative `div` as the text the JSON format carries.
fn xhtml(node: &Node) -> String {
    let mut out = String::new();
    write_xhtml(node, true, &mut out);
    out
}

fn write_xhtml(node: &Node, root: bool, out: &mut String) {
    out.push('<');
    out.push_str(&node.name);
    if root {
        out.push_str(" xmlns=\"");
        out.push_str(XHTML_NS);
        out.push('"');
    }
    for (key, value) in &node.attributes {
        out.push(' ');
        out.push_str(key);
        out.push_str("=\"");
        escape_into(value, true, out);
        out.push('"');
    }
    if node.children.is_empty() {
        out.push_str("/>");
        return;
    }
    out.push('>');
    for child in &node.children {
        match child {
            Child::Element(element) => write_xhtml(element, false, out),
            Child::Text(text) => escape_into(text, false, out),
        }
    }
    out.push_str("</");
    out.push_str(&node.name);
    out.push('>');
}

/// `text` as XML character data (`&`, `<` and `>` escaped), for narrative built by hand.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    escape_into(text, false, &mut out);
    out
}

fn escape_into(text: &str, attribute: bool, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attribute => out.push_str("&quot;"),
            '\n' if attribute => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' if attribute => out.push_str("&#9;"),
            c => out.push(c),
        }
    }
}

/// Writes a resource (canonical JSON) as FHIR XML, indented when `pretty`.
pub fn write(resource: &Value, pretty: bool) -> String {
    let mut writer = Writer {
        defs: Definitions::r4(),
        out: String::with_capacity(1024),
        pretty,
    };
    writer
        .out
        .push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
    if let Some(object) = resource.as_object() {
        writer.resource(object, 0, true);
    }
    if pretty {
        writer.out.push('\n');
    }
    writer.out
}

struct Writer<'d> {
    defs: &'d Definitions,
    out: String,
    pretty: bool,
}

impl Writer<'_> {
    fn line(&mut self, depth: usize) {
        if self.pretty {
            self.out.push('\n');
            for _ in 0..depth {
                self.out.push_str("  ");
            }
        }
    }

    fn resource(&mut self, object: &Map<String, Value>, depth: usize, root: bool) {
        let name = object
            .get("resourceType")
            .and_then(Value::as_str)
            .unwrap_or("Resource");
        self.line(depth);
        self.out.push('<');
        self.out.push_str(name);
        if root {
            self.out.push_str(" xmlns=\"");
            self.out.push_str(FHIR_NS);
            self.out.push('"');
        }
        self.out.push('>');
        let owner = self.defs.type_def(name);
        self.children(owner, name, object, depth + 1);
        self.line(depth);
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push('>');
    }

    /// The properties of `object` (a node whose children are defined at `path` of `owner`)
    /// as elements, in the order of the definitions.
    fn children(
        &mut self,
        owner: Option<&TypeDef>,
        path: &str,
        object: &Map<String, Value>,
        depth: usize,
    ) {
        let Some(owner) = owner else { return };
        let in_resource = owner.kind == Kind::Resource && path == owner.name;
        for &index in owner.children(path) {
            let element = &owner.elements[index];
            // `id` of an element and `url` of an extension are attributes.
            if (element.name == "id" && !in_resource)
                || (element.name == "url" && owner.name == "Extension" && path == "Extension")
            {
                continue;
            }
            if element.is_choice() {
                for (code, _) in &element.types {
                    let key = format!("{}{}", element.name, upper_first(code));
                    self.property(owner, element, code, &key, object, depth);
                }
            } else if let Some((code, _)) = element.types.first() {
                self.property(owner, element, code, &element.name, object, depth);
            } else if element.content_reference.is_some() {
                self.property(owner, element, "Element", &element.name, object, depth);
            }
        }
    }

    fn property(
        &mut self,
        owner: &TypeDef,
        element: &Element,
        code: &str,
        key: &str,
        object: &Map<String, Value>,
        depth: usize,
    ) {
        let value = object.get(key);
        let twin = object.get(&format!("_{key}"));
        if value.is_none() && twin.is_none() {
            return;
        }
        let as_list = |v: Option<&Value>| -> Vec<Value> {
            match v {
                Some(Value::Array(items)) => items.clone(),
                Some(v) => vec![v.clone()],
                None => Vec::new(),
            }
        };
        let values = as_list(value);
        let twins = as_list(twin);
        for i in 0..values.len().max(twins.len()) {
            let value = values.get(i).filter(|v| !v.is_null());
            let twin = twins.get(i).and_then(Value::as_object);
            if code == "xhtml" {
                if let Some(Value::String(div)) = value {
                    self.line(depth);
                    self.out.push_str(div);
                }
            } else if code == "Resource" {
                if let Some(Value::Object(resource)) = value {
                    self.line(depth);
                    self.open(key, None, None);
                    self.out.push('>');
                    self.resource(resource, depth + 1, false);
                    self.line(depth);
                    self.close(key);
                }
            } else if is_primitive(self.defs, code) {
                self.primitive(key, value, twin, depth);
            } else if let Some(Value::Object(inner)) = value {
                let (scope, scope_path) = child_scope(self.defs, owner, element, code);
                let url = (code == "Extension")
                    .then(|| inner.get("url").and_then(Value::as_str))
                    .flatten();
                self.line(depth);
                self.open(key, inner.get("id").and_then(Value::as_str), url);
                let before = self.out.len();
                self.out.push('>');
                self.children(scope, &scope_path, inner, depth + 1);
                if self.out.len() == before + 1 {
                    self.out.truncate(before);
                    self.out.push_str("/>");
                } else {
                    self.line(depth);
                    self.close(key);
                }
            }
        }
    }

    fn primitive(
        &mut self,
        key: &str,
        value: Option<&Value>,
        twin: Option<&Map<String, Value>>,
        depth: usize,
    ) {
        self.line(depth);
        self.open(
            key,
            twin.and_then(|t| t.get("id")).and_then(Value::as_str),
            None,
        );
        if let Some(value) = value {
            self.out.push_str(" value=\"");
            match value {
                Value::String(s) => escape_into(s, true, &mut self.out),
                other => self.out.push_str(&other.to_string()),
            }
            self.out.push('"');
        }
        let extensions = twin
            .and_then(|t| t.get("extension"))
            .and_then(Value::as_array);
        match extensions {
            Some(extensions) if !extensions.is_empty() => {
                self.out.push('>');
                let extension = self.defs.type_def("Extension");
                for ext in extensions.iter().filter_map(Value::as_object) {
                    self.line(depth + 1);
                    self.open("extension", None, ext.get("url").and_then(Value::as_str));
                    self.out.push('>');
                    self.children(extension, "Extension", ext, depth + 2);
                    self.line(depth + 1);
                    self.close("extension");
                }
                self.line(depth);
                self.close(key);
            }
            _ => self.out.push_str("/>"),
        }
    }

    fn open(&mut self, name: &str, id: Option<&str>, url: Option<&str>) {
        self.out.push('<');
        self.out.push_str(name);
        if let Some(id) = id {
            self.out.push_str(" id=\"");
            escape_into(id, true, &mut self.out);
            self.out.push('"');
        }
        if let Some(url) = url {
            self.out.push_str(" url=\"");
            escape_into(url, true, &mut self.out);
            self.out.push('"');
        }
    }

    fn close(&mut self, name: &str) {
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push('>');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn round_trip(value: Value) {
        let xml = write(&value, false);
        let back = parse(&xml, Limits::default()).unwrap_or_else(|e| panic!("{e:?}\n{xml}"));
        assert_eq!(back, value, "{xml}");
        let pretty = write(&value, true);
        assert_eq!(parse(&pretty, Limits::default()).unwrap(), value);
    }

    #[test]
    fn reads_the_xml_format() {
        let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<!-- a comment -->
<Patient xmlns="http://hl7.org/fhir">
  <id value="p1"/>
  <text>
    <status value="generated"/>
    <div xmlns="http://www.w3.org/1999/xhtml"><p>Jan &amp; <b>Piet</b></p></div>
  </text>
  <identifier>
    <system value="http://fhir.nl/fhir/NamingSystem/bsn"/>
    <value value="999911120"/>
  </identifier>
  <active value="true"/>
  <name>
    <family value="Jansen"/>
    <given value="Jan"/>
    <given id="g2"><extension url="http://example.org/x"><valueString value="y"/></extension></given>
  </name>
  <birthDate value="2015-03-01"/>
  <multipleBirthInteger value="2"/>
  <contained><Organization><id value="o"/></Organization></contained>
</Patient>"#;
        let value = parse(xml, Limits::default()).unwrap();
        assert_eq!(
            value,
            json!({
                "resourceType": "Patient",
                "id": "p1",
                "text": {"status": "generated", "div": "<div xmlns=\"http://www.w3.org/1999/xhtml\"><p>Jan &amp; <b>Piet</b></p></div>"},
                "identifier": [{"system": "http://fhir.nl/fhir/NamingSystem/bsn", "value": "999911120"}],
                "active": true,
                "name": [{"family": "Jansen", "given": ["Jan", null],
                          "_given": [null, {"id": "g2", "extension": [{"url": "http://example.org/x", "valueString": "y"}]}]}],
                "birthDate": "2015-03-01",
                "multipleBirthInteger": 2,
                "contained": [{"resourceType": "Organization", "id": "o"}]
            })
        );
        // The definitions' order, not the input's, on the way back.
        round_trip(value);
    }

    #[test]
    fn keeps_decimals_and_bad_values_for_the_validator() {
        let xml = r#"<Observation xmlns="http://hl7.org/fhir"><status value="final"/><valueQuantity><value value="1.50"/></valueQuantity><code><text value="x"/></code></Observation>"#;
        let value = parse(xml, Limits::default()).unwrap();
        assert_eq!(value["valueQuantity"]["value"].to_string(), "1.50");
        let xml = r#"<Patient xmlns="http://hl7.org/fhir"><active value="yes"/><foo value="1"/></Patient>"#;
        let value = parse(xml, Limits::default()).unwrap();
        assert_eq!(value["active"], "yes");
        assert_eq!(value["foo"], "1");
    }

    #[test]
    fn refuses_what_fhir_xml_does_not_allow() {
        for (xml, expected) in [
            ("<Patient xmlns=\"http://hl7.org/fhir\"><active value=\"true\">", "ends before"),
            ("<!DOCTYPE x [<!ENTITY a \"b\">]><Patient xmlns=\"http://hl7.org/fhir\"/>", "DOCTYPE"),
            ("<Patient><active value=\"true\"/></Patient>", "namespace"),
            ("<Patient xmlns=\"http://hl7.org/fhir\"><active value=\"true\"/>text</Patient>", "text"),
            ("<Patient xmlns=\"http://hl7.org/fhir\" id=\"x\"/>", "attribute"),
            ("<Patient xmlns=\"http://hl7.org/fhir\"><active valu=\"true\"/></Patient>", "attribute 'valu'"),
            ("<Patient xmlns=\"http://hl7.org/fhir\"><name><family value=\"&nbsp;\"/></name></Patient>", "not well-formed"),
            ("<Patient xmlns=\"http://hl7.org/fhir\"/><Patient xmlns=\"http://hl7.org/fhir\"/>", "more than one root"),
        ] {
            let error = parse(xml, Limits::default()).unwrap_err();
            assert_eq!(error.status(), 400, "{xml}");
            let text = error.to_operation_outcome().to_string();
            assert!(text.contains(expected), "{xml}: {text}");
        }
        let deep = format!(
            "<Questionnaire xmlns=\"http://hl7.org/fhir\">{}{}</Questionnaire>",
            "<item>".repeat(200),
            "</item>".repeat(200)
        );
        assert_eq!(parse(&deep, Limits::default()).unwrap_err().status(), 400);
    }

    #[test]
    fn round_trips_bundles_extensions_and_backbone_elements() {
        round_trip(json!({
            "resourceType": "Bundle",
            "type": "transaction",
            "entry": [{
                "fullUrl": "urn:uuid:1",
                "resource": {
                    "resourceType": "CarePlan",
                    "meta": {"profile": ["http://example.org/p"]},
                    "extension": [{"url": "http://example.org/e", "valueCodeableConcept": {"coding": [{"system": "s", "code": "c"}]}}],
                    "status": "active",
                    "intent": "plan",
                    "subject": {"reference": "Patient/1"},
                    "activity": [{"detail": {"status": "scheduled", "description": "a \"quoted\"\nline"}}]
                },
                "request": {"method": "POST", "url": "CarePlan"}
            }]
        }));
        round_trip(json!({
            "resourceType": "Questionnaire",
            "status": "draft",
            "item": [{"linkId": "1", "type": "group", "item": [{"linkId": "1.1", "type": "decimal", "initial": [{"valueDecimal": 0.10}]}]}]
        }));
    }
}
