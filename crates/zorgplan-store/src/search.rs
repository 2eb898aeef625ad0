//! Search criteria and their evaluation against the index.
//!
//! The parameters supported so far are `_id` and `identifier` (token): enough for search by
//! identity and for conditional create, update and delete. Parameter values follow the FHIR
//! search syntax: a comma separates alternatives (OR), a repeated parameter adds a condition
//! (AND), and `\,` `\|` `\$` `\\` escape those characters.

use crate::crud::{load_versions, Row};
use crate::db::{AnyConnection, Db};
use crate::schema::{resources, search_token};
use crate::tx::TxResult;
use crate::{Store, Version};
use diesel::expression::BoxableExpression;
use diesel::prelude::*;
use diesel::sql_types::Bool;
use zorgplan_fhir::{r4, FhirError};

/// A search parameter the store can evaluate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SearchParamDef {
    pub name: &'static str,
    /// The FHIR search parameter type.
    pub kind: &'static str,
    pub definition: &'static str,
    pub documentation: &'static str,
}

const ID: SearchParamDef = SearchParamDef {
    name: "_id",
    kind: "token",
    definition: "http://hl7.org/fhir/SearchParameter/Resource-id",
    documentation: "Logical id of the resource",
};

const IDENTIFIER: SearchParamDef = SearchParamDef {
    name: "identifier",
    kind: "token",
    definition: "http://hl7.org/fhir/SearchParameter/identifier",
    documentation: "A business identifier of the resource (system|value)",
};

/// The search parameters supported for a resource type.
pub fn supported_params(res_type: &str) -> Vec<SearchParamDef> {
    let mut params = vec![ID];
    if r4::resource_type(res_type).is_some_and(|d| !d.identifier_paths.is_empty()) {
        params.push(IDENTIFIER);
    }
    params
}

/// One value of a token parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// `None`: any system; `Some("")`: no system (`|code`).
    pub system: Option<String>,
    /// `None`: any code (`system|`).
    pub code: Option<String>,
}

/// One condition; the alternatives within it are ORed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Criterion {
    Id(Vec<String>),
    Identifier(Vec<Token>),
}

/// Conditions that all must hold (AND).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Criteria {
    pub conditions: Vec<Criterion>,
}

impl Criteria {
    /// Parses the criteria among `params` for `res_type`. Parameters the store does not
    /// support are returned in the second place, for the caller to reject or ignore.
    pub fn parse(
        res_type: &str,
        params: &[(String, String)],
    ) -> Result<(Criteria, Vec<(String, String)>), FhirError> {
        let supported = supported_params(res_type);
        let mut criteria = Criteria::default();
        let mut unknown = Vec::new();
        for (name, value) in params {
            if !supported.iter().any(|p| p.name == name) {
                unknown.push((name.clone(), value.clone()));
                continue;
            }
            let alternatives = split_unescaped(value, ',');
            if alternatives.iter().any(String::is_empty) {
                return Err(FhirError::bad_request(format!(
                    "Search parameter '{name}' has an empty value"
                )));
            }
            criteria.conditions.push(match name.as_str() {
                "_id" => Criterion::Id(alternatives.iter().map(|a| unescape(a)).collect()),
                _ => Criterion::Identifier(alternatives.iter().map(|a| parse_token(a)).collect()),
            });
        }
        Ok((criteria, unknown))
    }

    pub fn is_empty(&self) -> bool {
        self.conditions.is_empty()
    }
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

type Predicate = Box<dyn BoxableExpression<resources::table, Db, SqlType = Bool>>;

/// `pk IN (the resources with this token)`. Each shape is a concrete subquery: diesel's
/// multi-backend cannot nest boxed expressions inside a subselect.
fn token_predicate(res_type: &str, param: &'static str, token: &Token) -> Predicate {
    let rows = search_token::table
        .select(search_token::res_pk)
        .filter(search_token::res_type.eq(res_type.to_owned()))
        .filter(search_token::param.eq(param));
    match (&token.system, &token.code) {
        (None, Some(code)) => {
            Box::new(resources::pk.eq_any(rows.filter(search_token::code.eq(code.clone()))))
        }
        (Some(system), Some(code)) => Box::new(
            resources::pk.eq_any(
                rows.filter(search_token::code.eq(code.clone()))
                    .filter(search_token::system.eq(system.clone())),
            ),
        ),
        (Some(system), None) => {
            Box::new(resources::pk.eq_any(rows.filter(search_token::system.eq(system.clone()))))
        }
        // Not produced by the parser (a token has a code or a system): any value.
        (None, None) => Box::new(resources::pk.eq_any(rows)),
    }
}

/// The primary keys of the current, non-deleted resources of `res_type` that match, in
/// storage order, after `after` (exclusive), at most `limit`.
pub(crate) fn matching_pks(
    conn: &mut AnyConnection,
    res_type: &str,
    criteria: &Criteria,
    after: Option<i64>,
    limit: i64,
) -> TxResult<Vec<i64>> {
    let mut query = resources::table
        .select(resources::pk)
        .filter(resources::res_type.eq(res_type.to_owned()))
        .filter(resources::deleted.eq(false))
        .into_boxed::<Db>();
    for condition in &criteria.conditions {
        match condition {
            Criterion::Id(ids) => query = query.filter(resources::res_id.eq_any(ids.clone())),
            Criterion::Identifier(tokens) => {
                let mut alternatives = tokens
                    .iter()
                    .map(|t| token_predicate(res_type, "identifier", t));
                let first = alternatives.next().expect("a criterion has a value");
                let predicate: Predicate = alternatives.fold(first, |acc, p| Box::new(acc.or(p)));
                query = query.filter(predicate);
            }
        }
    }
    if let Some(after) = after {
        query = query.filter(resources::pk.gt(after));
    }
    Ok(query.order(resources::pk.asc()).limit(limit).load(conn)?)
}

/// One page of search results.
#[derive(Debug)]
pub struct SearchPage {
    pub matches: Vec<Version>,
    /// Where the next page starts, when there is one.
    pub next: Option<i64>,
}

impl Store {
    /// The current versions of the resources of `res_type` matching `criteria`, `count` at
    /// a time, in storage order, starting after the cursor `after`.
    pub fn search(
        &self,
        res_type: &str,
        criteria: &Criteria,
        count: usize,
        after: Option<i64>,
    ) -> Result<SearchPage, FhirError> {
        self.read_with(|conn| {
            let mut pks = matching_pks(conn, res_type, criteria, after, count as i64 + 1)?;
            let next = if pks.len() > count {
                pks.truncate(count);
                pks.last().copied()
            } else {
                None
            };
            let rows: Vec<(i64, Row)> = load_versions(conn, &pks)?;
            let mut by_pk: std::collections::HashMap<i64, Row> = rows.into_iter().collect();
            let matches = pks
                .iter()
                .filter_map(|pk| by_pk.remove(pk))
                .map(Row::into_version)
                .collect();
            Ok(SearchPage { matches, next })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn parses_token_forms_and_escapes() {
        let (criteria, unknown) = Criteria::parse(
            "Patient",
            &pairs(&[
                (
                    "identifier",
                    "http://fhir.nl/fhir/NamingSystem/bsn|999911120,|x\\,y,z,s|",
                ),
                ("_id", "a,b"),
                ("name", "jan"),
            ]),
        )
        .unwrap();
        assert_eq!(unknown, pairs(&[("name", "jan")]));
        let tok = |s: Option<&str>, c: Option<&str>| Token {
            system: s.map(str::to_owned),
            code: c.map(str::to_owned),
        };
        assert_eq!(
            criteria.conditions,
            [
                Criterion::Identifier(vec![
                    tok(
                        Some("http://fhir.nl/fhir/NamingSystem/bsn"),
                        Some("999911120")
                    ),
                    tok(Some(""), Some("x,y")),
                    tok(None, Some("z")),
                    tok(Some("s"), None),
                ]),
                Criterion::Id(vec!["a".into(), "b".into()]),
            ]
        );
    }

    #[test]
    fn rejects_empty_values_and_knows_which_types_have_identifiers() {
        assert!(Criteria::parse("Patient", &pairs(&[("_id", "a,")])).is_err());
        assert!(Criteria::parse("Patient", &pairs(&[("identifier", "")])).is_err());
        let (_, unknown) = Criteria::parse("Parameters", &pairs(&[("identifier", "x")])).unwrap();
        assert_eq!(unknown.len(), 1);
    }
}
