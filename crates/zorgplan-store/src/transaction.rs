//! Transactions: many creates, updates and deletes (a FHIR `transaction` Bundle) in one
//! database transaction, all of them or none.
//!
//! The order is the one R4 gives (3.1.0.11.2): deletes first, then creates and updates;
//! references to an entry's `fullUrl` are rewritten to the `Type/id` the entry was stored as
//! (or, for a conditional create that matched, the resource it matched); conditional
//! references (`Patient?identifier=…`) are resolved last, against the database as the
//! transaction sees it — so they may find a resource the same transaction creates — and the
//! versions that hold them are rewritten in place. Every version the transaction writes
//! shares one time, and every literal reference is checked once all are written, so entries
//! may refer to each other in cycles.

use crate::crud::{
    check_if_match, check_references, currents, delete_in, load_current, load_versions,
    multiple_matches, new_id, put_versions, references_to_check, same_content, Current, Put, Row,
};
use crate::db::AnyConnection;
use crate::plan::matching_pks;
use crate::search::Criteria;
use crate::time::Timestamp;
use crate::tx::{Isolation, TxError, TxResult};
use crate::{index, Created, Deleted, Store, Written};
use serde_json::Value;
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use zorgplan_fhir::{references, ErrorKind, FhirError, IssueType};

/// What an entry asks for.
#[derive(Debug, Clone)]
pub enum Request {
    /// `POST [type]`, with `ifNoneExist`: create only when none matches.
    Create { if_none_exist: Option<Criteria> },
    /// `PUT [type]/[id]`.
    Update { id: String, if_match: Option<i64> },
    /// `PUT [type]?criteria`.
    ConditionalUpdate {
        criteria: Criteria,
        if_match: Option<i64>,
    },
    /// `DELETE [type]/[id]`.
    Delete { id: String, if_match: Option<i64> },
    /// `DELETE [type]?criteria`.
    ConditionalDelete {
        criteria: Criteria,
        if_match: Option<i64>,
    },
}

/// One entry of a transaction.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The entry's `fullUrl`: references to it are rewritten to where the entry is stored.
    pub full_url: Option<String>,
    pub res_type: String,
    /// The resource of a create or update (valid, as the REST layer checked).
    pub resource: Option<Value>,
    pub request: Request,
}

/// A transaction: its entries, and what each conditional reference in them (`Type?query`,
/// as written) searches for.
#[derive(Debug, Clone, Default)]
pub struct Transaction {
    pub entries: Vec<Entry>,
    pub conditional_references: HashMap<String, (String, Criteria)>,
}

/// What became of an entry.
#[derive(Debug)]
pub enum Outcome {
    Created(Created),
    Updated(Written),
    Deleted(Deleted),
}

impl crate::Recorded for Vec<Outcome> {
    fn written(&self) -> Vec<&crate::Version> {
        self.iter()
            .flat_map(|outcome| match outcome {
                Outcome::Created(c) => c.written(),
                Outcome::Updated(w) => w.written(),
                Outcome::Deleted(d) => d.written(),
            })
            .collect()
    }
}

/// What [`Store::transaction`] works out before its database transaction, per entry.
struct Ahead {
    /// The id of a plain create.
    ids: Vec<Option<String>>,
    /// A create's or update's final resource and its index rows, when its references do not
    /// depend on what the database transaction finds.
    ready: Vec<Option<(Value, index::Rows)>>,
}

/// Where an entry is written, once its conditions are resolved.
struct Target {
    entry: usize,
    id: String,
    method: &'static str,
    if_match: Option<i64>,
}

/// Rewrites the references of `value` (see [`references::rewrite`]); a refused one is 400 at
/// its element.
fn rewrite_references(
    value: &mut Value,
    path: &mut String,
    rewrite_one: &mut impl FnMut(&str) -> Result<Option<String>, String>,
) -> Result<(), FhirError> {
    references::rewrite(value, path, rewrite_one).map_err(|(expression, problem)| {
        FhirError::new(ErrorKind::BadRequest, IssueType::NotFound, problem).at(expression)
    })
}

impl Store {
    /// Runs the entries of `transaction` in one database transaction: every write or none
    /// (the error names the entry that failed). Answers an outcome per entry, in their order.
    pub fn transaction(&self, transaction: &Transaction) -> Result<Vec<Outcome>, FhirError> {
        // A resource may be the target of one entry only.
        let mut seen = HashSet::new();
        for (i, entry) in transaction.entries.iter().enumerate() {
            if let Request::Update { id, .. } | Request::Delete { id, .. } = &entry.request {
                if !seen.insert((entry.res_type.as_str(), id.as_str())) {
                    return Err(FhirError::bad_request(format!(
                        "{}/{id} is the target of more than one entry of the transaction",
                        entry.res_type
                    ))
                    .in_entry(i));
                }
            }
        }
        let conditional = !transaction.conditional_references.is_empty()
            || transaction.entries.iter().any(|e| {
                matches!(
                    e.request,
                    Request::Create {
                        if_none_exist: Some(_)
                    } | Request::ConditionalUpdate { .. }
                        | Request::ConditionalDelete { .. }
                )
            });
        let isolation = if conditional {
            Isolation::Search
        } else {
            Isolation::Rows
        };
        let ahead = self.ahead(transaction);
        self.write(isolation, |conn| {
            tracing::debug!(entries = transaction.entries.len(), "transaction writing");
            self.transact(conn, transaction, &ahead)
        })
    }

    /// What can be worked out before the database transaction, outside the write lock: the
    /// ids of plain creates, and the final form and index rows of every resource whose
    /// references name only those, literal updates and resources outside the Bundle.
    fn ahead(&self, transaction: &Transaction) -> Ahead {
        let entries = &transaction.entries;
        let mut ids = vec![None; entries.len()];
        let mut known: HashMap<&str, String> = HashMap::new();
        for (i, entry) in entries.iter().enumerate() {
            let t = &entry.res_type;
            let local = match &entry.request {
                Request::Create {
                    if_none_exist: None,
                } => {
                    let id = new_id();
                    let local = format!("{t}/{id}");
                    ids[i] = Some(id);
                    local
                }
                Request::Update { id, .. } => format!("{t}/{id}"),
                _ => continue,
            };
            if let Some(url) = &entry.full_url {
                known.insert(url, local);
            }
        }
        let full_urls: HashSet<&str> = entries
            .iter()
            .filter_map(|e| e.full_url.as_deref())
            .collect();
        let ready = entries
            .iter()
            .map(|entry| {
                let static_target = matches!(
                    entry.request,
                    Request::Create {
                        if_none_exist: None
                    } | Request::Update { .. }
                );
                let mut resource = entry.resource.clone().filter(|_| static_target)?;
                let mut open = false;
                let mut rewrite = |reference: &str| -> Result<Option<String>, String> {
                    if let Some(local) = known.get(reference) {
                        return Ok(Some(local.clone()));
                    }
                    open |= full_urls.contains(reference)
                        || references::is_conditional(reference)
                        || reference.starts_with("urn:");
                    Ok(None)
                };
                rewrite_references(&mut resource, &mut String::new(), &mut rewrite).ok()?;
                if open {
                    return None;
                }
                let rows = index::prepare(self.writing.registry, &entry.res_type, &resource);
                Some((resource, rows))
            })
            .collect();
        Ahead { ids, ready }
    }

    fn transact(
        &self,
        conn: &mut AnyConnection,
        transaction: &Transaction,
        ahead: &Ahead,
    ) -> TxResult<Vec<Outcome>> {
        let entries = &transaction.entries;
        let at = Timestamp::now();
        let mut outcomes: Vec<Option<Outcome>> = entries.iter().map(|_| None).collect();
        let fail = |i: usize| move |e: FhirError| e.in_entry(i);

        // 1. Deletes.
        for (i, entry) in entries.iter().enumerate() {
            let t = entry.res_type.as_str();
            let deleted = match &entry.request {
                Request::Delete { id, if_match } => {
                    delete_in(conn, t, id, *if_match, at).map_err(|e| e.map_fhir(fail(i)))?
                }
                Request::ConditionalDelete { criteria, if_match } => {
                    match matching_pks(conn, t, criteria, None, 2)?.as_slice() {
                        [] => Deleted::NotFound,
                        [pk] => {
                            let id = load_current(conn, *pk)?.id;
                            delete_in(conn, t, &id, *if_match, at)
                                .map_err(|e| e.map_fhir(fail(i)))?
                        }
                        _ => return Err(multiple_matches(t, "delete").in_entry(i).into()),
                    }
                }
                _ => continue,
            };
            outcomes[i] = Some(Outcome::Deleted(deleted));
        }

        // 2. Where each create and update goes; fullUrls to the resources they name.
        let mut targets: Vec<Target> = Vec::new();
        let mut full_urls: HashMap<&str, String> = HashMap::new();
        for (i, entry) in entries.iter().enumerate() {
            let t = entry.res_type.as_str();
            let body_id = entry
                .resource
                .as_ref()
                .and_then(|r| r.get("id"))
                .and_then(Value::as_str);
            let (id, method, if_match) = match &entry.request {
                Request::Create { if_none_exist } => {
                    let found = match if_none_exist {
                        Some(criteria) => matching_pks(conn, t, criteria, None, 2)?,
                        None => Vec::new(),
                    };
                    match found.as_slice() {
                        [] => {
                            let id = ahead.ids[i].clone();
                            (id.unwrap_or_else(new_id), "POST", None)
                        }
                        [pk] => {
                            let existing = load_current(conn, *pk)?;
                            if let Some(url) = &entry.full_url {
                                full_urls.insert(url, format!("{t}/{}", existing.id));
                            }
                            outcomes[i] = Some(Outcome::Created(Created::Existing(existing)));
                            continue;
                        }
                        _ => return Err(multiple_matches(t, "create").in_entry(i).into()),
                    }
                }
                Request::Update { id, if_match } => (id.clone(), "PUT", *if_match),
                Request::ConditionalUpdate { criteria, if_match } => {
                    match matching_pks(conn, t, criteria, None, 2)?.as_slice() {
                        [] => (body_id.map_or_else(new_id, str::to_owned), "PUT", *if_match),
                        [pk] => {
                            let id = load_current(conn, *pk)?.id;
                            if body_id.is_some_and(|b| b != id) {
                                let error = FhirError::bad_request(format!(
                                    "The resource's id does not match the {t}/{id} that the criteria select"
                                ))
                                .at(format!("{t}.id"));
                                return Err(error.in_entry(i).into());
                            }
                            (id, "PUT", *if_match)
                        }
                        _ => return Err(multiple_matches(t, "update").in_entry(i).into()),
                    }
                }
                Request::Delete { .. } | Request::ConditionalDelete { .. } => continue,
            };
            if let Some(url) = &entry.full_url {
                full_urls.insert(url, format!("{t}/{id}"));
            }
            targets.push(Target {
                entry: i,
                id,
                method,
                if_match,
            });
        }

        // 3. References to fullUrls rewritten; which resources hold conditional references.
        let mut resources = Vec::with_capacity(targets.len());
        let mut rows_ahead: Vec<Option<&index::Rows>> = Vec::with_capacity(targets.len());
        let mut pending: Vec<usize> = Vec::new();
        let mut holders: Vec<usize> = Vec::new();
        for (n, target) in targets.iter().enumerate() {
            let entry = &entries[target.entry];
            if let Some((resource, rows)) = &ahead.ready[target.entry] {
                resources.push(Cow::Borrowed(resource));
                rows_ahead.push(Some(rows));
                pending.push(n);
                continue;
            }
            rows_ahead.push(None);
            let mut resource = entry.resource.clone().ok_or_else(|| {
                FhirError::bad_request("A create or update needs a resource").in_entry(target.entry)
            })?;
            let mut conditional = false;
            let mut rewrite = |reference: &str| -> Result<Option<String>, String> {
                if let Some(local) = full_urls.get(reference) {
                    return Ok(Some(local.clone()));
                }
                if references::is_conditional(reference) {
                    conditional = true;
                } else if reference.starts_with("urn:uuid:") || reference.starts_with("urn:oid:") {
                    return Err(format!(
                        "The reference {reference} names no entry of the transaction"
                    ));
                }
                Ok(None)
            };
            let mut path = entry.res_type.clone();
            rewrite_references(&mut resource, &mut path, &mut rewrite)
                .map_err(fail(target.entry))?;
            if conditional {
                holders.push(n);
            } else {
                pending.push(n);
            }
            resources.push(Cow::Owned(resource));
        }

        // 4. The writes, in rounds: first every resource without conditional references;
        // then those whose conditional references resolve against what is written so far,
        // until all are written.
        // (A create's id is new: it has no current version.)
        let mut currents = currents(
            conn,
            targets
                .iter()
                .filter(|t| t.method == "PUT")
                .map(|t| (entries[t.entry].res_type.as_str(), t.id.as_str())),
        )?;
        let mut resolved: HashMap<String, String> = HashMap::new();
        let mut written: Vec<usize> = Vec::with_capacity(targets.len());
        loop {
            let round = std::mem::take(&mut pending);
            if !round.is_empty() {
                self.write_round(
                    conn,
                    entries,
                    &targets,
                    &resources,
                    &rows_ahead,
                    &round,
                    &mut currents,
                    &mut outcomes,
                    at,
                )?;
                written.extend(round);
            }
            if holders.is_empty() {
                break;
            }
            let mut unresolved: Option<(usize, String)> = None;
            for n in std::mem::take(&mut holders) {
                let entry = targets[n].entry;
                let mut waiting = false;
                let mut several = false;
                let mut failed: Option<TxError> = None;
                let mut resolve = |reference: &str| -> Result<Option<String>, String> {
                    if !references::is_conditional(reference) {
                        return Ok(None);
                    }
                    if let Some(local) = resolved.get(reference) {
                        return Ok(Some(local.clone()));
                    }
                    let Some((res_type, criteria)) =
                        transaction.conditional_references.get(reference)
                    else {
                        return Err(format!(
                            "The conditional reference {reference} cannot be resolved"
                        ));
                    };
                    match matching_pks(conn, res_type, criteria, None, 2) {
                        Ok(pks) => match pks.as_slice() {
                            [] => {
                                waiting = true;
                                unresolved.get_or_insert((entry, reference.to_owned()));
                                Ok(None)
                            }
                            [pk] => match load_current(conn, *pk) {
                                Ok(target) => {
                                    let local = format!("{res_type}/{}", target.id);
                                    resolved.insert(reference.to_owned(), local.clone());
                                    Ok(Some(local))
                                }
                                Err(e) => {
                                    failed = Some(e);
                                    Err(String::new())
                                }
                            },
                            _ => {
                                several = true;
                                Err(format!(
                                    "The conditional reference {reference} matches more than one resource"
                                ))
                            }
                        },
                        Err(e) => {
                            failed = Some(e);
                            Err(String::new())
                        }
                    }
                };
                let mut resource = resources[n].as_ref().clone();
                let mut path = entries[entry].res_type.clone();
                let rewritten = rewrite_references(&mut resource, &mut path, &mut resolve);
                if let Some(e) = failed {
                    return Err(e);
                }
                if let Err(mut e) = rewritten {
                    if several {
                        e.kind = ErrorKind::PreconditionFailed;
                        e.issues[0].code = IssueType::MultipleMatches;
                    }
                    return Err(e.in_entry(entry).into());
                }
                if waiting {
                    holders.push(n);
                } else {
                    resources[n] = Cow::Owned(resource);
                    pending.push(n);
                }
            }
            if pending.is_empty() {
                let (entry, reference) = unresolved.expect("a holder waits for a reference");
                let error = FhirError::new(
                    ErrorKind::BadRequest,
                    IssueType::NotFound,
                    format!("The conditional reference {reference} matches no resource"),
                );
                return Err(error.in_entry(entry).into());
            }
        }

        // 5. Every literal reference of what was written resolves: those to what the
        // transaction wrote do; the others are looked up together, and only if one of them
        // does not resolve, resource by resource to name the entry.
        let stored: HashSet<(&str, &str)> = written
            .iter()
            .map(|&n| {
                (
                    entries[targets[n].entry].res_type.as_str(),
                    targets[n].id.as_str(),
                )
            })
            .collect();
        let to_check: Vec<_> = written
            .iter()
            .map(|&n| {
                let mut references =
                    references_to_check(&resources[n], self.writing.enforce_references);
                references.retain(|r| {
                    r.version.is_some() || !stored.contains(&(r.res_type.as_str(), r.id.as_str()))
                });
                (n, references)
            })
            .collect();
        let all: Vec<_> = to_check
            .iter()
            .flat_map(|(_, r)| r.iter().cloned())
            .collect();
        if let Err(e) = check_references(conn, &all) {
            if matches!(e, TxError::Db(_)) {
                return Err(e);
            }
            for (n, references) in &to_check {
                check_references(conn, references)
                    .map_err(|e| e.map_fhir(fail(targets[*n].entry)))?;
            }
            return Err(e);
        }
        Ok(outcomes
            .into_iter()
            .map(|o| o.expect("every entry has an outcome"))
            .collect())
    }

    /// Writes the resources `round` (indexes into `targets` and `resources`): If-Match is
    /// checked, updates that change nothing write nothing, the rest is written in a few
    /// statements.
    #[allow(clippy::too_many_arguments)]
    fn write_round(
        &self,
        conn: &mut AnyConnection,
        entries: &[Entry],
        targets: &[Target],
        resources: &[Cow<'_, Value>],
        rows_ahead: &[Option<&index::Rows>],
        round: &[usize],
        currents: &mut HashMap<(String, String), Current>,
        outcomes: &mut [Option<Outcome>],
        at: Timestamp,
    ) -> TxResult<()> {
        let fail = |i: usize| move |e: FhirError| e.in_entry(i);
        let mut befores = Vec::with_capacity(round.len());
        for &n in round {
            let target = &targets[n];
            let t = entries[target.entry].res_type.as_str();
            let current = currents.remove(&(t.to_owned(), target.id.clone()));
            check_if_match(current.as_ref(), target.if_match, t, &target.id)
                .map_err(fail(target.entry))?;
            befores.push(current);
        }
        // Updates of live resources: compared with what is stored.
        let live: Vec<i64> = befores
            .iter()
            .flatten()
            .filter(|c| !c.deleted)
            .map(|c| c.pk)
            .collect();
        let mut stored: HashMap<i64, Row> = load_versions(conn, &live)?.into_iter().collect();
        let mut writes = Vec::with_capacity(round.len());
        for (&n, before) in round.iter().zip(&befores) {
            let row = before.and_then(|c| stored.remove(&c.pk));
            match row {
                Some(row)
                    if row
                        .content
                        .as_deref()
                        .is_some_and(|text| same_content(text, &resources[n])) =>
                {
                    outcomes[targets[n].entry] = Some(Outcome::Updated(Written {
                        version: row.into_version(),
                        created: false,
                    }));
                }
                _ => writes.push((n, *before)),
            }
        }
        // Index rows worked out ahead of the transaction, or now.
        let rows_now: Vec<Option<index::Rows>> = writes
            .iter()
            .map(|&(n, _)| {
                let t = entries[targets[n].entry].res_type.as_str();
                rows_ahead[n]
                    .is_none()
                    .then(|| index::prepare(self.writing.registry, t, &resources[n]))
            })
            .collect();
        let puts = writes
            .iter()
            .zip(&rows_now)
            .map(|(&(n, current), now)| Put {
                res_type: &entries[targets[n].entry].res_type,
                id: &targets[n].id,
                current,
                resource: &resources[n],
                method: targets[n].method,
                index: rows_ahead[n].or(now.as_ref()).expect("rows ahead or now"),
            })
            .collect();
        let versions = put_versions(conn, puts, at)?;
        for ((n, before), version) in writes.into_iter().zip(versions) {
            let created = before.is_none_or(|c| c.deleted);
            outcomes[targets[n].entry] = Some(Outcome::Updated(Written { version, created }));
        }
        Ok(())
    }
}
