//! A child's privacy consents (the standard's ToestemmingKindGezin, R4 `Consent` with scope
//! `patient-privacy`) applied to one access: may this caller read, or write, this resource?
//!
//! A consent speaks to an access when its root provision's conditions hold; its answer is the
//! type (`permit` or `deny`) of the deepest nested provision whose conditions hold too
//! (nested provisions are exceptions to the provision they sit in). A provision's conditions
//! are those of its elements that are present, all of them; within one element, any entry:
//!
//! - `period`: the access happens within it;
//! - `actor`: one of the actors' references is one of the caller's ([`Access::actor`]: the
//!   caller itself, its organisation, the care networks it is an active member of);
//! - `action`: `access` (read) or `correct` (read and write). A permit with `access` permits
//!   reads, one with `correct` reads and writes; a deny with `access` denies both (what may
//!   not be read may not be written either), one with only `correct` denies writes;
//! - `class`: the resource's type (a Coding of FHIR's resource types);
//! - `code`: one of the resource's life domains ([`KINDERLEEFDOMEIN`] codes, from its
//!   `category`); a resource in no domain is outside every provision that names domains;
//! - `data`: the resource itself (`Type/id`).
//!
//! Only active consents count (a revoked one is `inactive`). Of several consents, a deny
//! wins over a permit; when none speaks to the access the answer is [`Decision::NoRule`],
//! which the caller's policy turns into a default.

use serde_json::Value;
use zorgplan_fhirpath::datetime::DateTime;

/// The code system of the four life domains.
pub const KINDERLEEFDOMEIN: &str = "http://fhir.zorgplankindgezin.nl/CodeSystem/kinderleefdomein";

/// What the caller wants to do with the resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Read,
    Write,
}

/// One access to one resource of the child.
#[derive(Debug, Clone)]
pub struct Access<'a> {
    /// References that stand for the caller (`PractitionerRole/…`, `Practitioner/…`,
    /// `Organization/…`, `CareTeam/…` of networks it is an active member of,
    /// `RelatedPerson/…`, `Patient/…`).
    pub actor: &'a [String],
    pub action: Action,
    /// The resource's type.
    pub resource_type: &'a str,
    /// The resource as `Type/id`.
    pub reference: &'a str,
    /// The life domains it belongs to (`medisch`, `ontwikkeling`, `sociaal`, `veiligheid`).
    pub domains: &'a [String],
    /// When (microseconds since the epoch).
    pub at_micros: i64,
}

/// What the consents say about an access.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Permit,
    Deny,
    /// No active consent speaks to it.
    NoRule,
}

/// The values of `resource`'s element `name`, whether it repeats (an array) or not.
pub fn elements<'a>(resource: &'a Value, name: &str) -> Vec<&'a Value> {
    match resource.get(name) {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(item) => vec![item],
        None => Vec::new(),
    }
}

/// The life domains a resource belongs to: the kinderleefdomein codes of its `category`.
pub fn domains(resource: &Value) -> Vec<String> {
    elements(resource, "category")
        .into_iter()
        .filter_map(|c| c.get("coding").and_then(Value::as_array))
        .flatten()
        .filter(|c| c.get("system").and_then(Value::as_str) == Some(KINDERLEEFDOMEIN))
        .filter_map(|c| c.get("code").and_then(Value::as_str).map(str::to_owned))
        .collect()
}

/// What `consents` (the child's Consent resources, as JSON) say about `access`.
pub fn decide(consents: &[Value], access: &Access<'_>) -> Decision {
    let mut decision = Decision::NoRule;
    for consent in consents {
        if consent.get("status").and_then(Value::as_str) != Some("active") {
            continue;
        }
        match consent.get("provision").and_then(|p| answer(p, access)) {
            Some(Decision::Deny) => return Decision::Deny,
            Some(Decision::Permit) => decision = Decision::Permit,
            _ => {}
        }
    }
    decision
}

/// The answer of `provision` when its conditions hold: that of the deepest nested provisions
/// whose conditions hold too (a deny among them wins), else its own type. A provision without
/// a type (R4 allows one at the root) answers only through its nested provisions; its own
/// action condition is then read as a deny's, the wider one.
fn answer(provision: &Value, access: &Access<'_>) -> Option<Decision> {
    let own = match provision.get("type").and_then(Value::as_str) {
        Some("deny") => Some(Decision::Deny),
        Some("permit") => Some(Decision::Permit),
        _ => None,
    };
    if !holds(provision, own.unwrap_or(Decision::Deny), access) {
        return None;
    }
    let nested = provision
        .get("provision")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|p| answer(p, access))
        .collect::<Vec<_>>();
    if nested.contains(&Decision::Deny) {
        Some(Decision::Deny)
    } else if nested.contains(&Decision::Permit) {
        Some(Decision::Permit)
    } else {
        own
    }
}

fn list<'a>(provision: &'a Value, name: &str) -> Option<impl Iterator<Item = &'a Value>> {
    provision
        .get(name)
        .and_then(Value::as_array)
        .filter(|items| !items.is_empty())
        .map(|items| items.iter())
}

/// The codes of the codings of a CodeableConcept, with their systems.
fn codes(concept: &Value) -> impl Iterator<Item = (Option<&str>, &str)> {
    concept
        .get("coding")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|c| {
            let code = c.get("code").and_then(Value::as_str)?;
            Some((c.get("system").and_then(Value::as_str), code))
        })
}

/// Whether `provision`'s actor condition holds for a caller named by `actors`: it names no
/// actors, or one of them.
pub fn names_actor(provision: &Value, actors: &[String]) -> bool {
    list(provision, "actor").is_none_or(|mut listed| {
        listed.any(|a| {
            a.get("reference")
                .and_then(|r| r.get("reference"))
                .and_then(Value::as_str)
                .is_some_and(|r| actors.iter().any(|mine| mine == r))
        })
    })
}

fn holds(provision: &Value, kind: Decision, access: &Access<'_>) -> bool {
    if let Some(period) = provision.get("period") {
        let bound = |name: &str| {
            period
                .get(name)
                .and_then(Value::as_str)
                .map(|text| DateTime::parse_fhir(text).map(|d| d.range_micros()))
        };
        match bound("start") {
            // A start the server cannot read: the provision is not taken to hold.
            Some(None) => return false,
            Some(Some((start, _))) if access.at_micros < start => return false,
            _ => {}
        }
        match bound("end") {
            Some(None) => return false,
            Some(Some((_, end))) if access.at_micros > end => return false,
            _ => {}
        }
    }
    if !names_actor(provision, access.actor) {
        return false;
    }
    if let Some(actions) = list(provision, "action") {
        let (mut access_named, mut correct_named) = (false, false);
        for action in actions {
            for (_, code) in codes(action) {
                access_named |= code == "access";
                correct_named |= code == "correct";
            }
        }
        let covered = match (kind, access.action) {
            (Decision::Permit, Action::Read) => access_named || correct_named,
            (Decision::Permit, Action::Write) => correct_named,
            (_, Action::Read) => access_named,
            (_, Action::Write) => access_named || correct_named,
        };
        if !covered {
            return false;
        }
    }
    if let Some(mut classes) = list(provision, "class") {
        if !classes.any(|c| c.get("code").and_then(Value::as_str) == Some(access.resource_type)) {
            return false;
        }
    }
    if let Some(mut concepts) = list(provision, "code") {
        let in_domain = concepts.any(|concept| {
            codes(concept).any(|(system, code)| {
                system == Some(KINDERLEEFDOMEIN) && access.domains.iter().any(|d| d == code)
            })
        });
        if !in_domain {
            return false;
        }
    }
    if let Some(mut data) = list(provision, "data") {
        let names_resource = data.any(|d| {
            d.get("reference")
                .and_then(|r| r.get("reference"))
                .and_then(Value::as_str)
                == Some(access.reference)
        });
        if !names_resource {
            return false;
        }
    }
    true
}
