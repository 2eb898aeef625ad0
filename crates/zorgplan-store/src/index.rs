//! The search index, maintained in the same transaction as the resource it describes.

use crate::db::AnyConnection;
use crate::schema::search_token;
use diesel::prelude::*;
use serde_json::Value;
use std::collections::BTreeSet;
use zorgplan_fhir::r4;

#[derive(Insertable, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[diesel(table_name = search_token)]
struct TokenRow {
    res_pk: i64,
    res_type: String,
    param: String,
    system: String,
    code: String,
}

/// Writes the index rows of a resource's new current version, replacing those of the
/// previous one when `replace`.
pub(crate) fn write(
    conn: &mut AnyConnection,
    pk: i64,
    res_type: &str,
    resource: &Value,
    replace: bool,
) -> QueryResult<()> {
    if replace {
        remove(conn, pk)?;
    }
    let rows: BTreeSet<TokenRow> = identifiers(res_type, resource)
        .into_iter()
        .map(|(system, code)| TokenRow {
            res_pk: pk,
            res_type: res_type.to_owned(),
            param: "identifier".to_owned(),
            system,
            code,
        })
        .collect();
    for row in rows {
        diesel::insert_into(search_token::table)
            .values(&row)
            .execute(conn)?;
    }
    Ok(())
}

/// Removes the index rows of a resource (on deletion).
pub(crate) fn remove(conn: &mut AnyConnection, pk: i64) -> QueryResult<()> {
    diesel::delete(search_token::table.filter(search_token::res_pk.eq(pk))).execute(conn)?;
    Ok(())
}

/// The (system, value) pairs of the resource's `identifier` search parameter.
fn identifiers(res_type: &str, resource: &Value) -> Vec<(String, String)> {
    let Some(def) = r4::resource_type(res_type) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for path in def.identifier_paths {
        let mut nodes = vec![resource];
        for step in path.split('.') {
            nodes = nodes
                .into_iter()
                .filter_map(|n| n.get(step))
                .flat_map(|v| match v {
                    Value::Array(items) => items.iter().collect::<Vec<_>>(),
                    v => vec![v],
                })
                .collect();
        }
        for identifier in nodes {
            let system = identifier.get("system").and_then(Value::as_str);
            let value = identifier.get("value").and_then(Value::as_str);
            if system.is_some() || value.is_some() {
                out.push((
                    system.unwrap_or_default().to_owned(),
                    value.unwrap_or_default().to_owned(),
                ));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn extracts_identifiers_along_the_parameter_paths() {
        let doc = json!({"resourceType": "DocumentReference",
            "masterIdentifier": {"system": "urn:ietf:rfc:3986", "value": "urn:oid:1.2.3"},
            "identifier": [{"value": "local-1"}, {"system": "http://x", "value": "2"}, {"use": "old"}]});
        assert_eq!(
            identifiers("DocumentReference", &doc),
            [
                ("urn:ietf:rfc:3986".to_owned(), "urn:oid:1.2.3".to_owned()),
                (String::new(), "local-1".to_owned()),
                ("http://x".to_owned(), "2".to_owned()),
            ]
        );
        assert!(identifiers("Parameters", &json!({"resourceType": "Parameters"})).is_empty());
    }
}
