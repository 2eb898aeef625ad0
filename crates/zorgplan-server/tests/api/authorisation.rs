//! Who may see what, over HTTP with signed access tokens: every role against the data of its
//! own child (A) and of another child (B), in each of A's WGBO age bands, for reads, searches
//! (exact result sets and totals), `_revinclude`, `$everything`, history and writes; and the
//! tokens the server must refuse. The tokens are signed with the test keys of
//! `zorgplan-auth` (which protect nothing).

use crate::common::{Backend, Resp, TestServer};
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use reqwest::Method;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};
use zorgplan_auth::service::{RegisteredClient, TokenService};
use zorgplan_server::access::{Authentication, Tokens};
use zorgplan_server::ServerConfig;

const ISSUER: &str = "https://auth.example.org";
const AUDIENCE: &str = "https://zorgplan.example.org/fhir";
const URA: &str = "http://fhir.nl/fhir/NamingSystem/ura";
const ROL: &str = "http://fhir.zorgplankindgezin.nl/CodeSystem/zorgplan-rol";
const DOMEIN: &str = "http://fhir.zorgplankindgezin.nl/CodeSystem/kinderleefdomein";

pub fn key(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/../zorgplan-auth/tests/keys/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

pub fn sign(claims: &Value, private: &str) -> String {
    encode(
        &Header::new(Algorithm::RS256),
        claims,
        &EncodingKey::from_rsa_pem(&key(private)).unwrap(),
    )
    .unwrap()
}

pub fn claims(extra: Value) -> Value {
    let mut claims = json!({"iss": ISSUER, "aud": AUDIENCE, "sub": "someone",
        "exp": now() + 300, "nbf": now() - 10});
    for (k, v) in extra.as_object().unwrap() {
        claims[k] = v.clone();
    }
    claims
}

/// The roles of the matrix and their tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// Child A in its own PGO.
    Kind,
    /// A parent of A with parental authority (in A's network as ouder-gezaghebbend).
    Ouder,
    /// A step-parent of A, not in its network.
    Verzorger,
    /// A parent of child B.
    OuderB,
    /// A paediatrician in A's network (through a PractitionerRole).
    Arts,
    /// A paediatrician of hospital B, which is in B's network and in no network of A.
    ArtsX,
    /// A teacher in A's network; A's consent shuts the school out of the medical domain.
    Leerkracht,
    /// A municipal youth consultant in A's network (on behalf of the municipality); shut out
    /// of the medical domain too.
    Consulent,
    /// An insurer's adviser, in no network.
    Verzekeraar,
    /// Hospital A's EPD, a registered system client whose organisation is in A's network.
    Epd,
    /// An auditor, whose scopes reach only AuditEvents.
    Auditor,
}

const ROLES: [Role; 11] = [
    Role::Kind,
    Role::Ouder,
    Role::Verzorger,
    Role::OuderB,
    Role::Arts,
    Role::ArtsX,
    Role::Leerkracht,
    Role::Consulent,
    Role::Verzekeraar,
    Role::Epd,
    Role::Auditor,
];

fn token(role: Role) -> String {
    let pgo = |user: &str, patient: &str| {
        json!({"fhirUser": user, "patient": patient, "client_id": "pgo",
               "scope": "openid fhirUser launch/patient patient/*.cruds"})
    };
    let user =
        |who: &str, scope: &str| json!({"fhirUser": who, "client_id": "epd-web", "scope": scope});
    let extra = match role {
        Role::Kind => pgo("Patient/kind-a", "kind-a"),
        Role::Ouder => pgo("RelatedPerson/ouder-a", "kind-a"),
        Role::Verzorger => pgo("RelatedPerson/verzorger-a", "kind-a"),
        Role::OuderB => pgo("RelatedPerson/ouder-b", "kind-b"),
        Role::Arts => user("Practitioner/arts-a", "user/*.cruds"),
        Role::ArtsX => user("Practitioner/arts-x", "user/*.cruds"),
        Role::Leerkracht => user("Practitioner/leerkracht", "user/*.rs"),
        Role::Consulent => user("PractitionerRole/rol-consulent", "user/*.rs"),
        Role::Verzekeraar => user("Practitioner/adviseur", "user/*.rs"),
        Role::Auditor => user("Practitioner/auditor", "user/AuditEvent.rs"),
        Role::Epd => json!({"client_id": "epd-a", "scope": "system/*.cruds"}),
    };
    sign(&claims(extra), "rsa-private.pem")
}

/// The token of an auditor (scopes for AuditEvents only).
pub fn auditor_token() -> String {
    token(Role::Auditor)
}

/// The token of hospital A's paediatrician, in A's network.
pub fn arts_token() -> String {
    token(Role::Arts)
}

pub fn system_token(client: &str) -> String {
    sign(
        &claims(json!({"client_id": client, "scope": "system/*.cruds"})),
        "rsa-private.pem",
    )
}

pub fn config() -> ServerConfig {
    token_config(&[("epd-a", "11111111"), ("epd-b", "22222222")])
}

/// A server that accepts the test issuer's tokens, with these system clients (id, URA).
pub fn token_config(registered: &[(&str, &str)]) -> ServerConfig {
    let mut verifier = zorgplan_auth::Verifier::new(ISSUER, AUDIENCE);
    verifier.add_pem(&key("rsa-public.pem"), None).unwrap();
    let clients = registered.iter().map(|(id, ura)| client(id, ura)).collect();
    ServerConfig {
        auth: Authentication::Tokens(Arc::new(Tokens {
            verifiers: vec![verifier],
            clients,
            service: None,
            ..Tokens::default()
        })),
        ..ServerConfig::default()
    }
}

/// A registered system client with the test keys of `jwks.json`, for `system/*.rs` and
/// `system/*.cruds` as the matrix needs.
fn client(client_id: &str, ura: &str) -> RegisteredClient {
    let mut keys = zorgplan_auth::Verifier::new(client_id, format!("{SELF}/auth/token"));
    keys.add_jwks(&String::from_utf8(key("jwks.json")).unwrap())
        .unwrap();
    RegisteredClient {
        client_id: client_id.into(),
        ura: ura.into(),
        scopes: zorgplan_auth::Scopes::parse("system/*.cruds"),
        scope_text: "system/*.cruds".into(),
        keys,
        certificates: Vec::new(),
    }
}

/// The base URL of the server that issues its own tokens.
const SELF: &str = "https://zorgplan.test";

pub async fn call(
    server: &TestServer,
    token: &str,
    method: Method,
    path: &str,
    body: Option<&Value>,
) -> Resp {
    let mut request = server.request(method, path).bearer_auth(token);
    if let Some(body) = body {
        request = crate::common::fhir_json(request, body);
    }
    Resp::of(request).await
}

fn text(what: &str) -> Value {
    json!({"status": "generated", "div": format!("<div xmlns=\"http://www.w3.org/1999/xhtml\">{what}</div>")})
}

fn organisation(id: &str, ura: &str) -> Value {
    json!({"resourceType": "Organization", "id": id, "text": text(id), "active": true,
           "identifier": [{"system": URA, "value": ura}], "name": id})
}

fn practitioner(id: &str) -> Value {
    json!({"resourceType": "Practitioner", "id": id, "text": text(id), "active": true,
           "name": [{"family": id}]})
}

fn practitioner_role(id: &str, practitioner: &str, organisation: &str) -> Value {
    json!({"resourceType": "PractitionerRole", "id": id, "text": text(id), "active": true,
           "practitioner": {"reference": format!("Practitioner/{practitioner}")},
           "organization": {"reference": format!("Organization/{organisation}")}})
}

fn child(id: &str, bsn: &str, birth_date: &str) -> Value {
    json!({"resourceType": "Patient", "id": id, "text": text(id),
           "identifier": [{"system": "http://fhir.nl/fhir/NamingSystem/bsn", "value": bsn}],
           "name": [{"family": "Jansen", "given": [id]}], "gender": "female",
           "birthDate": birth_date})
}

fn related(id: &str, child: &str, code: &str) -> Value {
    json!({"resourceType": "RelatedPerson", "id": id, "text": text(id), "active": true,
           "patient": {"reference": format!("Patient/{child}")},
           "relationship": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-RoleCode", "code": code}]}],
           "name": [{"family": id}]})
}

fn participant(member: &str, role: &str, on_behalf_of: Option<&str>) -> Value {
    let mut p = json!({"role": [{"coding": [{"system": ROL, "code": role}]}],
                       "member": {"reference": member}});
    if let Some(org) = on_behalf_of {
        p["onBehalfOf"] = json!({"reference": org});
    }
    p
}

fn network(id: &str, child: &str, participants: Vec<Value>) -> Value {
    json!({"resourceType": "CareTeam", "id": id, "text": text(id), "status": "active",
           "name": id, "subject": {"reference": format!("Patient/{child}")},
           "participant": participants})
}

pub fn goal(id: &str, child: &str, domain: &str) -> Value {
    json!({"resourceType": "Goal", "id": id, "text": text(id), "lifecycleStatus": "active",
           "category": [{"coding": [{"system": DOMEIN, "code": domain}]}],
           "description": {"text": id}, "subject": {"reference": format!("Patient/{child}")}})
}

fn consent(id: &str, child: &str, provision: Value) -> Value {
    json!({"resourceType": "Consent", "id": id, "text": text(id), "status": "active",
           "scope": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/consentscope", "code": "patient-privacy"}]},
           "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "INFA"}]}],
           "patient": {"reference": format!("Patient/{child}")},
           "dateTime": "2026-01-01T12:00:00+01:00",
           "policy": [{"uri": "https://wetten.overheid.nl/BWBR0005290/"}],
           "provision": provision})
}

fn action(code: &str) -> Value {
    json!({"coding": [{"system": "http://terminology.hl7.org/CodeSystem/consentaction", "code": code}]})
}

fn actor(reference: &str) -> Value {
    json!({"role": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "code": "IRCP"}]},
           "reference": {"reference": reference}})
}

fn medisch_denied_to(reference: &str) -> Value {
    json!({"type": "deny", "actor": [actor(reference)], "action": [action("access")],
           "code": [{"coding": [{"system": DOMEIN, "code": "medisch"}]}]})
}

/// A birth date that makes the child `years` old today (and not near a birthday).
fn born_years_ago(years: i32) -> String {
    use chrono::Datelike;
    let today = chrono::Utc::now().date_naive();
    let birth = today - chrono::Duration::days(100);
    format!(
        "{:04}-{:02}-{:02}",
        birth.year() - years,
        birth.month(),
        birth.day()
    )
}

async fn put(server: &TestServer, token: &str, resource: &Value) {
    let path = format!(
        "{}/{}",
        resource["resourceType"].as_str().unwrap(),
        resource["id"].as_str().unwrap()
    );
    let resp = call(server, token, Method::PUT, &path, Some(resource)).await;
    assert!(
        resp.status == 200 || resp.status == 201,
        "PUT {path}: {} {}",
        resp.status,
        resp.body
    );
}

/// Hospitals A and B set up their children, as their EPDs would at discharge.
pub async fn seed(server: &TestServer) {
    let epd_a = system_token("epd-a");
    let epd_b = system_token("epd-b");
    for resource in [
        organisation("zh-a", "11111111"),
        organisation("zh-b", "22222222"),
        organisation("school", "33333333"),
        organisation("gemeente", "44444444"),
        organisation("verzekeraar", "55555555"),
        practitioner("arts-a"),
        practitioner("arts-x"),
        practitioner("leerkracht"),
        practitioner("consulent"),
        practitioner("adviseur"),
        practitioner("auditor"),
        practitioner_role("rol-arts-a", "arts-a", "zh-a"),
        practitioner_role("rol-arts-x", "arts-x", "zh-b"),
        practitioner_role("rol-leerkracht", "leerkracht", "school"),
        practitioner_role("rol-consulent", "consulent", "gemeente"),
        practitioner_role("rol-adviseur", "adviseur", "verzekeraar"),
        // A's data, by hospital A's EPD: the child has no network yet, so it may set one up.
        child("kind-a", "999911120", &born_years_ago(8)),
        related("ouder-a", "kind-a", "MTH"),
        related("verzorger-a", "kind-a", "STPFTH"),
        network(
            "netwerk-a",
            "kind-a",
            vec![
                participant("Patient/kind-a", "kind", None),
                participant("RelatedPerson/ouder-a", "ouder-gezaghebbend", None),
                participant("Organization/zh-a", "hoofdbehandelaar", None),
                participant("PractitionerRole/rol-arts-a", "hoofdbehandelaar", None),
                participant("PractitionerRole/rol-leerkracht", "leerkracht", None),
                participant(
                    "Practitioner/consulent",
                    "wmo-jeugdconsulent",
                    Some("Organization/gemeente"),
                ),
            ],
        ),
        goal("doel-a-medisch", "kind-a", "medisch"),
        goal("doel-a-ontwikkeling", "kind-a", "ontwikkeling"),
        consent(
            "toestemming-a",
            "kind-a",
            json!({"type": "permit", "actor": [actor("CareTeam/netwerk-a")],
                   "action": [action("access"), action("correct")],
                   "provision": [medisch_denied_to("Organization/school"),
                                 medisch_denied_to("Organization/gemeente")]}),
        ),
    ] {
        put(server, &epd_a, &resource).await;
    }
    for resource in [
        child("kind-b", "999911132", &born_years_ago(10)),
        related("ouder-b", "kind-b", "FTH"),
        network(
            "netwerk-b",
            "kind-b",
            vec![
                participant("RelatedPerson/ouder-b", "ouder-gezaghebbend", None),
                participant("Organization/zh-b", "hoofdbehandelaar", None),
                participant("Organization/zh-b", "zorgcoordinator", None),
            ],
        ),
        goal("doel-b", "kind-b", "medisch"),
    ] {
        put(server, &epd_b, &resource).await;
    }
    // Hospital A's EPD is not in B's network: B's data is hidden from it.
    let resp = call(server, &epd_a, Method::GET, "Goal/doel-b", None).await;
    assert_eq!(resp.status, 404, "{}", resp.body);
}

fn ids(bundle: &Value) -> BTreeSet<String> {
    bundle["entry"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| {
            format!(
                "{}/{}",
                e["resource"]["resourceType"].as_str().unwrap(),
                e["resource"]["id"].as_str().unwrap()
            )
        })
        .collect()
}

/// The goals of child A that `token` finds (`Goal?patient=Patient/kind-a`).
async fn goals_of_a(server: &TestServer, token: &str) -> BTreeSet<String> {
    let resp = call(
        server,
        token,
        Method::GET,
        "Goal?patient=Patient/kind-a",
        None,
    )
    .await;
    assert_eq!(resp.status, 200, "{}", resp.body);
    ids(&resp.json())
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// What `role` may see of the goals and children, in the band A is in, with or without the
/// consent by which A shuts its parents out of the medical domain.
fn visible_goals(role: Role, band: u32, child_consent: bool) -> BTreeSet<String> {
    let all_a = ["Goal/doel-a-medisch", "Goal/doel-a-ontwikkeling"];
    match role {
        Role::Kind | Role::Arts | Role::Epd => set(&all_a),
        Role::Ouder if child_consent => set(&["Goal/doel-a-ontwikkeling"]),
        // From 16 the parents see what A's consent permits: the network's permit covers
        // them, as participants.
        Role::Ouder => set(&all_a),
        Role::Leerkracht | Role::Consulent => set(&["Goal/doel-a-ontwikkeling"]),
        Role::OuderB | Role::ArtsX => set(&["Goal/doel-b"]),
        Role::Verzorger | Role::Verzekeraar | Role::Auditor => {
            let _ = band;
            BTreeSet::new()
        }
    }
}

fn sees_child_a(role: Role) -> bool {
    matches!(
        role,
        Role::Kind | Role::Ouder | Role::Arts | Role::Epd | Role::Leerkracht | Role::Consulent
    )
}

/// Every cell of one band: reads, searches, includes, `$everything`, history and writes.
async fn matrix(server: &TestServer, band: u32, child_consent: bool) {
    for role in ROLES {
        let token = token(role);
        let cell =
            |what: &str| format!("{role:?} in band {band} (consent {child_consent}): {what}");
        let goals = visible_goals(role, band, child_consent);
        // Searches that scopes permit answer exactly what the role may see; the auditor's
        // scopes do not permit searching Goals at all.
        let resp = call(server, &token, Method::GET, "Goal?_total=accurate", None).await;
        if role == Role::Auditor {
            resp.outcome(403);
        } else {
            assert_eq!(resp.status, 200, "{}", cell(&resp.body));
            let bundle = resp.json();
            assert_eq!(ids(&bundle), goals, "{}", cell("Goal search"));
            assert_eq!(bundle["total"], goals.len(), "{}", cell("total"));
            // Paging one at a time finds the same, and nothing more.
            let mut paged = BTreeSet::new();
            let mut url = "Goal?_count=1".to_owned();
            for _ in 0..10 {
                let page = call(server, &token, Method::GET, &url, None).await.json();
                assert!(page["entry"].as_array().map_or(0, Vec::len) <= 1);
                paged.extend(ids(&page));
                match crate::common::link(&page, "next") {
                    Some(next) => url = next.split_once(&server.base).unwrap().1.to_owned(),
                    None => break,
                }
            }
            assert_eq!(paged, goals, "{}", cell("Goal pages"));
            // Searches that name their children (answered from those children alone when
            // the role sees all of theirs) find the same, child by child.
            let of = |prefix: &str| -> BTreeSet<String> {
                goals
                    .iter()
                    .filter(|g| g.starts_with(prefix))
                    .cloned()
                    .collect()
            };
            for (query, expected) in [
                ("Goal?patient=Patient/kind-a".to_owned(), of("Goal/doel-a")),
                ("Goal?subject=Patient/kind-b".to_owned(), of("Goal/doel-b")),
                ("Patient/kind-a/Goal".to_owned(), of("Goal/doel-a")),
                (
                    "Goal?patient=Patient/kind-a,Patient/kind-b&_total=accurate".to_owned(),
                    goals.clone(),
                ),
            ] {
                let resp = call(server, &token, Method::GET, &query, None).await;
                assert_eq!(resp.status, 200, "{}", cell(&resp.body));
                assert_eq!(ids(&resp.json()), expected, "{}", cell(&query));
            }
            let resp = call(server, &token, Method::GET, "Patient?_id=kind-a", None).await;
            let expected = if sees_child_a(role) {
                set(&["Patient/kind-a"])
            } else {
                BTreeSet::new()
            };
            assert_eq!(
                ids(&resp.json()),
                expected,
                "{}",
                cell("Patient?_id=kind-a")
            );
            // Includes reveal no more than a search of their own.
            let resp = call(
                server,
                &token,
                Method::GET,
                "Patient?_revinclude=Goal:subject",
                None,
            )
            .await;
            let found = ids(&resp.json());
            let patients: BTreeSet<String> = found
                .iter()
                .filter(|i| i.starts_with("Patient/"))
                .cloned()
                .collect();
            let included: BTreeSet<String> = found
                .iter()
                .filter(|i| i.starts_with("Goal/"))
                .cloned()
                .collect();
            assert_eq!(included, goals, "{}", cell("_revinclude"));
            let expected_patients = match role {
                r if sees_child_a(r) => set(&["Patient/kind-a"]),
                Role::OuderB | Role::ArtsX => set(&["Patient/kind-b"]),
                _ => BTreeSet::new(),
            };
            assert_eq!(patients, expected_patients, "{}", cell("Patient search"));
        }
        // Reads: what may be seen answers 200, the rest as if it did not exist.
        for goal in [
            "Goal/doel-a-medisch",
            "Goal/doel-a-ontwikkeling",
            "Goal/doel-b",
        ] {
            let resp = call(server, &token, Method::GET, goal, None).await;
            let expected = if role == Role::Auditor {
                403
            } else if goals.contains(goal) {
                200
            } else {
                404
            };
            assert_eq!(
                resp.status,
                expected,
                "{}",
                cell(&format!("read {goal}: {}", resp.body))
            );
            let history = call(
                server,
                &token,
                Method::GET,
                &format!("{goal}/_history"),
                None,
            )
            .await;
            assert_eq!(
                history.status,
                expected,
                "{}",
                cell(&format!("history {goal}"))
            );
        }
        // $everything of A: the patient and what the role may see of its compartment.
        let resp = call(
            server,
            &token,
            Method::GET,
            "Patient/kind-a/$everything",
            None,
        )
        .await;
        if role == Role::Auditor {
            resp.outcome(403);
        } else if sees_child_a(role) {
            assert_eq!(resp.status, 200, "{}", cell(&resp.body));
            let found = ids(&resp.json());
            let goals_found: BTreeSet<String> = found
                .iter()
                .filter(|i| i.starts_with("Goal/"))
                .cloned()
                .collect();
            assert_eq!(goals_found, goals, "{}", cell("$everything"));
        } else {
            resp.outcome(404);
        }
        // The audit trail: the family reads its own child's, the auditor everyone's, the
        // network none; nobody writes it.
        let resp = call(server, &token, Method::GET, "AuditEvent?_count=1000", None).await;
        if matches!(role, Role::Leerkracht | Role::Consulent | Role::Verzekeraar) {
            assert_eq!(resp.status, 200, "{}", cell(&resp.body));
        }
        if resp.status == 200 {
            let children: BTreeSet<String> = resp.json()["entry"]
                .as_array()
                .into_iter()
                .flatten()
                .flat_map(|e| {
                    e["resource"]["entity"]
                        .as_array()
                        .cloned()
                        .unwrap_or_default()
                })
                .filter(|e| e["role"]["code"] == "1")
                .filter_map(|e| e["what"]["reference"].as_str().map(str::to_owned))
                .collect();
            let expected = match role {
                Role::Kind | Role::Ouder => set(&["Patient/kind-a"]),
                Role::OuderB => set(&["Patient/kind-b"]),
                Role::Auditor => set(&["Patient/kind-a", "Patient/kind-b"]),
                _ => BTreeSet::new(),
            };
            assert_eq!(children, expected, "{}", cell("AuditEvent search"));
        } else {
            // Scopes without AuditEvent searches (the auditor's have them).
            assert_ne!(role, Role::Auditor);
            resp.outcome(403);
        }
        let event = json!({"resourceType": "AuditEvent"});
        call(server, &token, Method::POST, "AuditEvent", Some(&event))
            .await
            .outcome(403);
        // Type and system history list many children: refused with access control.
        call(server, &token, Method::GET, "_history", None)
            .await
            .outcome(403);
        call(server, &token, Method::GET, "Goal/_history", None)
            .await
            .outcome(403);
        // Writes: an update of A's development goal.
        let update = goal("doel-a-ontwikkeling", "kind-a", "ontwikkeling");
        let resp = call(
            server,
            &token,
            Method::PUT,
            "Goal/doel-a-ontwikkeling",
            Some(&update),
        )
        .await;
        let expected = match role {
            Role::Arts | Role::Epd => 200,
            // The family writes its own goals only (the professionals' goal is not theirs),
            // or is too young to write, or the scopes have no writes.
            Role::Ouder
            | Role::Kind
            | Role::Leerkracht
            | Role::Consulent
            | Role::Verzekeraar
            | Role::Auditor => 403,
            // Hidden: as if it did not exist.
            Role::Verzorger | Role::OuderB | Role::ArtsX => 404,
        };
        assert_eq!(
            resp.status,
            expected,
            "{}",
            cell(&format!("update: {}", resp.body))
        );
        // The same change as a patch (one that changes nothing), answered the same way.
        let patch = json!([{"op": "replace", "path": "/lifecycleStatus", "value": "active"}]);
        let resp = Resp::of(
            server
                .request(Method::PATCH, "Goal/doel-a-ontwikkeling")
                .bearer_auth(&token)
                .header("content-type", "application/json-patch+json")
                .body(patch.to_string()),
        )
        .await;
        assert_eq!(
            resp.status,
            expected,
            "{}",
            cell(&format!("patch: {}", resp.body))
        );
        // A batch reads as its entries would, each on its own.
        let batch = json!({"resourceType": "Bundle", "type": "batch", "entry": [
            {"request": {"method": "GET", "url": "Goal/doel-a-medisch"}},
            {"request": {"method": "GET", "url": "Goal/doel-b"}}]});
        let resp = call(server, &token, Method::POST, "", Some(&batch)).await;
        assert_eq!(resp.status, 200, "{}", cell(&resp.body));
        let statuses: Vec<String> = resp.json()["entry"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["response"]["status"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(statuses.len(), 2, "{}", cell("batch"));
        for (entry, goal) in statuses.iter().zip(["Goal/doel-a-medisch", "Goal/doel-b"]) {
            let expected = if role == Role::Auditor {
                "403"
            } else if goals.contains(goal) {
                "200"
            } else {
                "404"
            };
            assert!(
                entry.starts_with(expected),
                "{}",
                cell(&format!("batch {goal}: {entry}"))
            );
        }
        // A transaction writing for B: all or nothing, by who may write for B.
        let for_b = json!({"resourceType": "Bundle", "type": "transaction", "entry": [
            {"resource": expressed_by(role, goal("tx-b", "kind-b", "sociaal")),
             "request": {"method": "PUT", "url": "Goal/tx-b"}}]});
        let resp = call(server, &token, Method::POST, "", Some(&for_b)).await;
        if matches!(role, Role::OuderB | Role::ArtsX) {
            assert_eq!(
                resp.status,
                200,
                "{}",
                cell(&format!("transaction for B: {}", resp.body))
            );
            let resp = call(server, &token, Method::DELETE, "Goal/tx-b", None).await;
            assert!(
                resp.status == 200 || resp.status == 204,
                "{}",
                cell(&resp.body)
            );
        } else {
            resp.outcome(403);
        }
        // A new goal for A, and one for B.
        for (child, expected_ok) in [
            ("kind-a", sees_child_a(role)),
            ("kind-b", matches!(role, Role::OuderB | Role::ArtsX)),
        ] {
            let new = json!({"resourceType": "Goal", "text": text("nieuw"), "lifecycleStatus": "proposed",
                "category": [{"coding": [{"system": DOMEIN, "code": "sociaal"}]}],
                "description": {"text": "nieuw"}, "subject": {"reference": format!("Patient/{child}")}});
            if let Some(me) = family_member(role) {
                // In someone else's words: refused, whoever may write for the child.
                let mut theirs = new.clone();
                theirs["expressedBy"] = json!({"reference": "Practitioner/arts-a"});
                let resp = call(server, &token, Method::POST, "Goal", Some(&theirs)).await;
                assert_eq!(
                    resp.status,
                    403,
                    "{}",
                    cell(&format!(
                        "goal of another for {child} ({me}): {}",
                        resp.body
                    ))
                );
            }
            let new = expressed_by(role, new);
            let resp = call(server, &token, Method::POST, "Goal", Some(&new)).await;
            let may_write = match role {
                Role::Kind => band >= 12,
                Role::Leerkracht | Role::Consulent | Role::Verzekeraar | Role::Auditor => false,
                _ => true,
            };
            if expected_ok && may_write {
                assert_eq!(
                    resp.status,
                    201,
                    "{}",
                    cell(&format!("create for {child}: {}", resp.body))
                );
                // Remove it again, so that the sets above stay as they are.
                let location = resp.header("location").unwrap().to_owned();
                let path = location
                    .split_once(&server.base)
                    .unwrap()
                    .1
                    .split("/_history")
                    .next()
                    .unwrap()
                    .to_owned();
                let resp = call(server, &token, Method::DELETE, &path, None).await;
                assert!(
                    resp.status == 200 || resp.status == 204,
                    "{}",
                    cell(&resp.body)
                );
            } else {
                assert_eq!(
                    resp.status,
                    403,
                    "{}",
                    cell(&format!("create for {child}: {}", resp.body))
                );
            }
        }
    }
}

/// The reference of a family member of the matrix (whose goals are in their own words).
fn family_member(role: Role) -> Option<&'static str> {
    match role {
        Role::Kind => Some("Patient/kind-a"),
        Role::Ouder => Some("RelatedPerson/ouder-a"),
        Role::Verzorger => Some("RelatedPerson/verzorger-a"),
        Role::OuderB => Some("RelatedPerson/ouder-b"),
        _ => None,
    }
}

/// `goal` as `role` writes it: a family member's names them as the one who expressed it.
fn expressed_by(role: Role, mut goal: Value) -> Value {
    if let Some(me) = family_member(role) {
        goal["expressedBy"] = json!({"reference": me});
    }
    goal
}

async fn authorisation_matrix(backend: Backend) {
    let server = TestServer::start_with(backend, config()).await;
    seed(&server).await;
    let epd = system_token("epd-a");
    // A is 8: its parents with authority decide.
    matrix(&server, 8, false).await;
    // A is 14: A writes, and its own consent shuts its parent out of the medical domain.
    put(
        &server,
        &epd,
        &child("kind-a", "999911120", &born_years_ago(14)),
    )
    .await;
    matrix(&server, 14, false).await;
    let kind = token(Role::Kind);
    let shielding = consent(
        "toestemming-kind",
        "kind-a",
        json!({"provision": [medisch_denied_to("RelatedPerson/ouder-a")]}),
    );
    put(&server, &kind, &shielding).await;
    matrix(&server, 14, true).await;
    // A is 17: still shut out; then A revokes the consent, which counts on the next request.
    put(
        &server,
        &epd,
        &child("kind-a", "999911120", &born_years_ago(17)),
    )
    .await;
    matrix(&server, 17, true).await;
    let mut revoked = shielding.clone();
    revoked["status"] = json!("inactive");
    put(&server, &kind, &revoked).await;
    matrix(&server, 17, false).await;
}

/// Tokens the server refuses with 401 and a Bearer challenge, whatever they ask for; and the
/// capability statement, which needs none.
async fn refused_tokens(backend: Backend) {
    let server = TestServer::start_with(backend, config()).await;
    let good = claims(json!({"client_id": "epd-a", "scope": "system/*.cruds"}));
    let mut expired = good.clone();
    expired["exp"] = json!(now() - 3600);
    let mut wrong_audience = good.clone();
    wrong_audience["aud"] = json!("https://elders.example.org/fhir");
    let tokens = [
        ("no token", None),
        ("expired", Some(sign(&expired, "rsa-private.pem"))),
        (
            "wrong audience",
            Some(sign(&wrong_audience, "rsa-private.pem")),
        ),
        ("forged", Some(sign(&good, "other-rsa-private.pem"))),
        ("not a JWT", Some("abc.def.ghi".to_owned())),
    ];
    for (what, token) in tokens {
        for (method, path) in [
            (Method::GET, "Patient"),
            (Method::GET, "Patient/kind-a"),
            (Method::POST, ""),
        ] {
            let mut request = server.request(method.clone(), path);
            if let Some(token) = &token {
                request = request.bearer_auth(token);
            }
            let resp = Resp::of(request).await;
            resp.outcome(401);
            let challenge = resp.header("www-authenticate").unwrap_or_default();
            assert!(
                challenge.starts_with("Bearer"),
                "{what} {method} {path}: {challenge}"
            );
        }
    }
    let metadata = server.get("metadata").await;
    assert_eq!(metadata.status, 200);
    assert_eq!(
        metadata.json()["rest"][0]["security"]["service"][0]["coding"][0]["code"],
        "SMART-on-FHIR"
    );
    // The default configuration, without an issuer, lets nobody in.
    let closed = TestServer::start_with(backend, ServerConfig::default()).await;
    let resp = Resp::of(
        closed
            .request(Method::GET, "Patient")
            .bearer_auth(sign(&good, "rsa-private.pem")),
    )
    .await;
    resp.outcome(401);
}

/// A signed client assertion of `client` for this server's token endpoint.
fn assertion(client: &str, private: &str, change: impl FnOnce(&mut Value)) -> String {
    let mut claims = json!({"iss": client, "sub": client, "aud": format!("{SELF}/auth/token"),
        "exp": now() + 240, "jti": uuid::Uuid::new_v4().to_string()});
    change(&mut claims);
    if private.starts_with("ec") {
        let mut header = Header::new(Algorithm::ES256);
        header.kid = Some("ec-1".into());
        encode(
            &header,
            &claims,
            &EncodingKey::from_ec_pem(&key(private)).unwrap(),
        )
        .unwrap()
    } else {
        let mut header = Header::new(Algorithm::RS384);
        header.kid = Some("rsa-1".into());
        encode(
            &header,
            &claims,
            &EncodingKey::from_rsa_pem(&key(private)).unwrap(),
        )
        .unwrap()
    }
}

async fn ask(server: &TestServer, fields: Vec<(&str, String)>) -> (u16, Value) {
    let borrowed: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    token_request(server, &borrowed).await
}

async fn token_request(server: &TestServer, fields: &[(&str, &str)]) -> (u16, Value) {
    let body = fields
        .iter()
        .map(|(k, v)| format!("{k}={}", urlencode(v)))
        .collect::<Vec<_>>()
        .join("&");
    let resp = Resp::of(
        server
            .request(Method::POST, "auth/token")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body),
    )
    .await;
    assert_eq!(
        resp.header("cache-control"),
        Some("no-store"),
        "{}",
        resp.body
    );
    (resp.status, resp.json())
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// SMART Backend Services: a registered EPD gets a token for the scopes it was registered
/// with, by an assertion signed with its key; replays, strangers' keys, wider scopes, other
/// grants and old assertions are refused.
async fn backend_services(backend: Backend) {
    let private = {
        let key = openssl::ec::EcKey::generate(
            &openssl::ec::EcGroup::from_curve_name(openssl::nid::Nid::X9_62_PRIME256V1).unwrap(),
        )
        .unwrap();
        openssl::pkey::PKey::from_ec_key(key)
            .unwrap()
            .private_key_to_pem_pkcs8()
            .unwrap()
    };
    let public = openssl::pkey::PKey::private_key_from_pem(&private)
        .unwrap()
        .public_key_to_pem()
        .unwrap();
    let mut own = zorgplan_auth::Verifier::new(SELF, SELF);
    own.add_pem(&public, Some("zorgplan-1")).unwrap();
    let mut epd = client("epd-a", "11111111");
    epd.scopes = zorgplan_auth::Scopes::parse("system/*.rs");
    epd.scope_text = "system/*.rs".into();
    let config = ServerConfig {
        base_url: Some(SELF.into()),
        auth: Authentication::Tokens(Arc::new(Tokens {
            verifiers: vec![own],
            clients: vec![epd],
            service: Some(TokenService::new(SELF, &private, "zorgplan-1").unwrap()),
            ..Tokens::default()
        })),
        ..ServerConfig::default()
    };
    let server = TestServer::start_with(backend, config).await;
    let discovery = server.get(".well-known/smart-configuration").await;
    assert_eq!(discovery.status, 200, "{}", discovery.body);
    let discovery = discovery.json();
    assert_eq!(discovery["token_endpoint"], format!("{SELF}/auth/token"));
    let metadata = server.get("metadata").await.json();
    assert_eq!(
        metadata["rest"][0]["security"]["extension"][0]["extension"][0]["valueUri"],
        format!("{SELF}/auth/token")
    );
    assert_eq!(
        discovery["grant_types_supported"],
        json!(["client_credentials"])
    );
    assert!(discovery["token_endpoint_auth_methods_supported"]
        .as_array()
        .unwrap()
        .contains(&json!("private_key_jwt")));

    let signed = assertion("epd-a", "ec-private.pem", |_| {});
    let request = |assertion: &str, scope: &str| {
        vec![
            ("grant_type", "client_credentials".to_owned()),
            ("scope", scope.to_owned()),
            (
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer".to_owned(),
            ),
            ("client_assertion", assertion.to_owned()),
        ]
    };
    let (status, answer) = ask(&server, request(&signed, "system/Patient.rs system/Goal.r")).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["token_type"], "bearer");
    assert_eq!(answer["scope"], "system/Patient.rs system/Goal.r");
    assert!(answer["expires_in"].as_u64().unwrap() <= 300);
    let token = answer["access_token"].as_str().unwrap().to_owned();
    // The token opens the API within its scopes.
    let resp = call(&server, &token, Method::GET, "Patient", None).await;
    assert_eq!(resp.status, 200, "{}", resp.body);
    call(&server, &token, Method::GET, "CarePlan", None)
        .await
        .outcome(403);
    let patient = child("kind-x", "999911120", &born_years_ago(5));
    call(
        &server,
        &token,
        Method::PUT,
        "Patient/kind-x",
        Some(&patient),
    )
    .await
    .outcome(403);

    // The same assertion again: a replay.
    let (status, answer) = ask(&server, request(&signed, "system/Patient.rs")).await;
    assert_eq!(
        (status, answer["error"].as_str()),
        (401, Some("invalid_client")),
        "{answer}"
    );
    // Signed with a key the client did not register.
    let forged = assertion("epd-a", "other-rsa-private.pem", |_| {});
    let (status, answer) = ask(&server, request(&forged, "system/Patient.rs")).await;
    assert_eq!(
        (status, answer["error"].as_str()),
        (401, Some("invalid_client")),
        "{answer}"
    );
    // An unknown client, an expired assertion, one for another audience, one living too long.
    for bad in [
        assertion("epd-z", "ec-private.pem", |_| {}),
        assertion("epd-a", "ec-private.pem", |c| c["exp"] = json!(now() - 120)),
        assertion("epd-a", "rsa-private.pem", |c| {
            c["aud"] = json!("https://elders.test/auth/token")
        }),
        assertion("epd-a", "ec-private.pem", |c| {
            c["exp"] = json!(now() + 3600)
        }),
        assertion("epd-a", "ec-private.pem", |c| {
            c["sub"] = json!("someone-else")
        }),
        assertion("epd-a", "ec-private.pem", |c| {
            c.as_object_mut().unwrap().remove("jti");
        }),
    ] {
        let (status, answer) = ask(&server, request(&bad, "system/Patient.rs")).await;
        assert_eq!(
            (status, answer["error"].as_str()),
            (401, Some("invalid_client")),
            "{answer}"
        );
    }
    // More than the registration covers.
    let wide = assertion("epd-a", "rsa-private.pem", |_| {});
    let (status, answer) = ask(&server, request(&wide, "system/Patient.cruds")).await;
    assert_eq!(
        (status, answer["error"].as_str()),
        (400, Some("invalid_scope")),
        "{answer}"
    );
    // Another grant type.
    let mut password = request(
        &assertion("epd-a", "ec-private.pem", |_| {}),
        "system/Patient.rs",
    );
    password[0].1 = "password".into();
    let (status, answer) = ask(&server, password).await;
    assert_eq!(
        (status, answer["error"].as_str()),
        (400, Some("unsupported_grant_type")),
        "{answer}"
    );

    // Without authentication there is nothing to discover.
    let dev = TestServer::start(backend).await;
    dev.get(".well-known/smart-configuration")
        .await
        .outcome(404);
}

/// A transaction's conditional reference to a child counts as that child: who may read but
/// not write the child's data cannot write for it through `Patient?identifier=…`.
async fn conditional_references_count_for_their_child(backend: Backend) {
    let server = TestServer::start_with(backend, config()).await;
    seed(&server).await;
    // The municipality may read A's plan but no longer change it.
    let no_writes = consent(
        "toestemming-gemeente",
        "kind-a",
        json!({"provision": [{"type": "deny", "actor": [actor("Organization/gemeente")],
                              "action": [action("correct")]}]}),
    );
    put(&server, &system_token("epd-a"), &no_writes).await;
    let consultant = sign(
        &claims(
            json!({"fhirUser": "PractitionerRole/rol-consulent", "client_id": "gemeente-app",
                       "scope": "user/*.cruds"}),
        ),
        "rsa-private.pem",
    );
    let doctor = token(Role::Arts);
    let transaction = |subject: &str| {
        json!({"resourceType": "Bundle", "type": "transaction", "entry": [{
            "fullUrl": "urn:uuid:9a1b2c3d-0000-4000-8000-000000000001",
            "resource": {"resourceType": "Goal", "text": text("nieuw"), "lifecycleStatus": "proposed",
                "category": [{"coding": [{"system": DOMEIN, "code": "sociaal"}]}],
                "description": {"text": "nieuw"}, "subject": {"reference": subject}},
            "request": {"method": "POST", "url": "Goal"}}]})
    };
    let by_identifier = "Patient?identifier=http://fhir.nl/fhir/NamingSystem/bsn|999911120";
    // It still reads A's goals outside the medical domain.
    let resp = call(
        &server,
        &consultant,
        Method::GET,
        "Goal/doel-a-ontwikkeling",
        None,
    )
    .await;
    assert_eq!(resp.status, 200, "{}", resp.body);
    for subject in [by_identifier, "Patient/kind-a"] {
        call(
            &server,
            &consultant,
            Method::POST,
            "",
            Some(&transaction(subject)),
        )
        .await
        .outcome(403);
        let resp = call(
            &server,
            &doctor,
            Method::POST,
            "",
            Some(&transaction(subject)),
        )
        .await;
        assert_eq!(resp.status, 200, "{subject}: {}", resp.body);
    }
}

/// A parent's token stands for a RelatedPerson of the child its launch context names: a
/// RelatedPerson of another child, or one that is no longer active, sees nothing of it (as
/// if it did not exist), from the next request on.
async fn parents_act_for_their_own_child_only(backend: Backend) {
    let server = TestServer::start_with(backend, config()).await;
    seed(&server).await;
    let as_parent = |person: &str, child: &str| {
        sign(
            &claims(
                json!({"fhirUser": format!("RelatedPerson/{person}"), "patient": child,
                           "client_id": "pgo", "scope": "patient/*.rs"}),
            ),
            "rsa-private.pem",
        )
    };
    let goal = "Goal/doel-a-ontwikkeling";
    let ouder = as_parent("ouder-a", "kind-a");
    assert_eq!(
        call(&server, &ouder, Method::GET, goal, None).await.status,
        200
    );
    // B's parent naming A in its token.
    let stranger = as_parent("ouder-b", "kind-a");
    assert_eq!(
        call(&server, &stranger, Method::GET, goal, None)
            .await
            .status,
        404
    );
    assert_eq!(goals_of_a(&server, &stranger).await, BTreeSet::new());
    let resp = call(&server, &stranger, Method::GET, "Goal", None).await;
    assert_eq!(ids(&resp.json()), BTreeSet::new(), "{}", resp.body);
    // A parent's token without the child it acts for.
    let unnamed = sign(
        &claims(
            json!({"fhirUser": "RelatedPerson/ouder-a", "client_id": "pgo",
                       "scope": "patient/*.rs"}),
        ),
        "rsa-private.pem",
    );
    call(&server, &unnamed, Method::GET, goal, None)
        .await
        .outcome(403);
    // The RelatedPerson made inactive: the next request sees nothing.
    let mut inactive = related("ouder-a", "kind-a", "MTH");
    inactive["active"] = json!(false);
    put(&server, &system_token("epd-a"), &inactive).await;
    assert_eq!(
        call(&server, &ouder, Method::GET, goal, None).await.status,
        404
    );
    let resp = call(&server, &ouder, Method::GET, "Patient/kind-a/Goal", None).await;
    assert_eq!(ids(&resp.json()), BTreeSet::new(), "{}", resp.body);
}

/// `$validate` tells nothing of what the caller may not see: the standard's rules that
/// follow references see only the resources the caller may see (B's network, with its care
/// coordinator, is one that does not exist to A's paediatrician), and `mode=delete` answers
/// as a delete would (404 for what is hidden, 403 without the right to delete it).
async fn validate_discloses_nothing_hidden(backend: Backend) {
    let server = TestServer::start_with(backend, config()).await;
    seed(&server).await;
    let mut active = crate::crud::plan("Patient/kind-a", json!([{"value": "plan-a"}]));
    active["status"] = json!("active");
    active["careTeam"] = json!([{"reference": "CareTeam/netwerk-b"}]);
    let zkg_3 = |role: Role| {
        let server = &server;
        let active = &active;
        async move {
            let resp = call(
                server,
                &token(role),
                Method::POST,
                "CarePlan/$validate",
                Some(active),
            )
            .await;
            assert_eq!(resp.status, 200, "{role:?}: {}", resp.body);
            let outcome: Value = serde_json::from_str(&resp.body).unwrap();
            outcome["issue"].as_array().unwrap().iter().any(|i| {
                i["diagnostics"]
                    .as_str()
                    .is_some_and(|d| d.contains("zkg-3:"))
            })
        }
    };
    // B's paediatrician sees B's network and its coordinator; A's does not.
    assert!(!zkg_3(Role::ArtsX).await);
    assert!(zkg_3(Role::Arts).await);

    let delete = |role: Role, goal: &'static str| {
        let server = &server;
        async move {
            let path = format!("Goal/{goal}/$validate");
            let resp = call(
                server,
                &token(role),
                Method::POST,
                &path,
                Some(&json!({"resourceType": "Parameters",
                    "parameter": [{"name": "mode", "valueCode": "delete"}]})),
            )
            .await;
            resp.status
        }
    };
    assert_eq!(delete(Role::Arts, "doel-a-medisch").await, 200);
    assert_eq!(delete(Role::Arts, "doel-b").await, 404);
    assert_eq!(
        delete(Role::Verzekeraar, "doel-a-medisch").await,
        403,
        "no scope to delete"
    );
    assert_eq!(delete(Role::ArtsX, "doel-a-medisch").await, 404);
    assert_eq!(delete(Role::Arts, "doel-a-none").await, 404);
}

/// Each version of a resource is judged by what it says: a goal that moves into the medical
/// domain is hidden from the school from its next version on, in reads, searches and its
/// compartment, and shown again when it moves back (what the server works out once per
/// version never stands in for another version).
async fn each_version_is_judged_by_its_own_content(backend: Backend) {
    let server = TestServer::start_with(backend, config()).await;
    seed(&server).await;
    let (epd, school) = (system_token("epd-a"), token(Role::Leerkracht));
    let path = "Goal/doel-a-ontwikkeling";
    let seen = |expected: &'static [&'static str]| {
        let (server, school) = (&server, &school);
        async move {
            let read = call(server, school, Method::GET, path, None).await;
            let search = call(
                server,
                school,
                Method::GET,
                "Goal?patient=Patient/kind-a",
                None,
            )
            .await;
            let compartment = call(server, school, Method::GET, "Patient/kind-a/Goal", None).await;
            let shown = expected.contains(&"Goal/doel-a-ontwikkeling");
            assert_eq!(read.status, if shown { 200 } else { 404 }, "{}", read.body);
            assert_eq!(ids(&search.json()), set(expected), "{}", search.body);
            assert_eq!(
                ids(&compartment.json()),
                set(expected),
                "{}",
                compartment.body
            );
        }
    };
    seen(&["Goal/doel-a-ontwikkeling"]).await;
    put(
        &server,
        &epd,
        &goal("doel-a-ontwikkeling", "kind-a", "medisch"),
    )
    .await;
    seen(&[]).await;
    put(
        &server,
        &epd,
        &goal("doel-a-ontwikkeling", "kind-a", "ontwikkeling"),
    )
    .await;
    seen(&["Goal/doel-a-ontwikkeling"]).await;
    // The paediatrician sees the goal in every version.
    let arts = arts_token();
    let history = call(
        &server,
        &arts,
        Method::GET,
        "Goal/doel-a-ontwikkeling/_history",
        None,
    )
    .await;
    assert_eq!(
        history.json()["entry"].as_array().map(Vec::len),
        Some(3),
        "{}",
        history.body
    );
}

/// A write this server did not make counts too: one by another server on the same
/// PostgreSQL database as soon as its announcement arrives (just after its commit), one by
/// another process on the same SQLite file (which the server does not expect: it writes its
/// database alone) within a second. Here the parent's RelatedPerson is made inactive
/// through a store of its own.
async fn writes_by_others_count(backend: Backend) {
    let server = TestServer::start_with(backend, config()).await;
    seed(&server).await;
    let ouder = token(Role::Ouder);
    let goal = "Goal/doel-a-ontwikkeling";
    assert_eq!(
        call(&server, &ouder, Method::GET, goal, None).await.status,
        200
    );
    let store = server.open_store().await;
    let mut inactive = related("ouder-a", "kind-a", "MTH");
    inactive["active"] = json!(false);
    tokio::task::spawn_blocking(move || {
        let prepared = store.prepare_load(vec![inactive]).unwrap();
        store.load(&prepared).unwrap();
    })
    .await
    .unwrap();
    let started = std::time::Instant::now();
    let mut status = call(&server, &ouder, Method::GET, goal, None).await.status;
    while status == 200 && started.elapsed() < std::time::Duration::from_secs(10) {
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        status = call(&server, &ouder, Method::GET, goal, None).await.status;
    }
    assert_eq!(status, 404, "after {:?}", started.elapsed());
}

/// A professional stands for its active roles as they are now: a role that ends counts on
/// the next request.
async fn a_role_that_ends_counts_on_the_next_request(backend: Backend) {
    let server = TestServer::start_with(backend, config()).await;
    seed(&server).await;
    let arts = arts_token();
    let goal = "Goal/doel-a-medisch";
    assert_eq!(
        call(&server, &arts, Method::GET, goal, None).await.status,
        200
    );
    let mut ended = practitioner_role("rol-arts-a", "arts-a", "zh-a");
    ended["active"] = json!(false);
    put(&server, &system_token("epd-a"), &ended).await;
    assert_eq!(
        call(&server, &arts, Method::GET, goal, None).await.status,
        404
    );
    assert_eq!(goals_of_a(&server, &arts).await, BTreeSet::new());
}

crate::backend_tests!(
    a_role_that_ends_counts_on_the_next_request,
    writes_by_others_count,
    each_version_is_judged_by_its_own_content,
    validate_discloses_nothing_hidden,
    authorisation_matrix,
    parents_act_for_their_own_child_only,
    refused_tokens,
    backend_services,
    conditional_references_count_for_their_child
);
