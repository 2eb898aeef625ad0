//! The FHIR R4 RESTful API of the Zorgplan Kind&Gezin server, on actix-web.
//!
//! A request passes the request-id middleware ([`request_id`]), is routed ([`routes`]) to the
//! handler of its FHIR interaction ([`interaction`], one module per interaction as the
//! specification names them), which negotiates the representation ([`negotiate`]), reads and
//! checks the body ([`body`]), calls the store on the blocking thread pool ([`blocking`]) and
//! answers a resource, a Bundle ([`bundle`]) or an OperationOutcome ([`error`]). The
//! CapabilityStatement ([`interaction::capabilities`]) is generated from the same tables the
//! routes use.
//!
//! This crate holds no storage logic: it speaks HTTP and calls [`zorgplan_store::Store`].

pub mod access;
pub mod audit;
pub mod body;
pub mod bundle;
pub mod error;
pub mod interaction;
pub mod negotiate;
pub mod params;
pub mod pgo;
pub mod request_id;
pub mod respond;
pub mod routes;
pub mod shape;
pub mod smart;
pub mod subscription;

use actix_web::{web, App, HttpServer};
use openssl::ssl::{SslAcceptor, SslAcceptorBuilder, SslFiletype, SslMethod, SslVerifyMode};
use std::net::{SocketAddr, TcpListener};
use std::path::PathBuf;
use std::sync::Arc;
use zorgplan_fhir::json::Limits;
use zorgplan_fhir::FhirError;
use zorgplan_store::Store;

pub use error::{ApiError, ApiResult};
pub use zorgplan_fhir::json::Limits as JsonLimits;

/// How the REST API behaves.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// The public base URL (`https://zorgplan.example/fhir`); when `None`, derived from each
    /// request's Host.
    pub base_url: Option<String>,
    /// Largest request body accepted, in bytes (413 beyond).
    pub max_body_bytes: usize,
    /// Most entries in a transaction or batch Bundle (413 beyond).
    pub max_bundle_entries: usize,
    /// Limits on the JSON of a body.
    pub json: Limits,
    /// Entries per page when the client names no `_count`.
    pub default_count: usize,
    /// Most entries per page, whatever `_count` asks.
    pub max_count: usize,
    /// HTTP worker threads (0: one per core).
    pub workers: usize,
    /// Serve HTTPS instead of plain HTTP.
    pub tls: Option<TlsConfig>,
    /// How callers are known; by default tokens of an issuer not yet configured, which
    /// lets nobody in.
    pub auth: access::Authentication,
    /// How Subscriptions are notified.
    pub notify: subscription::NotifyConfig,
    /// Where plans are pushed when their phase changes (none: nowhere).
    pub push: Option<subscription::PushConfig>,
}

/// HTTPS (OpenSSL, Mozilla's intermediate settings: TLS 1.2 and 1.3): the server's
/// certificate chain and private key, and for mutual TLS the certificate authorities whose
/// client certificates it accepts — a client that presents none, or one they did not issue,
/// is refused during the handshake.
#[derive(Debug, Clone)]
pub struct TlsConfig {
    /// PEM: the server's certificate first, then the intermediates.
    pub certificate_chain: PathBuf,
    /// PEM: the certificate's private key.
    pub private_key: PathBuf,
    /// PEM: the CA certificates of accepted client certificates; `None`: no client
    /// certificates asked for.
    pub client_ca: Option<PathBuf>,
}

impl TlsConfig {
    /// OpenSSL's acceptor for these files, or what is wrong with them.
    fn acceptor(&self) -> std::io::Result<SslAcceptorBuilder> {
        let failed = |what: &str, path: &PathBuf, e: openssl::error::ErrorStack| {
            std::io::Error::other(format!("TLS: {what} {}: {e}", path.display()))
        };
        let mut builder = SslAcceptor::mozilla_intermediate_v5(SslMethod::tls_server())
            .map_err(|e| std::io::Error::other(format!("TLS: {e}")))?;
        builder
            .set_certificate_chain_file(&self.certificate_chain)
            .map_err(|e| {
                failed(
                    "cannot use the certificate chain",
                    &self.certificate_chain,
                    e,
                )
            })?;
        builder
            .set_private_key_file(&self.private_key, SslFiletype::PEM)
            .map_err(|e| failed("cannot use the private key", &self.private_key, e))?;
        builder.check_private_key().map_err(|e| {
            failed(
                "the certificate does not match the key",
                &self.private_key,
                e,
            )
        })?;
        if let Some(ca) = &self.client_ca {
            builder
                .set_ca_file(ca)
                .map_err(|e| failed("cannot use the client CA certificates", ca, e))?;
            let names = openssl::x509::X509Name::load_client_ca_file(ca)
                .map_err(|e| failed("cannot read the client CA names", ca, e))?;
            builder.set_client_ca_list(names);
            builder.set_verify(SslVerifyMode::PEER | SslVerifyMode::FAIL_IF_NO_PEER_CERT);
        }
        Ok(builder)
    }
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            base_url: None,
            max_body_bytes: 16 * 1024 * 1024,
            max_bundle_entries: 1000,
            json: Limits::default(),
            default_count: 50,
            max_count: 1000,
            workers: 0,
            tls: None,
            auth: access::Authentication::default(),
            notify: subscription::NotifyConfig::default(),
            push: None,
        }
    }
}

/// What every handler shares.
pub struct AppState {
    pub store: Store,
    /// Stores the AuditEvents of reads and refusals.
    pub audit: audit::Writer,
    /// Tokens verified recently.
    pub verified: access::Verified,
    /// What was read of children (networks, consents), by version.
    pub facts: Arc<access::Facts>,
    pub validator: zorgplan_validator::Validator,
    pub config: ServerConfig,
    /// PGO sign-ins in progress.
    pub sign_ins: pgo::SignIns,
}

/// Runs `f` (which blocks on the database) on the blocking thread pool, inside the
/// request's tracing span.
pub async fn blocking<T, F>(f: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce() -> Result<T, FhirError> + Send + 'static,
{
    let span = tracing::Span::current();
    web::block(move || span.in_scope(f))
        .await
        .map_err(|_| ApiError::from(FhirError::internal("The request's database task failed")))?
        .map_err(ApiError::from)
}

/// A server bound to its socket, ready to run.
pub struct BoundServer {
    pub server: actix_web::dev::Server,
    pub addr: SocketAddr,
}

/// The search parameters the server indexes and searches: every R4 parameter and the
/// standard's SearchParameters (embedded with its profiles). Give it to the store
/// (`StoreConfig::search_parameters`).
pub fn search_parameters() -> &'static zorgplan_search::Registry {
    static REGISTRY: std::sync::OnceLock<zorgplan_search::Registry> = std::sync::OnceLock::new();
    REGISTRY.get_or_init(|| {
        zorgplan_search::Registry::with(
            &zorgplan_validator::profile::Conformance::standard_resources(),
        )
    })
}

/// Binds the API to `listener` with `store`. Await `server` (on an actix or tokio runtime)
/// to serve; `server.handle()` stops it.
pub fn bind(
    listener: TcpListener,
    store: Store,
    config: ServerConfig,
) -> std::io::Result<BoundServer> {
    let addr = listener.local_addr()?;
    let acceptor = config.tls.as_ref().map(TlsConfig::acceptor).transpose()?;
    let workers = if config.workers == 0 {
        std::thread::available_parallelism().map_or(2, |n| n.get())
    } else {
        config.workers
    };
    // The plans' pushes are queued as a Subscription's notifications would be.
    match &config.push {
        Some(_) => store.follow(subscription::PUSH, "CarePlan", ""),
        None => store.unfollow(subscription::PUSH),
    }
    .map_err(|e| std::io::Error::other(format!("the plan push: {e}")))?;
    let state = web::Data::from(Arc::new(AppState {
        audit: audit::Writer::start(store.clone()),
        verified: access::Verified::default(),
        facts: Arc::default(),
        store,
        validator: zorgplan_validator::Validator::r4(),
        config,
        sign_ins: pgo::SignIns::default(),
    }));
    subscription::Notifier::start(Arc::downgrade(&state.clone().into_inner()));
    let server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .wrap(actix_web::middleware::from_fn(negotiate::xml_responses))
            .wrap(request_id::RequestId)
            .configure(routes::configure)
    })
    .on_connect(access::peer_certificate)
    .workers(workers);
    let server = match acceptor {
        Some(acceptor) => server.listen_openssl(listener, acceptor)?,
        None => server.listen(listener)?,
    }
    .run();
    Ok(BoundServer { server, addr })
}

/// Serves the API on `listener` until the process is told to stop (SIGINT or SIGTERM).
pub fn serve(listener: TcpListener, store: Store, config: ServerConfig) -> std::io::Result<()> {
    actix_web::rt::System::new().block_on(async move {
        let tls = config.tls.clone();
        let bound = bind(listener, store, config)?;
        match &tls {
            Some(TlsConfig {
                client_ca: Some(ca),
                ..
            }) => tracing::info!(address = %bound.addr, client_ca = %ca.display(),
                "serving FHIR R4 over HTTPS; clients must present a certificate these CAs issued"),
            Some(_) => tracing::info!(address = %bound.addr, "serving FHIR R4 over HTTPS"),
            None => tracing::warn!(address = %bound.addr,
                "serving FHIR R4 over PLAIN HTTP, unencrypted: for local development only; \
                 give --tls-cert and --tls-key, or put a TLS-terminating proxy in front"),
        }
        bound.server.await
    })
}
