//! Search criteria and their evaluation against the index.
//!
//! Every search parameter of the store's registry (`zorgplan_search::Registry`: all of R4 and
//! the standard's) can be searched, by its type: token (`code`, `system|code`, `|code`,
//! `system|`; `:not`, `:text`, an identifier's `:of-type`), string (starts with, case- and
//! accent-insensitive; `:exact`, `:contains`), reference (`Type/id`, `id`, an absolute or
//! canonical URL; `:Type`, `:identifier` of a logical reference), date (the prefixes `eq ne lt
//! gt le ge sa eb ap` against the ranges the values cover at their precision), number and
//! quantity (the same prefixes; a quantity's `|system|code`), uri (`:below`, `:above`), and
//! `:missing` on all of them. Values follow the FHIR search syntax: a comma
//! separates alternatives (OR), a repeated parameter adds a condition (AND), and `\,` `\|`
//! `\$` `\\` escape those characters. Chains (`subject:Patient.identifier=…`, several levels)
//! and reverse chains (`_has:Observation:patient:code=…`) are evaluated inner first, with at
//! most a thousand inner matches. `_sort` (several keys, `-` for descending, a resource
//! without a value last) orders at most ten thousand matches and pages by the last entry's
//! sort values, so that pages stay put while other resources change. Composite parameters of
//! a code and a value (`code-value-quantity=http://loinc.org|8302-2$gt100`) compare the value
//! against the values indexed under that code (`zorgplan_search::extract_composite`). Special
//! parameters and result parameters are not evaluated here; the caller gets them back as
//! unsupported.

use crate::crud::{load_versions, Row};
use crate::db::{on_backend, AnyConnection, Db};
use crate::plan::{matching, matching_pks};
use crate::schema::{
    resources, search_date, search_number, search_quantity, search_reference, search_string,
    search_token, search_uri,
};
use crate::tx::TxResult;
use crate::{Store, Version};
use diesel::prelude::*;
use zorgplan_fhir::{r4, FhirError};
use zorgplan_fhirpath::datetime::DateTime;
use zorgplan_search::text::normalize;
use zorgplan_search::{composite_key, Kind, Param, Registry};

/// A search parameter the store can evaluate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchParamDef {
    pub name: String,
    /// The FHIR search parameter type.
    pub kind: &'static str,
    pub definition: String,
    /// The modifiers it takes (`[type]`: a reference's target type, `:Patient`).
    pub modifiers: &'static [&'static str],
}

/// The search parameters supported for a resource type, in the registry's order.
pub fn supported_params(registry: &Registry, res_type: &str) -> Vec<SearchParamDef> {
    registry
        .params(res_type)
        .filter(|p| p.searchable())
        .map(|p| SearchParamDef {
            name: p.code.clone(),
            kind: p.kind.as_str(),
            definition: p.url.clone(),
            modifiers: modifiers(p.kind),
        })
        .collect()
}

/// The modifiers searches of a parameter of type `kind` take.
pub fn modifiers(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Token => &["missing", "not", "text", "of-type"],
        Kind::String => &["missing", "exact", "contains"],
        Kind::Reference => &["missing", "identifier", "[type]"],
        Kind::Uri => &["missing", "below", "above"],
        Kind::Date | Kind::Number | Kind::Quantity => &["missing"],
        Kind::Composite | Kind::Special => &[],
    }
}

/// One value of a token parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// `None`: any system; `Some("")`: no system (`|code`).
    pub system: Option<String>,
    /// `None`: any code (`system|`).
    pub code: Option<String>,
}

/// The comparison of a date, number or quantity search value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prefix {
    Eq,
    Ne,
    Lt,
    Gt,
    Le,
    Ge,
    Sa,
    Eb,
    Ap,
}

/// One alternative of a condition.
#[derive(Debug, Clone, PartialEq)]
pub enum SearchValue {
    Token(Token),
    /// `:of-type`: an identifier of this type (`system|code`) with this value.
    OfType {
        type_token: String,
        value: String,
    },
    /// `:text`, or a string parameter: the normalised text (`Exact` keeps it as written).
    Text(String),
    Exact(String),
    Contains(String),
    /// A reference to `Type/id` (`None`: any type).
    Reference {
        res_type: Option<String>,
        id: String,
    },
    ReferenceUrl(String),
    /// The range of instants a date value covers, microseconds.
    Date {
        prefix: Prefix,
        low: i64,
        high: i64,
    },
    /// A number or the value of a quantity, with the range its precision implies.
    Number {
        prefix: Prefix,
        value: f64,
        low: f64,
        high: f64,
        system: Option<String>,
        code: Option<String>,
    },
    Uri(String),
    UriBelow(String),
    UriAbove(String),
    /// A composite's second value (of type `kind`), paired with the code `key` names.
    Composite {
        key: String,
        kind: Kind,
        value: Box<SearchValue>,
    },
}

/// One condition; the alternatives within it are ORed.
#[derive(Debug, Clone, PartialEq)]
pub enum Criterion {
    Id(Vec<String>),
    Param {
        code: String,
        kind: Kind,
        /// `:not`: no value of the resource matches.
        negated: bool,
        values: Vec<SearchValue>,
    },
    /// `:missing=true` (`present == false`) or `:missing=false`.
    Missing {
        code: String,
        kind: Kind,
        present: bool,
    },
    /// A chain (`subject:Patient.identifier=…`): the reference parameter `code` points to a
    /// resource of one of these types that matches their criteria.
    Chain {
        code: String,
        targets: Vec<(String, Criteria)>,
    },
    /// In the compartment of one of these patients (one of the reference parameters
    /// `params` points to `Patient/id`, or the resource is that Patient), or one of the
    /// resources `ids` of the type. The compartment of `Patient/[id]/[type]` is one patient
    /// and no ids; the part of a type a caller may see is some children's compartments and
    /// single resources of others.
    Compartment {
        params: Vec<String>,
        patients: Vec<String>,
        ids: Vec<String>,
        /// Or in no patient's compartment at all.
        orphans: bool,
    },
    /// Reverse chaining (`_has:Observation:patient:code=…`): a resource of `source_type`
    /// that matches `inner` refers to this one through its parameter `param`.
    Has {
        source_type: String,
        param: String,
        inner: Box<Criteria>,
    },
}

/// Conditions that all must hold (AND).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Criteria {
    pub conditions: Vec<Criterion>,
}

/// The decoded `name=value` pairs of a query string (a search's, a Subscription's
/// criteria), in order.
pub fn query_pairs(query: &str) -> Vec<(String, String)> {
    url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect()
}

fn bad(message: String) -> FhirError {
    FhirError::bad_request(message)
}

impl Criteria {
    /// Parses the criteria among `params` for `res_type`. Parameters the store does not
    /// support (unknown names, unsupported modifiers, composite and special parameters,
    /// chains) are returned in the second place, for the caller to reject or ignore; values
    /// that cannot be read are a 400.
    pub fn parse(
        registry: &Registry,
        res_type: &str,
        params: &[(String, String)],
    ) -> Result<(Criteria, Vec<(String, String)>), FhirError> {
        let mut criteria = Criteria::default();
        let mut unknown = Vec::new();
        for (name, value) in params {
            if let Some(rest) = name.strip_prefix("_has:") {
                match Self::parse_has(registry, res_type, rest, value)? {
                    Some(criterion) => criteria.conditions.push(criterion),
                    None => unknown.push((name.clone(), value.clone())),
                }
                continue;
            }
            if let Some((head, rest)) = name.split_once('.') {
                match Self::parse_chain(registry, res_type, head, rest, value)? {
                    Some(criterion) => criteria.conditions.push(criterion),
                    None => unknown.push((name.clone(), value.clone())),
                }
                continue;
            }
            let (code, modifier) = match name.split_once(':') {
                Some((code, modifier)) => (code, Some(modifier)),
                None => (name.as_str(), None),
            };
            let Some(param) = registry
                .param(res_type, code)
                .filter(|p| p.searchable() && !code.contains('.'))
            else {
                unknown.push((name.clone(), value.clone()));
                continue;
            };
            let supported = match modifier {
                None => true,
                Some(m) if param.kind == Kind::Reference && r4::is_resource_type(m) => true,
                Some(m) => modifiers(param.kind).contains(&m),
            };
            if !supported {
                unknown.push((name.clone(), value.clone()));
                continue;
            }
            let alternatives = split_unescaped(value, ',');
            if alternatives.iter().any(String::is_empty) {
                return Err(bad(format!("Search parameter '{name}' has an empty value")));
            }
            if modifier == Some("missing") {
                let present = match value.as_str() {
                    "true" => false,
                    "false" => true,
                    _ => return Err(bad(format!("{name} takes true or false, not '{value}'"))),
                };
                criteria.conditions.push(Criterion::Missing {
                    code: code.to_owned(),
                    kind: param.kind,
                    present,
                });
                continue;
            }
            if code == "_id" && modifier.is_none() {
                criteria.conditions.push(Criterion::Id(
                    alternatives.iter().map(|a| unescape(a)).collect(),
                ));
                continue;
            }
            let mut values = Vec::with_capacity(alternatives.len());
            for raw in &alternatives {
                values.push(match param.kind {
                    Kind::Composite => parse_composite(param, raw, name)?,
                    kind => parse_value(kind, modifier, raw, name)?,
                });
            }
            // `:identifier` and `:of-type` are answered from token rows of their own.
            let (code, kind) = match (param.kind, modifier) {
                (Kind::Reference, Some("identifier")) => {
                    (format!("{code}:identifier"), Kind::Token)
                }
                (Kind::Token, Some("of-type")) => (format!("{code}:of-type"), Kind::Token),
                _ => (code.to_owned(), param.kind),
            };
            criteria.conditions.push(Criterion::Param {
                code,
                kind,
                negated: modifier == Some("not"),
                values,
            });
        }
        Ok((criteria, unknown))
    }

    pub fn is_empty(&self) -> bool {
        self.conditions.is_empty()
    }

    /// Adds the condition of `Patient/{id}/{res_type}`: the resource is in that patient's
    /// compartment. `false` when resources of the type never are.
    pub fn in_patient_compartment(
        &mut self,
        registry: &Registry,
        res_type: &str,
        id: &str,
    ) -> bool {
        let params = registry.patient_compartment(res_type);
        if params.is_empty() {
            return false;
        }
        self.conditions.push(Criterion::Compartment {
            params: params.to_vec(),
            patients: vec![id.to_owned()],
            ids: Vec::new(),
            orphans: false,
        });
        true
    }

    /// Keeps the resources of `res_type` that are in the compartment of one of `patients`,
    /// are one of `ids`, or (with `orphans`) are in no patient's compartment; for a type
    /// outside the Patient compartment, only `ids`.
    pub fn within(
        &mut self,
        registry: &Registry,
        res_type: &str,
        patients: Vec<String>,
        ids: Vec<String>,
        orphans: bool,
    ) {
        self.conditions.push(Criterion::Compartment {
            params: registry.patient_compartment(res_type).to_vec(),
            patients,
            ids,
            orphans,
        });
    }

    /// `head.rest=value`: `head` is a reference parameter of `res_type` (with a `:Type`
    /// modifier, or its target types), `rest` a parameter of the target (itself maybe a
    /// chain). `None` when no target type has it.
    fn parse_chain(
        registry: &Registry,
        res_type: &str,
        head: &str,
        rest: &str,
        value: &str,
    ) -> Result<Option<Criterion>, FhirError> {
        let (code, type_modifier) = match head.split_once(':') {
            Some((code, t)) => (code, Some(t)),
            None => (head, None),
        };
        let Some(param) = registry
            .param(res_type, code)
            .filter(|p| p.kind == Kind::Reference)
        else {
            return Ok(None);
        };
        let candidates: Vec<String> = match type_modifier {
            Some(t) => vec![t.to_owned()],
            None => param.targets.clone(),
        };
        let mut targets = Vec::new();
        for target in candidates {
            let (inner, unknown) =
                Criteria::parse(registry, &target, &[(rest.to_owned(), value.to_owned())])?;
            if unknown.is_empty() && !inner.is_empty() {
                targets.push((target, inner));
            }
        }
        Ok((!targets.is_empty()).then(|| Criterion::Chain {
            code: code.to_owned(),
            targets,
        }))
    }

    /// `_has:Source:param:rest=value`.
    fn parse_has(
        registry: &Registry,
        res_type: &str,
        spec: &str,
        value: &str,
    ) -> Result<Option<Criterion>, FhirError> {
        let mut parts = spec.splitn(3, ':');
        let (Some(source), Some(param), Some(rest)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(bad(format!(
                "_has:{spec} is not _has:Type:parameter:search-parameter"
            )));
        };
        let refers = registry.param(source, param).is_some_and(|p| {
            p.kind == Kind::Reference
                && (p.targets.is_empty() || p.targets.iter().any(|t| t == res_type))
        });
        if !refers {
            return Ok(None);
        }
        let (inner, unknown) =
            Criteria::parse(registry, source, &[(rest.to_owned(), value.to_owned())])?;
        if !unknown.is_empty() || inner.is_empty() {
            return Ok(None);
        }
        Ok(Some(Criterion::Has {
            source_type: source.to_owned(),
            param: param.to_owned(),
            inner: Box::new(inner),
        }))
    }
}

fn parse_prefix(raw: &str) -> (Prefix, &str) {
    let prefixes = [
        ("eq", Prefix::Eq),
        ("ne", Prefix::Ne),
        ("lt", Prefix::Lt),
        ("gt", Prefix::Gt),
        ("le", Prefix::Le),
        ("ge", Prefix::Ge),
        ("sa", Prefix::Sa),
        ("eb", Prefix::Eb),
        ("ap", Prefix::Ap),
    ];
    for (text, prefix) in prefixes {
        if let Some(rest) = raw.strip_prefix(text) {
            if rest.starts_with(|c: char| c.is_ascii_digit() || c == '-' || c == '.') {
                return (prefix, rest);
            }
        }
    }
    (Prefix::Eq, raw)
}

/// The range a decimal written as `text` stands for: `100` is [99.5, 100.5), `1.50` is
/// [1.495, 1.505).
fn number_range(text: &str) -> Option<(f64, f64, f64)> {
    let value: f64 = text.parse().ok()?;
    let mantissa = text.split(['e', 'E']).next().unwrap_or(text);
    let exponent: i32 = text
        .split_once(['e', 'E'])
        .and_then(|(_, e)| e.parse().ok())
        .unwrap_or(0);
    let decimals = mantissa
        .split_once('.')
        .map_or(0, |(_, fraction)| fraction.len() as i32);
    let half = 0.5 * 10f64.powi(exponent - decimals);
    Some((value, value - half, value + half))
}

fn parse_value(
    kind: Kind,
    modifier: Option<&str>,
    raw: &str,
    name: &str,
) -> Result<SearchValue, FhirError> {
    Ok(match (kind, modifier) {
        (Kind::Token, Some("text")) => SearchValue::Text(normalize(&unescape(raw))),
        (Kind::Token, Some("of-type")) => {
            let parts = split_unescaped(raw, '|');
            let [system, code, value] = parts.as_slice() else {
                return Err(bad(format!(
                    "{name} takes type-system|type-code|value, not '{raw}'"
                )));
            };
            SearchValue::OfType {
                type_token: format!("{}|{}", unescape(system), unescape(code)),
                value: unescape(value),
            }
        }
        (Kind::Reference, Some("identifier")) => SearchValue::Token(parse_token(raw)),
        (Kind::Token, _) => SearchValue::Token(parse_token(raw)),
        (Kind::String, Some("exact")) => SearchValue::Exact(unescape(raw)),
        (Kind::String, Some("contains")) => SearchValue::Contains(normalize(&unescape(raw))),
        (Kind::String, _) => SearchValue::Text(normalize(&unescape(raw))),
        (Kind::Uri, Some("below")) => SearchValue::UriBelow(unescape(raw)),
        (Kind::Uri, Some("above")) => SearchValue::UriAbove(unescape(raw)),
        (Kind::Uri, _) => SearchValue::Uri(unescape(raw)),
        (Kind::Reference, type_modifier) => {
            let value = unescape(raw);
            let value = value.split('|').next().unwrap_or(&value).to_owned();
            if let Some((res_type, id, _)) = zorgplan_fhir::references::parse_local(&value) {
                SearchValue::Reference {
                    res_type: Some(res_type.to_owned()),
                    id: id.to_owned(),
                }
            } else if value.contains("://") || value.starts_with("urn:") {
                SearchValue::ReferenceUrl(value)
            } else if zorgplan_fhir::id::is_valid_id(&value) {
                SearchValue::Reference {
                    res_type: type_modifier.map(str::to_owned),
                    id: value,
                }
            } else {
                return Err(bad(format!("'{value}' is not a reference for {name}")));
            }
        }
        (Kind::Date, _) => {
            let (prefix, text) = parse_prefix(raw);
            let date = DateTime::parse_fhir(text)
                .ok_or_else(|| bad(format!("'{raw}' is not a date for {name}")))?;
            let (low, high) = date.range_micros();
            SearchValue::Date { prefix, low, high }
        }
        (Kind::Number | Kind::Quantity, _) => {
            let (prefix, text) = parse_prefix(raw);
            let parts = split_unescaped(text, '|');
            let (value, low, high) = number_range(&parts[0])
                .ok_or_else(|| bad(format!("'{raw}' is not a number for {name}")))?;
            let nonempty = |i: usize| parts.get(i).map(|p| unescape(p)).filter(|p| !p.is_empty());
            SearchValue::Number {
                prefix,
                value,
                low,
                high,
                system: nonempty(1),
                code: nonempty(2),
            }
        }
        (Kind::Composite | Kind::Special, _) => {
            return Err(bad(format!("{name} cannot be searched here")))
        }
    })
}

/// `code$value` of a composite parameter (see `Param::composite_searchable`): the second
/// value, searched under the key of the code (`zorgplan_search::composite_key`).
fn parse_composite(param: &Param, raw: &str, name: &str) -> Result<SearchValue, FhirError> {
    let parts = split_unescaped(raw, '$');
    let ([code, second], [_, component]) = (parts.as_slice(), param.components.as_slice()) else {
        return Err(bad(format!(
            "{name} takes a code and a value separated by '$', not '{raw}'"
        )));
    };
    let kind = component
        .kind
        .expect("a searchable composite's components have types");
    let token = parse_token(code);
    if code.is_empty() || second.is_empty() {
        return Err(bad(format!("{name} has an empty part in '{raw}'")));
    }
    let key = composite_key(&param.code, token.system.as_deref(), token.code.as_deref());
    Ok(SearchValue::Composite {
        key,
        kind,
        value: Box::new(parse_value(kind, None, second, name)?),
    })
}

fn parse_token(raw: &str) -> Token {
    let parts = split_unescaped(raw, '|');
    if parts.len() >= 2 {
        let rest = parts[1..].join("|");
        Token {
            system: Some(unescape(&parts[0])),
            code: (!rest.is_empty()).then(|| unescape(&rest)),
        }
    } else {
        Token {
            system: None,
            code: Some(unescape(raw)),
        }
    }
}

/// Splits at `sep` where it is not escaped by a backslash; escapes are kept.
fn split_unescaped(value: &str, sep: char) -> Vec<String> {
    let mut parts = vec![String::new()];
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            parts.last_mut().unwrap().push(c);
            if let Some(next) = chars.next() {
                parts.last_mut().unwrap().push(next);
            }
        } else if c == sep {
            parts.push(String::new());
        } else {
            parts.last_mut().unwrap().push(c);
        }
    }
    parts
}

fn unescape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        match (c, chars.clone().next()) {
            ('\\', Some(next @ (',' | '|' | '$' | '\\'))) => {
                out.push(next);
                chars.next();
            }
            _ => out.push(c),
        }
    }
    out
}

/// An `_include` or `_revinclude`: the resources a reference parameter of `source_type`
/// points to (include) or the resources of `source_type` whose parameter points to a result
/// (revinclude); `param` `*` for every reference parameter; with `:iterate` also from the
/// resources included before.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Include {
    pub source_type: String,
    pub param: String,
    pub target_type: Option<String>,
    pub iterate: bool,
}

impl Include {
    /// `Source:param[:Target]` (or `*`).
    pub fn parse(registry: &Registry, value: &str, iterate: bool) -> Result<Include, FhirError> {
        let parts: Vec<&str> = value.split(':').collect();
        let (source_type, param, target_type) = match parts.as_slice() {
            [source, param] => (*source, *param, None),
            [source, param, target] => (*source, *param, Some(*target)),
            _ => {
                return Err(bad(format!(
                    "'{value}' is not Type:parameter[:Type] (or *)"
                )))
            }
        };
        if param != "*"
            && !registry
                .param(source_type, param)
                .is_some_and(|p| p.kind == Kind::Reference)
        {
            return Err(bad(format!(
                "{source_type} has no reference search parameter '{param}'"
            )));
        }
        if let Some(t) = target_type {
            if !zorgplan_fhir::r4::is_resource_type(t) {
                return Err(bad(format!("'{t}' is not a resource type")));
            }
        }
        Ok(Include {
            source_type: source_type.to_owned(),
            param: param.to_owned(),
            target_type: target_type.map(str::to_owned),
            iterate,
        })
    }
}

/// The current versions of resources by type and id (deleted ones left out).
fn load_by_ids(
    conn: &mut AnyConnection,
    wanted: &std::collections::BTreeSet<(String, String)>,
) -> TxResult<Vec<Version>> {
    let mut pks = Vec::new();
    let mut by_type: std::collections::BTreeMap<&str, Vec<&str>> = Default::default();
    for (t, id) in wanted {
        by_type.entry(t).or_default().push(id);
    }
    for (t, ids) in by_type {
        let ids: Vec<String> = ids.into_iter().map(str::to_owned).collect();
        let found: Vec<i64> = resources::table
            .select(resources::pk)
            .filter(resources::res_type.eq(t.to_owned()))
            .filter(resources::res_id.eq_any(ids))
            .filter(resources::deleted.eq(false))
            .load(conn)?;
        pks.extend(found);
    }
    pks.sort_unstable();
    Ok(load_versions(conn, &pks)?
        .into_iter()
        .map(|(_, row)| row.into_version())
        .collect())
}

/// What one include directive adds, from `frontier`.
fn include_step(
    conn: &mut AnyConnection,
    include: &Include,
    reverse: bool,
    frontier: &[Version],
) -> TxResult<std::collections::BTreeSet<(String, String)>> {
    let mut out = std::collections::BTreeSet::new();
    if !reverse {
        let ids: Vec<String> = frontier
            .iter()
            .filter(|v| v.res_type == include.source_type)
            .map(|v| v.id.clone())
            .collect();
        if ids.is_empty() {
            return Ok(out);
        }
        let mut query = search_reference::table
            .inner_join(resources::table)
            .select((search_reference::target_type, search_reference::target_id))
            .filter(resources::res_type.eq(include.source_type.clone()))
            .filter(resources::res_id.eq_any(ids))
            .filter(search_reference::target_id.ne(""))
            .into_boxed::<Db>();
        if include.param != "*" {
            query = query.filter(search_reference::param.eq(include.param.clone()));
        }
        if let Some(t) = &include.target_type {
            query = query.filter(search_reference::target_type.eq(t.clone()));
        }
        out.extend(query.load::<(String, String)>(conn)?);
    } else {
        let mut targets: std::collections::BTreeMap<&str, Vec<String>> = Default::default();
        for v in frontier {
            if include
                .target_type
                .as_ref()
                .is_none_or(|t| *t == v.res_type)
            {
                targets.entry(&v.res_type).or_default().push(v.id.clone());
            }
        }
        for (target_type, ids) in targets {
            let mut query = search_reference::table
                .inner_join(resources::table)
                .select((resources::res_type, resources::res_id))
                .filter(search_reference::res_type.eq(include.source_type.clone()))
                .filter(search_reference::target_type.eq(target_type.to_owned()))
                .filter(search_reference::target_id.eq_any(ids))
                .filter(resources::deleted.eq(false))
                .into_boxed::<Db>();
            if include.param != "*" {
                query = query.filter(search_reference::param.eq(include.param.clone()));
            }
            out.extend(query.load::<(String, String)>(conn)?);
        }
    }
    Ok(out)
}

/// A `_sort` key: a search parameter of the type (or `_id`), descending when `-code`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SortKey {
    pub code: String,
    pub kind: Kind,
    pub descending: bool,
}

impl SortKey {
    /// `_sort`'s value: `code,-code,…`.
    pub fn parse(
        registry: &Registry,
        res_type: &str,
        value: &str,
    ) -> Result<Vec<SortKey>, FhirError> {
        value
            .split(',')
            .map(|key| {
                let (code, descending) = match key.strip_prefix('-') {
                    Some(code) => (code, true),
                    None => (key, false),
                };
                let param = registry
                    .param(res_type, code)
                    .filter(|p| !matches!(p.kind, Kind::Composite | Kind::Special))
                    .ok_or_else(|| bad(format!("{res_type} cannot be sorted by '{code}'")))?;
                Ok(SortKey {
                    code: code.to_owned(),
                    kind: param.kind,
                    descending,
                })
            })
            .collect()
    }
}

/// At most this many matches can be sorted; more is a 400 asking for narrower criteria.
const SORT_LIMIT: i64 = 10_000;

/// The sort value of each resource in `pks` for `key`: the least of its values for an
/// ascending key, the greatest for a descending one (`Null` when it has none).
fn sort_values(
    conn: &mut AnyConnection,
    key: &SortKey,
    pks: &[i64],
) -> TxResult<std::collections::HashMap<i64, serde_json::Value>> {
    use serde_json::Value as J;
    let p = key.code.clone();
    let rows: Vec<(i64, J)> = match (key.code.as_str(), key.kind) {
        ("_id", _) => resources::table
            .select((resources::pk, resources::res_id))
            .filter(resources::pk.eq_any(pks))
            .load::<(i64, String)>(conn)?
            .into_iter()
            .map(|(pk, v)| (pk, J::from(v)))
            .collect(),
        (_, Kind::Token) => search_token::table
            .select((search_token::res_pk, search_token::code))
            .filter(search_token::res_pk.eq_any(pks))
            .filter(search_token::param.eq(p))
            .load::<(i64, String)>(conn)?
            .into_iter()
            .map(|(pk, v)| (pk, J::from(v)))
            .collect(),
        (_, Kind::String) => search_string::table
            .select((search_string::res_pk, search_string::normalized))
            .filter(search_string::res_pk.eq_any(pks))
            .filter(search_string::param.eq(p))
            .load::<(i64, String)>(conn)?
            .into_iter()
            .map(|(pk, v)| (pk, J::from(v)))
            .collect(),
        (_, Kind::Reference) => search_reference::table
            .select((search_reference::res_pk, search_reference::target_id))
            .filter(search_reference::res_pk.eq_any(pks))
            .filter(search_reference::param.eq(p))
            .load::<(i64, String)>(conn)?
            .into_iter()
            .map(|(pk, v)| (pk, J::from(v)))
            .collect(),
        (_, Kind::Date) => search_date::table
            .select((search_date::res_pk, search_date::low, search_date::high))
            .filter(search_date::res_pk.eq_any(pks))
            .filter(search_date::param.eq(p))
            .load::<(i64, i64, i64)>(conn)?
            .into_iter()
            .map(|(pk, low, high)| (pk, J::from(if key.descending { high } else { low })))
            .collect(),
        (_, Kind::Number) => search_number::table
            .select((search_number::res_pk, search_number::value))
            .filter(search_number::res_pk.eq_any(pks))
            .filter(search_number::param.eq(p))
            .load::<(i64, f64)>(conn)?
            .into_iter()
            .map(|(pk, v)| (pk, J::from(v)))
            .collect(),
        (_, Kind::Quantity) => search_quantity::table
            .select((search_quantity::res_pk, search_quantity::value))
            .filter(search_quantity::res_pk.eq_any(pks))
            .filter(search_quantity::param.eq(p))
            .load::<(i64, f64)>(conn)?
            .into_iter()
            .map(|(pk, v)| (pk, J::from(v)))
            .collect(),
        (_, Kind::Uri) => search_uri::table
            .select((search_uri::res_pk, search_uri::uri))
            .filter(search_uri::res_pk.eq_any(pks))
            .filter(search_uri::param.eq(p))
            .load::<(i64, String)>(conn)?
            .into_iter()
            .map(|(pk, v)| (pk, J::from(v)))
            .collect(),
        (_, Kind::Composite | Kind::Special) => Vec::new(),
    };
    let mut out: std::collections::HashMap<i64, J> = Default::default();
    for (pk, value) in rows {
        let better = match out.get(&pk) {
            None => true,
            Some(old) => {
                let order = compare_values(&value, old);
                if key.descending {
                    order.is_gt()
                } else {
                    order.is_lt()
                }
            }
        };
        if better {
            out.insert(pk, value);
        }
    }
    Ok(out)
}

/// Two sort values of one key (numbers, or strings); a missing value (`Null`) is greater
/// than any.
fn compare_values(a: &serde_json::Value, b: &serde_json::Value) -> std::cmp::Ordering {
    use serde_json::Value as J;
    use std::cmp::Ordering;
    match (a, b) {
        (J::Null, J::Null) => Ordering::Equal,
        (J::Null, _) => Ordering::Greater,
        (_, J::Null) => Ordering::Less,
        (J::Number(x), J::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(x), Some(y)) => x.cmp(&y),
            _ => x
                .as_f64()
                .unwrap_or(0.0)
                .total_cmp(&y.as_f64().unwrap_or(0.0)),
        },
        (J::String(x), J::String(y)) => x.cmp(y),
        _ => Ordering::Equal,
    }
}

/// The order of two sorted entries (`[values…]`, pk): key by key, a missing value last
/// whatever the direction, then by pk.
fn compare_entries(
    keys: &[SortKey],
    a: &(Vec<serde_json::Value>, i64),
    b: &(Vec<serde_json::Value>, i64),
) -> std::cmp::Ordering {
    for (i, key) in keys.iter().enumerate() {
        let (x, y) = (&a.0[i], &b.0[i]);
        let order = match (x.is_null(), y.is_null()) {
            (false, false) if key.descending => compare_values(y, x),
            _ => compare_values(x, y),
        };
        if order.is_ne() {
            return order;
        }
    }
    a.1.cmp(&b.1)
}

/// Where a page of search results is: at the first match, right after the entry with a
/// cursor (a `next` link) or right before it (a `previous` link). A cursor is an entry's pk
/// (storage order) or its sort values and pk (`_sort`).
#[derive(Debug, Clone, PartialEq)]
pub enum PageAt<C> {
    First,
    After(C),
    Before(C),
}

impl<C> PageAt<C> {
    /// The same place, its cursor converted by `f`.
    pub fn try_map<D, E>(&self, f: impl FnOnce(&C) -> Result<D, E>) -> Result<PageAt<D>, E> {
        Ok(match self {
            PageAt::First => PageAt::First,
            PageAt::After(c) => PageAt::After(f(c)?),
            PageAt::Before(c) => PageAt::Before(f(c)?),
        })
    }
}

/// The cursor of an entry of a sorted search: its sort values, then its pk.
pub type SortCursor = (Vec<serde_json::Value>, i64);

/// One page of search results.
#[derive(Debug)]
pub struct SearchPage<C = i64> {
    pub matches: Vec<Version>,
    /// The cursor of the page's last entry, when more matches follow (`PageAt::After`).
    pub next: Option<C>,
    /// The cursor of the page's first entry, when matches precede it (`PageAt::Before`).
    pub previous: Option<C>,
}

impl<C> Default for SearchPage<C> {
    /// An empty page with nothing before or after it.
    fn default() -> Self {
        SearchPage {
            matches: Vec::new(),
            next: None,
            previous: None,
        }
    }
}

impl Store {
    /// The search parameters this store indexes.
    pub fn search_parameters(&self) -> &'static Registry {
        self.writing.registry
    }

    /// The resources that `includes` and `revincludes` add to `matches` (none of these
    /// again), at most `limit`; directives with `:iterate` also follow what was included,
    /// up to four steps.
    pub fn included(
        &self,
        matches: &[Version],
        includes: &[Include],
        revincludes: &[Include],
        limit: usize,
    ) -> Result<Vec<Version>, FhirError> {
        if includes.is_empty() && revincludes.is_empty() {
            return Ok(Vec::new());
        }
        self.read_with(|conn| {
            let mut known: std::collections::BTreeSet<(String, String)> = matches
                .iter()
                .map(|v| (v.res_type.clone(), v.id.clone()))
                .collect();
            let mut frontier: Vec<Version> = matches.to_vec();
            let mut out: Vec<Version> = Vec::new();
            for round in 0..4 {
                let mut wanted = std::collections::BTreeSet::new();
                for (directives, reverse) in [(includes, false), (revincludes, true)] {
                    for include in directives.iter().filter(|d| round == 0 || d.iterate) {
                        wanted.extend(include_step(conn, include, reverse, &frontier)?);
                    }
                }
                wanted.retain(|key| !known.contains(key));
                if wanted.is_empty() {
                    break;
                }
                let found = load_by_ids(conn, &wanted)?;
                known.extend(wanted);
                for version in &found {
                    if out.len() >= limit {
                        return Ok(out);
                    }
                    out.push(version.clone());
                }
                frontier = found;
            }
            Ok(out)
        })
    }

    /// The matches of `criteria` in the order of `keys`, `count` at a time, after the entry
    /// `after` (the sort values and pk of a page's last entry): a page never repeats or skips
    /// a resource whose sort values stay the same while others change.
    pub fn search_sorted(
        &self,
        res_type: &str,
        criteria: &Criteria,
        keys: &[SortKey],
        count: usize,
        at: &PageAt<SortCursor>,
    ) -> Result<SearchPage<SortCursor>, FhirError> {
        self.read_with(|conn| {
            let pks = matching_pks(conn, res_type, criteria, None, SORT_LIMIT + 1)?;
            if pks.len() as i64 > SORT_LIMIT {
                return Err(bad(format!(
                    "More than {SORT_LIMIT} resources match; narrow the search down to sort it"
                ))
                .into());
            }
            let mut columns = Vec::with_capacity(keys.len());
            for key in keys {
                columns.push(sort_values(conn, key, &pks)?);
            }
            let mut entries: Vec<SortCursor> = pks
                .iter()
                .map(|pk| {
                    let values = columns
                        .iter()
                        .map(|c| c.get(pk).cloned().unwrap_or(serde_json::Value::Null))
                        .collect();
                    (values, *pk)
                })
                .collect();
            entries.sort_by(|a, b| compare_entries(keys, a, b));
            let first_after = |cursor: &SortCursor| {
                entries
                    .iter()
                    .position(|e| compare_entries(keys, e, cursor).is_gt())
                    .unwrap_or(entries.len())
            };
            let (start, end) = match at {
                PageAt::First => (0, count.min(entries.len())),
                PageAt::After(cursor) => {
                    let start = first_after(cursor);
                    (start, (start + count).min(entries.len()))
                }
                PageAt::Before(cursor) => {
                    let end = entries
                        .iter()
                        .position(|e| compare_entries(keys, e, cursor).is_ge())
                        .unwrap_or(entries.len());
                    (end.saturating_sub(count), end)
                }
            };
            let page = &entries[start..end];
            let next = (end < entries.len() || matches!(at, PageAt::Before(_)))
                .then(|| page.last().cloned())
                .flatten();
            let previous = (start > 0).then(|| page.first().cloned()).flatten();
            let page_pks: Vec<i64> = page.iter().map(|e| e.1).collect();
            let matches = load_in_order(conn, &page_pks)?;
            Ok(SearchPage {
                matches,
                next,
                previous,
            })
        })
    }

    /// The types of the current resources in a patient's compartment (R4's Patient
    /// CompartmentDefinition): those with a compartment parameter that refers to
    /// `Patient/id`, in one lookup of the references to it. `Patient` is not among them.
    pub fn patient_compartment_types(&self, id: &str) -> Result<Vec<String>, FhirError> {
        let registry = self.search_parameters();
        Store::read_with(self, |conn| {
            let pairs: Vec<(String, String)> = search_reference::table
                .select((search_reference::res_type, search_reference::param))
                .filter(search_reference::target_type.eq("Patient"))
                .filter(search_reference::target_id.eq(id))
                .distinct()
                .load(conn)?;
            let mut types: Vec<String> = pairs
                .into_iter()
                .filter(|(t, p)| registry.patient_compartment(t).contains(p))
                .map(|(t, _)| t)
                .collect();
            types.sort_unstable();
            types.dedup();
            Ok(types)
        })
    }

    /// What the access policy reads of children, as keys: for each of the current Patients
    /// `patients` and of the current resources that refer to one of them through one of
    /// `sources` (a type and its reference parameter: their CareTeams by `subject`, …),
    /// the child's id, the resource's pk and its version; sorted. Comparing the keys tells
    /// whether what was read before is still current.
    ///
    /// Runs on every checked request: one statement (one round trip to PostgreSQL), of a
    /// fixed text for one child, so that the connection's statement cache keeps it
    /// prepared (SQLite cannot cache an `IN` list's).
    pub fn about_patients<'a>(
        &self,
        patients: &[String],
        sources: [(&'a str, &'a str); 3],
    ) -> Result<Vec<(String, i64, i64)>, FhirError> {
        use diesel::CombineDsl;
        if patients.is_empty() {
            return Ok(Vec::new());
        }
        let referring = |(res_type, param): (&'a str, &'a str)| {
            search_reference::table
                .inner_join(resources::table.on(resources::pk.eq(search_reference::res_pk)))
                .select((
                    search_reference::target_id,
                    resources::pk,
                    resources::version,
                ))
                .filter(search_reference::res_type.eq(res_type))
                .filter(search_reference::param.eq(param))
                .filter(search_reference::target_type.eq("Patient"))
                .filter(resources::deleted.eq(false))
        };
        let [first, second, third] = sources;
        let current = resources::table
            .select((resources::res_id, resources::pk, resources::version))
            .filter(resources::res_type.eq("Patient"))
            .filter(resources::deleted.eq(false));
        self.read_with(|conn| {
            let mut keys: Vec<(String, i64, i64)> = match patients {
                [one] => on_backend!(conn, |c| referring(first)
                    .filter(search_reference::target_id.eq(one))
                    .union_all(referring(second).filter(search_reference::target_id.eq(one)))
                    .union_all(referring(third).filter(search_reference::target_id.eq(one)))
                    .union_all(current.filter(resources::res_id.eq(one)))
                    .load(c))?,
                many => on_backend!(conn, |c| referring(first)
                    .filter(search_reference::target_id.eq_any(many))
                    .union_all(referring(second).filter(search_reference::target_id.eq_any(many)))
                    .union_all(referring(third).filter(search_reference::target_id.eq_any(many)))
                    .union_all(current.filter(resources::res_id.eq_any(many)))
                    .load(c))?,
            };
            keys.sort_unstable();
            keys.dedup();
            Ok(keys)
        })
    }

    /// The ids of the Patients whose current CareTeams name one of `members` (`Type/id`)
    /// as a participant: the children whose networks a caller may be in (whether it is,
    /// and when, the networks themselves say).
    pub fn children_of_members(&self, members: &[String]) -> Result<Vec<String>, FhirError> {
        let (types, ids): (Vec<&str>, Vec<&str>) =
            members.iter().filter_map(|m| m.split_once('/')).unzip();
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        self.read_with(|conn| {
            let networks: Vec<i64> = search_reference::table
                .select(search_reference::res_pk)
                .filter(search_reference::res_type.eq("CareTeam"))
                .filter(search_reference::param.eq("participant"))
                .filter(search_reference::target_type.eq_any(&types))
                .filter(search_reference::target_id.eq_any(&ids))
                .load(conn)?;
            let mut children: Vec<String> = search_reference::table
                .select(search_reference::target_id)
                .filter(search_reference::res_pk.eq_any(&networks))
                .filter(search_reference::res_type.eq("CareTeam"))
                .filter(search_reference::param.eq("subject"))
                .filter(search_reference::target_type.eq("Patient"))
                .load(conn)?;
            children.sort_unstable();
            children.dedup();
            Ok(children)
        })
    }

    /// The current versions of the resources with these pks, each with its pk.
    pub fn current_by_pks(&self, pks: &[i64]) -> Result<Vec<(i64, Version)>, FhirError> {
        self.read_with(|conn| {
            Ok(load_versions(conn, pks)?
                .into_iter()
                .map(|(pk, row)| (pk, row.into_version()))
                .collect())
        })
    }

    /// How many current resources of `res_type` match `criteria` (`_total=accurate`).
    pub fn count(&self, res_type: &str, criteria: &Criteria) -> Result<usize, FhirError> {
        self.read_with(|conn| {
            let count: i64 = matching(conn, res_type, criteria)?
                .count()
                .get_result(conn)?;
            Ok(count as usize)
        })
    }

    /// The current versions of the resources of `res_type` matching `criteria`, `count` at
    /// a time, in storage order (the cursor is the pk).
    pub fn search(
        &self,
        res_type: &str,
        criteria: &Criteria,
        count: usize,
        at: &PageAt<i64>,
    ) -> Result<SearchPage, FhirError> {
        self.read_with(|conn| {
            let query = matching(conn, res_type, criteria)?;
            let limit = count as i64 + 1;
            let mut pks: Vec<i64> = match at {
                PageAt::First => query.order(resources::pk.asc()).limit(limit).load(conn)?,
                PageAt::After(after) => query
                    .filter(resources::pk.gt(*after))
                    .order(resources::pk.asc())
                    .limit(limit)
                    .load(conn)?,
                PageAt::Before(before) => query
                    .filter(resources::pk.lt(*before))
                    .order(resources::pk.desc())
                    .limit(limit)
                    .load(conn)?,
            };
            let more = pks.len() > count;
            pks.truncate(count);
            let (next, previous) = match at {
                PageAt::First => (more.then(|| pks.last().copied()).flatten(), None),
                PageAt::After(after) => (
                    more.then(|| pks.last().copied()).flatten(),
                    Some(pks.first().copied().unwrap_or(after + 1)),
                ),
                PageAt::Before(_) => {
                    pks.reverse();
                    (
                        pks.last().copied(),
                        more.then(|| pks.first().copied()).flatten(),
                    )
                }
            };
            let matches = load_in_order(conn, &pks)?;
            Ok(SearchPage {
                matches,
                next,
                previous,
            })
        })
    }
}

/// The current versions of the resources `pks`, in that order.
fn load_in_order(conn: &mut AnyConnection, pks: &[i64]) -> TxResult<Vec<Version>> {
    let mut by_pk: std::collections::HashMap<i64, Row> =
        load_versions(conn, pks)?.into_iter().collect();
    Ok(pks
        .iter()
        .filter_map(|pk| by_pk.remove(pk))
        .map(Row::into_version)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn parse(res_type: &str, list: &[(&str, &str)]) -> (Criteria, Vec<(String, String)>) {
        Criteria::parse(Registry::r4(), res_type, &pairs(list)).unwrap()
    }

    #[test]
    fn parses_token_forms_and_escapes() {
        let (criteria, unknown) = parse(
            "Patient",
            &[
                (
                    "identifier",
                    "http://fhir.nl/fhir/NamingSystem/bsn|999911120,|x\\,y,z,s|",
                ),
                ("_id", "a,b"),
                ("nonsense", "jan"),
                ("name:phonetic", "jan"),
            ],
        );
        assert_eq!(
            unknown,
            pairs(&[("nonsense", "jan"), ("name:phonetic", "jan")])
        );
        let tok = |s: Option<&str>, c: Option<&str>| {
            SearchValue::Token(Token {
                system: s.map(str::to_owned),
                code: c.map(str::to_owned),
            })
        };
        assert_eq!(
            criteria.conditions,
            [
                Criterion::Param {
                    code: "identifier".into(),
                    kind: Kind::Token,
                    negated: false,
                    values: vec![
                        tok(
                            Some("http://fhir.nl/fhir/NamingSystem/bsn"),
                            Some("999911120")
                        ),
                        tok(Some(""), Some("x,y")),
                        tok(None, Some("z")),
                        tok(Some("s"), None),
                    ]
                },
                Criterion::Id(vec!["a".into(), "b".into()]),
            ]
        );
    }

    #[test]
    fn parses_prefixes_precision_and_modifiers() {
        let (criteria, _) = parse(
            "Patient",
            &[
                ("birthdate", "ge2015-03"),
                ("name:exact", "Zoë"),
                ("general-practitioner:Practitioner", "p1"),
                ("gender:missing", "true"),
            ],
        );
        let Criterion::Param { values, .. } = &criteria.conditions[0] else {
            panic!()
        };
        let SearchValue::Date { prefix, low, high } = values[0] else {
            panic!()
        };
        assert_eq!(prefix, Prefix::Ge);
        assert_eq!(high - low + 1, 31 * 86_400 * 1_000_000);
        assert!(
            matches!(&criteria.conditions[1], Criterion::Param { values, .. }
            if values == &[SearchValue::Exact("Zoë".into())])
        );
        assert!(
            matches!(&criteria.conditions[2], Criterion::Param { values, .. }
            if values == &[SearchValue::Reference { res_type: Some("Practitioner".into()), id: "p1".into() }])
        );
        assert_eq!(
            criteria.conditions[3],
            Criterion::Missing {
                code: "gender".into(),
                kind: Kind::Token,
                present: false
            }
        );
        assert_eq!(number_range("100"), Some((100.0, 99.5, 100.5)));
        let (v, lo, hi) = number_range("1.50").unwrap();
        assert!(
            (v - 1.5).abs() < 1e-12 && (lo - 1.495).abs() < 1e-12 && (hi - 1.505).abs() < 1e-12
        );
    }

    #[test]
    fn rejects_empty_and_unreadable_values() {
        let registry = Registry::r4();
        assert!(Criteria::parse(registry, "Patient", &pairs(&[("_id", "a,")])).is_err());
        assert!(Criteria::parse(registry, "Patient", &pairs(&[("identifier", "")])).is_err());
        assert!(
            Criteria::parse(registry, "Patient", &pairs(&[("birthdate", "gisteren")])).is_err()
        );
        assert!(Criteria::parse(registry, "Patient", &pairs(&[("gender:missing", "x")])).is_err());
        let (_, unknown) =
            Criteria::parse(registry, "Parameters", &pairs(&[("identifier", "x")])).unwrap();
        assert_eq!(unknown.len(), 1);
    }
}

#[cfg(test)]
mod plan_cache {
    use crate::{Criteria, PageAt, Store, StoreConfig};
    use diesel::RunQueryDsl;

    #[derive(diesel::QueryableByName)]
    struct Prepared {
        #[diesel(sql_type = diesel::sql_types::Text)]
        statement: String,
    }

    /// On PostgreSQL a lookup by key stays prepared (its generic plan is made once), and a
    /// search's statement does not (it is planned with the values it names): see
    /// `db::planned_with_values`.
    #[test]
    fn postgres_keeps_lookups_prepared_and_not_searches() {
        let Ok(url) = std::env::var("ZORGPLAN_TEST_POSTGRES_URL") else {
            eprintln!("ZORGPLAN_TEST_POSTGRES_URL is not set: the PostgreSQL run is skipped");
            return;
        };
        let mut config = StoreConfig::new(&url);
        // One connection: the statements below all meet the same session.
        config.pool_size = 1;
        let store = Store::open(&config).unwrap();
        let params = [("patient".to_owned(), "Patient/nobody".to_owned())];
        let (criteria, _) = Criteria::parse(config.search_parameters, "Goal", &params).unwrap();
        for _ in 0..3 {
            store.read("Patient", "nobody").unwrap();
            store.search("Goal", &criteria, 10, &PageAt::First).unwrap();
        }
        let prepared: Vec<String> = store
            .read_with(|conn| {
                let crate::db::AnyConnection::Postgresql(c) = conn else {
                    panic!("a PostgreSQL connection");
                };
                Ok(
                    diesel::sql_query("SELECT statement FROM pg_prepared_statements")
                        .load::<Prepared>(c)?,
                )
            })
            .unwrap()
            .into_iter()
            .map(|p| p.statement)
            .collect();
        assert!(
            prepared.iter().any(|s| s.contains("resource_versions")),
            "the read is kept prepared: {prepared:?}"
        );
        assert!(
            !prepared.iter().any(|s| s.contains("search_reference")),
            "the search is not: {prepared:?}"
        );
    }
}
