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
            .load(&store.prepare_load(vec![plan.clone()]).unwrap())
            .unwrap(),
        1
    );
    assert_eq!(
        store.read("CarePlan", "p").unwrap().unwrap().version,
        before + 1
    );
    // The same resource twice in one batch: refused, nothing stored.
    let twice = vec![plan_with_status(&plan, "completed"), plan];
    let error = store.load(&store.prepare_load(twice).unwrap()).unwrap_err();
    assert!(error.to_string().contains("CarePlan/p"), "{error}");
    assert_eq!(
        store.read("CarePlan", "p").unwrap().unwrap().version,
        before + 1
    );
    // A resource without an id cannot be loaded.
    assert!(store
        .prepare_load(vec![json!({"resourceType": "Patient"})])
        .is_err());
}

fn plan_with_status(plan: &serde_json::Value, status: &str) -> serde_json::Value {
    let mut plan = plan.clone();
    plan["status"] = json!(status);
    plan
}

/// More resources and index rows than one INSERT takes, new and existing ones mixed: every
/// resource stored once, its old index rows replaced.
fn check_large_batch(store: &Store) {
    let system = "urn:zorgplan:load-test";
    let patient = |i: usize, gender: &str| {
        json!({"resourceType": "Patient", "id": format!("load-{i}"), "gender": gender,
            "identifier": [{"system": system, "value": format!("v{i}")}]})
    };
    let count = |query: &[(&str, String)]| {
        let query: Vec<_> = query
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect();
        let (criteria, _) = Criteria::parse(store.search_parameters(), "Patient", &query).unwrap();
        store.count("Patient", &criteria).unwrap()
    };
    let first: Vec<_> = (0..1200).map(|i| patient(i, "male")).collect();
    assert_eq!(
        store.load(&store.prepare_load(first).unwrap()).unwrap(),
        1200
    );
    // 1,200 of them again, changed, and 100 new ones, in one batch.
    let second: Vec<_> = (0..1300).map(|i| patient(i, "female")).collect();
    assert_eq!(
        store.load(&store.prepare_load(second).unwrap()).unwrap(),
        1300
    );
    let of_system = ("identifier", format!("{system}|"));
    assert_eq!(count(std::slice::from_ref(&of_system)), 1300);
    assert_eq!(count(&[of_system.clone(), ("gender", "male".into())]), 0);
    assert_eq!(count(&[of_system, ("gender", "female".into())]), 1300);
    assert_eq!(count(&[("identifier", format!("{system}|v1250"))]), 1);
    // A search starting from several values: few resources (looked up value by value) and
    // more than that lookup takes (asked as one query).
    let some = format!("{system}|v1,{system}|v2,{system}|v1299,{system}|none");
    assert_eq!(count(&[("identifier", some)]), 3);
    let genders = ("gender", "male,female,other".to_owned());
    assert_eq!(
        count(&[genders, ("identifier", format!("{system}|"))]),
        1300
    );
    assert_eq!(count(&[("_id", "load-7".into())]), 1);
    let seventh = store.read("Patient", "load-7").unwrap().unwrap();
    assert!(seventh.version >= 2, "{seventh:?}");
    assert!(seventh.content.unwrap().contains("female"));
}

/// A batch whose rows fill every index table past what a few resources give (on PostgreSQL,
/// columns as arrays rather than a `VALUES` list): every value of every kind is found.
fn check_every_index_table(store: &Store) {
    const SYSTEM: &str = "urn:zorgplan:rows-test";
    const N: usize = 150;
    let mut batch = Vec::new();
    for i in 0..N {
        batch.push(
            json!({"resourceType": "Patient", "id": format!("rows-p{i}"),
            "name": [{"family": format!("Zqrows{i:03}")}]}),
        );
        batch.push(json!({"resourceType": "Observation", "id": format!("rows-o{i}"),
            "status": "final", "code": {"coding": [{"system": SYSTEM, "code": "c"}]},
            "subject": {"reference": format!("Patient/rows-p{i}")},
            "effectiveDateTime": format!("2026-{:02}-{:02}", 1 + i / 28, 1 + i % 28),
            "valueQuantity": {"value": i, "unit": "kg", "system": "http://unitsofmeasure.org", "code": "kg"}}));
        batch.push(
            json!({"resourceType": "RiskAssessment", "id": format!("rows-r{i}"),
            "status": "final", "subject": {"reference": format!("Patient/rows-p{i}")},
            "prediction": [{"probabilityDecimal": (i + 1) as f64 / 1000.0}]}),
        );
        batch.push(
            json!({"resourceType": "ValueSet", "id": format!("rows-v{i}"),
            "status": "active", "url": format!("{SYSTEM}:vs:{i}")}),
        );
    }
    assert_eq!(
        store.load(&store.prepare_load(batch).unwrap()).unwrap(),
        4 * N
    );
    let count = |res_type: &str, query: &[(&str, &str)]| {
        let query: Vec<_> = query
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let (criteria, _) = Criteria::parse(store.search_parameters(), res_type, &query).unwrap();
        store.count(res_type, &criteria).unwrap()
    };
    let code = ("code", "urn:zorgplan:rows-test|c");
    // Tokens, references, dates and quantities.
    assert_eq!(count("Observation", &[code]), N);
    assert_eq!(count("Observation", &[("subject", "Patient/rows-p149")]), 1);
    assert_eq!(
        count("RiskAssessment", &[("subject", "Patient/rows-p0")]),
        1
    );
    assert_eq!(count("Observation", &[code, ("date", "lt2026-02-01")]), 28);
    assert_eq!(
        count("Observation", &[code, ("value-quantity", "ge100")]),
        50
    );
    // Strings, numbers and uris.
    assert_eq!(count("Patient", &[("family", "zqrows")]), N);
    assert_eq!(count("Patient", &[("family", "Zqrows077")]), 1);
    for probability in ["0.001", "0.075", "0.150"] {
        assert_eq!(
            count("RiskAssessment", &[("probability", probability)]),
            1,
            "{probability}"
        );
    }
    for i in [0, 77, N - 1] {
        let url = format!("{SYSTEM}:vs:{i}");
        assert_eq!(count("ValueSet", &[("url", &url)]), 1, "{url}");
    }
}

#[test]
fn loads_batches_on_sqlite() {
    let dir = std::env::temp_dir().join(format!("zorgplan-load-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = dir.join("store.db").display().to_string();
    let store = Store::open(&StoreConfig::new(&url)).unwrap();
    check(&store);
    check_large_batch(&store);
    check_every_index_table(&store);
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
    check_large_batch(&store);
    check_every_index_table(&store);
}
