//! The access policy: may this caller read, or write, this resource of this child? One
//! function, [`decide`], holds every rule; the server gathers the facts it needs (the
//! child's birth date, care networks and consents) and asks it for each resource.
//!
//! - **The child** (`fhirUser` is the Patient of the launch context) reads its own data at
//!   any age, and writes from 12; its consents may shield resources from it.
//! - **A parent** (`fhirUser` is an active RelatedPerson of the child) with parental authority — an
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
use crate::consent::{bounds, Access, Action, Consents, Decision};
use crate::scopes::{Context, Grant, Interaction, Scopes};
use serde_json::Value;

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
    /// For a registered system client (SMART Backend Services, mutual TLS): its
    /// `client_id`.
    pub client: Option<String>,
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
            client: None,
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
    /// child, as read by [`Consents::of`].
    pub consents: Consents,
    /// The participants of `networks`, read once by [`Child::prepare`] (empty before).
    pub participations: Vec<Participation>,
    /// The ids of the child's RelatedPersons (those whose patient is the child, unless
    /// inactive): who may act for it as a parent.
    pub relatives: Vec<String>,
}

/// One participant of a network, as [`membership`] needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Participation {
    /// `CareTeam/id`.
    pub network: String,
    /// When both the network (active) and the participation are in force, in microseconds;
    /// `None`: never (an inactive network, or a period the server cannot read).
    pub in_force: Option<(i64, i64)>,
    pub member: Option<String>,
    pub on_behalf_of: Option<String>,
    /// Its `zorgplan-rol` codes.
    pub roles: Vec<String>,
}

impl Child {
    /// Reads the participants of the networks once, for every later [`membership`] check
    /// (the server keeps a child's facts across requests while they are current).
    pub fn prepare(&mut self) {
        let mut participations = Vec::new();
        for network in &self.networks {
            let id = network
                .get("id")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let active = network.get("status").and_then(Value::as_str) == Some("active");
            let network_bounds = bounds(network.get("period")).filter(|_| active);
            let participants = network.get("participant").and_then(Value::as_array);
            for participant in participants.into_iter().flatten() {
                let in_force = match (network_bounds, bounds(participant.get("period"))) {
                    (Some((a, b)), Some((c, d))) => Some((a.max(c), b.min(d))),
                    _ => None,
                };
                participations.push(Participation {
                    network: format!("CareTeam/{id}"),
                    in_force,
                    member: reference(participant.get("member")).map(str::to_owned),
                    on_behalf_of: reference(participant.get("onBehalfOf")).map(str::to_owned),
                    roles: zorgplan_roles(participant),
                });
            }
        }
        self.participations = participations;
    }
}

/// The `zorgplan-rol` codes of a participant.
fn zorgplan_roles(participant: &Value) -> Vec<String> {
    let mut found = Vec::new();
    let roles = participant.get("role").and_then(Value::as_array);
    for coding in roles
        .into_iter()
        .flatten()
        .filter_map(|r| r.get("coding").and_then(Value::as_array))
        .flatten()
    {
        if coding.get("system").and_then(Value::as_str) == Some(ZORGPLAN_ROL) {
            if let Some(code) = coding.get("code").and_then(Value::as_str) {
                push_unique(&mut found, code);
            }
        }
    }
    found
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
    /// Its life domains ([`crate::consent::domains`]).
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

/// Whether a network is in force at `at`: status `active` and its period covering `at`.
pub fn network_active(network: &Value, at: i64) -> bool {
    network.get("status").and_then(Value::as_str) == Some("active")
        && bounds(network.get("period")).is_some_and(|(start, end)| start <= at && at <= end)
}

/// How the caller named by `references` takes part in `networks` at `at`: as an active
/// participant itself (`member`) or as the organisation a participant acts for
/// (`onBehalfOf`).
pub fn membership(references: &[String], networks: &[Value], at: i64) -> Membership {
    let mut child = Child {
        networks: networks.to_vec(),
        ..Child::default()
    };
    child.prepare();
    member_of(&child, references, at)
}

/// [`membership`] in the networks of `child`, from its prepared participants.
pub fn member_of(child: &Child, references: &[String], at: i64) -> Membership {
    if child.participations.is_empty() && !child.networks.is_empty() {
        // Not prepared: read the participants now.
        let mut prepared = Child {
            networks: child.networks.clone(),
            ..Child::default()
        };
        prepared.prepare();
        if prepared.participations.is_empty() {
            return Membership::default();
        }
        return member_of(&prepared, references, at);
    }
    let mine = |r: &Option<String>| {
        r.as_deref()
            .is_some_and(|r| references.iter().any(|m| m == r))
    };
    let mut found = Membership::default();
    let mut networks = Vec::new();
    for p in &child.participations {
        let by_member = mine(&p.member);
        if !(by_member || mine(&p.on_behalf_of))
            || !p
                .in_force
                .is_some_and(|(start, end)| start <= at && at <= end)
        {
            continue;
        }
        if by_member {
            if let Some(member) = &p.member {
                push_unique(&mut found.actors, member);
            }
        }
        if let Some(organisation) = &p.on_behalf_of {
            push_unique(&mut found.actors, organisation);
        }
        for role in &p.roles {
            push_unique(&mut found.roles, role);
        }
        push_unique(&mut networks, &p.network);
    }
    for network in networks {
        push_unique(&mut found.actors, &network);
    }
    found
}

fn push_unique(list: &mut Vec<String>, item: &str) {
    if !list.iter().any(|x| x == item) {
        list.push(item.to_owned());
    }
}

/// Whether the caller acts for `child` as the child itself (its Patient) or as a parent
/// (one of its RelatedPersons), as its token's launch context says. Professionals and
/// systems act for no child of their own.
pub fn acts_for(caller: &Caller, child: &Child) -> bool {
    if caller.child.as_deref() != Some(child.id.as_str()) {
        return false;
    }
    match caller.role {
        Role::Child => true,
        Role::Parent => caller.references.iter().any(|r| {
            r.strip_prefix("RelatedPerson/")
                .is_some_and(|id| child.relatives.iter().any(|x| x == id))
        }),
        _ => false,
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
    let own_child = acts_for(caller, child);
    let consents = |actors: &[String]| {
        child.consents.decide(&Access {
            actor: actors,
            action,
            resource_type: target.resource_type,
            reference: target.reference,
            domains: target.domains,
            at_micros: moment.micros,
        })
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
            let actors = actors(caller, child, None);
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
            let member = member_of(child, &caller.references, moment.micros);
            let authority = member.roles.iter().any(|r| r == PARENTAL_AUTHORITY);
            let actors = actors(caller, child, Some(member));
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
            let member = member_of(child, &caller.references, moment.micros);
            if !member.is_member() {
                // A child without any network in force is set up by whoever may write.
                return action == Action::Write
                    && !child
                        .networks
                        .iter()
                        .any(|n| network_active(n, moment.micros));
            }
            consents(&actors(caller, child, Some(member))) != Decision::Deny
        }
    }
}

/// The references that name the caller in the child's consents: its own, the child's for
/// the child, and those of its membership of the child's networks.
fn actors(caller: &Caller, child: &Child, member: Option<Membership>) -> Vec<String> {
    let mut actors = member.map(|m| m.actors).unwrap_or_default();
    for r in &caller.references {
        push_unique(&mut actors, r);
    }
    if caller.role == Role::Child {
        push_unique(&mut actors, &format!("Patient/{}", child.id));
    }
    actors
}

/// Whether the child's consents can answer `caller` differently for two resources of one
/// type: when a provision that may speak to the caller (it names no actors, or one of the
/// caller's, as do the provisions it sits in) names life domains (`code`) or single
/// resources (`data`). When they cannot, one decision per resource type holds for all of
/// them: a consent that shuts only the municipality out of the medical domain does not make
/// the hospital's searches judge every resource.
pub fn varies_for(caller: &Caller, child: &Child, moment: &Moment) -> bool {
    let member = match caller.role {
        Role::Child | Role::Development => None,
        _ => Some(member_of(child, &caller.references, moment.micros)),
    };
    child.consents.tell_apart(&actors(caller, child, member))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use zorgplan_fhirpath::datetime::DateTime;

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
    fn consents_tell_resources_apart_only_for_the_callers_they_speak_to() {
        let member = |reference: &str| Caller {
            role: Role::Professional,
            references: vec![reference.to_owned()],
            child: None,
            scopes: Scopes::default(),
            subject: "x".into(),
            client: None,
        };
        let deny_medical_to = |actor: &str| {
            json!({"resourceType": "Consent", "status": "active", "provision": {
                "type": "permit", "actor": [{"reference": {"reference": "CareTeam/netwerk"}}],
                "provision": [{"type": "deny", "actor": [{"reference": {"reference": actor}}],
                               "code": [{"coding": [{"system": crate::consent::KINDERLEEFDOMEIN,
                                                     "code": "medisch"}]}]}]}})
        };
        let mut child = Child {
            id: "kind".into(),
            birth_date: Some("2018-05-01".into()),
            networks: vec![network(
                "active",
                json!([{"member": {"reference": "Organization/gemeente"}, "role": role("wmo-jeugdconsulent")},
                       {"member": {"reference": "Organization/ziekenhuis"}, "role": role("hoofdbehandelaar")}]),
            )],
            consents: Consents::of(&[deny_medical_to("Organization/gemeente")]),
            participations: Vec::new(),
            relatives: Vec::new(),
        };
        let moment = Moment {
            micros: at("2026-12-06"),
            today: "2026-12-06".into(),
        };
        assert!(varies_for(
            &member("Organization/gemeente"),
            &child,
            &moment
        ));
        assert!(!varies_for(
            &member("Organization/ziekenhuis"),
            &child,
            &moment
        ));
        // A provision without actors speaks to everyone.
        let mut shielded = json!({"resourceType": "Consent", "status": "active", "provision": {
            "provision": [{"type": "deny", "data": [{"reference": {"reference": "Goal/1"}}]}]}});
        child.consents = Consents::of(std::slice::from_ref(&shielded));
        assert!(varies_for(
            &member("Organization/ziekenhuis"),
            &child,
            &moment
        ));
        // A revoked consent speaks to no one.
        shielded["status"] = json!("inactive");
        child.consents = Consents::of(&[shielded]);
        assert!(!varies_for(
            &member("Organization/ziekenhuis"),
            &child,
            &moment
        ));
    }

    #[test]
    fn parents_see_by_age_band_and_authority() {
        let parent = Caller {
            role: Role::Parent,
            references: vec!["RelatedPerson/ouder".into()],
            child: Some("kind".into()),
            scopes: Scopes::default(),
            subject: "ouder".into(),
            client: None,
        };
        let child = |birth: &str, code: &str| Child {
            id: "kind".into(),
            birth_date: Some(birth.into()),
            networks: vec![network(
                "active",
                json!([{"member": {"reference": "RelatedPerson/ouder"}, "role": role(code)}]),
            )],
            consents: Consents::default(),
            participations: Vec::new(),
            relatives: vec!["ouder".into()],
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
        // A RelatedPerson that is not (or no longer) the child's: nothing, whatever the
        // token's launch context and the network say.
        let mut unrelated = child("2018-05-01", PARENTAL_AUTHORITY);
        unrelated.relatives = vec!["buurvrouw".into()];
        assert!(!reads(&unrelated));
    }
}
