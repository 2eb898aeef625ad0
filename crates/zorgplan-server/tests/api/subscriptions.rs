//! R4 Subscriptions with rest-hook channels, against a real subscriber: an HTTP endpoint
//! started by the test that records what it is sent (and fails when told to).

use crate::authorisation::{call, config, goal, seed, system_token};
use crate::common::{development, Backend, Peer, TestServer};
use reqwest::Method;
use serde_json::{json, Value};
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use zorgplan_server::subscription::NotifyConfig;
use zorgplan_server::ServerConfig;

/// One request the subscriber received.
#[derive(Debug, Clone)]
pub struct Received {
    pub method: String,
    pub path: String,
    pub authorization: Option<String>,
    pub content_type: Option<String>,
    pub body: String,
}

impl Received {
    pub fn resource(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
}

/// An HTTP endpoint that records every request; it answers 500 to the next `failures`
/// ones, 200 to the others.
pub struct Subscriber {
    pub url: String,
    received: Arc<Mutex<Vec<Received>>>,
    pub failures: Arc<AtomicUsize>,
    _peer: Peer,
}

impl Subscriber {
    pub fn start() -> Subscriber {
        Self::on(TcpListener::bind("127.0.0.1:0").unwrap())
    }

    /// On a port of its own that nothing listens on yet: its URL, for a subscriber started
    /// on it later with [`Subscriber::at`].
    pub fn unreachable() -> (String, u16) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        (format!("http://127.0.0.1:{port}/fhir"), port)
    }

    pub fn at(port: u16) -> Subscriber {
        Self::on(TcpListener::bind(("127.0.0.1", port)).unwrap())
    }

    fn on(listener: TcpListener) -> Subscriber {
        use actix_web::{web, HttpRequest, HttpResponse};
        let url = format!("http://{}/fhir", listener.local_addr().unwrap());
        let received: Arc<Mutex<Vec<Received>>> = Arc::default();
        let failures = Arc::new(AtomicUsize::new(0));
        let (r, f) = (received.clone(), failures.clone());
        let peer = Peer::start(listener, move |req: HttpRequest, body: web::Bytes| {
            let (r, f) = (r.clone(), f.clone());
            async move {
                let header = |name: &str| {
                    req.headers()
                        .get(name)
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_owned)
                };
                r.lock().unwrap().push(Received {
                    method: req.method().to_string(),
                    path: req.path().to_owned(),
                    authorization: header("authorization"),
                    content_type: header("content-type"),
                    body: String::from_utf8_lossy(&body).into_owned(),
                });
                let failing = f
                    .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                    .is_ok();
                if failing {
                    HttpResponse::InternalServerError().finish()
                } else {
                    HttpResponse::Ok().finish()
                }
            }
        });
        Subscriber {
            url,
            received,
            failures,
            _peer: peer,
        }
    }

    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    /// What it received once it has received `n` requests (within 20 s).
    pub async fn wait_for(&self, n: usize) -> Vec<Received> {
        for _ in 0..400 {
            let received = self.received();
            if received.len() >= n {
                return received;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "the subscriber received {} requests, not {n}: {:#?}",
            self.received().len(),
            self.received()
        );
    }
}

/// Quick notifications for tests: a short poll and short waits between attempts.
pub fn quick(attempts: u32) -> NotifyConfig {
    NotifyConfig {
        poll: Duration::from_millis(50),
        first_retry: Duration::from_millis(100),
        max_retry: Duration::from_millis(200),
        attempts,
        timeout: Duration::from_secs(5),
    }
}

fn quick_development(attempts: u32) -> ServerConfig {
    ServerConfig {
        notify: quick(attempts),
        ..development()
    }
}

pub fn subscription(criteria: &str, endpoint: &str, payload: bool) -> Value {
    let mut subscription = json!({
        "resourceType": "Subscription", "status": "requested",
        "reason": "Het thuiszorgsysteem volgt het plan",
        "criteria": criteria,
        "channel": {"type": "rest-hook", "endpoint": endpoint,
                    "header": ["Authorization: Bearer geheim-van-de-ontvanger"]}
    });
    if payload {
        subscription["channel"]["payload"] = json!("application/fhir+json");
    }
    subscription
}

fn patient(id: &str) -> Value {
    json!({"resourceType": "Patient", "id": id, "name": [{"family": id}]})
}

/// Waits until nothing more arrives for a while, then answers what arrived.
async fn settled(subscriber: &Subscriber) -> Vec<Received> {
    let mut seen = subscriber.received().len();
    loop {
        tokio::time::sleep(Duration::from_millis(600)).await;
        let now = subscriber.received().len();
        if now == seen {
            return subscriber.received();
        }
        seen = now;
    }
}

async fn matching_writes_are_notified(backend: Backend) {
    let server = TestServer::start_with(backend, quick_development(5)).await;
    let subscriber = Subscriber::start();
    for id in ["mila", "sem"] {
        assert_eq!(
            server
                .put(&format!("Patient/{id}"), &patient(id))
                .await
                .status,
            201
        );
    }
    let created = server
        .create(&subscription(
            "Goal?subject=Patient/mila",
            &subscriber.url,
            true,
        ))
        .await;
    assert_eq!(
        created["status"], "active",
        "the server takes the subscription on"
    );
    let without_payload = server
        .create(&subscription(
            "Goal?subject=Patient/sem&lifecycle-status=active",
            &subscriber.url,
            false,
        ))
        .await;
    assert_eq!(without_payload["status"], "active");

    // Mila's goal, created and then changed: two notifications with the versions.
    let resp = server
        .put("Goal/doel-mila", &goal("doel-mila", "mila", "sociaal"))
        .await;
    assert_eq!(resp.status, 201, "{}", resp.body);
    let mut changed = goal("doel-mila", "mila", "sociaal");
    changed["description"]["text"] = json!("Mila gaat weer naar de scouting");
    assert_eq!(server.put("Goal/doel-mila", &changed).await.status, 200);
    // Sem's: an active goal (notified, without payload) and a proposed one (not matched).
    let mut proposed = goal("doel-sem-voorstel", "sem", "medisch");
    proposed["lifecycleStatus"] = json!("proposed");
    // It names Mila too, but is not hers: the text lets it through to the search, which
    // tells.
    proposed["description"]["text"] = json!("Sem wil met Mila naar de kinderboerderij");
    assert_eq!(
        server.put("Goal/doel-sem-voorstel", &proposed).await.status,
        201
    );
    // In a transaction, as an EPD would send it.
    let bundle = json!({"resourceType": "Bundle", "type": "transaction", "entry": [{
        "resource": goal("doel-sem", "sem", "ontwikkeling"),
        "request": {"method": "PUT", "url": "Goal/doel-sem"}}]});
    let resp = server.post("", &bundle).await;
    assert_eq!(resp.status, 200, "{}", resp.body);

    subscriber.wait_for(3).await;
    let received = settled(&subscriber).await;
    assert_eq!(received.len(), 3, "{received:#?}");
    let puts: Vec<&Received> = received.iter().filter(|r| r.method == "PUT").collect();
    assert_eq!(puts.len(), 2, "{received:#?}");
    for (n, put) in puts.iter().enumerate() {
        assert_eq!(put.path, "/fhir/Goal/doel-mila");
        assert_eq!(put.content_type.as_deref(), Some("application/fhir+json"));
        assert_eq!(
            put.authorization.as_deref(),
            Some("Bearer geheim-van-de-ontvanger"),
            "the channel's headers are sent"
        );
        let resource = put.resource();
        assert_eq!(
            resource["meta"]["versionId"],
            json!((n + 1).to_string()),
            "in order"
        );
    }
    assert_eq!(
        puts[1].resource()["description"]["text"],
        "Mila gaat weer naar de scouting"
    );
    let posts: Vec<&Received> = received.iter().filter(|r| r.method == "POST").collect();
    assert_eq!(posts.len(), 1, "{received:#?}");
    assert_eq!(posts[0].path, "/fhir");
    assert!(posts[0].body.is_empty(), "no payload: an empty POST");

    // The CapabilityStatement says what is notified and how.
    let statement = server.get("metadata").await.json();
    let documentation = statement["rest"][0]["resource"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["type"] == "Subscription")
        .and_then(|r| r["documentation"].as_str())
        .unwrap_or_default()
        .to_owned();
    assert!(documentation.contains("rest-hook"), "{documentation}");

    // A Subscription that is off is not notified, and nothing waits for it.
    let mut off = created.clone();
    off["status"] = json!("off");
    let id = created["id"].as_str().unwrap();
    assert_eq!(
        server.put(&format!("Subscription/{id}"), &off).await.status,
        200
    );
    changed["description"]["text"] = json!("Mila gaat naar de scouting en zwemt");
    assert_eq!(server.put("Goal/doel-mila", &changed).await.status, 200);
    // Deleting a goal notifies nobody (a deleted resource matches no criteria).
    assert_eq!(server.delete("Goal/doel-sem").await.status, 204);
    assert_eq!(settled(&subscriber).await.len(), 3);

    // A Subscription whose end has passed is turned off by its first notification, which is
    // not sent; a deleted one notifies nothing.
    let mut ended = subscription("Goal?subject=Patient/mila", &subscriber.url, true);
    ended["end"] = json!("2026-01-01T00:00:00Z");
    let ended = server.create(&ended).await;
    let deleted = server
        .create(&subscription(
            "Goal?subject=Patient/mila",
            &subscriber.url,
            false,
        ))
        .await;
    let path = format!("Subscription/{}", deleted["id"].as_str().unwrap());
    assert_eq!(server.delete(&path).await.status, 204);
    changed["description"]["text"] = json!("Mila zwemt weer");
    assert_eq!(server.put("Goal/doel-mila", &changed).await.status, 200);
    let path = format!("Subscription/{}", ended["id"].as_str().unwrap());
    let mut status = Value::Null;
    for _ in 0..200 {
        status = server.get(&path).await.json()["status"].clone();
        if status == "off" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(status, "off");
    assert_eq!(settled(&subscriber).await.len(), 3);
}

async fn subscriptions_the_server_cannot_serve_are_refused(backend: Backend) {
    let server = TestServer::start_with(backend, quick_development(5)).await;
    let endpoint = "https://thuiszorg.example/fhir";
    let cases: Vec<(Value, &str)> = vec![
        (
            subscription("Doel?subject=Patient/mila", endpoint, true),
            "Subscription.criteria",
        ),
        (
            subscription("Goal?onbekend=1", endpoint, true),
            "Subscription.criteria",
        ),
        (
            subscription("Goal?_include=Goal:subject", endpoint, true),
            "Subscription.criteria",
        ),
        (
            subscription("Goal?target-date=morgen", endpoint, true),
            "Subscription.criteria",
        ),
        (
            subscription("AuditEvent?patient=Patient/mila", endpoint, true),
            "Subscription.criteria",
        ),
        (
            subscription("Goal", "ftp://thuiszorg.example/", true),
            "Subscription.channel.endpoint",
        ),
        (
            subscription("Goal", "thuiszorg/fhir", true),
            "Subscription.channel.endpoint",
        ),
        (
            {
                let mut s = subscription("Goal", endpoint, true);
                s["channel"]["type"] = json!("email");
                s["channel"]["endpoint"] = json!("mailto:thuiszorg@example.org");
                s
            },
            "Subscription.channel.type",
        ),
        (
            {
                let mut s = subscription("Goal", endpoint, true);
                s["channel"]["payload"] = json!("application/fhir+xml");
                s
            },
            "Subscription.channel.payload",
        ),
        (
            {
                let mut s = subscription("Goal", endpoint, true);
                s["channel"]["header"] = json!(["geen kopregel"]);
                s
            },
            "Subscription.channel.header[0]",
        ),
    ];
    for (body, place) in &cases {
        let resp = server.post("Subscription", body).await;
        let outcome = resp.outcome(422);
        let issues = outcome["issue"].as_array().unwrap();
        assert!(
            issues.iter().any(|i| i["expression"][0] == json!(place)),
            "{place} for {body}: {outcome}"
        );
        // $validate says the same.
        let resp = server.post("Subscription/$validate", body).await;
        assert!(resp.body.contains(place), "$validate: {}", resp.body);
    }
    // A transaction with one of them stores nothing.
    let bundle = json!({"resourceType": "Bundle", "type": "transaction", "entry": [
        {"resource": patient("mila"), "request": {"method": "PUT", "url": "Patient/mila"}},
        {"resource": cases[0].0, "request": {"method": "POST", "url": "Subscription"}}]});
    server.post("", &bundle).await.outcome(422);
    let found = server.get("Subscription?_summary=count").await.json();
    assert_eq!(found["total"], 0);
    assert_eq!(server.get("Patient/mila").await.status, 404);
}

/// Mila, a Subscription to her goals at `endpoint`, and then `goals` new goals of hers: the
/// Subscription's id.
async fn follow_mila(server: &TestServer, endpoint: &str, goals: usize) -> String {
    let resp = server.put("Patient/mila", &patient("mila")).await;
    assert_eq!(resp.status, 201, "{}", resp.body);
    let created = server
        .create(&subscription("Goal?subject=Patient/mila", endpoint, true))
        .await;
    for n in 1..=goals {
        let id = format!("doel-{n}");
        let resp = server
            .put(&format!("Goal/{id}"), &goal(&id, "mila", "sociaal"))
            .await;
        assert_eq!(resp.status, 201, "{}", resp.body);
    }
    created["id"].as_str().unwrap().to_owned()
}

async fn failed_deliveries_are_retried_and_survive_a_restart(backend: Backend) {
    let mut server = TestServer::start_with(backend, quick_development(1000)).await;
    // The home-care system is down when the plan changes.
    let (endpoint, port) = Subscriber::unreachable();
    let id = follow_mila(&server, &endpoint, 3).await;
    let written = zorgplan_store::Timestamp::now().0;
    // Attempts fail and are tried again; nothing is lost meanwhile.
    let store = server.open_store().await;
    let queued = wait_until(&store, &id, |queued| {
        queued.first().is_some_and(|n| n.attempts >= 2)
    })
    .await;
    assert_eq!(queued.len(), 3, "{queued:?}");
    assert!(
        queued[0]
            .last_error
            .as_deref()
            .is_some_and(|e| e.contains("could not be reached")),
        "{queued:?}"
    );
    assert!(
        queued[1..].iter().all(|n| n.due > written),
        "the later ones wait as long as the first: {queued:?}"
    );
    assert!(
        queued[1..].iter().all(|n| n.attempts == 0),
        "later ones wait their turn: {queued:?}"
    );

    // The server stops and starts again; then the home-care system comes up, and fails
    // once more before it takes them.
    server.restart(quick_development(1000)).await;
    let subscriber = Subscriber::at(port);
    subscriber.failures.store(1, Ordering::SeqCst);
    subscriber.wait_for(4).await;
    let received = settled(&subscriber).await;
    let paths: Vec<&str> = received.iter().map(|r| r.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "/fhir/Goal/doel-1",
            "/fhir/Goal/doel-1",
            "/fhir/Goal/doel-2",
            "/fhir/Goal/doel-3"
        ],
        "each once after the failure, in order"
    );
    assert!(wait_until(&store, &id, |queued| queued.is_empty())
        .await
        .is_empty());
    let subscription = server.get(&format!("Subscription/{id}")).await.json();
    assert_eq!(subscription["status"], "active");
}

async fn a_subscription_that_keeps_failing_is_set_to_error(backend: Backend) {
    let server = TestServer::start_with(backend, quick_development(3)).await;
    let subscriber = Subscriber::start();
    subscriber.failures.store(100, Ordering::SeqCst);
    let id = follow_mila(&server, &subscriber.url, 2).await;
    let store = server.open_store().await;
    assert!(wait_until(&store, &id, |queued| queued.is_empty())
        .await
        .is_empty());
    assert_eq!(
        subscriber.received().len(),
        3,
        "three attempts, then no more"
    );
    let subscription = server.get(&format!("Subscription/{id}")).await.json();
    assert_eq!(subscription["status"], "error");
    let error = subscription["error"].as_str().unwrap();
    assert!(
        error.contains("3 failed attempts") && error.contains("500"),
        "{error}"
    );

    // The subscriber is back and turns it on again: later changes are notified.
    subscriber.failures.store(0, Ordering::SeqCst);
    let mut again = subscription.clone();
    again["status"] = json!("requested");
    let resp = server.put(&format!("Subscription/{id}"), &again).await;
    assert_eq!(resp.json()["status"], "active");
    let resp = server
        .put("Goal/doel-3", &goal("doel-3", "mila", "sociaal"))
        .await;
    assert_eq!(resp.status, 201);
    let received = subscriber.wait_for(4).await;
    assert_eq!(received[3].path, "/fhir/Goal/doel-3");
}

/// With a push configured, every change of a plan's MKS phase sends the plan document to
/// the EPD's endpoint, and other changes send nothing: S1 step by step.
async fn plans_are_pushed_when_their_phase_changes(backend: Backend) {
    let epd = Subscriber::start();
    let server = TestServer::start_with(
        backend,
        ServerConfig {
            base_url: Some("https://zorgplan.test/fhir".into()),
            push: Some(zorgplan_server::subscription::PushConfig {
                endpoint: format!("{}/inbox", epd.url),
                client: None,
                headers: vec!["Authorization: Bearer van-het-ziekenhuis".into()],
            }),
            ..quick_development(5)
        },
    )
    .await;
    let mut phases = Vec::new();
    for (n, step) in crate::common::scenario_files("S1").iter().enumerate() {
        let bundle: Value = serde_json::from_str(&std::fs::read_to_string(step).unwrap()).unwrap();
        let resp = server.post("", &bundle).await;
        assert_eq!(resp.status, 200, "step {}: {}", n + 1, resp.body);
        let received = settled(&epd).await;
        let last = received.last().map(|r| {
            assert_eq!(r.method, "POST");
            assert_eq!(r.path, "/fhir/inbox");
            assert_eq!(
                r.authorization.as_deref(),
                Some("Bearer van-het-ziekenhuis")
            );
            let document = r.resource();
            assert_eq!(document["type"], "document");
            let about = document["entry"][0]["resource"]["section"][0]["text"]["div"]
                .as_str()
                .unwrap()
                .to_owned();
            about
        });
        phases.push((received.len(), last));
    }
    let counts: Vec<usize> = phases.iter().map(|(n, _)| *n).collect();
    assert_eq!(counts, [1, 2, 2, 2, 2, 3, 3], "a push per change of phase");
    for (step, phase) in [(0, "Verwijsboom"), (1, "Hulpbehoeftescan"), (5, "Zorgplan")] {
        let about = phases[step].1.as_deref().unwrap();
        assert!(
            about.contains(&format!("Fase: {phase}")),
            "step {}: {about}",
            step + 1
        );
    }
}

/// The notifications of what the subscriber's organisation may see, and its Subscriptions
/// its own: with access control, on hospital A's and B's children.
async fn subscribers_are_sent_only_what_they_may_see(backend: Backend) {
    let server = TestServer::start_with(
        backend,
        ServerConfig {
            notify: quick(5),
            ..config()
        },
    )
    .await;
    seed(&server).await;
    let subscriber = Subscriber::start();
    let epd_a = system_token("epd-a");
    let epd_b = system_token("epd-b");
    // Hospital A's EPD follows every goal; it tries to pass the Subscription off as B's.
    let mut body = subscription("Goal", &subscriber.url, true);
    body["meta"] =
        json!({"tag": [{"system": zorgplan_server::subscription::SUBSCRIBER, "code": "epd-b"}]});
    let resp = call(&server, &epd_a, Method::POST, "Subscription", Some(&body)).await;
    assert_eq!(resp.status, 201, "{}", resp.body);
    let created = resp.json();
    let id = created["id"].as_str().unwrap();
    let tags = created["meta"]["tag"].as_array().unwrap();
    assert_eq!(tags.len(), 1, "{tags:?}");
    assert_eq!(
        tags[0]["code"], "epd-a",
        "the subscriber is the client that wrote it"
    );

    // A's new goal reaches A's EPD; B's does not.
    let resp = call(
        &server,
        &epd_b,
        Method::PUT,
        "Goal/doel-b-2",
        Some(&goal("doel-b-2", "kind-b", "sociaal")),
    )
    .await;
    assert_eq!(resp.status, 201, "{}", resp.body);
    let resp = call(
        &server,
        &epd_a,
        Method::PUT,
        "Goal/doel-a-2",
        Some(&goal("doel-a-2", "kind-a", "sociaal")),
    )
    .await;
    assert_eq!(resp.status, 201, "{}", resp.body);
    subscriber.wait_for(1).await;
    let received = settled(&subscriber).await;
    let paths: Vec<&str> = received.iter().map(|r| r.path.as_str()).collect();
    assert_eq!(paths, ["/fhir/Goal/doel-a-2"]);

    // Both are in the audit trail: A's disclosure, B's refusal.
    let auditor = crate::authorisation::auditor_token();
    let site = format!("Subscription/{id}");
    let events = |child: &'static str| {
        let (server, auditor, site) = (&server, auditor.clone(), site.clone());
        async move {
            let path = format!("AuditEvent?patient=Patient/{child}&_count=100");
            let bundle = call(server, &auditor, Method::GET, &path, None)
                .await
                .json();
            bundle["entry"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|e| e["resource"].clone())
                .filter(|e| e["source"]["site"] == json!(site))
                .collect::<Vec<Value>>()
        }
    };
    let a = events("kind-a").await;
    assert_eq!(a.len(), 1, "{a:#?}");
    assert_eq!(a[0]["outcome"], "0");
    assert_eq!(a[0]["agent"][0]["who"]["reference"], "Organization/zh-a");
    let b = events("kind-b").await;
    assert_eq!(b.len(), 1, "{b:#?}");
    assert_eq!(b[0]["outcome"], "4");

    // The Subscription is A's EPD's alone: B's EPD finds nothing, and a user may not
    // subscribe.
    let path = format!("Subscription/{id}");
    assert_eq!(
        call(&server, &epd_a, Method::GET, &path, None).await.status,
        200
    );
    assert_eq!(
        call(&server, &epd_b, Method::GET, &path, None).await.status,
        404
    );
    let found = call(&server, &epd_b, Method::GET, "Subscription", None)
        .await
        .json();
    assert_eq!(found["total"], 0, "{found}");
    let found = call(&server, &epd_a, Method::GET, "Subscription", None)
        .await
        .json();
    assert_eq!(found["total"], 1, "{found}");
    let resp = call(&server, &epd_b, Method::DELETE, &path, None).await;
    assert_eq!(resp.status, 404);
    let arts = crate::authorisation::arts_token();
    let resp = call(
        &server,
        &arts,
        Method::POST,
        "Subscription",
        Some(&subscription("Goal", &subscriber.url, true)),
    )
    .await;
    assert_eq!(resp.outcome(403)["issue"][0]["code"], "forbidden");
}

/// The queue of Subscription `id` once `done` holds for it (within 20 s).
async fn wait_until(
    store: &zorgplan_store::Store,
    id: &str,
    done: impl Fn(&[zorgplan_store::Notification]) -> bool,
) -> Vec<zorgplan_store::Notification> {
    for _ in 0..400 {
        let queued = store.queued_notifications(id).unwrap();
        if done(&queued) {
            return queued;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the queue of {id}: {:?}", store.queued_notifications(id));
}

crate::backend_tests!(
    plans_are_pushed_when_their_phase_changes,
    matching_writes_are_notified,
    subscriptions_the_server_cannot_serve_are_refused,
    failed_deliveries_are_retried_and_survive_a_restart,
    a_subscription_that_keeps_failing_is_set_to_error,
    subscribers_are_sent_only_what_they_may_see,
);
