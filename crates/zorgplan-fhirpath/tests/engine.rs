//! The engine on FHIR JSON: typing through the definitions, primitive extensions, resources
//! inside resources, references, invariants with contained resources, external constants.

use serde_json::{json, Value};
use zorgplan_fhirpath::{Context, Expr, Item};

fn eval(resource: &Value, expression: &str) -> Vec<String> {
    let expr = Expr::parse(expression).unwrap();
    let ctx = Context::new(resource);
    let result = expr.evaluate(&ctx).unwrap();
    result.iter().map(ToString::to_string).collect()
}

fn patient() -> Value {
    json!({
        "resourceType": "Patient",
        "id": "p1",
        "text": {"status": "generated", "div": "<div xmlns=\"http://www.w3.org/1999/xhtml\">x</div>"},
        "contained": [{"resourceType": "Organization", "id": "org1", "name": "Kind en Gezin"}],
        "name": [{"family": "Peeters", "given": ["An", null], "_given": [null, {"extension": [
            {"url": "http://example.org/nickname", "valueString": "Annie"}]}]}],
        "gender": "female",
        "birthDate": "2024-03-01",
        "_birthDate": {"extension": [{"url": "http://hl7.org/fhir/StructureDefinition/patient-birthTime",
                                      "valueDateTime": "2024-03-01T08:15:00+01:00"}]},
        "managingOrganization": {"reference": "#org1"}
    })
}

#[test]
fn primitives_are_typed_by_their_element() {
    let p = patient();
    assert_eq!(eval(&p, "birthDate.type().name"), ["date"]);
    assert_eq!(eval(&p, "birthDate > @2024-01-01"), ["true"]);
    assert_eq!(eval(&p, "birthDate + 1 month"), ["2024-04-01"]);
    assert_eq!(eval(&p, "gender.is(code) and gender.is(string)"), ["true"]);
    assert_eq!(eval(&p, "gender.as(string).exists()"), ["false"]);
    assert_eq!(eval(&p, "id.type().name"), ["id"]);
}

#[test]
fn primitive_extensions_are_visible() {
    let p = patient();
    assert_eq!(
        eval(&p, "birthDate.extension('http://hl7.org/fhir/StructureDefinition/patient-birthTime').value"),
        ["2024-03-01T08:15:00+01:00"]
    );
    assert_eq!(eval(&p, "name.given.count()"), ["2"]);
    assert_eq!(eval(&p, "name.given.select(hasValue())"), ["true", "false"]);
    assert_eq!(eval(&p, "name.given.last().extension.value"), ["Annie"]);
}

#[test]
fn contained_resources_and_references() {
    let p = patient();
    assert_eq!(eval(&p, "contained.name"), ["Kind en Gezin"]);
    assert_eq!(eval(&p, "contained.is(Organization)"), ["true"]);
    assert_eq!(eval(&p, "contained.is(DomainResource)"), ["true"]);
    assert_eq!(
        eval(&p, "managingOrganization.resolve().name"),
        ["Kind en Gezin"]
    );
    let bundle = json!({"resourceType": "Bundle", "type": "collection", "entry": [
        {"fullUrl": "http://example.org/fhir/Patient/p1", "resource": {"resourceType": "Patient", "id": "p1",
          "generalPractitioner": [{"reference": "Practitioner/d1"}]}},
        {"fullUrl": "http://example.org/fhir/Practitioner/d1", "resource": {"resourceType": "Practitioner", "id": "d1",
          "name": [{"family": "Janssens"}]}}
    ]});
    assert_eq!(
        eval(
            &bundle,
            "entry[0].resource.generalPractitioner.resolve().name.family"
        ),
        ["Janssens"]
    );
    let elsewhere = json!({"resourceType": "Organization", "id": "o9", "name": "Elders"});
    let resolver = |reference: &str| (reference == "Organization/o9").then_some(&elsewhere);
    let subject = json!({"resourceType": "Patient", "managingOrganization": {"reference": "Organization/o9"}});
    let ctx = Context::new(&subject).with_resolver(&resolver);
    let expr = Expr::parse("managingOrganization.resolve().name").unwrap();
    assert_eq!(expr.evaluate(&ctx).unwrap()[0].to_string(), "Elders");
}

#[test]
fn dom_3_sees_references_to_contained_resources() {
    let dom3 = "contained.where((('#'+id in (%resource.descendants().reference | %resource.descendants().as(canonical) | %resource.descendants().as(uri) | %resource.descendants().as(url))) or descendants().where(reference = '#').exists() or descendants().where(as(canonical) = '#').exists() or descendants().where(as(canonical) = '#').exists()).not()).trace('unmatched', id).empty()";
    let mut p = patient();
    assert_eq!(eval(&p, dom3), ["true"]);
    p["managingOrganization"] = json!({"reference": "Organization/elsewhere"});
    assert_eq!(eval(&p, dom3), ["false"]);
}

#[test]
fn choices_are_navigated_by_their_name() {
    // Parsed from text: the decimal keeps its trailing zero.
    let obs: Value = serde_json::from_str(
        r#"{"resourceType": "Observation", "status": "final", "code": {"text": "gewicht"},
            "valueQuantity": {"value": 6.250, "unit": "kg", "system": "http://unitsofmeasure.org", "code": "kg"}}"#,
    )
    .unwrap();
    assert_eq!(eval(&obs, "value.value"), ["6.250"]);
    assert_eq!(eval(&obs, "value is Quantity"), ["true"]);
    assert_eq!(eval(&obs, "value > 6000 'g'"), ["true"]);
    assert_eq!(eval(&obs, "value.ofType(Quantity).unit"), ["kg"]);
    assert_eq!(eval(&obs, "value.ofType(string)"), Vec::<String>::new());
    let expr = Expr::parse("Observation.valueQuantity.unit").unwrap();
    assert!(expr.check("Observation").is_err());
    assert!(Expr::parse("Observation.value.unit")
        .unwrap()
        .check("Observation")
        .is_ok());
    assert!(Expr::parse("name.given1")
        .unwrap()
        .check("Patient")
        .is_err());
    assert!(Expr::parse("relationship.exists()")
        .unwrap()
        .check("Patient.contact")
        .is_ok());
}

#[test]
fn external_constants_and_element_focus() {
    let p = patient();
    let ctx = Context::new(&p).with_variable("wanted", [Item::Integer(2)].into_iter().collect());
    let expr = Expr::parse("name.given.count() = %wanted").unwrap();
    assert_eq!(expr.evaluate_boolean(&ctx).unwrap(), Some(true));
    assert!(Expr::parse("%unknown").unwrap().evaluate(&ctx).is_err());
    let period = json!({"start": "2024-03-01", "end": "2024-02-01"});
    let per1 =
        Expr::parse("start.hasValue().not() or end.hasValue().not() or (start <= end)").unwrap();
    let focus = [Item::Node(
        zorgplan_fhirpath::Node::typed(&period, "Period").unwrap(),
    )];
    let result = per1.evaluate_on(&ctx, &focus).unwrap();
    assert!(matches!(result[..], [Item::Boolean(false)]));
}

#[test]
fn errors_are_reported() {
    let p = patient();
    let ctx = Context::new(&p);
    for bad in [
        "name.given.single()",
        "(1 | 2) + 1",
        "'a' < 1",
        "iif('x', 1, 2)",
    ] {
        let expr = Expr::parse(bad).unwrap();
        assert!(expr.evaluate(&ctx).is_err(), "{bad} should fail");
    }
    for bad in [
        "name.",
        "foo(",
        "1 +",
        "name.nosuchfunction()",
        "'unterminated",
    ] {
        assert!(Expr::parse(bad).is_err(), "{bad} should not parse");
    }
}

#[test]
fn expressions_can_be_shared_between_threads() {
    fn shareable<T: Send + Sync + Clone>() {}
    shareable::<Expr>();
}
