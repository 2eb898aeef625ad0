//! Content negotiation: which representation to answer (`Accept`, `_format`, `_pretty`),
//! which bodies are read (`Content-Type`), and what the client prefers (`Prefer`).

use crate::params::{last, query_pairs};
use actix_web::body::{BoxBody, EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::HttpRequest;
use zorgplan_fhir::{ErrorKind, FhirError, IssueType};

pub const FHIR_JSON: &str = "application/fhir+json";
pub const FHIR_JSON_UTF8: &str = "application/fhir+json; charset=utf-8";
const JSON_UTF8: &str = "application/json; charset=utf-8";
const FHIR_XML_UTF8: &str = "application/fhir+xml; charset=utf-8";
const XML_UTF8: &str = "application/xml; charset=utf-8";

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
        format!(
            "{what}; this server answers in JSON (application/fhir+json, application/json) or XML (application/fhir+xml, application/xml)"
        ),
    )
}

/// A representation this server can answer in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Media {
    FhirJson,
    Json,
    FhirXml,
    Xml,
}

impl Media {
    pub fn is_xml(self) -> bool {
        matches!(self, Media::FhirXml | Media::Xml)
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Media::FhirJson => FHIR_JSON_UTF8,
            Media::Json => JSON_UTF8,
            Media::FhirXml => FHIR_XML_UTF8,
            Media::Xml => XML_UTF8,
        }
    }
}

/// Classifies one media type (of `Accept` or `_format`) with its quality: `None` when this
/// server cannot answer it. A `fhirVersion` parameter other than 4.0 makes it unacceptable.
fn media_type(media: &str) -> Option<(Media, f32)> {
    let mut parts = media.split(';').map(str::trim);
    let essence = parts.next().unwrap_or_default().to_ascii_lowercase();
    let mut quality = 1.0;
    for param in parts {
        if let Some((name, value)) = param.split_once('=') {
            let value = value.trim().trim_matches('"');
            if name.trim().eq_ignore_ascii_case("fhirVersion") && !value.starts_with("4.0") {
                return None;
            }
            if name.trim().eq_ignore_ascii_case("q") {
                quality = value.parse::<f32>().ok().filter(|q| *q > 0.0)?;
            }
        }
    }
    let media = match essence.as_str() {
        // A `+` in a query string decodes as a space: `_format=application/fhir+json`.
        "application/fhir+json" | "application/fhir json" | "*/*" | "application/*" | "json" => {
            Media::FhirJson
        }
        "application/json" | "text/json" => Media::Json,
        "application/fhir+xml" | "application/fhir xml" | "xml" => Media::FhirXml,
        "application/xml" | "text/xml" => Media::Xml,
        _ => return None,
    };
    Some((media, quality))
}

/// The representation the client asked for through `_format` (which wins) or `Accept` (the
/// acceptable type of highest quality; the first of equals).
pub fn wanted_media(req: &HttpRequest, params: &[(String, String)]) -> Result<Media, FhirError> {
    if let Some((_, format)) = params.iter().rev().find(|(k, _)| k == "_format") {
        return media_type(format)
            .map(|(media, _)| media)
            .ok_or_else(|| not_acceptable(&format!("_format={format} is not supported")));
    }
    let accept = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if accept.trim().is_empty() {
        return Ok(Media::FhirJson);
    }
    let mut best: Option<(Media, f32)> = None;
    for (media, quality) in accept.split(',').filter_map(media_type) {
        if best.is_none_or(|(_, q)| quality > q) {
            best = Some((media, quality));
        }
    }
    best.map(|(media, _)| media)
        .ok_or_else(|| not_acceptable(&format!("Accept: {accept} cannot be served")))
}

/// The representation a handler writes. Handlers always write JSON; when the client wants
/// XML, [`xml_responses`] turns the finished response into XML.
pub fn response_format(
    req: &HttpRequest,
    params: &[(String, String)],
) -> Result<Format, FhirError> {
    let pretty = last(params, "_pretty") == Some("true");
    let media = match wanted_media(req, params)? {
        Media::Xml => Media::Json,
        Media::FhirXml => Media::FhirJson,
        json => json,
    };
    Ok(Format {
        content_type: media.content_type(),
        pretty,
    })
}

/// How a request body is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyFormat {
    Json,
    Xml,
}

/// The format of the body from its Content-Type; 415 unless it is FHIR JSON or XML (or plain
/// JSON or XML) in UTF-8.
pub fn check_body_type(req: &HttpRequest) -> Result<BodyFormat, FhirError> {
    let unsupported = |what: String| {
        FhirError::new(
            ErrorKind::UnsupportedMediaType,
            IssueType::NotSupported,
            what,
        )
    };
    let Some(content_type) = req.headers().get(header::CONTENT_TYPE) else {
        return Err(unsupported(
            "The request has no Content-Type; send application/fhir+json or application/fhir+xml"
                .into(),
        ));
    };
    let content_type = content_type.to_str().unwrap_or_default();
    let mut parts = content_type.split(';').map(str::trim);
    let essence = parts.next().unwrap_or_default().to_ascii_lowercase();
    let format = match essence.as_str() {
        FHIR_JSON | "application/json" => BodyFormat::Json,
        "application/fhir+xml" | "application/xml" | "text/xml" => BodyFormat::Xml,
        _ => {
            return Err(unsupported(format!(
                "Content-Type {content_type} is not supported; send application/fhir+json or application/fhir+xml"
            )))
        }
    };
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
    Ok(format)
}

/// Answers in XML when the client asks for it: every JSON response (resources, bundles,
/// OperationOutcomes of errors) is written as FHIR XML, indented for `_pretty=true`.
pub async fn xml_responses(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<BoxBody>>, actix_web::Error> {
    // Most requests want JSON: look closer only when XML is mentioned at all.
    let accept_xml = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("xml"));
    if !accept_xml && !req.query_string().contains("_format") {
        return Ok(next
            .call(req)
            .await?
            .map_into_boxed_body()
            .map_into_left_body());
    }
    let params = query_pairs(req.query_string());
    let wanted = wanted_media(req.request(), &params).ok();
    let pretty = last(&params, "_pretty") == Some("true");
    let response = next.call(req).await?;
    let Some(media) = wanted.filter(|m| m.is_xml()) else {
        return Ok(response.map_into_boxed_body().map_into_left_body());
    };
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with(FHIR_JSON) || v.starts_with("application/json"));
    if !is_json {
        return Ok(response.map_into_boxed_body().map_into_left_body());
    }
    let (request, response) = response.into_parts();
    let (mut head, body) = response.into_parts();
    let bytes = actix_web::body::to_bytes(body)
        .await
        .map_err(|_| actix_web::error::ErrorInternalServerError("response body"))?;
    let xml = match serde_json::from_slice::<serde_json::Value>(&bytes) {
        Ok(value) => zorgplan_fhir::xml::write(&value, pretty),
        Err(_) => {
            let response = head.set_body(bytes).map_into_boxed_body();
            return Ok(ServiceResponse::new(request, response).map_into_left_body());
        }
    };
    head.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static(media.content_type()),
    );
    let response = head.set_body(xml).map_into_boxed_body();
    Ok(ServiceResponse::new(request, response).map_into_right_body())
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

    fn request(
        accept: Option<&str>,
        query: &[(&str, &str)],
    ) -> (HttpRequest, Vec<(String, String)>) {
        let mut req = TestRequest::default();
        if let Some(accept) = accept {
            req = req.insert_header((header::ACCEPT, accept));
        }
        let params = query
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        (req.to_http_request(), params)
    }

    fn format_for(accept: Option<&str>, query: &[(&str, &str)]) -> Result<Format, FhirError> {
        let (req, params) = request(accept, query);
        response_format(&req, &params)
    }

    fn wanted(accept: Option<&str>, query: &[(&str, &str)]) -> Option<Media> {
        let (req, params) = request(accept, query);
        wanted_media(&req, &params).ok()
    }

    #[test]
    fn negotiates_json_or_xml_and_refuses_the_rest() {
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
            format_for(Some("text/html"), &[]).unwrap_err().status(),
            406
        );
        assert_eq!(
            wanted(Some("application/fhir+xml"), &[]),
            Some(Media::FhirXml)
        );
        assert_eq!(
            wanted(Some("application/fhir+json;q=0.5, application/xml"), &[]),
            Some(Media::Xml)
        );
        assert_eq!(
            wanted(
                Some("application/fhir+xml;q=0.5, application/fhir+json"),
                &[]
            ),
            Some(Media::FhirJson)
        );
        assert_eq!(
            wanted(None, &[("_format", "application/fhir xml")]),
            Some(Media::FhirXml)
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
            format_for(None, &[("_format", "turtle")])
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
