//! The FHIR R4 (4.0.1) model of the Zorgplan Kind&Gezin server.
//!
//! Resources are kept as canonical JSON (`serde_json::Value`); this crate knows what the
//! specification says about that JSON without storing or serving anything:
//!
//! - [`r4`]: the registry of R4 resource types, generated from the core definitions;
//! - [`json`]: strict intake of a request body (size, depth, duplicate keys, syntax) and the
//!   JSON representation rules every resource must keep;
//! - [`outcome`]: errors as OperationOutcomes, the one error type every layer uses;
//! - [`id`]: the syntax of logical ids and version ids;
//! - [`nl`]: Dutch identifier systems (nl-core) and the BSN 11-proef.

pub mod id;
pub mod json;
pub mod nl;
pub mod outcome;
pub mod r4;

pub use outcome::{ErrorKind, FhirError, Issue, IssueType, Severity};
