//! The partner kit: what an integration partner runs against any FHIR server, ours or
//! theirs, over HTTP only.
//!
//! - [`load`]: sends the steps of scenario fixtures (transaction Bundles) in order.
//! - [`case`]: the declarative conformance cases (one JSON file each: requests, the status
//!   and headers expected, FHIRPath assertions on the response, values captured for later
//!   steps, and what the server must claim in its CapabilityStatement for the case to apply).
//! - [`run`]: runs cases against a base URL; a case whose requirements the server does not
//!   claim is skipped, not failed.
//! - [`report`]: a summary table for people and JUnit XML for CI systems.

pub mod case;
pub mod load;
pub mod report;
pub mod run;

pub use case::Case;
pub use run::{Outcome, Runner, Verdict};
