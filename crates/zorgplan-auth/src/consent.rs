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

/// A child's consents, read once into what [`Consents::decide`] needs: the root provisions
/// of the active ones, with their periods parsed and their conditions as lists of codes and
/// references. The server keeps them with the child's facts, so that a decision is a few
/// comparisons instead of a walk through JSON.
#[derive(Debug, Clone, Default)]
pub struct Consents {
    roots: Vec<Provision>,
}

/// One provision: its type and its conditions (`None`: the element is absent or empty, so
/// it sets no condition).
#[derive(Debug, Clone)]
struct Provision {
    /// `type`: permit or deny (`None`: a root provision without one).
    kind: Option<Decision>,
    /// `period` as the instants it covers (absent: always); `None` when a bound cannot be
    /// read, and the provision then never holds.
    period: Option<(i64, i64)>,
    /// The references of `actor`.
    actors: Option<Vec<String>>,
    /// Whether `action` names `access`, and `correct`.
    action: Option<(bool, bool)>,
    /// The codes of `class`.
    classes: Option<Vec<String>>,
    /// The life domains of `code`.
    domains: Option<Vec<String>>,
    /// The references of `data`.
    data: Option<Vec<String>>,
    /// The nested provisions: exceptions.
    nested: Vec<Provision>,
}

impl Consents {
    /// The active consents of `consents` (Consent resources, as JSON).
    pub fn of(consents: &[Value]) -> Consents {
        Consents {
            roots: consents
                .iter()
                .filter(|c| c.get("status").and_then(Value::as_str) == Some("active"))
                .filter_map(|c| c.get("provision"))
                .map(Provision::of)
                .collect(),
        }
    }

    /// What the consents say about `access`: a deny of one wins over permits of others.
    pub fn decide(&self, access: &Access<'_>) -> Decision {
        let mut decision = Decision::NoRule;
        for root in &self.roots {
            match root.answer(access) {
                Some(Decision::Deny) => return Decision::Deny,
                Some(Decision::Permit) => decision = Decision::Permit,
                _ => {}
            }
        }
        decision
    }

    /// Whether a provision that may speak to the caller named by `actors` (it names none of
    /// the actors, or one of the caller's, as do the provisions it sits in) names life
    /// domains or single resources: then the consents can answer differently for two
    /// resources of one type.
    pub fn tell_apart(&self, actors: &[String]) -> bool {
        fn names_resources(provision: &Provision, actors: &[String]) -> bool {
            provision.names_actor(actors)
                && (provision.domains.is_some()
                    || provision.data.is_some()
                    || provision.nested.iter().any(|p| names_resources(p, actors)))
        }
        self.roots.iter().any(|p| names_resources(p, actors))
    }
}

/// The instants a FHIR `period` covers (absent: always; a bound that is absent: open on
/// that side), or `None` when a bound cannot be read.
pub(crate) fn bounds(period: Option<&Value>) -> Option<(i64, i64)> {
    let Some(period) = period else {
        return Some((i64::MIN, i64::MAX));
    };
    let bound = |name: &str| match period.get(name).and_then(Value::as_str) {
        None => Some(None),
        Some(text) => DateTime::parse_fhir(text).map(|d| Some(d.range_micros())),
    };
    let start = bound("start")?.map_or(i64::MIN, |(start, _)| start);
    let end = bound("end")?.map_or(i64::MAX, |(_, end)| end);
    Some((start, end))
}

/// The items of `provision`'s element `name` that `read` makes something of, when it has
/// any items.
fn read_list<T>(
    provision: &Value,
    name: &str,
    read: impl FnMut(&Value) -> Option<T>,
) -> Option<Vec<T>> {
    provision
        .get(name)
        .and_then(Value::as_array)
        .filter(|items| !items.is_empty())
        .map(|items| items.iter().filter_map(read).collect())
}

/// The code of each coding of a CodeableConcept, with its system.
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

/// `element.reference.reference` (the CodeableReference-like shape of actors and data).
fn referenced(element: &Value) -> Option<String> {
    element
        .get("reference")?
        .get("reference")?
        .as_str()
        .map(str::to_owned)
}

impl Provision {
    fn of(provision: &Value) -> Provision {
        let action = read_list(provision, "action", |action| {
            Some(
                codes(action).fold((false, false), |(access, correct), (_, code)| {
                    (access || code == "access", correct || code == "correct")
                }),
            )
        })
        .map(|named| {
            named
                .into_iter()
                .fold((false, false), |(a, c), (access, correct)| {
                    (a || access, c || correct)
                })
        });
        Provision {
            kind: match provision.get("type").and_then(Value::as_str) {
                Some("deny") => Some(Decision::Deny),
                Some("permit") => Some(Decision::Permit),
                _ => None,
            },
            period: bounds(provision.get("period")),
            actors: read_list(provision, "actor", referenced),
            action,
            classes: read_list(provision, "class", |c| {
                c.get("code").and_then(Value::as_str).map(str::to_owned)
            }),
            domains: read_list(provision, "code", |concept| {
                Some(
                    codes(concept)
                        .filter(|(system, _)| *system == Some(KINDERLEEFDOMEIN))
                        .map(|(_, code)| code.to_owned())
                        .collect::<Vec<_>>(),
                )
            })
            .map(|lists| lists.concat()),
            data: read_list(provision, "data", referenced),
            nested: provision
                .get("provision")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(Provision::of)
                .collect(),
        }
    }

    /// The answer of this provision when its conditions hold: that of the deepest nested
    /// provisions whose conditions hold too (a deny among them wins), else its own type. A
    /// provision without a type (R4 allows one at the root) answers only through its nested
    /// provisions; its own action condition is then read as a deny's, the wider one.
    fn answer(&self, access: &Access<'_>) -> Option<Decision> {
        if !self.holds(self.kind.unwrap_or(Decision::Deny), access) {
            return None;
        }
        let mut permitted = false;
        for nested in &self.nested {
            match nested.answer(access) {
                Some(Decision::Deny) => return Some(Decision::Deny),
                Some(Decision::Permit) => permitted = true,
                _ => {}
            }
        }
        if permitted {
            Some(Decision::Permit)
        } else {
            self.kind
        }
    }

    /// Whether the actor condition holds for a caller named by `actors`: it names no
    /// actors, or one of them.
    fn names_actor(&self, actors: &[String]) -> bool {
        self.actors
            .as_ref()
            .is_none_or(|listed| listed.iter().any(|a| actors.contains(a)))
    }

    fn holds(&self, kind: Decision, access: &Access<'_>) -> bool {
        let Some((start, end)) = self.period else {
            return false;
        };
        if access.at_micros < start || access.at_micros > end || !self.names_actor(access.actor) {
            return false;
        }
        if let Some((access_named, correct_named)) = self.action {
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
        let any = |listed: &Option<Vec<String>>, wanted: &dyn Fn(&String) -> bool| {
            listed.as_ref().is_none_or(|l| l.iter().any(wanted))
        };
        any(&self.classes, &|c| c == access.resource_type)
            && any(&self.domains, &|d| access.domains.contains(d))
            && any(&self.data, &|r| r == access.reference)
    }
}
