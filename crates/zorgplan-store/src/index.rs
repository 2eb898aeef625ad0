//! The search index, maintained in the same transaction as the resource it describes.
//!
//! Every search parameter of the resource's type (see `zorgplan_search::Registry`) is
//! evaluated on the new current version, and what it extracts goes into the table of its
//! kind: `search_token`, `search_string` (also the `:text` of tokens, as parameter
//! `<code>:text`), `search_reference`, `search_date`, `search_number`, `search_quantity`,
//! `search_uri`. A parameter whose expression cannot be evaluated on the resource indexes
//! nothing for it (and is logged).

use crate::db::AnyConnection;
use crate::schema::{
    search_date, search_number, search_quantity, search_reference, search_string, search_token,
    search_uri,
};
use diesel::prelude::*;
use serde_json::Value;
use std::collections::BTreeSet;
use zorgplan_search::{extract, IndexValue, Kind, Registry};

#[derive(Insertable, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[diesel(table_name = search_token)]
struct TokenRow {
    res_pk: i64,
    res_type: String,
    param: String,
    system: String,
    code: String,
}

#[derive(Insertable, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[diesel(table_name = search_string)]
struct StringRow {
    res_pk: i64,
    res_type: String,
    param: String,
    normalized: String,
    exact: String,
}

#[derive(Insertable, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[diesel(table_name = search_reference)]
struct ReferenceRow {
    res_pk: i64,
    res_type: String,
    param: String,
    target_type: String,
    target_id: String,
    url: String,
}

#[derive(Insertable, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[diesel(table_name = search_date)]
struct DateRow {
    res_pk: i64,
    res_type: String,
    param: String,
    low: i64,
    high: i64,
}

#[derive(Insertable, Debug, PartialEq)]
#[diesel(table_name = search_number)]
struct NumberRow {
    res_pk: i64,
    res_type: String,
    param: String,
    value: f64,
    text: String,
}

#[derive(Insertable, Debug, PartialEq)]
#[diesel(table_name = search_quantity)]
struct QuantityRow {
    res_pk: i64,
    res_type: String,
    param: String,
    value: f64,
    system: String,
    code: String,
    unit: String,
}

#[derive(Insertable, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[diesel(table_name = search_uri)]
struct UriRow {
    res_pk: i64,
    res_type: String,
    param: String,
    uri: String,
}

/// The rows of one resource, per table.
#[derive(Default)]
struct Rows {
    tokens: BTreeSet<TokenRow>,
    strings: BTreeSet<StringRow>,
    references: BTreeSet<ReferenceRow>,
    dates: BTreeSet<DateRow>,
    numbers: Vec<NumberRow>,
    quantities: Vec<QuantityRow>,
    uris: BTreeSet<UriRow>,
}

fn rows(registry: &Registry, pk: i64, res_type: &str, resource: &Value) -> Rows {
    let mut rows = Rows::default();
    for param in registry.params(res_type) {
        if matches!(param.kind, Kind::Composite | Kind::Special) {
            continue;
        }
        let values = match extract(param, resource) {
            Ok(values) => values,
            Err(error) => {
                tracing::warn!(res_type, param = %param.code, %error, "search parameter not indexed");
                continue;
            }
        };
        let key = |param: &str| (pk, res_type.to_owned(), param.to_owned());
        for value in values {
            let (res_pk, res_type, param_code) = key(&param.code);
            match value {
                IndexValue::Token { system, code } => {
                    rows.tokens.insert(TokenRow {
                        res_pk,
                        res_type,
                        param: param_code,
                        system: system.unwrap_or_default(),
                        code,
                    });
                }
                IndexValue::TokenText(text) => {
                    rows.strings.insert(StringRow {
                        res_pk,
                        res_type,
                        param: format!("{param_code}:text"),
                        exact: text.clone(),
                        normalized: text,
                    });
                }
                IndexValue::String { normalized, exact } => {
                    rows.strings.insert(StringRow {
                        res_pk,
                        res_type,
                        param: param_code,
                        normalized,
                        exact,
                    });
                }
                IndexValue::Reference {
                    res_type: target_type,
                    id,
                    url,
                } => {
                    rows.references.insert(ReferenceRow {
                        res_pk,
                        res_type,
                        param: param_code,
                        target_type: target_type.unwrap_or_default(),
                        target_id: id.unwrap_or_default(),
                        url: url.unwrap_or_default(),
                    });
                }
                IndexValue::Date { low, high } => {
                    rows.dates.insert(DateRow {
                        res_pk,
                        res_type,
                        param: param_code,
                        low,
                        high,
                    });
                }
                IndexValue::Number(text) => {
                    if let Ok(value) = text.parse::<f64>() {
                        rows.numbers.push(NumberRow {
                            res_pk,
                            res_type,
                            param: param_code,
                            value,
                            text,
                        });
                    }
                }
                IndexValue::Quantity {
                    value,
                    system,
                    code,
                    unit,
                } => {
                    if let Ok(number) = value.parse::<f64>() {
                        rows.quantities.push(QuantityRow {
                            res_pk,
                            res_type,
                            param: param_code,
                            value: number,
                            system: system.unwrap_or_default(),
                            code: code.unwrap_or_default(),
                            unit: unit.unwrap_or_default(),
                        });
                    }
                }
                IndexValue::Uri(uri) => {
                    rows.uris.insert(UriRow {
                        res_pk,
                        res_type,
                        param: param_code,
                        uri,
                    });
                }
            }
        }
    }
    rows
}

/// Writes the index rows of a resource's new current version, replacing those of the
/// previous one when `replace`.
pub(crate) fn write(
    conn: &mut AnyConnection,
    registry: &Registry,
    pk: i64,
    res_type: &str,
    resource: &Value,
    replace: bool,
) -> QueryResult<()> {
    if replace {
        remove(conn, pk)?;
    }
    let rows = rows(registry, pk, res_type, resource);
    // One INSERT per row: SQLite's multi-row VALUES would be faster, but diesel cannot
    // batch on a multi-backend connection.
    for row in &rows.tokens {
        diesel::insert_into(search_token::table)
            .values(row)
            .execute(conn)?;
    }
    for row in &rows.strings {
        diesel::insert_into(search_string::table)
            .values(row)
            .execute(conn)?;
    }
    for row in &rows.references {
        diesel::insert_into(search_reference::table)
            .values(row)
            .execute(conn)?;
    }
    for row in &rows.dates {
        diesel::insert_into(search_date::table)
            .values(row)
            .execute(conn)?;
    }
    for row in &rows.numbers {
        diesel::insert_into(search_number::table)
            .values(row)
            .execute(conn)?;
    }
    for row in &rows.quantities {
        diesel::insert_into(search_quantity::table)
            .values(row)
            .execute(conn)?;
    }
    for row in &rows.uris {
        diesel::insert_into(search_uri::table)
            .values(row)
            .execute(conn)?;
    }
    Ok(())
}

/// Removes the index rows of a resource (on deletion, and before re-indexing it).
pub(crate) fn remove(conn: &mut AnyConnection, pk: i64) -> QueryResult<()> {
    diesel::delete(search_token::table.filter(search_token::res_pk.eq(pk))).execute(conn)?;
    diesel::delete(search_string::table.filter(search_string::res_pk.eq(pk))).execute(conn)?;
    diesel::delete(search_reference::table.filter(search_reference::res_pk.eq(pk)))
        .execute(conn)?;
    diesel::delete(search_date::table.filter(search_date::res_pk.eq(pk))).execute(conn)?;
    diesel::delete(search_number::table.filter(search_number::res_pk.eq(pk))).execute(conn)?;
    diesel::delete(search_quantity::table.filter(search_quantity::res_pk.eq(pk))).execute(conn)?;
    diesel::delete(search_uri::table.filter(search_uri::res_pk.eq(pk))).execute(conn)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn rows_per_table() {
        let doc = json!({"resourceType": "DocumentReference", "id": "d1", "status": "current",
            "masterIdentifier": {"system": "urn:ietf:rfc:3986", "value": "urn:oid:1.2.3"},
            "identifier": [{"value": "local-1"}, {"system": "http://x", "value": "2"}, {"use": "old"}],
            "subject": {"reference": "Patient/kind"},
            "date": "2026-11-23T10:00:00Z",
            "description": "Ontslagbrief",
            "content": [{"attachment": {"url": "http://example.org/brief.pdf"}}]});
        let rows = rows(Registry::r4(), 7, "DocumentReference", &doc);
        let identifiers: Vec<(&str, &str)> = rows
            .tokens
            .iter()
            .filter(|r| r.param == "identifier")
            .map(|r| (r.system.as_str(), r.code.as_str()))
            .collect();
        assert_eq!(
            identifiers,
            [
                ("", "local-1"),
                ("http://x", "2"),
                ("urn:ietf:rfc:3986", "urn:oid:1.2.3")
            ]
        );
        assert!(rows
            .tokens
            .iter()
            .any(|r| r.param == "_id" && r.code == "d1"));
        assert!(rows
            .references
            .iter()
            .any(|r| r.param == "patient" && r.target_type == "Patient" && r.target_id == "kind"));
        assert!(rows.dates.iter().any(|r| r.param == "date"));
        assert!(rows
            .strings
            .iter()
            .any(|r| r.param == "description" && r.normalized == "ontslagbrief"));
        assert!(rows
            .uris
            .iter()
            .any(|r| r.param == "location" && r.uri == "http://example.org/brief.pdf"));
        assert!(rows.tokens.iter().all(|r| r.res_pk == 7));
    }
}
