//! `Store::reindex`: resources stored under one set of search parameters become searchable
//! by parameters added later (on SQLite, in a file of its own).

use serde_json::json;
use zorgplan_search::Registry;
use zorgplan_store::{Criteria, PageAt, Store, StoreConfig};

#[test]
fn reindexing_applies_new_parameters_to_stored_resources() {
    let dir = std::env::temp_dir().join(format!("zorgplan-reindex-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = dir.join("store.db").display().to_string();

    let before = Store::open(&StoreConfig::new(&url)).unwrap();
    for (id, nickname) in [("a", "Zus"), ("b", "Broer")] {
        let patient = json!({"resourceType": "Patient", "id": id,
            "extension": [{"url": "http://example.org/nickname", "valueString": nickname}]});
        before.update("Patient", id, &patient, None).unwrap();
    }
    drop(before);

    let registry: &'static Registry = Box::leak(Box::new(Registry::with(&[json!({
        "resourceType": "SearchParameter", "url": "http://example.org/sp", "code": "nickname",
        "base": ["Patient"], "type": "string",
        "expression": "Patient.extension('http://example.org/nickname').value"})])));
    let mut config = StoreConfig::new(&url);
    config.search_parameters = registry;
    let after = Store::open(&config).unwrap();
    let query = vec![("nickname".to_owned(), "zus".to_owned())];
    let (criteria, unknown) = Criteria::parse(registry, "Patient", &query).unwrap();
    assert!(unknown.is_empty());
    assert!(after
        .search("Patient", &criteria, 10, &PageAt::First)
        .unwrap()
        .matches
        .is_empty());

    assert_eq!(after.reindex(1).unwrap(), 2);
    let found = after
        .search("Patient", &criteria, 10, &PageAt::First)
        .unwrap()
        .matches;
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].id, "a");
    // Indexing again changes nothing.
    assert_eq!(after.reindex(500).unwrap(), 2);
    assert_eq!(
        after
            .search("Patient", &criteria, 10, &PageAt::First)
            .unwrap()
            .matches
            .len(),
        1
    );
    drop(after);
    let _ = std::fs::remove_dir_all(&dir);
}
