//! The access policy: may this caller read, or write, this resource of this child? One
//! function, [`decide`], holds every rule; the server gathers the facts it needs (the
//! child's birth date, care networks and consents) and asks it for each resource.
//!
//! - **The child** (`fhirUser` is the Patient of the launch context) reads its own data at
//!   any age, and writes from 12; its consents may shield resources from it.
//! - **A parent** (`fhirUser` is a RelatedPerson of the child) with parental authority — an
//!   active participant of the child's network with the role `ouder-gezaghebbend` — sees
//!   the child's data while the child is under 16, unless a consent denies it (from 12 the
//!   child's own privacy consent counts); from 16, or without parental authority, or when
//!   the child's age is unknown, only what a consent permits.
//! - **A professional** (`fhirUser` is a Practitioner or PractitionerRole) or **a system**
//!   (acting for its organisation) sees a child's data only while it, one of its roles or
//!   its organisation is an active participant of an active network of the child, and then
//!   unless a consent denies it. A child with no active network at all may be written (the
//!   hospital that sets up a new child's plan), not read.
//! - **AuditEvents** (the child's audit trail) are read by the child and its parents as its
//!   other data, and by auditors ([`Caller::auditor`]), never by the network.
//! - **Development** (`zorgplan serve --dev`): everything.
//!
//! Scopes come first: [`Caller::may`] says whether the token's scopes permit an interaction
//! on a resource type at all. Scopes with search-parameter queries (SMART 2) are not
//! honoured yet: they grant nothing.

use crate::age::{self, AgeBand};
use crate::consent::{self, Access, Action, Decision};
use crate::scopes::{Context, Grant, Interaction, Scopes};
use serde_json::Value;
use zorgplan_fhirpath::datetime::DateTime;

/// The code system of the roles in the child's network.
pub const ZORGPLAN_ROL: &str = "http://fhir.zorgplankindgezin.nl/CodeSystem/zorgplan-rol";

/// The role of a parent or guardian with parental authority.
pub const PARENTAL_AUTHORITY: &str = "ouder-gezaghebbend";

/// In which capacity a caller acts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// `zorgplan serve --dev`: no authentication, every access permitted.
    Development,
    /// The child, through its own PGO.
    Child,
    /// A parent, guardian or carer of the child (a RelatedPerson), through a PGO.
    Parent,
    /// A professional (Practitioner or PractitionerRole).
    Professional,
    /// A system acting for its organisation (an EPD).
    System,
}

/// Who is asking.
#[derive(Debug, Clone)]
pub struct Caller {
    pub role: Role,
    /// References that stand for the caller: `Patient/…` (the child), `RelatedPerson/…`
    /// (a parent), `Practitioner/…` with its `PractitionerRole/…` and their
    /// `Organization/…`, or a system's `Organization/…`.
    pub references: Vec<String>,
    /// For the child and its parents: the id of the child they act for.
    pub child: Option<String>,
    pub scopes: Scopes,
    /// Who the token was issued to (`sub`) or the client, for the audit trail.
    pub subject: String,
}

impl Caller {
    /// The caller of a server without authentication.
    pub fn development() -> Caller {
        Caller {
            role: Role::Development,
            references: Vec::new(),
            child: None,
            scopes: Scopes::default(),
            subject: "development".into(),
        }
    }

    /// Whether every access is permitted (development mode).
    pub fn unrestricted(&self) -> bool {
        self.role == Role::Development
    }

    /// The scope context of the caller's role.
    pub fn context(&self) -> Context {
        match self.role {
            Role::Child | Role::Parent => Context::Patient,
            Role::Professional | Role::Development => Context::User,
            Role::System => Context::System,
        }
    }

    /// Whether the caller audits: a professional or system whose scopes name AuditEvent
    /// itself (`user/AuditEvent.rs`, not a wildcard). Auditors read every AuditEvent.
    pub fn auditor(&self) -> bool {
        matches!(self.role, Role::Professional | Role::System)
            && self.scopes.resources.iter().any(|s| {
                s.resource_type.as_deref() == Some("AuditEvent")
                    && s.permissions.contains(crate::scopes::Permissions::READ)
            })
    }

    /// Whether the token's scopes permit `interaction` on resources of `resource_type`.
    pub fn may(&self, resource_type: &str, interaction: Interaction) -> bool {
        self.unrestricted()
            || self
                .scopes
                .grant(self.context(), resource_type, interaction)
                == Grant::All
    }
}

/// What the server knows of a child at the time of a request.
#[derive(Debug, Clone, Default)]
pub struct Child {
    pub id: String,
    /// `Patient.birthDate`.
    pub birth_date: Option<String>,
    /// The child's networks: CareTeams (ZorgnetwerkKind) whose subject is the child.
    pub networks: Vec<Value>,
    /// The child's privacy consents: Consents (ToestemmingKindGezin) whose patient is the
    /// child.
    pub consents: Vec<Value>,
}

/// The moment of a request.
#[derive(Debug, Clone)]
pub struct Moment {
    /// Microseconds since the epoch.
    pub micros: i64,
    /// The day in the Netherlands, `YYYY-MM-DD` (for the child's age).
    pub today: String,
}

/// One resource of the child that the caller wants to read or write.
#[derive(Debug, Clone, Copy)]
pub struct Target<'a> {
    pub resource_type: &'a str,
    /// `Type/id`.
    pub reference: &'a str,
    /// Its life domains ([`consent::domains`]).
    pub domains: &'a [String],
}

/// How a caller takes part in a child's networks at a moment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Membership {
    /// The references that name the caller in consents: the caller's own references that
    /// are active participants, the organisations those participants act for, and the
    /// networks themselves (`CareTeam/…`).
    pub actors: Vec<String>,
    /// The `zorgplan-rol` codes of those participants.
    pub roles: Vec<String>,
}

impl Membership {
    pub fn is_member(&self) -> bool {
        !self.roles.is_empty() || !self.actors.is_empty()
    }
}

fn reference(value: Option<&Value>) -> Option<&str> {
    value?.get("reference")?.as_str()
}

/// Whether `period` (absent: always) covers `at`.
fn covers(period: Option<&Value>, at: i64) -> bool {
    let Some(period) = period else { return true };
    let bound = |name: &str| {
        period
            .get(name)
            .and_then(Value::as_str)
            .map(|text| DateTime::parse_fhir(text).map(|d| d.range_micros()))
    };
    let after_start = match bound("start") {
        None => true,
        Some(Some((start, _))) => start <= at,
        Some(None) => false,
    };
    let before_end = match bound("end") {
        None => true,
        Some(Some((_, end))) => at <= end,
        Some(None) => false,
    };
    after_start && before_end
}

/// Whether a network is in force at `at`: status `active` and its period covering `at`.
pub fn network_active(network: &Value, at: i64) -> bool {
    network.get("status").and_then(Value::as_str) == Some("active")
        && covers(network.get("period"), at)
}

/// How the caller named by `references` takes part in `networks` at `at`: as an active
/// participant itself (`member`) or as the organisation a participant acts for
/// (`onBehalfOf`).
pub fn membership(references: &[String], networks: &[Value], at: i64) -> Membership {
    let mine = |r: Option<&str>| r.is_some_and(|r| references.iter().any(|m| m == r));
    let mut found = Membership::default();
    for network in networks.iter().filter(|n| network_active(n, at)) {
        let participants = network.get("participant").and_then(Value::as_array);
        let mut member = false;
        for participant in participants.into_iter().flatten() {
            let by_member = mine(reference(participant.get("member")));
            let by_organisation = mine(reference(participant.get("onBehalfOf")));
            if !(by_member || by_organisation) || !covers(participant.get("period"), at) {
                continue;
            }
            member = true;
            for r in [
                reference(participant.get("member")).filter(|_| by_member),
                reference(participant.get("onBehalfOf")),
            ]
            .into_iter()
            .flatten()
            {
                push_unique(&mut found.actors, r);
            }
            let roles = participant.get("role").and_then(Value::as_array);
            for coding in roles
                .into_iter()
                .flatten()
                .filter_map(|r| r.get("coding").and_then(Value::as_array))
                .flatten()
            {
                if coding.get("system").and_then(Value::as_str) == Some(ZORGPLAN_ROL) {
                    if let Some(code) = coding.get("code").and_then(Value::as_str) {
                        push_unique(&mut found.roles, code);
                    }
                }
            }
        }
        if member {
            if let Some(id) = network.get("id").and_then(Value::as_str) {
                push_unique(&mut found.actors, &format!("CareTeam/{id}"));
            }
        }
    }
    found
}

fn push_unique(list: &mut Vec<String>, item: &str) {
    if !list.iter().any(|x| x == item) {
        list.push(item.to_owned());
    }
}

/// May `caller` do `action` on `target`, a resource of `child`, at `moment`? The scopes are
/// not looked at here ([`Caller::may`]).
pub fn decide(
    caller: &Caller,
    child: &Child,
    target: Target<'_>,
    action: Action,
    moment: &Moment,
) -> bool {
    let own_child = caller.child.as_deref() == Some(child.id.as_str());
    let consents = |actors: &[String]| {
        consent::decide(
            &child.consents,
            &Access {
                actor: actors,
                action,
                resource_type: target.resource_type,
                reference: target.reference,
                domains: target.domains,
                at_micros: moment.micros,
            },
        )
    };
    let band = || {
        child
            .birth_date
            .as_deref()
            .and_then(|b| age::band(b, &moment.today))
    };
    match caller.role {
        Role::Development => true,
        Role::Child => {
            if !own_child {
                return false;
            }
            let mut actors = caller.references.clone();
            push_unique(&mut actors, &format!("Patient/{}", child.id));
            if action == Action::Write
                && !matches!(band(), Some(AgeBand::From12To15 | AgeBand::From16))
            {
                return false;
            }
            consents(&actors) != Decision::Deny
        }
        Role::Parent => {
            if !own_child {
                return false;
            }
            let member = membership(&caller.references, &child.networks, moment.micros);
            let mut actors = member.actors.clone();
            for r in &caller.references {
                push_unique(&mut actors, r);
            }
            let authority = member.roles.iter().any(|r| r == PARENTAL_AUTHORITY);
            let decision = consents(&actors);
            match (authority, band()) {
                (true, Some(AgeBand::Under12 | AgeBand::From12To15)) => decision != Decision::Deny,
                _ => decision == Decision::Permit,
            }
        }
        // The audit trail is the family's and the auditors', not the network's.
        Role::Professional | Role::System if target.resource_type == "AuditEvent" => {
            action == Action::Read && caller.auditor()
        }
        Role::Professional | Role::System => {
            let member = membership(&caller.references, &child.networks, moment.micros);
            if !member.is_member() {
                // A child without any network in force is set up by whoever may write.
                return action == Action::Write
                    && !child
                        .networks
                        .iter()
                        .any(|n| network_active(n, moment.micros));
            }
            let mut actors = member.actors;
            for r in &caller.references {
                push_unique(&mut actors, r);
            }
            consents(&actors) != Decision::Deny
        }
    }
}

/// Whether the child's consents can answer differently for two resources of one type: when
/// a provision names life domains (`code`) or single resources (`data`). When they cannot,
/// one decision per resource type holds for all of them.
pub fn varies_within_type(child: &Child) -> bool {
    fn names_resources(provision: &Value) -> bool {
        let present = |name: &str| {
            provision
                .get(name)
                .and_then(Value::as_array)
                .is_some_and(|a| !a.is_empty())
        };
        present("code")
            || present("data")
            || provision
                .get("provision")
                .and_then(Value::as_array)
                .is_some_and(|nested| nested.iter().any(names_resources))
    }
    child.consents.iter().any(|c| {
        c.get("status").and_then(Value::as_str) == Some("active")
            && c.get("provision").is_some_and(names_resources)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn at(text: &str) -> i64 {
        DateTime::parse_fhir(text).unwrap().range_micros().0
    }

    fn network(status: &str, participants: Value) -> Value {
        json!({"resourceType": "CareTeam", "id": "netwerk", "status": status,
               "participant": participants})
    }

    fn role(code: &str) -> Value {
        json!([{"coding": [{"system": ZORGPLAN_ROL, "code": code}]}])
    }

    #[test]
    fn membership_needs_an_active_network_and_participation_in_force() {
        let networks = [network(
            "active",
            json!([
                {"member": {"reference": "PractitionerRole/arts"}, "role": role("hoofdbehandelaar"),
                 "period": {"start": "2026-01-01", "end": "2026-06-30"}},
                {"member": {"reference": "Practitioner/consulent"}, "role": role("wmo-jeugdconsulent"),
                 "onBehalfOf": {"reference": "Organization/gemeente"}}
            ]),
        )];
        let arts = ["PractitionerRole/arts".to_owned()];
        let member = membership(&arts, &networks, at("2026-03-01"));
        assert_eq!(member.roles, ["hoofdbehandelaar"]);
        assert_eq!(member.actors, ["PractitionerRole/arts", "CareTeam/netwerk"]);
        // Before and after the period of participation: no member.
        assert!(!membership(&arts, &networks, at("2025-12-31")).is_member());
        assert!(!membership(&arts, &networks, at("2026-07-01")).is_member());
        // An organisation is a member through those who act on its behalf.
        let gemeente = ["Organization/gemeente".to_owned()];
        let member = membership(&gemeente, &networks, at("2026-03-01"));
        assert_eq!(member.actors, ["Organization/gemeente", "CareTeam/netwerk"]);
        // A network that is no longer active has no members.
        let closed = [network("inactive", networks[0]["participant"].clone())];
        assert!(!membership(&arts, &closed, at("2026-03-01")).is_member());
    }

    #[test]
    fn parents_see_by_age_band_and_authority() {
        let parent = Caller {
            role: Role::Parent,
            references: vec!["RelatedPerson/ouder".into()],
            child: Some("kind".into()),
            scopes: Scopes::default(),
            subject: "ouder".into(),
        };
        let child = |birth: &str, code: &str| Child {
            id: "kind".into(),
            birth_date: Some(birth.into()),
            networks: vec![network(
                "active",
                json!([{"member": {"reference": "RelatedPerson/ouder"}, "role": role(code)}]),
            )],
            consents: Vec::new(),
        };
        let moment = Moment {
            micros: at("2026-12-06"),
            today: "2026-12-06".into(),
        };
        let target = Target {
            resource_type: "Goal",
            reference: "Goal/1",
            domains: &[],
        };
        let reads = |c: &Child| decide(&parent, c, target, Action::Read, &moment);
        assert!(reads(&child("2018-05-01", PARENTAL_AUTHORITY)));
        assert!(reads(&child("2012-05-01", PARENTAL_AUTHORITY)));
        // From 16, and without authority, only what a consent permits: none here.
        assert!(!reads(&child("2010-05-01", PARENTAL_AUTHORITY)));
        assert!(!reads(&child("2018-05-01", "verzorger")));
        // An age that cannot be settled counts as the most private band.
        assert!(!reads(&child("2010", PARENTAL_AUTHORITY)));
        // Another child's parent: nothing.
        let mut other = child("2018-05-01", PARENTAL_AUTHORITY);
        other.id = "ander-kind".into();
        assert!(!reads(&other));
    }
}
