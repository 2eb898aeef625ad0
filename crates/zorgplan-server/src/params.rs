//! Query parameters.

use zorgplan_fhir::FhirError;
use zorgplan_store::PageAt;

/// The decoded `name=value` pairs of a query string, in order (as the store reads a
/// Subscription's criteria).
pub use zorgplan_store::search::query_pairs;

/// Parameters that shape the response rather than select resources.
pub const RESULT_PARAMS: &[&str] = &[
    "_format",
    "_pretty",
    "_count",
    "__cursor",
    "__before",
    "_include",
    "_include:iterate",
    "_revinclude",
    "_revinclude:iterate",
    "_summary",
    "_elements",
    "_total",
    "_sort",
];

/// The parameters that are not result parameters.
pub fn without_result_params(params: &[(String, String)]) -> Vec<(String, String)> {
    params
        .iter()
        .filter(|(k, _)| !RESULT_PARAMS.contains(&k.as_str()))
        .cloned()
        .collect()
}

/// The last value of a parameter.
pub fn last<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .rev()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// Where a requested page is: after the entry of a `__cursor` (a `next` link), before the
/// entry of a `__before` (a `previous` link), or the first page; the cursor as given.
pub fn page_at(params: &[(String, String)]) -> Result<PageAt<String>, FhirError> {
    match (last(params, "__cursor"), last(params, "__before")) {
        (None, None) => Ok(PageAt::First),
        (Some(c), None) => Ok(PageAt::After(c.to_owned())),
        (None, Some(b)) => Ok(PageAt::Before(b.to_owned())),
        (Some(_), Some(_)) => Err(FhirError::bad_request(
            "A page is after one entry or before one, not both",
        )),
    }
}

/// The 400 for a cursor this server did not write.
pub fn bad_cursor(cursor: &str) -> FhirError {
    FhirError::bad_request(format!("'{cursor}' is not a paging cursor of this server"))
}

/// The `self`, `next` and `previous` links of the page at `at`, made by `link` from a cursor
/// parameter.
pub fn page_links(
    at: &PageAt<String>,
    next: Option<String>,
    previous: Option<String>,
    link: impl Fn(Option<(&'static str, String)>) -> String,
) -> Vec<(&'static str, String)> {
    let this = match at {
        PageAt::First => None,
        PageAt::After(c) => Some(("__cursor", c.clone())),
        PageAt::Before(c) => Some(("__before", c.clone())),
    };
    let mut links = vec![("self", link(this))];
    if let Some(next) = next {
        links.push(("next", link(Some(("__cursor", next)))));
    }
    if let Some(previous) = previous {
        links.push(("previous", link(Some(("__before", previous)))));
    }
    links
}

/// `_count`: how many entries a page holds (default and upper bound from the configuration).
pub fn count(params: &[(String, String)], default: usize, max: usize) -> Result<usize, FhirError> {
    match last(params, "_count") {
        None => Ok(default),
        Some(v) => v.parse::<usize>().map(|n| n.min(max)).map_err(|_| {
            FhirError::bad_request(format!("_count must be a non-negative integer, not '{v}'"))
        }),
    }
}

/// Percent-encodes a query component.
pub fn encode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// A query string from pairs.
pub fn to_query(params: &[(String, String)]) -> String {
    params
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}
