//! Read, vread, create, update and delete: the instance-level interactions, conditional
//! ones included.

use crate::db::{on_backend, AnyConnection};
use crate::plan::matching_pks;
use crate::schema::{resource_versions, resources};
use crate::search::Criteria;
use crate::time::Timestamp;
use crate::tx::{Isolation, TxError, TxResult};
use crate::{index, Store, Version};
use diesel::prelude::*;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashMap, HashSet};
use zorgplan_fhir::references::{local_references, LocalReference};
use zorgplan_fhir::{ErrorKind, FhirError, Issue, IssueType};

/// What every write needs of the store's configuration.
#[derive(Clone, Copy)]
pub(crate) struct Writing {
    /// Refuse dangling literal references (see [`check_references`]).
    pub enforce_references: bool,
    /// The search parameters to index.
    pub registry: &'static zorgplan_search::Registry,
}

/// The current row of a resource.
#[derive(Queryable, Debug, Clone, Copy)]
pub(crate) struct Current {
    pub pk: i64,
    pub version: i64,
    pub last_updated: i64,
    pub deleted: bool,
}

/// A version row as loaded.
#[derive(Queryable, Debug)]
pub(crate) struct Row {
    pub res_type: String,
    pub res_id: String,
    pub version: i64,
    pub last_updated: i64,
    pub method: String,
    pub content: Option<String>,
}

impl Row {
    pub(crate) fn into_version(self) -> Version {
        Version {
            deleted: self.content.is_none(),
            res_type: self.res_type,
            id: self.res_id,
            version: self.version,
            last_updated: Timestamp(self.last_updated),
            method: self.method,
            content: self.content,
        }
    }
}

pub(crate) type RowColumns = (
    resource_versions::res_type,
    resource_versions::res_id,
    resource_versions::version,
    resource_versions::last_updated,
    resource_versions::method,
    resource_versions::content,
);

pub(crate) const ROW_COLUMNS: RowColumns = (
    resource_versions::res_type,
    resource_versions::res_id,
    resource_versions::version,
    resource_versions::last_updated,
    resource_versions::method,
    resource_versions::content,
);

/// The result of a create.
#[derive(Debug)]
pub enum Created {
    /// A new resource was stored.
    New(Version),
    /// Conditional create: exactly one resource matched; nothing was stored.
    Existing(Version),
}

impl crate::Recorded for Created {
    fn written(&self) -> Vec<&Version> {
        match self {
            Created::New(version) => vec![version],
            Created::Existing(_) => Vec::new(),
        }
    }
}

/// The result of an update.
#[derive(Debug)]
pub struct Written {
    pub version: Version,
    /// The resource did not exist (or was deleted) before: update as create.
    pub created: bool,
}

impl crate::Recorded for Written {
    fn written(&self) -> Vec<&Version> {
        vec![&self.version]
    }
}

/// The result of a delete.
#[derive(Debug)]
pub enum Deleted {
    /// A deletion was recorded as a new version.
    Deleted(Version),
    /// The resource was already deleted; nothing changed.
    AlreadyDeleted,
    /// No such resource (or, conditional, nothing matched); nothing changed.
    NotFound,
}

impl crate::Recorded for Deleted {
    fn written(&self) -> Vec<&Version> {
        match self {
            Deleted::Deleted(version) => vec![version],
            _ => Vec::new(),
        }
    }
}

/// Stores `records` (resources with their type and id) as new resources, at `at`.
pub(crate) fn put_records(
    conn: &mut AnyConnection,
    registry: &zorgplan_search::Registry,
    records: &[Value],
) -> TxResult<()> {
    let mut prepared = Vec::with_capacity(records.len());
    for record in records {
        let (Some(res_type), Some(id)) = (
            record.get("resourceType").and_then(Value::as_str),
            resource_id_of(record),
        ) else {
            return Err(FhirError::internal("a record needs a resourceType and an id").into());
        };
        prepared.push((res_type, id, index::prepare(registry, res_type, record)));
    }
    let puts = records
        .iter()
        .zip(&prepared)
        .map(|(resource, (res_type, id, rows))| Put {
            res_type,
            id,
            current: None,
            resource,
            method: "POST",
            index: rows,
        })
        .collect();
    put_versions(conn, puts, Timestamp::now())?;
    Ok(())
}

// Lookups by a unique key use `get_result`, not `first`: `first` binds a `LIMIT ?`, and
// SQLite recompiles a cached statement whenever such a planner-visible parameter is bound
// again, which would make every read pay for parsing and planning.

/// A new logical id for a resource the server creates: a UUID whose first bits are the time
/// (version 7), so that ids created one after another sort together and the index entries
/// that hold them (the resource's key, references to it) are added at the end of their
/// B-tree instead of on a random page each.
pub(crate) fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

pub(crate) fn current(
    conn: &mut AnyConnection,
    res_type: &str,
    id: &str,
) -> QueryResult<Option<Current>> {
    on_backend!(conn, |c| resources::table
        .filter(resources::res_type.eq(res_type))
        .filter(resources::res_id.eq(id))
        .select((
            resources::pk,
            resources::version,
            resources::last_updated,
            resources::deleted,
        ))
        .get_result(c)
        .optional())
}

/// The current rows of those of these resources that exist, by type and id (a query per
/// type and thousand ids).
pub(crate) fn currents<'a>(
    conn: &mut AnyConnection,
    keys: impl Iterator<Item = (&'a str, &'a str)>,
) -> QueryResult<HashMap<(String, String), Current>> {
    let mut by_type: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (res_type, id) in keys {
        by_type.entry(res_type).or_default().push(id);
    }
    let mut found = HashMap::new();
    for (res_type, ids) in by_type {
        for chunk in ids.chunks(1000) {
            let rows: Vec<(String, i64, i64, i64, bool)> = resources::table
                .filter(resources::res_type.eq(res_type))
                .filter(resources::res_id.eq_any(chunk))
                .select((
                    resources::res_id,
                    resources::pk,
                    resources::version,
                    resources::last_updated,
                    resources::deleted,
                ))
                .load(conn)?;
            for (id, pk, version, last_updated, deleted) in rows {
                let current = Current {
                    pk,
                    version,
                    last_updated,
                    deleted,
                };
                found.insert((res_type.to_owned(), id), current);
            }
        }
    }
    Ok(found)
}

/// The current version rows of the resources with these primary keys (any order).
pub(crate) fn load_versions(conn: &mut AnyConnection, pks: &[i64]) -> QueryResult<Vec<(i64, Row)>> {
    if pks.is_empty() {
        return Ok(Vec::new());
    }
    resources::table
        .inner_join(
            resource_versions::table.on(resource_versions::res_pk
                .eq(resources::pk)
                .and(resource_versions::version.eq(resources::version))),
        )
        .filter(resources::pk.eq_any(pks))
        .select((resources::pk, ROW_COLUMNS))
        .load(conn)
}

pub(crate) fn load_current(conn: &mut AnyConnection, pk: i64) -> TxResult<Version> {
    let mut rows = load_versions(conn, &[pk])?;
    match rows.pop() {
        Some((_, row)) => Ok(row.into_version()),
        None => Err(TxError::Db(diesel::result::Error::NotFound)),
    }
}

/// Fails with 412 unless the current version is `expected` (when an If-Match was given).
pub(crate) fn check_if_match(
    current: Option<&Current>,
    expected: Option<i64>,
    res_type: &str,
    id: &str,
) -> Result<(), FhirError> {
    match (expected, current) {
        (None, _) => Ok(()),
        (Some(v), Some(c)) if c.version == v => Ok(()),
        (Some(v), Some(c)) => Err(FhirError::precondition_failed(
            IssueType::Conflict,
            format!(
                "Version conflict: If-Match names version {v} of {res_type}/{id}, but the current version is {}",
                c.version
            ),
        )),
        (Some(v), None) => Err(FhirError::precondition_failed(
            IssueType::NotFound,
            format!("If-Match names version {v} of {res_type}/{id}, which does not exist"),
        )),
    }
}

/// The JSON text of `resource` as stored: `resourceType`, then `id` and `meta` with
/// `versionId` and `lastUpdated` first (the rest of the client's `meta` after them), then the
/// other elements in their order. Written straight from the borrowed resource (no copy of it
/// is made, which a write inside the database transaction would otherwise pay for every
/// resource).
fn stamped_json(
    resource: &Value,
    id: &str,
    version: i64,
    at: Timestamp,
) -> Result<String, FhirError> {
    let Value::Object(object) = resource else {
        return Err(FhirError::bad_request("A resource must be a JSON object"));
    };
    let meta = match object.get("meta") {
        None => None,
        Some(Value::Object(meta)) => Some(meta),
        Some(_) => {
            return Err(FhirError::new(
                ErrorKind::Unprocessable,
                IssueType::Structure,
                "meta must be an object",
            )
            .at("meta"))
        }
    };
    /// `"key":value`, after a comma unless it is the first member.
    fn member(out: &mut Vec<u8>, first: bool, key: &str, value: &Value) {
        if !first {
            out.push(b',');
        }
        serde_json::to_writer(&mut *out, key).expect("a string serialises");
        out.push(b':');
        serde_json::to_writer(&mut *out, value).expect("a JSON value serialises");
    }
    let mut out: Vec<u8> = Vec::with_capacity(1024);
    out.push(b'{');
    let mut first = true;
    if let Some(t) = object.get("resourceType") {
        member(&mut out, first, "resourceType", t);
        first = false;
    }
    member(&mut out, first, "id", &Value::String(id.to_owned()));
    out.extend_from_slice(b",\"meta\":{");
    member(
        &mut out,
        true,
        "versionId",
        &Value::String(version.to_string()),
    );
    member(
        &mut out,
        false,
        "lastUpdated",
        &Value::String(at.to_instant()),
    );
    for (key, value) in meta.into_iter().flatten() {
        if key != "versionId" && key != "lastUpdated" {
            member(&mut out, false, key, value);
        }
    }
    out.push(b'}');
    for (key, value) in object {
        if key != "resourceType" && key != "id" && key != "meta" {
            member(&mut out, false, key, value);
        }
    }
    out.push(b'}');
    String::from_utf8(out).map_err(|e| FhirError::internal(e.to_string()))
}

/// Whether `resource` says what the stored JSON `stored` says, but for the id and the
/// version's `meta.versionId` and `meta.lastUpdated`: an update with it would change nothing,
/// so it writes no new version.
pub(crate) fn same_content(stored: &str, resource: &Value) -> bool {
    fn essence(value: &Value) -> Option<Map<String, Value>> {
        let mut object = value.as_object()?.clone();
        object.shift_remove("id");
        if let Some(Value::Object(meta)) = object.get_mut("meta") {
            meta.shift_remove("versionId");
            meta.shift_remove("lastUpdated");
            if meta.is_empty() {
                object.shift_remove("meta");
            }
        }
        Some(object)
    }
    let Ok(stored) = serde_json::from_str::<Value>(stored) else {
        return false;
    };
    essence(&stored).is_some_and(|s| essence(resource).is_some_and(|r| r == s))
}

/// A new current version of `res_type/id` to write (after `current`, if any).
pub(crate) struct Put<'a> {
    pub res_type: &'a str,
    pub id: &'a str,
    pub current: Option<Current>,
    pub resource: &'a Value,
    /// The interaction that wrote it (`PUT`, `POST`), as the history tells.
    pub method: &'a str,
    pub index: &'a index::Rows,
}

/// Rows per INSERT of resources and of versions (a version's content may be large).
const VERSIONS_PER_INSERT: usize = 500;

/// Writes a new current version of `res_type/id` (after `current`, if any).
fn put_version(conn: &mut AnyConnection, put: Put) -> TxResult<Version> {
    let mut versions = put_versions(conn, vec![put], Timestamp::now())?;
    versions
        .pop()
        .ok_or_else(|| FhirError::internal("a write stored nothing").into())
}

/// Writes new current versions of distinct resources, all at `at` (see [`Timestamp::after`]): the
/// resources, their versions and their index in a few multi-row statements, however many
/// there are. Answers the versions in the order of `puts`.
pub(crate) fn put_versions(
    conn: &mut AnyConnection,
    puts: Vec<Put>,
    at: Timestamp,
) -> TxResult<Vec<Version>> {
    /// A put with its new version worked out, and the key of its `resources` row.
    struct Stamped<'a> {
        pk: i64,
        current: Option<Current>,
        index: &'a index::Rows,
        version: Version,
    }
    let mut stamped = Vec::with_capacity(puts.len());
    for put in puts {
        let version = put.current.map_or(1, |c| c.version + 1);
        let at = at.after(put.current.map(|c| Timestamp(c.last_updated)));
        let content = stamped_json(put.resource, put.id, version, at)?;
        stamped.push(Stamped {
            pk: put.current.map_or(0, |c| c.pk),
            current: put.current,
            index: put.index,
            version: Version {
                res_type: put.res_type.to_owned(),
                id: put.id.to_owned(),
                version,
                last_updated: at,
                deleted: false,
                method: put.method.to_owned(),
                content: Some(content),
            },
        });
    }
    // Existing resources are updated one by one; new ones are inserted together, their keys
    // returned by the INSERT (RETURNING, not a lookup afterwards: on PostgreSQL such a read
    // would take predicate locks that make concurrent creates conflict).
    for s in stamped.iter().filter(|s| s.current.is_some()) {
        diesel::update(resources::table.filter(resources::pk.eq(s.pk)))
            .set((
                resources::version.eq(s.version.version),
                resources::last_updated.eq(s.version.last_updated.0),
                resources::deleted.eq(false),
            ))
            .execute(conn)?;
    }
    let new: Vec<_> = stamped
        .iter()
        .filter(|s| s.current.is_none())
        .map(|s| {
            (
                resources::res_type.eq(&s.version.res_type),
                resources::res_id.eq(&s.version.id),
                resources::version.eq(s.version.version),
                resources::last_updated.eq(s.version.last_updated.0),
                resources::deleted.eq(false),
            )
        })
        .collect();
    let mut inserted: HashMap<(String, String), i64> = HashMap::with_capacity(new.len());
    for chunk in new.chunks(VERSIONS_PER_INSERT) {
        let insert = diesel::insert_into(resources::table)
            .values(chunk)
            .returning((resources::res_type, resources::res_id, resources::pk));
        let keys: Vec<(String, String, i64)> = on_backend!(&mut *conn, |c| insert.get_results(c))?;
        inserted.extend(keys.into_iter().map(|(t, id, pk)| ((t, id), pk)));
    }
    for s in stamped.iter_mut().filter(|s| s.current.is_none()) {
        let (res_type, id) = (&s.version.res_type, &s.version.id);
        s.pk = inserted
            .remove(&(res_type.clone(), id.clone()))
            .ok_or_else(|| FhirError::internal(format!("{res_type}/{id} was not stored")))?;
    }
    let version_rows: Vec<_> = stamped
        .iter()
        .map(|s| {
            (
                resource_versions::res_pk.eq(s.pk),
                resource_versions::res_type.eq(&s.version.res_type),
                resource_versions::res_id.eq(&s.version.id),
                resource_versions::version.eq(s.version.version),
                resource_versions::last_updated.eq(s.version.last_updated.0),
                resource_versions::method.eq(&s.version.method),
                resource_versions::content.eq(&s.version.content),
            )
        })
        .collect();
    for chunk in version_rows.chunks(VERSIONS_PER_INSERT) {
        on_backend!(&mut *conn, |c| diesel::insert_into(
            resource_versions::table
        )
        .values(chunk)
        .execute(c))?;
    }
    let entries: Vec<index::Entry> = stamped
        .iter()
        .map(|s| index::Entry {
            rows: s.index,
            pk: s.pk,
            res_type: &s.version.res_type,
            id: &s.version.id,
            last_updated: s.version.last_updated.0,
        })
        .collect();
    let replace: Vec<i64> = stamped
        .iter()
        .filter_map(|s| s.current.map(|c| c.pk))
        .collect();
    index::write(conn, &entries, &replace)?;
    Ok(stamped.into_iter().map(|s| s.version).collect())
}

/// Records the deletion of `current` as a new version at `at` (see [`Timestamp::after`]).
fn delete_version(
    conn: &mut AnyConnection,
    res_type: &str,
    id: &str,
    current: &Current,
    at: Timestamp,
) -> TxResult<Version> {
    let version = current.version + 1;
    let at = at.after(Some(Timestamp(current.last_updated)));
    diesel::update(resources::table.filter(resources::pk.eq(current.pk)))
        .set((
            resources::version.eq(version),
            resources::last_updated.eq(at.0),
            resources::deleted.eq(true),
        ))
        .execute(conn)?;
    diesel::insert_into(resource_versions::table)
        .values((
            resource_versions::res_pk.eq(current.pk),
            resource_versions::res_type.eq(res_type),
            resource_versions::res_id.eq(id),
            resource_versions::version.eq(version),
            resource_versions::last_updated.eq(at.0),
            resource_versions::method.eq("DELETE"),
            resource_versions::content.eq(None::<String>),
        ))
        .execute(conn)?;
    index::remove(conn, &[current.pk])?;
    Ok(Version {
        res_type: res_type.to_owned(),
        id: id.to_owned(),
        version,
        last_updated: at,
        deleted: true,
        method: "DELETE".to_owned(),
        content: None,
    })
}

pub(crate) fn multiple_matches(res_type: &str, interaction: &str) -> FhirError {
    FhirError::precondition_failed(
        IssueType::MultipleMatches,
        format!("The criteria of the conditional {interaction} match more than one {res_type}"),
    )
}

fn resource_id_of(resource: &Value) -> Option<&str> {
    resource.get("id").and_then(Value::as_str)
}

pub(crate) fn references_to_check(resource: &Value, enforce: bool) -> Vec<LocalReference> {
    if enforce {
        local_references(resource)
    } else {
        Vec::new()
    }
}

/// Fails with 422, naming every offending element, when a literal reference of `resource`
/// (see [`zorgplan_fhir::references`]) points to no current resource — or, versioned, to no
/// stored version — of this server. Runs inside the write's transaction, after the resource
/// itself is written (so that it may refer to itself).
pub(crate) fn check_references(
    conn: &mut AnyConnection,
    references: &[LocalReference],
) -> TxResult<()> {
    if references.is_empty() {
        return Ok(());
    }
    // One query per resource type (and thousand ids) for the current resources, one per versioned reference.
    let mut existing: HashSet<(String, String)> = HashSet::new();
    let mut types: Vec<&str> = references
        .iter()
        .filter(|r| r.version.is_none())
        .map(|r| r.res_type.as_str())
        .collect();
    types.sort_unstable();
    types.dedup();
    for res_type in types {
        let mut ids: Vec<&str> = references
            .iter()
            .filter(|r| r.version.is_none() && r.res_type == res_type)
            .map(|r| r.id.as_str())
            .collect();
        ids.sort_unstable();
        ids.dedup();
        for chunk in ids.chunks(1000) {
            let found: Vec<String> = resources::table
                .filter(resources::res_type.eq(res_type))
                .filter(resources::res_id.eq_any(chunk))
                .filter(resources::deleted.eq(false))
                .select(resources::res_id)
                .load(conn)?;
            existing.extend(found.into_iter().map(|id| (res_type.to_owned(), id)));
        }
    }
    let mut issues = Vec::new();
    for reference in references {
        let target = format!("{}/{}", reference.res_type, reference.id);
        let found = match &reference.version {
            None => existing.contains(&(reference.res_type.clone(), reference.id.clone())),
            Some(version) => {
                let version: Option<i64> = version.parse().ok();
                let content: Option<Option<String>> = resource_versions::table
                    .filter(resource_versions::res_type.eq(&reference.res_type))
                    .filter(resource_versions::res_id.eq(&reference.id))
                    .filter(resource_versions::version.eq(version.unwrap_or(-1)))
                    .select(resource_versions::content)
                    .get_result(conn)
                    .optional()?;
                matches!(content, Some(Some(_)))
            }
        };
        if !found {
            let what = match &reference.version {
                None => target,
                Some(v) => format!("{target}/_history/{v}"),
            };
            issues.push(
                Issue::error(
                    IssueType::NotFound,
                    format!("The reference {what} does not resolve: there is no such resource on this server"),
                )
                .at(reference.expression.clone()),
            );
        }
    }
    if issues.is_empty() {
        Ok(())
    } else {
        Err(FhirError::with_issues(ErrorKind::Unprocessable, issues).into())
    }
}

fn update_in(
    conn: &mut AnyConnection,
    res_type: &str,
    id: &str,
    resource: Value,
    if_match: Option<i64>,
    writing: Writing,
    index: &index::Rows,
) -> TxResult<Written> {
    let current = current(conn, res_type, id)?;
    check_if_match(current.as_ref(), if_match, res_type, id)?;
    let created = current.is_none_or(|c| c.deleted);
    let references = references_to_check(&resource, writing.enforce_references);
    if let Some(c) = current.filter(|c| !c.deleted) {
        let stored = load_current(conn, c.pk)?;
        if stored
            .content
            .as_deref()
            .is_some_and(|text| same_content(text, &resource))
        {
            // Nothing to write; what it refers to must still be there.
            check_references(conn, &references)?;
            return Ok(Written {
                version: stored,
                created: false,
            });
        }
    }
    let version = put_version(
        conn,
        Put {
            res_type,
            id,
            current,
            resource: &resource,
            method: "PUT",
            index,
        },
    )?;
    check_references(conn, &references)?;
    Ok(Written { version, created })
}

pub(crate) fn delete_in(
    conn: &mut AnyConnection,
    res_type: &str,
    id: &str,
    if_match: Option<i64>,
    at: Timestamp,
) -> TxResult<Deleted> {
    let current = current(conn, res_type, id)?;
    check_if_match(current.as_ref(), if_match, res_type, id)?;
    Ok(match current {
        None => Deleted::NotFound,
        Some(c) if c.deleted => Deleted::AlreadyDeleted,
        Some(c) => Deleted::Deleted(delete_version(conn, res_type, id, &c, at)?),
    })
}

/// Resources made ready for [`Store::load`]: type, id and index rows of each worked out.
pub struct Prepared {
    items: Vec<(String, String, Value, index::Rows)>,
}

impl Prepared {
    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

impl Store {
    /// Works out what [`load`](Self::load) writes of `batch` (no database access: this can
    /// run on another thread while a previous batch is written). Each resource needs its
    /// `resourceType` and `id`.
    pub fn prepare_load(&self, batch: Vec<Value>) -> Result<Prepared, FhirError> {
        let mut items = Vec::with_capacity(batch.len());
        for resource in batch {
            let (Some(res_type), Some(id)) = (
                resource.get("resourceType").and_then(Value::as_str),
                resource_id_of(&resource),
            ) else {
                return Err(FhirError::bad_request(
                    "A resource to load needs a resourceType and an id",
                ));
            };
            let (res_type, id) = (res_type.to_owned(), id.to_owned());
            let rows = index::prepare(self.writing.registry, &res_type, &resource);
            items.push((res_type, id, resource, rows));
        }
        Ok(Prepared { items })
    }

    /// Writes every prepared resource as the new current version of its `Type/id` (as a
    /// PUT would), all in one transaction. Literal references are checked after all of them
    /// are written (when the store enforces them), so the resources may refer to each other,
    /// in cycles too; a dangling one fails the whole batch. For bulk loads (`zorgplan
    /// generate`).
    pub fn load(&self, prepared: &Prepared) -> Result<usize, FhirError> {
        let mut seen = HashSet::with_capacity(prepared.items.len());
        for (res_type, id, ..) in &prepared.items {
            if !seen.insert((res_type.as_str(), id.as_str())) {
                return Err(FhirError::bad_request(format!(
                    "{res_type}/{id} is twice in one load"
                )));
            }
        }
        self.write(Isolation::Rows, |conn| {
            let mut currents = currents(conn, prepared.items.iter().map(|i| (&*i.0, &*i.1)))?;
            let mut references = Vec::new();
            let mut puts = Vec::with_capacity(prepared.items.len());
            for (res_type, id, resource, rows) in &prepared.items {
                references.extend(references_to_check(
                    resource,
                    self.writing.enforce_references,
                ));
                puts.push(Put {
                    res_type,
                    id,
                    current: currents.remove(&(res_type.clone(), id.clone())),
                    resource,
                    method: "PUT",
                    index: rows,
                });
            }
            put_versions(conn, puts, Timestamp::now())?;
            check_references(conn, &references)?;
            Ok(prepared.items.len())
        })
        .inspect(|_| self.committed(prepared.items.iter().map(|i| i.0.as_str())))
    }

    /// Stores `records` (resources with their type and id, such as AuditEvents) as new
    /// resources, in one transaction of their own.
    pub fn record(&self, records: &[Value]) -> Result<(), FhirError> {
        self.write(Isolation::Rows, |conn| {
            put_records(conn, self.writing.registry, records)?;
            Ok(records.len())
        })?;
        self.committed(
            records
                .iter()
                .filter_map(|r| r.get("resourceType").and_then(Value::as_str)),
        );
        Ok(())
    }

    /// The current version of a resource (a deletion, if it was deleted).
    pub fn read(&self, res_type: &str, id: &str) -> Result<Option<Version>, FhirError> {
        Store::read_with(self, |conn| {
            let row: Option<Row> = on_backend!(conn, |c| resources::table
                .inner_join(
                    resource_versions::table.on(resource_versions::res_pk
                        .eq(resources::pk)
                        .and(resource_versions::version.eq(resources::version))),
                )
                .filter(resources::res_type.eq(res_type))
                .filter(resources::res_id.eq(id))
                .select(ROW_COLUMNS)
                .get_result(c)
                .optional())?;
            Ok(row.map(Row::into_version))
        })
    }

    /// One version of a resource.
    pub fn vread(
        &self,
        res_type: &str,
        id: &str,
        version: i64,
    ) -> Result<Option<Version>, FhirError> {
        Store::read_with(self, |conn| {
            let row: Option<Row> = on_backend!(conn, |c| resources::table
                .inner_join(
                    resource_versions::table.on(resource_versions::res_pk.eq(resources::pk)),
                )
                .filter(resources::res_type.eq(res_type))
                .filter(resources::res_id.eq(id))
                .filter(resource_versions::version.eq(version))
                .select(ROW_COLUMNS)
                .get_result(c)
                .optional())?;
            Ok(row.map(Row::into_version))
        })
    }

    /// Creates a resource with a new server-assigned id; with `if_none_exist`, only when no
    /// resource matches those criteria (one match is returned instead, several fail with 412).
    pub fn create(
        &self,
        res_type: &str,
        resource: &Value,
        if_none_exist: Option<&Criteria>,
    ) -> Result<Created, FhirError> {
        let isolation = match if_none_exist {
            Some(_) => Isolation::Search,
            None => Isolation::Rows,
        };
        let index = index::prepare(self.writing.registry, res_type, resource);
        self.write(isolation, |conn| {
            if let Some(criteria) = if_none_exist {
                let matches = matching_pks(conn, res_type, criteria, None, 2)?;
                match matches.as_slice() {
                    [] => {}
                    [pk] => return Ok(Created::Existing(load_current(conn, *pk)?)),
                    _ => return Err(multiple_matches(res_type, "create").into()),
                }
            }
            let id = new_id();
            let references = references_to_check(resource, self.writing.enforce_references);
            let version = put_version(
                conn,
                Put {
                    res_type,
                    id: &id,
                    current: None,
                    resource,
                    method: "POST",
                    index: &index,
                },
            )?;
            check_references(conn, &references)?;
            Ok(Created::New(version))
        })
    }

    /// Updates (or, when it does not exist, creates) `res_type/id`. With `if_match`, only
    /// when that is the current version (else 412).
    pub fn update(
        &self,
        res_type: &str,
        id: &str,
        resource: &Value,
        if_match: Option<i64>,
    ) -> Result<Written, FhirError> {
        let index = index::prepare(self.writing.registry, res_type, resource);
        self.write(Isolation::Rows, |conn| {
            update_in(
                conn,
                res_type,
                id,
                resource.clone(),
                if_match,
                self.writing,
                &index,
            )
        })
    }

    /// Conditional update: updates the one resource matching `criteria`; creates one when
    /// none matches (with the body's id, if it has one); 412 when several match.
    pub fn conditional_update(
        &self,
        res_type: &str,
        criteria: &Criteria,
        resource: &Value,
        if_match: Option<i64>,
    ) -> Result<Written, FhirError> {
        let index = index::prepare(self.writing.registry, res_type, resource);
        self.write(Isolation::Search, |conn| {
            let matches = matching_pks(conn, res_type, criteria, None, 2)?;
            let body_id = resource_id_of(resource);
            let id = match matches.as_slice() {
                [] => body_id.map_or_else(new_id, str::to_owned),
                [pk] => {
                    let target = load_current(conn, *pk)?.id;
                    if body_id.is_some_and(|b| b != target) {
                        return Err(FhirError::bad_request(format!(
                            "The resource's id does not match the {res_type}/{target} that the criteria select"
                        ))
                        .at(format!("{res_type}.id"))
                        .into());
                    }
                    target
                }
                _ => return Err(multiple_matches(res_type, "update").into()),
            };
            update_in(
                conn,
                res_type,
                &id,
                resource.clone(),
                if_match,
                self.writing,
                &index,
            )
        })
    }

    /// Deletes `res_type/id` (a new version that records the deletion). With `if_match`,
    /// only when that is the current version (else 412).
    pub fn delete(
        &self,
        res_type: &str,
        id: &str,
        if_match: Option<i64>,
    ) -> Result<Deleted, FhirError> {
        self.write(Isolation::Rows, |conn| {
            delete_in(conn, res_type, id, if_match, Timestamp::now())
        })
    }

    /// Conditional delete: deletes the one resource matching `criteria`; 412 when several
    /// match.
    pub fn conditional_delete(
        &self,
        res_type: &str,
        criteria: &Criteria,
        if_match: Option<i64>,
    ) -> Result<Deleted, FhirError> {
        self.write(Isolation::Search, |conn| {
            let matches = matching_pks(conn, res_type, criteria, None, 2)?;
            match matches.as_slice() {
                [] => Ok(Deleted::NotFound),
                [pk] => {
                    let id = load_current(conn, *pk)?.id;
                    delete_in(conn, res_type, &id, if_match, Timestamp::now())
                }
                _ => Err(multiple_matches(res_type, "delete").into()),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_stored_resource_has_its_type_id_and_meta_first() {
        let resource = json!({"gender": "female", "meta": {"profile": ["p"], "lastUpdated": "x",
            "versionId": "7"}, "id": "old", "resourceType": "Patient", "birthDate": "2015-03-01"});
        let at = Timestamp(1_795_000_000_123_456);
        let text = stamped_json(&resource, "new", 2, at).unwrap();
        assert_eq!(
            text,
            format!(
                r#"{{"resourceType":"Patient","id":"new","meta":{{"versionId":"2","lastUpdated":"{}","profile":["p"]}},"gender":"female","birthDate":"2015-03-01"}}"#,
                at.to_instant()
            )
        );
        let bare = stamped_json(&json!({"resourceType": "Basic"}), "b", 1, at).unwrap();
        assert_eq!(
            bare,
            format!(
                r#"{{"resourceType":"Basic","id":"b","meta":{{"versionId":"1","lastUpdated":"{}"}}}}"#,
                at.to_instant()
            )
        );
        // Decimals keep their exact text.
        let decimal = serde_json::from_str::<Value>(
            r#"{"resourceType":"Observation","valueQuantity":{"value":1.50}}"#,
        )
        .unwrap();
        assert!(stamped_json(&decimal, "o", 1, at)
            .unwrap()
            .ends_with(r#""valueQuantity":{"value":1.50}}"#));
    }

    #[test]
    fn a_resource_whose_meta_is_no_object_is_refused() {
        let at = Timestamp(0);
        let err =
            stamped_json(&json!({"resourceType": "Patient", "meta": 1}), "p", 1, at).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Unprocessable);
        assert!(stamped_json(&json!([1]), "p", 1, at).is_err());
    }
}
