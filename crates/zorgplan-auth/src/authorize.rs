//! The authorisation-code grant for PGO apps (RFC 6749 §4.1, with PKCE S256 as RFC 7636 and
//! SMART App Launch's standalone launch ask): a family member signs in at this server, which
//! finds who they are in the child's plan, and the app gets an access token bound to that
//! child. HTTP and the sign-in itself are the server's; this module checks the app's request,
//! keeps the codes and checks their redemption.
//!
//! A PGO app is a public client: registered with its redirect URIs and the scopes it may be
//! given (`patient/…`, `launch/patient`, `openid`, `fhirUser`), without a secret, so every
//! request must carry a PKCE challenge (S256). A code lives a minute and is good once.

use crate::scopes::Scopes;
use crate::service::Refusal;
use base64::Engine;
use std::collections::HashMap;
use std::sync::Mutex;

/// How long a code may wait for its token request, in seconds.
pub const CODE_SECONDS: u64 = 60;

/// A registered PGO app.
#[derive(Debug, Clone)]
pub struct RegisteredApp {
    pub client_id: String,
    /// Where it may be sent back to, exactly.
    pub redirect_uris: Vec<String>,
    /// The scopes it may be given.
    pub scopes: Scopes,
    pub scope_text: String,
}

/// An app's authorisation request, checked: what it will be granted once the family member
/// signs in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizeRequest {
    pub client_id: String,
    pub redirect_uri: String,
    /// The scopes granted: those asked for that the registration covers.
    pub scope: String,
    pub state: Option<String>,
    /// The PKCE challenge (S256).
    pub code_challenge: String,
}

/// Why an authorisation request is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthorizeError {
    /// The app or its redirect URI is not known: the user is told, and not sent anywhere
    /// (RFC 6749 §4.1.2.1).
    Page(String),
    /// Sent back to the app's redirect URI as `error`, `error_description` and `state`.
    Redirect {
        redirect_uri: String,
        error: &'static str,
        description: String,
        state: Option<String>,
    },
}

/// Checks an authorisation request (its query parameters) against the registered apps;
/// `audience` is this server's FHIR base URL, which SMART's `aud` must name.
pub fn check(
    params: &[(String, String)],
    apps: &[RegisteredApp],
    audience: &str,
) -> Result<AuthorizeRequest, AuthorizeError> {
    let field = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let client_id = field("client_id").unwrap_or_default();
    let app = apps
        .iter()
        .find(|a| a.client_id == client_id)
        .ok_or_else(|| AuthorizeError::Page(format!("Onbekende app '{client_id}'")))?;
    let redirect_uri = field("redirect_uri").unwrap_or_default();
    if !app.redirect_uris.iter().any(|r| r == redirect_uri) {
        return Err(AuthorizeError::Page(format!(
            "De app {client_id} mag niet terugkeren naar '{redirect_uri}'"
        )));
    }
    let state = field("state").map(str::to_owned);
    let refuse = |error: &'static str, description: String| AuthorizeError::Redirect {
        redirect_uri: redirect_uri.to_owned(),
        error,
        description,
        state: state.clone(),
    };
    if field("response_type") != Some("code") {
        return Err(refuse(
            "unsupported_response_type",
            "response_type must be code".into(),
        ));
    }
    if field("aud").map(|a| a.trim_end_matches('/')) != Some(audience.trim_end_matches('/')) {
        return Err(refuse(
            "invalid_request",
            format!("aud must be this server's FHIR base URL, {audience}"),
        ));
    }
    let code_challenge = field("code_challenge").unwrap_or_default();
    if field("code_challenge_method") != Some("S256") || code_challenge.len() < 43 {
        return Err(refuse(
            "invalid_request",
            "a PKCE code_challenge with code_challenge_method S256 is required".into(),
        ));
    }
    let asked = Scopes::parse(field("scope").unwrap_or_default());
    let mut granted: Vec<String> = asked
        .resources
        .iter()
        .filter(|s| s.context == crate::scopes::Context::Patient && app.scopes.covers_scope(s))
        .map(ToString::to_string)
        .collect();
    if granted.is_empty() {
        return Err(refuse(
            "invalid_scope",
            format!(
                "none of the scopes asked for is a patient/ scope within the app's registration ('{}')",
                app.scope_text
            ),
        ));
    }
    for other in &asked.other {
        if matches!(other.as_str(), "launch/patient" | "openid" | "fhirUser")
            && app.scopes.has(other)
        {
            granted.push(other.clone());
        }
    }
    Ok(AuthorizeRequest {
        client_id: client_id.to_owned(),
        redirect_uri: redirect_uri.to_owned(),
        scope: granted.join(" "),
        state,
        code_challenge: code_challenge.to_owned(),
    })
}

/// What a code stands for: the request, and who signed in for which child.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub request: AuthorizeRequest,
    /// `Patient/…` (the child itself) or `RelatedPerson/…` (a parent).
    pub fhir_user: String,
    /// The id of the child's Patient.
    pub patient: String,
}

/// The codes given out and not yet redeemed.
#[derive(Default)]
pub struct Codes {
    codes: Mutex<HashMap<String, (Grant, u64)>>,
}

impl Codes {
    /// A new code for `grant`, at `now` (seconds since the epoch).
    pub fn issue(&self, grant: Grant, now: u64) -> String {
        let code = format!(
            "{}{}",
            uuid::Uuid::new_v4().simple(),
            uuid::Uuid::new_v4().simple()
        );
        let mut codes = self.codes.lock().expect("codes");
        codes.retain(|_, (_, expires)| *expires >= now);
        codes.insert(code.clone(), (grant, now + CODE_SECONDS));
        code
    }

    /// Redeems `code` (once) with the token request's fields.
    pub fn redeem(
        &self,
        code: &str,
        client_id: Option<&str>,
        redirect_uri: Option<&str>,
        verifier: Option<&str>,
        now: u64,
    ) -> Result<Grant, Refusal> {
        let grant = self.codes.lock().expect("codes").remove(code);
        let refuse = |description: &str| Refusal {
            error: "invalid_grant",
            description: description.to_owned(),
        };
        let Some((grant, expires)) = grant else {
            return Err(refuse("the code is not known, or was used before"));
        };
        if expires < now {
            return Err(refuse("the code has expired"));
        }
        if client_id != Some(grant.request.client_id.as_str()) {
            return Err(refuse("the code was given to another client"));
        }
        if redirect_uri != Some(grant.request.redirect_uri.as_str()) {
            return Err(refuse(
                "redirect_uri differs from the authorisation request's",
            ));
        }
        let Some(verifier) = verifier else {
            return Err(refuse("code_verifier is missing"));
        };
        if challenge(verifier) != grant.request.code_challenge {
            return Err(refuse("code_verifier does not match the code_challenge"));
        }
        Ok(grant)
    }
}

/// The S256 challenge of a PKCE verifier: BASE64URL(SHA-256(verifier)), without padding.
pub fn challenge(verifier: &str) -> String {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, verifier.as_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest.as_ref())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app() -> RegisteredApp {
        RegisteredApp {
            client_id: "pgo".into(),
            redirect_uris: vec!["https://pgo.example/terug".into()],
            scopes: Scopes::parse("launch/patient openid fhirUser patient/*.cruds"),
            scope_text: "launch/patient openid fhirUser patient/*.cruds".into(),
        }
    }

    fn params(change: &[(&str, &str)]) -> Vec<(String, String)> {
        let mut params: Vec<(String, String)> = [
            ("response_type", "code"),
            ("client_id", "pgo"),
            ("redirect_uri", "https://pgo.example/terug"),
            (
                "scope",
                "launch/patient openid fhirUser patient/*.rs user/*.rs",
            ),
            ("state", "x1"),
            ("aud", "https://zorgplan.example/fhir"),
            (
                "code_challenge",
                &challenge("een-geheim-van-minstens-drieenveertig-tekens-lang"),
            ),
            ("code_challenge_method", "S256"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        for (k, v) in change {
            params.retain(|(name, _)| name != k);
            if !v.is_empty() {
                params.push((k.to_string(), v.to_string()));
            }
        }
        params
    }

    #[test]
    fn the_challenge_is_rfc_7636s() {
        // RFC 7636, appendix B.
        assert_eq!(
            challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn requests_are_checked_and_scopes_narrowed() {
        let audience = "https://zorgplan.example/fhir";
        let request = check(&params(&[]), &[app()], audience).unwrap();
        assert_eq!(request.scope, "patient/*.rs launch/patient openid fhirUser");
        assert!(matches!(
            check(&params(&[("client_id", "vreemd")]), &[app()], audience),
            Err(AuthorizeError::Page(_))
        ));
        assert!(matches!(
            check(
                &params(&[("redirect_uri", "https://kwaad.example/")]),
                &[app()],
                audience
            ),
            Err(AuthorizeError::Page(_))
        ));
        for (change, error) in [
            (("code_challenge_method", "plain"), "invalid_request"),
            (("code_challenge", ""), "invalid_request"),
            (("aud", "https://elders.example/fhir"), "invalid_request"),
            (("response_type", "token"), "unsupported_response_type"),
            (("scope", "user/*.rs openid"), "invalid_scope"),
        ] {
            match check(&params(&[change]), &[app()], audience) {
                Err(AuthorizeError::Redirect {
                    error: e, state, ..
                }) => {
                    assert_eq!(e, error, "{change:?}");
                    assert_eq!(state.as_deref(), Some("x1"));
                }
                other => panic!("{change:?}: {other:?}"),
            }
        }
    }

    #[test]
    fn a_code_is_redeemed_once_by_its_client_with_its_verifier() {
        let verifier = "een-geheim-van-minstens-drieenveertig-tekens-lang";
        let request = check(&params(&[]), &[app()], "https://zorgplan.example/fhir").unwrap();
        let grant = Grant {
            request,
            fhir_user: "RelatedPerson/moeder".into(),
            patient: "kind".into(),
        };
        let codes = Codes::default();
        let redirect = Some("https://pgo.example/terug");
        let code = codes.issue(grant.clone(), 1000);
        let refused = codes.redeem(&code, Some("pgo"), redirect, Some("verkeerd"), 1001);
        assert_eq!(refused.unwrap_err().error, "invalid_grant");
        // A failed redemption uses the code up too.
        assert!(codes
            .redeem(&code, Some("pgo"), redirect, Some(verifier), 1001)
            .is_err());
        let code = codes.issue(grant.clone(), 1000);
        assert!(codes
            .redeem(&code, Some("ander"), redirect, Some(verifier), 1001)
            .is_err());
        let code = codes.issue(grant.clone(), 1000);
        assert!(codes
            .redeem(
                &code,
                Some("pgo"),
                redirect,
                Some(verifier),
                1000 + CODE_SECONDS + 1
            )
            .is_err());
        let code = codes.issue(grant.clone(), 1000);
        assert_eq!(
            codes.redeem(&code, Some("pgo"), redirect, Some(verifier), 1001),
            Ok(grant)
        );
        assert!(codes
            .redeem(&code, Some("pgo"), redirect, Some(verifier), 1002)
            .is_err());
    }
}
