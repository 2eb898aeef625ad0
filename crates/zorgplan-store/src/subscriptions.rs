//! R4 Subscriptions: which live Subscriptions a write matches, and the queue of the
//! notifications still to deliver.
//!
//! Every write of a Subscription keeps the `subscriptions` table (its criteria, while it is
//! live: status `requested` or `active`, channel `rest-hook`). Every other write, in its own
//! database transaction, runs the criteria of the live Subscriptions of its types against
//! what it stored (the search index is already up to date) and queues a notification per
//! Subscription and matching version. So a notification exists exactly when its write
//! committed, and none is lost when the process stops: the queue is in the database. A
//! deletion matches nothing (a deleted resource has no index rows to match).
//!
//! Delivery is the server's: it takes due notifications ([`Store::due_notifications`]),
//! claims each for the time one attempt may take ([`Store::claim_notification`], so that two
//! processes on one database never deliver the same one at once), and then removes it
//! ([`Store::notification_done`]) or schedules it again ([`Store::notification_failed`]).

use crate::db::AnyConnection;
use crate::schema::{notifications, subscriptions};
use crate::search::{query_pairs, Criteria, Criterion, SearchValue, Token};
use crate::time::Timestamp;
use crate::tx::{Isolation, TxResult};
use crate::{Store, Version};
use diesel::prelude::*;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex, OnceLock};
use zorgplan_fhir::FhirError;

/// A notification still to deliver.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct Notification {
    pub pk: i64,
    /// The id of the Subscription it is for.
    pub subscription: String,
    /// The version that matched.
    pub res_type: String,
    pub res_id: String,
    pub version: i64,
    /// When it is (next) to be tried, microseconds since the epoch.
    pub due: i64,
    /// Attempts so far (claims).
    pub attempts: i32,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
}

/// The resource type and query of a live Subscription's criteria (`CarePlan?patient=…` →
/// `("CarePlan", "patient=…")`); `None` when it is not live (status other than `requested`
/// or `active`, a channel other than `rest-hook`) or has no criteria.
pub fn live_criteria(subscription: &Value) -> Option<(String, String)> {
    let status = subscription.get("status").and_then(Value::as_str)?;
    let channel = subscription
        .get("channel")
        .and_then(|c| c.get("type"))
        .and_then(Value::as_str)?;
    if !matches!(status, "requested" | "active") || channel != "rest-hook" {
        return None;
    }
    let criteria = subscription.get("criteria").and_then(Value::as_str)?;
    let (res_type, query) = criteria.split_once('?').unwrap_or((criteria, ""));
    Some((res_type.to_owned(), query.to_owned()))
}

/// In a write's transaction: keeps the table of live Subscriptions for the Subscriptions it
/// wrote, and queues a notification for every live Subscription that another version it
/// wrote matches.
pub(crate) fn on_write(
    conn: &mut AnyConnection,
    registry: &'static zorgplan_search::Registry,
    written: &[&Version],
) -> TxResult<()> {
    let mut types = BTreeSet::new();
    for version in written {
        if version.res_type == "Subscription" {
            keep(conn, version)?;
        } else if !version.deleted {
            types.insert(version.res_type.as_str());
        }
    }
    if types.is_empty() {
        return Ok(());
    }
    let live: Vec<(String, String, String)> = subscriptions::table
        .filter(subscriptions::criteria_type.eq_any(&types))
        .select((
            subscriptions::res_id,
            subscriptions::criteria_type,
            subscriptions::criteria,
        ))
        .load(conn)?;
    if live.is_empty() {
        return Ok(());
    }
    let now = Timestamp::now().0;
    // The written versions' text in lower case, for the pre-filter.
    let texts: Vec<(&Version, String)> = written
        .iter()
        .filter(|v| !v.deleted)
        .filter_map(|v| Some((*v, v.content.as_deref()?.to_lowercase())))
        .collect();
    // Their pks, read when a pre-filter lets one through.
    let mut pks: Option<HashMap<(String, String), crate::crud::Current>> = None;
    // Subscriptions with the same criteria are matched once.
    let mut groups: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for (subscription, res_type, query) in live {
        groups
            .entry((res_type, query))
            .or_default()
            .push(subscription);
    }
    for ((res_type, query), subscribers) in groups {
        let Some(criteria) = parsed(registry, &res_type, &query) else {
            continue;
        };
        let candidates: Vec<&Version> = texts
            .iter()
            .filter(|(v, text)| v.res_type == res_type && may_match(&criteria, text))
            .map(|(v, _)| *v)
            .collect();
        if candidates.is_empty() {
            continue;
        }
        if pks.is_none() {
            let keys = texts
                .iter()
                .map(|(v, _)| (v.res_type.as_str(), v.id.as_str()));
            pks = Some(crate::crud::currents(conn, keys)?);
        }
        let known = pks.as_ref().expect("read above");
        let candidates: Vec<(&Version, i64)> = candidates
            .into_iter()
            .filter_map(|v| Some((v, known.get(&(v.res_type.clone(), v.id.clone()))?.pk)))
            .collect();
        let among = candidates.iter().map(|(_, pk)| *pk).collect();
        let matched: Vec<i64> =
            crate::plan::matching_among(conn, &res_type, &criteria, among)?.load(conn)?;
        for (version, _) in candidates.iter().filter(|(_, pk)| matched.contains(pk)) {
            for subscription in &subscribers {
                diesel::insert_into(notifications::table)
                    .values((
                        notifications::subscription.eq(subscription),
                        notifications::res_type.eq(&version.res_type),
                        notifications::res_id.eq(&version.id),
                        notifications::version.eq(version.version),
                        notifications::due.eq(now),
                        notifications::attempts.eq(0),
                    ))
                    .execute(conn)?;
            }
        }
    }
    Ok(())
}

/// Criteria parsed before, by registry, type and query (a write matches every live
/// Subscription of its types: parsing them each time would cost more than matching).
type ParsedCriteria = HashMap<(usize, String, String), Option<Arc<Criteria>>>;

/// Criteria kept at most (the map is emptied when it is full).
const PARSED_KEPT: usize = 10_000;

/// The criteria of a live Subscription; `None` when they are no longer understood (checked
/// when the Subscription was accepted; what the search parameters no longer know matches
/// nothing rather than everything).
fn parsed(
    registry: &'static zorgplan_search::Registry,
    res_type: &str,
    query: &str,
) -> Option<Arc<Criteria>> {
    static PARSED: OnceLock<Mutex<ParsedCriteria>> = OnceLock::new();
    let key = (
        registry as *const zorgplan_search::Registry as usize,
        res_type.to_owned(),
        query.to_owned(),
    );
    let cache = PARSED.get_or_init(Mutex::default);
    if let Some(known) = cache.lock().expect("criteria").get(&key) {
        return known.clone();
    }
    let criteria = match Criteria::parse(registry, res_type, &query_pairs(query)) {
        Ok((criteria, unknown)) if unknown.is_empty() => Some(Arc::new(criteria)),
        Ok((_, unknown)) => {
            tracing::warn!(
                res_type,
                query,
                ?unknown,
                "Subscription criteria no longer understood"
            );
            None
        }
        Err(e) => {
            tracing::warn!(res_type, query, error = %e, "Subscription criteria no longer understood");
            None
        }
    };
    let mut cache = cache.lock().expect("criteria");
    if cache.len() >= PARSED_KEPT {
        cache.clear();
    }
    cache.insert(key, criteria.clone());
    criteria
}

/// Whether a resource (its JSON text in lower case) may match `criteria`, by what must be in
/// its text if it does: of every condition on a token's code or a reference's id (not
/// negated), one of its values. `false` only when it surely does not match; the search
/// decides the others. (Most Subscriptions name one child, `CarePlan?subject=Patient/…`:
/// every write of another child's resources is passed over without a query.)
fn may_match(criteria: &Criteria, text: &str) -> bool {
    criteria.conditions.iter().all(|condition| {
        let Criterion::Param {
            negated: false,
            values,
            ..
        } = condition
        else {
            return true;
        };
        let mut needles = Vec::with_capacity(values.len());
        for value in values {
            let needle = match value {
                SearchValue::Token(Token {
                    code: Some(code), ..
                }) => code,
                SearchValue::Reference { id, .. } => id,
                _ => return true,
            };
            // A value that JSON writes escaped is not looked for as written.
            if needle.is_empty()
                || needle
                    .chars()
                    .any(|c| c == '"' || c == '\\' || c.is_control())
            {
                return true;
            }
            needles.push(needle.to_lowercase());
        }
        needles.iter().any(|needle| text.contains(needle.as_str()))
    })
}

/// The row of a Subscription in the table of live ones, as its new version says; its
/// queued notifications go when it is deleted or no longer live.
fn keep(conn: &mut AnyConnection, version: &Version) -> TxResult<()> {
    let live = version.resource().as_ref().and_then(live_criteria);
    diesel::delete(subscriptions::table.filter(subscriptions::res_id.eq(&version.id)))
        .execute(conn)?;
    match live {
        Some((res_type, query)) => {
            diesel::insert_into(subscriptions::table)
                .values((
                    subscriptions::res_id.eq(&version.id),
                    subscriptions::criteria_type.eq(res_type),
                    subscriptions::criteria.eq(query),
                ))
                .execute(conn)?;
        }
        None => {
            diesel::delete(
                notifications::table.filter(notifications::subscription.eq(&version.id)),
            )
            .execute(conn)?;
        }
    }
    Ok(())
}

impl Store {
    /// Has every write of `res_type` matching `criteria` (a query; empty: all) queue a
    /// notification for `id`, as a live Subscription would, without a Subscription resource
    /// (what the server itself sends, such as the push of a plan to an EPD). `id` should not
    /// be a FHIR id (`$push`), so that no Subscription has it.
    pub fn follow(&self, id: &str, res_type: &str, criteria: &str) -> Result<(), FhirError> {
        self.write(Isolation::Rows, |conn| {
            diesel::delete(subscriptions::table.filter(subscriptions::res_id.eq(id)))
                .execute(conn)?;
            Ok(diesel::insert_into(subscriptions::table)
                .values((
                    subscriptions::res_id.eq(id),
                    subscriptions::criteria_type.eq(res_type),
                    subscriptions::criteria.eq(criteria),
                ))
                .execute(conn)?)
        })?;
        Ok(())
    }

    /// Stops [`follow`](Self::follow)ing for `id`, dropping its queue.
    pub fn unfollow(&self, id: &str) -> Result<(), FhirError> {
        self.write(Isolation::Rows, |conn| {
            diesel::delete(notifications::table.filter(notifications::subscription.eq(id)))
                .execute(conn)?;
            Ok(
                diesel::delete(subscriptions::table.filter(subscriptions::res_id.eq(id)))
                    .execute(conn)?,
            )
        })?;
        Ok(())
    }

    /// Up to `limit` notifications due at `now`, the longest waiting first: of each
    /// Subscription only the first in its queue (the others wait until it is delivered, so
    /// that a subscriber gets them in order, and a failing one is not tried for each).
    pub fn due_notifications(
        &self,
        now: Timestamp,
        limit: i64,
    ) -> Result<Vec<Notification>, FhirError> {
        self.read_with(|conn| {
            // Mostly nothing is due (an empty queue, or one whose subscriber is failing and
            // all of whose notifications wait): one look at the index by due says so.
            let any: Vec<i64> = notifications::table
                .filter(notifications::due.le(now.0))
                .select(notifications::pk)
                .limit(1)
                .load(conn)?;
            if any.is_empty() {
                return Ok(Vec::new());
            }
            let firsts: Vec<Option<i64>> = notifications::table
                .group_by(notifications::subscription)
                .select(diesel::dsl::min(notifications::pk))
                .load(conn)?;
            let firsts: Vec<i64> = firsts.into_iter().flatten().collect();
            Ok(notifications::table
                .filter(notifications::pk.eq_any(firsts))
                .filter(notifications::due.le(now.0))
                .order((notifications::due.asc(), notifications::pk.asc()))
                .limit(limit)
                .load(conn)?)
        })
    }

    /// The notifications queued for the Subscription `id`, in order.
    pub fn queued_notifications(&self, id: &str) -> Result<Vec<Notification>, FhirError> {
        self.read_with(|conn| {
            Ok(notifications::table
                .filter(notifications::subscription.eq(id))
                .order(notifications::pk.asc())
                .load(conn)?)
        })
    }

    /// Takes `notification` for one attempt, until `until` (when it is due again should
    /// the attempt never end, as when the process stops): `false` when another worker took
    /// it first, or it is gone.
    pub fn claim_notification(
        &self,
        notification: &Notification,
        until: Timestamp,
    ) -> Result<bool, FhirError> {
        let claimed = self.write(Isolation::Rows, |conn| {
            Ok(diesel::update(
                notifications::table
                    .filter(notifications::pk.eq(notification.pk))
                    .filter(notifications::due.eq(notification.due))
                    .filter(notifications::attempts.eq(notification.attempts)),
            )
            .set((
                notifications::due.eq(until.0),
                notifications::attempts.eq(notification.attempts + 1),
            ))
            .execute(conn)?)
        })?;
        Ok(claimed == 1)
    }

    /// Removes a delivered (or given up) notification from the queue.
    pub fn notification_done(&self, pk: i64) -> Result<(), FhirError> {
        self.write(Isolation::Rows, |conn| {
            Ok(
                diesel::delete(notifications::table.filter(notifications::pk.eq(pk)))
                    .execute(conn)?,
            )
        })?;
        Ok(())
    }

    /// Schedules a notification whose attempt failed, with the reason, for `due`; the
    /// notifications queued behind it wait as long (they are not delivered before it).
    pub fn notification_failed(
        &self,
        notification: &Notification,
        due: Timestamp,
        error: &str,
    ) -> Result<(), FhirError> {
        self.write(Isolation::Rows, |conn| {
            diesel::update(
                notifications::table
                    .filter(notifications::subscription.eq(&notification.subscription))
                    .filter(notifications::pk.gt(notification.pk))
                    .filter(notifications::due.lt(due.0)),
            )
            .set(notifications::due.eq(due.0))
            .execute(conn)?;
            Ok(
                diesel::update(notifications::table.filter(notifications::pk.eq(notification.pk)))
                    .set((
                        notifications::due.eq(due.0),
                        notifications::last_error.eq(error),
                    ))
                    .execute(conn)?,
            )
        })?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn may(query: &str, resource: &str) -> bool {
        let registry = zorgplan_search::Registry::r4();
        let (criteria, unknown) =
            Criteria::parse(registry, "CarePlan", &query_pairs(query)).unwrap();
        assert!(unknown.is_empty(), "{unknown:?}");
        may_match(&criteria, &resource.to_lowercase())
    }

    #[test]
    fn what_a_match_needs_in_the_text_passes_over_the_others() {
        let plan = r#"{"resourceType":"CarePlan","status":"active","subject":{"reference":"Patient/Mila-1"}}"#;
        assert!(may("subject=Patient/mila-1", plan));
        assert!(may("subject=Patient/Mila-1&status=active", plan));
        assert!(!may("subject=Patient/sem", plan));
        assert!(!may("status=draft", plan));
        assert!(may("status=draft,active", plan));
        // What the text cannot tell is left to the search.
        assert!(may("status:not=active", plan));
        assert!(may("date=ge2026-01-01", plan));
        assert!(may("_id=x", plan));
    }
}
