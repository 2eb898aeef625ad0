//! The server's own token service (`POST /auth/token`). For SMART Backend Services: a
//! registered system client (an EPD) proves who it is with a JWT it signed with its private
//! key (`client_credentials` with a `private_key_jwt` client assertion), and gets a
//! short-lived access token of this server for the scopes it asked for and was registered
//! with. For PGO apps: `authorization_code` with the code of a family member's sign-in
//! ([`crate::authorize`]), giving a token with their `fhirUser` and the child as `patient`.
//!
//! The assertion must be signed (RS256, RS384, ES256 or ES384) by a key of the client's
//! registered JWKS, name the client as `iss` and `sub`, the token endpoint as `aud`, expire
//! within five minutes and carry a `jti` that the service has not seen before (while the
//! assertion lives): a replayed assertion is refused.

use crate::scopes::Scopes;
use crate::token::{TokenError, Verifier};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::json;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

/// How long an access token of the service lives, in seconds.
pub const ACCESS_TOKEN_SECONDS: u64 = 300;

/// The longest an assertion may live (`exp` at most this far ahead), in seconds.
pub const ASSERTION_MAX_SECONDS: u64 = 300;

/// A registered system client.
pub struct RegisteredClient {
    pub client_id: String,
    /// The URA number of the organisation it acts for.
    pub ura: String,
    /// The scopes it may be given (`system/…`).
    pub scopes: Scopes,
    /// Its scope text as registered.
    pub scope_text: String,
    /// Its public keys, checking assertions of `iss` = the client for `aud` = the token
    /// endpoint.
    pub keys: Verifier,
    /// The SHA-256 fingerprints (lowercase hex) of its TLS client certificates: a connection
    /// with one of them is this client, without a token (mutual TLS).
    pub certificates: Vec<String>,
}

/// A certificate fingerprint as the comparison needs it: lowercase hex without separators.
pub fn fingerprint(text: &str) -> String {
    text.chars()
        .filter(char::is_ascii_hexdigit)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Why a token request was refused, as RFC 6749 §5.2 names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// `invalid_request`, `invalid_client`, `invalid_grant`, `unauthorized_client`,
    /// `unsupported_grant_type` or `invalid_scope`.
    pub error: &'static str,
    pub description: String,
}

fn refuse(error: &'static str, description: impl Into<String>) -> Refusal {
    Refusal {
        error,
        description: description.into(),
    }
}

/// An issued access token.
#[derive(Debug, Clone)]
pub struct Issued {
    pub access_token: String,
    pub expires_in: u64,
    /// The scopes granted, separated by spaces.
    pub scope: String,
    pub client_id: String,
    /// The child the token is bound to (authorisation codes).
    pub patient: Option<String>,
}

/// The token service: signs this server's access tokens.
pub struct TokenService {
    /// This server's base URL: the `iss` and `aud` of its tokens.
    issuer: String,
    key: EncodingKey,
    algorithm: Algorithm,
    kid: String,
    /// Assertion ids seen, with their expiry (seconds since the epoch).
    seen: Mutex<HashMap<String, u64>>,
    /// Tokens issued so far (for their ids).
    issued: AtomicU64,
    /// The authorisation codes of PGO sign-ins, not yet redeemed.
    pub codes: crate::authorize::Codes,
}

impl TokenService {
    /// A service issuing tokens as `issuer`, signing with the private key `private_pem`
    /// (RSA: RS256, or P-256: ES256) named `kid`.
    pub fn new(issuer: &str, private_pem: &[u8], kid: &str) -> Result<TokenService, String> {
        let (key, algorithm) = match EncodingKey::from_rsa_pem(private_pem) {
            Ok(key) => (key, Algorithm::RS256),
            Err(_) => match EncodingKey::from_ec_pem(private_pem) {
                Ok(key) => (key, Algorithm::ES256),
                Err(e) => return Err(format!("neither an RSA nor an EC private key: {e}")),
            },
        };
        Ok(TokenService {
            issuer: issuer.trim_end_matches('/').to_owned(),
            key,
            algorithm,
            kid: kid.to_owned(),
            seen: Mutex::new(HashMap::new()),
            issued: AtomicU64::new(0),
            codes: crate::authorize::Codes::default(),
        })
    }

    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The URL of the token endpoint (the `aud` of client assertions).
    pub fn token_endpoint(&self) -> String {
        format!("{}/auth/token", self.issuer)
    }

    /// Answers a token request: its form fields, at `now` (seconds since the epoch).
    pub fn token(
        &self,
        form: &[(String, String)],
        clients: &[RegisteredClient],
        now: u64,
    ) -> Result<Issued, Refusal> {
        let field = |name: &str| {
            let mut values = form.iter().filter(|(k, _)| k == name).map(|(_, v)| v);
            match (values.next(), values.next()) {
                (Some(v), None) => Ok(Some(v.as_str())),
                (None, _) => Ok(None),
                (Some(_), Some(_)) => Err(refuse(
                    "invalid_request",
                    format!("'{name}' is given more than once"),
                )),
            }
        };
        match field("grant_type")? {
            Some("client_credentials") => {}
            Some("authorization_code") => {
                let code = field("code")?
                    .ok_or_else(|| refuse("invalid_request", "code is missing"))?;
                let grant = self.codes.redeem(
                    code,
                    field("client_id")?,
                    field("redirect_uri")?,
                    field("code_verifier")?,
                    now,
                )?;
                let claims = json!({
                    "iss": self.issuer, "aud": self.issuer, "sub": grant.fhir_user,
                    "client_id": grant.request.client_id, "scope": grant.request.scope,
                    "fhirUser": grant.fhir_user, "patient": grant.patient,
                });
                return self.sign(claims, now, Some(grant.patient));
            }
            Some(other) => {
                return Err(refuse(
                    "unsupported_grant_type",
                    format!("grant_type '{other}' is not supported; use client_credentials or authorization_code"),
                ))
            }
            None => return Err(refuse("invalid_request", "grant_type is missing")),
        }
        if field("client_assertion_type")?
            != Some("urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
        {
            return Err(refuse(
                "invalid_request",
                "client_assertion_type must be urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ));
        }
        let assertion = field("client_assertion")?
            .ok_or_else(|| refuse("invalid_request", "client_assertion is missing"))?;
        let requested = field("scope")?
            .filter(|s| !s.trim().is_empty())
            .ok_or_else(|| refuse("invalid_request", "scope is missing"))?;
        // The client is the assertion's issuer; its keys decide whether it signed it.
        let claimed = clients.iter().find(|c| {
            c.keys
                .verify(assertion)
                .map_err(|e| e != TokenError::Issuer)
                .is_ok()
        });
        let client = match claimed {
            Some(client) => client,
            None => {
                // Why: the first refusal of a client whose keys know the issuer.
                let why = clients
                    .iter()
                    .map(|c| c.keys.verify(assertion))
                    .find_map(|r| r.err().filter(|e| *e != TokenError::Issuer))
                    .map_or("the assertion names no registered client".to_owned(), |e| {
                        e.to_string().replace("access token", "client assertion")
                    });
                return Err(refuse("invalid_client", why));
            }
        };
        let claims = client
            .keys
            .verify(assertion)
            .map_err(|e| refuse("invalid_client", e.to_string()))?;
        if claims.subject.as_deref() != Some(client.client_id.as_str()) {
            return Err(refuse(
                "invalid_client",
                "the client assertion's sub must be the client_id",
            ));
        }
        if claims.expires_at > now + ASSERTION_MAX_SECONDS + crate::token::LEEWAY_SECONDS {
            return Err(refuse(
                "invalid_client",
                "the client assertion must expire within five minutes",
            ));
        }
        let jti = claims
            .id
            .ok_or_else(|| refuse("invalid_client", "the client assertion has no jti"))?;
        {
            let mut seen = self.seen.lock().expect("assertion ids");
            seen.retain(|_, exp| *exp + crate::token::LEEWAY_SECONDS >= now);
            let key = format!("{}\u{0}{jti}", client.client_id);
            if seen.contains_key(&key) {
                return Err(refuse(
                    "invalid_client",
                    "the client assertion was used before (jti seen)",
                ));
            }
            seen.insert(key, claims.expires_at);
        }
        // The scopes asked for that the registration covers; none: invalid_scope.
        let asked = Scopes::parse(requested);
        let granted: Vec<String> = asked
            .resources
            .iter()
            .filter(|scope| client.scopes.covers_scope(scope))
            .map(|scope| scope.to_string())
            .collect();
        if granted.is_empty() || !asked.malformed.is_empty() {
            return Err(refuse(
                "invalid_scope",
                format!(
                    "none of '{requested}' is within the client's registered scopes ('{}')",
                    client.scope_text
                ),
            ));
        }
        let claims = json!({
            "iss": self.issuer, "aud": self.issuer, "sub": client.client_id,
            "client_id": client.client_id, "scope": granted.join(" "),
        });
        self.sign(claims, now, None)
    }

    /// An access token with `claims` (`iss`, `aud`, `sub`, `client_id`, `scope`, …) and its
    /// times and id.
    fn sign(
        &self,
        mut claims: serde_json::Value,
        now: u64,
        patient: Option<String>,
    ) -> Result<Issued, Refusal> {
        claims["iat"] = json!(now);
        claims["exp"] = json!(now + ACCESS_TOKEN_SECONDS);
        claims["jti"] = json!(format!(
            "{now}-{}",
            self.issued.fetch_add(1, Ordering::Relaxed)
        ));
        let mut header = Header::new(self.algorithm);
        header.kid = Some(self.kid.clone());
        let access_token = jsonwebtoken::encode(&header, &claims, &self.key)
            .map_err(|e| refuse("invalid_request", format!("cannot sign the token: {e}")))?;
        Ok(Issued {
            access_token,
            expires_in: ACCESS_TOKEN_SECONDS,
            scope: claims["scope"].as_str().unwrap_or_default().to_owned(),
            client_id: claims["client_id"].as_str().unwrap_or_default().to_owned(),
            patient,
        })
    }
}
