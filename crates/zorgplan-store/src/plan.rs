//! How a search is asked of the database: criteria into one query of the `resources` table.
//!
//! The query starts from the condition that likely leaves the fewest resources (the
//! *driver*): a reference, an id or a code before a date range, a date range before a
//! system-only token, and so on (SQLite keeps no statistics unless asked, so the choice is made
//! by what the conditions name, not by counting). The driver is a set read from its index
//! table's value index (`pk IN (SELECT res_pk FROM search_… WHERE res_type = ? AND param = ?
//! AND …)`), and every other condition is tested per candidate with a correlated `EXISTS`
//! that looks the candidate up in the index table's primary key (`res_pk` first). So the
//! cost of a search follows the resources its most selective condition leaves, not the number
//! of resources of the type. `_id`, `_has` and `_lastUpdated` are answered from the
//! `resources` table itself (its `(res_type, res_id)` and `(res_type, last_updated)`
//! indexes; ids that drive are looked up first, by themselves). Chains and `_has` are
//! evaluated first, inner criteria first, into lists of ids.

use crate::db::{AnyConnection, Db};
use crate::schema::{
    resources, search_date, search_number, search_quantity, search_reference, search_string,
    search_token, search_uri,
};
use crate::search::{Criteria, Criterion, Prefix, SearchValue};
use crate::tx::TxResult;
use diesel::expression::BoxableExpression;
use diesel::prelude::*;
use diesel::sql_types::Bool;
use zorgplan_fhir::FhirError;
use zorgplan_search::Kind;

/// At most this many resources answer the inner criteria of a chain or `_has`; more is a
/// 400 asking for a narrower chain.
pub(crate) const CHAIN_LIMIT: i64 = 1000;

/// A driver of several alternatives (`patient=A,B`) that leaves at most this many resources
/// is looked up first, by itself (see [`prefetched`]).
const PREFETCH_LIMIT: i64 = 1000;

fn too_wide(what: &str) -> FhirError {
    FhirError::bad_request(format!(
        "The {what} matches more than {CHAIN_LIMIT} resources; narrow it down"
    ))
}

/// `value` with the wildcards of SQL LIKE escaped (the escape character is `\`).
fn like_escaped(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    for c in value.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

type Predicate = Box<dyn BoxableExpression<resources::table, Db, SqlType = Bool>>;

/// How a condition is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Use {
    /// The set the query starts from: `pk IN (SELECT res_pk FROM … WHERE …)`, read from the
    /// index table's value index.
    Drive,
    /// A test per candidate: `EXISTS (SELECT … WHERE res_pk = resources.pk AND …)`, a lookup
    /// in the index table's primary key.
    Probe,
}

/// The predicate on `resources` that `$rows` (a `SELECT res_pk` of index table `$table`)
/// holds for a resource, in the form `$how` asks for.
macro_rules! holds {
    ($how:expr, $table:ident, $rows:expr) => {{
        let rows = $rows;
        let predicate: Predicate = match $how {
            Use::Drive => Box::new(resources::pk.eq_any(rows)),
            Use::Probe => Box::new(diesel::dsl::exists(
                rows.filter($table::res_pk.eq(resources::pk)),
            )),
        };
        predicate
    }};
}

/// The rows of a value range (`low`, `high`, inclusive, microseconds) a date prefix selects:
/// `low` within `low_in` and `high` within `high_in` (both inclusive); with `negate`, the rows
/// outside that.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct DateBounds {
    low_in: (i64, i64),
    high_in: (i64, i64),
    negate: bool,
}

impl DateBounds {
    /// For a search value covering `low..=high` (at its precision).
    fn new(prefix: Prefix, low: i64, high: i64) -> DateBounds {
        const ANY: (i64, i64) = (i64::MIN, i64::MAX);
        let (low_in, high_in, negate) = match prefix {
            // The resource's range lies within the value's.
            Prefix::Eq => ((low, i64::MAX), (i64::MIN, high), false),
            Prefix::Ne => ((low, i64::MAX), (i64::MIN, high), true),
            // Some of the resource's range is above (below) the value's.
            Prefix::Gt => (ANY, (high.saturating_add(1), i64::MAX), false),
            Prefix::Lt => ((i64::MIN, low.saturating_sub(1)), ANY, false),
            Prefix::Ge => (ANY, (low, i64::MAX), false),
            Prefix::Le => ((i64::MIN, high), ANY, false),
            // All of the resource's range is after (before) the value's.
            Prefix::Sa => ((high.saturating_add(1), i64::MAX), ANY, false),
            Prefix::Eb => (ANY, (i64::MIN, low.saturating_sub(1)), false),
            Prefix::Ap => {
                // Within a tenth of the distance to now (at least a day) of the value.
                let now = crate::time::Timestamp::now().0;
                let margin = ((now - low).abs() / 10).max(86_400_000_000);
                (
                    (i64::MIN, high.saturating_add(margin)),
                    (low.saturating_sub(margin), i64::MAX),
                    false,
                )
            }
        };
        DateBounds {
            low_in,
            high_in,
            negate,
        }
    }

    /// The same for a single instant (a range whose low and high are the same).
    fn instant(self) -> ((i64, i64), bool) {
        let from = self.low_in.0.max(self.high_in.0);
        let to = self.low_in.1.min(self.high_in.1);
        ((from, to), self.negate)
    }
}

/// The resources with a value of parameter `code` equal to (in range of, …) `value`.
/// Each shape is a concrete subquery: diesel's multi-backend cannot nest boxed expressions
/// inside a subselect.
fn value_predicate(
    how: Use,
    res_type: &str,
    code: &str,
    kind: Kind,
    value: &SearchValue,
) -> Predicate {
    let (t, p) = (res_type.to_owned(), code.to_owned());
    macro_rules! rows {
        ($table:ident) => {
            $table::table
                .select($table::res_pk)
                .filter($table::res_type.eq(t))
                .filter($table::param.eq(p))
        };
    }
    match value {
        SearchValue::Token(token) => match (&token.system, &token.code) {
            (None, Some(code)) => holds!(
                how,
                search_token,
                rows!(search_token).filter(search_token::code.eq(code.clone()))
            ),
            (Some(system), Some(code)) => holds!(
                how,
                search_token,
                rows!(search_token)
                    .filter(search_token::code.eq(code.clone()))
                    .filter(search_token::system.eq(system.clone()))
            ),
            (Some(system), None) => holds!(
                how,
                search_token,
                rows!(search_token).filter(search_token::system.eq(system.clone()))
            ),
            (None, None) => holds!(how, search_token, rows!(search_token)),
        },
        SearchValue::OfType { type_token, value } => holds!(
            how,
            search_token,
            rows!(search_token)
                .filter(search_token::system.eq(type_token.clone()))
                .filter(search_token::code.eq(value.clone()))
        ),
        SearchValue::Text(text) => {
            // A token's :text is indexed as the string parameter `<code>:text`.
            let p = if kind == Kind::Token {
                format!("{code}:text")
            } else {
                p
            };
            holds!(
                how,
                search_string,
                search_string::table
                    .select(search_string::res_pk)
                    .filter(search_string::res_type.eq(t))
                    .filter(search_string::param.eq(p))
                    .filter(
                        search_string::normalized
                            .like(format!("{}%", like_escaped(text)))
                            .escape('\\'),
                    )
            )
        }
        SearchValue::Exact(text) => holds!(
            how,
            search_string,
            rows!(search_string).filter(search_string::exact.eq(text.clone()))
        ),
        SearchValue::Contains(text) => holds!(
            how,
            search_string,
            rows!(search_string).filter(
                search_string::normalized
                    .like(format!("%{}%", like_escaped(text)))
                    .escape('\\'),
            )
        ),
        SearchValue::Reference {
            res_type: Some(target),
            id,
        } => holds!(
            how,
            search_reference,
            rows!(search_reference)
                .filter(search_reference::target_id.eq(id.clone()))
                .filter(search_reference::target_type.eq(target.clone()))
        ),
        SearchValue::Reference { res_type: None, id } => holds!(
            how,
            search_reference,
            rows!(search_reference).filter(search_reference::target_id.eq(id.clone()))
        ),
        SearchValue::ReferenceUrl(url) => holds!(
            how,
            search_reference,
            rows!(search_reference).filter(search_reference::url.eq(url.clone()))
        ),
        SearchValue::Uri(uri) => holds!(
            how,
            search_uri,
            rows!(search_uri).filter(search_uri::uri.eq(uri.clone()))
        ),
        SearchValue::UriBelow(uri) => holds!(
            how,
            search_uri,
            rows!(search_uri).filter(
                search_uri::uri
                    .like(format!("{}%", like_escaped(uri)))
                    .escape('\\'),
            )
        ),
        SearchValue::UriAbove(uri) => {
            // The stored URI is a prefix of the value: one of the value's ancestors.
            let mut ancestors = vec![uri.clone()];
            let mut rest = uri.as_str();
            while let Some((parent, _)) = rest.rsplit_once('/') {
                if parent.ends_with('/') || parent.is_empty() {
                    break;
                }
                ancestors.push(parent.to_owned());
                rest = parent;
            }
            holds!(
                how,
                search_uri,
                rows!(search_uri).filter(search_uri::uri.eq_any(ancestors))
            )
        }
        SearchValue::Date { prefix, low, high } if code == "_lastUpdated" => {
            // Every resource has exactly one: the instant of its current version.
            let ((from, to), negate) = DateBounds::new(*prefix, *low, *high).instant();
            let within = resources::last_updated.between(from, to);
            if negate {
                Box::new(diesel::dsl::not(within))
            } else {
                Box::new(within)
            }
        }
        SearchValue::Date { prefix, low, high } => {
            let bounds = DateBounds::new(*prefix, *low, *high);
            let within = search_date::low
                .between(bounds.low_in.0, bounds.low_in.1)
                .and(search_date::high.between(bounds.high_in.0, bounds.high_in.1));
            if bounds.negate {
                holds!(
                    how,
                    search_date,
                    rows!(search_date).filter(diesel::dsl::not(within))
                )
            } else {
                holds!(how, search_date, rows!(search_date).filter(within))
            }
        }
        SearchValue::Number {
            prefix,
            value,
            low,
            high,
            system,
            code,
        } => quantity_predicate(how, t, p, *prefix, *value, *low, *high, system, code),
        SearchValue::Composite { key, kind, value } => {
            value_predicate(how, res_type, key, *kind, value)
        }
    }
}

/// The range a prefix selects, against a number's value.
fn bounds(prefix: Prefix, value: f64, low: f64, high: f64) -> (f64, f64, bool) {
    // (from, to, negate): value in [from, to), or outside it when negated.
    match prefix {
        Prefix::Eq => (low, high, false),
        Prefix::Ne => (low, high, true),
        Prefix::Gt | Prefix::Sa => (f64::from_bits(value.to_bits() + 1), f64::INFINITY, false),
        Prefix::Ge => (value, f64::INFINITY, false),
        Prefix::Lt | Prefix::Eb => (f64::NEG_INFINITY, value, false),
        Prefix::Le => (
            f64::NEG_INFINITY,
            f64::from_bits(value.to_bits() + 1),
            false,
        ),
        Prefix::Ap => (
            value - value.abs() / 10.0,
            value + value.abs() / 10.0,
            false,
        ),
    }
}

#[allow(clippy::too_many_arguments)]
fn quantity_predicate(
    how: Use,
    t: String,
    p: String,
    prefix: Prefix,
    value: f64,
    low: f64,
    high: f64,
    system: &Option<String>,
    code: &Option<String>,
) -> Predicate {
    let (from, to, negate) = bounds(prefix, value, low, high);
    // Numbers and quantities share the comparison; a number parameter's rows are in
    // search_number, a quantity's in search_quantity: both are looked up.
    let numbers = search_number::table
        .select(search_number::res_pk)
        .filter(search_number::res_type.eq(t.clone()))
        .filter(search_number::param.eq(p.clone()));
    let quantities = search_quantity::table
        .select(search_quantity::res_pk)
        .filter(search_quantity::res_type.eq(t))
        .filter(search_quantity::param.eq(p));
    let unit = code.clone().unwrap_or_default();
    let number_in = search_number::value
        .ge(from)
        .and(search_number::value.lt(to));
    let quantity_in = search_quantity::value
        .ge(from)
        .and(search_quantity::value.lt(to));
    match (system, code) {
        (None, None) => {
            let (numbers, quantities) = if negate {
                (
                    holds!(
                        how,
                        search_number,
                        numbers.filter(diesel::dsl::not(number_in))
                    ),
                    holds!(
                        how,
                        search_quantity,
                        quantities.filter(diesel::dsl::not(quantity_in))
                    ),
                )
            } else {
                (
                    holds!(how, search_number, numbers.filter(number_in)),
                    holds!(how, search_quantity, quantities.filter(quantity_in)),
                )
            };
            Box::new(numbers.or(quantities))
        }
        (Some(system), _) => {
            let rows = quantities
                .filter(search_quantity::system.eq(system.clone()))
                .filter(search_quantity::code.eq(unit));
            if negate {
                holds!(
                    how,
                    search_quantity,
                    rows.filter(diesel::dsl::not(quantity_in))
                )
            } else {
                holds!(how, search_quantity, rows.filter(quantity_in))
            }
        }
        (None, Some(_)) => {
            // `value||unit`: the code or the unit as written.
            let rows = quantities.filter(
                search_quantity::code
                    .eq(unit.clone())
                    .or(search_quantity::unit.eq(unit)),
            );
            if negate {
                holds!(
                    how,
                    search_quantity,
                    rows.filter(diesel::dsl::not(quantity_in))
                )
            } else {
                holds!(how, search_quantity, rows.filter(quantity_in))
            }
        }
    }
}

/// The resources with any value of the parameter.
fn present_predicate(how: Use, res_type: &str, code: &str, kind: Kind) -> Predicate {
    let (t, p) = (res_type.to_owned(), code.to_owned());
    macro_rules! any_row {
        ($table:ident) => {
            holds!(
                how,
                $table,
                $table::table
                    .select($table::res_pk)
                    .filter($table::res_type.eq(t))
                    .filter($table::param.eq(p))
            )
        };
    }
    match kind {
        Kind::Token => any_row!(search_token),
        Kind::String => any_row!(search_string),
        Kind::Reference => any_row!(search_reference),
        Kind::Date => any_row!(search_date),
        Kind::Number => any_row!(search_number),
        Kind::Quantity => any_row!(search_quantity),
        Kind::Uri => any_row!(search_uri),
        Kind::Composite | Kind::Special => Box::new(diesel::dsl::sql::<Bool>("1 = 0")),
    }
}

/// A criterion with its chains and `_has` evaluated.
enum Condition<'a> {
    /// The resource's id is one of these.
    Ids(Vec<String>),
    /// The resource is one of these (the ids of a driving [`Condition::Ids`], looked up).
    Pks(Vec<i64>),
    Values {
        code: &'a str,
        kind: Kind,
        negated: bool,
        values: &'a [SearchValue],
    },
    /// Reference parameter `code` points to one of these resources (type, ids).
    Refers {
        code: &'a str,
        targets: Vec<(&'a str, Vec<String>)>,
    },
    Compartment {
        params: &'a [String],
        patients: &'a [String],
        ids: &'a [String],
        orphans: bool,
    },
    Missing {
        code: &'a str,
        kind: Kind,
        present: bool,
    },
}

impl Condition<'_> {
    /// How few resources the condition likely leaves: the lower, the fewer. `None`: it cannot
    /// start a query (a negation: it leaves most).
    fn rank(&self) -> Option<u8> {
        let value_rank = |value: &SearchValue| match value {
            SearchValue::Reference { .. } | SearchValue::ReferenceUrl(_) => 1,
            SearchValue::Token(t) if t.code.is_some() => 2,
            SearchValue::OfType { .. } | SearchValue::Exact(_) | SearchValue::Uri(_) => 2,
            SearchValue::Text(_) | SearchValue::Date { .. } | SearchValue::Number { .. } => 3,
            SearchValue::Composite { .. } => 3,
            SearchValue::Token(_)
            | SearchValue::Contains(_)
            | SearchValue::UriBelow(_)
            | SearchValue::UriAbove(_) => 4,
        };
        match self {
            Condition::Ids(_) | Condition::Pks(_) => Some(0),
            // Resources in no compartment cannot be found from the index.
            Condition::Compartment { orphans: true, .. } => None,
            Condition::Refers { .. } | Condition::Compartment { .. } => Some(1),
            Condition::Values { negated: true, .. } => None,
            Condition::Values { values, .. } => values.iter().map(value_rank).max(),
            Condition::Missing { present: true, .. } => Some(5),
            Condition::Missing { present: false, .. } => None,
        }
    }

    /// Whether the predicate, as a driver, selects resources of the type by itself (from an
    /// index table, whose rows name the type, or by pk), so that `resources` need not be
    /// filtered by type too.
    fn names_type(&self) -> bool {
        match self {
            Condition::Ids(_) => false,
            Condition::Pks(_) => true,
            Condition::Values { code, .. } => *code != "_lastUpdated",
            _ => true,
        }
    }

    /// The predicate: any of the condition's [alternatives](Condition::alternatives).
    fn predicate(&self, how: Use, res_type: &str) -> Predicate {
        self.alternatives(how, res_type)
            .into_iter()
            .reduce(|acc, p| Box::new(acc.or(p)))
            .unwrap_or_else(|| Box::new(diesel::dsl::sql::<Bool>("1 = 0")))
    }

    /// The predicates of which a resource that meets the condition meets at least one: one
    /// per value of a parameter, per target type of a chain, and the patient itself beside
    /// what links to it in a compartment.
    fn alternatives(&self, how: Use, res_type: &str) -> Vec<Predicate> {
        match self {
            Condition::Ids(ids) => vec![Box::new(resources::res_id.eq_any(ids.clone()))],
            Condition::Pks(pks) => vec![Box::new(resources::pk.eq_any(pks.clone()))],
            Condition::Values {
                code,
                kind,
                negated,
                values,
            } => {
                let each = values
                    .iter()
                    .map(|v| value_predicate(how, res_type, code, *kind, v));
                if *negated {
                    let any: Option<Predicate> = each.reduce(|acc, p| Box::new(acc.or(p)));
                    any.map(|p| -> Predicate { Box::new(diesel::dsl::not(p)) })
                        .into_iter()
                        .collect()
                } else {
                    each.collect()
                }
            }
            Condition::Refers { code, targets } => targets
                .iter()
                .map(|(target, ids)| {
                    holds!(
                        how,
                        search_reference,
                        search_reference::table
                            .select(search_reference::res_pk)
                            .filter(search_reference::res_type.eq(res_type.to_owned()))
                            .filter(search_reference::param.eq(code.to_string()))
                            .filter(search_reference::target_type.eq(target.to_string()))
                            .filter(search_reference::target_id.eq_any(ids.clone()))
                    )
                })
                .collect(),
            Condition::Compartment {
                params,
                patients,
                ids,
                orphans,
            } => {
                // One subquery for all the parameters and patients.
                let mut alternatives: Vec<Predicate> = Vec::new();
                if !params.is_empty() && !patients.is_empty() {
                    alternatives.push(holds!(
                        how,
                        search_reference,
                        search_reference::table
                            .select(search_reference::res_pk)
                            .filter(search_reference::res_type.eq(res_type.to_owned()))
                            .filter(search_reference::param.eq_any(params.to_vec()))
                            .filter(search_reference::target_id.eq_any(patients.to_vec()))
                            .filter(search_reference::target_type.eq("Patient"))
                    ));
                }
                if res_type == "Patient" && !patients.is_empty() {
                    // The patient itself is in its compartment.
                    alternatives.push(Box::new(
                        resources::res_type
                            .eq("Patient")
                            .and(resources::res_id.eq_any(patients.to_vec())),
                    ));
                }
                if !ids.is_empty() {
                    alternatives.push(Box::new(
                        resources::res_type
                            .eq(res_type.to_owned())
                            .and(resources::res_id.eq_any(ids.to_vec())),
                    ));
                }
                if *orphans && !params.is_empty() {
                    alternatives.push(Box::new(diesel::dsl::not(holds!(
                        Use::Probe,
                        search_reference,
                        search_reference::table
                            .select(search_reference::res_pk)
                            .filter(search_reference::res_type.eq(res_type.to_owned()))
                            .filter(search_reference::param.eq_any(params.to_vec()))
                            .filter(search_reference::target_type.eq("Patient"))
                    ))));
                }
                if alternatives.is_empty() {
                    // Nothing may match.
                    alternatives.push(Box::new(resources::pk.lt(0_i64)));
                }
                alternatives
            }
            Condition::Missing {
                code,
                kind,
                present,
            } => {
                let predicate = present_predicate(how, res_type, code, *kind);
                vec![if *present {
                    predicate
                } else {
                    Box::new(diesel::dsl::not(predicate))
                }]
            }
        }
    }
}

/// The resources a driver of several alternatives leaves, looked up one alternative at a
/// time, when they are at most [`PREFETCH_LIMIT`]; `None` when there are more, or when the
/// driver is a single alternative.
///
/// An OR of `pk IN (…)` subqueries is not a set PostgreSQL can start from: it tests the OR
/// on every resource of the type instead. Each alternative alone is.
fn prefetched(
    conn: &mut AnyConnection,
    res_type: &str,
    driver: &Condition<'_>,
) -> TxResult<Option<Vec<i64>>> {
    let alternatives = driver.alternatives(Use::Drive, res_type);
    if alternatives.len() < 2 {
        return Ok(None);
    }
    let mut pks: Vec<i64> = Vec::new();
    for alternative in alternatives {
        let mut query = resources::table
            .select(resources::pk)
            .filter(resources::deleted.eq(false))
            .filter(alternative)
            .into_boxed::<Db>();
        if !driver.names_type() {
            query = query.filter(resources::res_type.eq(res_type.to_owned()));
        }
        if let Some(values) = crate::db::planned_with_values(conn) {
            query = query.filter(values);
        }
        let room = PREFETCH_LIMIT + 1 - pks.len() as i64;
        pks.extend(query.limit(room).load::<i64>(conn)?);
        if pks.len() as i64 > PREFETCH_LIMIT {
            return Ok(None);
        }
    }
    pks.sort_unstable();
    pks.dedup();
    Ok(Some(pks))
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
    let mut query = matching(conn, res_type, criteria)?;
    if let Some(after) = after {
        query = query.filter(resources::pk.gt(after));
    }
    Ok(query.order(resources::pk.asc()).limit(limit).load(conn)?)
}

/// The query of the pks of the current, non-deleted resources of `res_type` that match
/// (chains and `_has` are evaluated on the way).
pub(crate) fn matching(
    conn: &mut AnyConnection,
    res_type: &str,
    criteria: &Criteria,
) -> TxResult<resources::BoxedQuery<'static, Db, diesel::sql_types::BigInt>> {
    matching_with(conn, res_type, criteria, None)
}

/// [`matching`], among the resources `pks` only (those a write just stored, matched against
/// a Subscription's criteria): they drive the query, the conditions are probed for each,
/// and the statement, whose text depends only on the criteria's shape, stays prepared.
pub(crate) fn matching_among(
    conn: &mut AnyConnection,
    res_type: &str,
    criteria: &Criteria,
    pks: Vec<i64>,
) -> TxResult<resources::BoxedQuery<'static, Db, diesel::sql_types::BigInt>> {
    matching_with(conn, res_type, criteria, Some(pks))
}

fn matching_with(
    conn: &mut AnyConnection,
    res_type: &str,
    criteria: &Criteria,
    among: Option<Vec<i64>>,
) -> TxResult<resources::BoxedQuery<'static, Db, diesel::sql_types::BigInt>> {
    let mut conditions = Vec::with_capacity(criteria.conditions.len() + 1);
    let planned_with_values = among.is_none();
    if let Some(pks) = among {
        // First, so that it drives (of equal ranks the first does).
        conditions.push(Condition::Pks(pks));
    }
    for criterion in &criteria.conditions {
        conditions.push(resolve(conn, res_type, criterion)?);
    }
    let driver = conditions
        .iter()
        .enumerate()
        .filter_map(|(i, c)| c.rank().map(|rank| (rank, i)))
        .min()
        .map(|(_, i)| i);
    if let Some(i) = driver {
        if let Condition::Ids(ids) = &conditions[i] {
            // By pk, in a query of its own: asked together with the page's `ORDER BY pk`,
            // SQLite would rather walk every resource of the type in pk order than look the
            // ids up.
            let pks = resources::table
                .select(resources::pk)
                .filter(resources::res_type.eq(res_type))
                .filter(resources::res_id.eq_any(ids))
                .load(conn)?;
            conditions[i] = Condition::Pks(pks);
        } else if let Some(pks) = prefetched(conn, res_type, &conditions[i])? {
            conditions[i] = Condition::Pks(pks);
        }
    }
    let mut query = resources::table
        .select(resources::pk)
        .filter(resources::deleted.eq(false))
        .into_boxed::<Db>();
    // When the driver names the type already, filtering `resources` by it as well would let
    // the planner start from every resource of the type instead.
    if driver.is_none_or(|i| !conditions[i].names_type()) {
        query = query.filter(resources::res_type.eq(res_type.to_owned()));
    }
    for (i, condition) in conditions.iter().enumerate() {
        let how = if Some(i) == driver {
            Use::Drive
        } else {
            Use::Probe
        };
        query = query.filter(condition.predicate(how, res_type));
    }
    if let Some(values) = crate::db::planned_with_values(conn).filter(|_| planned_with_values) {
        query = query.filter(values);
    }
    Ok(query)
}

/// Evaluates a criterion's chains and `_has` (inner criteria first).
fn resolve<'a>(
    conn: &mut AnyConnection,
    res_type: &str,
    criterion: &'a Criterion,
) -> TxResult<Condition<'a>> {
    Ok(match criterion {
        Criterion::Id(ids) => Condition::Ids(ids.clone()),
        Criterion::Param {
            code,
            kind,
            negated,
            values,
        } => Condition::Values {
            code,
            kind: *kind,
            negated: *negated,
            values,
        },
        Criterion::Chain { code, targets } => {
            let mut resolved = Vec::with_capacity(targets.len());
            for (target, inner) in targets {
                let pks = matching_pks(conn, target, inner, None, CHAIN_LIMIT + 1)?;
                if pks.len() as i64 > CHAIN_LIMIT {
                    return Err(too_wide("chain").into());
                }
                if pks.is_empty() {
                    continue;
                }
                let ids: Vec<String> = resources::table
                    .select(resources::res_id)
                    .filter(resources::pk.eq_any(pks))
                    .load(conn)?;
                resolved.push((target.as_str(), ids));
            }
            Condition::Refers {
                code,
                targets: resolved,
            }
        }
        Criterion::Compartment {
            params,
            patients,
            ids,
            orphans,
        } => Condition::Compartment {
            params,
            patients,
            ids,
            orphans: *orphans,
        },
        Criterion::Has {
            source_type,
            param,
            inner,
        } => {
            let pks = matching_pks(conn, source_type, inner, None, CHAIN_LIMIT + 1)?;
            if pks.len() as i64 > CHAIN_LIMIT {
                return Err(too_wide("_has").into());
            }
            let ids: Vec<String> = search_reference::table
                .select(search_reference::target_id)
                .filter(search_reference::res_pk.eq_any(pks))
                .filter(search_reference::param.eq(param.clone()))
                .filter(search_reference::target_type.eq(res_type.to_owned()))
                .load(conn)?;
            Condition::Ids(ids)
        }
        Criterion::Missing {
            code,
            kind,
            present,
        } => Condition::Missing {
            code,
            kind: *kind,
            present: *present,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A resource range `low..=high` against a value range, the spec's way (R4 3.1.1.4.2).
    fn spec(prefix: Prefix, (rl, rh): (i64, i64), (vl, vh): (i64, i64)) -> bool {
        match prefix {
            Prefix::Eq => rl >= vl && rh <= vh,
            Prefix::Ne => !(rl >= vl && rh <= vh),
            Prefix::Gt => rh > vh,
            Prefix::Lt => rl < vl,
            Prefix::Ge => rh >= vl,
            Prefix::Le => rl <= vh,
            Prefix::Sa => rl > vh,
            Prefix::Eb => rh < vl,
            Prefix::Ap => unreachable!(),
        }
    }

    fn selected(bounds: DateBounds, (rl, rh): (i64, i64)) -> bool {
        let inside = (bounds.low_in.0..=bounds.low_in.1).contains(&rl)
            && (bounds.high_in.0..=bounds.high_in.1).contains(&rh);
        inside != bounds.negate
    }

    #[test]
    fn date_bounds_follow_the_prefixes() {
        let value = (100, 199);
        let prefixes = [
            Prefix::Eq,
            Prefix::Ne,
            Prefix::Gt,
            Prefix::Lt,
            Prefix::Ge,
            Prefix::Le,
            Prefix::Sa,
            Prefix::Eb,
        ];
        for prefix in prefixes {
            let bounds = DateBounds::new(prefix, value.0, value.1);
            for rl in (50..=250).step_by(10) {
                for rh in (rl..=250).step_by(10) {
                    assert_eq!(
                        selected(bounds, (rl, rh)),
                        spec(prefix, (rl, rh), value),
                        "{prefix:?} of {value:?} against {rl}..={rh}"
                    );
                }
                // An instant: the single range the bounds give it.
                let ((from, to), negate) = bounds.instant();
                assert_eq!(
                    (from..=to).contains(&rl) != negate,
                    spec(prefix, (rl, rl), value),
                    "{prefix:?} of {value:?} against the instant {rl}"
                );
            }
        }
    }

    #[test]
    fn the_most_selective_condition_drives() {
        let category = [SearchValue::Token(crate::search::Token {
            system: Some("s".into()),
            code: Some("c".into()),
        })];
        let patient = [SearchValue::Reference {
            res_type: Some("Patient".into()),
            id: "p".into(),
        }];
        let conditions = [
            Condition::Values {
                code: "category",
                kind: Kind::Token,
                negated: false,
                values: &category,
            },
            Condition::Values {
                code: "patient",
                kind: Kind::Reference,
                negated: false,
                values: &patient,
            },
            Condition::Values {
                code: "patient",
                kind: Kind::Reference,
                negated: true,
                values: &patient,
            },
        ];
        let ranks: Vec<_> = conditions.iter().map(Condition::rank).collect();
        assert_eq!(ranks, [Some(2), Some(1), None]);
    }
}
