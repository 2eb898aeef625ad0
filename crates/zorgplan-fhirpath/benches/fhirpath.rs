//! Evaluation speed of R4 core invariants on a Patient and an Observation, as the server runs
//! them on every write; and the cost of parsing one. `cargo bench -p zorgplan-fhirpath`.

use criterion::{criterion_group, criterion_main, Criterion};
use serde_json::{json, Value};
use std::hint::black_box;
use zorgplan_fhir::definitions::Definitions;
use zorgplan_fhirpath::{Context, Expr, Item, Node};

fn patient() -> Value {
    json!({
        "resourceType": "Patient",
        "id": "p1",
        "meta": {"profile": ["http://nictiz.nl/fhir/StructureDefinition/nl-core-Patient"]},
        "text": {"status": "generated", "div": "<div xmlns=\"http://www.w3.org/1999/xhtml\">An Peeters</div>"},
        "identifier": [{"system": "http://fhir.nl/fhir/NamingSystem/bsn", "value": "999911120"}],
        "active": true,
        "name": [
            {"use": "official", "family": "Peeters", "given": ["An", "Marie"]},
            {"use": "usual", "given": ["Annie"]}
        ],
        "telecom": [{"system": "phone", "value": "+32 470 12 34 56", "use": "mobile"}],
        "gender": "female",
        "birthDate": "2024-03-01",
        "_birthDate": {"extension": [{
            "url": "http://hl7.org/fhir/StructureDefinition/patient-birthTime",
            "valueDateTime": "2024-03-01T08:15:00+01:00"
        }]},
        "address": [{"use": "home", "line": ["Kerkstraat 1"], "city": "Gent", "postalCode": "9000",
                     "period": {"start": "2024-03-01"}}],
        "contact": [{"relationship": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0131", "code": "N"}]}],
                     "name": {"family": "Peeters", "given": ["Jan"]}}]
    })
}

fn observation() -> Value {
    json!({
        "resourceType": "Observation",
        "id": "o1",
        "status": "final",
        "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": "vital-signs"}]}],
        "code": {"coding": [{"system": "http://loinc.org", "code": "29463-7", "display": "Body weight"}]},
        "subject": {"reference": "Patient/p1"},
        "effectiveDateTime": "2024-05-02T10:30:00+02:00",
        "valueQuantity": {"value": 6.25, "unit": "kg", "system": "http://unitsofmeasure.org", "code": "kg"},
        "referenceRange": [{"low": {"value": 5.1, "unit": "kg", "system": "http://unitsofmeasure.org", "code": "kg"},
                            "high": {"value": 7.9, "unit": "kg", "system": "http://unitsofmeasure.org", "code": "kg"}}]
    })
}

fn invariant(key: &str) -> Expr {
    let defs = Definitions::r4();
    let found = defs
        .invariants()
        .iter()
        .find(|i| i.key == key)
        .unwrap_or_else(|| panic!("no invariant {key}"));
    Expr::parse(&found.expression).unwrap()
}

fn bench(c: &mut Criterion) {
    let patient = patient();
    let observation = observation();
    let period = json!({"start": "2024-03-01", "end": "2024-06-30T12:00:00+02:00"});
    let range = &observation["referenceRange"][0];

    let ctx = Context::new(&patient);
    let simple = Expr::parse("name.exists() or telecom.exists()").unwrap();
    c.bench_function("patient: name.exists() or telecom.exists()", |b| {
        b.iter(|| black_box(simple.evaluate_boolean(black_box(&ctx)).unwrap()))
    });

    for key in ["dom-2", "dom-3", "dom-4", "dom-5", "dom-6"] {
        let expr = invariant(key);
        c.bench_function(&format!("patient: {key}"), |b| {
            b.iter(|| black_box(expr.evaluate_boolean(black_box(&ctx)).unwrap()))
        });
    }

    let pat1 = invariant("pat-1");
    let contact = [Item::Node(
        Node::typed(&patient["contact"][0], "Patient.contact").unwrap(),
    )];
    c.bench_function("patient.contact: pat-1", |b| {
        b.iter(|| black_box(pat1.evaluate_on(&ctx, black_box(&contact)).unwrap()))
    });

    let per1 = invariant("per-1");
    let period_node = [Item::Node(Node::typed(&period, "Period").unwrap())];
    c.bench_function("period: per-1", |b| {
        b.iter(|| black_box(per1.evaluate_on(&ctx, black_box(&period_node)).unwrap()))
    });

    let obs_ctx = Context::new(&observation);
    let rng2 = invariant("rng-2");
    let range_node = [Item::Node(Node::typed(range, "Range").unwrap())];
    c.bench_function("range: rng-2 (low <= high)", |b| {
        b.iter(|| black_box(rng2.evaluate_on(&obs_ctx, black_box(&range_node)).unwrap()))
    });
    for key in ["obs-6", "obs-7"] {
        let expr = invariant(key);
        c.bench_function(&format!("observation: {key}"), |b| {
            b.iter(|| black_box(expr.evaluate_boolean(black_box(&obs_ctx)).unwrap()))
        });
    }

    let dom3 = &Definitions::r4()
        .invariants()
        .iter()
        .find(|i| i.key == "dom-3")
        .unwrap()
        .expression;
    c.bench_function("parse dom-3", |b| {
        b.iter(|| black_box(Expr::parse(black_box(dom3)).unwrap()))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
