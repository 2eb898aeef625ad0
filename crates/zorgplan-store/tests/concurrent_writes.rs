//! Many writes at once, some of which fail: on SQLite the writes that queue behind each other
//! share one database transaction (group commit), and a failing one rolls that transaction
//! back — the others must be written all the same, the failing ones not at all, and every
//! write that returned success must be stored. On SQLite (a file of its own) and, when
//! `ZORGPLAN_TEST_POSTGRES_URL` is set, PostgreSQL.

use serde_json::json;
use zorgplan_store::{Store, StoreConfig};

const THREADS: usize = 12;
const WRITES: usize = 25;

fn check(store: &Store, tag: &str) {
    let outcomes: Vec<Vec<(String, bool)>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..THREADS)
            .map(|thread| {
                scope.spawn(move || {
                    (0..WRITES)
                        .map(|n| {
                            let id = format!("{tag}-{thread}-{n}");
                            let child = json!({"resourceType": "Patient", "id": id,
                                "gender": "female"});
                            // Every third write of a thread refers to a resource that does not
                            // exist: it fails, and nothing of it may be stored.
                            let fails = n % 3 == 1;
                            let subject = if fails {
                                format!("Patient/{tag}-nobody")
                            } else {
                                format!("Patient/{id}")
                            };
                            let goal = json!({"resourceType": "Goal", "id": id,
                                "lifecycleStatus": "active", "description": {"text": "x"},
                                "subject": {"reference": subject}});
                            let prepared = store.prepare_load(vec![child, goal]).unwrap();
                            let stored = store.load(&prepared);
                            assert_eq!(stored.is_err(), fails, "{id}: {stored:?}");
                            (id, !fails)
                        })
                        .collect()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for (id, stored) in outcomes.into_iter().flatten() {
        for res_type in ["Patient", "Goal"] {
            let found = store
                .read(res_type, &id)
                .unwrap()
                .is_some_and(|v| !v.deleted);
            assert_eq!(found, stored, "{res_type}/{id}");
        }
    }
}

#[test]
fn concurrent_writes_on_sqlite() {
    let dir = std::env::temp_dir().join(format!("zorgplan-concurrent-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = dir.join("store.db").display().to_string();
    let store = Store::open(&StoreConfig::new(&url)).unwrap();
    check(&store, "w");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn concurrent_writes_on_postgres() {
    let Ok(url) = std::env::var("ZORGPLAN_TEST_POSTGRES_URL") else {
        eprintln!("ZORGPLAN_TEST_POSTGRES_URL is not set: the PostgreSQL run is skipped");
        return;
    };
    let store = Store::open(&StoreConfig::new(&url)).unwrap();
    // Other runs share the database: ids of their own.
    let tag = format!("w{}", uuid::Uuid::new_v4().simple());
    check(&store, &tag);
}
