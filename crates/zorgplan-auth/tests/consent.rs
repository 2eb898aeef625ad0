//! `Consents::decide`: the standard's example consent and the cases the design names (the
//! school reads development and safety but not medical goals; a sister's support is shielded;
//! a revoked consent no longer permits).

use serde_json::{json, Value};
use zorgplan_auth::consent::{domains, Access, Action, Consents, Decision, KINDERLEEFDOMEIN};

/// 2026-12-06T12:00:00Z.
const NOW: i64 = 1_796_558_400_000_000;

fn example() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../profiles/fsh-generated/resources/Consent-voorbeeld-toestemming.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn goal(domain: &str) -> Value {
    json!({"resourceType": "Goal", "category": [{"coding": [
        {"system": KINDERLEEFDOMEIN, "code": domain}]}]})
}

fn ask(consents: &[Value], actor: &[&str], action: Action, resource: &Value, id: &str) -> Decision {
    let actor: Vec<String> = actor.iter().map(|a| a.to_string()).collect();
    let resource_type = resource["resourceType"].as_str().unwrap();
    let reference = format!("{resource_type}/{id}");
    let domains = domains(resource);
    Consents::of(consents).decide(&Access {
        actor: &actor,
        action,
        resource_type,
        reference: &reference,
        domains: &domains,
        at_micros: NOW,
    })
}

#[test]
fn the_example_lets_the_network_in_but_the_municipality_not_into_medical_goals() {
    let consents = [example()];
    let nurse = [
        "PractitionerRole/verpleegkundige",
        "CareTeam/voorbeeld-zorgnetwerk",
    ];
    let municipality = [
        "Organization/voorbeeld-gemeente",
        "CareTeam/voorbeeld-zorgnetwerk",
    ];
    for domain in ["medisch", "ontwikkeling", "sociaal", "veiligheid"] {
        for action in [Action::Read, Action::Write] {
            assert_eq!(
                ask(&consents, &nurse, action, &goal(domain), "g"),
                Decision::Permit,
                "{domain} {action:?}"
            );
        }
    }
    assert_eq!(
        ask(
            &consents,
            &municipality,
            Action::Read,
            &goal("sociaal"),
            "g"
        ),
        Decision::Permit
    );
    for action in [Action::Read, Action::Write] {
        assert_eq!(
            ask(&consents, &municipality, action, &goal("medisch"), "g"),
            Decision::Deny,
            "{action:?}"
        );
    }
    // Outside the network the consent says nothing.
    assert_eq!(
        ask(
            &consents,
            &["Organization/verzekeraar"],
            Action::Read,
            &goal("sociaal"),
            "g"
        ),
        Decision::NoRule
    );
}

#[test]
fn the_school_reads_development_and_safety_only_and_a_sisters_support_is_shielded() {
    let consent = json!({"resourceType": "Consent", "status": "active",
    "provision": {"type": "permit",
        "actor": [{"reference": {"reference": "CareTeam/netwerk"}}],
        "action": [{"coding": [{"code": "correct"}]}],
        "provision": [
            {"type": "deny", "actor": [{"reference": {"reference": "Organization/school"}}],
             "action": [{"coding": [{"code": "access"}]}],
             "code": [{"coding": [{"system": KINDERLEEFDOMEIN, "code": "medisch"}]},
                      {"coding": [{"system": KINDERLEEFDOMEIN, "code": "sociaal"}]}]},
            {"type": "deny", "action": [{"coding": [{"code": "access"}]}],
             "data": [{"meaning": "instance", "reference": {"reference": "Goal/steun-zus"}}],
             "provision": [{"type": "permit",
                "actor": [{"reference": {"reference": "PractitionerRole/jeugdarts"}}],
                "action": [{"coding": [{"code": "access"}]}]}]},
            {"type": "deny", "actor": [{"reference": {"reference": "Organization/school"}}],
             "action": [{"coding": [{"code": "correct"}]}]}
        ]}});
    let consents = [consent];
    let school = [
        "Organization/school",
        "PractitionerRole/leerkracht",
        "CareTeam/netwerk",
    ];
    for (domain, read) in [
        ("ontwikkeling", Decision::Permit),
        ("veiligheid", Decision::Permit),
        ("medisch", Decision::Deny),
        ("sociaal", Decision::Deny),
    ] {
        assert_eq!(
            ask(&consents, &school, Action::Read, &goal(domain), "g"),
            read,
            "{domain}"
        );
        // The school writes nothing.
        assert_eq!(
            ask(&consents, &school, Action::Write, &goal(domain), "g"),
            Decision::Deny,
            "{domain}"
        );
    }
    // The sister's support: shielded from the network, but for the youth doctor.
    let nurse = ["PractitionerRole/verpleegkundige", "CareTeam/netwerk"];
    let doctor = ["PractitionerRole/jeugdarts", "CareTeam/netwerk"];
    let support = goal("sociaal");
    for (who, action, id, expected) in [
        (&nurse, Action::Read, "steun-zus", Decision::Deny),
        (&nurse, Action::Read, "ander-doel", Decision::Permit),
        (&doctor, Action::Read, "steun-zus", Decision::Permit),
        // The exception permits reading, not writing.
        (&doctor, Action::Write, "steun-zus", Decision::Deny),
    ] {
        assert_eq!(
            ask(&consents, who, action, &support, id),
            expected,
            "{who:?} {action:?} {id}"
        );
    }
    // A resource in no life domain is outside the domain rules.
    let patient = json!({"resourceType": "Patient"});
    assert_eq!(
        ask(&consents, &school, Action::Read, &patient, "kind"),
        Decision::Permit
    );
}

#[test]
fn revoked_expired_and_other_consents() {
    let mut revoked = example();
    revoked["status"] = json!("inactive");
    let nurse = ["CareTeam/voorbeeld-zorgnetwerk"];
    assert_eq!(
        ask(&[revoked], &nurse, Action::Read, &goal("medisch"), "g"),
        Decision::NoRule
    );
    let mut ended = example();
    ended["provision"]["period"]["end"] = json!("2026-10-31");
    assert_eq!(
        ask(&[ended], &nurse, Action::Read, &goal("medisch"), "g"),
        Decision::NoRule
    );
    let mut future = example();
    future["provision"]["period"]["start"] = json!("2027-01-01T00:00:00+01:00");
    assert_eq!(
        ask(&[future], &nurse, Action::Read, &goal("medisch"), "g"),
        Decision::NoRule
    );
    // A period bound the server cannot read: the provision is not taken to hold, neither
    // a permit nor a deny.
    let mut unreadable = example();
    unreadable["provision"]["period"]["start"] = json!("the first of June");
    assert_eq!(
        ask(&[unreadable], &nurse, Action::Read, &goal("medisch"), "g"),
        Decision::NoRule
    );
    let mut unreadable_deny = json!({"resourceType": "Consent", "status": "active", "provision": {
        "type": "deny", "actor": [{"reference": {"reference": "CareTeam/voorbeeld-zorgnetwerk"}}]}});
    assert_eq!(
        ask(
            &[example(), unreadable_deny.clone()],
            &nurse,
            Action::Read,
            &goal("medisch"),
            "g"
        ),
        Decision::Deny
    );
    unreadable_deny["provision"]["period"] = json!({"end": "2026-13-45"});
    assert_eq!(
        ask(
            &[example(), unreadable_deny],
            &nurse,
            Action::Read,
            &goal("medisch"),
            "g"
        ),
        Decision::Permit
    );
    // Of two consents, a deny wins.
    let denial = json!({"resourceType": "Consent", "status": "active", "provision": {
        "type": "deny", "actor": [{"reference": {"reference": "CareTeam/voorbeeld-zorgnetwerk"}}],
        "class": [{"system": "http://hl7.org/fhir/resource-types", "code": "Goal"}]}});
    let both = [example(), denial];
    assert_eq!(
        ask(&both, &nurse, Action::Read, &goal("medisch"), "g"),
        Decision::Deny
    );
    let condition = json!({"resourceType": "Condition"});
    assert_eq!(
        ask(&both, &nurse, Action::Read, &condition, "c"),
        Decision::Permit
    );
    // A root provision without a type answers through its exceptions only.
    let untyped = json!({"resourceType": "Consent", "status": "active", "provision": {
        "provision": [{"type": "deny",
            "actor": [{"reference": {"reference": "Organization/school"}}]}]}});
    assert_eq!(
        ask(
            std::slice::from_ref(&untyped),
            &["Organization/school"],
            Action::Read,
            &goal("medisch"),
            "g"
        ),
        Decision::Deny
    );
    assert_eq!(
        ask(
            &[untyped],
            &["Organization/huisarts"],
            Action::Read,
            &goal("medisch"),
            "g"
        ),
        Decision::NoRule
    );
    // A permit with only `access` permits reading, not writing.
    let reader = json!({"resourceType": "Consent", "status": "active", "provision": {
        "type": "permit", "actor": [{"reference": {"reference": "Organization/huisarts"}}],
        "action": [{"coding": [{"code": "access"}]}]}});
    let gp = ["Organization/huisarts"];
    assert_eq!(
        ask(
            std::slice::from_ref(&reader),
            &gp,
            Action::Read,
            &goal("medisch"),
            "g"
        ),
        Decision::Permit
    );
    assert_eq!(
        ask(&[reader], &gp, Action::Write, &goal("medisch"), "g"),
        Decision::NoRule
    );
}
