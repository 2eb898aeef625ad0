//! Access tokens: JWTs that a configured issuer signed for this server.
//!
//! A token is accepted when it is signed with RS256, RS384, ES256 or ES384 by one of the
//! issuer's keys (the
//! one its header's `kid` names, or one configured without a `kid`; any of the algorithm's
//! when the token names none), its `iss` is
//! the issuer, its `aud` names this server, and it is within `nbf`..`exp` (both checked, with
//! [`LEEWAY_SECONDS`] for clocks that differ); `exp` is required. Unsigned tokens (`alg:
//! none`) and tokens signed with a shared secret (HS256…) are refused: only the issuer's
//! public keys are trusted. What it carries for this server: the subject, the client, the
//! SMART scopes and the launch context (`patient`, `fhirUser`).

use crate::scopes::Scopes;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use std::fmt;

/// Seconds by which the clocks of the issuer and this server may differ.
pub const LEEWAY_SECONDS: u64 = 30;

/// Why a token was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenError {
    /// Not a JWT, or its claims are not what a token needs.
    Malformed(String),
    /// Signed with an algorithm this server does not accept.
    Algorithm(String),
    /// No key of the issuer's with the token's `kid` and algorithm.
    UnknownKey,
    /// The signature does not verify.
    Signature,
    Expired,
    NotYetValid,
    Audience,
    Issuer,
}

impl fmt::Display for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TokenError::Malformed(why) => write!(f, "the access token is malformed: {why}"),
            TokenError::Algorithm(alg) => {
                write!(
                    f,
                    "the token is signed with {alg}; RS256, RS384, ES256 or ES384 is required"
                )
            }
            TokenError::UnknownKey => f.write_str("the access token's signing key is unknown"),
            TokenError::Signature => f.write_str("the access token's signature is invalid"),
            TokenError::Expired => f.write_str("the access token has expired"),
            TokenError::NotYetValid => f.write_str("the access token is not valid yet"),
            TokenError::Audience => f.write_str("the access token is not meant for this server"),
            TokenError::Issuer => f.write_str("the access token is not from the trusted issuer"),
        }
    }
}

impl std::error::Error for TokenError {}

/// What an accepted token says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claims {
    /// `sub`: who the token was issued to.
    pub subject: Option<String>,
    /// `client_id`: the application or system that holds it.
    pub client_id: Option<String>,
    /// `scope`.
    pub scopes: Scopes,
    /// `patient`: the id of the Patient of the launch context.
    pub patient: Option<String>,
    /// `fhirUser`: the user as a reference (`RelatedPerson/…`, `Practitioner/…`, …).
    pub fhir_user: Option<String>,
    /// `exp`: seconds since the epoch.
    pub expires_at: u64,
    /// `iss`.
    pub issuer: String,
    /// `jti`: the token's own id (client assertions must have one).
    pub id: Option<String>,
}

#[derive(serde::Deserialize)]
struct RawClaims {
    sub: Option<String>,
    client_id: Option<String>,
    #[serde(default)]
    scope: String,
    patient: Option<String>,
    #[serde(rename = "fhirUser")]
    fhir_user: Option<String>,
    exp: u64,
    iss: String,
    jti: Option<String>,
}

struct Key {
    kid: Option<String>,
    /// The algorithms the key verifies (an EC key's curve decides between ES256 and ES384
    /// when its signature is checked).
    algorithms: &'static [Algorithm],
    key: DecodingKey,
}

const RSA: &[Algorithm] = &[Algorithm::RS256, Algorithm::RS384];
const EC: &[Algorithm] = &[Algorithm::ES256, Algorithm::ES384];

/// Checks tokens of one issuer for one audience against the issuer's public keys.
pub struct Verifier {
    issuer: String,
    audience: String,
    keys: Vec<Key>,
}

impl Verifier {
    /// A verifier for tokens issued by `issuer` (their `iss`) for `audience` (one of their
    /// `aud`: this server's base URL), without keys yet.
    pub fn new(issuer: impl Into<String>, audience: impl Into<String>) -> Verifier {
        Verifier {
            issuer: issuer.into(),
            audience: audience.into(),
            keys: Vec::new(),
        }
    }

    /// The issuer whose tokens this verifier accepts.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// Adds a public key in PEM (an RSA key for RS256/RS384 or a P-256/P-384 key for
    /// ES256/ES384), known by `kid` when tokens name it.
    pub fn add_pem(&mut self, pem: &[u8], kid: Option<&str>) -> Result<(), String> {
        let (key, algorithms) = match DecodingKey::from_rsa_pem(pem) {
            Ok(key) => (key, RSA),
            Err(_) => match DecodingKey::from_ec_pem(pem) {
                Ok(key) => (key, EC),
                Err(e) => return Err(format!("neither an RSA nor an EC public key: {e}")),
            },
        };
        self.keys.push(Key {
            kid: kid.map(str::to_owned),
            algorithms,
            key,
        });
        Ok(())
    }

    /// Adds the RSA and the P-256 and P-384 keys of a JWKS document (`{"keys": [...]}`);
    /// answers how many. Keys of other kinds or uses are passed over.
    pub fn add_jwks(&mut self, jwks: &str) -> Result<usize, String> {
        let set: JwkSet = serde_json::from_str(jwks).map_err(|e| format!("not a JWKS: {e}"))?;
        let mut added = 0;
        for jwk in &set.keys {
            use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve};
            let algorithms: &'static [Algorithm] = match &jwk.algorithm {
                AlgorithmParameters::RSA(_) => RSA,
                AlgorithmParameters::EllipticCurve(ec) if ec.curve == EllipticCurve::P256 => {
                    &[Algorithm::ES256]
                }
                AlgorithmParameters::EllipticCurve(ec) if ec.curve == EllipticCurve::P384 => {
                    &[Algorithm::ES384]
                }
                _ => continue,
            };
            if jwk
                .common
                .public_key_use
                .as_ref()
                .is_some_and(|u| *u != jsonwebtoken::jwk::PublicKeyUse::Signature)
            {
                continue;
            }
            let key = DecodingKey::from_jwk(jwk).map_err(|e| format!("a key of the JWKS: {e}"))?;
            self.keys.push(Key {
                kid: jwk.common.key_id.clone(),
                algorithms,
                key,
            });
            added += 1;
        }
        Ok(added)
    }

    /// The claims of `token`, when it is accepted (see the module's documentation).
    pub fn verify(&self, token: &str) -> Result<Claims, TokenError> {
        let header =
            jsonwebtoken::decode_header(token).map_err(|e| TokenError::Malformed(e.to_string()))?;
        if !RSA.contains(&header.alg) && !EC.contains(&header.alg) {
            return Err(TokenError::Algorithm(format!("{:?}", header.alg)));
        }
        let mut validation = Validation::new(header.alg);
        validation.set_issuer(&[&self.issuer]);
        validation.set_audience(&[&self.audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud"]);
        validation.validate_nbf = true;
        validation.leeway = LEEWAY_SECONDS;
        let candidates = self.keys.iter().filter(|k| {
            k.algorithms.contains(&header.alg)
                && match (&header.kid, &k.kid) {
                    (Some(wanted), Some(kid)) => wanted == kid,
                    // A key configured without a kid, or a token naming none.
                    (_, None) | (None, _) => true,
                }
        });
        let mut last = TokenError::UnknownKey;
        for key in candidates {
            match jsonwebtoken::decode::<RawClaims>(token, &key.key, &validation) {
                Ok(data) => {
                    let raw = data.claims;
                    return Ok(Claims {
                        subject: raw.sub,
                        client_id: raw.client_id,
                        scopes: Scopes::parse(&raw.scope),
                        patient: raw.patient,
                        fhir_user: raw.fhir_user,
                        expires_at: raw.exp,
                        issuer: raw.iss,
                        id: raw.jti,
                    });
                }
                Err(e) => {
                    use jsonwebtoken::errors::ErrorKind;
                    last = match e.kind() {
                        // Another key of the same algorithm may have signed it.
                        ErrorKind::InvalidSignature => TokenError::Signature,
                        ErrorKind::ExpiredSignature => return Err(TokenError::Expired),
                        ErrorKind::ImmatureSignature => return Err(TokenError::NotYetValid),
                        ErrorKind::InvalidAudience => return Err(TokenError::Audience),
                        ErrorKind::InvalidIssuer => return Err(TokenError::Issuer),
                        _ => return Err(TokenError::Malformed(e.to_string())),
                    };
                }
            }
        }
        Err(last)
    }
}
