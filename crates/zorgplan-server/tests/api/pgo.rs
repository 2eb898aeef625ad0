//! A PGO app through the whole authorisation-code flow on scenario S1: Mila's mother signs
//! in (with the test sign-in), chooses Mila among her children, the app redeems the code with
//! its PKCE verifier and reads Mila's plan with a token bound to her, and adds a wish in the
//! mother's own words.

use crate::authorisation::{call, claims, key, sign};
use crate::common::{Backend, Resp, TestServer};
use crate::conformance::id_of;
use reqwest::Method;
use serde_json::{json, Value};
use std::sync::Arc;
use zorgplan_auth::authorize::{challenge, RegisteredApp};
use zorgplan_auth::service::{RegisteredClient, TokenService};
use zorgplan_server::access::{Authentication, Tokens};
use zorgplan_server::ServerConfig;

pub const APP: &str = "pgo-app";
pub const BACK: &str = "https://pgo.example/terug";
const BSN: &str = "http://fhir.nl/fhir/NamingSystem/bsn";
/// Fleur, Mila's mother in S1.
pub const FLEUR_BSN: &str = "999913451";
const VERIFIER: &str = "een-pkce-geheim-van-de-app-dat-lang-genoeg-is-0123456789";

/// A server at `base` that accepts the test issuer's tokens (an EPD's), issues its own to
/// the registered system clients (id, URA; their keys those of the test `jwks.json`), and
/// lets the registered PGO app sign family members in with the test sign-in.
pub fn issuing_config(base: &str, registered: &[(&str, &str)]) -> ServerConfig {
    let mut issuer = zorgplan_auth::Verifier::new("https://auth.example.org", base);
    issuer.add_pem(&key("rsa-public.pem"), None).unwrap();
    let mut own = zorgplan_auth::Verifier::new(base, base);
    own.add_pem(&key("rsa-public.pem"), Some("zorgplan-1"))
        .unwrap();
    let clients = registered
        .iter()
        .map(|(id, ura)| {
            let mut keys = zorgplan_auth::Verifier::new(*id, format!("{base}/auth/token"));
            keys.add_jwks(&String::from_utf8(key("jwks.json")).unwrap())
                .unwrap();
            RegisteredClient {
                client_id: id.to_string(),
                ura: ura.to_string(),
                scopes: zorgplan_auth::Scopes::parse("system/*.cruds"),
                scope_text: "system/*.cruds".into(),
                keys,
                certificates: Vec::new(),
            }
        })
        .collect();
    let scope = "launch/patient openid fhirUser patient/*.cruds";
    ServerConfig {
        base_url: Some(base.into()),
        auth: Authentication::Tokens(Arc::new(Tokens {
            verifiers: vec![issuer, own],
            clients,
            service: Some(TokenService::new(base, &key("rsa-private.pem"), "zorgplan-1").unwrap()),
            apps: vec![RegisteredApp {
                client_id: APP.into(),
                redirect_uris: vec![BACK.into()],
                scopes: zorgplan_auth::Scopes::parse(scope),
                scope_text: scope.into(),
            }],
            identity: Some(Arc::new(zorgplan_server::pgo::TestLogin)),
        })),
        ..ServerConfig::default()
    }
}

/// A token of the test issuer for registered system `client` of the server at `base`.
pub fn epd_token(base: &str, client: &str) -> String {
    let mut claims = claims(json!({"client_id": client, "scope": "system/*.cruds"}));
    claims["aud"] = json!(base);
    sign(&claims, "rsa-private.pem")
}

/// An HTTP client that does not follow redirects (the app reads them).
fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn hidden(page: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = page
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} in {page}"))
        + marker.len();
    page[start..][..page[start..].find('"').unwrap()].to_owned()
}

fn query_of(location: &str) -> Vec<(String, String)> {
    url::Url::parse(location)
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect()
}

fn param<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

fn authorize_url(server: &TestServer, change: &[(&str, &str)]) -> String {
    let mut pairs: Vec<(String, String)> = [
        ("response_type", "code"),
        ("client_id", APP),
        ("redirect_uri", BACK),
        ("scope", "launch/patient openid fhirUser patient/*.cruds"),
        ("state", "toestand-42"),
        ("aud", &server.base),
        ("code_challenge", &challenge(VERIFIER)),
        ("code_challenge_method", "S256"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    for (k, v) in change {
        pairs.retain(|(name, _)| name != k);
        if !v.is_empty() {
            pairs.push((k.to_string(), v.to_string()));
        }
    }
    let query: String = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish();
    server.url(&format!("auth/authorize?{query}"))
}

async fn post_form(client: &reqwest::Client, url: String, form: &[(&str, &str)]) -> Resp {
    let body: String = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form)
        .finish();
    Resp::of(
        client
            .post(url)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body),
    )
    .await
}

/// The sign-in form of the pending `request`, posted with `bsn`.
async fn login(browser: &reqwest::Client, server: &TestServer, request: &str, bsn: &str) -> Resp {
    post_form(
        browser,
        server.url("auth/login"),
        &[("request", request), ("bsn", bsn)],
    )
    .await
}

/// The app's token request for `code`, with its PKCE `verifier`.
async fn redeem(
    browser: &reqwest::Client,
    server: &TestServer,
    code: &str,
    verifier: &str,
) -> Resp {
    post_form(
        browser,
        server.url("auth/token"),
        &[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", BACK),
            ("client_id", APP),
            ("code_verifier", verifier),
        ],
    )
    .await
}

/// The whole flow for the person with `bsn`, choosing the child whose choice label
/// contains `child` when there is a choice: the token response.
pub async fn sign_in(server: &TestServer, bsn: &str, child: &str) -> Value {
    let browser = browser();
    let page = Resp::of(browser.get(authorize_url(server, &[]))).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let request = hidden(&page.body, "request");
    let mut resp = login(&browser, server, &request, bsn).await;
    if resp.status == 200 {
        // Which child: the radio button whose label names it.
        assert!(resp.body.contains("Voor welk kind?"), "{}", resp.body);
        let at = resp
            .body
            .find(child)
            .unwrap_or_else(|| panic!("{child} not offered: {}", resp.body));
        let before = &resp.body[..at];
        let value_at = before.rfind("value=\"").unwrap() + 7;
        let choice = before[value_at..][..before[value_at..].find('"').unwrap()].to_owned();
        resp = post_form(
            &browser,
            server.url("auth/choose"),
            &[("request", &request), ("choice", &choice)],
        )
        .await;
    }
    assert_eq!(resp.status, 302, "{}", resp.body);
    let location = resp.header("location").unwrap().to_owned();
    assert!(location.starts_with(BACK), "{location}");
    let back = query_of(&location);
    assert_eq!(param(&back, "state"), Some("toestand-42"));
    let code = param(&back, "code").unwrap().to_owned();
    let token = redeem(&browser, server, &code, VERIFIER).await;
    assert_eq!(token.status, 200, "{}", token.body);
    // A code is good once.
    let again = redeem(&browser, server, &code, VERIFIER).await;
    assert_eq!(again.status, 400, "{}", again.body);
    assert_eq!(again.json()["error"], "invalid_grant");
    token.json()
}

/// Fleur signs in with her PGO and chooses Mila: her token, once it has read Mila's plan
/// (`$zorgplan`).
pub async fn fleur_reads_milas_plan(server: &TestServer, mila: &str) -> String {
    let issued = sign_in(server, FLEUR_BSN, "Mila").await;
    assert_eq!(issued["patient"], json!(mila));
    assert_eq!(
        issued["scope"],
        "patient/*.cruds launch/patient openid fhirUser"
    );
    let token = issued["access_token"].as_str().unwrap().to_owned();
    let path = format!("Patient/{mila}/$zorgplan");
    let document = call(server, &token, Method::GET, &path, None).await;
    assert_eq!(document.status, 200, "{}", document.body);
    assert_eq!(document.json()["resourceType"], "Bundle");
    token
}

/// Loads S1 as the hospital's EPD, and gives Fleur a second child (Mila's brother, in the
/// EPD of the same hospital): the ids of Mila, Fleur and the brother.
pub async fn s1_with_a_brother(server: &TestServer, epd: &str) -> (String, String, String) {
    for bundle in crate::zorgplan::fixtures("S1") {
        let resp = call(server, epd, Method::POST, "", Some(&bundle)).await;
        assert_eq!(resp.status, 200, "{}", resp.body);
    }
    let mila = id_of(server, epd, "Patient", &format!("{BSN}|999913402")).await;
    let fleur = id_of(server, epd, "RelatedPerson", &format!("{BSN}|{FLEUR_BSN}")).await;
    let brother = json!({"resourceType": "Patient", "id": "broer-van-mila",
        "identifier": [{"system": "http://fhir.nl/fhir/NamingSystem/bsn", "value": "999911120"}],
        "name": [{"family": "van der Meer", "given": ["Daan"]}], "birthDate": "2019-03-02"});
    let resp = call(
        server,
        epd,
        Method::PUT,
        "Patient/broer-van-mila",
        Some(&brother),
    )
    .await;
    assert_eq!(resp.status, 201, "{}", resp.body);
    let mother = json!({"resourceType": "RelatedPerson", "id": "moeder-van-daan", "active": true,
        "identifier": [{"system": "http://fhir.nl/fhir/NamingSystem/bsn", "value": FLEUR_BSN}],
        "patient": {"reference": "Patient/broer-van-mila"},
        "relationship": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-RoleCode", "code": "MTH"}]}],
        "name": [{"family": "van der Meer-Jansen", "given": ["Fleur"]}]});
    let resp = call(
        server,
        epd,
        Method::PUT,
        "RelatedPerson/moeder-van-daan",
        Some(&mother),
    )
    .await;
    assert_eq!(resp.status, 201, "{}", resp.body);
    (mila, fleur, "broer-van-mila".into())
}

async fn a_parent_signs_in_with_her_pgo(backend: Backend) {
    let server = TestServer::start_addressed(backend, |base| {
        issuing_config(base, &[("epd-umc", "32104867")])
    })
    .await;
    let epd = epd_token(&server.base, "epd-umc");
    let (mila, fleur, brother) = s1_with_a_brother(&server, &epd).await;

    let discovery = server.get(".well-known/smart-configuration").await.json();
    assert_eq!(
        discovery["authorization_endpoint"],
        format!("{}/auth/authorize", server.base)
    );
    assert_eq!(
        discovery["code_challenge_methods_supported"],
        json!(["S256"])
    );

    // Fleur is the mother of two: she chooses Mila.
    // The token is bound to Mila: her plan, not her brother's.
    let token = &fleur_reads_milas_plan(&server, &mila).await;
    let brothers = call(
        &server,
        token,
        Method::GET,
        &format!("Patient/{brother}"),
        None,
    )
    .await;
    assert_eq!(brothers.status, 404, "{}", brothers.body);

    // A wish in her own words is hers to write; one in Mila's words is not.
    let wish = |by: &str| {
        json!({"resourceType": "Goal", "lifecycleStatus": "proposed",
            "category": [{"coding": [{"system": "http://fhir.zorgplankindgezin.nl/CodeSystem/kinderleefdomein", "code": "sociaal"}]}],
            "description": {"text": "Mila wil op zwemles, net als haar vriendinnen"},
            "subject": {"reference": format!("Patient/{mila}")},
            "expressedBy": {"reference": by}})
    };
    let resp = call(
        &server,
        token,
        Method::POST,
        "Goal",
        Some(&wish(&format!("Patient/{mila}"))),
    )
    .await;
    assert_eq!(resp.outcome(403)["issue"][0]["code"], "forbidden");
    let resp = call(
        &server,
        token,
        Method::POST,
        "Goal",
        Some(&wish(&format!("RelatedPerson/{fleur}"))),
    )
    .await;
    assert_eq!(resp.status, 201, "{}", resp.body);
    let goal = resp.json()["id"].as_str().unwrap().to_owned();
    let provenance = call(
        &server,
        &epd,
        Method::GET,
        &format!("Provenance?target=Goal/{goal}"),
        None,
    )
    .await
    .json();
    assert_eq!(provenance["total"], 1, "{provenance}");
    assert_eq!(
        provenance["entry"][0]["resource"]["agent"][0]["who"]["reference"],
        json!(format!("RelatedPerson/{fleur}"))
    );
}

async fn sign_ins_that_go_wrong(backend: Backend) {
    let server = TestServer::start_addressed(backend, |base| {
        issuing_config(base, &[("epd-umc", "32104867")])
    })
    .await;
    let epd = epd_token(&server.base, "epd-umc");
    s1_with_a_brother(&server, &epd).await;
    let browser = browser();
    // An app or a return address the server does not know: the user is told, not sent on.
    for change in [
        ("client_id", "vreemde-app"),
        ("redirect_uri", "https://kwaad.example/"),
    ] {
        let resp = Resp::of(browser.get(authorize_url(&server, &[change]))).await;
        assert_eq!(resp.status, 400, "{change:?}: {}", resp.body);
        assert!(resp.header("location").is_none());
    }
    // Without PKCE, or for another server: back to the app with the error and its state.
    for change in [
        ("code_challenge", ""),
        ("aud", "https://elders.example/fhir"),
    ] {
        let resp = Resp::of(browser.get(authorize_url(&server, &[change]))).await;
        assert_eq!(resp.status, 302, "{change:?}: {}", resp.body);
        let back = query_of(resp.header("location").unwrap());
        assert_eq!(param(&back, "error"), Some("invalid_request"), "{change:?}");
        assert_eq!(param(&back, "state"), Some("toestand-42"));
    }
    // Not a BSN; someone in no plan; a sign-in that was never started.
    let page = Resp::of(browser.get(authorize_url(&server, &[]))).await;
    let request = hidden(&page.body, "request");
    let resp = login(&browser, &server, &request, "123456789").await;
    assert_eq!(resp.status, 401, "{}", resp.body);
    let resp = login(&browser, &server, &request, "999912057").await;
    assert_eq!(resp.status, 403, "{}", resp.body);
    let resp = login(&browser, &server, "verzonnen", FLEUR_BSN).await;
    assert_eq!(resp.status, 400, "{}", resp.body);
    // A code with the wrong verifier.
    let page = Resp::of(browser.get(authorize_url(&server, &[]))).await;
    let request = hidden(&page.body, "request");
    let resp = login(&browser, &server, &request, "999911120").await;
    assert_eq!(resp.status, 302, "{}", resp.body);
    let code = param(&query_of(resp.header("location").unwrap()), "code")
        .unwrap()
        .to_owned();
    let resp = redeem(
        &browser,
        &server,
        &code,
        "een-ander-geheim-dat-ook-lang-genoeg-is-0123456789",
    )
    .await;
    assert_eq!(resp.status, 400, "{}", resp.body);
    assert_eq!(resp.json()["error"], "invalid_grant");
}

crate::backend_tests!(a_parent_signs_in_with_her_pgo, sign_ins_that_go_wrong);
