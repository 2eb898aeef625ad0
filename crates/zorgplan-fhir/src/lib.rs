//! The FHIR R4 (4.0.1) model of the Zorgplan Kind&Gezin server.
//!
//! Resources are kept as canonical JSON (`serde_json::Value`); this crate knows what the
//! specification says about that JSON without storing or serving anything:
//!
//! - [`definitions`]: every element of every R4 type (cardinality, types, target types,
//!   required bindings, primitive regexes), compiled once into lookup tables;
//! - [`r4`]: the registry of R4 resource types, generated from the core definitions;
//! - [`json`]: strict intake of a request body (size, depth, duplicate keys, syntax) and the
//!   JSON representation rules every resource must keep;
//! - [`outcome`]: errors as OperationOutcomes, the one error type every layer uses;
//! - [`id`]: the syntax of logical ids and version ids;
//! - [`nl`]: Dutch identifier systems (nl-core) and the BSN 11-proef;
//! - [`references`]: the literal references of a resource into this server;
//! - [`xml`]: the FHIR XML format, converted to and from the JSON form.

pub mod definitions;
pub mod id;
pub mod json;
pub mod json_patch;
pub mod nl;
pub mod outcome;
pub mod r4;
pub mod references;
pub mod xml;

pub use outcome::{ErrorKind, FhirError, Issue, IssueType, Severity};
