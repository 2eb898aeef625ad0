//! The adapters against real peers: a second instance of the server playing the hospital's
//! EPD (loaded with the hospital's part of scenario S1, nl-core style: without the
//! standard's profiles), a proxy in front of it that can be slow, break or talk nonsense,
//! the home-care system's subscriber endpoint, and a PGO app. Scenario S1 end to end: import
//! at discharge, handover by notified pull, the home-care system notified of the new plan,
//! the mother reading the plan in her PGO and adding a wish.

use crate::authorisation::{call, key};
use crate::common::{Backend, Peer, TestServer};
use crate::pgo::{epd_token, fleur_reads_milas_plan, issuing_config};
use crate::subscriptions::{quick, subscription, Subscriber};
use reqwest::Method;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};
use std::net::TcpListener;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;
use std::time::Duration;
use zorgplan_adapters::{epd, handover, Credentials, FhirClient, Report};
use zorgplan_server::ServerConfig;

const MILA: &str = "http://fhir.nl/fhir/NamingSystem/bsn|999913402";
const UMC: &str = "32104867";
const THUISZORG: &str = "32318826";

/// The hospital's part of S1's discharge: everything but the plan and the consent, without
/// the standard's profiles; the home-care organisation joins the discharge team.
fn hospital_bundle() -> Value {
    let mut bundle: Value = serde_json::from_str(
        &std::fs::read_to_string(&crate::common::scenario_files("S1")[0]).unwrap(),
    )
    .unwrap();
    let entries = bundle["entry"].as_array_mut().unwrap();
    entries.retain(|e| {
        !matches!(
            e["resource"]["resourceType"].as_str(),
            Some("CarePlan" | "Consent")
        )
    });
    let full_url = |found: &dyn Fn(&Value) -> bool| {
        entries
            .iter()
            .find(|e| found(&e["resource"]))
            .map(|e| e["fullUrl"].clone())
            .unwrap()
    };
    let thuiszorg = full_url(&|r| r["identifier"][0]["value"] == THUISZORG);
    let admission = full_url(&|r| r["resourceType"] == "Encounter");
    for entry in entries.iter_mut() {
        if let Some(resource) = entry["resource"].as_object_mut() {
            resource.shift_remove("meta");
        }
        if entry["resource"]["resourceType"] == "Condition" {
            // Diagnosed during the admission, which stays in the hospital.
            entry["resource"]["encounter"] = json!({"reference": admission, "type": "Encounter", "display": "Opname maart 2026"});
        }
        if entry["resource"]["resourceType"] == "CareTeam" {
            entry["resource"]["participant"].as_array_mut().unwrap().push(json!({
                "role": [{"coding": [{"system": "http://fhir.zorgplankindgezin.nl/CodeSystem/zorgplan-rol",
                                      "code": "kinderverpleegkundige"}]}],
                "member": {"reference": thuiszorg, "type": "Organization",
                           "display": "Kindzorg Thuis Midden-Nederland"},
                "period": {"start": "2026-08-12"}}));
        }
    }
    bundle
}

/// Both ends of the exchange: the hospital's EPD, loaded, and the zorgplan server (tokens
/// required on both; the adapters are registered clients of both).
struct Exchange {
    hospital: TestServer,
    zorgplan: TestServer,
    /// The hospital EPD's endpoint for the plans the zorgplan server pushes.
    inbox: Subscriber,
}

impl Exchange {
    async fn start(backend: Backend) -> Exchange {
        let clients = [("umc", UMC), ("thuiszorg", THUISZORG)];
        let hospital =
            TestServer::start_addressed(backend, |base| issuing_config(base, &clients)).await;
        let load = epd_token(&hospital.base, "umc");
        let resp = call(&hospital, &load, Method::POST, "", Some(&hospital_bundle())).await;
        assert_eq!(resp.status, 200, "{}", resp.body);
        let inbox = Subscriber::start();
        let zorgplan = TestServer::start_addressed(backend, |base| ServerConfig {
            notify: quick(5),
            push: Some(zorgplan_server::subscription::PushConfig {
                endpoint: inbox.url.clone(),
                client: Some("umc".into()),
                headers: Vec::new(),
            }),
            ..issuing_config(base, &clients)
        })
        .await;
        Exchange {
            hospital,
            zorgplan,
            inbox,
        }
    }

    /// The adapter's client of `base` as registered client `client`.
    fn client(base: &str, client: &str, timeout: Duration) -> FhirClient {
        FhirClient::new(
            base,
            Some(Credentials {
                client_id: client.into(),
                private_key: key("rsa-private.pem"),
                kid: Some("rsa-1".into()),
                scope: "system/*.cruds".into(),
            }),
            timeout,
        )
        .unwrap()
    }

    /// `zorgplan epd import` of Mila from `source` (the hospital, or a proxy in front).
    async fn import(&self, source: &str, timeout: Duration) -> Report {
        self.import_since(source, timeout, None).await
    }

    async fn import_since(&self, source: &str, timeout: Duration, since: Option<String>) -> Report {
        let (source, target) = (source.to_owned(), self.zorgplan.base.clone());
        tokio::task::spawn_blocking(move || {
            let source = Self::client(&source, "umc", timeout);
            let target = Self::client(&target, "umc", Duration::from_secs(30));
            epd::import(&source, &target, MILA, since.as_deref())
        })
        .await
        .unwrap()
    }

    /// `zorgplan handover` by the home-care organisation, pulling from `sender`.
    async fn handovers(&self, sender: &str) -> Vec<handover::Handled> {
        self.handovers_stale_after(sender, handover::STALE).await
    }

    async fn handovers_stale_after(&self, sender: &str, stale: Duration) -> Vec<handover::Handled> {
        let (sender, target) = (sender.to_owned(), self.zorgplan.base.clone());
        tokio::task::spawn_blocking(move || {
            let sender = Self::client(&sender, "thuiszorg", Duration::from_secs(5));
            let target = Self::client(&target, "thuiszorg", Duration::from_secs(30));
            handover::run(&target, &sender, stale).unwrap()
        })
        .await
        .unwrap()
    }

    /// A token of the hospital's EPD at the zorgplan server.
    fn umc(&self) -> String {
        epd_token(&self.zorgplan.base, "umc")
    }

    /// Every resource of `types` the hospital's EPD sees at the zorgplan server, with its
    /// version.
    async fn versions(&self, types: &[&str]) -> BTreeMap<String, String> {
        let token = self.umc();
        let mut versions = BTreeMap::new();
        for res_type in types {
            let bundle = call(
                &self.zorgplan,
                &token,
                Method::GET,
                &format!("{res_type}?_count=1000"),
                None,
            )
            .await
            .json();
            for entry in bundle["entry"].as_array().into_iter().flatten() {
                let r = &entry["resource"];
                versions.insert(
                    format!(
                        "{}/{}",
                        r["resourceType"].as_str().unwrap(),
                        r["id"].as_str().unwrap()
                    ),
                    r["meta"]["versionId"].as_str().unwrap().to_owned(),
                );
            }
        }
        versions
    }

    /// The id of Mila's Composition (the nursing handover) at the hospital.
    async fn handover_document(&self) -> String {
        let token = epd_token(&self.hospital.base, "umc");
        let found = call(&self.hospital, &token, Method::GET,
            "Composition?identifier=http://fhir.zorgplankindgezin.nl/fixtures/composition|s1-verpleegkundige-overdracht",
            None).await.json();
        found["entry"][0]["resource"]["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// The hospital announces the handover of Mila to home care at the zorgplan server:
    /// its Task's id.
    async fn announce(&self, document_url: &str) -> String {
        let mila = crate::conformance::id_of(&self.zorgplan, &self.umc(), "Patient", MILA).await;
        let task = json!({"resourceType": "Task", "status": "requested", "intent": "order",
            "code": {"coding": [{"system": handover::TASK_TYPE, "code": "overdracht"}]},
            "description": "Verpleegkundige overdracht van Mila naar Kindzorg Thuis",
            "for": {"reference": format!("Patient/{mila}")},
            "owner": {"reference": format!("Organization?identifier=http://fhir.nl/fhir/NamingSystem/ura|{THUISZORG}")},
            "input": [{"type": {"text": "Verpleegkundige overdracht"},
                       "valueReference": {"reference": document_url, "type": "Composition"}}]});
        let resp = call(
            &self.zorgplan,
            &self.umc(),
            Method::POST,
            "Task",
            Some(&task),
        )
        .await;
        assert_eq!(resp.status, 201, "{}", resp.body);
        resp.json()["id"].as_str().unwrap().to_owned()
    }
}

fn outcomes(report: &Report) -> Vec<String> {
    report
        .taken
        .iter()
        .map(|l| format!("{}: {}", l.what, l.why))
        .collect()
}

/// What the proxy in front of the hospital does.
const HEALTHY: u8 = 0;
const SLOW: u8 = 1;
/// 500 for searches of Conditions (after the child and its family were read).
const BROKEN: u8 = 2;
/// Nonsense for searches of Conditions.
const NONSENSE: u8 = 3;
/// 500 for Compositions.
const NO_DOCUMENTS: u8 = 4;

/// An HTTP proxy in front of the hospital's EPD.
struct Proxy {
    base: String,
    mode: Arc<AtomicU8>,
    _peer: Peer,
}

impl Proxy {
    fn start(upstream: &str) -> Proxy {
        use actix_web::{web, HttpRequest, HttpResponse};
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let mode = Arc::new(AtomicU8::new(HEALTHY));
        let (upstream, m) = (upstream.to_owned(), mode.clone());
        let client = reqwest::Client::new();
        let peer = Peer::start(listener, move |req: HttpRequest, body: web::Bytes| {
            let (upstream, m, client) = (upstream.clone(), m.clone(), client.clone());
            async move {
                let path = req.path().to_owned();
                match m.load(Ordering::SeqCst) {
                    SLOW => actix_web::rt::time::sleep(Duration::from_secs(3)).await,
                    BROKEN if path == "/Condition" => {
                        return HttpResponse::InternalServerError().finish()
                    }
                    NONSENSE if path == "/Condition" => {
                        return HttpResponse::Ok()
                            .content_type("application/fhir+json")
                            .body(r#"{"resourceType": "Bundle", "entry": [{"resource": {"diagnose": "?"}}]}"#)
                    }
                    NO_DOCUMENTS if path.starts_with("/Composition") => {
                        return HttpResponse::InternalServerError().finish()
                    }
                    _ => {}
                }
                let url = format!("{upstream}{}", req.uri());
                let method = reqwest::Method::from_bytes(req.method().as_str().as_bytes()).unwrap();
                let mut forward = client.request(method, url).body(body.to_vec());
                for (name, value) in req.headers() {
                    if name != "host" {
                        forward = forward.header(name.as_str(), value.as_bytes());
                    }
                }
                match forward.send().await {
                    Ok(resp) => {
                        let status =
                            actix_web::http::StatusCode::from_u16(resp.status().as_u16()).unwrap();
                        let content_type = resp
                            .headers()
                            .get("content-type")
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or("application/octet-stream")
                            .to_owned();
                        let bytes = resp.bytes().await.unwrap_or_default();
                        HttpResponse::build(status)
                            .content_type(content_type)
                            .body(bytes)
                    }
                    Err(_) => HttpResponse::BadGateway().finish(),
                }
            }
        });
        Proxy {
            base,
            mode,
            _peer: peer,
        }
    }
}

const PLAN_TYPES: [&str; 7] = [
    "Patient",
    "RelatedPerson",
    "Condition",
    "CareTeam",
    "Organization",
    "Practitioner",
    "PractitionerRole",
];

/// S1 from discharge to the PGO, across the adapters.
async fn s1_across_the_adapters(backend: Backend) {
    let exchange = Exchange::start(backend).await;
    let (hospital, zorgplan) = (&exchange.hospital, &exchange.zorgplan);

    // 1. Import at discharge: the child, its family, its diagnoses, the discharge team and
    // whom it names, in the standard's profiles; the encounter stays in the hospital.
    let report = exchange
        .import(&hospital.base, Duration::from_secs(10))
        .await;
    assert_eq!(report.failure, None, "{report}");
    let taken = outcomes(&report);
    for (what, count) in [
        ("Patient/", 1),
        ("RelatedPerson/", 3),
        ("Condition/", 3),
        ("CareTeam/", 1),
        ("PractitionerRole/", 4),
        ("Practitioner/", 4),
    ] {
        let n = taken.iter().filter(|l| l.starts_with(what)).count();
        assert_eq!(n, count, "{what}: {report}");
    }
    assert!(taken.iter().all(|l| l.contains(": 201 ")), "{report}");
    assert!(
        report
            .left_out
            .iter()
            .any(|l| l.what.contains("reference to Encounter/")),
        "{report}"
    );
    let mila = crate::conformance::id_of(zorgplan, &exchange.umc(), "Patient", MILA).await;
    let patient = call(
        zorgplan,
        &exchange.umc(),
        Method::GET,
        &format!("Patient/{mila}"),
        None,
    )
    .await
    .json();
    assert_eq!(
        patient["meta"]["profile"][0],
        "http://fhir.zorgplankindgezin.nl/StructureDefinition/kind-patient"
    );
    // Again: nothing changes.
    let before = exchange.versions(&PLAN_TYPES).await;
    let again = exchange
        .import(&hospital.base, Duration::from_secs(10))
        .await;
    assert_eq!(again.failure, None, "{again}");
    assert!(
        outcomes(&again).iter().all(|l| l.contains(": 200 ")),
        "{again}"
    );
    assert_eq!(
        exchange.versions(&PLAN_TYPES).await,
        before,
        "a second import changes nothing"
    );

    // The hospital adds a diagnosis; an import of what changed since takes only that.
    let since = chrono::Utc::now()
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string();
    tokio::time::sleep(Duration::from_millis(20)).await;
    let hospital_token = epd_token(&hospital.base, "umc");
    let child = crate::conformance::id_of(hospital, &hospital_token, "Patient", MILA).await;
    let diagnosis = json!({"resourceType": "Condition",
        "identifier": [{"system": "http://fhir.zorgplankindgezin.nl/fixtures/condition", "value": "s1-anemie"}],
        "clinicalStatus": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-clinical", "code": "active"}]},
        "code": {"text": "Bloedarmoede"},
        "subject": {"reference": format!("Patient/{child}")}});
    let resp = call(
        hospital,
        &hospital_token,
        Method::POST,
        "Condition",
        Some(&diagnosis),
    )
    .await;
    assert_eq!(resp.status, 201, "{}", resp.body);
    let changed = exchange
        .import_since(&hospital.base, Duration::from_secs(10), Some(since))
        .await;
    assert_eq!(changed.failure, None, "{changed}");
    let taken = outcomes(&changed);
    let conditions: Vec<&String> = taken
        .iter()
        .filter(|l| l.starts_with("Condition/"))
        .collect();
    assert_eq!(conditions.len(), 1, "{changed}");
    assert!(
        conditions[0].contains("s1-anemie") && conditions[0].contains(": 201 "),
        "{changed}"
    );
    assert!(
        !taken
            .iter()
            .any(|l| l.starts_with("RelatedPerson/") || l.starts_with("CareTeam/")),
        "{changed}"
    );

    // 2. Home care subscribes to Mila's plan.
    let subscriber = Subscriber::start();
    let thuiszorg = epd_token(&zorgplan.base, "thuiszorg");
    let follow = subscription(
        &format!("CarePlan?subject=Patient/{mila}"),
        &subscriber.url,
        true,
    );
    let resp = call(
        zorgplan,
        &thuiszorg,
        Method::POST,
        "Subscription",
        Some(&follow),
    )
    .await;
    assert_eq!(resp.status, 201, "{}", resp.body);

    // 3. Handover by notified pull: the hospital announces it, home care pulls the nursing
    // handover from the hospital and completes the Task.
    let document = format!(
        "{}/Composition/{}",
        hospital.base,
        exchange.handover_document().await
    );
    let task = exchange.announce(&document).await;
    let handled = exchange.handovers(&hospital.base).await;
    assert_eq!(handled.len(), 1, "{handled:?}");
    assert_eq!(handled[0].status, "completed", "{}", handled[0].report);
    let done = call(
        zorgplan,
        &thuiszorg,
        Method::GET,
        &format!("Task/{task}"),
        None,
    )
    .await
    .json();
    assert_eq!(done["status"], "completed");
    let stored = done["output"][0]["valueReference"]["reference"]
        .as_str()
        .unwrap()
        .to_owned();
    let composition = call(zorgplan, &thuiszorg, Method::GET, &stored, None)
        .await
        .json();
    assert_eq!(
        composition["identifier"]["value"],
        "s1-verpleegkundige-overdracht"
    );
    assert_eq!(
        composition["subject"]["reference"],
        json!(format!("Patient/{mila}"))
    );
    assert!(
        exchange.handovers(&hospital.base).await.is_empty(),
        "nothing left to do"
    );

    // 4. The coordinator starts the plan (S1's plan and consent); home care is notified.
    let plan = plan_and_consent();
    let resp = call(zorgplan, &exchange.umc(), Method::POST, "", Some(&plan)).await;
    assert_eq!(resp.status, 200, "{}", resp.body);
    let received = subscriber.wait_for(1).await;
    assert_eq!(received[0].method, "PUT");
    assert!(
        received[0].path.starts_with("/fhir/CarePlan/"),
        "{:?}",
        received[0]
    );
    assert_eq!(
        received[0].resource()["subject"]["reference"],
        json!(format!("Patient/{mila}"))
    );

    // The hospital's EPD gets the new plan pushed, as the hospital may see it.
    let pushed = exchange.inbox.wait_for(1).await;
    assert_eq!(pushed[0].method, "POST");
    let document = pushed[0].resource();
    assert_eq!(document["type"], "document");
    assert_eq!(
        document["entry"][0]["resource"]["subject"]["reference"],
        json!(format!("Patient/{mila}"))
    );

    // 5. Mila's mother signs in with her PGO, reads the plan and adds a wish.
    let token = &fleur_reads_milas_plan(zorgplan, &mila).await;
    let fleur = crate::conformance::id_of(
        zorgplan,
        &exchange.umc(),
        "RelatedPerson",
        "http://fhir.nl/fhir/NamingSystem/bsn|999913451",
    )
    .await;
    let wish = json!({"resourceType": "Goal", "lifecycleStatus": "proposed",
        "category": [{"coding": [{"system": "http://fhir.zorgplankindgezin.nl/CodeSystem/kinderleefdomein", "code": "sociaal"}]}],
        "description": {"text": "Mila wil weer naar de peuterspeelzaal"},
        "subject": {"reference": format!("Patient/{mila}")},
        "expressedBy": {"reference": format!("RelatedPerson/{fleur}")}});
    let resp = call(zorgplan, token, Method::POST, "Goal", Some(&wish)).await;
    assert_eq!(resp.status, 201, "{}", resp.body);
}

/// S1's plan and consent from its first step, with the organisations they name (created
/// unless they exist), their references to the rest of that step made conditional (the rest
/// came through the adapters).
fn plan_and_consent() -> Value {
    let step: Value = serde_json::from_str(
        &std::fs::read_to_string(&crate::common::scenario_files("S1")[0]).unwrap(),
    )
    .unwrap();
    let entries = step["entry"].as_array().unwrap();
    let conditional: HashMap<String, String> = entries
        .iter()
        .filter_map(|e| {
            let criteria = e["request"]["ifNoneExist"].as_str()?;
            Some((
                e["fullUrl"].as_str()?.to_owned(),
                format!("{}?{criteria}", e["resource"]["resourceType"].as_str()?),
            ))
        })
        .collect();
    let kept: Vec<Value> = entries
        .iter()
        .filter(|e| {
            matches!(
                e["resource"]["resourceType"].as_str(),
                Some("CarePlan" | "Consent" | "Organization")
            )
        })
        .cloned()
        .collect();
    let kept_urls: Vec<String> = kept
        .iter()
        .map(|e| e["fullUrl"].as_str().unwrap().to_owned())
        .collect();
    let mut text =
        json!({"resourceType": "Bundle", "type": "transaction", "entry": kept}).to_string();
    for (url, criteria) in &conditional {
        if !kept_urls.contains(url) {
            text = text.replace(&format!("\"{url}\""), &format!("\"{criteria}\""));
        }
    }
    serde_json::from_str(&text).unwrap()
}

/// The EPD down, slow, talking nonsense or failing half-way: a clear report and nothing
/// written; a retry completes the job. A handover whose document cannot be pulled fails
/// its Task with the reason; set back to requested, it completes, storing the document
/// once.
async fn exchanges_that_go_wrong(backend: Backend) {
    let exchange = Exchange::start(backend).await;
    let proxy = Proxy::start(&exchange.hospital.base);
    let nothing_written = |versions: BTreeMap<String, String>| {
        assert!(
            !versions
                .keys()
                .any(|k| k.starts_with("Patient/") || k.starts_with("CareTeam/")),
            "{versions:?}"
        );
    };
    // A port nothing listens on (any more).
    let down = format!(
        "http://{}",
        TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
    );
    let report = exchange.import(&down, Duration::from_secs(5)).await;
    assert!(
        report.failure.as_deref().unwrap().contains("unreachable"),
        "{report}"
    );

    proxy.mode.store(SLOW, Ordering::SeqCst);
    let report = exchange.import(&proxy.base, Duration::from_secs(1)).await;
    assert!(
        report
            .failure
            .as_deref()
            .unwrap()
            .contains("no answer in time"),
        "{report}"
    );

    proxy.mode.store(NONSENSE, Ordering::SeqCst);
    let report = exchange.import(&proxy.base, Duration::from_secs(5)).await;
    assert!(
        report
            .failure
            .as_deref()
            .unwrap()
            .contains("invalid answer"),
        "{report}"
    );

    proxy.mode.store(BROKEN, Ordering::SeqCst);
    let report = exchange.import(&proxy.base, Duration::from_secs(5)).await;
    assert!(
        report.failure.as_deref().unwrap().contains("answered 500"),
        "{report}"
    );
    assert!(report.taken.is_empty(), "{report}");
    nothing_written(exchange.versions(&PLAN_TYPES).await);

    proxy.mode.store(HEALTHY, Ordering::SeqCst);
    let report = exchange.import(&proxy.base, Duration::from_secs(5)).await;
    assert_eq!(report.failure, None, "{report}");

    // A handover whose document the sender cannot give.
    let document = format!(
        "{}/Composition/{}",
        proxy.base,
        exchange.handover_document().await
    );
    let task = exchange.announce(&document).await;
    proxy.mode.store(NO_DOCUMENTS, Ordering::SeqCst);
    let handled = exchange.handovers(&proxy.base).await;
    assert_eq!(handled[0].status, "failed", "{}", handled[0].report);
    let umc = exchange.umc();
    let path = format!("Task/{task}");
    let mut failed = call(&exchange.zorgplan, &umc, Method::GET, &path, None)
        .await
        .json();
    assert_eq!(failed["status"], "failed");
    assert!(
        failed["statusReason"]["text"]
            .as_str()
            .unwrap()
            .contains("answered 500"),
        "{failed}"
    );
    assert_eq!(failed["contained"][0]["resourceType"], "OperationOutcome");
    assert_eq!(
        failed["output"][0]["valueReference"]["reference"],
        "#uitkomst"
    );
    // The sender asks again; now it works, and again changes nothing.
    proxy.mode.store(HEALTHY, Ordering::SeqCst);
    failed["status"] = json!("requested");
    let resp = call(&exchange.zorgplan, &umc, Method::PUT, &path, Some(&failed)).await;
    assert_eq!(resp.status, 200, "{}", resp.body);
    let handled = exchange.handovers(&proxy.base).await;
    assert_eq!(handled[0].status, "completed", "{}", handled[0].report);
    let mut again = call(&exchange.zorgplan, &umc, Method::GET, &path, None)
        .await
        .json();
    assert!(again.get("contained").is_none(), "{again}");
    again["status"] = json!("requested");
    call(&exchange.zorgplan, &umc, Method::PUT, &path, Some(&again)).await;
    let handled = exchange.handovers(&proxy.base).await;
    assert_eq!(handled[0].status, "completed", "{}", handled[0].report);
    // An adapter that stopped half-way leaves its Task in progress: taken again only once
    // it has been so for a while.
    let mut stopped = call(&exchange.zorgplan, &umc, Method::GET, &path, None)
        .await
        .json();
    stopped["status"] = json!("in-progress");
    call(&exchange.zorgplan, &umc, Method::PUT, &path, Some(&stopped)).await;
    assert!(exchange.handovers(&proxy.base).await.is_empty());
    tokio::time::sleep(Duration::from_millis(20)).await;
    let handled = exchange
        .handovers_stale_after(&proxy.base, Duration::ZERO)
        .await;
    assert_eq!(handled.len(), 1);
    assert_eq!(handled[0].status, "completed", "{}", handled[0].report);
    let found = call(&exchange.zorgplan, &umc, Method::GET,
        "Composition?identifier=http://fhir.zorgplankindgezin.nl/fixtures/composition|s1-verpleegkundige-overdracht",
        None).await.json();
    assert_eq!(found["total"], 1, "stored once: {found}");
}

crate::backend_tests!(s1_across_the_adapters, exchanges_that_go_wrong);
