//! capabilities (`GET metadata`): the CapabilityStatement, generated from the tables that
//! describe what the server does — the resource types of the R4 registry, the interactions
//! the routes serve ([`TYPE_INTERACTIONS`], [`SYSTEM_INTERACTIONS`]) and the search
//! parameters the store evaluates — so that it cannot drift from the code. The integration
//! tests exercise every interaction it lists.

use crate::error::ApiResult;
use crate::negotiate::response_format;
use crate::params::query_pairs;
use crate::respond::{base_url, json_response};
use crate::AppState;
use actix_web::http::StatusCode;
use actix_web::HttpRequest;
use serde_json::{json, Value};
use zorgplan_fhir::r4::{self, FHIR_VERSION};
use zorgplan_search::Registry;
use zorgplan_store::search::supported_params;

/// The interactions served for every resource type (see `routes`).
pub const TYPE_INTERACTIONS: &[&str] = &[
    "read",
    "vread",
    "update",
    "patch",
    "delete",
    "history-instance",
    "history-type",
    "create",
    "search-type",
];

/// The interactions served for `res_type`: all of [`TYPE_INTERACTIONS`], except that
/// AuditEvents, which the server alone writes, are only read and searched.
pub fn type_interactions(res_type: &str) -> Vec<&'static str> {
    TYPE_INTERACTIONS
        .iter()
        .copied()
        .filter(|code| {
            res_type != "AuditEvent"
                || matches!(
                    *code,
                    "read" | "vread" | "history-instance" | "history-type" | "search-type"
                )
        })
        .collect()
}

/// The operations served for a resource type (see `routes`): name and definition.
pub fn type_operations(res_type: &str) -> Vec<(&'static str, &'static str)> {
    let mut operations = vec![(
        "validate",
        "http://hl7.org/fhir/OperationDefinition/Resource-validate",
    )];
    if res_type == "Patient" {
        operations.push((
            "everything",
            "http://hl7.org/fhir/OperationDefinition/Patient-everything",
        ));
    }
    if matches!(res_type, "CarePlan" | "Patient") {
        operations.push((
            "zorgplan",
            "http://fhir.zorgplankindgezin.nl/OperationDefinition/zorgplan",
        ));
    }
    if res_type == "ValueSet" {
        operations.push((
            "expand",
            "http://hl7.org/fhir/OperationDefinition/ValueSet-expand",
        ));
        operations.push((
            "validate-code",
            "http://hl7.org/fhir/OperationDefinition/ValueSet-validate-code",
        ));
    }
    operations
}

/// The interactions served at the system level (see `routes`).
pub const SYSTEM_INTERACTIONS: &[&str] = &["transaction", "batch", "history-system"];

/// The CapabilityStatement of this server at `base`, with the search parameters of
/// `registry`.
pub fn statement(base: &str, registry: &Registry) -> Value {
    // `_revinclude` of a type: the reference parameters of any type that may point to it.
    let mut revincludes: std::collections::BTreeMap<&str, Vec<String>> = Default::default();
    for source in r4::RESOURCE_TYPES {
        for param in registry
            .params(source.name)
            .filter(|p| p.kind == zorgplan_search::Kind::Reference)
        {
            for target in &param.targets {
                revincludes
                    .entry(target.as_str())
                    .or_default()
                    .push(format!("{}:{}", source.name, param.code));
            }
        }
    }
    let resources: Vec<Value> = r4::RESOURCE_TYPES
        .iter()
        .map(|def| {
            let mut includes = vec!["*".to_owned()];
            includes.extend(
                registry
                    .params(def.name)
                    .filter(|p| p.kind == zorgplan_search::Kind::Reference)
                    .map(|p| format!("{}:{}", def.name, p.code)),
            );
            let revinclude = revincludes.get(def.name).cloned().unwrap_or_default();
            let params: Vec<Value> = supported_params(registry, def.name)
                .iter()
                .map(|p| {
                    let mut param = json!({
                        "name": p.name,
                        "definition": p.definition,
                        "type": p.kind,
                    });
                    if !p.modifiers.is_empty() {
                        let list: Vec<String> =
                            p.modifiers.iter().map(|m| format!(":{m}")).collect();
                        param["documentation"] = json!(format!("Modifiers: {}", list.join(", ")));
                    }
                    if p.kind == "composite" {
                        param["documentation"] = json!("A code and a value: code$value");
                    }
                    param
                })
                .collect();
            let mut resource = json!({
                "type": def.name,
                "profile": r4::base_profile(def.name),
                "interaction": type_interactions(def.name).iter().map(|code| json!({ "code": code })).collect::<Vec<_>>(),
                "versioning": "versioned-update",
                "readHistory": true,
                "updateCreate": true,
                "conditionalCreate": true,
                "conditionalRead": "full-support",
                "conditionalUpdate": true,
                "conditionalDelete": "single",
                "searchInclude": includes,
                "searchRevInclude": revinclude,
                "searchParam": params,
                "operation": type_operations(def.name)
                    .iter()
                    .map(|(name, definition)| json!({ "name": name, "definition": definition }))
                    .collect::<Vec<_>>(),
            });
            if def.name == "Subscription" {
                resource["documentation"] = json!(
                    "Channels of type rest-hook only, with payload application/fhir+json (PUT \
                     [endpoint]/[type]/[id]) or none (an empty POST [endpoint]). Created and \
                     updated resources that match the criteria are notified, at least once, in \
                     order per Subscription, with retries; with access control, a Subscription \
                     is its registered client's and is sent only what that client may see."
                );
            }
            resource
        })
        .collect();
    json!({
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": env!("ZORGPLAN_BUILD_DATE"),
        "publisher": "Zorgplan Kind&Gezin",
        "kind": "instance",
        "software": {
            "name": "Zorgplan Kind&Gezin server",
            "version": env!("CARGO_PKG_VERSION"),
        },
        "implementation": {
            "description": "Zorgplan Kind&Gezin FHIR R4 server",
            "url": base,
        },
        "fhirVersion": FHIR_VERSION,
        "format": ["application/fhir+json", "application/json", "application/fhir+xml", "application/xml"],
        "rest": [{
            "mode": "server",
            "documentation": "Logical ids are server-assigned on create; update as create is allowed. \
                Versions are kept for every write; deletes are logical (410 Gone). \
                Conditional create, update and delete take the listed search parameters; \
                unknown parameters in their criteria are errors.",
            "resource": resources,
            "compartment": ["http://hl7.org/fhir/CompartmentDefinition/patient"],
            "interaction": SYSTEM_INTERACTIONS.iter().map(|code| json!({ "code": code })).collect::<Vec<_>>(),
        }],
    })
}

pub async fn capabilities(req: &HttpRequest, state: &AppState) -> ApiResult {
    let format = response_format(req, &query_pairs(req.query_string()))?;
    let mut statement = statement(&base_url(req, state), state.store.search_parameters());
    if let Some(security) = security(state) {
        statement["rest"][0]["security"] = security;
    }
    Ok(json_response(StatusCode::OK, &statement, format))
}

/// How clients authenticate (none in development mode): SMART on FHIR, with this server's
/// token endpoint when it issues tokens.
fn security(state: &AppState) -> Option<Value> {
    let crate::access::Authentication::Tokens(tokens) = &state.config.auth else {
        return None;
    };
    let mut security = json!({
        "cors": false,
        "service": [{"coding": [{
            "system": "http://terminology.hl7.org/CodeSystem/restful-security-service",
            "code": "SMART-on-FHIR"}]}],
        "description": "Bearer tokens (RFC 6750) of the configured issuer or of this server's \
            token endpoint (SMART Backend Services); SMART scopes, the child's care network, \
            WGBO age band and consents decide what a caller sees. See \
            /.well-known/smart-configuration.",
    });
    if let Some(service) = &tokens.service {
        security["extension"] = json!([{
            "url": "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris",
            "extension": [{"url": "token", "valueUri": service.token_endpoint()}],
        }]);
    }
    Some(security)
}
