//! The test harness: a real server on a free port of 127.0.0.1, with a fresh database — a
//! SQLite file in a temporary folder, or a schema of its own in the PostgreSQL database named
//! by `ZORGPLAN_TEST_POSTGRES_URL` — spoken to over HTTP.

use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};
use reqwest::header::HeaderMap;
use reqwest::Method;
use serde_json::Value;
use std::net::TcpListener;
use std::path::PathBuf;
use zorgplan_server::ServerConfig;
use zorgplan_store::{Store, StoreConfig};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A server on the database at `url`, on a thread of its own.
async fn launch(
    listener: TcpListener,
    url: String,
    config: ServerConfig,
    adjust: impl FnOnce(&mut StoreConfig) + Send + 'static,
) -> (
    actix_web::dev::ServerHandle,
    std::net::SocketAddr,
    std::thread::JoinHandle<()>,
) {
    let store = tokio::task::spawn_blocking(move || {
        let mut store_config = StoreConfig::new(url);
        store_config.pool_size = 8;
        store_config.search_parameters = zorgplan_server::search_parameters();
        adjust(&mut store_config);
        Store::open(&store_config)
    })
    .await
    .unwrap()
    .expect("store opens");
    let config = ServerConfig {
        workers: 2,
        ..config
    };
    let (tx, rx) = std::sync::mpsc::channel();
    let thread = std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let bound = zorgplan_server::bind(listener, store, config).expect("binds");
            tx.send((bound.server.handle(), bound.addr)).unwrap();
            bound.server.await.unwrap();
        })
    });
    let (handle, addr) = rx.recv().unwrap();
    (handle, addr, thread)
}

/// An HTTP peer a test starts (a subscriber's endpoint, a proxy in front of a server): an
/// actix server on a thread of its own that answers every request with `handler`; stopped
/// on drop.
pub struct Peer {
    handle: actix_web::dev::ServerHandle,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Peer {
    pub fn start<F, Fut>(listener: TcpListener, handler: F) -> Peer
    where
        F: Fn(actix_web::HttpRequest, actix_web::web::Bytes) -> Fut + Clone + Send + 'static,
        Fut: std::future::Future<Output = actix_web::HttpResponse> + 'static,
    {
        let (tx, rx) = std::sync::mpsc::channel();
        let thread = std::thread::spawn(move || {
            actix_web::rt::System::new().block_on(async move {
                let server = actix_web::HttpServer::new(move || {
                    actix_web::App::new().default_service(actix_web::web::to(handler.clone()))
                })
                .workers(1)
                .listen(listener)
                .unwrap()
                .run();
                tx.send(server.handle()).unwrap();
                server.await.unwrap();
            })
        });
        Peer {
            handle: rx.recv().unwrap(),
            thread: Some(thread),
        }
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        drop(self.handle.stop(false));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The PostgreSQL server the tests use, when configured.
pub fn postgres_url() -> Option<String> {
    std::env::var("ZORGPLAN_TEST_POSTGRES_URL")
        .ok()
        .filter(|u| !u.is_empty())
}

enum Database {
    Sqlite(PathBuf),
    Postgres { base_url: String, schema: String },
}

impl Drop for Database {
    fn drop(&mut self) {
        match self {
            Database::Sqlite(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Database::Postgres { base_url, schema } => {
                if let Ok(mut conn) = PgConnection::establish(base_url) {
                    let _ = conn.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
                }
            }
        }
    }
}

fn fresh_database(backend: Backend) -> (Database, String) {
    let tag = uuid::Uuid::new_v4().simple().to_string();
    match backend {
        Backend::Sqlite => {
            let dir = std::env::temp_dir().join(format!("zorgplan-test-{tag}"));
            std::fs::create_dir_all(&dir).unwrap();
            let url = dir.join("zorgplan.db").to_string_lossy().into_owned();
            (Database::Sqlite(dir), url)
        }
        Backend::Postgres => {
            let base_url = postgres_url().expect("ZORGPLAN_TEST_POSTGRES_URL");
            let schema = format!("zt_{tag}");
            let mut conn = PgConnection::establish(&base_url)
                .unwrap_or_else(|e| panic!("cannot reach PostgreSQL at {base_url}: {e}"));
            conn.batch_execute(&format!("CREATE SCHEMA {schema}"))
                .unwrap();
            let sep = if base_url.contains('?') { '&' } else { '?' };
            let url = format!("{base_url}{sep}options=-csearch_path%3D{schema}");
            (Database::Postgres { base_url, schema }, url)
        }
    }
}

/// A running server with its own database; stopped and cleaned up on drop.
pub struct TestServer {
    pub base: String,
    /// The database URL the server's store uses (to reach the same data from a test).
    pub db_url: String,
    pub client: reqwest::Client,
    handle: actix_web::dev::ServerHandle,
    thread: Option<std::thread::JoinHandle<()>>,
    _database: Database,
}

impl TestServer {
    /// A store of its own on the server's database, as another process would open it.
    pub async fn open_store(&self) -> Store {
        let url = self.db_url.clone();
        tokio::task::spawn_blocking(move || {
            let mut config = StoreConfig::new(url);
            config.search_parameters = zorgplan_server::search_parameters();
            Store::open(&config)
        })
        .await
        .unwrap()
        .unwrap()
    }

    /// A server in development mode (no authentication).
    pub async fn start(backend: Backend) -> TestServer {
        Self::start_with(backend, development()).await
    }

    /// A server whose configuration needs its own base URL (`http://127.0.0.1:port`), such
    /// as one that issues tokens for its own token endpoint.
    pub async fn start_addressed(
        backend: Backend,
        config: impl FnOnce(&str) -> ServerConfig,
    ) -> TestServer {
        Self::start_inner(backend, config, |_| {}).await
    }

    pub async fn start_with(backend: Backend, config: ServerConfig) -> TestServer {
        Self::start_configured(backend, config, |_| {}).await
    }

    /// Starts with the store configuration adjusted by `adjust`.
    pub async fn start_configured(
        backend: Backend,
        config: ServerConfig,
        adjust: impl FnOnce(&mut StoreConfig) + Send + 'static,
    ) -> TestServer {
        Self::start_inner(backend, |_| config, adjust).await
    }

    async fn start_inner(
        backend: Backend,
        config: impl FnOnce(&str) -> ServerConfig,
        adjust: impl FnOnce(&mut StoreConfig) + Send + 'static,
    ) -> TestServer {
        let (database, url) = fresh_database(backend);
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let config = config(&base);
        let (handle, addr, thread) = launch(listener, url.clone(), config, adjust).await;
        TestServer {
            db_url: url,
            base: format!("http://{addr}"),
            client: reqwest::Client::new(),
            handle,
            thread: Some(thread),
            _database: database,
        }
    }

    /// Stops the server (as a process that ends would) and starts a new one on the same
    /// database, with `config`; it has a new address.
    pub async fn restart(&mut self, config: ServerConfig) {
        self.handle.stop(true).await;
        if let Some(thread) = self.thread.take() {
            tokio::task::spawn_blocking(move || thread.join().unwrap())
                .await
                .unwrap();
        }
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let (handle, addr, thread) = launch(listener, self.db_url.clone(), config, |_| {}).await;
        self.handle = handle;
        self.base = format!("http://{addr}");
        self.thread = Some(thread);
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}/{}", self.base, path.trim_start_matches('/'))
    }

    pub fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        self.client.request(method, self.url(path))
    }

    pub async fn get(&self, path: &str) -> Resp {
        Resp::of(self.request(Method::GET, path)).await
    }

    pub async fn delete(&self, path: &str) -> Resp {
        Resp::of(self.request(Method::DELETE, path)).await
    }

    /// Sends a resource as `application/fhir+json`.
    pub async fn send(&self, method: Method, path: &str, body: &Value) -> Resp {
        Resp::of(fhir_json(self.request(method, path), body)).await
    }

    pub async fn post(&self, path: &str, body: &Value) -> Resp {
        self.send(Method::POST, path, body).await
    }

    pub async fn put(&self, path: &str, body: &Value) -> Resp {
        self.send(Method::PUT, path, body).await
    }

    /// Creates a resource and answers it as stored.
    pub async fn create(&self, body: &Value) -> Value {
        let res_type = body["resourceType"].as_str().unwrap();
        let resp = self.post(res_type, body).await;
        assert_eq!(resp.status, 201, "create {res_type}: {}", resp.body);
        resp.json()
    }

    /// The entries of every page of a Bundle, following `next` links.
    pub async fn all_pages(&self, path: &str) -> Vec<Value> {
        let mut entries = Vec::new();
        let mut url = self.url(path);
        for _ in 0..1000 {
            let resp = Resp::of(self.client.get(&url)).await;
            assert_eq!(resp.status, 200, "{url}: {}", resp.body);
            let bundle = resp.json();
            entries.extend(bundle["entry"].as_array().cloned().unwrap_or_default());
            match link(&bundle, "next") {
                Some(next) => url = next,
                None => return entries,
            }
        }
        panic!("more than 1000 pages at {path}");
    }

    /// The ids of each page of a search, following `next` links from the first page; then
    /// asserts that `previous` links lead back through the same pages to the first, which
    /// has none.
    pub async fn pages_both_ways(&self, path: &str) -> Vec<Vec<String>> {
        let page = |url: String| async move {
            let resp = Resp::of(self.client.get(&url)).await;
            assert_eq!(resp.status, 200, "{url}: {}", resp.body);
            let bundle = resp.json();
            let ids: Vec<String> = bundle["entry"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|e| e["resource"]["id"].as_str().unwrap().to_owned())
                .collect();
            (ids, link(&bundle, "next"), link(&bundle, "previous"))
        };
        let (ids, mut next, previous) = page(self.url(path)).await;
        assert!(previous.is_none(), "{path}: the first page has no previous");
        let mut pages = vec![ids];
        let mut back = None;
        while let Some(url) = next.take() {
            let (ids, n, p) = page(url).await;
            assert!(
                p.is_some(),
                "{path}: page {} has a previous link",
                pages.len()
            );
            pages.push(ids);
            (next, back) = (n, p);
            assert!(pages.len() < 100, "{path}: too many pages");
        }
        let mut index = pages.len() - 1;
        while let Some(url) = back.take() {
            index -= 1;
            let (ids, _, p) = page(url).await;
            assert_eq!(ids, pages[index], "{path}: page {index}, reached backwards");
            back = p;
        }
        assert_eq!(index, 0, "{path}: previous links end at the first page");
        pages
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        drop(self.handle.stop(false));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

pub fn fhir_json(builder: reqwest::RequestBuilder, body: &Value) -> reqwest::RequestBuilder {
    builder
        .header("Content-Type", "application/fhir+json")
        .body(body.to_string())
}

/// The URL of a Bundle link.
pub fn link(bundle: &Value, relation: &str) -> Option<String> {
    bundle["link"]
        .as_array()?
        .iter()
        .find(|l| l["relation"] == relation)
        .and_then(|l| l["url"].as_str())
        .map(str::to_owned)
}

/// A response, read whole.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: String,
}

impl Resp {
    pub async fn of(builder: reqwest::RequestBuilder) -> Resp {
        let response = builder.send().await.expect("the server answers");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.text().await.unwrap();
        Resp {
            status,
            headers,
            body,
        }
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Asserts the status and that the body is an OperationOutcome with an error issue
    /// (for error statuses); answers the OperationOutcome.
    pub fn outcome(&self, status: u16) -> Value {
        assert_eq!(self.status, status, "{}", self.body);
        assert!(
            self.header("content-type")
                .is_some_and(|t| t.starts_with("application/fhir+json")),
            "content-type {:?}",
            self.header("content-type")
        );
        let outcome = self.json();
        assert_eq!(outcome["resourceType"], "OperationOutcome", "{}", self.body);
        let issues = outcome["issue"].as_array().expect("issues");
        assert!(!issues.is_empty());
        for issue in issues {
            assert!(issue["severity"].is_string() && issue["code"].is_string());
            assert!(issue["diagnostics"].as_str().is_some_and(|d| !d.is_empty()));
        }
        if status >= 400 {
            assert!(
                issues.iter().any(|i| i["severity"] == "error"),
                "{}",
                self.body
            );
        }
        outcome
    }
}

/// Runs each listed `async fn name(backend: Backend)` as a test against SQLite and, when
/// `ZORGPLAN_TEST_POSTGRES_URL` is set, against PostgreSQL. Under `CI=true` the PostgreSQL
/// variants fail rather than skip when it is not set.
#[macro_export]
macro_rules! backend_tests {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::common::Backend::Sqlite).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if $crate::common::postgres_url().is_none() {
                        assert!(
                            std::env::var("CI").as_deref() != Ok("true"),
                            "CI must run the PostgreSQL tests: set ZORGPLAN_TEST_POSTGRES_URL"
                        );
                        eprintln!("skipped: set ZORGPLAN_TEST_POSTGRES_URL to run the PostgreSQL tests");
                        return;
                    }
                    super::$name($crate::common::Backend::Postgres).await
                }
            )*
        }
    };
}

/// The configuration of a server in development mode: every request may do everything.
pub fn development() -> ServerConfig {
    ServerConfig {
        auth: zorgplan_server::access::Authentication::Development,
        ..ServerConfig::default()
    }
}

/// The step files of a scenario of `fixtures/` (`S1`, …), in order.
pub fn scenario_files(scenario: &str) -> Vec<std::path::PathBuf> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures")
        .join(scenario);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files
}
