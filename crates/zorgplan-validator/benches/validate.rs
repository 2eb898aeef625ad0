//! Validation speed on the resources of scenario S1 (fixtures/S1): the active plan
//! (CarePlan) on its own, and every resource of the scenario one after another.
//! `cargo bench -p zorgplan-validator` (part of `make bench`).

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use serde_json::Value;
use std::hint::black_box;
use std::path::Path;
use zorgplan_validator::{has_errors, Validator};

fn s1_resources() -> Vec<Value> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/S1");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
        .iter()
        .flat_map(|f| {
            let bundle: Value = serde_json::from_str(&std::fs::read_to_string(f).unwrap()).unwrap();
            bundle["entry"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["resource"].clone())
                .collect::<Vec<_>>()
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let validator = Validator::r4();
    let resources = s1_resources();
    let plan = resources
        .iter()
        .rev()
        .find(|r| r["resourceType"] == "CarePlan")
        .unwrap()
        .clone();
    assert!(!has_errors(&validator.validate(&plan)));

    let mut group = c.benchmark_group("validate");
    group.throughput(Throughput::Elements(1));
    group.bench_function("S1 plan (CarePlan)", |b| {
        b.iter(|| validator.validate(black_box(&plan)))
    });
    group.throughput(Throughput::Elements(resources.len() as u64));
    group.bench_function(format!("all {} S1 resources", resources.len()), |b| {
        b.iter(|| {
            for r in &resources {
                black_box(validator.validate(black_box(r)));
            }
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
