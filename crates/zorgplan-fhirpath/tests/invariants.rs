//! The invariants of the R4 core definitions: every one parses and passes the static check
//! against the element it is defined on, and every one holds on every element of the valid
//! example resources in `fixtures/`.

use serde_json::Value;
use std::path::Path;
use zorgplan_fhir::definitions::Definitions;
use zorgplan_fhirpath::{Context, Expr, FhirType, Item, Node};

fn type_names() -> Vec<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../zorgplan-fhir/definitions/r4.json");
    let raw: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    raw["types"].as_object().unwrap().keys().cloned().collect()
}

/// Invariants of the R4 core that name elements their type does not have (cid-0 was copied
/// from the canonical resources; ChargeItemDefinition has no `name`).
const ERRATA: [&str; 1] = ["cid-0"];

#[test]
fn every_core_invariant_parses_and_checks() {
    let defs = Definitions::r4();
    let mut count = 0;
    let mut failures = Vec::new();
    for name in type_names() {
        let def = defs.type_def(&name).unwrap();
        for element in &def.elements {
            for &i in &element.constraints {
                let invariant = &defs.invariants()[i];
                let expr = Expr::parse(&invariant.expression).unwrap_or_else(|e| {
                    panic!("{} ({}): {e}", invariant.key, invariant.expression)
                });
                if FhirType::at(&element.path).is_some() {
                    match expr.check(&element.path) {
                        Err(_) if ERRATA.contains(&invariant.key.as_str()) => {}
                        Err(e) => failures.push(format!(
                            "{} on {}: {e} ({})",
                            invariant.key, element.path, invariant.expression
                        )),
                        Ok(()) => {}
                    }
                }
                count += 1;
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(count > 1000, "only {count} invariants found");
}

fn fixture_resources() -> Vec<Value> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
    let mut resources = Vec::new();
    for scenario in ["S1", "S6"] {
        let Ok(entries) = std::fs::read_dir(dir.join(scenario)) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "json") {
                let bundle: Value =
                    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
                for e in bundle["entry"].as_array().into_iter().flatten() {
                    resources.push(e["resource"].clone());
                }
            }
        }
    }
    resources
}

#[test]
fn core_invariants_hold_on_the_fixtures() {
    let defs = Definitions::r4();
    let resources = fixture_resources();
    let everything = Expr::parse("descendants()").unwrap();
    let mut evaluated = 0;
    let mut failures = Vec::new();
    for resource in &resources {
        let ctx = Context::new(resource);
        let mut nodes: Vec<Item<'_>> = vec![Item::Node(Node::resource(resource))];
        nodes.extend(everything.evaluate(&ctx).unwrap());
        for node in &nodes {
            let Item::Node(n) = node else { continue };
            let Some(def) = n.ty.definition() else {
                continue;
            };
            let Some(element) = def.elements.iter().find(|e| e.path == n.ty.path()) else {
                continue;
            };
            let mut constraints: Vec<usize> = element.constraints.clone();
            // A resource also carries the invariants of the types it specializes.
            let mut base = def.base.as_deref();
            while let (true, Some(b)) = (n.ty.is_resource(), base) {
                let base_def = defs.type_def(b).unwrap();
                for &c in &base_def.elements[0].constraints {
                    if !constraints.contains(&c) {
                        constraints.push(c);
                    }
                }
                base = base_def.base.as_deref();
            }
            for i in constraints {
                let invariant = &defs.invariants()[i];
                let expr = Expr::parse(&invariant.expression).unwrap();
                evaluated += 1;
                match expr.evaluate_on(&ctx, std::slice::from_ref(node)) {
                    Ok(result)
                        if result.is_empty() || matches!(result[..], [Item::Boolean(true)]) => {}
                    outcome => failures.push(format!(
                        "{} on {} of {}/{}: {outcome:?}",
                        invariant.key,
                        n.ty.path(),
                        resource["resourceType"],
                        resource["id"]
                    )),
                };
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(resources.is_empty() || evaluated > 100);
}
