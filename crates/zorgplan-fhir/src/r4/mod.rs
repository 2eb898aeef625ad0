//! The FHIR R4 resource types, generated from the 4.0.1 core definitions by
//! `scripts/gen-definitions.py` (`make definitions`).

mod generated;

pub use generated::RESOURCE_TYPES;

/// FHIR version this crate implements.
pub const FHIR_VERSION: &str = "4.0.1";

/// What the server needs to know of one resource type.
#[derive(Debug)]
pub struct ResourceTypeDef {
    /// The type's name, as in `resourceType` and the REST URL.
    pub name: &'static str,
    /// Element paths (relative to the resource) searched by the core `identifier` search
    /// parameter; empty when the type has none.
    pub identifier_paths: &'static [&'static str],
}

/// Looks a resource type up by its exact (case-sensitive) name.
pub fn resource_type(name: &str) -> Option<&'static ResourceTypeDef> {
    RESOURCE_TYPES
        .binary_search_by(|def| def.name.cmp(name))
        .ok()
        .map(|i| &RESOURCE_TYPES[i])
}

/// Whether `name` is a concrete FHIR R4 resource type.
pub fn is_resource_type(name: &str) -> bool {
    resource_type(name).is_some()
}

/// The canonical URL of the core StructureDefinition of a resource type.
pub fn base_profile(name: &str) -> String {
    format!("http://hl7.org/fhir/StructureDefinition/{name}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_is_sorted_and_complete() {
        assert_eq!(RESOURCE_TYPES.len(), 146);
        assert!(RESOURCE_TYPES.windows(2).all(|w| w[0].name < w[1].name));
        for name in [
            "Patient", "CarePlan", "Goal", "CareTeam", "Consent", "Bundle", "Task",
        ] {
            assert!(is_resource_type(name), "{name}");
        }
        assert!(!is_resource_type("patient"));
        assert!(!is_resource_type("DomainResource"));
        assert!(!is_resource_type("Resource"));
        assert!(!is_resource_type("ClientApplication"));
    }

    #[test]
    fn identifier_paths_follow_the_core_search_parameters() {
        assert_eq!(
            resource_type("Patient").unwrap().identifier_paths,
            ["identifier"]
        );
        assert_eq!(
            resource_type("DocumentReference").unwrap().identifier_paths,
            ["masterIdentifier", "identifier"]
        );
        assert!(resource_type("Parameters")
            .unwrap()
            .identifier_paths
            .is_empty());
    }
}
