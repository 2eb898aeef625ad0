//! Validation of FHIR R4 resources, kept as JSON.
//!
//! [`Validator::validate`] answers every issue it finds in a resource, each with severity,
//! code, text and the FHIRPath of its element. The layers so far:
//!
//! - **base structure** ([`structure`]) from the R4 (4.0.1) definitions: element names,
//!   arrays and single values, JSON kinds, the spec's regular expressions of primitive
//!   values, minimum and maximum cardinality, choice types, primitive extensions (`_name`),
//!   contained and nested resources;
//! - **required bindings** of the base definitions to value sets that can be expanded
//!   locally.
//!
//! Profiles, FHIRPath invariants, wider terminology and references follow. The definitions
//! are compiled once ([`zorgplan_fhir::definitions::Definitions::r4`]); validating parses nothing.

mod codes;
pub mod invariants;
pub mod profile;
mod structure;

use profile::Conformance;
use serde_json::Value;
use zorgplan_fhir::definitions::Definitions;
use zorgplan_fhir::{Issue, IssueType, Severity};
pub use zorgplan_fhirpath::Resolver;

/// The validator.
#[derive(Clone, Copy)]
pub struct Validator {
    defs: &'static Definitions,
    conformance: &'static Conformance,
}

impl Validator {
    /// A validator for FHIR R4 with the profiles of the Zorgplan Kind&Gezin standard (both
    /// compiled on first use).
    pub fn r4() -> Validator {
        Validator {
            defs: Definitions::r4(),
            conformance: Conformance::standard(),
        }
    }

    /// A validator for FHIR R4 with these profiles and value sets (for example the
    /// standard's together with a partner's: [`Conformance::standard_resources`] and
    /// [`Conformance::load`]).
    pub fn with(conformance: &'static Conformance) -> Validator {
        Validator {
            defs: Definitions::r4(),
            conformance,
        }
    }

    /// Every issue found in `resource`: against the base definitions, each profile it claims
    /// in `meta.profile`, and the standard's profile for its type
    /// ([`profile::default_profile`]).
    pub fn validate(&self, resource: &Value) -> Vec<Issue> {
        self.validate_with(resource, None)
            .expect("no extra profile, so none can be unknown")
    }

    /// The profiles and value sets this validator knows (for terminology operations).
    pub fn conformance(&self) -> &'static Conformance {
        self.conformance
    }

    /// Whether a profile is known to this validator.
    pub fn knows_profile(&self, url: &str) -> bool {
        self.conformance.profile(url).is_some()
    }

    /// As [`Validator::validate`], and also against `profile` (`$validate?profile=…`).
    /// `Err` with the URL when that profile is not known.
    pub fn validate_with(
        &self,
        resource: &Value,
        profile: Option<&str>,
    ) -> Result<Vec<Issue>, String> {
        self.validate_resolving(resource, profile, None)
    }

    /// The profiles that apply to `resource`: those it claims, `extra`, and its type's default.
    fn profiles<'r>(&self, resource: &'r Value, extra: Option<&'r str>) -> Vec<&'r str> {
        let mut profiles: Vec<&str> = resource["meta"]["profile"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        for extra in extra.into_iter().chain(profile::default_profile(resource)) {
            if !profiles.iter().any(|p| p.split('|').next() == Some(extra)) {
                profiles.push(extra);
            }
        }
        profiles
    }

    /// Whether validating `resource` follows references to other resources (an invariant of
    /// a profile that applies uses `resolve()`), so that the caller had better give
    /// [`Validator::validate_resolving`] a resolver.
    pub fn resolves_references(&self, resource: &Value, profile: Option<&str>) -> bool {
        self.profiles(resource, profile)
            .iter()
            .any(|url| self.conformance.profile(url).is_some_and(|p| p.resolves))
    }

    /// As [`Validator::validate_with`], with `resolver` answering `resolve()` for references
    /// that are neither contained nor in the same Bundle (e.g. from the server's store).
    pub fn validate_resolving<'v>(
        &self,
        resource: &'v Value,
        profile: Option<&str>,
        resolver: Option<&'v Resolver<'v>>,
    ) -> Result<Vec<Issue>, String> {
        let context = || {
            let ctx = invariants::context(resource, None);
            match resolver {
                Some(resolver) => ctx.with_resolver(resolver),
                None => ctx,
            }
        };
        if let Some(url) = profile {
            if !self.knows_profile(url)
                && !url.starts_with("http://hl7.org/fhir/StructureDefinition/")
            {
                return Err(url.to_owned());
            }
        }
        let root = resource
            .get("resourceType")
            .and_then(Value::as_str)
            .unwrap_or("Resource")
            .to_owned();
        let mut walker = structure::Walker::new(self.defs, Some(context()));
        walker.resource(resource, &structure::Path::root(&root));
        let mut issues = walker.issues;

        self.conformance
            .check_extension_contexts(resource, &root, &root, &mut issues);
        let profiles = self.profiles(resource, profile);
        for (i, url) in profiles.iter().enumerate() {
            match self.conformance.profile(url) {
                Some(p) if p.type_name == root => {
                    self.conformance
                        .check(p, resource, &root, &context(), &mut issues)
                }
                Some(p) => issues.push(
                    Issue::error(
                        IssueType::Invalid,
                        format!("The profile {url} is for {}, not for {root}", p.type_name),
                    )
                    .at(format!("{root}.meta.profile[{i}]")),
                ),
                // The base definitions of R4 itself are what the base layer checks.
                None if url.starts_with("http://hl7.org/fhir/StructureDefinition/") => {}
                None => issues.push(Issue {
                    severity: Severity::Warning,
                    code: IssueType::NotSupported,
                    diagnostics: format!(
                        "The profile {url} is not known to this server; the resource was not validated against it"
                    ),
                    expression: vec![format!("{root}.meta.profile[{i}]")],
                }),
            }
        }
        Ok(issues)
    }
}

/// Whether any issue is an error (or fatal).
pub fn has_errors(issues: &[Issue]) -> bool {
    issues
        .iter()
        .any(|i| matches!(i.severity, Severity::Error | Severity::Fatal))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The issues of a resource, but for the best-practice warning dom-6 (no narrative),
    /// which the test resources here mostly leave out.
    fn issues_of(resource: &Value) -> Vec<Issue> {
        Validator::r4()
            .validate(resource)
            .into_iter()
            .filter(|i| !i.diagnostics.starts_with("Constraint failed: dom-6"))
            .collect()
    }

    fn errors(resource: Value) -> Vec<(String, String)> {
        issues_of(&resource)
            .into_iter()
            .map(|i| (i.code.as_str().to_owned(), i.expression.join(",")))
            .collect()
    }

    #[test]
    fn a_valid_patient_has_no_issues() {
        let patient = json!({
            "resourceType": "Patient", "id": "p1",
            "meta": {"versionId": "1", "lastUpdated": "2026-11-22T10:00:00.123456Z",
                     "profile": ["http://fhir.zorgplankindgezin.nl/StructureDefinition/kind-patient"]},
            "text": {"status": "generated", "div": "<div xmlns=\"http://www.w3.org/1999/xhtml\">Sanne</div>"},
            "identifier": [{"system": "http://fhir.nl/fhir/NamingSystem/bsn", "value": "999911120"}],
            "name": [{"family": "van den Berg", "_family": {"extension": [
                {"url": "http://hl7.org/fhir/StructureDefinition/humanname-own-prefix", "valueString": "van den"}]},
                "given": ["Sanne", "Maria"], "_given": [null, {"id": "g2"}]}],
            "gender": "female", "birthDate": "2015-03-01", "deceasedBoolean": false,
            "multipleBirthInteger": 2,
            "contact": [{"relationship": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0131", "code": "N"}]}],
                         "name": {"family": "Jansen"}}],
            "contained": [{"resourceType": "Organization", "id": "o1", "name": "UMC"}],
            "managingOrganization": {"reference": "#o1"}
        });
        assert_eq!(errors(patient), []);
    }

    #[test]
    fn structure_errors_are_all_reported_with_their_path() {
        let found = errors(json!({
            "resourceType": "Patient",
            "foo": 1,
            "gender": "banana",
            "birthDate": "2015-13-01",
            "active": "true",
            "name": {"family": "x"},
            "telecom": [{"system": "phone", "value": "1", "rank": 0}],
            "deceasedBoolean": true, "deceasedDateTime": "2020-01-01",
            "contact": [{"name": {"given": "Jan"}}],
            "_gender": [{}]
        }));
        assert_eq!(
            found,
            [
                ("structure".to_owned(), "Patient.foo".to_owned()),
                ("code-invalid".to_owned(), "Patient.gender".to_owned()),
                ("value".to_owned(), "Patient.birthDate".to_owned()),
                ("structure".to_owned(), "Patient.active".to_owned()),
                ("structure".to_owned(), "Patient.name".to_owned()),
                ("value".to_owned(), "Patient.telecom[0].rank".to_owned()),
                (
                    "structure".to_owned(),
                    "Patient.deceasedDateTime".to_owned()
                ),
                (
                    "structure".to_owned(),
                    "Patient.contact[0].name.given".to_owned()
                ),
                ("structure".to_owned(), "Patient.gender".to_owned()),
            ]
        );
    }

    #[test]
    fn required_elements_choices_and_nested_resources() {
        // Observation.status and .code are required; value[x] names its type.
        let found = errors(
            json!({"resourceType": "Observation", "valueQuantity": {"value": 1.5, "unit": "kg"}}),
        );
        assert_eq!(
            found,
            [
                ("required".to_owned(), "Observation.status".to_owned()),
                ("required".to_owned(), "Observation.code".to_owned())
            ]
        );
        let bad_choice = errors(
            json!({"resourceType": "Observation", "status": "final", "code": {"text": "x"},
            "valueQuantity": {"value": "1.5"}}),
        );
        assert_eq!(
            bad_choice,
            [(
                "structure".to_owned(),
                "Observation.value.ofType(Quantity).value".to_owned()
            )]
        );
        let bundle = errors(json!({"resourceType": "Bundle", "type": "collection",
            "entry": [{"resource": {"resourceType": "Patient", "gender": "x"}}]}));
        assert_eq!(
            bundle,
            [(
                "code-invalid".to_owned(),
                "Bundle.entry[0].resource.gender".to_owned()
            )]
        );
        // A content reference (Questionnaire.item.item is Questionnaire.item).
        let nested = errors(json!({"resourceType": "Questionnaire", "status": "draft",
            "item": [{"linkId": "1", "type": "group", "item": [{"linkId": "1.1", "type": "banana"}]}]}));
        assert_eq!(
            nested,
            [(
                "code-invalid".to_owned(),
                "Questionnaire.item[0].item[0].type".to_owned()
            )]
        );
    }

    #[test]
    fn extensions_only_where_their_context_allows() {
        let mks = json!([{"url": "http://fhir.zorgplankindgezin.nl/StructureDefinition/mks-fase",
            "valueCoding": {"system": "http://fhir.zorgplankindgezin.nl/CodeSystem/mks-fase", "code": "zorgplan"}}]);
        let mut patient = json!({"resourceType": "Patient", "gender": "female"});
        patient["extension"] = mks.clone();
        assert_eq!(
            errors(patient),
            [(
                "structure".to_owned(),
                "Patient.extension('http://fhir.zorgplankindgezin.nl/StructureDefinition/mks-fase')"
                    .to_owned()
            )]
        );
        let domain = json!([{"url": "http://fhir.zorgplankindgezin.nl/StructureDefinition/verantwoordelijk-domein",
            "valueCodeableConcept": {"coding": [{"system": "http://fhir.zorgplankindgezin.nl/CodeSystem/kinderleefdomein", "code": "medisch"}]}}]);
        let mut team = json!({"resourceType": "CareTeam", "status": "active",
            "subject": {"reference": "Patient/kind"},
            "participant": [{"member": {"reference": "Practitioner/1"}, "extension": domain.clone(),
                "role": [{"coding": [{"system": "http://fhir.zorgplankindgezin.nl/CodeSystem/zorgplan-rol", "code": "zorgcoordinator"}]}]}],
            "contained": [{"resourceType": "Basic", "code": {"text": "x"}, "extension": domain.clone()}]});
        let found = errors(team.clone());
        assert_eq!(
            found,
            [(
                "structure".to_owned(),
                "CareTeam.contained[0].extension('http://fhir.zorgplankindgezin.nl/StructureDefinition/verantwoordelijk-domein')"
                    .to_owned()
            )],
            "allowed on CareTeam.participant, not on a Basic"
        );
        team.as_object_mut().unwrap().remove("contained");
        assert_eq!(errors(team), []);
    }

    #[test]
    fn invariants_of_bundle_entries_resolve_the_other_entries() {
        // ctm-1: onBehalfOf only for a member that is a Practitioner — which resolve() can
        // tell only when the member is found among the Bundle's entries.
        let bundle = |member_type: &str| {
            json!({"resourceType": "Bundle", "type": "collection", "entry": [
                {"fullUrl": "urn:uuid:8c1f2f0e-0000-4000-8000-000000000001",
                 "resource": {"resourceType": member_type, "active": true}},
                {"fullUrl": "urn:uuid:8c1f2f0e-0000-4000-8000-000000000002", "resource": {
                    "resourceType": "CareTeam", "status": "active", "subject": {"reference": "Patient/kind"},
                    "participant": [{
                        "role": [{"coding": [{"system": "http://fhir.zorgplankindgezin.nl/CodeSystem/zorgplan-rol", "code": "zorgcoordinator"}]}],
                        "member": {"reference": "urn:uuid:8c1f2f0e-0000-4000-8000-000000000001"},
                        "onBehalfOf": {"reference": "Organization/umc"}}]}}]})
        };
        let ctm_1 = |resource: Value| {
            issues_of(&resource)
                .iter()
                .filter(|i| i.diagnostics.starts_with("Constraint failed: ctm-1"))
                .map(|i| i.expression.join(","))
                .collect::<Vec<_>>()
        };
        assert_eq!(ctm_1(bundle("Practitioner")), Vec::<String>::new());
        assert_eq!(
            ctm_1(bundle("RelatedPerson")),
            ["Bundle.entry[1].resource.participant[0]"]
        );
    }

    #[test]
    fn an_extensible_binding_warns_and_never_rejects() {
        let relative = |code: &str| {
            json!({"resourceType": "RelatedPerson",
                "meta": {"profile": ["http://fhir.zorgplankindgezin.nl/StructureDefinition/gezinslid"]},
                "patient": {"reference": "Patient/kind"},
                "relationship": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-RoleCode", "code": code}]}]})
        };
        assert!(issues_of(&relative("MTH")).is_empty());
        let issues = issues_of(&relative("SPS"));
        assert_eq!(issues.len(), 1, "{issues:?}");
        assert_eq!(issues[0].severity, Severity::Warning);
        assert_eq!(issues[0].code.as_str(), "code-invalid");
        assert_eq!(issues[0].expression, ["RelatedPerson.relationship[0]"]);
        assert!(!has_errors(&issues));
    }

    #[test]
    fn codes_that_cannot_be_checked_offline_are_information_never_errors() {
        let condition = json!({"resourceType": "Condition",
            "subject": {"reference": "Patient/kind"},
            "code": {"coding": [
                {"system": "http://snomed.info/sct", "code": "1234567"},
                {"system": "http://loinc.org", "code": "nonsense"},
                {"system": "http://example.org/local", "code": "x"}]}});
        let issues = issues_of(&condition);
        assert!(!has_errors(&issues), "{issues:?}");
        let found: Vec<(Severity, &str, &str)> = issues
            .iter()
            .map(|i| (i.severity, i.code.as_str(), i.expression[0].as_str()))
            .collect();
        assert_eq!(
            found,
            [
                (
                    Severity::Information,
                    "informational",
                    "Condition.code.coding[0]"
                ),
                (
                    Severity::Information,
                    "informational",
                    "Condition.code.coding[1]"
                ),
            ]
        );
        assert!(issues[0].diagnostics.contains("SNOMED CT code '1234567'"));
        // A required binding to a value set that cannot be expanded here (it draws on
        // external code systems): information, not an error.
        let binary = json!({"resourceType": "Binary", "contentType": "application/x-anything"});
        let issues = issues_of(&binary);
        assert_eq!(issues.len(), 1, "{issues:?}");
        assert_eq!(issues[0].severity, Severity::Information);
        assert_eq!(issues[0].expression, ["Binary.contentType"]);
        assert!(issues[0].diagnostics.contains("ValueSet/mimetypes"));
    }

    #[test]
    fn required_bindings_on_codings_and_concepts() {
        let found = errors(
            json!({"resourceType": "Observation", "status": "final", "code": {"text": "x"},
            "meta": {"security": [{"system": "http://x", "code": "y"}]},
            "component": [{"code": {"text": "c"}, "valueCodeableConcept": {"text": "free text"}}]}),
        );
        assert!(found.is_empty(), "{found:?}");
        let coding = errors(json!({"resourceType": "Account", "status": "active",
            "coverage": [{"coverage": {"reference": "Coverage/1"}}], "currency": "EUR"}));
        assert_eq!(
            coding,
            [("structure".to_owned(), "Account.currency".to_owned())]
        );
    }
}
