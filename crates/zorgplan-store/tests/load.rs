//! `Store::load`: a batch of resources with their ids, written in one transaction, may refer
//! to each other in cycles; a dangling reference fails the whole batch, nothing is stored.
//! On SQLite (a file of its own) and, when `ZORGPLAN_TEST_POSTGRES_URL` is set, PostgreSQL.

use serde_json::json;
use zorgplan_store::{Criteria, PageAt, Store, StoreConfig};

fn check(store: &Store) {
    let plan = json!({"resourceType": "CarePlan", "id": "p", "status": "active", "intent": "plan",
        "subject": {"reference": "Patient/k"}, "activity": [{"reference": {"reference": "Task/t"}}]});
    let task = json!({"resourceType": "Task", "id": "t", "status": "ready", "intent": "order",
        "basedOn": [{"reference": "CarePlan/p"}], "for": {"reference": "Patient/k"}});
    let child = json!({"resourceType": "Patient", "id": "k", "gender": "female"});

    // A dangling reference: nothing of the batch is stored.
    let dangling = json!({"resourceType": "Goal", "id": "g", "lifecycleStatus": "active",
        "description": {"text": "x"}, "subject": {"reference": "Patient/nobody"}});
    let batch = vec![child.clone(), dangling];
    let error = store.load(&store.prepare_load(batch).unwrap()).unwrap_err();
    assert!(error.to_string().contains("Patient/nobody"), "{error}");
    assert!(store
        .read("Patient", "k")
        .unwrap()
        .is_none_or(|v| v.deleted));

    // A cycle (plan ↔ task) in one batch; searchable right away.
    let prepared = store.prepare_load(vec![plan.clone(), task, child]).unwrap();
    assert_eq!(prepared.len(), 3);
    assert_eq!(store.load(&prepared).unwrap(), 3);
    let query = vec![("patient".to_owned(), "Patient/k".to_owned())];
    let (criteria, _) = Criteria::parse(store.search_parameters(), "CarePlan", &query).unwrap();
    let page = store
        .search("CarePlan", &criteria, 10, &PageAt::First)
        .unwrap();
    assert_eq!(page.matches.len(), 1);
    // Loading again writes new versions of the same resources.
    let before = store.read("CarePlan", "p").unwrap().unwrap().version;
    assert_eq!(
        store
            .load(&store.prepare_load(vec![plan]).unwrap())
            .unwrap(),
        1
    );
    assert_eq!(
        store.read("CarePlan", "p").unwrap().unwrap().version,
        before + 1
    );
    // A resource without an id cannot be loaded.
    assert!(store
        .prepare_load(vec![json!({"resourceType": "Patient"})])
        .is_err());
}

#[test]
fn loads_batches_on_sqlite() {
    let dir = std::env::temp_dir().join(format!("zorgplan-load-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = dir.join("store.db").display().to_string();
    check(&Store::open(&StoreConfig::new(&url)).unwrap());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn loads_batches_on_postgres() {
    let Ok(url) = std::env::var("ZORGPLAN_TEST_POSTGRES_URL") else {
        eprintln!("ZORGPLAN_TEST_POSTGRES_URL is not set: the PostgreSQL run is skipped");
        return;
    };
    let store = Store::open(&StoreConfig::new(&url)).unwrap();
    // Other tests share the database: start from none of these resources.
    for (t, id) in [("CarePlan", "p"), ("Task", "t"), ("Patient", "k")] {
        store.delete(t, id, None).unwrap();
    }
    check(&store);
}
