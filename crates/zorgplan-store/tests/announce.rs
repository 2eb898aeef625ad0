//! PostgreSQL: a write of each type the access policy reads (`listen::ANNOUNCED`) by one
//! store, and reindexing, is heard by every other store on the database (`Store::local_writes`
//! changes without asking the database); writes of other types are not announced. Runs when
//! `ZORGPLAN_TEST_POSTGRES_URL` is set, in a schema of its own.

use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};
use serde_json::json;
use std::time::{Duration, Instant};
use zorgplan_store::{Store, StoreConfig};

/// Waits up to five seconds for `store.local_writes(types)` to satisfy `done`.
fn until(store: &Store, types: &[&str], done: impl Fn(Option<u64>) -> bool) -> Option<u64> {
    let started = Instant::now();
    loop {
        let writes = store.local_writes(types);
        if done(writes) || started.elapsed() > Duration::from_secs(5) {
            return writes;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn load(store: &Store, resources: Vec<serde_json::Value>) {
    let prepared = store.prepare_load(resources).unwrap();
    store.load(&prepared).unwrap();
}

#[test]
fn other_stores_hear_of_announced_writes() {
    let Ok(base_url) = std::env::var("ZORGPLAN_TEST_POSTGRES_URL") else {
        eprintln!("ZORGPLAN_TEST_POSTGRES_URL is not set: the PostgreSQL run is skipped");
        return;
    };
    let schema = format!("za_{}", uuid::Uuid::new_v4().simple());
    let mut admin = PgConnection::establish(&base_url).unwrap();
    admin
        .batch_execute(&format!("CREATE SCHEMA {schema}"))
        .unwrap();
    let sep = if base_url.contains('?') { '&' } else { '?' };
    let url = format!("{base_url}{sep}options=-csearch_path%3D{schema}");
    {
        let hearing = Store::open(&StoreConfig::new(&url)).unwrap();
        let writing = Store::open(&StoreConfig::new(&url)).unwrap();
        // Goals are not announced: their writes cannot be counted.
        assert_eq!(hearing.local_writes(&["Goal"]), None);
        let before = until(&hearing, &["Consent"], |w| w.is_some());
        assert!(before.is_some(), "the listener never said it hears");
        let patients_before = until(&hearing, &["Patient"], |w| w.is_some());

        // Not announced: a Goal (its Patient is written first, and heard of).
        load(
            &writing,
            vec![json!({"resourceType": "Patient", "id": "kind"})],
        );
        let patients = until(&hearing, &["Patient"], |w| w != patients_before);
        assert_ne!(
            patients, patients_before,
            "the Patient's write was not heard"
        );
        load(
            &writing,
            vec![json!({"resourceType": "Goal", "id": "doel",
                "lifecycleStatus": "active", "description": {"text": "x"},
                "subject": {"reference": "Patient/kind"}})],
        );
        std::thread::sleep(Duration::from_millis(100));
        assert_eq!(hearing.local_writes(&["Consent"]), before);

        // Announced: a Consent.
        load(
            &writing,
            vec![json!({"resourceType": "Consent", "id": "toestemming",
                "status": "active",
                "scope": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/consentscope", "code": "patient-privacy"}]},
                "category": [{"coding": [{"system": "http://loinc.org", "code": "59284-0"}]}],
                "patient": {"reference": "Patient/kind"}})],
        );
        let after = until(&hearing, &["Consent"], |w| w.is_some() && w != before);
        assert!(
            after.is_some() && after != before,
            "the Consent's write was not heard: {before:?} → {after:?}"
        );

        // Reindexing writes no version, but is announced: it may change which resources
        // name a child.
        let reindexed = writing.reindex(100).unwrap();
        assert_eq!(reindexed, 3);
        let after_reindex = until(&hearing, &["Consent"], |w| w.is_some() && w != after);
        assert!(
            after_reindex.is_some() && after_reindex != after,
            "reindexing was not heard: {after:?} → {after_reindex:?}"
        );
        let after = after_reindex;

        // A listener whose connection is ended listens again, and counts what it may have
        // missed meanwhile as a change.
        admin
            .batch_execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                 WHERE application_name = 'zorgplan-listen' AND datname = current_database()",
            )
            .unwrap();
        let again = until(&hearing, &["Consent"], |w| w.is_some() && w != after);
        assert!(
            again.is_some() && again != after,
            "a lost listener connection went unnoticed: {after:?} → {again:?}"
        );

        // The other types the trigger names (the store's list is the same): each write is
        // heard.
        for resource in [
            json!({"resourceType": "CareTeam", "id": "netwerk",
                "subject": {"reference": "Patient/kind"}}),
            json!({"resourceType": "RelatedPerson", "id": "ouder",
                "patient": {"reference": "Patient/kind"}}),
            json!({"resourceType": "Organization", "id": "school"}),
            json!({"resourceType": "PractitionerRole", "id": "rol"}),
        ] {
            let res_type = resource["resourceType"].as_str().unwrap().to_owned();
            let before = until(&hearing, &[&res_type], |w| w.is_some());
            load(&writing, vec![resource]);
            let heard = until(&hearing, &[&res_type], |w| w.is_some() && w != before);
            assert!(
                heard.is_some() && heard != before,
                "a {res_type}'s write was not heard: {before:?} → {heard:?}"
            );
        }
    }
    admin
        .batch_execute(&format!("DROP SCHEMA {schema} CASCADE"))
        .unwrap();
}
