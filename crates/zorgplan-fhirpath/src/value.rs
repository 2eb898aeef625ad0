//! The items FHIRPath collections hold, and their FHIR types.
//!
//! An item is either a System value (`Boolean`, `Integer`, `Decimal`, `String`, `Date`,
//! `DateTime`, `Time`, `Quantity`) or a [`Node`]: a place in the input JSON together with its
//! FHIR type, resolved through the R4 definitions. Nodes borrow from the input; nothing of a
//! resource is copied. A node of a primitive type also holds the primitive's `_name` sibling,
//! so its `id` and `extension` are reachable and an extension-only primitive has no value.

use crate::datetime::{DateTime, Time};
use crate::decimal::Decimal;
use crate::navigate::get;
use crate::quantity::Quantity;
use serde_json::Value;
use smallvec::SmallVec;
use std::fmt;
use std::ops::Deref;
use std::rc::Rc;
use zorgplan_fhir::definitions::{Definitions, Kind, TypeDef};

/// A FHIRPath collection: most hold zero or one item, which stay inline.
pub type Collection<'a> = SmallVec<[Item<'a>; 1]>;

/// A string item: borrowed from the input or the expression, or made during evaluation.
#[derive(Debug, Clone)]
pub enum Str<'a> {
    Borrowed(&'a str),
    Owned(Rc<str>),
}

impl Str<'_> {
    pub fn owned(s: String) -> Str<'static> {
        Str::Owned(Rc::from(s))
    }
}

impl Deref for Str<'_> {
    type Target = str;

    fn deref(&self) -> &str {
        match self {
            Str::Borrowed(s) => s,
            Str::Owned(s) => s,
        }
    }
}

impl PartialEq for Str<'_> {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

/// The FHIR type of a node: the type's name, and where its children are defined (the type
/// definition and the path of the node in it, e.g. `Patient` / `Patient.contact` for a
/// backbone element).
#[derive(Debug, Clone, Copy)]
pub struct FhirType {
    /// `Patient`, `HumanName`, `code`, `BackboneElement`; empty when unknown.
    pub name: &'static str,
    pub(crate) def: Option<&'static TypeDef>,
    pub(crate) path: &'static str,
}

impl FhirType {
    /// A type by name, e.g. `Patient` or `Quantity`.
    pub fn named(name: &str) -> Option<FhirType> {
        let def = Definitions::r4().type_def(name)?;
        Some(FhirType {
            name: &def.name,
            def: Some(def),
            path: &def.name,
        })
    }

    /// The type of the node at an element path: `Period` (a type), `Patient.contact` (a
    /// backbone element), `Observation.code` (the element's type). `None` for an unknown
    /// path and for elements of more than one type (choices).
    pub fn at(path: &str) -> Option<FhirType> {
        let Some((type_name, _)) = path.split_once('.') else {
            return FhirType::named(path);
        };
        let def = Definitions::r4().type_def(type_name)?;
        let element = def.elements.iter().find(|e| e.path == path)?;
        if element.types.len() > 1 {
            return None;
        }
        Some(crate::navigate::element_type(def, element, 0)).filter(|t| t.def.is_some())
    }

    /// The path of the node in [`FhirType::definition`]: the type's name, or the path of a
    /// backbone element (`Patient.contact`).
    pub fn path(&self) -> &'static str {
        self.path
    }

    /// The definition holding this node's elements.
    pub fn definition(&self) -> Option<&'static TypeDef> {
        self.def
    }

    /// The type of a JSON value that names its own (`resourceType`), or an unknown type.
    pub(crate) fn of_resource(value: &Value) -> FhirType {
        value
            .get("resourceType")
            .and_then(Value::as_str)
            .and_then(FhirType::named)
            .unwrap_or(FhirType::UNKNOWN)
    }

    pub(crate) const UNKNOWN: FhirType = FhirType {
        name: "",
        def: None,
        path: "",
    };

    pub fn is_primitive(&self) -> bool {
        self.def.is_some_and(|d| d.kind == Kind::Primitive)
    }

    /// A resource type (not a backbone element inside one).
    pub fn is_resource(&self) -> bool {
        self.def
            .is_some_and(|d| d.kind == Kind::Resource && self.path == d.name)
    }

    /// Whether this type is `name` or derives from it (`Patient` is a `DomainResource`,
    /// `Age` a `Quantity`, `code` a `string`).
    pub fn is_a(&self, name: &str) -> bool {
        if self.name == name {
            return true;
        }
        let defs = Definitions::r4();
        let mut current = defs.type_def(self.name);
        while let Some(def) = current {
            if def.name == name {
                return true;
            }
            current = def.base.as_deref().and_then(|b| defs.type_def(b));
        }
        false
    }
}

/// A place in the input JSON and its FHIR type.
#[derive(Debug, Clone, Copy)]
pub struct Node<'a> {
    /// The JSON value; `None` for a primitive that has only its `_name` sibling.
    pub value: Option<&'a Value>,
    /// The `_name` sibling of a primitive (its `id` and `extension`).
    pub extra: Option<&'a Value>,
    pub ty: FhirType,
}

impl<'a> Node<'a> {
    /// A resource, typed by its `resourceType`.
    pub fn resource(value: &'a Value) -> Node<'a> {
        Node {
            value: Some(value),
            extra: None,
            ty: FhirType::of_resource(value),
        }
    }

    /// A value of the type at an element path (see [`FhirType::at`]): `Period`, or
    /// `Patient.contact` for a backbone element, e.g. to evaluate an element's invariants on
    /// it. `None` when the path has no single type.
    pub fn typed(value: &'a Value, path: &str) -> Option<Node<'a>> {
        Some(Node {
            value: Some(value),
            extra: None,
            ty: FhirType::at(path)?,
        })
    }

    /// The JSON object whose properties are this node's children.
    pub(crate) fn object(&self) -> Option<&'a serde_json::Map<String, Value>> {
        if self.ty.is_primitive() {
            self.extra?.as_object()
        } else {
            self.value?.as_object()
        }
    }

    /// Same place in the input (not just equal content).
    pub(crate) fn same(&self, other: &Node<'_>) -> bool {
        fn ptr(v: Option<&Value>) -> *const Value {
            v.map_or(std::ptr::null(), |v| v as *const Value)
        }
        ptr(self.value) == ptr(other.value) && ptr(self.extra) == ptr(other.extra)
    }
}

/// The result of `type()`: a namespace (`System` or `FHIR`) and a type name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TypeInfo {
    pub namespace: &'static str,
    pub name: &'static str,
}

/// One item of a collection.
#[derive(Debug, Clone)]
pub enum Item<'a> {
    Boolean(bool),
    Integer(i64),
    Decimal(Decimal),
    String(Str<'a>),
    Date(DateTime),
    DateTime(DateTime),
    Time(Time),
    Quantity(Quantity<'a>),
    Node(Node<'a>),
    Type(TypeInfo),
}

/// A JSON number as a System value: an integer when written without fraction or exponent.
fn number(n: &serde_json::Number) -> Option<Item<'static>> {
    let text = n.as_str();
    if !text.contains(['.', 'e', 'E']) {
        if let Ok(i) = text.parse::<i64>() {
            return Some(Item::Integer(i));
        }
    }
    Decimal::parse(text).map(Item::Decimal)
}

impl<'a> Item<'a> {
    /// The System value of this item: itself for System values, the value of a primitive
    /// node (typed by its FHIR type: a `date` node is a Date, a `code` node a String), a
    /// Quantity for a FHIR `Quantity` (or a type derived from it). `None` for other nodes and
    /// for primitives without a value.
    pub fn to_system(&self) -> Option<Item<'a>> {
        let node = match self {
            Item::Node(node) => node,
            Item::Type(_) => return None,
            other => return Some(other.clone()),
        };
        let value = node.value?;
        if node.ty.def.is_some_and(|d| d.kind != Kind::Primitive) {
            return if node.ty.is_a("Quantity") {
                quantity_of(value).map(Item::Quantity)
            } else {
                None
            };
        }
        match (node.ty.name, value) {
            ("date", Value::String(s)) => {
                Some(DateTime::parse_date(s).map_or(Item::String(Str::Borrowed(s)), Item::Date))
            }
            ("dateTime" | "instant", Value::String(s)) => Some(
                DateTime::parse_datetime(s).map_or(Item::String(Str::Borrowed(s)), Item::DateTime),
            ),
            ("time", Value::String(s)) => {
                Some(Time::parse(s).map_or(Item::String(Str::Borrowed(s)), Item::Time))
            }
            ("decimal", Value::Number(n)) => Decimal::parse(n.as_str()).map(Item::Decimal),
            (_, Value::String(s)) => Some(Item::String(Str::Borrowed(s))),
            (_, Value::Bool(b)) => Some(Item::Boolean(*b)),
            (_, Value::Number(n)) => number(n),
            _ => None,
        }
    }

    /// The node, when this item is one.
    pub fn as_node(&self) -> Option<&Node<'a>> {
        match self {
            Item::Node(node) => Some(node),
            _ => None,
        }
    }

    /// The type `type()` reports.
    pub fn type_info(&self) -> TypeInfo {
        let system = |name| TypeInfo {
            namespace: "System",
            name,
        };
        match self {
            Item::Boolean(_) => system("Boolean"),
            Item::Integer(_) => system("Integer"),
            Item::Decimal(_) => system("Decimal"),
            Item::String(_) => system("String"),
            Item::Date(_) => system("Date"),
            Item::DateTime(_) => system("DateTime"),
            Item::Time(_) => system("Time"),
            Item::Quantity(_) => system("Quantity"),
            Item::Type(_) => system("TypeInfo"),
            Item::Node(node) => TypeInfo {
                namespace: "FHIR",
                name: node.ty.name,
            },
        }
    }
}

/// A FHIR Quantity (or Age, Duration, …) as a System.Quantity: the UCUM code when the system
/// is UCUM, else the unit text.
fn quantity_of(value: &Value) -> Option<Quantity<'_>> {
    let obj = value.as_object()?;
    let field = |name| get(obj, name).and_then(Value::as_str);
    let amount = Decimal::parse(get(obj, "value")?.as_number()?.as_str())?;
    let ucum = field("system") == Some("http://unitsofmeasure.org");
    let code = field("code");
    let unit = match (ucum, code) {
        (true, Some(code)) => code,
        _ => field("unit").or(code).unwrap_or("1"),
    };
    Some(Quantity::new(amount, Str::Borrowed(unit)))
}

impl fmt::Display for Item<'_> {
    /// The text `toString()` gives; nodes without a System value print their JSON.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Item::Boolean(b) => write!(f, "{b}"),
            Item::Integer(i) => write!(f, "{i}"),
            Item::Decimal(d) => write!(f, "{d}"),
            Item::String(s) => f.write_str(s),
            Item::Date(d) | Item::DateTime(d) => write!(f, "{d}"),
            Item::Time(t) => write!(f, "{t}"),
            Item::Quantity(q) => write!(f, "{q}"),
            Item::Type(t) => write!(f, "{}.{}", t.namespace, t.name),
            Item::Node(node) => match self.to_system() {
                Some(value) => write!(f, "{value}"),
                None => match node.value {
                    Some(v) => write!(f, "{v}"),
                    None => Ok(()),
                },
            },
        }
    }
}
