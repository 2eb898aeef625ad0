//! History at instance, type and system level, newest first, paged by a cursor so that
//! pages stay correct while new versions are written.

use crate::crud::{current, Row, ROW_COLUMNS};
use crate::db::Db;
use crate::schema::resource_versions;
use crate::time::Timestamp;
use crate::{Store, Version};
use diesel::prelude::*;
use zorgplan_fhir::FhirError;

/// Whose history.
#[derive(Debug, Clone, Copy)]
pub enum HistoryScope<'a> {
    Instance { res_type: &'a str, id: &'a str },
    Type(&'a str),
    System,
}

/// Where a page continues: after the version (`last_updated`, `pk`) last shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HistoryCursor {
    pub last_updated: i64,
    pub pk: i64,
}

impl HistoryCursor {
    /// The cursor's text form, as it appears in a paging link.
    pub fn encode(self) -> String {
        format!("{}-{}", self.last_updated, self.pk)
    }

    pub fn decode(s: &str) -> Option<HistoryCursor> {
        let (t, pk) = s.split_once('-')?;
        Some(HistoryCursor {
            last_updated: t.parse().ok()?,
            pk: pk.parse().ok()?,
        })
    }
}

/// What to list.
#[derive(Debug, Clone, Copy)]
pub struct HistoryQuery {
    /// Only versions written at or after this instant (`_since`).
    pub since: Option<Timestamp>,
    /// Continue after this version.
    pub cursor: Option<HistoryCursor>,
    /// Versions per page.
    pub count: usize,
}

/// One page of history.
#[derive(Debug)]
pub struct HistoryPage {
    pub versions: Vec<Version>,
    pub next: Option<HistoryCursor>,
}

impl Store {
    /// A page of versions, newest first. `Ok(None)` for the history of an instance that
    /// never existed.
    pub fn history(
        &self,
        scope: HistoryScope<'_>,
        query: HistoryQuery,
    ) -> Result<Option<HistoryPage>, FhirError> {
        self.read_with(|conn| {
            let mut q = resource_versions::table
                .select((resource_versions::pk, ROW_COLUMNS))
                .into_boxed::<Db>();
            match scope {
                HistoryScope::Instance { res_type, id } => match current(conn, res_type, id)? {
                    Some(c) => q = q.filter(resource_versions::res_pk.eq(c.pk)),
                    None => return Ok(None),
                },
                HistoryScope::Type(res_type) => {
                    q = q.filter(resource_versions::res_type.eq(res_type.to_owned()))
                }
                HistoryScope::System => {}
            }
            if let Some(since) = query.since {
                q = q.filter(resource_versions::last_updated.ge(since.0));
            }
            if let Some(values) = crate::db::planned_with_values(conn) {
                q = q.filter(values);
            }
            if let Some(c) = query.cursor {
                q = q.filter(
                    resource_versions::last_updated.lt(c.last_updated).or(
                        resource_versions::last_updated
                            .eq(c.last_updated)
                            .and(resource_versions::pk.lt(c.pk)),
                    ),
                );
            }
            let mut rows: Vec<(i64, Row)> = q
                .order((
                    resource_versions::last_updated.desc(),
                    resource_versions::pk.desc(),
                ))
                .limit(query.count as i64 + 1)
                .load(conn)?;
            let next = if rows.len() > query.count {
                rows.truncate(query.count);
                rows.last().map(|(pk, row)| HistoryCursor {
                    last_updated: row.last_updated,
                    pk: *pk,
                })
            } else {
                None
            };
            Ok(Some(HistoryPage {
                versions: rows
                    .into_iter()
                    .map(|(_, row)| row.into_version())
                    .collect(),
                next,
            }))
        })
    }
}
