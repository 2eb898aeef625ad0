//! Search by every kind of parameter and modifier, table-driven: the same data and the same
//! expected results on SQLite and PostgreSQL (compared as sets of ids).

use crate::common::{Backend, Resp, TestServer};
use reqwest::Method;
use serde_json::{json, Value};
use std::collections::BTreeSet;

fn patient(id: &str, family: &str, given: &str, gender: &str, birth: &str) -> Value {
    json!({"resourceType": "Patient", "id": id,
        "text": {"status": "generated", "div": format!("<div xmlns=\"http://www.w3.org/1999/xhtml\">{given} {family}</div>")},
        "identifier": [{"system": "http://example.org/mrn", "value": format!("mrn-{id}")}],
        "name": [{"family": family, "given": [given]}],
        "gender": gender, "birthDate": birth,
        "address": [{"city": "Utrecht", "postalCode": "3511 AA"}]})
}

fn observation(id: &str, subject: &str, value: &str, unit: &str, when: &str) -> Value {
    let text = format!(
        r#"{{"resourceType": "Observation", "id": "{id}", "status": "final",
            "text": {{"status": "generated", "div": "<div xmlns=\"http://www.w3.org/1999/xhtml\">{id}</div>"}},
            "code": {{"coding": [{{"system": "http://loinc.org", "code": "29463-7", "display": "Body weight"}}], "text": "Gewicht"}},
            "subject": {{"reference": "{subject}"}},
            "effectiveDateTime": "{when}",
            "valueQuantity": {{"value": {value}, "unit": "{unit}", "system": "http://unitsofmeasure.org", "code": "{unit}"}}}}"#
    );
    serde_json::from_str(&text).unwrap()
}

async fn ids(server: &TestServer, query: &str) -> BTreeSet<String> {
    let resp = Resp::of(
        server
            .request(Method::GET, query)
            .header("Prefer", "handling=strict"),
    )
    .await;
    assert_eq!(resp.status, 200, "{query}: {}", resp.body);
    resp.json()["entry"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| e["resource"]["id"].as_str().unwrap().to_owned())
        .collect()
}

/// Each query of `table` finds exactly its ids.
async fn check(server: &TestServer, table: &[(&str, &[&str])]) {
    for (query, expected) in table {
        let found = ids(server, query).await;
        let expected: BTreeSet<String> = expected.iter().map(|s| s.to_string()).collect();
        assert_eq!(found, expected, "{query}");
    }
}

async fn every_parameter_type_and_modifier(backend: Backend) {
    let server = TestServer::start(backend).await;
    for p in [
        patient("zoe", "van den Berg", "Zoë", "female", "2015-03-01"),
        patient("daan", "Bergman", "Daan", "male", "2012-11-20"),
        patient("sem", "de Vries", "Sem", "male", "2015-03"),
        patient("lotte", "Jansen", "Lotte", "female", "1988"),
    ] {
        let path = format!("Patient/{}", p["id"].as_str().unwrap());
        assert_eq!(server.put(&path, &p).await.status, 201);
    }
    for o in [
        observation("w1", "Patient/zoe", "18.5", "kg", "2026-01-10T09:00:00Z"),
        observation("w2", "Patient/zoe", "19.0", "kg", "2026-06-10T09:00:00Z"),
        observation("w3", "Patient/daan", "31", "kg", "2025-12-31T23:30:00Z"),
        observation(
            "w4",
            "Patient/sem",
            "18500",
            "g",
            "2026-06-10T10:00:00+02:00",
        ),
    ] {
        let path = format!("Observation/{}", o["id"].as_str().unwrap());
        assert_eq!(server.put(&path, &o).await.status, 201);
    }

    let table: &[(&str, &[&str])] = &[
        // string: starts with, case- and accent-insensitive; :exact; :contains
        // (the whole value starts with the text: "van den Berg" does not start with "berg")
        ("Patient?family=berg", &["daan"]),
        ("Patient?family=BERG", &["daan"]),
        ("Patient?family=bergm", &["daan"]),
        ("Patient?family=van", &["zoe"]),
        ("Patient?name=zoe", &["zoe"]),
        ("Patient?given=ZOE", &["zoe"]),
        ("Patient?given:exact=Zoë", &["zoe"]),
        ("Patient?given:exact=zoë", &[]),
        ("Patient?family:contains=berg", &["zoe", "daan"]),
        ("Patient?address-city=utr", &["zoe", "daan", "sem", "lotte"]),
        ("Patient?name=jansen,de%20vries", &["lotte", "sem"]),
        // token: code, system|code, |code, system|, :not, :text
        ("Patient?gender=male", &["daan", "sem"]),
        ("Patient?gender:not=male", &["zoe", "lotte"]),
        (
            "Patient?identifier=http://example.org/mrn|mrn-zoe",
            &["zoe"],
        ),
        (
            "Patient?identifier=http://example.org/mrn|",
            &["zoe", "daan", "sem", "lotte"],
        ),
        ("Patient?identifier=|mrn-zoe", &[]),
        (
            "Observation?code=http://loinc.org|29463-7",
            &["w1", "w2", "w3", "w4"],
        ),
        ("Observation?code:text=gewicht", &["w1", "w2", "w3", "w4"]),
        ("Observation?code:text=body", &["w1", "w2", "w3", "w4"]),
        ("Observation?code:text=lengte", &[]),
        // date: precision ranges and prefixes
        ("Patient?birthdate=2015-03", &["zoe", "sem"]),
        ("Patient?birthdate=2015-03-01", &["zoe"]),
        ("Patient?birthdate=2015", &["zoe", "sem"]),
        ("Patient?birthdate=lt2013", &["daan", "lotte"]),
        ("Patient?birthdate=ge2015-03-01", &["zoe", "sem"]),
        ("Patient?birthdate=gt2015-03-01", &["sem"]),
        ("Patient?birthdate=sa2000&birthdate=eb2015", &["daan"]),
        ("Patient?birthdate=ne1988", &["zoe", "daan", "sem"]),
        ("Observation?date=2026-06-10", &["w2", "w4"]),
        (
            "Observation?date=ge2026-01-01T00:00:00Z",
            &["w1", "w2", "w4"],
        ),
        ("Observation?date=lt2026-01-01T00:00:00Z", &["w3"]),
        // reference: Type/id, id, :Type, chains of identity
        ("Observation?subject=Patient/zoe", &["w1", "w2"]),
        ("Observation?subject=zoe", &["w1", "w2"]),
        ("Observation?subject:Patient=daan", &["w3"]),
        ("Observation?patient=Patient/sem", &["w4"]),
        ("Observation?subject=Patient/nobody", &[]),
        // quantity and number: prefixes, precision, units
        ("Observation?value-quantity=18.5", &["w1"]),
        // "19" stands for [18.5, 19.5)
        ("Observation?value-quantity=19", &["w1", "w2"]),
        ("Observation?value-quantity=gt19", &["w3", "w4"]),
        (
            "Observation?value-quantity=lt30|http://unitsofmeasure.org|kg",
            &["w1", "w2"],
        ),
        ("Observation?value-quantity=18500||g", &["w4"]),
        ("Observation?value-quantity=ap20", &["w1", "w2"]),
        // uri and the common parameters
        ("Patient?_id=zoe,sem", &["zoe", "sem"]),
        (
            "Patient?_lastUpdated=gt2000-01-01",
            &["zoe", "daan", "sem", "lotte"],
        ),
        ("Patient?_lastUpdated=lt2000-01-01", &[]),
        ("Patient?gender:missing=true", &[]),
        // deceased is an expression with a boolean result: false when not deceased
        ("Patient?deceased=false", &["zoe", "daan", "sem", "lotte"]),
        ("Patient?deceased=true", &[]),
        ("Patient?general-practitioner:missing=false", &[]),
        // AND of repeated parameters, OR within one
        ("Patient?gender=female&birthdate=2015", &["zoe"]),
        (
            "Observation?subject=zoe,daan&value-quantity=gt18.9",
            &["w2", "w3"],
        ),
    ];
    check(&server, table).await;

    // The standard's own parameters: a care network by the role of its members.
    let team = json!({"resourceType": "CareTeam", "id": "netwerk", "status": "active",
        "text": {"status": "generated", "div": "<div xmlns=\"http://www.w3.org/1999/xhtml\">Zorgnetwerk</div>"},
        "subject": {"reference": "Patient/zoe"},
        "participant": [{"member": {"reference": "Patient/zoe"},
            "role": [{"coding": [{"system": "http://fhir.zorgplankindgezin.nl/CodeSystem/zorgplan-rol", "code": "kind"}]}]}]});
    let resp = server.put("CareTeam/netwerk", &team).await;
    assert_eq!(resp.status, 201, "{}", resp.body);
    assert_eq!(ids(&server, "CareTeam?rol=kind").await.len(), 1);
    assert_eq!(
        ids(
            &server,
            "CareTeam?rol=http://fhir.zorgplankindgezin.nl/CodeSystem/zorgplan-rol|zorgcoordinator"
        )
        .await,
        BTreeSet::new()
    );
    assert_eq!(
        ids(&server, "CareTeam?participant=Patient/zoe").await.len(),
        1
    );

    // Chains (several levels) and reverse chains.
    let chains: &[(&str, &[&str])] = &[
        ("Observation?subject:Patient.name=zoe", &["w1", "w2"]),
        ("Observation?patient.gender=male", &["w3", "w4"]),
        ("Observation?subject.birthdate=2015", &["w1", "w2", "w4"]),
        ("Observation?subject:Patient.organization.name=umc", &[]),
        (
            "Patient?_has:Observation:subject:value-quantity=gt19",
            &["daan", "sem"],
        ),
        (
            "Patient?_has:Observation:patient:code=http://loinc.org|29463-7",
            &["zoe", "daan", "sem"],
        ),
        (
            "Patient?_has:CareTeam:subject:rol=kind&gender=female",
            &["zoe"],
        ),
        ("CareTeam?participant:Patient.family=van", &["netwerk"]),
    ];
    check(&server, chains).await;

    // Composite parameters: the value must belong to the code it is paired with.
    let narrative = json!({"status": "generated",
        "div": "<div xmlns=\"http://www.w3.org/1999/xhtml\">Meting</div>"});
    let loinc = |code: &str| json!({"coding": [{"system": "http://loinc.org", "code": code}]});
    let mmhg = |value: u32| {
        json!({"value": value, "unit": "mmHg",
        "system": "http://unitsofmeasure.org", "code": "mm[Hg]"})
    };
    let blood_pressure = |id: &str, systolic: u32, diastolic: u32| {
        json!({"resourceType": "Observation", "id": id, "status": "final", "text": narrative,
            "code": loinc("85354-9"), "subject": {"reference": "Patient/lotte"},
            "component": [
                {"code": loinc("8480-6"), "valueQuantity": mmhg(systolic)},
                {"code": loinc("8462-4"), "valueQuantity": mmhg(diastolic)}]})
    };
    for o in [
        blood_pressure("bp1", 120, 80),
        blood_pressure("bp2", 145, 95),
        json!({"resourceType": "Observation", "id": "c1", "status": "final", "text": narrative,
            "code": loinc("72166-2"), "subject": {"reference": "Patient/lotte"},
            "valueCodeableConcept": {"coding": [{"system": "http://snomed.info/sct", "code": "266919005"}]}}),
        json!({"resourceType": "Observation", "id": "s1", "status": "final", "text": narrative,
            "code": loinc("8251-1"), "subject": {"reference": "Patient/sem"},
            "valueString": "Slaapt slecht"}),
    ] {
        let path = format!("Observation/{}", o["id"].as_str().unwrap());
        let resp = server.put(&path, &o).await;
        assert_eq!(resp.status, 201, "{}", resp.body);
    }
    let composites: &[(&str, &[&str])] = &[
        (
            "Observation?component-code-value-quantity=http://loinc.org|8480-6$gt130",
            &["bp2"],
        ),
        (
            "Observation?component-code-value-quantity=8480-6$lt130",
            &["bp1"],
        ),
        // bp2 has a value above 130 (its systolic one), but not its diastolic one
        (
            "Observation?component-code-value-quantity=8462-4$gt130",
            &[],
        ),
        (
            "Observation?component-code-value-quantity=http://loinc.org|8462-4$ge80|http://unitsofmeasure.org|mm[Hg]",
            &["bp1", "bp2"],
        ),
        (
            "Observation?combo-code-value-quantity=8462-4$90,http://loinc.org|29463-7$gt30|http://unitsofmeasure.org|kg",
            &["w3"],
        ),
        ("Observation?combo-code-value-quantity=8462-4$95", &["bp2"]),
        ("Observation?code-value-quantity=29463-7$19", &["w1", "w2"]),
        (
            "Observation?code-value-quantity=29463-7$lt19,http://loinc.org|29463-7$gt30",
            &["w1", "w3", "w4"],
        ),
        ("Observation?code-value-quantity=|29463-7$gt0", &[]),
        (
            "Observation?code-value-quantity=http://loinc.org|$gt30",
            &["w3", "w4"],
        ),
        ("Observation?code-value-quantity=85354-9$gt0", &[]),
        (
            "Observation?code-value-concept=http://loinc.org|72166-2$http://snomed.info/sct|266919005",
            &["c1"],
        ),
        ("Observation?code-value-concept=72166-2$77176002", &[]),
        ("Observation?code-value-string=8251-1$slaapt", &["s1"]),
        ("Observation?code-value-string=72166-2$slaapt", &[]),
        (
            "Observation?code-value-quantity=29463-7$gt1&subject=zoe",
            &["w1", "w2"],
        ),
    ];
    check(&server, composites).await;
    for (query, status) in [
        ("Observation?code-value-quantity=29463-7", 400),
        ("Observation?code-value-quantity=29463-7$gt1$2", 400),
        ("Observation?code-value-quantity=29463-7$kg", 400),
        ("Observation?code-value-quantity:missing=true", 400),
    ] {
        let resp = Resp::of(
            server
                .request(Method::GET, query)
                .header("Prefer", "handling=strict"),
        )
        .await;
        assert_eq!(resp.status, status, "{query}: {}", resp.body);
        assert_eq!(resp.json()["resourceType"], "OperationOutcome", "{query}");
    }
    // A deleted resource leaves the composite index with the rest of its rows.
    for id in ["bp1", "bp2", "c1", "s1"] {
        assert_eq!(
            server.delete(&format!("Observation/{id}")).await.status,
            204
        );
    }
    assert!(
        ids(&server, "Observation?combo-code-value-quantity=8462-4$95")
            .await
            .is_empty()
    );

    // _include and _revinclude, with :iterate: entries marked as included.
    let modes = |bundle: Value| -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = bundle["entry"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|e| {
                (
                    e["resource"]["id"].as_str().unwrap().to_owned(),
                    e["search"]["mode"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        out.sort();
        out
    };
    let pair = |id: &str, mode: &str| (id.to_owned(), mode.to_owned());
    let get = |query: &'static str| {
        let server = &server;
        async move {
            let resp = Resp::of(
                server
                    .request(Method::GET, query)
                    .header("Prefer", "handling=strict"),
            )
            .await;
            assert_eq!(resp.status, 200, "{query}: {}", resp.body);
            resp.json()
        }
    };
    assert_eq!(
        modes(get("Observation?_id=w1&_include=Observation:subject").await),
        [pair("w1", "match"), pair("zoe", "include")]
    );
    assert_eq!(
        modes(get("Patient?_id=zoe&_revinclude=Observation:subject").await),
        [
            pair("w1", "include"),
            pair("w2", "include"),
            pair("zoe", "match")
        ]
    );
    assert_eq!(
        modes(get("Observation?_id=w1&_include=Observation:subject&_revinclude:iterate=CareTeam:subject").await),
        [pair("netwerk", "include"), pair("w1", "match"), pair("zoe", "include")]
    );
    assert_eq!(
        modes(
            get("Observation?_id=w1&_include=Observation:subject&_revinclude=CareTeam:subject")
                .await
        ),
        [pair("w1", "match"), pair("zoe", "include")],
        "without :iterate, nothing is included from included resources"
    );
    let bundle = get("Observation?_id=w1&_include=Observation:subject").await;
    let self_link = crate::common::link(&bundle, "self").unwrap();
    assert!(self_link.contains("_include=Observation"), "{self_link}");
    server
        .get("Observation?_include=Observation:nonsense")
        .await
        .outcome(400);

    // _summary, _elements, _total.
    let count = get("Patient?_summary=count").await;
    assert_eq!(count["total"], 4);
    assert!(count.get("entry").is_none());
    let paged = get("Patient?gender=male&_total=accurate&_count=1").await;
    assert_eq!(paged["total"], 2);
    assert_eq!(paged["entry"].as_array().unwrap().len(), 1);
    assert!(crate::common::link(&paged, "next")
        .unwrap()
        .contains("_total=accurate"));
    assert!(get("Patient?_total=none").await.get("total").is_none());
    let cut = get("Patient?_id=zoe&_elements=gender").await;
    let zoe = &cut["entry"][0]["resource"];
    assert_eq!(zoe["gender"], "female");
    assert!(zoe.get("name").is_none() && zoe.get("birthDate").is_none());
    assert_eq!(zoe["meta"]["tag"][0]["code"], "SUBSETTED");
    let summary = get("Patient?_id=zoe&_summary=true").await;
    let zoe = &summary["entry"][0]["resource"];
    assert!(
        zoe.get("name").is_some() && zoe.get("text").is_none(),
        "{zoe}"
    );
    let whole = get("Patient?_id=zoe").await;
    assert!(whole["entry"][0]["resource"]["meta"].get("tag").is_none());
    for query in ["Patient?_summary=maybe", "Patient?_total=all"] {
        server.get(query).await.outcome(400);
    }

    // The Patient compartment.
    for (query, expected) in [
        ("Patient/zoe/Observation", &["w1", "w2"][..]),
        ("Patient/zoe/Observation?value-quantity=gt18.6", &["w2"]),
        ("Patient/zoe/CareTeam", &["netwerk"]),
        ("Patient/zoe/Patient", &["zoe"]),
        ("Patient/nobody/Observation", &[]),
    ] {
        let found = ids(&server, query).await;
        let expected: BTreeSet<String> = expected.iter().map(|s| s.to_string()).collect();
        assert_eq!(found, expected, "{query}");
    }
    let bundle = get("Patient/zoe/Observation?_count=1").await;
    assert!(crate::common::link(&bundle, "next")
        .unwrap()
        .contains("/Patient/zoe/Observation?"));
    server.get("Patient/zoe/Organization").await.outcome(400);

    // $everything: the patient and its compartment, paged across types.
    let everything: BTreeSet<String> = ["zoe", "w1", "w2", "netwerk"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(ids(&server, "Patient/zoe/$everything").await, everything);
    assert_eq!(
        ids(&server, "Patient/zoe/$everything?_type=Observation")
            .await
            .len(),
        2
    );
    assert!(ids(&server, "Patient/zoe/$everything?_since=2999-01-01")
        .await
        .is_empty());
    let mut paged = BTreeSet::new();
    let mut next = Some("Patient/zoe/$everything?_count=2".to_owned());
    let mut pages = 0;
    while let Some(path) = next {
        let bundle = server.get(&path).await.json();
        assert!(bundle["entry"].as_array().map_or(0, Vec::len) <= 2);
        paged.extend(
            bundle["entry"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|e| e["resource"]["id"].as_str().unwrap().to_owned()),
        );
        next = crate::common::link(&bundle, "next")
            .map(|l| l.split_once("/Patient/").unwrap().1.to_owned())
            .map(|l| format!("Patient/{l}"));
        pages += 1;
        assert!(pages < 10);
    }
    assert_eq!(paged, everything);
    assert!(pages >= 2);
    server.get("Patient/nobody/$everything").await.outcome(404);
    server
        .get("Patient/zoe/$everything?_type=Organization")
        .await
        .outcome(400);

    // Paging both ways: next and previous links in storage order.
    let ordered = |bundle: &Value| -> Vec<String> {
        bundle["entry"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|e| e["resource"]["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let relative = |bundle: &Value, relation: &str| {
        crate::common::link(bundle, relation).map(|l| {
            let (_, rest) = l.split_once("/Patient?").unwrap();
            format!("Patient?{rest}")
        })
    };
    let first_page = server.get("Patient?_count=2").await.json();
    assert_eq!(ordered(&first_page), ["zoe", "daan"]);
    assert!(relative(&first_page, "previous").is_none());
    let second_page = server
        .get(&relative(&first_page, "next").unwrap())
        .await
        .json();
    assert_eq!(ordered(&second_page), ["sem", "lotte"]);
    assert!(relative(&second_page, "next").is_none());
    let back = server
        .get(&relative(&second_page, "previous").unwrap())
        .await
        .json();
    assert_eq!(ordered(&back), ["zoe", "daan"]);
    assert!(relative(&back, "previous").is_none());
    assert_eq!(relative(&back, "next"), relative(&first_page, "next"));
    server.get("Patient?__before=x").await.outcome(400);
    server
        .get("Patient?__before=1&__cursor=1")
        .await
        .outcome(400);
    // Both ways, in storage order, sorted and across the types of $everything.
    let pages = |list: &[&[&str]]| -> Vec<Vec<String>> {
        list.iter()
            .map(|p| p.iter().map(|s| s.to_string()).collect())
            .collect()
    };
    for (query, expected) in [
        (
            "Patient?_count=1",
            pages(&[&["zoe"], &["daan"], &["sem"], &["lotte"]]),
        ),
        (
            "Patient?_sort=-birthdate&_count=3",
            pages(&[&["sem", "zoe", "daan"], &["lotte"]]),
        ),
        (
            "Patient?_sort=gender,-birthdate&_count=1",
            pages(&[&["zoe"], &["lotte"], &["sem"], &["daan"]]),
        ),
        (
            "Patient?_sort=family&_count=2",
            pages(&[&["daan", "sem"], &["lotte", "zoe"]]),
        ),
        (
            "Patient/zoe/$everything?_count=1",
            pages(&[&["zoe"], &["netwerk"], &["w1"], &["w2"]]),
        ),
        (
            "Patient/zoe/$everything?_count=3",
            pages(&[&["zoe", "netwerk", "w1"], &["w2"]]),
        ),
        (
            "Patient/zoe/$everything?_count=2&_type=Observation,Patient",
            pages(&[&["zoe", "w1"], &["w2"]]),
        ),
    ] {
        assert_eq!(server.pages_both_ways(query).await, expected, "{query}");
    }
    server
        .get("Patient/zoe/$everything?__before=Nonsense:1")
        .await
        .outcome(400);
    // When fewer than a page precede the cursor (deleted since), previous is the first page.
    for id in ["t1", "t2", "t3"] {
        let mut p = patient(id, "Tijdelijk", id, "other", "2020-01-01");
        p["id"] = json!(id);
        assert_eq!(server.put(&format!("Patient/{id}"), &p).await.status, 201);
    }
    for query in [
        "Patient?family=tijdelijk&_count=2",
        "Patient?family=tijdelijk&_count=2&_sort=given",
    ] {
        let first = server.get(query).await.json();
        let second = server.get(&relative(&first, "next").unwrap()).await.json();
        assert_eq!(ordered(&second), ["t3"], "{query}");
        assert_eq!(server.delete("Patient/t1").await.status, 204);
        let back = server
            .get(&relative(&second, "previous").unwrap())
            .await
            .json();
        assert_eq!(ordered(&back), ["t2", "t3"], "{query}");
        assert!(crate::common::link(&back, "previous").is_none(), "{query}");
        let mut t1 = patient("t1", "Tijdelijk", "t1", "other", "2020-01-01");
        t1["id"] = json!("t1");
        assert_eq!(server.put("Patient/t1", &t1).await.status, 201);
    }
    for id in ["t1", "t2", "t3"] {
        assert_eq!(server.delete(&format!("Patient/{id}")).await.status, 204);
    }

    // _sort: several keys, descending, missing values last, stable paging.
    for (query, expected) in [
        ("Patient?_sort=birthdate", ["lotte", "daan", "zoe", "sem"]),
        ("Patient?_sort=-birthdate", ["sem", "zoe", "daan", "lotte"]),
        ("Patient?_sort=family", ["daan", "sem", "lotte", "zoe"]),
        (
            "Patient?_sort=gender,-birthdate",
            ["zoe", "lotte", "sem", "daan"],
        ),
        (
            "Observation?_sort=-value-quantity&_count=10",
            ["w4", "w3", "w2", "w1"],
        ),
    ] {
        assert_eq!(ordered(&get(query).await), expected, "{query}");
    }
    let first = get("Patient?_sort=-birthdate&_count=3").await;
    assert_eq!(ordered(&first), ["sem", "zoe", "daan"]);
    let next = crate::common::link(&first, "next").unwrap();
    let next = next.split_once("/Patient").unwrap().1.to_owned();
    // A resource that sorts before the cursor, created between the pages, does not shift them.
    let mut newcomer = patient("jan", "Smit", "Jan", "male", "2020-01-01");
    newcomer["id"] = json!("jan");
    assert_eq!(server.put("Patient/jan", &newcomer).await.status, 201);
    let second = server.get(&format!("Patient{next}")).await.json();
    assert_eq!(ordered(&second), ["lotte"]);
    assert!(crate::common::link(&second, "next").is_none());
    server.get("Patient?_sort=nonsense").await.outcome(400);
    server
        .get("Patient?_sort=birthdate&__cursor=%5B1%5D")
        .await
        .outcome(400);
    assert_eq!(server.delete("Patient/jan").await.status, 204);

    // The index follows updates and deletes.
    let mut renamed = patient("daan", "Bakker", "Daan", "male", "2012-11-20");
    renamed["id"] = json!("daan");
    assert_eq!(server.put("Patient/daan", &renamed).await.status, 200);
    assert_eq!(
        ids(&server, "Patient?family=bergman").await,
        BTreeSet::new()
    );
    assert_eq!(ids(&server, "Patient?family=bakker").await.len(), 1);
    assert_eq!(server.delete("Observation/w1").await.status, 204);
    assert_eq!(ids(&server, "Observation?subject=zoe").await.len(), 1);

    // :of-type on identifiers and :identifier on logical references.
    let kees = json!({"resourceType": "Patient", "id": "kees",
        "identifier": [{"type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "MR"}]},
                        "system": "http://example.org/mrn", "value": "mr-1"}]});
    assert_eq!(server.put("Patient/kees", &kees).await.status, 201);
    let logical = json!({"resourceType": "Observation", "id": "logical", "status": "final",
        "code": {"text": "x"},
        "subject": {"identifier": {"system": "http://fhir.nl/fhir/NamingSystem/bsn", "value": "999911120"}}});
    assert_eq!(
        server.put("Observation/logical", &logical).await.status,
        201
    );
    let expect =
        |list: &[&str]| -> BTreeSet<String> { list.iter().map(|s| s.to_string()).collect() };
    assert_eq!(
        ids(
            &server,
            "Patient?identifier:of-type=http://terminology.hl7.org/CodeSystem/v2-0203|MR|mr-1"
        )
        .await,
        expect(&["kees"])
    );
    assert_eq!(
        ids(
            &server,
            "Patient?identifier:of-type=http://terminology.hl7.org/CodeSystem/v2-0203|MR|mr-2"
        )
        .await,
        expect(&[])
    );
    assert_eq!(
        ids(
            &server,
            "Observation?subject:identifier=http://fhir.nl/fhir/NamingSystem/bsn|999911120"
        )
        .await,
        expect(&["logical"])
    );
    server
        .get("Patient?identifier:of-type=MR|mr-1")
        .await
        .outcome(400);

    // Values the server cannot read are a 400.
    for query in [
        "Patient?birthdate=yesterday",
        "Observation?value-quantity=heavy",
        "Patient?gender:missing=maybe",
    ] {
        server.get(query).await.outcome(400);
    }
}

crate::backend_tests!(every_parameter_type_and_modifier);
