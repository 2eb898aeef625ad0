//! Signing in with a PGO app: the authorisation endpoint of the authorisation-code grant
//! (`GET /auth/authorize`), the sign-in of the family member with the deployment's identity
//! provider (`POST /auth/login`) and, for a parent of several children, the choice of the
//! child (`POST /auth/choose`). The app then redeems the code at `POST /auth/token`
//! (`zorgplan_auth::service`) for a token bound to that child.
//!
//! The identity provider tells who signed in by their BSN ([`IdentityProvider`]); the server
//! finds them in the plans: as a child (a Patient with that BSN) or as a parent or carer (an
//! active RelatedPerson with that BSN, for its child). What the token then lets them see is
//! the access policy's, on every request (age bands, authority, consents). [`TestLogin`] is
//! a provider for development and acceptance environments: the BSN is typed in.

use crate::access::{now_seconds, Authentication};
use crate::body::read_bytes;
use crate::error::ApiResult;
use crate::interaction::zorgplan::name_of;
use crate::params::query_pairs;
use crate::respond::base_url;
use crate::{blocking, AppState};
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Mutex;
use zorgplan_auth::authorize::{self, AuthorizeError, AuthorizeRequest, Grant};
use zorgplan_fhir::xml::escape;
use zorgplan_fhir::FhirError;
use zorgplan_store::{Criteria, PageAt, Store, Version};

const BSN: &str = "http://fhir.nl/fhir/NamingSystem/bsn";

/// Seconds a sign-in may take, from the app's request to the choice of the child.
const SIGN_IN_SECONDS: u64 = 600;

/// Who signed in: the deployment's sign-in (DigiD through a broker, in production).
pub trait IdentityProvider: Send + Sync {
    /// The fields of the sign-in form (HTML inside a form that posts them to
    /// `/auth/login`, with the pending request).
    fn form_fields(&self) -> String;
    /// The BSN of the person the posted form identifies, or why it does not.
    fn identify(&self, form: &[(String, String)]) -> Result<String, String>;
}

/// For development and acceptance environments only: whoever types a valid BSN is that
/// person.
pub struct TestLogin;

impl IdentityProvider for TestLogin {
    fn form_fields(&self) -> String {
        "<p><strong>Testinlog</strong>: alleen voor ontwikkeling en acceptatie, nooit met echte \
         gegevens.</p><label>BSN <input name=\"bsn\" inputmode=\"numeric\" autocomplete=\"off\"></label>"
            .into()
    }

    fn identify(&self, form: &[(String, String)]) -> Result<String, String> {
        let bsn = form
            .iter()
            .find(|(k, _)| k == "bsn")
            .map(|(_, v)| v.trim())
            .unwrap_or_default();
        if zorgplan_fhir::nl::is_valid_bsn(bsn) {
            Ok(bsn.to_owned())
        } else {
            Err("Dit is geen geldig BSN".into())
        }
    }
}

/// A child someone who signed in may act for.
#[derive(Debug, Clone)]
struct Choice {
    /// `Patient/…` (the child itself) or `RelatedPerson/…`.
    fhir_user: String,
    patient: String,
    label: String,
}

/// Sign-ins in progress: the app's request, and after the sign-in the children to choose
/// from.
#[derive(Default)]
pub struct SignIns {
    pending: Mutex<HashMap<String, SignIn>>,
}

/// A sign-in in progress: the app's request, the children offered (after the sign-in), and
/// until when (seconds since the epoch).
type SignIn = (AuthorizeRequest, Vec<Choice>, u64);

impl SignIns {
    fn start(&self, request: AuthorizeRequest) -> String {
        let id = uuid::Uuid::new_v4().simple().to_string();
        let mut pending = self.pending.lock().expect("sign-ins");
        let now = now_seconds();
        pending.retain(|_, (_, _, until)| *until >= now);
        pending.insert(id.clone(), (request, Vec::new(), now + SIGN_IN_SECONDS));
        id
    }

    fn get(&self, id: &str) -> Option<(AuthorizeRequest, Vec<Choice>)> {
        let pending = self.pending.lock().expect("sign-ins");
        pending
            .get(id)
            .filter(|(_, _, until)| *until >= now_seconds())
            .map(|(r, c, _)| (r.clone(), c.clone()))
    }

    fn offer(&self, id: &str, choices: Vec<Choice>) {
        if let Some(entry) = self.pending.lock().expect("sign-ins").get_mut(id) {
            entry.1 = choices;
        }
    }

    fn end(&self, id: &str) {
        self.pending.lock().expect("sign-ins").remove(id);
    }
}

fn page(status: StatusCode, title: &str, body: &str) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header(("X-Frame-Options", "DENY"))
        .insert_header(("Content-Security-Policy", "default-src 'none'; form-action 'self'"))
        .body(format!(
            "<!DOCTYPE html><html lang=\"nl\"><head><meta charset=\"utf-8\"><title>{t}</title></head>\
             <body><h1>{t}</h1>{body}</body></html>",
            t = escape(title)
        ))
}

fn not_offered() -> FhirError {
    FhirError::not_found(
        "This server offers no PGO sign-in: it has no registered apps with redirect URIs and no identity provider",
    )
}

/// `url` with `params` added to its query.
fn with_query(url: &str, params: &[(&str, &str)]) -> String {
    let mut serializer = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in params {
        serializer.append_pair(k, v);
    }
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}{}", serializer.finish())
}

fn redirect(location: &str) -> HttpResponse {
    HttpResponse::Found()
        .insert_header((header::LOCATION, location))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish()
}

/// `GET /auth/authorize`: the app's request, checked; the sign-in form.
pub async fn authorize(req: &HttpRequest, state: &AppState) -> ApiResult {
    let Authentication::Tokens(tokens) = &state.config.auth else {
        return Err(not_offered().into());
    };
    let Some(identity) = tokens
        .identity
        .as_ref()
        .filter(|_| tokens.service.is_some())
    else {
        return Err(not_offered().into());
    };
    let params = query_pairs(req.query_string());
    match authorize::check(&params, &tokens.apps, &base_url(req, state)) {
        Ok(request) => {
            let id = state.sign_ins.start(request);
            Ok(page(
                StatusCode::OK,
                "Inloggen bij het Zorgplan Kind&Gezin",
                &format!(
                    "<form method=\"post\" action=\"login\"><input type=\"hidden\" name=\"request\" value=\"{id}\">{}\
                     <button type=\"submit\">Inloggen</button></form>",
                    identity.form_fields()
                ),
            ))
        }
        Err(AuthorizeError::Page(why)) => Ok(page(
            StatusCode::BAD_REQUEST,
            "Deze app kan hier niet inloggen",
            &format!("<p>{}</p>", escape(&why)),
        )),
        Err(AuthorizeError::Redirect {
            redirect_uri,
            error,
            description,
            state: app_state,
        }) => {
            let mut params = vec![
                ("error", error),
                ("error_description", description.as_str()),
            ];
            if let Some(s) = &app_state {
                params.push(("state", s));
            }
            Ok(redirect(&with_query(&redirect_uri, &params)))
        }
    }
}

async fn form(
    req: &HttpRequest,
    payload: web::Payload,
) -> Result<Vec<(String, String)>, FhirError> {
    if !crate::body::is_form(req) {
        return Err(FhirError::bad_request(
            "A sign-in form is application/x-www-form-urlencoded",
        ));
    }
    let body = read_bytes(req, payload, 16 * 1024)
        .await
        .map_err(|e| e.error)?;
    Ok(query_pairs(&String::from_utf8_lossy(&body)))
}

fn field<'a>(form: &'a [(String, String)], name: &str) -> &'a str {
    form.iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.as_str())
}

fn expired() -> HttpResponse {
    page(
        StatusCode::BAD_REQUEST,
        "Inloggen is verlopen",
        "<p>Begin opnieuw vanuit de app.</p>",
    )
}

/// `POST /auth/login`: the sign-in; then the code, or the choice of the child.
pub async fn login(req: &HttpRequest, state: &AppState, payload: web::Payload) -> ApiResult {
    let Authentication::Tokens(tokens) = &state.config.auth else {
        return Err(not_offered().into());
    };
    let Some(identity) = tokens.identity.clone() else {
        return Err(not_offered().into());
    };
    let form = form(req, payload).await?;
    let id = field(&form, "request").to_owned();
    let Some((request, _)) = state.sign_ins.get(&id) else {
        return Ok(expired());
    };
    let bsn = match identity.identify(&form) {
        Ok(bsn) => bsn,
        Err(why) => {
            return Ok(page(
                StatusCode::UNAUTHORIZED,
                "Inloggen is niet gelukt",
                &format!(
                    "<p>{}</p><form method=\"post\" action=\"login\"><input type=\"hidden\" name=\"request\" value=\"{id}\">{}\
                     <button type=\"submit\">Inloggen</button></form>",
                    escape(&why),
                    identity.form_fields()
                ),
            ))
        }
    };
    let store = state.store.clone();
    let choices = blocking(move || children_of(&store, &bsn)).await?;
    match choices.as_slice() {
        [] => {
            state.sign_ins.end(&id);
            tracing::warn!(
                client = request.client_id,
                "PGO sign-in of someone in no plan"
            );
            Ok(page(
                StatusCode::FORBIDDEN,
                "Geen zorgplan gevonden",
                "<p>U staat niet als kind of als ouder in een zorgplan van deze server.</p>",
            ))
        }
        [one] => Ok(finish(state, &id, request, one.clone())),
        many => {
            let options: String = many
                .iter()
                .enumerate()
                .map(|(n, c)| {
                    format!(
                        "<p><label><input type=\"radio\" name=\"choice\" value=\"{n}\"{}> {}</label></p>",
                        if n == 0 { " checked" } else { "" },
                        escape(&c.label)
                    )
                })
                .collect();
            state.sign_ins.offer(&id, many.to_vec());
            Ok(page(
                StatusCode::OK,
                "Voor welk kind?",
                &format!(
                    "<form method=\"post\" action=\"choose\"><input type=\"hidden\" name=\"request\" value=\"{id}\">{options}\
                     <button type=\"submit\">Verder</button></form>"
                ),
            ))
        }
    }
}

/// `POST /auth/choose`: the child a parent of several acts for.
pub async fn choose(req: &HttpRequest, state: &AppState, payload: web::Payload) -> ApiResult {
    if !matches!(&state.config.auth, Authentication::Tokens(t) if t.identity.is_some()) {
        return Err(not_offered().into());
    }
    let form = form(req, payload).await?;
    let id = field(&form, "request");
    let Some((request, choices)) = state.sign_ins.get(id) else {
        return Ok(expired());
    };
    let choice = field(&form, "choice")
        .parse::<usize>()
        .ok()
        .and_then(|n| choices.get(n));
    match choice {
        Some(choice) => Ok(finish(state, id, request, choice.clone())),
        None => Ok(expired()),
    }
}

/// The code for the app, at its redirect URI.
fn finish(state: &AppState, id: &str, request: AuthorizeRequest, choice: Choice) -> HttpResponse {
    state.sign_ins.end(id);
    let Authentication::Tokens(tokens) = &state.config.auth else {
        return expired();
    };
    let Some(service) = &tokens.service else {
        return expired();
    };
    tracing::info!(
        client = request.client_id,
        fhir_user = choice.fhir_user,
        "PGO sign-in"
    );
    let redirect_uri = request.redirect_uri.clone();
    let app_state = request.state.clone();
    let code = service.codes.issue(
        Grant {
            request,
            fhir_user: choice.fhir_user,
            patient: choice.patient,
        },
        now_seconds(),
    );
    let mut params = vec![("code", code.as_str())];
    if let Some(s) = &app_state {
        params.push(("state", s));
    }
    redirect(&with_query(&redirect_uri, &params))
}

/// The children the person with `bsn` may act for in a PGO: itself (a Patient), and the
/// children of its active RelatedPersons.
fn children_of(store: &Store, bsn: &str) -> Result<Vec<Choice>, FhirError> {
    let registry = store.search_parameters();
    let find = |res_type: &str| -> Result<Vec<Value>, FhirError> {
        let params = [("identifier".to_owned(), format!("{BSN}|{bsn}"))];
        let (criteria, _) = Criteria::parse(registry, res_type, &params)?;
        Ok(store
            .search(res_type, &criteria, 20, &PageAt::First)?
            .matches
            .iter()
            .filter_map(Version::resource)
            .collect())
    };
    let name = |patient: &Value| name_of(patient).unwrap_or_default();
    let mut choices = Vec::new();
    for patient in find("Patient")? {
        if let Some(id) = patient["id"].as_str() {
            choices.push(Choice {
                fhir_user: format!("Patient/{id}"),
                patient: id.to_owned(),
                label: format!("Mijn eigen plan ({})", name(&patient)),
            });
        }
    }
    for related in find("RelatedPerson")? {
        if related["active"] == Value::Bool(false) {
            continue;
        }
        let (Some(id), Some(child)) = (
            related["id"].as_str(),
            related["patient"]["reference"]
                .as_str()
                .and_then(|r| r.strip_prefix("Patient/")),
        ) else {
            continue;
        };
        let child_name = store
            .read("Patient", child)?
            .filter(|v| !v.deleted)
            .and_then(|v| v.resource())
            .map(|p| name(&p))
            .unwrap_or_else(|| child.to_owned());
        choices.push(Choice {
            fhir_user: format!("RelatedPerson/{id}"),
            patient: child.to_owned(),
            label: format!("Het plan van {child_name}"),
        });
    }
    Ok(choices)
}
