//! `Verifier`: tokens signed with the test keys in `tests/keys` (which protect nothing), each
//! refused for the one thing wrong with it.

use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use serde_json::{json, Value};
use std::time::{SystemTime, UNIX_EPOCH};
use zorgplan_auth::{Context, Grant, Interaction, TokenError, Verifier};

const ISSUER: &str = "https://auth.example.org";
const AUDIENCE: &str = "https://zorgplan.example.org/fhir";

fn key(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/tests/keys/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// Claims of a parent's PGO token, changed by `change`.
fn claims(change: impl FnOnce(&mut Value)) -> Value {
    let mut claims = json!({"iss": ISSUER, "aud": AUDIENCE, "sub": "ouder-1",
        "client_id": "pgo-app", "exp": now() + 300, "nbf": now() - 10,
        "scope": "openid fhirUser launch/patient patient/*.rs",
        "patient": "kind-1", "fhirUser": "RelatedPerson/ouder-1"});
    change(&mut claims);
    claims
}

fn rs256(claims: &Value, kid: Option<&str>, private: &str) -> String {
    let mut header = Header::new(Algorithm::RS256);
    header.kid = kid.map(str::to_owned);
    encode(
        &header,
        claims,
        &EncodingKey::from_rsa_pem(&key(private)).unwrap(),
    )
    .unwrap()
}

fn es256(claims: &Value, kid: Option<&str>) -> String {
    let mut header = Header::new(Algorithm::ES256);
    header.kid = kid.map(str::to_owned);
    encode(
        &header,
        claims,
        &EncodingKey::from_ec_pem(&key("ec-private.pem")).unwrap(),
    )
    .unwrap()
}

fn pem_verifier() -> Verifier {
    let mut verifier = Verifier::new(ISSUER, AUDIENCE);
    verifier
        .add_pem(&key("rsa-public.pem"), Some("rsa-1"))
        .unwrap();
    verifier.add_pem(&key("ec-public.pem"), None).unwrap();
    verifier
}

fn jwks_verifier() -> Verifier {
    let mut verifier = Verifier::new(ISSUER, AUDIENCE);
    let jwks = String::from_utf8(key("jwks.json")).unwrap();
    assert_eq!(verifier.add_jwks(&jwks).unwrap(), 2);
    verifier
}

#[test]
fn a_valid_token_gives_its_claims() {
    for verifier in [pem_verifier(), jwks_verifier()] {
        for token in [
            rs256(&claims(|_| {}), Some("rsa-1"), "rsa-private.pem"),
            es256(&claims(|_| {}), Some("ec-1")),
        ] {
            let claims = verifier.verify(&token).unwrap();
            assert_eq!(claims.subject.as_deref(), Some("ouder-1"));
            assert_eq!(claims.client_id.as_deref(), Some("pgo-app"));
            assert_eq!(claims.patient.as_deref(), Some("kind-1"));
            assert_eq!(claims.fhir_user.as_deref(), Some("RelatedPerson/ouder-1"));
            assert!(claims.scopes.has("launch/patient"));
            assert_eq!(
                claims
                    .scopes
                    .grant(Context::Patient, "CarePlan", Interaction::Read),
                Grant::All
            );
            assert_eq!(
                claims
                    .scopes
                    .grant(Context::Patient, "CarePlan", Interaction::Update),
                Grant::Denied
            );
        }
    }
    // Without a kid, any key of the algorithm may have signed it.
    let token = rs256(&claims(|_| {}), None, "rsa-private.pem");
    assert!(pem_verifier().verify(&token).is_ok());
    // An audience among several.
    let token = rs256(
        &claims(|c| c["aud"] = json!(["https://other.example.org", AUDIENCE])),
        None,
        "rsa-private.pem",
    );
    assert!(pem_verifier().verify(&token).is_ok());
}

#[test]
fn tokens_with_one_thing_wrong_are_refused() {
    let verifier = jwks_verifier();
    let cases: Vec<(&str, String, TokenError)> = vec![
        (
            "forged signature",
            rs256(&claims(|_| {}), Some("rsa-1"), "other-rsa-private.pem"),
            TokenError::Signature,
        ),
        (
            "expired",
            rs256(
                &claims(|c| c["exp"] = json!(now() - 120)),
                Some("rsa-1"),
                "rsa-private.pem",
            ),
            TokenError::Expired,
        ),
        (
            "not yet valid",
            rs256(
                &claims(|c| c["nbf"] = json!(now() + 120)),
                Some("rsa-1"),
                "rsa-private.pem",
            ),
            TokenError::NotYetValid,
        ),
        (
            "wrong audience",
            rs256(
                &claims(|c| c["aud"] = json!("https://other.example.org")),
                Some("rsa-1"),
                "rsa-private.pem",
            ),
            TokenError::Audience,
        ),
        (
            "wrong issuer",
            rs256(
                &claims(|c| c["iss"] = json!("https://evil.example.org")),
                Some("rsa-1"),
                "rsa-private.pem",
            ),
            TokenError::Issuer,
        ),
        (
            "unknown kid",
            rs256(&claims(|_| {}), Some("rsa-9"), "rsa-private.pem"),
            TokenError::UnknownKey,
        ),
    ];
    for (what, token, expected) in cases {
        assert_eq!(verifier.verify(&token), Err(expected), "{what}");
    }
    // No exp: refused.
    let token = rs256(
        &claims(|c| {
            c.as_object_mut().unwrap().remove("exp");
        }),
        Some("rsa-1"),
        "rsa-private.pem",
    );
    assert!(matches!(
        verifier.verify(&token),
        Err(TokenError::Malformed(_))
    ));
    // Not a JWT at all.
    assert!(matches!(
        verifier.verify("not-a-token"),
        Err(TokenError::Malformed(_))
    ));
}

#[test]
fn unsigned_and_shared_secret_tokens_are_refused() {
    let verifier = jwks_verifier();
    // HS256 with the RSA public key's text as the secret (the classic key-confusion attack).
    let confused = encode(
        &Header::new(Algorithm::HS256),
        &claims(|_| {}),
        &EncodingKey::from_secret(&key("rsa-public.pem")),
    )
    .unwrap();
    assert_eq!(
        verifier.verify(&confused),
        Err(TokenError::Algorithm("HS256".into()))
    );
    // alg none: a header and claims without a signature.
    let b64 = |v: &Value| {
        use std::fmt::Write;
        let bytes = serde_json::to_vec(v).unwrap();
        // base64url without padding, by hand (no base64 crate in this test).
        const ALPHABET: &[u8; 64] =
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let mut out = String::new();
        for chunk in bytes.chunks(3) {
            let n = chunk
                .iter()
                .enumerate()
                .fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
            for i in 0..=chunk.len() {
                let _ = out.write_char(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            }
        }
        out
    };
    let unsigned = format!(
        "{}.{}.",
        b64(&json!({"alg": "none", "typ": "JWT"})),
        b64(&claims(|_| {}))
    );
    assert!(verifier.verify(&unsigned).is_err());
}
