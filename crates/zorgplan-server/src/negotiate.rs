//! Content negotiation: which representation to answer (`Accept`, `_format`, `_pretty`),
//! which bodies are read (`Content-Type`), and what the client prefers (`Prefer`).

use actix_web::http::header;
use actix_web::HttpRequest;
use zorgplan_fhir::{ErrorKind, FhirError, IssueType};

pub const FHIR_JSON: &str = "application/fhir+json";
pub const FHIR_JSON_UTF8: &str = "application/fhir+json; charset=utf-8";
const JSON_UTF8: &str = "application/json; charset=utf-8";

/// The representation of a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Format {
    /// The Content-Type to answer with.
    pub content_type: &'static str,
    /// Indent the JSON (`_pretty=true`).
    pub pretty: bool,
}

fn not_acceptable(what: &str) -> FhirError {
    FhirError::new(
        ErrorKind::NotAcceptable,
        IssueType::NotSupported,
        format!("{what}; this server answers in JSON (application/fhir+json or application/json)"),
    )
}

/// Classifies one media type: `Some(true)` for `application/fhir+json` (or a wildcard),
/// `Some(false)` for plain `application/json`, `None` when it is not JSON. A `fhirVersion`
/// parameter other than 4.0 makes it unacceptable.
fn json_media_type(media: &str) -> Option<bool> {
    let mut parts = media.split(';').map(str::trim);
    let essence = parts.next().unwrap_or_default().to_ascii_lowercase();
    for param in parts {
        if let Some((name, value)) = param.split_once('=') {
            let value = value.trim().trim_matches('"');
            if name.trim().eq_ignore_ascii_case("fhirVersion") && !value.starts_with("4.0") {
                return None;
            }
            if name.trim().eq_ignore_ascii_case("q") && value.parse::<f32>().is_ok_and(|q| q <= 0.0)
            {
                return None;
            }
        }
    }
    match essence.as_str() {
        // A `+` in a query string decodes as a space: `_format=application/fhir+json`.
        "application/fhir+json" | "application/fhir json" | "*/*" | "application/*" | "json" => {
            Some(true)
        }
        "application/json" | "text/json" => Some(false),
        _ => None,
    }
}

/// The representation the client asked for through `_format` (which wins) or `Accept`.
pub fn response_format(
    req: &HttpRequest,
    params: &[(String, String)],
) -> Result<Format, FhirError> {
    let pretty = params
        .iter()
        .rev()
        .find(|(k, _)| k == "_pretty")
        .is_some_and(|(_, v)| v == "true");
    let fhir_json = if let Some((_, format)) = params.iter().rev().find(|(k, _)| k == "_format") {
        json_media_type(format)
            .ok_or_else(|| not_acceptable(&format!("_format={format} is not supported")))?
    } else {
        match req
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
        {
            None => true,
            Some(accept) if accept.trim().is_empty() => true,
            Some(accept) => {
                let kinds: Vec<bool> = accept.split(',').filter_map(json_media_type).collect();
                if kinds.is_empty() {
                    return Err(not_acceptable(&format!(
                        "Accept: {accept} cannot be served"
                    )));
                }
                kinds.iter().any(|fhir| *fhir)
            }
        }
    };
    Ok(Format {
        content_type: if fhir_json { FHIR_JSON_UTF8 } else { JSON_UTF8 },
        pretty,
    })
}

/// Fails with 415 unless the body is declared as FHIR JSON (or plain JSON) in UTF-8.
pub fn check_body_type(req: &HttpRequest) -> Result<(), FhirError> {
    let unsupported = |what: String| {
        FhirError::new(
            ErrorKind::UnsupportedMediaType,
            IssueType::NotSupported,
            what,
        )
    };
    let Some(content_type) = req.headers().get(header::CONTENT_TYPE) else {
        return Err(unsupported(
            "The request has no Content-Type; send application/fhir+json".into(),
        ));
    };
    let content_type = content_type.to_str().unwrap_or_default();
    let mut parts = content_type.split(';').map(str::trim);
    let essence = parts.next().unwrap_or_default().to_ascii_lowercase();
    if essence != FHIR_JSON && essence != "application/json" {
        return Err(unsupported(format!(
            "Content-Type {content_type} is not supported; send application/fhir+json"
        )));
    }
    for param in parts {
        if let Some((name, value)) = param.split_once('=') {
            let value = value.trim().trim_matches('"');
            if name.trim().eq_ignore_ascii_case("charset") && !value.eq_ignore_ascii_case("utf-8") {
                return Err(unsupported(format!(
                    "charset {value} is not supported; send UTF-8"
                )));
            }
            if name.trim().eq_ignore_ascii_case("fhirVersion") && !value.starts_with("4.0") {
                return Err(unsupported(format!(
                    "fhirVersion {value} is not supported; this server speaks FHIR 4.0.1"
                )));
            }
        }
    }
    Ok(())
}

/// `Prefer: return=…`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Return {
    Minimal,
    #[default]
    Representation,
    OperationOutcome,
}

/// What the client prefers (RFC 7240, as FHIR uses it).
#[derive(Debug, Clone, Copy, Default)]
pub struct Prefer {
    pub return_: Return,
    /// `handling=strict`: unknown search parameters are errors.
    pub strict: bool,
}

impl Prefer {
    pub fn of(req: &HttpRequest) -> Prefer {
        let mut prefer = Prefer::default();
        for value in req.headers().get_all("prefer") {
            let Ok(value) = value.to_str() else { continue };
            for token in value.split([',', ';']) {
                let Some((name, value)) = token.split_once('=') else {
                    continue;
                };
                let value = value.trim().trim_matches('"');
                match name.trim().to_ascii_lowercase().as_str() {
                    "return" => {
                        prefer.return_ = match value {
                            "minimal" => Return::Minimal,
                            "OperationOutcome" => Return::OperationOutcome,
                            _ => Return::Representation,
                        }
                    }
                    "handling" => prefer.strict = value == "strict",
                    _ => {}
                }
            }
        }
        prefer
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    fn format_for(accept: Option<&str>, query: &[(&str, &str)]) -> Result<Format, FhirError> {
        let mut req = TestRequest::default();
        if let Some(accept) = accept {
            req = req.insert_header((header::ACCEPT, accept));
        }
        let params: Vec<(String, String)> = query
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        response_format(&req.to_http_request(), &params)
    }

    #[test]
    fn negotiates_json_and_refuses_the_rest() {
        assert_eq!(format_for(None, &[]).unwrap().content_type, FHIR_JSON_UTF8);
        assert_eq!(
            format_for(Some("application/json"), &[])
                .unwrap()
                .content_type,
            JSON_UTF8
        );
        assert_eq!(
            format_for(Some("text/html, application/fhir+json;q=0.9"), &[])
                .unwrap()
                .content_type,
            FHIR_JSON_UTF8
        );
        assert_eq!(
            format_for(Some("*/*"), &[]).unwrap().content_type,
            FHIR_JSON_UTF8
        );
        assert_eq!(
            format_for(Some("application/fhir+xml"), &[])
                .unwrap_err()
                .status(),
            406
        );
        assert_eq!(
            format_for(Some("application/fhir+json; fhirVersion=3.0"), &[])
                .unwrap_err()
                .status(),
            406
        );
        assert_eq!(
            format_for(Some("application/fhir+json;q=0"), &[])
                .unwrap_err()
                .status(),
            406
        );
        assert_eq!(
            format_for(Some("application/fhir+xml"), &[("_format", "json")])
                .unwrap()
                .content_type,
            FHIR_JSON_UTF8
        );
        assert_eq!(
            format_for(None, &[("_format", "xml")])
                .unwrap_err()
                .status(),
            406
        );
        assert!(format_for(None, &[("_pretty", "true")]).unwrap().pretty);
    }

    #[test]
    fn reads_prefer() {
        let req = TestRequest::default()
            .insert_header(("Prefer", "return=minimal; handling=strict"))
            .to_http_request();
        let prefer = Prefer::of(&req);
        assert_eq!(prefer.return_, Return::Minimal);
        assert!(prefer.strict);
        let req = TestRequest::default()
            .insert_header(("Prefer", "return=OperationOutcome"))
            .to_http_request();
        assert_eq!(Prefer::of(&req).return_, Return::OperationOutcome);
    }
}
