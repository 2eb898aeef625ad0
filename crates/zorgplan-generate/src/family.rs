//! Whole families for a population of children: each child with its parents and sister, its
//! care plan, care network, goals, interventions, tasks, financing, consent, condition,
//! help-needs scan and measurements; and the care providers (organisations, practitioners,
//! their roles) the networks share. Built from the standard's own examples
//! (`profiles/fsh-generated`), so every resource conforms to the profile its example does;
//! names, identifiers, dates, codes and the sizes of plans vary per child. The same seed
//! gives the same data.

use crate::people::{numbered_bsn, Child, Rng, CITIES};
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use std::sync::OnceLock;

macro_rules! example {
    ($name:literal) => {
        include_str!(concat!(
            "../../../profiles/fsh-generated/resources/",
            $name,
            ".json"
        ))
    };
}

/// The organisation examples; organisation `k` is made from example `k % 5`.
const ORGANIZATIONS: [&str; 5] = [
    example!("Organization-voorbeeld-gemeente"),
    example!("Organization-voorbeeld-kinderdagverblijf"),
    example!("Organization-voorbeeld-kinderthuiszorg"),
    example!("Organization-voorbeeld-umc"),
    example!("Organization-voorbeeld-zorgverzekeraar"),
];

/// The role examples with their practitioner; role `j` is made from pair `j % 4`.
const ROLES: [(&str, &str); 4] = [
    (
        example!("PractitionerRole-voorbeeld-jeugdconsulent-rol"),
        example!("Practitioner-voorbeeld-jeugdconsulent"),
    ),
    (
        example!("PractitionerRole-voorbeeld-kinderarts-rol"),
        example!("Practitioner-voorbeeld-kinderarts"),
    ),
    (
        example!("PractitionerRole-voorbeeld-kinderverpleegkundige-rol"),
        example!("Practitioner-voorbeeld-kinderverpleegkundige"),
    ),
    (
        example!("PractitionerRole-voorbeeld-transferverpleegkundige-rol"),
        example!("Practitioner-voorbeeld-transferverpleegkundige"),
    ),
];

const GOALS: [&str; 5] = [
    example!("Goal-voorbeeld-doel-sondevoeding"),
    example!("Goal-voorbeeld-doel-kinderdagverblijf"),
    example!("Goal-voorbeeld-doel-werk-moeder"),
    example!("Goal-voorbeeld-doel-veiligheid"),
    example!("Goal-voorbeeld-doel-zus"),
];

const INTERVENTIONS: [&str; 4] = [
    example!("ServiceRequest-voorbeeld-interventie-verpleging"),
    example!("ServiceRequest-voorbeeld-interventie-training-sondevoeding"),
    example!("ServiceRequest-voorbeeld-interventie-kinderdagverblijf"),
    example!("ServiceRequest-voorbeeld-interventie-brussengroep"),
];

const TASKS: [&str; 2] = [
    example!("Task-voorbeeld-taak-overdracht"),
    example!("Task-voorbeeld-taak-bindende-verwijzing"),
];

/// The family's own resources made once each: example, and the id prefix of the copy.
const SINGLES: [(&str, &str); 10] = [
    (example!("Patient-voorbeeld-kind"), "kind"),
    (example!("RelatedPerson-voorbeeld-moeder"), "moeder"),
    (example!("RelatedPerson-voorbeeld-vader"), "vader"),
    (example!("RelatedPerson-voorbeeld-zus"), "zus"),
    (example!("Condition-voorbeeld-aandoening"), "aandoening"),
    (
        example!("QuestionnaireResponse-voorbeeld-hulpbehoeftescan"),
        "scan",
    ),
    (example!("Coverage-voorbeeld-financiering-zvw"), "zvw"),
    (
        example!("Coverage-voorbeeld-financiering-jeugdwet"),
        "jeugdwet",
    ),
    (example!("Consent-voorbeeld-toestemming"), "toestemming"),
    (example!("CareTeam-voorbeeld-zorgnetwerk"), "netwerk"),
];

const CARE_PLAN: &str = example!("CarePlan-voorbeeld-zorgplan");

const ZORGPLAN_ROL: &str = "http://fhir.zorgplankindgezin.nl/CodeSystem/zorgplan-rol";
const KINDERLEEFDOMEIN: &str = "http://fhir.zorgplankindgezin.nl/CodeSystem/kinderleefdomein";

/// The four life domains of a child, with their displays.
pub const LIFE_DOMAINS: [(&str, &str); 4] = [
    ("medisch", "Medisch"),
    ("ontwikkeling", "Ontwikkeling"),
    ("sociaal", "Sociaal"),
    ("veiligheid", "Veiligheid"),
];

/// Roles of the extra members of a care network.
const EXTRA_ROLES: [&str; 6] = [
    "verpleegkundige",
    "therapeut",
    "huisarts",
    "jeugdarts",
    "pedagogisch-medewerker",
    "maatschappelijk-werker",
];

/// Measurements: LOINC code, display, UCUM unit, and the range of values.
const MEASUREMENTS: [(&str, &str, &str, u32, u32); 4] = [
    ("29463-7", "Body weight", "kg", 3, 40),
    ("8302-2", "Body height", "cm", 45, 150),
    (
        "59408-5",
        "Oxygen saturation in Arterial blood by Pulse oximetry",
        "%",
        85,
        100,
    ),
    ("8867-4", "Heart rate", "/min", 60, 160),
];

fn parse(text: &str) -> Value {
    serde_json::from_str(text).expect("the standard's examples are JSON")
}

/// The examples, parsed once.
struct Examples {
    organizations: Vec<Value>,
    roles: Vec<(Value, Value)>,
    goals: Vec<Value>,
    interventions: Vec<Value>,
    tasks: Vec<Value>,
    singles: Vec<(Value, &'static str)>,
    care_plan: Value,
}

fn examples() -> &'static Examples {
    static EXAMPLES: OnceLock<Examples> = OnceLock::new();
    EXAMPLES.get_or_init(|| Examples {
        organizations: ORGANIZATIONS.iter().map(|t| parse(t)).collect(),
        roles: ROLES.iter().map(|(r, p)| (parse(r), parse(p))).collect(),
        goals: GOALS.iter().map(|t| parse(t)).collect(),
        interventions: INTERVENTIONS.iter().map(|t| parse(t)).collect(),
        tasks: TASKS.iter().map(|t| parse(t)).collect(),
        singles: SINGLES.iter().map(|(t, p)| (parse(t), *p)).collect(),
        care_plan: parse(CARE_PLAN),
    })
}

/// `Type/id` of an example.
fn reference_of(resource: &Value) -> String {
    format!(
        "{}/{}",
        resource["resourceType"].as_str().unwrap_or_default(),
        resource["id"].as_str().unwrap_or_default()
    )
}

/// The children of a population and the care providers they share: a role (and its
/// practitioner) for every five children, an organisation for every hundred.
#[derive(Debug, Clone, Copy)]
pub struct Population {
    pub children: usize,
    pub seed: u64,
}

impl Population {
    pub fn new(children: usize, seed: u64) -> Population {
        Population { children, seed }
    }

    /// How many practitioner roles (and practitioners) there are: a multiple of 4, at
    /// least 8.
    pub fn roles(&self) -> usize {
        (self.children / 5).max(8).div_ceil(4) * 4
    }

    /// How many organisations there are: a multiple of 5, at least 5.
    pub fn organizations(&self) -> usize {
        (self.children / 100).max(5).div_ceil(5) * 5
    }

    pub fn child_id(child: usize) -> String {
        format!("kind-{child}")
    }

    pub fn role_id(role: usize) -> String {
        format!("rol-{role}")
    }

    /// How many resources [`shared`](Self::shared) makes.
    pub fn shared_count(&self) -> usize {
        self.organizations() + 2 * self.roles()
    }

    /// The organisations, then the practitioners and their roles.
    pub fn shared(&self) -> Vec<Value> {
        let examples = examples();
        let mut out = Vec::with_capacity(self.shared_count());
        let organizations = self.organizations();
        for k in 0..organizations {
            let example = &examples.organizations[k % 5];
            let mut copy = instantiate(example, &format!("org-{k}"), &HashMap::new(), k);
            if let Some(name) = copy["name"].as_str() {
                let (city, _) = CITIES[k / 5 % CITIES.len()];
                copy["name"] = json!(format!("{name} ({city}, {})", k / 5 + 1));
            }
            out.push(copy);
        }
        for j in 0..self.roles() {
            let (role, practitioner) = &examples.roles[j % 4];
            let organization = self.organization_like(role, j / 4);
            let mut map = HashMap::new();
            map.insert(
                reference_of(practitioner),
                format!("Practitioner/zorgverlener-{j}"),
            );
            map.insert(organization.0, organization.1);
            out.push(instantiate(
                practitioner,
                &format!("zorgverlener-{j}"),
                &map,
                j,
            ));
            out.push(instantiate(role, &Population::role_id(j), &map, j));
        }
        out
    }

    /// The organisation (example reference → copy) a role example works for, the `n`th copy
    /// of that organisation example.
    fn organization_like(&self, role: &Value, n: usize) -> (String, String) {
        let example = role["organization"]["reference"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let index = examples()
            .organizations
            .iter()
            .position(|o| reference_of(o) == example)
            .unwrap_or(0);
        let copies = self.organizations() / 5;
        (
            example,
            format!("Organization/org-{}", n % copies * 5 + index),
        )
    }

    /// Everything of child `child` (`0..children`), referring to each other and to
    /// [`shared`](Self::shared) resources only.
    pub fn family(&self, child: usize) -> Vec<Value> {
        let examples = examples();
        let mut rng = Rng::new(self.seed, child as u64);
        let mut map: HashMap<String, String> = HashMap::new();
        // The care providers of this family: one copy of each example role, organisation.
        let per_role = self.roles() / 4;
        for (t, (role, practitioner)) in examples.roles.iter().enumerate() {
            let j = rng.below(per_role) * 4 + t;
            map.insert(
                reference_of(role),
                format!("PractitionerRole/{}", Population::role_id(j)),
            );
            map.insert(
                reference_of(practitioner),
                format!("Practitioner/zorgverlener-{j}"),
            );
        }
        let per_organization = self.organizations() / 5;
        for (k, organization) in examples.organizations.iter().enumerate() {
            let copy = rng.below(per_organization) * 5 + k;
            map.insert(
                reference_of(organization),
                format!("Organization/org-{copy}"),
            );
        }
        for (example, prefix) in &examples.singles {
            map.insert(
                reference_of(example),
                format!(
                    "{}/{prefix}-{child}",
                    example["resourceType"].as_str().unwrap()
                ),
            );
        }
        map.insert(
            reference_of(&examples.care_plan),
            format!("CarePlan/zorgplan-{child}"),
        );
        let goals = 4 + rng.below(9);
        let interventions = 4 + rng.below(9);
        let tasks = 1 + rng.below(4);
        let measurements = 4 + rng.below(13);
        let series =
            |examples: &[Value], count: usize, prefix: &str, map: &mut HashMap<String, String>| {
                for (t, example) in examples.iter().enumerate() {
                    // An example without a copy (fewer copies than examples): the first copy.
                    let k = if t < count { t } else { 0 };
                    map.insert(
                        reference_of(example),
                        format!(
                            "{}/{prefix}-{child}-{k}",
                            example["resourceType"].as_str().unwrap()
                        ),
                    );
                }
            };
        series(&examples.goals, goals, "doel", &mut map);
        series(
            &examples.interventions,
            interventions,
            "interventie",
            &mut map,
        );
        series(&examples.tasks, tasks, "taak", &mut map);

        let mut out = Vec::with_capacity(12 + goals + interventions + tasks + measurements);
        let Child {
            girl,
            given,
            family,
            city,
            postcode,
        } = Child::draw(&mut rng);
        for (s, (example, prefix)) in examples.singles.iter().enumerate() {
            let n = child * SINGLES.len() + s;
            let mut copy = instantiate(example, &format!("{prefix}-{child}"), &map, n);
            if *prefix == "kind" {
                copy["name"] = json!([{"use": "official", "text": format!("{given} {family}"),
                    "family": family, "given": [given]}]);
                copy["gender"] = json!(if girl { "female" } else { "male" });
                copy["birthDate"] = json!(format!(
                    "{}-{:02}-{:02}",
                    2010 + rng.below(16),
                    1 + rng.below(12),
                    1 + rng.below(28)
                ));
            }
            if let Some(Value::Array(addresses)) = copy.get_mut("address") {
                for address in addresses {
                    address["city"] = json!(city);
                    address["postalCode"] = json!(format!("{} AB", postcode + rng.below(8) as u16));
                }
            }
            if *prefix == "netwerk" {
                let participants = copy["participant"]
                    .as_array_mut()
                    .expect("a network has members");
                for _ in 0..rng.below(5) {
                    let j = rng.below(self.roles());
                    participants.push(json!({
                        "role": [{"coding": [{"system": ZORGPLAN_ROL,
                            "code": EXTRA_ROLES[rng.below(EXTRA_ROLES.len())]}]}],
                        "member": {"reference": format!("PractitionerRole/{}", Population::role_id(j)),
                            "type": "PractitionerRole"}}));
                }
            }
            out.push(copy);
        }
        let mut plan_goals = Vec::new();
        for k in 0..goals {
            let id = format!("doel-{child}-{k}");
            let mut copy = instantiate(&examples.goals[k % 5], &id, &map, child * 16 + k);
            if k >= 5 {
                let (code, display) = LIFE_DOMAINS[rng.below(4)];
                for category in copy["category"].as_array_mut().into_iter().flatten() {
                    for coding in category["coding"].as_array_mut().into_iter().flatten() {
                        if coding["system"] == KINDERLEEFDOMEIN {
                            coding["code"] = json!(code);
                            coding["display"] = json!(display);
                        }
                    }
                }
            }
            plan_goals.push(json!({"reference": format!("Goal/{id}")}));
            out.push(copy);
        }
        // The plan's activities: its interventions, then its tasks.
        let mut activities = Vec::new();
        for (series, count, prefix) in [
            (&examples.interventions, interventions, "interventie"),
            (&examples.tasks, tasks, "taak"),
        ] {
            for k in 0..count {
                let example = &series[k % series.len()];
                let id = format!("{prefix}-{child}-{k}");
                let reference = format!("{}/{id}", example["resourceType"].as_str().unwrap());
                out.push(instantiate(example, &id, &map, child * 16 + k));
                activities.push(json!({"reference": {"reference": reference}}));
            }
        }
        let mut plan = instantiate(
            &examples.care_plan,
            &format!("zorgplan-{child}"),
            &map,
            child,
        );
        plan["goal"] = Value::Array(plan_goals);
        plan["activity"] = Value::Array(activities);
        out.push(plan);
        for k in 0..measurements {
            let (code, display, unit, low, high) = MEASUREMENTS[k % MEASUREMENTS.len()];
            let value = low + rng.below((high - low) as usize) as u32;
            out.push(json!({
                "resourceType": "Observation",
                "id": format!("meting-{child}-{k}"),
                "text": {"status": "generated", "div": format!(
                    "<div xmlns=\"http://www.w3.org/1999/xhtml\">{display}: {value} {unit}</div>")},
                "status": "final",
                "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category",
                    "code": "vital-signs", "display": "Vital Signs"}]}],
                "code": {"coding": [{"system": "http://loinc.org", "code": code, "display": display}]},
                "subject": {"reference": format!("Patient/kind-{child}")},
                "effectiveDateTime": format!("2026-{:02}-{:02}T{:02}:00:00+01:00",
                    1 + k % 12, 1 + rng.below(28), 8 + rng.below(10)),
                "valueQuantity": {"value": value, "unit": unit,
                    "system": "http://unitsofmeasure.org", "code": unit}
            }));
        }
        out
    }
}

/// A copy of `example` with id `id`, references to other examples replaced through `map`
/// (`Type/id` → `Type/id`), and its business identifiers made unique by `n` (distinct for
/// distinct copies of one example): the `n`th citizen service number, numbers of the same
/// length, other values the id.
fn instantiate(example: &Value, id: &str, map: &HashMap<String, String>, n: usize) -> Value {
    let mut copy = example.clone();
    copy["id"] = json!(id);
    replace_references(&mut copy, map);
    match copy.get_mut("identifier") {
        Some(Value::Array(identifiers)) => {
            for identifier in identifiers {
                unique_identifier(identifier, id, n);
            }
        }
        Some(identifier @ Value::Object(_)) => unique_identifier(identifier, id, n),
        _ => {}
    }
    copy
}

fn replace_references(value: &mut Value, map: &HashMap<String, String>) {
    match value {
        Value::Object(object) => {
            if let Some(Value::String(reference)) = object.get_mut("reference") {
                if let Some(new) = map.get(reference.as_str()) {
                    *reference = new.clone();
                }
            }
            object.values_mut().for_each(|v| replace_references(v, map));
        }
        Value::Array(items) => items.iter_mut().for_each(|v| replace_references(v, map)),
        _ => {}
    }
}

fn unique_identifier(identifier: &mut Value, id: &str, n: usize) {
    let Some(object): Option<&mut Map<String, Value>> = identifier.as_object_mut() else {
        return;
    };
    let system = object
        .get("system")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let value = object
        .get("value")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let new = if system == "http://fhir.nl/fhir/NamingSystem/bsn" {
        numbered_bsn(n)
    } else if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        // Same length; distinct for distinct `n` below 10^len / 7919.
        let modulus = 10u128.pow(value.len().min(30) as u32);
        let base: u128 = value.parse().unwrap_or(0);
        let number = (base + n as u128 * 7919) % modulus;
        format!("{number:0width$}", width = value.len())
    } else {
        id.to_owned()
    };
    object.insert("value".into(), json!(new));
}
