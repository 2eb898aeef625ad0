//! The decision point: who the caller is (authentication, once per request) and what it may
//! do, asked by every interaction through one [`Gate`]:
//!
//! - [`Gate::may_start`]: may the caller start this interaction on this type (its scopes);
//! - [`Gate::restrict`]: the part of a type a search may find (the compartments of the
//!   children the caller may see, and single resources of children whose consents shield
//!   some resources of the type), added to the search's criteria so that totals, paging and
//!   sorting only ever see what the caller may see;
//! - [`Gate::may_see`] / [`Gate::may_write`]: one resource (reads, includes, history,
//!   writes).
//!
//! The rules themselves are `zorgplan_auth::policy::decide`; this module gathers the facts
//! it needs from the store (the child's birth date, networks and consents, current for
//! every request so that a revoked consent counts on the next one). A resource of a type outside
//! the Patient compartment (Organization, Practitioner, …) is nobody's data: any caller with
//! the scope reads it, professionals and systems write it. A resource the caller may not see
//! answers as if it did not exist.

use crate::audit::{self, Trail};
use crate::error::ApiError;
use crate::subscription;
use crate::AppState;
use actix_web::{HttpMessage, HttpRequest};
use serde_json::Value;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use zorgplan_auth::consent::{self, Action};
use zorgplan_auth::policy::{self, Caller, Child, Moment, Role, Target};
use zorgplan_auth::service::{RegisteredClient, TokenService};
use zorgplan_auth::{Interaction, TokenError, Verifier};
use zorgplan_fhir::{ErrorKind, FhirError, IssueType};
use zorgplan_search::{IndexValue, Registry};
use zorgplan_store::transaction::Request;
use zorgplan_store::{
    Criteria, Criterion, PageAt, SearchValue, Store, Timestamp, Transaction, Version,
};

/// The naming system of Dutch healthcare organisations (URA numbers).
pub const URA: &str = "http://fhir.nl/fhir/NamingSystem/ura";

/// How callers are known.
#[derive(Clone)]
pub enum Authentication {
    /// No authentication: every request may do everything (`zorgplan serve --dev`).
    Development,
    /// Bearer tokens of the configured issuer.
    Tokens(Arc<Tokens>),
}

impl std::fmt::Debug for Authentication {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Authentication::Development => f.write_str("Development"),
            Authentication::Tokens(t) => write!(f, "Tokens({} clients)", t.clients.len()),
        }
    }
}

impl Default for Authentication {
    /// Tokens, with no issuer: nobody gets in until the deployment configures one.
    fn default() -> Self {
        Authentication::Tokens(Arc::new(Tokens::default()))
    }
}

/// Whose access tokens are accepted, the registered system clients, and this server's own
/// token service for them (SMART Backend Services).
#[derive(Default)]
pub struct Tokens {
    /// The configured issuer's, and this server's own when it issues tokens.
    pub verifiers: Vec<Verifier>,
    pub clients: Vec<RegisteredClient>,
    pub service: Option<TokenService>,
    /// The registered PGO apps (authorisation-code grant).
    pub apps: Vec<zorgplan_auth::authorize::RegisteredApp>,
    /// Who signs in for a PGO app.
    pub identity: Option<Arc<dyn crate::pgo::IdentityProvider>>,
}

/// How a deployment configures access (`zorgplan serve --auth-…`).
#[derive(Debug, Clone, Default)]
pub struct AuthSettings {
    /// An external issuer (`iss`) of access tokens, with the audience they must name and
    /// its public keys (PEM files, JWKS documents).
    pub issuer: Option<String>,
    pub audience: Option<String>,
    pub keys: Vec<PathBuf>,
    pub jwks: Vec<PathBuf>,
    /// The registered system clients: a JSON array of `{"client_id", "ura", "scope",
    /// "jwks"}` (`jwks`: the client's public keys, for its token requests).
    pub clients: Option<PathBuf>,
    /// This server's base URL: the issuer and audience of its own tokens.
    pub base_url: Option<String>,
    /// The private key (PEM) this server signs its tokens with; without one it makes a key
    /// at start, and its tokens end with the process.
    pub signing_key: Option<PathBuf>,
    /// PGO sign-in by a typed BSN ([`crate::pgo::TestLogin`]): development and acceptance
    /// environments only.
    pub test_login: bool,
}

/// Whether `scopes` name resources, all in `context` (`patient/…`, `system/…`).
fn only(scopes: &zorgplan_auth::Scopes, context: zorgplan_auth::Context) -> bool {
    !scopes.resources.is_empty() && scopes.resources.iter().all(|s| s.context == context)
}

fn read_file(path: &Path) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

impl Tokens {
    /// The access configuration of `settings`: an external issuer, registered clients with
    /// this server's token service, or both.
    pub fn load(settings: &AuthSettings) -> Result<Tokens, String> {
        let mut tokens = Tokens::default();
        if let Some(issuer) = &settings.issuer {
            let audience = settings
                .audience
                .clone()
                .or_else(|| settings.base_url.clone())
                .ok_or(
                    "--auth-issuer needs --auth-audience (or --base-url, the default audience)",
                )?;
            if settings.keys.is_empty() && settings.jwks.is_empty() {
                return Err(
                    "--auth-issuer needs the issuer's keys: --auth-key or --auth-jwks".into(),
                );
            }
            let mut verifier = Verifier::new(issuer.as_str(), audience);
            for path in &settings.keys {
                verifier
                    .add_pem(&read_file(path)?, None)
                    .map_err(|e| format!("{}: {e}", path.display()))?;
            }
            for path in &settings.jwks {
                let text = String::from_utf8(read_file(path)?)
                    .map_err(|_| format!("{} is not UTF-8", path.display()))?;
                verifier
                    .add_jwks(&text)
                    .map_err(|e| format!("{}: {e}", path.display()))?;
            }
            tokens.verifiers.push(verifier);
        }
        let Some(path) = &settings.clients else {
            return Ok(tokens);
        };
        let base = settings
            .base_url
            .as_deref()
            .ok_or("--clients needs --base-url: the issuer and audience of this server's tokens")?
            .trim_end_matches('/')
            .to_owned();
        let private = match &settings.signing_key {
            Some(key) => read_file(key)?,
            None => {
                tracing::warn!(
                    "no --auth-signing-key: this server signs its access tokens with a key made \
                     at start, so they end with the process and other nodes refuse them"
                );
                let group =
                    openssl::ec::EcGroup::from_curve_name(openssl::nid::Nid::X9_62_PRIME256V1)
                        .map_err(|e| e.to_string())?;
                let key = openssl::ec::EcKey::generate(&group)
                    .and_then(openssl::pkey::PKey::from_ec_key)
                    .map_err(|e| e.to_string())?;
                key.private_key_to_pem_pkcs8().map_err(|e| e.to_string())?
            }
        };
        let public = openssl::pkey::PKey::private_key_from_pem(&private)
            .and_then(|k| k.public_key_to_pem())
            .map_err(|e| format!("the signing key: {e}"))?;
        let service = TokenService::new(&base, &private, "zorgplan-1")?;
        let mut own = Verifier::new(base.as_str(), base.as_str());
        own.add_pem(&public, Some("zorgplan-1"))?;
        tokens.verifiers.push(own);
        let list: Vec<Value> = serde_json::from_slice(&read_file(path)?)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        for c in &list {
            let field = |name: &str| {
                c.get(name)
                    .and_then(Value::as_str)
                    .map(str::to_owned)
                    .ok_or_else(|| format!("{}: every client needs a '{name}'", path.display()))
            };
            let client_id = field("client_id")?;
            let scope_text = field("scope")?;
            let scopes = zorgplan_auth::Scopes::parse(&scope_text);
            if let Some(uris) = c.get("redirect_uris") {
                // A PGO app: a public client of the authorisation-code grant.
                let redirect_uris: Vec<String> = uris
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect();
                if redirect_uris.is_empty() || !only(&scopes, zorgplan_auth::Context::Patient) {
                    return Err(format!(
                        "{}: app {client_id}: an app has redirect_uris and patient/… scopes",
                        path.display()
                    ));
                }
                tokens.apps.push(zorgplan_auth::authorize::RegisteredApp {
                    client_id,
                    redirect_uris,
                    scopes,
                    scope_text,
                });
                continue;
            }
            if !only(&scopes, zorgplan_auth::Context::System) {
                return Err(format!(
                    "{}: client {client_id}: a system client's scopes are system/… scopes",
                    path.display()
                ));
            }
            let mut keys = Verifier::new(client_id.as_str(), service.token_endpoint());
            if let Some(jwks) = c.get("jwks") {
                keys.add_jwks(&jwks.to_string())
                    .map_err(|e| format!("{}: client {client_id}: {e}", path.display()))?;
            }
            let certificates = match c.get("certificate_sha256") {
                None => Vec::new(),
                Some(Value::String(one)) => vec![zorgplan_auth::service::fingerprint(one)],
                Some(Value::Array(many)) => many
                    .iter()
                    .filter_map(Value::as_str)
                    .map(zorgplan_auth::service::fingerprint)
                    .collect(),
                Some(_) => {
                    return Err(format!(
                    "{}: client {client_id}: certificate_sha256 is a fingerprint or a list of them",
                    path.display()
                ))
                }
            };
            if certificates.iter().any(|f| f.len() != 64) {
                return Err(format!(
                    "{}: client {client_id}: a certificate_sha256 has 64 hex digits",
                    path.display()
                ));
            }
            tokens.clients.push(RegisteredClient {
                ura: field("ura")?,
                client_id,
                scopes,
                scope_text,
                keys,
                certificates,
            });
        }
        tokens.service = Some(service);
        if settings.test_login {
            tracing::warn!(
                "PGO sign-in by a TYPED BSN (--pgo-test-login): anyone can act as any family \
                 member; for development and acceptance environments only"
            );
            tokens.identity = Some(Arc::new(crate::pgo::TestLogin));
        }
        Ok(tokens)
    }

    /// The claims of `token` when one of the trusted issuers signed it for this server.
    fn verify(&self, token: &str) -> Result<zorgplan_auth::Claims, TokenError> {
        let mut refusal = TokenError::Issuer;
        for verifier in &self.verifiers {
            match verifier.verify(token) {
                Ok(claims) => return Ok(claims),
                Err(TokenError::Issuer) => {}
                Err(e) => refusal = e,
            }
        }
        Err(refusal)
    }
}

/// The request's caller and the facts about children gathered for it.
pub struct Gate {
    pub caller: Caller,
    pub moment: Moment,
    children: Mutex<HashMap<String, Arc<Child>>>,
    /// What the request disclosed and was denied (for its AuditEvents).
    pub trail: Trail,
    /// Where the request came from and what it was.
    pub request: audit::Request,
    /// The client's `X-Provenance`, for the Provenance of its writes.
    pub provenance: Option<Value>,
    /// The children of what the request's deletions removed (their AuditEvents).
    deleted_of: Mutex<Vec<String>>,
    /// What was read of children by earlier requests.
    facts: Arc<Facts>,
}

/// What was read of children (their Patient, networks and consents), with the versions it
/// was read from: reused while those are the current versions.
#[derive(Default)]
pub struct Facts {
    known: Mutex<HashMap<String, ReadFrom>>,
    /// What the decisions need of stored versions, by `Type/id/_history/n`: a version
    /// never changes, so this is never stale.
    judged: Mutex<HashMap<String, Arc<Judged>>>,
}

/// What the decisions need of a resource: its id, its children (`owners`), the life
/// domains it is about and, for a Subscription, its subscriber.
#[derive(Debug, Default)]
pub struct Judged {
    id: String,
    owners: Vec<String>,
    domains: Vec<String>,
    subscriber: Option<String>,
}

impl Judged {
    fn of(registry: &Registry, res_type: &str, resource: &Value) -> Judged {
        Judged {
            id: id_of(resource).unwrap_or_default().to_owned(),
            owners: owners(registry, res_type, resource),
            domains: consent::domains(resource),
            subscriber: match res_type {
                "Subscription" => subscription::subscriber(resource).map(str::to_owned),
                _ => None,
            },
        }
    }
}

/// A child as read: the (pk, version) of everything it was read from, and when the store
/// last said those were current.
struct ReadFrom {
    keys: Vec<(i64, i64)>,
    child: Arc<Child>,
    checked: Checked,
}

/// When something was last known current: the store's count of the writes of its types
/// before it was read ([`Store::local_writes`]: its own, and any by another process).
#[derive(Clone, Copy)]
struct Checked {
    writes: Option<u64>,
}

impl Checked {
    fn now(writes: Option<u64>) -> Checked {
        Checked { writes }
    }

    /// Still current, without asking the database: the store can count (`writes`, its
    /// count now, is known) and no write of the types was committed since.
    fn holds(&self, writes: Option<u64>) -> bool {
        writes.is_some() && self.writes == writes
    }
}

/// What the policy reads of a child besides its Patient: its networks, its consents and
/// its RelatedPersons (who may act for it as parents), each by the search parameter that
/// names the child.
const FACTS: [(&str, &str); 3] = [
    ("CareTeam", "subject"),
    ("Consent", "patient"),
    ("RelatedPerson", "patient"),
];

/// The types of the facts: the Patient and the types of [`FACTS`].
const FACT_TYPES: [&str; 4] = ["Patient", FACTS[0].0, FACTS[1].0, FACTS[2].0];

/// Children whose facts are kept at most (the map is emptied when it is full).
const FACTS_KEPT: usize = 50_000;
/// Versions whose [`Judged`] is kept at most (the map is emptied when it is full).
const JUDGED_KEPT: usize = 100_000;

impl Facts {
    /// The child as read, when no write of its facts' types was committed since the store
    /// last said they were current (`writes` is the store's count now; `None`: it cannot
    /// tell).
    fn current(&self, id: &str, writes: Option<u64>) -> Option<Arc<Child>> {
        let known = self.known.lock().expect("facts");
        known
            .get(id)
            .filter(|read| read.checked.holds(writes))
            .map(|read| read.child.clone())
    }

    /// The child read from exactly these (pk, version) keys, if it was; the store says now
    /// (its count of local writes before it was asked: `writes`) that they are current.
    fn get(&self, id: &str, keys: &[(i64, i64)], writes: Option<u64>) -> Option<Arc<Child>> {
        let mut known = self.known.lock().expect("facts");
        let read = known.get_mut(id).filter(|read| read.keys == keys)?;
        read.checked = Checked::now(writes);
        Some(read.child.clone())
    }

    fn put(&self, id: &str, keys: Vec<(i64, i64)>, child: Arc<Child>, writes: Option<u64>) {
        let mut known = self.known.lock().expect("facts");
        if known.len() >= FACTS_KEPT {
            known.clear();
        }
        known.insert(
            id.to_owned(),
            ReadFrom {
                keys,
                child,
                checked: Checked::now(writes),
            },
        );
    }

    /// What the decisions need of a stored version, parsed once per version (`None`: a
    /// deletion, or text that is not JSON).
    fn judge(&self, registry: &Registry, version: &Version) -> Option<Arc<Judged>> {
        let key = audit::versioned(version);
        if let Some(judged) = self.judged.lock().expect("facts").get(&key) {
            return Some(judged.clone());
        }
        let resource = version.resource()?;
        let judged = Arc::new(Judged::of(registry, &version.res_type, &resource));
        let mut known = self.judged.lock().expect("facts");
        if known.len() >= JUDGED_KEPT {
            known.clear();
        }
        known.insert(key, judged.clone());
        Some(judged)
    }
}

fn forbidden(message: impl Into<String>) -> FhirError {
    FhirError::new(ErrorKind::Forbidden, IssueType::Forbidden, message)
}

fn unauthorized(message: &str, error: Option<&str>) -> ApiError {
    let mut api = ApiError::from(FhirError::new(
        ErrorKind::Unauthorized,
        IssueType::Security,
        message,
    ));
    api.challenge = Some(match error {
        Some(e) => format!("Bearer realm=\"zorgplan\", error=\"{e}\""),
        None => "Bearer realm=\"zorgplan\"".into(),
    });
    api
}

/// The day in the Netherlands at `micros` (CET, CEST from the last Sunday of March to the
/// last Sunday of October, 01:00 UTC).
fn dutch_day(micros: i64) -> String {
    use chrono::{DateTime, Datelike, Duration, NaiveDate, Weekday};
    let utc = DateTime::from_timestamp_micros(micros).unwrap_or_default();
    let last_sunday = |month: u32| {
        let mut day = NaiveDate::from_ymd_opt(utc.year(), month, 31).unwrap_or_default();
        while day.weekday() != Weekday::Sun {
            day = day.pred_opt().unwrap_or(day);
        }
        day.and_hms_opt(1, 0, 0).unwrap_or_default().and_utc()
    };
    let summer = utc >= last_sunday(3) && utc < last_sunday(10);
    let local = utc + Duration::hours(if summer { 2 } else { 1 });
    // Written out directly: a format string would be parsed again on every request.
    format!(
        "{:04}-{:02}-{:02}",
        local.year(),
        local.month(),
        local.day()
    )
}

impl Gate {
    /// The gate of `caller` for a request made now, deciding with what was read of
    /// children before (`facts`, the server's).
    pub fn new(caller: Caller, facts: Arc<Facts>) -> Gate {
        let micros = Timestamp::now().0;
        Gate {
            caller,
            moment: Moment {
                micros,
                today: dutch_day(micros),
            },
            children: Mutex::new(HashMap::new()),
            trail: Trail::default(),
            request: audit::Request::default(),
            provenance: None,
            deleted_of: Mutex::new(Vec::new()),
            facts,
        }
    }

    /// The store through which this request writes: one that stores each write's
    /// AuditEvent and Provenance in the write's transaction (none in development mode).
    pub fn store(self: &Arc<Self>, store: &Store) -> Store {
        if self.unrestricted() {
            return store.clone();
        }
        let gate = self.clone();
        let registry = store.search_parameters();
        store.recording(Arc::new(move |written| {
            let deleted_of = gate.deleted_of.lock().expect("gate lock").clone();
            audit::records(
                registry,
                &gate.caller,
                &gate.request,
                gate.provenance.as_ref(),
                written,
                &deleted_of,
            )
        }))
    }

    /// [`sees`](Self::sees), and the answer noted in the audit trail.
    pub fn reveal(&self, store: &Store, version: &Version) -> Result<bool, FhirError> {
        if self.unrestricted() {
            return Ok(true);
        }
        // A deletion is judged, and logged, by the version before it.
        let before;
        let judged = if version.deleted {
            match store.vread(&version.res_type, &version.id, version.version - 1)? {
                Some(v) if !v.deleted => {
                    before = v;
                    &before
                }
                _ => {
                    let what = format!("{}/{}", version.res_type, version.id);
                    self.trail.note(&[], Some(what), true);
                    return Ok(false);
                }
            }
        } else {
            version
        };
        let Some(about) = self.facts.judge(store.search_parameters(), judged) else {
            return Ok(false);
        };
        let seen = self.permits(store, &judged.res_type, &about, Action::Read)?;
        let what = if seen {
            audit::versioned(version)
        } else {
            format!("{}/{}", version.res_type, version.id)
        };
        self.trail.note(&about.owners, Some(what), !seen);
        Ok(seen)
    }

    /// Notes in the audit trail that `versions` were disclosed.
    pub fn disclose<'a>(&self, store: &Store, versions: impl IntoIterator<Item = &'a Version>) {
        if self.unrestricted() {
            return;
        }
        for version in versions {
            if let Some(judged) = self.facts.judge(store.search_parameters(), version) {
                self.trail
                    .note(&judged.owners, Some(audit::versioned(version)), false);
            }
        }
    }

    /// The gate of `req`, set by [`authenticate`]; one that permits nothing when there is
    /// none.
    pub fn of(req: &HttpRequest) -> Arc<Gate> {
        req.extensions()
            .get::<Arc<Gate>>()
            .cloned()
            .unwrap_or_else(|| {
                Arc::new(Gate::new(
                    Caller {
                        role: Role::System,
                        ..Caller::development()
                    },
                    Arc::default(),
                ))
            })
    }

    pub fn unrestricted(&self) -> bool {
        self.caller.unrestricted()
    }

    /// 403 unless the caller's scopes permit `interaction` on `res_type`.
    pub fn may_start(&self, res_type: &str, interaction: Interaction) -> Result<(), FhirError> {
        audit::writable(res_type, interaction)?;
        if res_type == "Subscription" && !self.unrestricted() && self.caller.client.is_none() {
            return Err(forbidden(
                "Subscriptions are made and read by registered systems (SMART Backend Services or a TLS client certificate)",
            ));
        }
        if self.caller.may(res_type, interaction) {
            Ok(())
        } else {
            Err(forbidden(format!(
                "The token's scopes do not permit {} on {res_type}",
                interaction_name(interaction)
            )))
        }
    }

    /// 403 for the interactions that list resources of many children without criteria the
    /// gate can narrow (type and system history): only development mode has them.
    pub fn may_list_history(&self) -> Result<(), FhirError> {
        if self.unrestricted() {
            Ok(())
        } else {
            Err(forbidden(
                "Type and system history are not available with access control; read a resource's own history, or search with _lastUpdated",
            ))
        }
    }

    /// The facts about the children `ids`: their Patient, networks and consents as they
    /// are now. Facts read before are current while the store counts no write of their
    /// types since ([`Store::local_writes`]: on SQLite a write by another process on the
    /// same file counts within a second; on PostgreSQL one by another server as soon as its
    /// announcement arrives, a fraction of a millisecond after its commit). Otherwise
    /// one query tells which versions are current; what was parsed before for the same
    /// versions is reused ([`Facts`]), and only what changed is read and parsed again.
    fn children(&self, store: &Store, ids: &[String]) -> Result<Vec<Arc<Child>>, FhirError> {
        let missing: Vec<String> = {
            let known = self.children.lock().expect("gate lock");
            ids.iter()
                .filter(|id| !known.contains_key(*id))
                .cloned()
                .collect()
        };
        // Counted before anything is read: a write committed meanwhile makes the next
        // request ask again.
        let writes = store.local_writes(&FACT_TYPES);
        let mut found = Vec::new();
        let missing: Vec<String> = missing
            .into_iter()
            .filter(|id| match self.facts.current(id, writes) {
                Some(child) => {
                    found.push(child);
                    false
                }
                None => true,
            })
            .collect();
        if !missing.is_empty() {
            let keys = store.about_patients(&missing, FACTS)?;
            let mut by_child: HashMap<&str, Vec<(i64, i64)>> = HashMap::new();
            for (child, pk, version) in &keys {
                by_child.entry(child).or_default().push((*pk, *version));
            }
            let mut stale = Vec::new();
            for id in &missing {
                let keys = by_child.remove(id.as_str()).unwrap_or_default();
                match self.facts.get(id, &keys, writes) {
                    Some(child) => found.push(child),
                    None => stale.push((id.clone(), keys)),
                }
            }
            if !stale.is_empty() {
                let mut pks: Vec<i64> = stale
                    .iter()
                    .flat_map(|(_, k)| k.iter().map(|(pk, _)| *pk))
                    .collect();
                pks.sort_unstable();
                pks.dedup();
                let loaded: HashMap<i64, (String, Value)> = store
                    .current_by_pks(&pks)?
                    .into_iter()
                    .filter_map(|(pk, version)| {
                        Some((pk, (version.res_type.clone(), version.resource()?)))
                    })
                    .collect();
                for (id, keys) in stale {
                    let mut child = Child {
                        id: id.clone(),
                        ..Child::default()
                    };
                    let mut consents = Vec::new();
                    for (pk, _) in &keys {
                        let Some((res_type, resource)) = loaded.get(pk) else {
                            continue;
                        };
                        match res_type.as_str() {
                            "Patient" => {
                                child.birth_date = resource
                                    .get("birthDate")
                                    .and_then(Value::as_str)
                                    .map(str::to_owned);
                            }
                            "CareTeam" => child.networks.push(resource.clone()),
                            "Consent" => consents.push(resource.clone()),
                            _ => {
                                if resource.get("active").and_then(Value::as_bool) != Some(false) {
                                    child.relatives.extend(id_of(resource).map(str::to_owned));
                                }
                            }
                        }
                    }
                    child.consents = consent::Consents::of(&consents);
                    child.prepare();
                    let child = Arc::new(child);
                    self.facts.put(&id, keys, child.clone(), writes);
                    found.push(child);
                }
            }
        }
        if !found.is_empty() {
            let mut known = self.children.lock().expect("gate lock");
            for child in found {
                known.insert(child.id.clone(), child);
            }
        }
        let known = self.children.lock().expect("gate lock");
        Ok(ids.iter().filter_map(|id| known.get(id).cloned()).collect())
    }

    /// The children whose data the caller may see some of: its own child, or those of
    /// whose networks it is an active participant.
    fn candidate_children(&self, store: &Store) -> Result<Vec<String>, FhirError> {
        let named = match self.caller.role {
            Role::Development => return Ok(Vec::new()),
            Role::Child | Role::Parent => return Ok(self.caller.child.iter().cloned().collect()),
            // The children whose networks name the caller; of those, the ones whose networks
            // it is an active participant of now.
            Role::Professional | Role::System => {
                store.children_of_members(&self.caller.references)?
            }
        };
        Ok(self
            .children(store, &named)?
            .into_iter()
            .filter(|child| self.candidate(child))
            .map(|child| child.id.clone())
            .collect())
    }

    /// Whether `child` is one of [`candidate_children`](Self::candidate_children).
    fn candidate(&self, child: &Child) -> bool {
        match self.caller.role {
            Role::Development => false,
            Role::Child | Role::Parent => policy::acts_for(&self.caller, child),
            Role::Professional | Role::System => {
                policy::member_of(child, &self.caller.references, self.moment.micros).is_member()
            }
        }
    }

    /// Whether the caller may see all of `child`'s resources of `res_type` (`None`: they
    /// must be judged one by one, as the child's consents tell them apart for this caller).
    fn sees_whole(&self, child: &Child, res_type: &str) -> Option<bool> {
        if policy::varies_for(&self.caller, child, &self.moment) {
            return None;
        }
        let reference = format!("{res_type}/");
        let target = Target {
            resource_type: res_type,
            reference: &reference,
            domains: &[],
        };
        Some(policy::decide(
            &self.caller,
            child,
            target,
            Action::Read,
            &self.moment,
        ))
    }

    /// Narrows a search of `res_type` to what the caller may see. Chains and `_has` into the
    /// Patient compartment could test hidden resources, so they are refused (400), except
    /// chains to Patient, which only reach the child of a resource the caller sees.
    pub fn restrict(
        &self,
        store: &Store,
        res_type: &str,
        criteria: &mut Criteria,
    ) -> Result<(), FhirError> {
        if self.unrestricted() {
            return Ok(());
        }
        if res_type == "AuditEvent" && self.caller.auditor() {
            // Auditors read the whole trail.
            return Ok(());
        }
        let registry = store.search_parameters();
        check_reach(registry, &criteria.conditions)?;
        if res_type == "Subscription" {
            // Its subscriber's alone (`permits`); `may_start` let in registered clients only.
            let client = self.caller.client.as_deref().unwrap_or_default();
            let tag = vec![(
                "_tag".to_owned(),
                format!("{}|{client}", subscription::SUBSCRIBER),
            )];
            criteria
                .conditions
                .extend(Criteria::parse(registry, res_type, &tag)?.0.conditions);
            return Ok(());
        }
        if !in_compartment(registry, res_type) {
            return Ok(());
        }
        if let Some(named) = named_children(registry, res_type, &criteria.conditions) {
            // A search within given children (`patient=Patient/…`, a compartment search)
            // finds only resources in their compartments: when the caller sees the whole of
            // each of them, it sees every result as it is, and its other children need not
            // be read.
            let children = self.children(store, &named)?;
            if children.len() == named.len()
                && children
                    .iter()
                    .all(|c| self.candidate(c) && self.sees_whole(c, res_type) == Some(true))
            {
                return Ok(());
            }
        }
        let ids = self.candidate_children(store)?;
        let children = self.children(store, &ids)?;
        let mut whole = Vec::new();
        let mut single = Vec::new();
        let mut varying = Vec::new();
        for child in children {
            match self.sees_whole(&child, res_type) {
                None => varying.push(child),
                Some(true) => whole.push(child.id.clone()),
                Some(false) => {}
            }
        }
        if !varying.is_empty() {
            // Resource by resource, for the children whose consents tell them apart: those
            // the search finds in their compartments (one search for all of them).
            let mut theirs = criteria.clone();
            let ids = varying.iter().map(|c| c.id.clone()).collect();
            theirs.within(registry, res_type, ids, Vec::new(), false);
            for version in all(store, res_type, &theirs)? {
                let Some(judged) = self.facts.judge(registry, &version) else {
                    continue;
                };
                let seen = varying
                    .iter()
                    .filter(|c| judged.owners.contains(&c.id))
                    .any(|child| self.decide_one(child, res_type, &judged, Action::Read));
                if seen {
                    single.push(version.id.clone());
                }
            }
        }
        // What belongs to no child is professionals' and systems' to see (as `allows` says);
        // a Patient always is a child.
        let orphans = res_type != "Patient"
            && res_type != "AuditEvent"
            && matches!(self.caller.role, Role::Professional | Role::System);
        criteria.within(registry, res_type, whole, single, orphans);
        Ok(())
    }

    fn decide_one(&self, child: &Child, res_type: &str, judged: &Judged, action: Action) -> bool {
        let reference = format!("{res_type}/{}", judged.id);
        let target = Target {
            resource_type: res_type,
            reference: &reference,
            domains: &judged.domains,
        };
        policy::decide(&self.caller, child, target, action, &self.moment)
    }

    /// Whether the caller may see this stored version (its content; a deletion is visible
    /// when the caller may see the version before it, which the caller passes instead).
    pub fn may_see(&self, store: &Store, version: &Version) -> Result<bool, FhirError> {
        if self.unrestricted() {
            return Ok(true);
        }
        let Some(judged) = self.facts.judge(store.search_parameters(), version) else {
            return Ok(false);
        };
        self.permits(store, &version.res_type, &judged, Action::Read)
    }

    /// Whether the caller may see a stored version; a deletion by the version before it.
    pub fn sees(&self, store: &Store, version: &Version) -> Result<bool, FhirError> {
        if self.unrestricted() {
            return Ok(true);
        }
        if !version.deleted {
            return self.may_see(store, version);
        }
        match store.vread(&version.res_type, &version.id, version.version - 1)? {
            Some(before) if !before.deleted => self.may_see(store, &before),
            _ => Ok(false),
        }
    }

    /// Whether the caller may do `action` on `resource` (as JSON, with its `id` when it has
    /// one).
    pub fn allows(
        &self,
        store: &Store,
        res_type: &str,
        resource: &Value,
        action: Action,
    ) -> Result<bool, FhirError> {
        if self.unrestricted() {
            return Ok(true);
        }
        let judged = Judged::of(store.search_parameters(), res_type, resource);
        self.permits(store, res_type, &judged, action)
    }

    /// [`allows`](Self::allows), with what the decision needs of the resource worked out.
    fn permits(
        &self,
        store: &Store,
        res_type: &str,
        judged: &Judged,
        action: Action,
    ) -> Result<bool, FhirError> {
        if self.unrestricted() {
            return Ok(true);
        }
        if res_type == "AuditEvent" && self.caller.auditor() {
            return Ok(action == Action::Read);
        }
        if res_type == "Subscription" {
            // The registered system that made it reads and changes it; nobody else sees it
            // (its channel may hold the endpoint's credentials).
            return Ok(self.caller.client.is_some()
                && judged.subscriber.as_deref() == self.caller.client.as_deref());
        }
        let registry = store.search_parameters();
        if !in_compartment(registry, res_type) {
            // Nobody's data: anyone reads it, the family writes none of it.
            return Ok(action == Action::Read
                || matches!(self.caller.role, Role::Professional | Role::System));
        }
        let (id, owners) = (judged.id.as_str(), judged.owners.as_slice());
        if owners.is_empty() && res_type == "AuditEvent" {
            // A refusal that touched no child: the auditors' alone.
            return Ok(false);
        }
        if owners.is_empty() {
            // In the compartment but of no child (a Patient being created, …).
            let new_patient = res_type == "Patient" && id.is_empty();
            return Ok(
                matches!(self.caller.role, Role::Professional | Role::System)
                    && (action == Action::Read || new_patient || res_type != "Patient"),
            );
        }
        let children = self.children(store, owners)?;
        let mut permitted = children
            .iter()
            .map(|child| self.decide_one(child, res_type, judged, action));
        Ok(match action {
            // Seen when one of its children permits it; written when all of them do.
            Action::Read => permitted.any(|p| p),
            Action::Write => permitted.all(|p| p),
        })
    }

    /// 403 (or 404 for what the caller may not see) unless the caller may write `new` over
    /// `old`.
    pub fn may_write(
        &self,
        store: &Store,
        res_type: &str,
        old: Option<&Value>,
        new: Option<&Value>,
    ) -> Result<(), FhirError> {
        if self.unrestricted() {
            return Ok(());
        }
        // The children of each resource, worked out once for the decisions and the trail.
        let registry = store.search_parameters();
        let old = old.map(|r| (r, Judged::of(registry, res_type, r)));
        let new = new.map(|r| (r, Judged::of(registry, res_type, r)));
        let mut patients: Vec<String> = Vec::new();
        for (_, judged) in old.iter().chain(new.iter()) {
            for patient in &judged.owners {
                if !patients.contains(patient) {
                    patients.push(patient.clone());
                }
            }
        }
        let what = old
            .as_ref()
            .or(new.as_ref())
            .and_then(|(r, _)| id_of(r))
            .map(|id| format!("{res_type}/{id}"));
        let checked = self.may_write_unnoted(store, res_type, old.as_ref(), new.as_ref());
        match &checked {
            Err(_) => self.trail.denied(&patients, what),
            Ok(()) if new.is_none() => self.deleted_of.lock().expect("gate lock").extend(patients),
            Ok(()) => {}
        }
        checked
    }

    fn may_write_unnoted(
        &self,
        store: &Store,
        res_type: &str,
        old: Option<&(&Value, Judged)>,
        new: Option<&(&Value, Judged)>,
    ) -> Result<(), FhirError> {
        if let Some((_, judged)) = old {
            if !self.permits(store, res_type, judged, Action::Read)? {
                return Err(FhirError::not_found(format!(
                    "{res_type}/{} is not known",
                    judged.id
                )));
            }
            if !self.permits(store, res_type, judged, Action::Write)? {
                return Err(forbidden(format!(
                    "You may not change {res_type}/{}",
                    judged.id
                )));
            }
        }
        if let Some((_, judged)) = new {
            if !self.permits(store, res_type, judged, Action::Write)? {
                return Err(forbidden(format!(
                    "You may not write this {res_type} for the child it belongs to"
                )));
            }
        }
        if res_type == "Goal" && matches!(self.caller.role, Role::Child | Role::Parent) {
            // The family's goals and wishes are their own words: a family member writes only
            // goals it expressed itself.
            let own = |goal: &Value| {
                goal.get("expressedBy")
                    .and_then(|e| e.get("reference"))
                    .and_then(Value::as_str)
                    .is_some_and(|r| {
                        self.caller
                            .references
                            .iter()
                            .any(|me| r == me || r.ends_with(&format!("/{me}")))
                    })
            };
            if old.is_some_and(|(old, _)| !own(old)) {
                return Err(forbidden(
                    "From a PGO you change only the goals you expressed yourself (Goal.expressedBy)",
                ));
            }
            if new.is_some_and(|(new, _)| !own(new)) {
                return Err(forbidden(format!(
                    "A goal written from a PGO is in your own words: its expressedBy names you ({})",
                    self.caller.references.first().map_or("", String::as_str)
                )));
            }
        }
        Ok(())
    }

    /// 403/404 unless the caller may write `new` (`None`: a deletion) over the current
    /// version of `res_type/id` (`None`: a create).
    pub fn check_write(
        &self,
        store: &Store,
        res_type: &str,
        id: Option<&str>,
        new: Option<&Value>,
    ) -> Result<(), FhirError> {
        if self.unrestricted() {
            return Ok(());
        }
        let old = match id {
            Some(id) => store
                .read(res_type, id)?
                .filter(|v| !v.deleted)
                .as_ref()
                .and_then(Version::resource),
            None => None,
        };
        self.may_write(store, res_type, old.as_ref(), new)
    }

    /// For a conditional write: narrows `criteria` to what the caller may see, then checks
    /// the write over the one resource they find, if one.
    pub fn check_conditional_write(
        &self,
        store: &Store,
        res_type: &str,
        criteria: &mut Criteria,
        new: Option<&Value>,
    ) -> Result<(), FhirError> {
        if self.unrestricted() {
            return Ok(());
        }
        self.restrict(store, res_type, criteria)?;
        let page = store.search(res_type, criteria, 2, &PageAt::First)?;
        match page.matches.as_slice() {
            [one] => self.check_write(store, res_type, Some(&one.id), new),
            _ => self.check_write(store, res_type, None, new),
        }
    }

    /// Checks every write of a transaction before it is stored, and narrows its conditional
    /// parts (criteria and conditional references) to what the caller may see, so that
    /// they cannot find or change hidden resources. An error names the entry (`index` of
    /// each write among the Bundle's entries).
    pub fn check_transaction(
        &self,
        store: &Store,
        transaction: &mut Transaction,
        index: &[usize],
    ) -> Result<(), FhirError> {
        for (n, entry) in transaction.entries.iter().enumerate() {
            let interaction = match entry.request {
                Request::Create { .. } => Interaction::Create,
                Request::Delete { .. } | Request::ConditionalDelete { .. } => Interaction::Delete,
                _ => Interaction::Update,
            };
            audit::writable(&entry.res_type, interaction)
                .map_err(|e| e.in_entry(index.get(n).copied().unwrap_or(n)))?;
        }
        if self.unrestricted() {
            return Ok(());
        }
        for (res_type, criteria) in transaction.conditional_references.values_mut() {
            if !self.caller.may(res_type, Interaction::Search) {
                return Err(forbidden(format!(
                    "The token's scopes do not permit searching {res_type}, which a conditional reference does"
                )));
            }
            self.restrict(store, res_type, criteria)?;
        }
        // The children the entries' resources will refer to: conditional references to a
        // Patient as they resolve now, and the fullUrls of entries that update a Patient by
        // id. (A Patient the transaction creates is a new child.)
        let mut children: HashMap<String, String> = HashMap::new();
        for (reference, (res_type, criteria)) in &transaction.conditional_references {
            if res_type == "Patient" {
                if let [one] = store
                    .search("Patient", criteria, 2, &PageAt::First)?
                    .matches
                    .as_slice()
                {
                    children.insert(reference.clone(), format!("Patient/{}", one.id));
                }
            }
        }
        for entry in &transaction.entries {
            if let (Some(url), "Patient", Request::Update { id, .. }) =
                (&entry.full_url, entry.res_type.as_str(), &entry.request)
            {
                children.insert(url.clone(), format!("Patient/{id}"));
            }
        }
        for (n, entry) in transaction.entries.iter_mut().enumerate() {
            let res_type = entry.res_type.as_str();
            let at = |e: FhirError| e.in_entry(index.get(n).copied().unwrap_or(n));
            // Judged with those references as they will be stored.
            let resolved = entry.resource.clone().map(|mut resource| {
                let _ = zorgplan_fhir::references::rewrite(
                    &mut resource,
                    &mut String::new(),
                    &mut |reference| Ok(children.get(reference).cloned()),
                );
                resource
            });
            let new = resolved.as_ref();
            let checked = match &mut entry.request {
                Request::Create { if_none_exist } => {
                    self.may_start(res_type, Interaction::Create).map_err(at)?;
                    match if_none_exist {
                        Some(criteria) => {
                            self.check_conditional_write(store, res_type, criteria, new)
                        }
                        None => self.check_write(store, res_type, None, new),
                    }
                }
                Request::Update { id, .. } => {
                    self.may_start(res_type, Interaction::Update).map_err(at)?;
                    self.check_write(store, res_type, Some(id), new)
                }
                Request::ConditionalUpdate { criteria, .. } => {
                    self.may_start(res_type, Interaction::Update).map_err(at)?;
                    self.check_conditional_write(store, res_type, criteria, new)
                }
                Request::Delete { id, .. } => {
                    self.may_start(res_type, Interaction::Delete).map_err(at)?;
                    self.check_write(store, res_type, Some(id), None)
                }
                Request::ConditionalDelete { criteria, .. } => {
                    self.may_start(res_type, Interaction::Delete).map_err(at)?;
                    self.check_conditional_write(store, res_type, criteria, None)
                }
            };
            checked.map_err(at)?;
        }
        Ok(())
    }

    /// Of `versions`, those the caller may see (deletions, which show nothing, kept), noted
    /// in the audit trail as disclosed: each is parsed and its children worked out once, for
    /// the decision and the trail. Those it may not see are left out without a note (history
    /// entries and includes of a request that is itself allowed).
    pub fn shown(&self, store: &Store, versions: Vec<Version>) -> Result<Vec<Version>, FhirError> {
        if self.unrestricted() {
            return Ok(versions);
        }
        let registry = store.search_parameters();
        let mut kept = Vec::with_capacity(versions.len());
        for version in versions {
            if version.deleted {
                kept.push(version);
                continue;
            }
            let Some(judged) = self.facts.judge(registry, &version) else {
                continue;
            };
            if self.permits(store, &version.res_type, &judged, Action::Read)? {
                self.trail
                    .note(&judged.owners, Some(audit::versioned(&version)), false);
                kept.push(version);
            }
        }
        Ok(kept)
    }
}

fn interaction_name(interaction: Interaction) -> &'static str {
    match interaction {
        Interaction::Create => "create",
        Interaction::Read => "read",
        Interaction::Update => "update",
        Interaction::Delete => "delete",
        Interaction::Search => "search",
    }
}

/// Whether resources of `res_type` belong to children.
fn in_compartment(registry: &Registry, res_type: &str) -> bool {
    res_type == "Patient" || !registry.patient_compartment(res_type).is_empty()
}

/// 400 for chains and `_has` that would test resources of the Patient compartment.
fn check_reach(registry: &Registry, conditions: &[Criterion]) -> Result<(), FhirError> {
    for condition in conditions {
        match condition {
            Criterion::Chain { code, targets } => {
                for (target, inner) in targets {
                    if target != "Patient" && in_compartment(registry, target) {
                        return Err(forbidden(format!(
                            "The chain {code}:{target} searches a child's {target} resources, which access control does not allow; search {target} itself"
                        )));
                    }
                    check_reach(registry, &inner.conditions)?;
                }
            }
            Criterion::Has { source_type, .. } if in_compartment(registry, source_type) => {
                return Err(forbidden(format!(
                    "_has:{source_type} searches a child's {source_type} resources, which access control does not allow; search {source_type} itself"
                )));
            }
            _ => {}
        }
    }
    Ok(())
}

/// The children a search is confined to by one of its conditions, when one is: a reference
/// parameter by which `res_type` belongs to a child's compartment, naming Patients only, a
/// compartment search, or `_id` of Patients. Every result is in the compartment of one of
/// them.
fn named_children(
    registry: &Registry,
    res_type: &str,
    conditions: &[Criterion],
) -> Option<Vec<String>> {
    let compartment = registry.patient_compartment(res_type);
    conditions.iter().find_map(|condition| {
        let named = match condition {
            Criterion::Id(ids) if res_type == "Patient" => ids.clone(),
            Criterion::Compartment {
                patients,
                ids,
                orphans: false,
                ..
            } if ids.is_empty() => patients.clone(),
            Criterion::Param {
                code,
                negated: false,
                values,
                ..
            } if compartment.contains(code) => {
                let only_patients = registry
                    .param(res_type, code)
                    .is_some_and(|p| p.targets == ["Patient"]);
                values
                    .iter()
                    .map(|value| match value {
                        SearchValue::Reference { res_type: t, id }
                            if t.as_deref() == Some("Patient")
                                || (t.is_none() && only_patients) =>
                        {
                            Some(id.clone())
                        }
                        _ => None,
                    })
                    .collect::<Option<Vec<String>>>()?
            }
            _ => return None,
        };
        (!named.is_empty()).then_some(named)
    })
}

fn id_of(resource: &Value) -> Option<&str> {
    resource.get("id").and_then(Value::as_str)
}

/// The children whose compartment a resource is in: a Patient itself, or the Patients its
/// compartment parameters refer to.
pub fn owners(registry: &Registry, res_type: &str, resource: &Value) -> Vec<String> {
    let mut ids = Vec::new();
    if res_type == "Patient" {
        ids.extend(id_of(resource).map(str::to_owned));
    }
    for code in registry.patient_compartment(res_type) {
        let Some(param) = registry.param(res_type, code) else {
            continue;
        };
        for value in zorgplan_search::extract(param, resource).unwrap_or_default() {
            if let IndexValue::Reference {
                res_type: Some(t),
                id: Some(id),
                ..
            } = value
            {
                if t == "Patient" && !ids.contains(&id) {
                    ids.push(id);
                }
            }
        }
    }
    ids
}

/// The resources of `res_type` that `params` find (all of them, a page at a time).
fn find(store: &Store, res_type: &str, params: &[(&str, &str)]) -> Result<Vec<Value>, FhirError> {
    let pairs: Vec<(String, String)> = params
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let (criteria, _) = Criteria::parse(store.search_parameters(), res_type, &pairs)?;
    Ok(all(store, res_type, &criteria)?
        .iter()
        .filter_map(Version::resource)
        .collect())
}

/// Every current resource of `res_type` that `criteria` find.
fn all(store: &Store, res_type: &str, criteria: &Criteria) -> Result<Vec<Version>, FhirError> {
    let mut found = Vec::new();
    let mut at = PageAt::First;
    loop {
        let page = store.search(res_type, criteria, 1000, &at)?;
        found.extend(page.matches);
        match page.next {
            Some(next) => at = PageAt::After(next),
            None => return Ok(found),
        }
    }
}

/// Who calls: the gate of a request, from its bearer token (or development mode).
/// `/metadata` and the SMART discovery document need no token.
pub async fn authenticate(req: &HttpRequest, state: &AppState) -> Result<Arc<Gate>, ApiError> {
    let tokens = match &state.config.auth {
        Authentication::Development => return Ok(development_gate()),
        Authentication::Tokens(tokens) => tokens.clone(),
    };
    let header = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let provenance = match req.headers().get("x-provenance") {
        None => None,
        Some(value) => Some(x_provenance(state, value.to_str().unwrap_or_default())?),
    };
    let certificate = req.conn_data::<PeerCertificate>();
    let Some(header) = header else {
        // Mutual TLS: a registered client's certificate stands for the client.
        let client = certificate.and_then(|c| {
            tokens
                .clients
                .iter()
                .find(|client| client.certificates.contains(&c.0))
        });
        let Some(client) = client else {
            return Err(unauthorized(
                "This server needs an access token (Authorization: Bearer <token>) or the TLS client certificate of a registered client",
                None,
            ));
        };
        let claims = registered(client, "mutual TLS");
        let key = format!("certificate {}", client.client_id);
        return gate_of(req, state, tokens.clone(), claims, provenance, key).await;
    };
    let token = header
        .strip_prefix("Bearer ")
        .or_else(|| header.strip_prefix("bearer "))
        .map(str::trim)
        .ok_or_else(|| {
            unauthorized(
                "The Authorization header must be 'Bearer <token>'",
                Some("invalid_request"),
            )
        })?;
    let claims = match state.verified.get(token) {
        Some(claims) => claims,
        None => {
            let claims = verify(&tokens, token)?;
            state.verified.put(token, &claims);
            claims
        }
    };
    let key = token.to_owned();
    gate_of(req, state, tokens, claims, provenance, key).await
}

/// The claims of a registered client acting on its registration (its certificate, or the
/// server acting for it), with the scopes it was registered with.
fn registered(client: &RegisteredClient, issuer: &str) -> zorgplan_auth::Claims {
    zorgplan_auth::Claims {
        subject: Some(client.client_id.clone()),
        client_id: Some(client.client_id.clone()),
        scopes: client.scopes.clone(),
        patient: None,
        fhir_user: None,
        expires_at: u64::MAX,
        issuer: issuer.into(),
        id: None,
    }
}

/// The gate of the registered client `client_id` outside a request (the notifier delivering
/// to it), with the scopes of its registration; in development mode, one that permits
/// everything. `None` when no such client is registered.
pub fn client_gate(
    store: &Store,
    auth: &Authentication,
    facts: &Arc<Facts>,
    client_id: Option<&str>,
) -> Result<Option<Gate>, FhirError> {
    let tokens = match auth {
        Authentication::Development => {
            return Ok(Some(Gate::new(Caller::development(), facts.clone())))
        }
        Authentication::Tokens(tokens) => tokens,
    };
    let Some(client) = client_id.and_then(|id| tokens.clients.iter().find(|c| c.client_id == id))
    else {
        return Ok(None);
    };
    let caller = professional_or_system(store, tokens, registered(client, "registration"))?;
    Ok(Some(Gate::new(caller, facts.clone())))
}

/// The gate of a caller with `claims` (presented as `key`: its token, or its client
/// certificate). Who they stand for is as current as the facts about children: a role or
/// membership that ends counts on the next request.
async fn gate_of(
    req: &HttpRequest,
    state: &AppState,
    tokens: Arc<Tokens>,
    claims: zorgplan_auth::Claims,
    provenance: Option<Value>,
    key: String,
) -> Result<Arc<Gate>, ApiError> {
    let caller = match family(&claims)? {
        // The child and its parents are who their token says; whether the RelatedPerson is
        // the child's is one of the child's facts, read with its networks and consents.
        Some(caller) => caller,
        None => {
            // Counted before the caller is read, as for the facts about children.
            let writes = state.store.local_writes(&CALLER_TYPES);
            match state.verified.caller(&key, writes) {
                Some(caller) => caller,
                None => {
                    let store = state.store.clone();
                    let caller =
                        crate::blocking(move || professional_or_system(&store, &tokens, claims))
                            .await?;
                    state.verified.keep_caller(key, &caller, writes);
                    caller
                }
            }
        }
    };
    let mut gate = Gate::new(caller, state.facts.clone());
    let (interaction, action) = audit::Request::of(req.method().as_str(), req.path());
    gate.request = audit::Request {
        address: req.peer_addr().map(|a| a.ip().to_string()),
        interaction,
        action,
        request_id: req
            .extensions()
            .get::<crate::request_id::Id>()
            .map(|id| id.0.clone()),
    };
    gate.provenance = provenance;
    Ok(Arc::new(gate))
}

/// The SHA-256 fingerprint (lowercase hex) of the TLS client certificate of a connection,
/// kept with the connection when it has one (`on_connect` in `bind`).
#[derive(Debug, Clone)]
pub struct PeerCertificate(pub String);

/// The client certificate's fingerprint of a TLS connection (`HttpServer::on_connect`).
pub fn peer_certificate(connection: &dyn std::any::Any, data: &mut actix_web::dev::Extensions) {
    use actix_tls::accept::openssl::TlsStream;
    let Some(tls) = connection.downcast_ref::<TlsStream<actix_web::rt::net::TcpStream>>() else {
        return;
    };
    let digest = tls
        .ssl()
        .peer_certificate()
        .and_then(|c| c.digest(openssl::hash::MessageDigest::sha256()).ok());
    if let Some(digest) = digest {
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        data.insert(PeerCertificate(hex));
    }
}

/// The one gate of development mode, shared by every request: it permits everything and
/// records nothing, so it holds no state of a request.
fn development_gate() -> Arc<Gate> {
    static GATE: std::sync::OnceLock<Arc<Gate>> = std::sync::OnceLock::new();
    GATE.get_or_init(|| Arc::new(Gate::new(Caller::development(), Arc::default())))
        .clone()
}

/// The claims of an accepted token; 401 with the reason otherwise.
fn verify(tokens: &Tokens, token: &str) -> Result<zorgplan_auth::Claims, ApiError> {
    tokens.verify(token).map_err(|e| {
        let why = match e {
            TokenError::Expired => "The access token has expired".to_owned(),
            TokenError::NotYetValid => "The access token is not valid yet".to_owned(),
            TokenError::Audience => "The access token is meant for another server".to_owned(),
            TokenError::Issuer => {
                "The access token comes from an issuer this server does not trust".to_owned()
            }
            other => format!("The access token was refused: {other}"),
        };
        unauthorized(&why, Some("invalid_token"))
    })
}

/// Tokens verified recently, with their claims: a token's signature is checked once a
/// minute at most (never beyond its `exp`). And the professionals and systems that tokens
/// and client certificates stand for, kept as the facts about children are ([`Facts`]):
/// current while the store counts no write of a PractitionerRole or Organization since they
/// were read ([`Store::local_writes`]).
#[derive(Default)]
pub struct Verified {
    known: Mutex<HashMap<String, (zorgplan_auth::Claims, u64)>>,
    callers: Mutex<HashMap<String, (Caller, Checked)>>,
}

/// What a professional's or system's caller is read from.
const CALLER_TYPES: [&str; 2] = ["PractitionerRole", "Organization"];

/// Tokens kept at most (the map is emptied when it is full).
const TOKENS_KEPT: usize = 10_000;
/// Seconds a token's caller is kept.
const TOKEN_SECONDS: u64 = 60;

/// Seconds since the epoch (the time of tokens and codes).
pub(crate) fn now_seconds() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

impl Verified {
    fn get(&self, token: &str) -> Option<zorgplan_auth::Claims> {
        let known = self.known.lock().expect("verified tokens");
        let (claims, until) = known.get(token)?;
        (now_seconds() < *until).then(|| claims.clone())
    }

    fn put(&self, token: &str, claims: &zorgplan_auth::Claims) {
        let mut known = self.known.lock().expect("verified tokens");
        if known.len() >= TOKENS_KEPT {
            known.clear();
        }
        let until = claims.expires_at.min(now_seconds() + TOKEN_SECONDS);
        known.insert(token.to_owned(), (claims.clone(), until));
    }

    /// The caller `key` stood for, when no write of [`CALLER_TYPES`] was committed since it
    /// was read (`writes`: the store's count now).
    fn caller(&self, key: &str, writes: Option<u64>) -> Option<Caller> {
        let callers = self.callers.lock().expect("verified tokens");
        let (caller, checked) = callers.get(key)?;
        checked.holds(writes).then(|| caller.clone())
    }

    fn keep_caller(&self, key: String, caller: &Caller, writes: Option<u64>) {
        if writes.is_none() {
            // Never used (`Checked::holds`): not kept.
            return;
        }
        let mut callers = self.callers.lock().expect("verified tokens");
        if callers.len() >= TOKENS_KEPT {
            callers.clear();
        }
        callers.insert(key, (caller.clone(), Checked::now(writes)));
    }
}

/// The Provenance of an `X-Provenance` header: a Provenance resource as JSON, valid once the
/// server adds its target and time (400 otherwise).
fn x_provenance(state: &AppState, text: &str) -> Result<Value, ApiError> {
    let bad = |why: String| ApiError::from(FhirError::bad_request(format!("X-Provenance: {why}")));
    let provenance =
        zorgplan_fhir::json::parse_resource(text.as_bytes(), Some("Provenance"), state.config.json)
            .map_err(|e| bad(e.to_string()))?;
    if provenance.get("resourceType").and_then(Value::as_str) != Some("Provenance") {
        return Err(bad("the header must hold a Provenance resource".into()));
    }
    if provenance.get("target").is_some() {
        return Err(bad(
            "the target is the server's to set: it is what the request writes".into(),
        ));
    }
    let mut probe = provenance.clone();
    probe["target"] = serde_json::json!([{"reference": "Patient/x"}]);
    probe["recorded"] = serde_json::json!(Timestamp::now().to_instant());
    if probe.get("agent").is_none() {
        probe["agent"] = serde_json::json!([{"who": {"display": "x"}}]);
    }
    let issues = state.validator.validate(&probe);
    if zorgplan_validator::has_errors(&issues) {
        return Err(FhirError::with_issues(ErrorKind::BadRequest, issues).into());
    }
    Ok(provenance)
}

/// `fhirUser` as a type and an id: it may be an absolute URL, whose last two segments name
/// the resource.
fn fhir_user(claims: &zorgplan_auth::Claims) -> Option<(&str, &str)> {
    let mut parts = claims.fhir_user.as_deref()?.rsplit('/');
    let id = parts.next().unwrap_or_default();
    Some((parts.next().unwrap_or_default(), id))
}

/// The caller of a token of the child (`fhirUser` its Patient) or of a parent (`fhirUser` a
/// RelatedPerson, `patient` the child); `None` for other tokens. Whether the RelatedPerson
/// is the child's the policy finds among the child's facts ([`policy::acts_for`]).
fn family(claims: &zorgplan_auth::Claims) -> Result<Option<Caller>, FhirError> {
    let Some((t, id)) =
        fhir_user(claims).filter(|(t, _)| matches!(*t, "Patient" | "RelatedPerson"))
    else {
        return Ok(None);
    };
    let role = if t == "Patient" {
        if claims.patient.as_deref().is_some_and(|p| p != id) {
            return Err(forbidden(
                "The token's fhirUser and patient name different children",
            ));
        }
        Role::Child
    } else {
        Role::Parent
    };
    let child = match (role, &claims.patient) {
        (_, Some(patient)) => patient.clone(),
        (Role::Child, None) => id.to_owned(),
        _ => {
            return Err(forbidden(
                "A parent's token names the child it acts for (the launch context's patient)",
            ))
        }
    };
    Ok(Some(Caller {
        role,
        references: vec![format!("{t}/{id}")],
        child: Some(child),
        scopes: claims.scopes.clone(),
        subject: subject(claims),
        client: None,
    }))
}

/// Who the token was issued to, or its client.
fn subject(claims: &zorgplan_auth::Claims) -> String {
    claims
        .subject
        .clone()
        .or_else(|| claims.client_id.clone())
        .unwrap_or_default()
}

/// The caller of an accepted token that [`family`] does not answer, read from the store: a
/// professional (a Practitioner or PractitionerRole, with its roles and their
/// organisations), or a registered system client (its organisation, by URA).
fn professional_or_system(
    store: &Store,
    tokens: &Tokens,
    claims: zorgplan_auth::Claims,
) -> Result<Caller, FhirError> {
    let mut caller = Caller {
        role: Role::System,
        references: Vec::new(),
        child: None,
        scopes: claims.scopes.clone(),
        subject: subject(&claims),
        client: None,
    };
    let current = |t: &str, id: &str| -> Result<Option<Value>, FhirError> {
        Ok(store
            .read(t, id)?
            .filter(|v| !v.deleted)
            .as_ref()
            .and_then(Version::resource))
    };
    match fhir_user(&claims) {
        Some((t, id)) if t == "Practitioner" || t == "PractitionerRole" => {
            caller.role = Role::Professional;
            let roles = if t == "Practitioner" {
                caller.references.push(format!("Practitioner/{id}"));
                find(store, "PractitionerRole", &[("practitioner", &format!("Practitioner/{id}"))])?
            } else {
                current("PractitionerRole", id)?.into_iter().collect()
            };
            for role in roles {
                if role.get("active").and_then(Value::as_bool) == Some(false) {
                    continue;
                }
                if let Some(role_id) = id_of(&role) {
                    push(&mut caller.references, format!("PractitionerRole/{role_id}"));
                }
                for element in ["practitioner", "organization"] {
                    if let Some(r) = role.get(element).and_then(|r| r.get("reference")).and_then(Value::as_str) {
                        push(&mut caller.references, r.to_owned());
                    }
                }
            }
            if caller.references.is_empty() {
                return Err(forbidden(format!("{t}/{id} is not known")));
            }
        }
        Some((t, _)) => {
            return Err(forbidden(format!(
                "fhirUser must name a Patient, RelatedPerson, Practitioner or PractitionerRole, not a {t}"
            )))
        }
        None => {
            let client = claims
                .client_id
                .as_deref()
                .and_then(|id| tokens.clients.iter().find(|c| c.client_id == id))
                .ok_or_else(|| forbidden("The token names neither a user (fhirUser) nor a registered system client"))?;
            caller.client = Some(client.client_id.clone());
            let identifier = format!("{URA}|{}", client.ura);
            for organisation in find(store, "Organization", &[("identifier", &identifier)])? {
                if let Some(id) = id_of(&organisation) {
                    let reference = format!("Organization/{id}");
                    for role in find(store, "PractitionerRole", &[("organization", &reference)])? {
                        if let Some(role_id) = id_of(&role) {
                            push(&mut caller.references, format!("PractitionerRole/{role_id}"));
                        }
                    }
                    push(&mut caller.references, reference);
                }
            }
        }
    }
    Ok(caller)
}

fn push(list: &mut Vec<String>, item: String) {
    if !list.contains(&item) {
        list.push(item);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registered_apps_and_systems_have_scopes_of_their_context_only() {
        use zorgplan_auth::{Context, Scopes};
        assert!(only(
            &Scopes::parse("patient/*.rs openid"),
            Context::Patient
        ));
        assert!(!only(&Scopes::parse("patient/*.rs"), Context::System));
        assert!(only(&Scopes::parse("system/*.cruds"), Context::System));
        assert!(!only(
            &Scopes::parse("system/*.read patient/*.rs"),
            Context::System
        ));
        assert!(!only(&Scopes::parse("openid fhirUser"), Context::Patient));
    }

    #[test]
    fn the_dutch_day_follows_summer_time() {
        let at = |s: &str| Timestamp::parse_instant(s).unwrap().0;
        // 23:30 UTC is already the next day in Amsterdam, in winter and in summer.
        assert_eq!(dutch_day(at("2026-12-06T23:30:00Z")), "2026-12-07");
        assert_eq!(dutch_day(at("2026-07-01T22:30:00Z")), "2026-07-02");
        assert_eq!(dutch_day(at("2026-07-01T21:30:00Z")), "2026-07-01");
        assert_eq!(dutch_day(at("2026-12-06T22:30:00Z")), "2026-12-06");
        // Summer time starts on 29 March 2026 at 01:00 UTC.
        assert_eq!(dutch_day(at("2026-03-28T22:30:00Z")), "2026-03-28");
        assert_eq!(dutch_day(at("2026-03-29T22:30:00Z")), "2026-03-30");
    }
}
