//! `GET CarePlan/[id]/$zorgplan` and `GET Patient/[id]/$zorgplan`: a child's whole current
//! plan as one FHIR document (a Bundle of type `document`), for the family's PGO and for a
//! hand-over: a Composition whose sections say in plain Dutch what the plan is, the goals
//! per life domain (in the family's own words, under the standard's own description of each
//! domain), what is being done, and who helps — followed by every resource those sections
//! name.
//!
//! For a Patient, its plan of the standard (category `zorgplan-kind-gezin`): the active one,
//! else one on hold, else a draft, else the last changed. Everything in the document is what
//! the caller may see: a goal a consent hides from the caller is not in it, nor in its
//! section, and the reads are in the audit trail as any other read.

use crate::access::Gate;
use crate::error::ApiResult;
use crate::negotiate::response_format;
use crate::params::query_pairs;
use crate::respond::{base_url, json_response};
use crate::{blocking, AppState};
use actix_web::http::StatusCode;
use actix_web::HttpRequest;
use serde_json::{json, Value};
use std::sync::Arc;
use zorgplan_auth::Interaction;
use zorgplan_fhir::xml::escape;
use zorgplan_fhir::FhirError;
use zorgplan_store::{Criteria, PageAt, Store, Timestamp, Version};

const KINDERLEEFDOMEIN: &str = "http://fhir.zorgplankindgezin.nl/CodeSystem/kinderleefdomein";
const ZORGPLAN_CATEGORIE: &str = "http://fhir.zorgplankindgezin.nl/CodeSystem/zorgplan-categorie";
const GEEN_HULPVRAAG: &str =
    "http://fhir.zorgplankindgezin.nl/StructureDefinition/geen-hulpvraag-domein";
const MKS_FASE: &str = "http://fhir.zorgplankindgezin.nl/StructureDefinition/mks-fase";
const ZORGPLAN_ROL: &str = "http://fhir.zorgplankindgezin.nl/CodeSystem/zorgplan-rol";

pub async fn zorgplan(
    req: &HttpRequest,
    state: &AppState,
    res_type: &'static str,
    id: &str,
) -> ApiResult {
    super::check_id(id)?;
    let format = response_format(req, &query_pairs(req.query_string()))?;
    let gate = Gate::of(req);
    gate.may_start(res_type, Interaction::Read)?;
    gate.may_start("CarePlan", Interaction::Read)?;
    let store = state.store.clone();
    let id = id.to_owned();
    let base = base_url(req, state);
    let document = blocking(move || plan_document(&store, &gate, &base, res_type, &id)).await?;
    Ok(json_response(StatusCode::OK, &document, format))
}

/// The plan document of `res_type/id` (a CarePlan, or a Patient and its plan) as `gate`'s
/// caller may see it, with `base` in its entries' fullUrls; 404 when it sees none.
pub fn plan_document(
    store: &Store,
    gate: &Arc<Gate>,
    base: &str,
    res_type: &str,
    id: &str,
) -> Result<Value, FhirError> {
    let parts = gather(store, gate, res_type, id)?;
    Ok(document(base, &parts))
}

/// The code of a plan's MKS phase (its `mks-fase` extension).
pub fn phase_of(plan: &Value) -> Option<&str> {
    let phase = plan["extension"]
        .as_array()?
        .iter()
        .find(|e| e["url"] == MKS_FASE)?;
    phase["valueCoding"]["code"]
        .as_str()
        .or_else(|| phase["valueCodeableConcept"]["coding"][0]["code"].as_str())
}

/// The plan and what it refers to, as far as the caller may see them, by `Type/id`.
struct Parts {
    plan: Value,
    found: Vec<(String, Value)>,
}

impl Parts {
    fn get(&self, reference: &str) -> Option<&Value> {
        self.found
            .iter()
            .find(|(key, _)| key == reference)
            .map(|(_, v)| v)
    }

    /// The resources of `res_type` found so far.
    fn of_type<'a>(&'a self, res_type: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
        self.found
            .iter()
            .filter(move |(_, v)| v["resourceType"] == res_type)
            .map(|(_, v)| v)
    }
}

fn not_found(res_type: &str, id: &str) -> FhirError {
    FhirError::not_found(format!("{res_type}/{id} is not known"))
}

fn key(resource: &Value) -> String {
    format!(
        "{}/{}",
        resource["resourceType"].as_str().unwrap_or_default(),
        resource["id"].as_str().unwrap_or_default()
    )
}

fn gather(store: &Store, gate: &Arc<Gate>, res_type: &str, id: &str) -> Result<Parts, FhirError> {
    let current = match store.read(res_type, id)? {
        Some(v) if !v.deleted && gate.reveal(store, &v)? => v,
        _ => return Err(not_found(res_type, id)),
    };
    // The Patient asked for, already read and revealed: not read again as the plan's subject.
    let mut patient = None;
    let plan = if res_type == "CarePlan" {
        current
    } else {
        patient = current.resource();
        let registry = store.search_parameters();
        let (criteria, _) = Criteria::parse(
            registry,
            "CarePlan",
            &[
                ("subject".to_owned(), format!("Patient/{id}")),
                (
                    "category".to_owned(),
                    format!("{ZORGPLAN_CATEGORIE}|zorgplan-kind-gezin"),
                ),
            ],
        )?;
        let page = store.search("CarePlan", &criteria, 100, &PageAt::First)?;
        let rank = |v: &Version| {
            let status = v
                .resource()
                .and_then(|p| p["status"].as_str().map(str::to_owned))
                .unwrap_or_default();
            let order = match status.as_str() {
                "active" => 0,
                "on-hold" => 1,
                "draft" => 2,
                _ => 3,
            };
            (order, std::cmp::Reverse(v.last_updated))
        };
        gate.shown(store, page.matches)?
            .into_iter()
            .filter(|v| !v.deleted)
            .min_by_key(rank)
            .ok_or_else(|| {
                FhirError::not_found(format!(
                    "Patient/{id} has no care plan of the standard that you may see"
                ))
            })?
    };
    let plan = plan
        .resource()
        .ok_or_else(|| FhirError::internal("The stored plan is not JSON"))?;

    let mut parts = Parts {
        plan: plan.clone(),
        found: vec![(key(&plan), plan.clone())],
    };
    parts.found.extend(patient.map(|p| (key(&p), p)));
    let reference = |value: &Value| value["reference"].as_str().map(str::to_owned);
    let mut wanted: Vec<String> = Vec::new();
    wanted.extend(reference(&plan["subject"]));
    for list in ["goal", "careTeam", "addresses", "author"] {
        match &plan[list] {
            Value::Array(items) => wanted.extend(items.iter().filter_map(reference)),
            single => wanted.extend(reference(single)),
        }
    }
    for activity in plan["activity"].as_array().into_iter().flatten() {
        wanted.extend(reference(&activity["reference"]));
    }
    fetch(store, gate, &wanted, &mut parts)?;
    // The members of the care networks, and the people and organisations of their roles.
    let mut members = Vec::new();
    for team in parts.of_type("CareTeam") {
        for participant in team["participant"].as_array().into_iter().flatten() {
            members.extend(reference(&participant["member"]));
            members.extend(reference(&participant["onBehalfOf"]));
        }
    }
    fetch(store, gate, &members, &mut parts)?;
    let mut behind = Vec::new();
    for role in parts.of_type("PractitionerRole") {
        behind.extend(reference(&role["practitioner"]));
        behind.extend(reference(&role["organization"]));
    }
    fetch(store, gate, &behind, &mut parts)?;
    Ok(parts)
}

/// Reads the resources of `references` (`Type/id` on this server) that are not found yet,
/// keeping those the caller may see.
fn fetch(
    store: &Store,
    gate: &Arc<Gate>,
    references: &[String],
    parts: &mut Parts,
) -> Result<(), FhirError> {
    let mut versions = Vec::new();
    for reference in references {
        if parts.get(reference).is_some() || versions.iter().any(|(k, _)| k == reference) {
            continue;
        }
        let Some((res_type, id)) = reference.split_once('/') else {
            continue;
        };
        if id.contains('/') || !zorgplan_fhir::r4::is_resource_type(res_type) {
            continue;
        }
        if let Some(version) = store.read(res_type, id)?.filter(|v| !v.deleted) {
            versions.push((reference.clone(), version));
        }
    }
    let read: Vec<Version> = versions.into_iter().map(|(_, v)| v).collect();
    for version in gate.shown(store, read)? {
        if let Some(resource) = version.resource() {
            parts.found.push((key(&resource), resource));
        }
    }
    Ok(())
}

/// The standard's life domains, in its order, with their code, name and description (the
/// Dutch part of the CodeSystem's definitions).
fn domains() -> &'static [(String, String, String)] {
    static DOMAINS: std::sync::OnceLock<Vec<(String, String, String)>> = std::sync::OnceLock::new();
    DOMAINS.get_or_init(|| {
        zorgplan_validator::profile::Conformance::standard_resources()
            .into_iter()
            .find(|r| r["resourceType"] == "CodeSystem" && r["url"] == KINDERLEEFDOMEIN)
            .map(|cs| {
                cs["concept"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|c| {
                        let text = |k: &str| c[k].as_str().unwrap_or_default().to_owned();
                        let definition = text("definition");
                        let dutch = definition.split(" / ").next().unwrap_or_default();
                        (text("code"), text("display"), dutch.to_owned())
                    })
                    .collect()
            })
            .unwrap_or_default()
    })
}

/// The display of a CodeableConcept or Coding: its text, else its first coding's display,
/// else its first code.
fn said(concept: &Value) -> Option<String> {
    if let Some(text) = concept["text"].as_str() {
        return Some(text.to_owned());
    }
    let codings: Vec<&Value> = match concept["coding"].as_array() {
        Some(list) => list.iter().collect(),
        None if concept.get("code").is_some() => vec![concept],
        None => Vec::new(),
    };
    codings
        .iter()
        .find_map(|c| c["display"].as_str())
        .or_else(|| codings.iter().find_map(|c| c["code"].as_str()))
        .map(str::to_owned)
}

/// A person's or organisation's name as a family reads it.
pub(crate) fn name_of(resource: &Value) -> Option<String> {
    if let Some(name) = resource["name"].as_str() {
        return Some(name.to_owned());
    }
    let name = resource["name"].as_array()?.first()?;
    if let Some(text) = name["text"].as_str() {
        return Some(text.to_owned());
    }
    let mut parts: Vec<&str> = name["given"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    parts.extend(name["family"].as_str());
    (!parts.is_empty()).then(|| parts.join(" "))
}

/// Whether one CodeableConcept names the life domain `code`.
fn in_domain(concept: &Value, code: &str) -> bool {
    concept["coding"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|coding| coding["system"] == KINDERLEEFDOMEIN && coding["code"] == code)
}

/// Whether a list of CodeableConcepts names the life domain `code`.
fn has_domain(concepts: &Value, code: &str) -> bool {
    concepts
        .as_array()
        .into_iter()
        .flatten()
        .any(|c| in_domain(c, code))
}

fn plan_status(status: &str) -> &'static str {
    match status {
        "active" => "Het plan loopt.",
        "draft" => "Het plan wordt nog gemaakt.",
        "on-hold" => "Het plan staat even stil.",
        "completed" => "Het plan is afgerond.",
        "revoked" => "Het plan is gestopt.",
        _ => "",
    }
}

fn goal_status(goal: &Value) -> &'static str {
    let achieved = goal["achievementStatus"]["coding"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|c| c["code"] == "achieved");
    if achieved {
        return "behaald";
    }
    match goal["lifecycleStatus"].as_str().unwrap_or_default() {
        "proposed" => "voorgesteld",
        "planned" => "gepland",
        "accepted" => "afgesproken",
        "active" => "hier werken we aan",
        "on-hold" => "staat even stil",
        "completed" => "afgerond",
        "cancelled" => "gestopt",
        "rejected" => "niet gekozen",
        _ => "",
    }
}

fn activity_status(status: &str) -> &'static str {
    match status {
        "draft" | "requested" | "received" => "aangevraagd",
        "accepted" | "ready" => "afgesproken",
        "active" | "in-progress" => "bezig",
        "on-hold" => "staat even stil",
        "completed" => "klaar",
        "revoked" | "cancelled" | "rejected" | "failed" => "gestopt",
        _ => "",
    }
}

fn section(title: &str, paragraphs: &[String], items: &[String], entries: &[String]) -> Value {
    let mut div = String::from("<div xmlns=\"http://www.w3.org/1999/xhtml\">");
    for p in paragraphs {
        div.push_str(&format!("<p>{}</p>", escape(p)));
    }
    if !items.is_empty() {
        div.push_str("<ul>");
        for item in items {
            div.push_str(&format!("<li>{}</li>", escape(item)));
        }
        div.push_str("</ul>");
    }
    div.push_str("</div>");
    let mut section = json!({"title": title, "text": {"status": "generated", "div": div}});
    if !entries.is_empty() {
        section["entry"] = entries
            .iter()
            .map(|r| json!({"reference": r}))
            .collect::<Vec<_>>()
            .into();
    }
    section
}

/// The document: the Composition, then every resource it names.
fn document(base: &str, parts: &Parts) -> Value {
    let plan = &parts.plan;
    let now = Timestamp::now().to_instant();
    let subject = plan["subject"]["reference"].as_str().unwrap_or_default();
    let child = parts.get(subject);
    let child_name = child
        .and_then(|c| {
            let name = c["name"].as_array()?.first()?;
            name["given"]
                .as_array()?
                .first()?
                .as_str()
                .map(str::to_owned)
        })
        .or_else(|| child.and_then(name_of))
        .unwrap_or_else(|| "het kind".to_owned());
    let goals: Vec<&Value> = plan["goal"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| parts.get(r["reference"].as_str()?))
        .filter(|g| g["lifecycleStatus"] != "entered-in-error")
        .collect();
    let mut sections = Vec::new();

    // The plan itself.
    let mut about = vec![format!(
        "Dit is het zorgplan van {child_name} en het gezin."
    )];
    about.push(plan_status(plan["status"].as_str().unwrap_or_default()).to_owned());
    let phase = plan["extension"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|e| e["url"] == MKS_FASE)
        .and_then(|e| said(&e["valueCoding"]).or_else(|| said(&e["valueCodeableConcept"])));
    if let Some(phase) = phase {
        about.push(format!("Fase: {phase}."));
    }
    if let Some(start) = plan["period"]["start"].as_str() {
        about.push(format!("Sinds {start}."));
    }
    about.retain(|p| !p.is_empty());
    sections.push(section("Het plan", &about, &[], &[key(plan)]));

    // The goals, per life domain.
    let no_need = |code: &str| {
        plan["extension"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|e| e["url"] == GEEN_HULPVRAAG)
            .any(|e| {
                in_domain(&e["valueCodeableConcept"], code) || e["valueCoding"]["code"] == code
            })
    };
    let goal_line = |goal: &Value| {
        let mut line = goal["description"]["text"]
            .as_str()
            .map(str::to_owned)
            .or_else(|| said(&goal["description"]))
            .unwrap_or_else(|| "Doel".to_owned());
        let status = goal_status(goal);
        if !status.is_empty() {
            line.push_str(&format!(" ({status})"));
        }
        if let Some(who) = goal["expressedBy"]["display"].as_str() {
            line.push_str(&format!(" — gekozen door {who}"));
        }
        line
    };
    for (code, display, description) in domains() {
        let here: Vec<&&Value> = goals
            .iter()
            .filter(|g| has_domain(&g["category"], code))
            .collect();
        let mut paragraphs = vec![description.clone()];
        if here.is_empty() {
            paragraphs.push(if no_need(code) {
                "Hier is nu geen hulp nodig.".to_owned()
            } else {
                "Hier staan (nog) geen doelen.".to_owned()
            });
        }
        let items: Vec<String> = here.iter().map(|g| goal_line(g)).collect();
        let entries: Vec<String> = here.iter().map(|g| key(g)).collect();
        sections.push(section(display, &paragraphs, &items, &entries));
    }
    let other: Vec<&&Value> = goals
        .iter()
        .filter(|g| {
            !domains()
                .iter()
                .any(|(code, _, _)| has_domain(&g["category"], code))
        })
        .collect();
    if !other.is_empty() {
        let items: Vec<String> = other.iter().map(|g| goal_line(g)).collect();
        let entries: Vec<String> = other.iter().map(|g| key(g)).collect();
        sections.push(section("Andere doelen", &[], &items, &entries));
    }

    // What is done.
    let mut items = Vec::new();
    let mut entries = Vec::new();
    for activity in plan["activity"].as_array().into_iter().flatten() {
        let Some(resource) = activity["reference"]["reference"]
            .as_str()
            .and_then(|r| parts.get(r))
        else {
            continue;
        };
        let mut line = said(&resource["code"])
            .or_else(|| resource["description"].as_str().map(str::to_owned))
            .or_else(|| activity["reference"]["display"].as_str().map(str::to_owned))
            .unwrap_or_else(|| {
                resource["resourceType"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned()
            });
        let status = activity_status(resource["status"].as_str().unwrap_or_default());
        if !status.is_empty() {
            line.push_str(&format!(" ({status})"));
        }
        let by: Vec<&str> = resource["performer"]
            .as_array()
            .into_iter()
            .flatten()
            .chain(std::iter::once(&resource["owner"]))
            .filter_map(|p| p["display"].as_str())
            .collect();
        if !by.is_empty() {
            line.push_str(&format!(" — door {}", by.join(", ")));
        }
        items.push(line);
        entries.push(key(resource));
    }
    let paragraphs = if items.is_empty() {
        vec!["Er staat (nog) niets in.".to_owned()]
    } else {
        Vec::new()
    };
    sections.push(section("Wat er gebeurt", &paragraphs, &items, &entries));

    // Who helps: the members in force of the care networks.
    let today = &now[..10];
    let mut items = Vec::new();
    let mut entries = Vec::new();
    for team in plan["careTeam"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| parts.get(r["reference"].as_str()?))
    {
        entries.push(key(team));
        for participant in team["participant"].as_array().into_iter().flatten() {
            let ended = participant["period"]["end"]
                .as_str()
                .is_some_and(|end| &end[..end.len().min(10)] < today);
            if ended {
                continue;
            }
            let member_ref = participant["member"]["reference"]
                .as_str()
                .unwrap_or_default();
            let member = parts.get(member_ref);
            let Some(who) = participant["member"]["display"]
                .as_str()
                .map(str::to_owned)
                .or_else(|| member.and_then(name_of))
            else {
                continue;
            };
            let roles: Vec<String> = participant["role"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|r| {
                    let coding = r["coding"]
                        .as_array()?
                        .iter()
                        .find(|c| c["system"] == ZORGPLAN_ROL)?;
                    coding["display"]
                        .as_str()
                        .or_else(|| coding["code"].as_str())
                        .map(str::to_owned)
                })
                .collect();
            let mut line = who;
            if !roles.is_empty() {
                line.push_str(&format!(": {}", roles.join(", ")));
            }
            let contact: Vec<&str> = member
                .map(|m| &m["telecom"])
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|t| t["value"].as_str())
                .collect();
            if !contact.is_empty() {
                line.push_str(&format!(" ({})", contact.join(", ")));
            }
            items.push(line);
            if member.is_some() && !entries.iter().any(|e| e == member_ref) {
                entries.push(member_ref.to_owned());
            }
        }
    }
    let paragraphs = if items.is_empty() {
        vec!["Er staat (nog) niemand in.".to_owned()]
    } else {
        Vec::new()
    };
    sections.push(section("Wie helpen er", &paragraphs, &items, &entries));

    let title = format!("Zorgplan van {child_name}");
    let id = uuid::Uuid::now_v7().to_string();
    let composition = json!({
        "resourceType": "Composition",
        "id": id,
        "text": {"status": "generated",
                 "div": format!("<div xmlns=\"http://www.w3.org/1999/xhtml\"><p>{}</p></div>", escape(&title))},
        "status": "final",
        "type": {"coding": [{"system": "http://loinc.org", "code": "18776-5", "display": "Plan of care note"}]},
        "subject": {"reference": subject},
        "date": now,
        "author": [{"display": "Zorgplan Kind&Gezin"}],
        "title": title,
        "section": sections,
    });
    let mut entry = vec![json!({"fullUrl": format!("urn:uuid:{id}"), "resource": composition})];
    // The child and the plan first, then the rest as found.
    let mut found: Vec<&(String, Value)> = parts.found.iter().collect();
    found.sort_by_key(|(k, _)| (k != subject, k != &key(plan)));
    for (k, resource) in found {
        entry.push(json!({"fullUrl": format!("{base}/{k}"), "resource": resource}));
    }
    let bundle_id = uuid::Uuid::now_v7().to_string();
    json!({
        "resourceType": "Bundle",
        "id": bundle_id,
        "meta": {"lastUpdated": now},
        "identifier": {"system": "urn:ietf:rfc:3986", "value": format!("urn:uuid:{bundle_id}")},
        "type": "document",
        "timestamp": now,
        "entry": entry,
    })
}
