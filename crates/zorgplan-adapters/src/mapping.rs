//! From a hospital's resources (nl-core style, as its FHIR endpoint gives them) to one
//! transaction for the zorgplan server, in the standard's profiles, with a report of what was
//! taken and what was left out, and why.
//!
//! Every resource is recognised on the server by a business identifier — the first of BSN,
//! URA, AGB, UZI, BIG, UZOVI it has, else its first identifier —, never by the hospital's
//! ids, so that importing again finds what the first import made and changes nothing:
//!
//! - what the hospital keeps (organisations, practitioners and their roles, diagnoses) is a
//!   conditional update: a change in the EPD comes along, an unchanged resource writes
//!   nothing;
//! - what the plan takes over (the child, its family, its network, a handover document) is a
//!   conditional create: made by the first import, and from then on the plan's.
//!
//! References between the resources become references between the transaction's entries;
//! a reference to something not taken keeps only its display text. A network participant
//! that is not taken, or has no role of the standard (`zorgplan-rol`), is left out.

use serde_json::{json, Map, Value};
use std::collections::HashMap;

/// The identifier systems that recognise a resource, the most telling first.
const NATIONAL: [&str; 6] = [
    "http://fhir.nl/fhir/NamingSystem/bsn",
    "http://fhir.nl/fhir/NamingSystem/ura",
    "http://fhir.nl/fhir/NamingSystem/agb-z",
    "http://fhir.nl/fhir/NamingSystem/uzi-nr-pers",
    "http://fhir.nl/fhir/NamingSystem/big",
    "http://fhir.nl/fhir/NamingSystem/uzovi",
];

const PROFILES: &str = "http://fhir.zorgplankindgezin.nl/StructureDefinition/";
const ROLE: &str = "http://fhir.zorgplankindgezin.nl/CodeSystem/zorgplan-rol";

/// How a resource type is taken, if it is.
fn taken_as(res_type: &str) -> Option<(Option<&'static str>, Write)> {
    Some(match res_type {
        "Patient" => (Some("kind-patient"), Write::CreateOnce),
        "RelatedPerson" => (Some("gezinslid"), Write::CreateOnce),
        "CareTeam" => (Some("zorgnetwerk-kind"), Write::CreateOnce),
        "Composition" => (None, Write::CreateOnce),
        "Organization" => (Some("zorgorganisatie"), Write::Update),
        "Practitioner" => (Some("zorgverlener"), Write::Update),
        "PractitionerRole" => (Some("zorgverlener-rol"), Write::Update),
        "Condition" => (None, Write::Update),
        _ => return None,
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Write {
    /// Conditional create: the plan's once it exists.
    CreateOnce,
    /// Conditional update: the hospital's.
    Update,
}

/// One line of a report: what (the source's `Type/id`, or an element) and what became of
/// it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub what: String,
    pub why: String,
}

/// What an exchange did: what it took and wrote, what it left out, and why it failed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    pub taken: Vec<Line>,
    pub left_out: Vec<Line>,
    /// Set when nothing was written.
    pub failure: Option<String>,
}

impl Report {
    pub fn to_json(&self) -> Value {
        let lines = |lines: &[Line]| -> Vec<Value> {
            lines
                .iter()
                .map(|l| json!({"what": l.what, "outcome": l.why}))
                .collect()
        };
        let mut report = json!({"taken": lines(&self.taken), "leftOut": lines(&self.left_out)});
        if let Some(failure) = &self.failure {
            report["failure"] = json!(failure);
        }
        report
    }
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(failure) = &self.failure {
            writeln!(f, "FAILED, nothing was written: {failure}")?;
        }
        writeln!(f, "taken ({}):", self.taken.len())?;
        for line in &self.taken {
            writeln!(f, "  {}: {}", line.what, line.why)?;
        }
        writeln!(f, "left out ({}):", self.left_out.len())?;
        for line in &self.left_out {
            writeln!(f, "  {}: {}", line.what, line.why)?;
        }
        Ok(())
    }
}

/// The identifier a resource is recognised by: `system|value`.
pub fn identity(resource: &Value) -> Option<String> {
    // An array, or one Identifier (Composition, Bundle).
    let identifiers: Vec<(&str, &str)> = match resource.get("identifier") {
        Some(Value::Array(list)) => list.iter().collect(),
        Some(one @ Value::Object(_)) => vec![one],
        _ => Vec::new(),
    }
    .into_iter()
    .filter_map(|i| Some((i.get("system")?.as_str()?, i.get("value")?.as_str()?)))
    .collect();
    NATIONAL
        .iter()
        .find_map(|system| identifiers.iter().find(|(s, _)| s == system))
        .or(identifiers.first())
        .map(|(s, v)| format!("{s}|{v}"))
}

/// The source's `Type/id` of a reference, relative or absolute to `source`; `None` for
/// one to another server, a contained resource or anything else.
pub(crate) fn source_key(reference: &str, source: &str) -> Option<String> {
    let relative = reference
        .strip_prefix(source)
        .map(|r| r.trim_start_matches('/'))
        .unwrap_or(reference);
    let mut parts = relative.split('/');
    let (t, id) = (parts.next()?, parts.next()?);
    let rest: Vec<&str> = parts.collect();
    (!t.is_empty()
        && t.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        && !id.is_empty()
        && (rest.is_empty() || rest.first() == Some(&"_history")))
    .then(|| format!("{t}/{id}"))
}

/// The transaction that brings `resources` (by their source `Type/id`, read from the
/// server at `source`) to the zorgplan server, and the report of what it takes and leaves
/// out. `None` when nothing is taken.
pub fn transaction(
    source: &str,
    resources: &[(String, Value)],
    report: &mut Report,
) -> Option<Value> {
    let source = source.trim_end_matches('/');
    // Which are taken, and their entries' fullUrls.
    let mut urls: HashMap<String, String> = HashMap::new();
    let mut taken = Vec::new();
    for (key, resource) in resources {
        let res_type = key.split('/').next().unwrap_or_default();
        let Some((profile, write)) = taken_as(res_type) else {
            report.left_out.push(Line {
                what: key.clone(),
                why: format!("a {res_type} is not part of a child's plan"),
            });
            continue;
        };
        let Some(identity) = identity(resource) else {
            report.left_out.push(Line {
                what: key.clone(),
                why: "it has no identifier to recognise it by on the server".into(),
            });
            continue;
        };
        urls.insert(key.clone(), format!("urn:uuid:{}", uuid::Uuid::new_v4()));
        taken.push((key, resource, profile, write, identity));
    }
    let mut entries = Vec::new();
    for (key, resource, profile, write, identity) in taken {
        let res_type = key.split('/').next().unwrap_or_default();
        let mut mapped = resource.clone();
        if let Some(object) = mapped.as_object_mut() {
            object.shift_remove("id");
            object.shift_remove("meta");
            if let Some(profile) = profile {
                object.insert(
                    "meta".into(),
                    json!({"profile": [format!("{PROFILES}{profile}")]}),
                );
            }
        }
        if res_type == "CareTeam" {
            participants(key, &mut mapped, source, &urls, report);
        }
        let mut unresolved = Vec::new();
        rewrite(&mut mapped, source, &urls, &mut unresolved);
        for reference in unresolved {
            report.left_out.push(Line {
                what: format!("{key}: reference to {reference}"),
                why: "not taken; only its display text is kept".into(),
            });
        }
        let criteria = format!("identifier={identity}");
        let request = match write {
            Write::CreateOnce => {
                json!({"method": "POST", "url": res_type, "ifNoneExist": criteria})
            }
            Write::Update => json!({"method": "PUT", "url": format!("{res_type}?{criteria}")}),
        };
        report.taken.push(Line {
            what: key.clone(),
            why: match write {
                Write::CreateOnce => format!("as {res_type} {identity}, unless there is one"),
                Write::Update => format!("as {res_type} {identity}, kept up to date"),
            },
        });
        entries.push(json!({"fullUrl": urls[key], "resource": mapped, "request": request}));
    }
    (!entries.is_empty())
        .then(|| json!({"resourceType": "Bundle", "type": "transaction", "entry": entries}))
}

/// A network's participants as the standard has them: those whose member is taken, with a
/// role of the standard; the others left out.
fn participants(
    key: &str,
    team: &mut Value,
    source: &str,
    urls: &HashMap<String, String>,
    report: &mut Report,
) {
    let Some(list) = team.get_mut("participant").and_then(Value::as_array_mut) else {
        return;
    };
    list.retain(|participant| {
        let member = participant
            .get("member")
            .and_then(|m| m.get("reference"))
            .and_then(Value::as_str)
            .unwrap_or_default();
        let label = participant
            .get("member")
            .and_then(|m| m.get("display"))
            .and_then(Value::as_str)
            .unwrap_or(member);
        let has_role = participant
            .get("role")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .flat_map(|r| {
                r.get("coding")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
            })
            .any(|c| c.get("system").and_then(Value::as_str) == Some(ROLE));
        let why = if !source_key(member, source).is_some_and(|k| urls.contains_key(&k)) {
            Some("its member is not taken")
        } else if !has_role {
            Some("it has no role of the standard (zorgplan-rol)")
        } else {
            None
        };
        if let Some(why) = why {
            report.left_out.push(Line {
                what: format!("{key}: participant {label}"),
                why: why.into(),
            });
        }
        why.is_none()
    });
}

/// Rewrites every `reference` in `value`: to the entry of a taken resource, or, when it is
/// not taken, away (its display kept); the latter are listed in `unresolved`.
fn rewrite(
    value: &mut Value,
    source: &str,
    urls: &HashMap<String, String>,
    unresolved: &mut Vec<String>,
) {
    match value {
        Value::Object(object) => {
            if let Some(Value::String(reference)) = object.get("reference") {
                if !reference.starts_with('#') {
                    let target = source_key(reference, source).and_then(|k| urls.get(&k));
                    match target {
                        Some(url) => {
                            object.insert("reference".into(), Value::String(url.clone()));
                        }
                        None => {
                            unresolved.push(reference.clone());
                            drop_reference(object);
                        }
                    }
                }
            }
            for child in object.values_mut() {
                rewrite(child, source, urls, unresolved);
            }
        }
        Value::Array(items) => {
            for item in items {
                rewrite(item, source, urls, unresolved);
            }
        }
        _ => {}
    }
}

fn drop_reference(reference: &mut Map<String, Value>) {
    let text = reference
        .get("display")
        .cloned()
        .unwrap_or_else(|| reference["reference"].clone());
    reference.shift_remove("reference");
    reference.shift_remove("type");
    reference.insert("display".into(), text);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_resource_is_recognised_by_its_most_telling_identifier() {
        let patient = json!({"identifier": [
            {"system": "http://ziekenhuis.example/patientnummer", "value": "12"},
            {"system": "http://fhir.nl/fhir/NamingSystem/bsn", "value": "999913402"}]});
        assert_eq!(
            identity(&patient).as_deref(),
            Some("http://fhir.nl/fhir/NamingSystem/bsn|999913402")
        );
        let other =
            json!({"identifier": [{"system": "http://ziekenhuis.example/x", "value": "1"}]});
        assert_eq!(
            identity(&other).as_deref(),
            Some("http://ziekenhuis.example/x|1")
        );
        assert_eq!(identity(&json!({"identifier": [{"value": "1"}]})), None);
    }

    #[test]
    fn references_are_taken_along_or_kept_as_text() {
        let source = "https://epd.example/fhir";
        let resources = vec![
            (
                "Patient/p".to_owned(),
                json!({"resourceType": "Patient", "id": "p", "meta": {"versionId": "3"},
                       "identifier": [{"system": "http://fhir.nl/fhir/NamingSystem/bsn", "value": "999913402"}],
                       "managingOrganization": {"reference": "Organization/elders", "display": "Elders"}}),
            ),
            (
                "Condition/c".to_owned(),
                json!({"resourceType": "Condition", "id": "c",
                       "identifier": [{"system": "http://epd.example/diagnose", "value": "c"}],
                       "subject": {"reference": "https://epd.example/fhir/Patient/p"},
                       "encounter": {"reference": "Encounter/e"}}),
            ),
            (
                "Encounter/e".to_owned(),
                json!({"resourceType": "Encounter", "id": "e"}),
            ),
        ];
        let mut report = Report::default();
        let bundle = transaction(source, &resources, &mut report).unwrap();
        let entries = bundle["entry"].as_array().unwrap();
        assert_eq!(entries.len(), 2);
        let patient = &entries[0];
        assert_eq!(patient["request"]["method"], "POST");
        assert_eq!(
            patient["request"]["ifNoneExist"],
            "identifier=http://fhir.nl/fhir/NamingSystem/bsn|999913402"
        );
        assert_eq!(
            patient["resource"]["meta"],
            json!({"profile": [format!("{PROFILES}kind-patient")]})
        );
        assert!(patient["resource"].get("id").is_none());
        assert_eq!(
            patient["resource"]["managingOrganization"],
            json!({"display": "Elders"})
        );
        let condition = &entries[1];
        assert_eq!(
            condition["request"]["url"],
            "Condition?identifier=http://epd.example/diagnose|c"
        );
        assert_eq!(
            condition["resource"]["subject"]["reference"],
            patient["fullUrl"]
        );
        assert_eq!(
            condition["resource"]["encounter"],
            json!({"display": "Encounter/e"})
        );
        let left: Vec<&str> = report.left_out.iter().map(|l| l.what.as_str()).collect();
        assert_eq!(
            left,
            [
                "Encounter/e",
                "Patient/p: reference to Organization/elders",
                "Condition/c: reference to Encounter/e"
            ]
        );
    }
}
