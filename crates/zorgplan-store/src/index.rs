//! The search index, maintained in the same transaction as the resource it describes.
//!
//! Every search parameter of the resource's type (see `zorgplan_search::Registry`) is
//! evaluated on the new current version, and what it extracts goes into the table of its
//! kind: `search_token` (also an identifier's `:of-type`, as parameter `<code>:of-type` with
//! the type's `system|code` as system, and a logical reference's `:identifier`, as parameter
//! `<code>:identifier`), `search_string` (also the `:text` of tokens, as parameter
//! `<code>:text`), `search_reference`, `search_date`, `search_number`, `search_quantity`,
//! `search_uri`. A parameter whose expression cannot be evaluated on the resource indexes
//! nothing for it (and is logged).

use crate::db::AnyConnection;
use crate::schema::{
    search_date, search_number, search_quantity, search_reference, search_string, search_token,
    search_uri,
};
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Double, Text};
use serde_json::Value;
use std::collections::BTreeSet;
use zorgplan_search::{extract, extract_composite, IndexValue, Kind, Registry};

#[derive(Insertable, Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
#[diesel(table_name = search_token, treat_none_as_default_value = false)]
pub(crate) struct TokenRow {
    res_pk: i64,
    res_type: String,
    param: String,
    system: String,
    code: String,
}

#[derive(Insertable, Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
#[diesel(table_name = search_string, treat_none_as_default_value = false)]
pub(crate) struct StringRow {
    res_pk: i64,
    res_type: String,
    param: String,
    normalized: String,
    exact: String,
}

#[derive(Insertable, Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
#[diesel(table_name = search_reference, treat_none_as_default_value = false)]
pub(crate) struct ReferenceRow {
    res_pk: i64,
    res_type: String,
    param: String,
    target_type: String,
    target_id: String,
    url: String,
}

#[derive(Insertable, Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
#[diesel(table_name = search_date, treat_none_as_default_value = false)]
pub(crate) struct DateRow {
    res_pk: i64,
    res_type: String,
    param: String,
    low: i64,
    high: i64,
}

#[derive(Insertable, Debug, Clone)]
#[diesel(table_name = search_number, treat_none_as_default_value = false)]
pub(crate) struct NumberRow {
    res_pk: i64,
    res_type: String,
    param: String,
    value: f64,
    text: String,
}

#[derive(Insertable, Debug, Clone)]
#[diesel(table_name = search_quantity, treat_none_as_default_value = false)]
pub(crate) struct QuantityRow {
    res_pk: i64,
    res_type: String,
    param: String,
    value: f64,
    system: String,
    code: String,
    unit: String,
    /// The value as written (with `value`, the row's key).
    text: String,
}

#[derive(Insertable, Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
#[diesel(table_name = search_uri, treat_none_as_default_value = false)]
pub(crate) struct UriRow {
    res_pk: i64,
    res_type: String,
    param: String,
    uri: String,
}

/// The rows of one resource, per table, with `res_pk` 0 until written.
#[derive(Default)]
pub(crate) struct Rows {
    tokens: BTreeSet<TokenRow>,
    strings: BTreeSet<StringRow>,
    references: BTreeSet<ReferenceRow>,
    dates: BTreeSet<DateRow>,
    numbers: Vec<NumberRow>,
    quantities: Vec<QuantityRow>,
    uris: BTreeSet<UriRow>,
}

/// What the search parameters of `res_type` index of `resource` — all of them but `_id` and
/// `_lastUpdated`, which the write adds from the version it stamps. Worked out before the
/// write's transaction opens (so that the writers' lock is not held for it).
pub(crate) fn prepare(registry: &Registry, res_type: &str, resource: &Value) -> Rows {
    rows(registry, 0, res_type, resource)
}

fn rows(registry: &Registry, pk: i64, res_type: &str, resource: &Value) -> Rows {
    let mut rows = Rows::default();
    for param in registry.params(res_type) {
        if !param.searchable() || matches!(param.code.as_str(), "_id" | "_lastUpdated") {
            continue;
        }
        if param.kind == Kind::Composite {
            match extract_composite(param, resource) {
                Ok(values) => {
                    for (key, value) in values {
                        add(&mut rows, pk, res_type, &key, value);
                    }
                }
                Err(error) => {
                    tracing::warn!(res_type, param = %param.code, %error, "search parameter not indexed");
                }
            }
            continue;
        }
        let values = match extract(param, resource) {
            Ok(values) => values,
            Err(error) => {
                tracing::warn!(res_type, param = %param.code, %error, "search parameter not indexed");
                continue;
            }
        };
        for value in values {
            add(&mut rows, pk, res_type, &param.code, value);
        }
    }
    // Numbers and quantities are kept in vectors (an f64 has no order); the same value twice
    // would break the tables' keys.
    rows.numbers
        .sort_by(|a, b| (&a.param, &a.text).cmp(&(&b.param, &b.text)));
    rows.numbers
        .dedup_by(|a, b| a.param == b.param && a.text == b.text);
    let quantity_key = |q: &QuantityRow| {
        (
            q.param.clone(),
            q.text.clone(),
            q.system.clone(),
            q.code.clone(),
            q.unit.clone(),
        )
    };
    rows.quantities.sort_by_key(quantity_key);
    rows.quantities
        .dedup_by(|a, b| quantity_key(a) == quantity_key(b));
    rows
}

/// The row of one value of parameter `param_code` (a composite's key for the values of a
/// composite).
fn add(rows: &mut Rows, pk: i64, res_type: &str, param_code: &str, value: IndexValue) {
    let (res_pk, res_type, param_code) = (pk, res_type.to_owned(), param_code.to_owned());
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
        IndexValue::TypedIdentifier {
            type_system,
            type_code,
            value,
        } => {
            // `:of-type`: the type's system and code as the row's system.
            rows.tokens.insert(TokenRow {
                res_pk,
                res_type,
                param: format!("{param_code}:of-type"),
                system: format!("{type_system}|{type_code}"),
                code: value,
            });
        }
        IndexValue::ReferenceIdentifier { system, value } => {
            rows.tokens.insert(TokenRow {
                res_pk,
                res_type,
                param: format!("{param_code}:identifier"),
                system: system.unwrap_or_default(),
                code: value,
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
                    text: value,
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

/// The index rows of one resource's new current version: `rows` from [`prepare`], and its
/// `_id` and `_lastUpdated`.
pub(crate) struct Entry<'a> {
    pub rows: &'a Rows,
    pub pk: i64,
    pub res_type: &'a str,
    pub id: &'a str,
    pub last_updated: i64,
}

/// Rows per INSERT statement on SQLite (prepared once per connection; see [`write`]).
const SQLITE_ROWS: usize = 64;

/// PostgreSQL: the rows of one table go in as arrays ([`Unnest`]) from this many; fewer as
/// one multi-row `VALUES` list (well below the 65,535 bound parameters of a statement),
/// which PostgreSQL takes faster for the rows of a single resource (creates of single
/// Patients from 16 clients: 882–1,000/s all as arrays, 967–1,080/s as `VALUES`).
const UNNEST_FROM: usize = 100;
/// Rows per array INSERT on PostgreSQL.
const POSTGRES_ROWS: usize = 10_000;

/// PostgreSQL: the rows of one index table in one statement of fixed text, each column an
/// array (`INSERT … SELECT * FROM unnest($1::bigint[], …)`). A multi-row `VALUES` list is a
/// statement of its own for every number of rows, with five to eight parameters per row,
/// which PostgreSQL parses and plans on every execution (550 token rows: 1.7–2.3 ms as
/// `VALUES`, 1.1–1.4 ms as arrays, in `psql`). Used from [`UNNEST_FROM`] rows.
trait Unnest: Sized {
    fn insert_all(conn: &mut diesel::PgConnection, rows: &[Self]) -> QueryResult<usize>;
}

macro_rules! unnest {
    ($row:ty, $table:literal, $($column:ident: $sql_type:ident),+) => {
        impl Unnest for $row {
            fn insert_all(conn: &mut diesel::PgConnection, rows: &[Self]) -> QueryResult<usize> {
                static SQL: std::sync::OnceLock<String> = std::sync::OnceLock::new();
                let columns = [$((stringify!($column), pg_array!($sql_type))),+];
                diesel::sql_query(SQL.get_or_init(|| unnest_sql($table, &columns)).as_str())
                    $(.bind::<Array<$sql_type>, _>(rows.iter().map(|r| &r.$column).collect::<Vec<_>>()))+
                    .execute(conn)
            }
        }
    };
}

/// The PostgreSQL array type of a column's SQL type.
macro_rules! pg_array {
    (BigInt) => {
        "bigint"
    };
    (Double) => {
        "float8"
    };
    (Text) => {
        "text"
    };
}

/// `INSERT INTO table (a, b, …) SELECT * FROM unnest($1::type[], $2::type[], …)`.
fn unnest_sql(table: &str, columns: &[(&str, &str)]) -> String {
    let names: Vec<&str> = columns.iter().map(|(name, _)| *name).collect();
    let arrays: Vec<String> = (1..)
        .zip(columns)
        .map(|(n, (_, array))| format!("${n}::{array}[]"))
        .collect();
    format!(
        "INSERT INTO {table} ({}) SELECT * FROM unnest({})",
        names.join(", "),
        arrays.join(", ")
    )
}

unnest!(TokenRow, "search_token",
    res_pk: BigInt, res_type: Text, param: Text, system: Text, code: Text);
unnest!(StringRow, "search_string",
    res_pk: BigInt, res_type: Text, param: Text, normalized: Text, exact: Text);
unnest!(ReferenceRow, "search_reference",
    res_pk: BigInt, res_type: Text, param: Text, target_type: Text, target_id: Text, url: Text);
unnest!(DateRow, "search_date",
    res_pk: BigInt, res_type: Text, param: Text, low: BigInt, high: BigInt);
unnest!(NumberRow, "search_number",
    res_pk: BigInt, res_type: Text, param: Text, value: Double, text: Text);
unnest!(QuantityRow, "search_quantity", res_pk: BigInt, res_type: Text, param: Text,
    value: Double, system: Text, code: Text, unit: Text, text: Text);
unnest!(UriRow, "search_uri", res_pk: BigInt, res_type: Text, param: Text, uri: Text);

/// Writes the index rows of resources' new current versions, after removing the rows of the
/// resources in `replace` (their previous versions), in few statements per table however
/// many resources.
pub(crate) fn write(
    conn: &mut AnyConnection,
    entries: &[Entry],
    replace: &[i64],
) -> QueryResult<()> {
    if !replace.is_empty() {
        remove(conn, replace)?;
    }
    // On the backend's own connection: the multi-backend layer cannot batch. SQLite parses
    // and plans a statement in-process, so there the rows go in statements it prepares once
    // per connection: fixed-size chunks of SQLITE_ROWS (diesel never caches an INSERT of a
    // slice, whose SQL depends on its length), then row by row. The row types insert every
    // column (`treat_none_as_default_value = false`): a batch of rows that may leave a
    // column to its default is inserted by diesel row by row inside a SAVEPOINT, and SQLite
    // then copies every page the batch changes into a statement journal. `OR IGNORE` (the
    // rows are distinct already) spares the same journal: nothing can make the statement
    // fail half-way. PostgreSQL is a round trip per statement, so there each table's rows go
    // in one statement: a `VALUES` list for a few, arrays (`Unnest`) for many.
    macro_rules! insert {
        ($table:ident, $rows:expr) => {
            let rows: Vec<_> = $rows;
            match &mut *conn {
                AnyConnection::Sqlite(c) => {
                    let mut chunks = rows.chunks_exact(SQLITE_ROWS);
                    for chunk in &mut chunks {
                        let chunk: &[_; SQLITE_ROWS] = chunk.try_into().expect("a full chunk");
                        diesel::insert_or_ignore_into($table::table)
                            .values(chunk)
                            .execute(c)?;
                    }
                    for row in chunks.remainder() {
                        diesel::insert_or_ignore_into($table::table)
                            .values(row)
                            .execute(c)?;
                    }
                }
                AnyConnection::Postgresql(c) if rows.len() < UNNEST_FROM => {
                    if !rows.is_empty() {
                        diesel::insert_into($table::table)
                            .values(rows.as_slice())
                            .execute(c)?;
                    }
                }
                AnyConnection::Postgresql(c) => {
                    for chunk in rows.chunks(POSTGRES_ROWS) {
                        Unnest::insert_all(c, chunk)?;
                    }
                }
            }
        };
    }
    macro_rules! with_pk {
        ($field:ident) => {
            entries
                .iter()
                .flat_map(|e| {
                    e.rows.$field.iter().map(|r| {
                        let mut r = r.clone();
                        r.res_pk = e.pk;
                        r
                    })
                })
                .collect()
        };
    }
    let mut tokens: Vec<TokenRow> = with_pk!(tokens);
    tokens.extend(entries.iter().map(|e| TokenRow {
        res_pk: e.pk,
        res_type: e.res_type.to_owned(),
        param: "_id".to_owned(),
        system: String::new(),
        code: e.id.to_owned(),
    }));
    let mut dates: Vec<DateRow> = with_pk!(dates);
    dates.extend(entries.iter().map(|e| DateRow {
        res_pk: e.pk,
        res_type: e.res_type.to_owned(),
        param: "_lastUpdated".to_owned(),
        low: e.last_updated,
        high: e.last_updated,
    }));
    insert!(search_token, tokens);
    insert!(search_string, with_pk!(strings));
    insert!(search_reference, with_pk!(references));
    insert!(search_date, dates);
    insert!(search_number, with_pk!(numbers));
    insert!(search_quantity, with_pk!(quantities));
    insert!(search_uri, with_pk!(uris));
    Ok(())
}

/// Removes the index rows of resources (on deletion, and before indexing them again).
pub(crate) fn remove(conn: &mut AnyConnection, pks: &[i64]) -> QueryResult<()> {
    macro_rules! delete {
        ($($table:ident),*) => {
            $(diesel::delete($table::table.filter($table::res_pk.eq_any(pks))).execute(conn)?;)*
        };
    }
    delete!(
        search_token,
        search_string,
        search_reference,
        search_date,
        search_number,
        search_quantity,
        search_uri
    );
    Ok(())
}

impl crate::Store {
    /// Indexes every current resource again with this store's search parameters — after
    /// the parameters changed, or for data stored before an index table existed. Works in
    /// transactions of `batch` resources, in storage order; answers how many were indexed.
    pub fn reindex(&self, batch: usize) -> Result<usize, zorgplan_fhir::FhirError> {
        use crate::schema::resources;
        let registry = self.search_parameters();
        let batch = batch.max(1) as i64;
        let mut after = 0i64;
        let mut done = 0usize;
        loop {
            let indexed = self.write(crate::tx::Isolation::Rows, |conn| {
                let pks: Vec<i64> = resources::table
                    .select(resources::pk)
                    .filter(resources::deleted.eq(false))
                    .filter(resources::pk.gt(after))
                    .order(resources::pk.asc())
                    .limit(batch)
                    .load(conn)?;
                let versions = crate::crud::load_versions(conn, &pks)?;
                let mut prepared = Vec::with_capacity(versions.len());
                for (pk, row) in &versions {
                    let Some(content) = &row.content else {
                        continue;
                    };
                    let resource: Value = serde_json::from_str(content)
                        .map_err(|e| zorgplan_fhir::FhirError::internal(e.to_string()))?;
                    prepared.push((*pk, row, prepare(registry, &row.res_type, &resource)));
                }
                let entries: Vec<Entry> = prepared
                    .iter()
                    .map(|(pk, row, rows)| Entry {
                        rows,
                        pk: *pk,
                        res_type: &row.res_type,
                        id: &row.res_id,
                        last_updated: row.last_updated,
                    })
                    .collect();
                write(conn, &entries, &pks)?;
                let types: std::collections::BTreeSet<&str> = versions
                    .iter()
                    .map(|(_, row)| row.res_type.as_str())
                    .collect();
                crate::listen::announce(conn, types)?;
                Ok(pks)
            })?;
            let Some(&last) = indexed.last() else {
                return Ok(done);
            };
            done += indexed.len();
            after = last;
        }
    }
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
        assert!(
            rows.tokens.iter().all(|r| r.param != "_id"),
            "_id and _lastUpdated are the write's to add"
        );
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

    #[test]
    fn postgres_takes_the_columns_as_arrays_in_their_order() {
        assert_eq!(
            unnest_sql("search_uri", &[("res_pk", "bigint"), ("uri", "text")]),
            "INSERT INTO search_uri (res_pk, uri) SELECT * FROM unnest($1::bigint[], $2::text[])"
        );
    }
}
