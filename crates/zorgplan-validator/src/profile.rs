//! Profiles: a resource against the snapshot of a StructureDefinition that constrains its
//! type — the standard's profiles, embedded at build time, or any loaded with [`Conformance::load`].
//!
//! The walk follows the profile's element tree over the instance. Per element: cardinality
//! where the profile tightens the base definition (the base layer reports the rest), elements
//! the profile prohibits, `fixed[x]` and `pattern[x]`, required bindings to the profile's own
//! value sets, the types a choice element may still take, and the target types of references.
//! Slicing is resolved with its discriminators — `value` or `pattern` on a sub-element or on
//! `$this` (a slice without a fixed or pattern value is told apart by its required binding,
//! an extension slice by the url of its extension definition), `exists`, `type` (of a choice
//! or a nested resource) and `profile` (a nested resource that conforms to the slice's
//! profile) — then every slice's cardinality is checked, unmatched items of closed slicing are
//! refused, as are unmatched items before matched ones under `openAtEnd`, and each item is
//! validated against its slice. Extensions are validated against their own definitions.

use crate::codes::{coded_in, unchecked_binding};
use crate::invariants::{in_base, Invariant};
use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};
use serde_json::{Map, Value};
use std::sync::OnceLock;
use zorgplan_fhir::definitions::{upper_first, Definitions};
use zorgplan_fhir::{Issue, IssueType, Severity};
use zorgplan_fhirpath::{self as fhirpath, Context, FhirType};

mod standard {
    include!(concat!(env!("OUT_DIR"), "/standard.rs"));
}

/// One element of a profile's snapshot.
#[derive(Debug)]
struct ProfileElement {
    id: String,
    path: String,
    /// The JSON name (for a choice: without `[x]`).
    name: String,
    min: u32,
    max: Option<u32>,
    base_min: u32,
    base_max: Option<u32>,
    /// (type code, profiles, target profiles).
    types: Vec<(String, Vec<String>, Vec<String>)>,
    fixed: Option<Value>,
    pattern: Option<Value>,
    /// A required binding's value set.
    required_binding: Option<String>,
    /// An extensible binding's value set (a code outside it is a warning).
    extensible_binding: Option<String>,
    /// (kind, path) of each discriminator; and the slicing's rules.
    slicing: Option<(Vec<(String, String)>, Rules)>,
    /// The profile's own invariants on the element (those of the base definitions are the
    /// base layer's), and the type they are evaluated on (`None`: the item's own type).
    invariants: Vec<Invariant>,
    focus_type: Option<FhirType>,
}

/// How items that match no slice are treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rules {
    Open,
    Closed,
    /// Allowed, but only after all the items that match a slice.
    OpenAtEnd,
}

impl ProfileElement {
    fn is_choice(&self) -> bool {
        self.path.ends_with("[x]")
    }
}

/// A compiled profile.
#[derive(Debug)]
pub struct Profile {
    pub url: String,
    /// The resource or data type it constrains.
    pub type_name: String,
    elements: Vec<ProfileElement>,
    /// Element id → the ids of its child elements (not slices).
    children: HashMap<String, Vec<usize>>,
    /// Element id of a sliced element → its slices.
    slices: HashMap<String, Vec<usize>>,
    by_id: HashMap<String, usize>,
    /// Per element: whether it, or anything below it, constrains more than the base
    /// definition. A snapshot repeats every element of the base; the walk visits only these.
    constrains: Vec<bool>,
    /// Whether an invariant of the profile follows references (`resolve()`).
    pub resolves: bool,
    /// For an extension definition: where it may be used (`context` of type `element`).
    contexts: Vec<String>,
}

impl ProfileElement {
    /// Whether the element itself adds a constraint to the base definition.
    fn constrains(&self) -> bool {
        self.min > self.base_min
            || self
                .max
                .is_some_and(|m| self.base_max.is_none_or(|b| m < b))
            || self.fixed.is_some()
            || self.pattern.is_some()
            || self.slicing.is_some()
            || !self.invariants.is_empty()
            || self.is_choice()
            || self
                .required_binding
                .iter()
                .chain(&self.extensible_binding)
                .any(|vs| !vs.starts_with("http://hl7.org/fhir/"))
            || self.types.iter().any(|(_, profiles, targets)| {
                !profiles.is_empty()
                    || targets
                        .iter()
                        .any(|t| !t.starts_with("http://hl7.org/fhir/StructureDefinition/"))
            })
    }
}

fn max_of(value: Option<&Value>) -> Option<u32> {
    value.and_then(Value::as_str).and_then(|m| m.parse().ok())
}

fn compile(sd: &Value) -> Option<Profile> {
    let elements: Vec<ProfileElement> = sd["snapshot"]["element"]
        .as_array()?
        .iter()
        .map(|e| {
            let path = e["path"].as_str().unwrap_or_default().to_owned();
            let last = path.rsplit('.').next().unwrap_or_default();
            let object = e.as_object();
            let prefixed = |prefix: &str| {
                object.and_then(|o| {
                    o.iter()
                        .find(|(k, _)| k.starts_with(prefix))
                        .map(|(_, v)| v.clone())
                })
            };
            let binding = &e["binding"];
            ProfileElement {
                id: e["id"].as_str().unwrap_or_default().to_owned(),
                name: last.trim_end_matches("[x]").to_owned(),
                min: e["min"].as_u64().unwrap_or(0) as u32,
                max: max_of(e.get("max")),
                base_min: e["base"]["min"].as_u64().unwrap_or(0) as u32,
                base_max: max_of(e["base"].get("max")),
                types: e["type"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|t| {
                        let list = |key: &str| -> Vec<String> {
                            t[key]
                                .as_array()
                                .into_iter()
                                .flatten()
                                .filter_map(|p| {
                                    p.as_str()
                                        .map(|s| s.split('|').next().unwrap_or(s).to_owned())
                                })
                                .collect()
                        };
                        (
                            t["code"].as_str().unwrap_or_default().to_owned(),
                            list("profile"),
                            list("targetProfile"),
                        )
                    })
                    .collect(),
                fixed: prefixed("fixed"),
                pattern: prefixed("pattern"),
                required_binding: (binding["strength"] == "required")
                    .then(|| {
                        binding["valueSet"]
                            .as_str()
                            .map(|v| v.split('|').next().unwrap_or(v).to_owned())
                    })
                    .flatten(),
                extensible_binding: (binding["strength"] == "extensible")
                    .then(|| {
                        binding["valueSet"]
                            .as_str()
                            .map(|v| v.split('|').next().unwrap_or(v).to_owned())
                    })
                    .flatten(),
                slicing: e.get("slicing").map(|s| {
                    (
                        s["discriminator"]
                            .as_array()
                            .into_iter()
                            .flatten()
                            .map(|d| {
                                (
                                    d["type"].as_str().unwrap_or_default().to_owned(),
                                    d["path"].as_str().unwrap_or_default().to_owned(),
                                )
                            })
                            .collect(),
                        match s["rules"].as_str() {
                            Some("closed") => Rules::Closed,
                            Some("openAtEnd") => Rules::OpenAtEnd,
                            _ => Rules::Open,
                        },
                    )
                }),
                invariants: e["constraint"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|c| {
                        let key = c["key"].as_str()?;
                        let expression = c["expression"].as_str()?;
                        if in_base(key, expression) {
                            return None;
                        }
                        Invariant::compile(
                            key,
                            c["severity"].as_str().unwrap_or("error"),
                            c["human"].as_str().unwrap_or_default(),
                            expression,
                        )
                    })
                    .collect(),
                focus_type: FhirType::at(&path),
                path,
            }
        })
        .collect();
    let mut children: HashMap<String, Vec<usize>> = HashMap::new();
    let mut slices: HashMap<String, Vec<usize>> = HashMap::new();
    let mut by_id = HashMap::new();
    for (index, element) in elements.iter().enumerate() {
        by_id.insert(element.id.clone(), index);
        let Some((parent, last)) = element.id.rsplit_once('.') else {
            continue;
        };
        match last.split_once(':') {
            // A slice (or a re-slice): `parent.name:slice`.
            Some((name, _)) => slices
                .entry(format!("{parent}.{name}"))
                .or_default()
                .push(index),
            None => children.entry(parent.to_owned()).or_default().push(index),
        }
    }
    // Children follow their parent in a snapshot: going backwards, each element is settled
    // before its parent hears of it.
    let mut constrains: Vec<bool> = elements.iter().map(ProfileElement::constrains).collect();
    for index in (0..elements.len()).rev() {
        if !constrains[index] {
            continue;
        }
        if let Some((parent, _)) = elements[index].id.rsplit_once('.') {
            if let Some(&p) = by_id.get(parent) {
                constrains[p] = true;
            }
        }
    }
    let resolves = elements
        .iter()
        .flat_map(|e| &e.invariants)
        .any(|i| i.expr.source().contains("resolve()"));
    let contexts = sd["context"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| c["type"] == "element")
        .filter_map(|c| c["expression"].as_str().map(str::to_owned))
        .collect();
    Some(Profile {
        constrains,
        resolves,
        contexts,
        url: sd["url"].as_str()?.to_owned(),
        type_name: sd["type"].as_str()?.to_owned(),
        elements,
        children,
        slices,
        by_id,
    })
}

/// Profiles and value sets to validate against.
pub struct Conformance {
    profiles: HashMap<String, Profile>,
    value_sets: HashMap<String, HashSet<(String, String)>>,
    /// Displays of codes, from the code systems and the value sets' concept lists.
    displays: HashMap<(String, String), String>,
}

impl Conformance {
    /// The conformance resources of the Zorgplan Kind&Gezin standard, compiled on first use.
    pub fn standard() -> &'static Conformance {
        static STANDARD: OnceLock<Conformance> = OnceLock::new();
        STANDARD.get_or_init(|| {
            Conformance::load(
                standard::STANDARD
                    .iter()
                    .map(|text| {
                        serde_json::from_str(text).expect("the guide's JSON is well-formed")
                    })
                    .collect(),
            )
        })
    }

    /// The standard's conformance resources, to load together with others.
    pub fn standard_resources() -> Vec<Value> {
        standard::STANDARD
            .iter()
            .map(|text| serde_json::from_str(text).expect("the guide's JSON is well-formed"))
            .collect()
    }

    /// Compiles StructureDefinitions (constraints), ValueSets and CodeSystems.
    pub fn load(resources: Vec<Value>) -> Conformance {
        let mut code_systems: HashMap<String, Vec<String>> = HashMap::new();
        let mut displays = HashMap::new();
        for cs in resources
            .iter()
            .filter(|r| r["resourceType"] == "CodeSystem")
        {
            let mut codes = Vec::new();
            let mut stack: Vec<&Value> = cs["concept"].as_array().into_iter().flatten().collect();
            let system = cs["url"].as_str().unwrap_or_default();
            while let Some(concept) = stack.pop() {
                if let Some(code) = concept["code"].as_str() {
                    codes.push(code.to_owned());
                    if let Some(display) = concept["display"].as_str() {
                        displays.insert((system.to_owned(), code.to_owned()), display.to_owned());
                    }
                }
                stack.extend(concept["concept"].as_array().into_iter().flatten());
            }
            if let Some(url) = cs["url"].as_str() {
                code_systems.insert(url.to_owned(), codes);
            }
        }
        let mut value_sets = HashMap::new();
        for vs in resources.iter().filter(|r| r["resourceType"] == "ValueSet") {
            let compose = &vs["compose"];
            if compose.get("exclude").is_some() {
                continue;
            }
            let mut codes = HashSet::new();
            let mut expandable = true;
            for include in compose["include"].as_array().into_iter().flatten() {
                let system = include["system"].as_str().unwrap_or_default();
                match (
                    include.get("concept"),
                    include.get("filter"),
                    code_systems.get(system),
                ) {
                    (Some(concepts), None, _) => {
                        for c in concepts.as_array().into_iter().flatten() {
                            let Some(code) = c["code"].as_str() else {
                                continue;
                            };
                            if let Some(display) = c["display"].as_str() {
                                displays
                                    .entry((system.to_owned(), code.to_owned()))
                                    .or_insert_with(|| display.to_owned());
                            }
                            codes.insert((system.to_owned(), code.to_owned()));
                        }
                    }
                    (None, None, Some(all)) => {
                        codes.extend(all.iter().map(|c| (system.to_owned(), c.clone())))
                    }
                    _ => expandable = false,
                }
            }
            if let (true, Some(url)) = (expandable, vs["url"].as_str()) {
                value_sets.insert(url.to_owned(), codes);
            }
        }
        let profiles = resources
            .iter()
            .filter(|r| {
                r["resourceType"] == "StructureDefinition" && r["derivation"] == "constraint"
            })
            .filter_map(compile)
            .map(|p| (p.url.clone(), p))
            .collect();
        Conformance {
            profiles,
            value_sets,
            displays,
        }
    }

    /// The codes of a value set: one of these resources', or one of the R4 core value sets
    /// that can be expanded locally (a version suffix `|4.0.1` is ignored).
    pub fn value_set(&self, url: &str) -> Option<&HashSet<(String, String)>> {
        let url = url.split('|').next().unwrap_or(url);
        self.value_sets
            .get(url)
            .or_else(|| Definitions::r4().value_set(url))
    }

    /// The codes of a value set that can be expanded here, sorted, with their displays.
    pub fn expand(&self, url: &str) -> Option<Vec<(String, String, Option<String>)>> {
        let codes = self.value_set(url)?;
        let mut out: Vec<(String, String, Option<String>)> = codes
            .iter()
            .map(|(system, code)| {
                let display = self.display(system, code).map(str::to_owned);
                (system.clone(), code.clone(), display)
            })
            .collect();
        out.sort();
        Some(out)
    }

    /// Whether a code (of `system`, when given) is in a value set that can be expanded here;
    /// `None` when it cannot.
    pub fn validate_code(&self, url: &str, system: Option<&str>, code: &str) -> Option<bool> {
        let codes = self.value_set(url)?;
        Some(match system {
            Some(system) => codes.contains(&(system.to_owned(), code.to_owned())),
            None => codes.iter().any(|(_, c)| c == code),
        })
    }

    /// The display of a code, when a code system or value set here, or of the core
    /// definitions, gives one.
    pub fn display(&self, system: &str, code: &str) -> Option<&str> {
        self.displays
            .get(&(system.to_owned(), code.to_owned()))
            .map(String::as_str)
            .or_else(|| Definitions::r4().display(system, code))
    }

    pub fn profile(&self, url: &str) -> Option<&Profile> {
        self.profiles.get(url.split('|').next().unwrap_or(url))
    }

    /// Every extension of `resource` (at `expression`; `type_name` is its element path, e.g.
    /// `CareTeam.participant`) whose definition is known must be used where its definition's
    /// context allows: on an element of that path, or of that type (`Element` allows any).
    pub fn check_extension_contexts(
        &self,
        resource: &Value,
        type_name: &str,
        expression: &str,
        issues: &mut Vec<Issue>,
    ) {
        let Value::Object(object) = resource else {
            return;
        };
        for (key, value) in object {
            let items: &[Value] = match value {
                Value::Array(items) => items,
                other => std::slice::from_ref(other),
            };
            for (i, item) in items.iter().enumerate() {
                let at = || match value {
                    Value::Array(_) => format!("{expression}.{key}[{i}]"),
                    _ => format!("{expression}.{key}"),
                };
                if key == "extension" || key == "modifierExtension" {
                    let url = item.get("url").and_then(Value::as_str).unwrap_or_default();
                    let Some(definition) = self.profile(url) else {
                        continue;
                    };
                    // A path through a data type or a choice is not followed here: where the
                    // element's type cannot be told, the extension is not judged.
                    let here = FhirType::at(type_name);
                    let allowed = definition.contexts.is_empty()
                        || here.is_none()
                        || definition.contexts.iter().any(|c| {
                            c == type_name || c == "Element" || here.is_some_and(|t| t.is_a(c))
                        });
                    if !allowed {
                        issues.push(issue(
                            Severity::Error,
                            IssueType::Structure,
                            &format!("{expression}.{key}('{url}')"),
                            format!(
                                "The extension {url} may be used on {} only, not on {type_name}",
                                definition.contexts.join(", ")
                            ),
                        ));
                    }
                    // A complex extension's parts are in the extension's own context.
                    continue;
                }
                if !item.is_object() {
                    continue;
                }
                // The path of the child: a nested resource starts again at its type.
                let child_type = match item.get("resourceType").and_then(Value::as_str) {
                    Some(t) => t.to_owned(),
                    None => format!("{type_name}.{key}"),
                };
                self.check_extension_contexts(item, &child_type, &at(), issues);
            }
        }
    }

    /// The type a profile constrains (for reference targets).
    fn type_of(&self, profile_url: &str) -> Option<&str> {
        self.profile(profile_url).map(|p| p.type_name.as_str())
    }

    /// Validates `resource` (whose FHIRPath is `expression`) against `profile`.
    pub fn check<'v>(
        &self,
        profile: &Profile,
        resource: &'v Value,
        expression: &str,
        ctx: &Context<'v>,
        issues: &mut Vec<Issue>,
    ) {
        let root = Node {
            value: resource,
            twin: None,
            expression: expression.to_owned(),
        };
        let mut walk = Walk {
            conf: self,
            issues,
            ctx,
        };
        let Some(root_element) = profile.elements.first() else {
            return;
        };
        walk.children(profile, std::slice::from_ref(&root), &root_element.id);
        for invariant in &root_element.invariants {
            invariant.check(
                ctx,
                fhirpath::Node::resource(resource),
                || expression.to_owned(),
                walk.issues,
            );
        }
    }
}

/// An instance node: its value, and for a primitive the `_name` twin that carries its id and
/// extensions.
#[derive(Debug, Clone)]
struct Node<'v> {
    value: &'v Value,
    twin: Option<&'v Value>,
    expression: String,
}

struct Walk<'c, 'i, 'v> {
    conf: &'c Conformance,
    issues: &'i mut Vec<Issue>,
    ctx: &'i Context<'v>,
}

/// Whether `value` has everything `pattern` has (arrays: every pattern item matches an item).
fn matches_pattern(value: &Value, pattern: &Value) -> bool {
    match (value, pattern) {
        (Value::Object(v), Value::Object(p)) => p
            .iter()
            .all(|(k, pv)| v.get(k).is_some_and(|vv| matches_pattern(vv, pv))),
        (Value::Array(v), Value::Array(p)) => p
            .iter()
            .all(|pi| v.iter().any(|vi| matches_pattern(vi, pi))),
        (v, p) => v == p,
    }
}

fn issue(severity: Severity, code: IssueType, expression: &str, text: String) -> Issue {
    Issue {
        severity,
        code,
        diagnostics: text,
        expression: vec![expression.to_owned()],
    }
}

impl<'v> Walk<'_, '_, 'v> {
    fn error(&mut self, code: IssueType, expression: &str, text: String) {
        self.issues
            .push(issue(Severity::Error, code, expression, text));
    }

    /// The items of element `element` in `parent` (with their type codes).
    fn items<'e>(
        &mut self,
        parent: &Node<'v>,
        element: &'e ProfileElement,
    ) -> Vec<(Node<'v>, &'e str)> {
        // The properties of a primitive (its id and extensions) live in its `_name` twin.
        let object: Option<&'v Map<String, Value>> = match parent.value {
            Value::Object(object) => Some(object),
            _ => parent.twin.and_then(Value::as_object),
        };
        let Some(object) = object else {
            return Vec::new();
        };
        let mut found = Vec::new();
        let candidates: Vec<(&str, &'e str)> = if element.is_choice() {
            object
                .keys()
                .filter_map(|k| {
                    let suffix = k.strip_prefix(&element.name)?;
                    let code = element
                        .types
                        .iter()
                        .map(|(c, _, _)| c)
                        .find(|c| upper_first(c) == suffix);
                    match code {
                        Some(code) => Some((k.as_str(), code.as_str())),
                        None if suffix.starts_with(|c: char| c.is_ascii_uppercase()) => {
                            self.error(
                                IssueType::Structure,
                                &format!("{}.{k}", parent.expression),
                                format!("{} does not allow the type of '{k}' here", element.path),
                            );
                            None
                        }
                        None => None,
                    }
                })
                .collect()
        } else {
            let code = element.types.first().map_or("", |t| t.0.as_str());
            vec![(element.name.as_str(), code)]
        };
        for (key, code) in candidates {
            let value = object.get(key);
            // Only a primitive (lower-case type code) has a `_name` twin.
            let twin = if code.starts_with(|c: char| c.is_ascii_lowercase()) {
                object.get(&format!("_{key}"))
            } else {
                None
            };
            let expression = if element.is_choice() {
                format!("{}.{}.ofType({code})", parent.expression, element.name)
            } else {
                format!("{}.{key}", parent.expression)
            };
            let is_extension = key == "extension" || key == "modifierExtension";
            match (value, twin) {
                (Some(Value::Array(items)), twins) => {
                    for (i, item) in items.iter().enumerate() {
                        let twin = twins.and_then(|t| t.get(i)).filter(|t| !t.is_null());
                        // An extension is named by its url, which does not depend on order.
                        let expression = match item.get("url").and_then(Value::as_str) {
                            Some(url) if is_extension => format!("{expression}('{url}')"),
                            _ => format!("{expression}[{i}]"),
                        };
                        found.push((
                            Node {
                                value: item,
                                twin,
                                expression,
                            },
                            code,
                        ));
                    }
                }
                (Some(item), twin) => found.push((
                    Node {
                        value: item,
                        twin,
                        expression,
                    },
                    code,
                )),
                (None, Some(Value::Array(twins))) => {
                    for (i, twin) in twins.iter().enumerate().filter(|(_, t)| !t.is_null()) {
                        found.push((
                            Node {
                                value: &Value::Null,
                                twin: Some(twin),
                                expression: format!("{expression}[{i}]"),
                            },
                            code,
                        ));
                    }
                }
                (None, Some(twin)) => found.push((
                    Node {
                        value: &Value::Null,
                        twin: Some(twin),
                        expression,
                    },
                    code,
                )),
                (None, None) => {}
            }
        }
        found
    }

    /// Checks the children of element `parent_id` in every node of `nodes`.
    fn children(&mut self, profile: &Profile, nodes: &[Node<'v>], parent_id: &str) {
        let Some(children) = profile.children.get(parent_id) else {
            return;
        };
        for &index in children.iter().filter(|&&i| profile.constrains[i]) {
            let element = &profile.elements[index];
            for node in nodes {
                let items = self.items(node, element);
                self.cardinality(element, items.len(), &node.expression, None);
                if element.slicing.is_some() {
                    self.slices(profile, element, &items, &node.expression);
                }
                for (item, code) in &items {
                    self.item(profile, element, item, code);
                }
            }
        }
    }

    /// `parent` is the FHIRPath of the node that holds the element; issues point at the
    /// element itself.
    fn cardinality(
        &mut self,
        element: &ProfileElement,
        count: usize,
        parent: &str,
        slice: Option<&str>,
    ) {
        // Built only when an issue is reported.
        let expression = || format!("{parent}.{}", element.name);
        let what = || match slice {
            Some(name) => format!("slice '{name}' of {}", element.path),
            None => element.path.clone(),
        };
        // Only what the profile tightens: the base layer reports the base's own limits.
        let tighter_min = element.min > element.base_min || slice.is_some();
        if tighter_min && (count as u32) < element.min {
            self.error(
                IssueType::Required,
                &expression(),
                format!(
                    "{}: minimum cardinality {} in this profile, found {count}",
                    what(),
                    element.min
                ),
            );
        }
        if let Some(max) = element.max {
            let tighter_max = element.base_max.is_none_or(|b| max < b) || slice.is_some();
            if tighter_max && count as u32 > max {
                self.error(
                    IssueType::Structure,
                    &expression(),
                    format!(
                        "{}: maximum cardinality {max} in this profile, found {count}",
                        what()
                    ),
                );
            }
        }
    }

    /// One item of an element (or a slice): fixed and pattern values, bindings, reference
    /// targets, extension definitions, and the element's children.
    fn item(&mut self, profile: &Profile, element: &ProfileElement, item: &Node<'v>, code: &str) {
        let value = item.value;
        if !element.invariants.is_empty() {
            let ty = element.focus_type.or_else(|| FhirType::named(code));
            if let Some(ty) = ty {
                let focus = fhirpath::Node {
                    value: Some(value),
                    extra: item.twin,
                    ty,
                };
                for invariant in &element.invariants {
                    invariant.check(self.ctx, focus, || item.expression.clone(), self.issues);
                }
            }
        }
        if let Some(fixed) = &element.fixed {
            if !value.is_null() && value != fixed {
                self.error(
                    IssueType::Value,
                    &item.expression,
                    format!("{} must be exactly {fixed} in this profile", element.path),
                );
            }
        }
        if let Some(pattern) = &element.pattern {
            if !value.is_null() && !matches_pattern(value, pattern) {
                self.error(
                    IssueType::Value,
                    &item.expression,
                    format!(
                        "{} must match the pattern {pattern} in this profile",
                        element.path
                    ),
                );
            }
        }
        if let Some(vs) = &element.required_binding {
            self.binding(vs, value, code, &item.expression, Severity::Error);
        }
        if let Some(vs) = &element.extensible_binding {
            self.binding(vs, value, code, &item.expression, Severity::Warning);
        }
        if code == "Reference" {
            self.reference_target(element, value, &item.expression);
        }
        for (_, ext_profiles, _) in element.types.iter().filter(|t| t.0 == "Extension") {
            for url in ext_profiles {
                if let Some(definition) = self.conf.profile(url) {
                    if value.get("url").and_then(Value::as_str) == Some(url.as_str()) {
                        let root = definition
                            .elements
                            .first()
                            .map(|e| e.id.clone())
                            .unwrap_or_default();
                        self.children(definition, std::slice::from_ref(item), &root);
                    }
                }
            }
        }
        self.children(profile, std::slice::from_ref(item), &element.id);
    }

    /// A binding to a value set of the profile (the base layer checks the base's required
    /// ones): an error for a required binding, a warning for an extensible one.
    fn binding(
        &mut self,
        vs: &str,
        value: &Value,
        code: &str,
        expression: &str,
        severity: Severity,
    ) {
        let Some(codes) = self.conf.value_set(vs) else {
            self.issues
                .push(unchecked_binding(vs, expression.to_owned()));
            return;
        };
        if !coded_in(codes, code, value) {
            let strength = if severity == Severity::Error {
                "required"
            } else {
                "extensible"
            };
            self.issues.push(issue(
                severity,
                IssueType::CodeInvalid,
                expression,
                format!("The code is not in the {strength} value set {vs}"),
            ));
        }
    }

    /// A literal or conditional reference must point to a type the profile allows.
    fn reference_target(&mut self, element: &ProfileElement, value: &Value, expression: &str) {
        let targets: Vec<&str> = element
            .types
            .iter()
            .filter(|t| t.0 == "Reference")
            .flat_map(|t| t.2.iter())
            .map(|url| {
                self.conf
                    .type_of(url)
                    .unwrap_or_else(|| url.rsplit('/').next().unwrap_or(url))
            })
            .collect();
        if targets.is_empty() || targets.contains(&"Resource") {
            return;
        }
        let Some(reference) = value.get("reference").and_then(Value::as_str) else {
            return;
        };
        if reference.starts_with('#') || reference.starts_with("urn:") {
            return;
        }
        let path = reference.split("/_history").next().unwrap_or(reference);
        let target_type = path.split('?').next().and_then(|p| {
            let segments: Vec<&str> = p.trim_end_matches('/').split('/').collect();
            match segments.as_slice() {
                [.., t, _id] if t.starts_with(|c: char| c.is_ascii_uppercase()) => Some(*t),
                [t] if path.contains('?') => Some(*t),
                _ => None,
            }
        });
        if let Some(t) = target_type {
            if !targets.contains(&t) {
                self.error(
                    IssueType::Structure,
                    &format!("{expression}.reference"),
                    format!(
                        "{} may refer to {} only, not to a {t}",
                        element.path,
                        targets.join(", ")
                    ),
                );
            }
        }
    }

    /// Assigns the items of a sliced element to its slices and checks each slice.
    fn slices(
        &mut self,
        profile: &Profile,
        element: &ProfileElement,
        items: &[(Node<'v>, &str)],
        expression: &str,
    ) {
        let Some((discriminators, rules)) = &element.slicing else {
            return;
        };
        let slices: &[usize] = profile.slices.get(&element.id).map_or(&[], Vec::as_slice);
        let mut counts = vec![0usize; slices.len()];
        let mut unmatched_seen = false;
        for (item, _) in items {
            let matched = slices.iter().position(|&s| {
                discriminators.iter().all(|(kind, path)| {
                    self.discriminates(profile, &profile.elements[s], kind, path, item.value)
                })
            });
            match matched {
                Some(_) if unmatched_seen && *rules == Rules::OpenAtEnd => self.error(
                    IssueType::Structure,
                    &item.expression,
                    format!(
                        "{} is open at the end: an item of a slice follows one that matches no slice",
                        element.path
                    ),
                ),
                Some(i) => {
                    counts[i] += 1;
                    let slice = &profile.elements[slices[i]];
                    let code = slice.types.first().map_or("", |t| t.0.as_str());
                    self.item(profile, slice, item, code);
                }
                None if *rules == Rules::Closed => self.error(
                    IssueType::Structure,
                    &item.expression,
                    format!(
                        "{} is closed: this item matches none of its slices",
                        element.path
                    ),
                ),
                None => unmatched_seen = true,
            }
        }
        for (i, &s) in slices.iter().enumerate() {
            let slice = &profile.elements[s];
            let name = slice.id.rsplit(':').next().unwrap_or_default().to_owned();
            self.cardinality(slice, counts[i], expression, Some(&name));
        }
    }

    /// Whether `value` belongs to `slice` by the discriminator (`kind`, `path`).
    fn discriminates(
        &self,
        profile: &Profile,
        slice: &ProfileElement,
        kind: &str,
        path: &str,
        value: &Value,
    ) -> bool {
        if path == "$this" && kind == "type" {
            let resource_type = value.get("resourceType").and_then(Value::as_str);
            return slice
                .types
                .iter()
                .any(|t| Some(t.0.as_str()) == resource_type);
        }
        if path == "$this" {
            return match (&slice.fixed, &slice.pattern, &slice.required_binding) {
                (Some(fixed), _, _) => value == fixed,
                (None, Some(pattern), _) => matches_pattern(value, pattern),
                // Told apart by a required binding: an item coded in a code system of the value
                // set belongs to the slice (and fails its binding when the code is not in it).
                (None, None, Some(vs)) => self.conf.value_sets.get(vs).is_some_and(|codes| {
                    let from_set_system = |c: &Value| {
                        let system = c["system"].as_str().unwrap_or_default();
                        codes.iter().any(|(s, _)| s == system)
                    };
                    from_set_system(value)
                        || value["coding"]
                            .as_array()
                            .into_iter()
                            .flatten()
                            .any(from_set_system)
                }),
                _ => false,
            };
        }
        let at = profile
            .by_id
            .get(&format!("{}.{path}", slice.id))
            .map(|&i| &profile.elements[i]);
        let (parent, last) = match path.rsplit_once('.') {
            Some((parent, last)) => (parent.split('.').try_fold(value, |v, s| v.get(s)), last),
            None => (Some(value), path),
        };
        match kind {
            // The slice's element at the path is required (min ≥ 1) or prohibited (max 0).
            "exists" => {
                let present = parent.is_some_and(|p| {
                    p.as_object()
                        .is_some_and(|o| o.keys().any(|k| k == last || is_choice_of(k, last)))
                });
                return match at {
                    Some(e) if e.max == Some(0) => !present,
                    Some(e) if e.min > 0 => present,
                    _ => false,
                };
            }
            // The type of the item at the path: a nested resource's type, or the type a
            // choice element takes.
            "type" => {
                let expected: Vec<&str> = at
                    .map(|e| e.types.iter().map(|t| t.0.as_str()).collect())
                    .unwrap_or_default();
                let Some(object) = parent.and_then(Value::as_object) else {
                    return false;
                };
                let last = last.trim_end_matches("[x]");
                return match object.get(last) {
                    Some(v) => v
                        .get("resourceType")
                        .and_then(Value::as_str)
                        .is_some_and(|t| expected.contains(&t)),
                    None => object.keys().any(|k| {
                        k.strip_prefix(last)
                            .is_some_and(|suffix| expected.iter().any(|t| upper_first(t) == suffix))
                    }),
                };
            }
            // The resource at the path conforms to (one of) the slice's profiles.
            "profile" => {
                let Some(resource) = parent.and_then(|p| p.get(last)) else {
                    return false;
                };
                let profiles = at.into_iter().flat_map(|e| &e.types).flat_map(|t| &t.1);
                return profiles.filter_map(|url| self.conf.profile(url)).any(|p| {
                    let ctx = crate::invariants::context(resource, None);
                    let mut found = Vec::new();
                    self.conf.check(p, resource, &p.type_name, &ctx, &mut found);
                    !crate::has_errors(&found)
                });
            }
            _ => {}
        }
        let actual = path.split('.').try_fold(value, |v, step| v.get(step));
        let spec = at.and_then(|e| e.fixed.as_ref().or(e.pattern.as_ref()));
        match (spec, kind) {
            (Some(expected), "pattern") => actual.is_some_and(|a| matches_pattern(a, expected)),
            (Some(expected), _) => actual == Some(expected),
            // An extension slice: its url is that of the extension definition it names.
            (None, _) if path == "url" => slice
                .types
                .iter()
                .flat_map(|t| t.1.iter())
                .any(|url| actual.and_then(Value::as_str) == Some(url.as_str())),
            (None, _) => false,
        }
    }
}

/// Whether JSON property `key` is the choice element `name` with a type (`valueQuantity` of
/// `value[x]`).
fn is_choice_of(key: &str, name: &str) -> bool {
    let name = name.trim_end_matches("[x]");
    key.strip_prefix(name)
        .is_some_and(|suffix| suffix.starts_with(|c: char| c.is_ascii_uppercase()))
}

/// The standard's profile for `resource`: every resource of its type is validated against it,
/// whether or not it claims it in `meta.profile` — but for a Consent only a privacy consent
/// (scope `patient-privacy`, or none given): the standard's consent profile is about who may
/// see what, and an advance directive (scope `adr`) or a treatment or research consent is
/// plain R4.
pub fn default_profile(resource: &Value) -> Option<&'static str> {
    let resource_type = resource.get("resourceType").and_then(Value::as_str)?;
    if resource_type == "Consent" {
        let scopes = resource["scope"]["coding"].as_array();
        let privacy =
            scopes.is_none_or(|codings| codings.iter().any(|c| c["code"] == "patient-privacy"));
        if !privacy {
            return None;
        }
    }
    Some(match resource_type {
        "CarePlan" => "http://fhir.zorgplankindgezin.nl/StructureDefinition/zorgplan-kind-gezin",
        "Goal" => "http://fhir.zorgplankindgezin.nl/StructureDefinition/doel-kind-gezin",
        "CareTeam" => "http://fhir.zorgplankindgezin.nl/StructureDefinition/zorgnetwerk-kind",
        "Consent" => "http://fhir.zorgplankindgezin.nl/StructureDefinition/toestemming-kind-gezin",
        "ServiceRequest" => {
            "http://fhir.zorgplankindgezin.nl/StructureDefinition/interventie-kind-gezin"
        }
        "Coverage" => {
            "http://fhir.zorgplankindgezin.nl/StructureDefinition/financiering-kind-gezin"
        }
        "Task" => "http://fhir.zorgplankindgezin.nl/StructureDefinition/taak-kind-gezin",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::default_profile;
    use serde_json::json;

    #[test]
    fn the_consent_profile_applies_to_privacy_consents_only() {
        let scoped = |code: &str| {
            json!({"resourceType": "Consent", "scope": {"coding": [
                {"system": "http://terminology.hl7.org/CodeSystem/consentscope", "code": code}]}})
        };
        let privacy = "http://fhir.zorgplankindgezin.nl/StructureDefinition/toestemming-kind-gezin";
        assert_eq!(default_profile(&scoped("patient-privacy")), Some(privacy));
        assert_eq!(
            default_profile(&json!({"resourceType": "Consent"})),
            Some(privacy)
        );
        assert_eq!(default_profile(&scoped("adr")), None);
        assert_eq!(default_profile(&scoped("research")), None);
        assert!(default_profile(&json!({"resourceType": "CarePlan"})).is_some());
        assert_eq!(default_profile(&json!({"resourceType": "Patient"})), None);
    }
}
