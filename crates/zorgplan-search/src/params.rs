//! The search parameters the server knows, compiled once.

use foldhash::HashMap;
use serde::Deserialize;
use serde_json::Value;
use std::sync::OnceLock;
use zorgplan_fhirpath::Expr;

const R4_JSON: &str = include_str!("../definitions/r4.json");

/// The type of a search parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Number,
    Date,
    String,
    Token,
    Reference,
    Composite,
    Quantity,
    Uri,
    Special,
}

impl Kind {
    pub fn parse(text: &str) -> Option<Kind> {
        Some(match text {
            "number" => Kind::Number,
            "date" => Kind::Date,
            "string" => Kind::String,
            "token" => Kind::Token,
            "reference" => Kind::Reference,
            "composite" => Kind::Composite,
            "quantity" => Kind::Quantity,
            "uri" => Kind::Uri,
            "special" => Kind::Special,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Number => "number",
            Kind::Date => "date",
            Kind::String => "string",
            Kind::Token => "token",
            Kind::Reference => "reference",
            Kind::Composite => "composite",
            Kind::Quantity => "quantity",
            Kind::Uri => "uri",
            Kind::Special => "special",
        }
    }
}

/// One search parameter of one resource type.
#[derive(Debug, Clone)]
pub struct Param {
    /// The name in a search URL, e.g. `patient`.
    pub code: String,
    pub kind: Kind,
    /// The canonical URL of its SearchParameter.
    pub url: String,
    /// The values it indexes, for this resource type.
    pub expression: Expr,
    /// For a reference parameter: the types it may point to.
    pub targets: Vec<String>,
    /// For a composite parameter: its components, in order.
    pub components: Vec<Component>,
}

/// One component of a composite parameter.
#[derive(Debug, Clone)]
pub struct Component {
    /// The canonical URL of the component's own SearchParameter.
    pub url: String,
    /// The type of that parameter (`None` when the registry does not know it).
    pub kind: Option<Kind>,
    /// Its values, relative to each value of the composite's expression.
    pub expression: Expr,
}

impl Param {
    /// Whether a composite parameter can be searched: two components, the first a token
    /// (the code), the second of a plain type — the shape of every R4 composite of the
    /// standard's resource types (`code-value-quantity`, `combo-code-value-concept`, …).
    pub fn composite_searchable(&self) -> bool {
        matches!(
            self.components.as_slice(),
            [first, second] if first.kind == Some(Kind::Token)
                && second.kind.is_some_and(|k| !matches!(k, Kind::Composite | Kind::Special))
        )
    }

    /// Whether searches and the index handle this parameter: every type but special ones,
    /// and composites of the searchable shape.
    pub fn searchable(&self) -> bool {
        match self.kind {
            Kind::Special => false,
            Kind::Composite => self.composite_searchable(),
            _ => true,
        }
    }
}

#[derive(Deserialize)]
struct RawParam {
    code: String,
    #[serde(rename = "type")]
    kind: String,
    url: String,
    expression: String,
    #[serde(default)]
    target: Vec<String>,
    #[serde(default)]
    components: Vec<(String, String)>,
}

#[derive(Deserialize)]
struct RawRegistry {
    common: Vec<RawParam>,
    #[serde(rename = "patientCompartment")]
    patient_compartment: HashMap<String, Vec<String>>,
    types: HashMap<String, Vec<RawParam>>,
}

fn compile(raw: RawParam) -> Option<Param> {
    Some(Param {
        kind: Kind::parse(&raw.kind)?,
        expression: Expr::parse(&raw.expression).ok()?,
        components: raw
            .components
            .into_iter()
            .filter_map(|(url, e)| {
                Some(Component {
                    url,
                    kind: None,
                    expression: Expr::parse(&e).ok()?,
                })
            })
            .collect(),
        code: raw.code,
        url: raw.url,
        targets: raw.target,
    })
}

/// The search parameters per resource type.
pub struct Registry {
    by_type: HashMap<String, Vec<Param>>,
    common: Vec<Param>,
    /// Per resource type: the parameters by which one belongs to a patient's compartment.
    patient_compartment: HashMap<String, Vec<String>>,
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registry")
            .field("types", &self.by_type.len())
            .field(
                "parameters",
                &self.by_type.values().map(Vec::len).sum::<usize>(),
            )
            .field("common", &self.common.len())
            .finish()
    }
}

impl Registry {
    /// The R4 search parameters (compiled on first use).
    pub fn r4() -> &'static Registry {
        static R4: OnceLock<Registry> = OnceLock::new();
        R4.get_or_init(|| Registry::with(&[]))
    }

    /// The R4 search parameters and the SearchParameter resources in `resources` (others are
    /// skipped); one of these replaces an R4 parameter of the same code on the same type.
    pub fn with(resources: &[Value]) -> Registry {
        let raw: RawRegistry =
            serde_json::from_str(R4_JSON).expect("definitions/r4.json is well-formed");
        let mut by_type: HashMap<String, Vec<Param>> = raw
            .types
            .into_iter()
            .map(|(t, params)| (t, params.into_iter().filter_map(compile).collect()))
            .collect();
        for sp in resources
            .iter()
            .filter(|r| r["resourceType"] == "SearchParameter")
        {
            let bases = sp["base"].as_array().into_iter().flatten();
            for base in bases.filter_map(Value::as_str) {
                let param = RawParam {
                    code: sp["code"].as_str().unwrap_or_default().to_owned(),
                    kind: sp["type"].as_str().unwrap_or_default().to_owned(),
                    url: sp["url"].as_str().unwrap_or_default().to_owned(),
                    expression: sp["expression"].as_str().unwrap_or_default().to_owned(),
                    target: sp["target"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|t| t.as_str().map(str::to_owned))
                        .collect(),
                    components: sp["component"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .map(|c| {
                            let text = |k: &str| c[k].as_str().unwrap_or_default().to_owned();
                            (text("definition"), text("expression"))
                        })
                        .collect(),
                };
                if let Some(param) = compile(param) {
                    let params = by_type.entry(base.to_owned()).or_default();
                    params.retain(|p| p.code != param.code);
                    params.push(param);
                }
            }
        }
        // A composite's components are parameters of their own: their types, by URL.
        let kinds: HashMap<String, Kind> = by_type
            .values()
            .flatten()
            .map(|p| (p.url.clone(), p.kind))
            .collect();
        for param in by_type.values_mut().flatten() {
            for component in &mut param.components {
                component.kind = kinds.get(&component.url).copied();
            }
        }
        Registry {
            by_type,
            common: raw.common.into_iter().filter_map(compile).collect(),
            patient_compartment: raw.patient_compartment,
        }
    }

    /// The parameters of `res_type`: its own, then the common ones (`_id`, `_lastUpdated`,
    /// `_tag`, `_profile`, `_security`, `_source`).
    pub fn params<'r>(&'r self, res_type: &str) -> impl Iterator<Item = &'r Param> + 'r {
        self.by_type
            .get(res_type)
            .into_iter()
            .flatten()
            .chain(&self.common)
    }

    /// The parameter `code` of `res_type`.
    pub fn param(&self, res_type: &str, code: &str) -> Option<&Param> {
        self.params(res_type).find(|p| p.code == code)
    }

    /// The parameters by which a resource of `res_type` belongs to a patient's compartment
    /// (R4's Patient CompartmentDefinition); empty when it never does.
    pub fn patient_compartment(&self, res_type: &str) -> &[String] {
        self.patient_compartment
            .get(res_type)
            .map_or(&[], Vec::as_slice)
    }

    /// The resource types with parameters of their own.
    pub fn types(&self) -> impl Iterator<Item = &str> {
        self.by_type.keys().map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn compiles_every_r4_parameter_of_the_standards_types() {
        let registry = Registry::r4();
        let raw: Value = serde_json::from_str(R4_JSON).unwrap();
        for (t, params) in raw["types"].as_object().unwrap() {
            let compiled = registry.params(t).count() - registry.common.len();
            assert_eq!(compiled, params.as_array().unwrap().len(), "{t}");
        }
        assert_eq!(registry.types().count(), 146);
        let patient = registry.param("CarePlan", "patient").unwrap();
        assert_eq!(patient.kind, Kind::Reference);
        assert_eq!(
            patient.expression.source(),
            "CarePlan.subject.where(resolve() is Patient)"
        );
        assert_eq!(
            registry.param("Goal", "_lastUpdated").unwrap().kind,
            Kind::Date
        );
        assert!(registry.param("Goal", "nonsense").is_none());
        assert_eq!(
            registry.patient_compartment("Observation"),
            ["subject", "performer"]
        );
        assert!(registry.patient_compartment("Organization").is_empty());
    }

    #[test]
    fn search_parameter_resources_add_to_and_replace_the_r4_ones() {
        let registry = Registry::with(&[json!({
            "resourceType": "SearchParameter", "url": "http://example.org/sp", "code": "mks-fase",
            "base": ["CarePlan"], "type": "token",
            "expression": "CarePlan.extension('http://example.org/mks').value"})]);
        assert_eq!(
            registry.param("CarePlan", "mks-fase").unwrap().kind,
            Kind::Token
        );
        assert!(Registry::r4().param("CarePlan", "mks-fase").is_none());
    }
}
