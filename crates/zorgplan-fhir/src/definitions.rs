//! The R4 definitions of every type, compiled once into lookup tables.
//!
//! `definitions/r4.json` is generated from the FHIR 4.0.1 core definitions by
//! `scripts/gen-definitions.py` (`make definitions`): every element of every type with its
//! FHIRPath invariants, the regular expressions of the primitive types, and the codes (with
//! displays) of the value sets that required bindings name. At start-up it is turned into,
//! per type, a table from a node's path and a JSON property name to the element and type that
//! property stands for — so validating a property is one hash lookup, and no definition is
//! parsed per request.

use foldhash::{HashMap, HashMapExt, HashSet};
use regex::Regex;
use serde::Deserialize;
use std::sync::OnceLock;

const R4_JSON: &str = include_str!("../definitions/r4.json");

#[derive(Deserialize)]
struct RawDefinitions {
    types: HashMap<String, RawType>,
    invariants: Vec<(String, String, String, String)>,
    #[serde(rename = "valueSets")]
    value_sets: HashMap<String, Vec<Vec<String>>>,
}

#[derive(Deserialize)]
struct RawType {
    kind: String,
    #[serde(rename = "abstract")]
    is_abstract: bool,
    base: Option<String>,
    elements: Vec<RawElement>,
    regex: Option<String>,
}

#[derive(Deserialize)]
struct RawElement {
    p: String,
    n: u32,
    x: String,
    #[serde(default)]
    t: Vec<Vec<String>>,
    r: Option<String>,
    b: Option<String>,
    #[serde(default)]
    c: Vec<usize>,
    /// 1 when the element is part of the summary (`_summary=true`).
    #[serde(default)]
    s: u8,
}

/// The kind of a type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Primitive,
    Complex,
    Resource,
}

/// One element of a type's definition.
#[derive(Debug)]
pub struct Element {
    /// The element's path, e.g. `Patient.contact.name` or `Observation.value[x]`.
    pub path: String,
    /// The property name in JSON (for a choice: without `[x]`).
    pub name: String,
    pub min: u32,
    /// `None`: unbounded (`*`).
    pub max: Option<u32>,
    /// Type codes, each with its allowed target types (for references).
    pub types: Vec<(String, Vec<String>)>,
    /// The path of the element whose definition this one reuses (`contentReference`).
    pub content_reference: Option<String>,
    /// The value set of a required binding.
    pub required_binding: Option<String>,
    /// The element's FHIRPath invariants (indices into [`Definitions::invariants`]), except
    /// ele-1, which holds for every element.
    pub constraints: Vec<usize>,
    /// Part of the resource's summary (`isSummary`).
    pub summary: bool,
}

impl Element {
    #[inline]
    pub fn is_choice(&self) -> bool {
        self.path.ends_with("[x]")
    }

    #[inline]
    pub fn is_array(&self) -> bool {
        self.max != Some(1) && self.max != Some(0)
    }
}

/// What a JSON property of a node stands for.
#[derive(Debug, Clone, Copy)]
pub struct Property {
    /// Index of the element in its type's `elements`.
    pub element: usize,
    /// Index into the element's `types` (the one a choice property names).
    pub type_index: usize,
}

/// One type, compiled.
#[derive(Debug)]
pub struct TypeDef {
    pub name: String,
    pub kind: Kind,
    pub is_abstract: bool,
    /// The type this one specializes (`Patient` → `DomainResource`, `Age` → `Quantity`,
    /// `code` → `string`); `None` for the roots `Element` and `Resource`.
    pub base: Option<String>,
    pub elements: Vec<Element>,
    /// The full-match regular expression of a primitive type's value.
    pub regex: Option<Regex>,
    /// Per node path: the node's properties by JSON name.
    properties: HashMap<String, HashMap<String, Property>>,
    /// Per node path: the indices of its child elements.
    children: HashMap<String, Vec<usize>>,
}

impl TypeDef {
    /// The property `name` of the node at `path`.
    #[inline]
    pub fn property(&self, path: &str, name: &str) -> Option<Property> {
        self.properties.get(path)?.get(name).copied()
    }

    /// The child elements of the node at `path`.
    #[inline]
    pub fn children(&self, path: &str) -> &[usize] {
        self.children.get(path).map_or(&[], Vec::as_slice)
    }
}

/// A FHIRPath invariant of the core definitions.
#[derive(Debug)]
pub struct Invariant {
    /// The key, e.g. `dom-2`.
    pub key: String,
    /// `error` or `warning`.
    pub severity: String,
    /// What it requires, in words.
    pub human: String,
    /// The FHIRPath expression that must be true.
    pub expression: String,
}

/// All R4 types and the value sets of required bindings.
pub struct Definitions {
    types: HashMap<String, TypeDef>,
    invariants: Vec<Invariant>,
    value_sets: HashMap<String, HashSet<(String, String)>>,
    displays: HashMap<(String, String), String>,
}

/// `quantity` → `Quantity`: the type suffix of a choice property.
pub fn upper_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_ascii_uppercase().to_string() + chars.as_str(),
        None => String::new(),
    }
}

fn compile_type(name: &str, raw: RawType) -> TypeDef {
    let elements: Vec<Element> = raw
        .elements
        .into_iter()
        .map(|e| {
            let last = e.p.rsplit('.').next().unwrap_or(&e.p);
            Element {
                name: last.trim_end_matches("[x]").to_owned(),
                min: e.n,
                max: e.x.parse().ok(),
                types: e
                    .t
                    .into_iter()
                    .map(|mut t| {
                        let code = t.remove(0);
                        (code, t)
                    })
                    .collect(),
                content_reference: e
                    .r
                    .map(|r| r.rsplit_once('#').map_or(r.clone(), |(_, p)| p.to_owned())),
                required_binding: e.b,
                constraints: e.c,
                summary: e.s == 1,
                path: e.p,
            }
        })
        .collect();
    let mut properties: HashMap<String, HashMap<String, Property>> = HashMap::new();
    let mut children: HashMap<String, Vec<usize>> = HashMap::new();
    for (index, element) in elements.iter().enumerate() {
        let Some((parent, _)) = element.path.rsplit_once('.') else {
            continue;
        };
        children.entry(parent.to_owned()).or_default().push(index);
        let names = properties.entry(parent.to_owned()).or_default();
        if element.is_choice() {
            for (type_index, (code, _)) in element.types.iter().enumerate() {
                names.insert(
                    format!("{}{}", element.name, upper_first(code)),
                    Property {
                        element: index,
                        type_index,
                    },
                );
            }
        } else {
            names.insert(
                element.name.clone(),
                Property {
                    element: index,
                    type_index: 0,
                },
            );
        }
    }
    let kind = match raw.kind.as_str() {
        "primitive-type" => Kind::Primitive,
        "resource" => Kind::Resource,
        _ => Kind::Complex,
    };
    let regex = raw
        .regex
        .and_then(|r| Regex::new(&format!("^(?:{r})$")).ok());
    TypeDef {
        name: name.to_owned(),
        kind,
        is_abstract: raw.is_abstract,
        base: raw.base,
        elements,
        regex,
        properties,
        children,
    }
}

impl Definitions {
    /// The FHIR R4 (4.0.1) core definitions, compiled on first use.
    pub fn r4() -> &'static Definitions {
        static R4: OnceLock<Definitions> = OnceLock::new();
        R4.get_or_init(|| {
            let raw: RawDefinitions =
                serde_json::from_str(R4_JSON).expect("definitions/r4.json is well-formed");
            let mut displays = HashMap::new();
            for rows in raw.value_sets.values() {
                for row in rows {
                    if let [system, code, display] = row.as_slice() {
                        displays.insert((system.clone(), code.clone()), display.clone());
                    }
                }
            }
            Definitions {
                invariants: raw
                    .invariants
                    .into_iter()
                    .map(|(key, severity, human, expression)| Invariant {
                        key,
                        severity,
                        human,
                        expression,
                    })
                    .collect(),
                displays,
                types: raw
                    .types
                    .into_iter()
                    .map(|(name, t)| {
                        let compiled = compile_type(&name, t);
                        (name, compiled)
                    })
                    .collect(),
                value_sets: raw
                    .value_sets
                    .into_iter()
                    .map(|(url, rows)| {
                        let codes = rows
                            .into_iter()
                            .filter_map(|mut row| {
                                row.truncate(2);
                                let code = row.pop()?;
                                Some((row.pop()?, code))
                            })
                            .collect();
                        (url, codes)
                    })
                    .collect(),
            }
        })
    }

    #[inline]
    pub fn type_def(&self, name: &str) -> Option<&TypeDef> {
        self.types.get(name)
    }

    /// The (system, code) pairs of a value set, when it can be expanded locally.
    #[inline]
    pub fn value_set(&self, url: &str) -> Option<&HashSet<(String, String)>> {
        self.value_sets.get(url)
    }

    /// The display of a code in the core code systems.
    pub fn display(&self, system: &str, code: &str) -> Option<&str> {
        self.displays
            .get(&(system.to_owned(), code.to_owned()))
            .map(String::as_str)
    }

    /// The invariants of the core definitions ([`Element::constraints`] index them).
    pub fn invariants(&self) -> &[Invariant] {
        &self.invariants
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compiles_the_r4_definitions() {
        let defs = Definitions::r4();
        let patient = defs.type_def("Patient").unwrap();
        assert_eq!(patient.kind, Kind::Resource);
        let gender = patient.property("Patient", "gender").unwrap();
        let element = &patient.elements[gender.element];
        assert_eq!(element.types[0].0, "code");
        assert_eq!(
            element.required_binding.as_deref(),
            Some("http://hl7.org/fhir/ValueSet/administrative-gender")
        );
        let obs = defs.type_def("Observation").unwrap();
        let value = obs.property("Observation", "valueQuantity").unwrap();
        assert_eq!(
            obs.elements[value.element].types[value.type_index].0,
            "Quantity"
        );
        assert!(obs.property("Observation", "value").is_none());
        assert!(defs
            .type_def("date")
            .unwrap()
            .regex
            .as_ref()
            .unwrap()
            .is_match("2015-03"));
        assert!(!defs
            .type_def("date")
            .unwrap()
            .regex
            .as_ref()
            .unwrap()
            .is_match("2015-13"));
        let genders = defs
            .value_set("http://hl7.org/fhir/ValueSet/administrative-gender")
            .unwrap();
        assert!(genders.contains(&(
            "http://hl7.org/fhir/administrative-gender".to_owned(),
            "female".to_owned()
        )));
        assert_eq!(
            defs.display("http://hl7.org/fhir/administrative-gender", "female"),
            Some("Female")
        );
        let dom_2 = patient.elements[0]
            .constraints
            .iter()
            .map(|&i| &defs.invariants()[i])
            .find(|i| i.key == "dom-2")
            .expect("dom-2 on the resource root");
        assert_eq!(dom_2.severity, "error");
        assert_eq!(dom_2.expression, "contained.contained.empty()");
        assert!(
            defs.invariants().iter().all(|i| i.key != "ele-1"),
            "ele-1 is checked natively"
        );
        let contact = patient.property("Patient.contact", "name").unwrap();
        assert_eq!(
            patient.elements[contact.element].path,
            "Patient.contact.name"
        );
    }
}
