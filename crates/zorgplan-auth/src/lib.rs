//! Who a caller of the server is and what it may do, independent of HTTP and storage.
//!
//! - [`scopes`]: the SMART on FHIR scopes an access token grants (`patient/*.rs`,
//!   `user/CarePlan.cruds`, `system/Patient.read`, …) and whether they permit an interaction
//!   on a resource type.

pub mod scopes;

pub use scopes::{Context, Grant, Interaction, Permissions, ResourceScope, Scopes};
