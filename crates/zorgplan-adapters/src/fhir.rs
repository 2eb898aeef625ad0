//! A FHIR R4 client of one server, with SMART Backend Services when the server asks for it:
//! the token endpoint from its `.well-known/smart-configuration`, a `client_credentials`
//! request with a JWT assertion signed with the adapter's key, the access token kept until
//! shortly before it expires.

use serde_json::{json, Value};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// What went wrong talking to a server, in words for the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// No connection (refused, DNS, TLS).
    Unreachable(String),
    /// No answer in time.
    Timeout(String),
    /// An answer other than the one asked for: the status and the body (an
    /// OperationOutcome, usually).
    Status {
        url: String,
        status: u16,
        body: String,
    },
    /// An answer that is not the FHIR asked for.
    Invalid(String),
    /// No access token.
    Auth(String),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Unreachable(why) => write!(f, "unreachable: {why}"),
            Failure::Timeout(url) => write!(f, "no answer in time from {url}"),
            Failure::Status { url, status, body } => {
                write!(f, "{url} answered {status}")?;
                let outcome = serde_json::from_str::<Value>(body).ok();
                let diagnostics: Vec<&str> = outcome
                    .as_ref()
                    .and_then(|o| o.get("issue"))
                    .and_then(Value::as_array)
                    .map(|issues| {
                        issues
                            .iter()
                            .filter_map(|i| i.get("diagnostics").and_then(Value::as_str))
                            .collect()
                    })
                    .unwrap_or_default();
                if !diagnostics.is_empty() {
                    write!(f, ": {}", diagnostics.join("; "))?;
                }
                Ok(())
            }
            Failure::Invalid(why) => write!(f, "invalid answer: {why}"),
            Failure::Auth(why) => write!(f, "no access token: {why}"),
        }
    }
}

/// The adapter's identity at a server: a registered client of its SMART Backend Services.
#[derive(Clone)]
pub struct Credentials {
    pub client_id: String,
    /// The private key (PEM, RSA or P-256) its assertions are signed with.
    pub private_key: Vec<u8>,
    /// The `kid` of that key in the client's registered JWKS.
    pub kid: Option<String>,
    /// The scopes to ask for (`system/*.rs`, …).
    pub scope: String,
}

/// A client of one FHIR server.
pub struct FhirClient {
    pub base: String,
    http: reqwest::blocking::Client,
    credentials: Option<Credentials>,
    token: Mutex<Option<(String, Instant)>>,
}

fn send(
    request: reqwest::blocking::RequestBuilder,
    url: &str,
) -> Result<reqwest::blocking::Response, Failure> {
    request.send().map_err(|e| {
        if e.is_timeout() {
            Failure::Timeout(url.to_owned())
        } else {
            Failure::Unreachable(format!("{url}: {e}"))
        }
    })
}

fn json_of(response: reqwest::blocking::Response, url: &str) -> Result<Value, Failure> {
    let status = response.status().as_u16();
    let body = response.text().map_err(|e| {
        if e.is_timeout() {
            Failure::Timeout(url.to_owned())
        } else {
            Failure::Unreachable(format!("{url}: {e}"))
        }
    })?;
    if !(200..300).contains(&status) {
        return Err(Failure::Status {
            url: url.to_owned(),
            status,
            body,
        });
    }
    serde_json::from_str(&body).map_err(|e| Failure::Invalid(format!("{url}: not JSON ({e})")))
}

impl FhirClient {
    /// A client of the server at `base`, authenticating with `credentials` when given,
    /// each request answered within `timeout`.
    pub fn new(
        base: &str,
        credentials: Option<Credentials>,
        timeout: Duration,
    ) -> Result<FhirClient, Failure> {
        let http = reqwest::blocking::Client::builder()
            .timeout(timeout)
            .build()
            .map_err(|e| Failure::Unreachable(format!("the HTTP client: {e}")))?;
        Ok(FhirClient {
            base: base.trim_end_matches('/').to_owned(),
            http,
            credentials,
            token: Mutex::new(None),
        })
    }

    /// The URL of `path` (a relative reference or search), or `path` itself when absolute.
    pub fn url(&self, path: &str) -> String {
        if path.starts_with("http://") || path.starts_with("https://") {
            path.to_owned()
        } else {
            format!("{}/{}", self.base, path.trim_start_matches('/'))
        }
    }

    /// A bearer token, when the client has credentials: a new one when there is none or it
    /// is about to expire.
    fn bearer(&self) -> Result<Option<String>, Failure> {
        let Some(credentials) = &self.credentials else {
            return Ok(None);
        };
        let mut kept = self.token.lock().expect("token");
        if let Some((token, until)) = kept.as_ref() {
            if Instant::now() < *until {
                return Ok(Some(token.clone()));
            }
        }
        let configuration = self.url(".well-known/smart-configuration");
        let document = json_of(
            send(self.http.get(&configuration), &configuration)?,
            &configuration,
        )
        .map_err(|e| Failure::Auth(e.to_string()))?;
        let endpoint = document
            .get("token_endpoint")
            .and_then(Value::as_str)
            .ok_or_else(|| Failure::Auth(format!("{configuration} names no token_endpoint")))?
            .to_owned();
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let claims = json!({"iss": credentials.client_id, "sub": credentials.client_id,
            "aud": endpoint, "exp": now + 240, "jti": uuid::Uuid::new_v4().to_string()});
        let (key, algorithm) =
            match jsonwebtoken::EncodingKey::from_rsa_pem(&credentials.private_key) {
                Ok(key) => (key, jsonwebtoken::Algorithm::RS256),
                Err(_) => (
                    jsonwebtoken::EncodingKey::from_ec_pem(&credentials.private_key)
                        .map_err(|e| Failure::Auth(format!("the private key: {e}")))?,
                    jsonwebtoken::Algorithm::ES256,
                ),
            };
        let mut header = jsonwebtoken::Header::new(algorithm);
        header.kid = credentials.kid.clone();
        let assertion = jsonwebtoken::encode(&header, &claims, &key)
            .map_err(|e| Failure::Auth(format!("signing the assertion: {e}")))?;
        let form = [
            ("grant_type", "client_credentials"),
            ("scope", credentials.scope.as_str()),
            (
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ),
            ("client_assertion", assertion.as_str()),
        ];
        let body: String = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        let answer = json_of(
            send(
                self.http
                    .post(&endpoint)
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(body),
                &endpoint,
            )?,
            &endpoint,
        )
        .map_err(|e| Failure::Auth(e.to_string()))?;
        let token = answer
            .get("access_token")
            .and_then(Value::as_str)
            .ok_or_else(|| Failure::Auth(format!("{endpoint} gave no access_token")))?
            .to_owned();
        let seconds = answer
            .get("expires_in")
            .and_then(Value::as_u64)
            .unwrap_or(60);
        let until = Instant::now() + Duration::from_secs(seconds.saturating_sub(30).max(1));
        *kept = Some((token.clone(), until));
        Ok(Some(token))
    }

    fn authorised(
        &self,
        request: reqwest::blocking::RequestBuilder,
    ) -> Result<reqwest::blocking::RequestBuilder, Failure> {
        let request = request.header("accept", "application/fhir+json");
        Ok(match self.bearer()? {
            Some(token) => request.bearer_auth(token),
            None => request,
        })
    }

    /// `GET` of a resource or Bundle.
    pub fn get(&self, path: &str) -> Result<Value, Failure> {
        let url = self.url(path);
        json_of(send(self.authorised(self.http.get(&url))?, &url)?, &url)
    }

    /// The resources of a search (`Type?params`), every page.
    pub fn search(&self, query: &str) -> Result<Vec<Value>, Failure> {
        let mut url = self.url(query);
        let mut found = Vec::new();
        for _ in 0..1000 {
            let bundle = self.get(&url)?;
            if bundle.get("resourceType").and_then(Value::as_str) != Some("Bundle") {
                return Err(Failure::Invalid(format!("{url}: not a Bundle")));
            }
            for entry in bundle
                .get("entry")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let matched = entry
                    .get("search")
                    .and_then(|s| s.get("mode"))
                    .and_then(Value::as_str)
                    .is_none_or(|m| m == "match");
                if let (true, Some(resource)) = (matched, entry.get("resource")) {
                    found.push(resource.clone());
                }
            }
            let next = bundle
                .get("link")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .find(|l| l.get("relation").and_then(Value::as_str) == Some("next"))
                .and_then(|l| l.get("url"))
                .and_then(Value::as_str);
            match next {
                Some(next) => url = next.to_owned(),
                None => return Ok(found),
            }
        }
        Err(Failure::Invalid(format!("{query}: more than 1000 pages")))
    }

    /// `POST [base]` of a transaction (or batch) Bundle: the response Bundle.
    pub fn transaction(&self, bundle: &Value) -> Result<Value, Failure> {
        let url = self.base.clone();
        let request = self
            .authorised(self.http.post(&url))?
            .header("content-type", "application/fhir+json")
            .body(bundle.to_string());
        json_of(send(request, &url)?, &url)
    }

    /// `PUT` of a resource (with `If-Match` when a version is given).
    pub fn update(
        &self,
        path: &str,
        resource: &Value,
        if_match: Option<&str>,
    ) -> Result<Value, Failure> {
        let url = self.url(path);
        let mut request = self
            .authorised(self.http.put(&url))?
            .header("content-type", "application/fhir+json")
            .header("prefer", "return=representation")
            .body(resource.to_string());
        if let Some(version) = if_match {
            request = request.header("if-match", format!("W/\"{version}\""));
        }
        json_of(send(request, &url)?, &url)
    }
}
