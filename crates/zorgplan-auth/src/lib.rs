//! Who a caller of the server is and what it may do, independent of HTTP and storage.
//!
//! - [`scopes`]: the SMART on FHIR scopes an access token grants (`patient/*.rs`,
//!   `user/CarePlan.cruds`, `system/Patient.read`, …) and whether they permit an interaction
//!   on a resource type.
//! - [`token`]: access tokens (JWTs, RS256 or ES256) of a configured issuer, checked against
//!   its public keys (PEM or JWKS), with the claims this server uses.
//! - [`consent`]: the child's privacy consents applied to one access (may this caller read or
//!   write this resource).
//! - [`policy`]: the access policy, one function ([`policy::decide`]) that puts the caller,
//!   the child's networks, age and consents together for one resource.
//! - [`service`]: the server's own token service for SMART Backend Services (client
//!   credentials with a signed JWT assertion of a registered client) and for PGO apps
//!   (authorisation codes).
//! - [`authorize`]: the authorisation-code grant of PGO apps (PKCE, codes bound to the
//!   family member who signed in and the child they act for).
//! - [`age`]: the child's age band under the WGBO (under 12, 12 to 15, from 16) on the day of
//!   a request.

pub mod age;
pub mod authorize;
pub mod consent;
pub mod policy;
pub mod scopes;
pub mod service;
pub mod token;

pub use policy::{Caller, Role};
pub use scopes::{Context, Grant, Interaction, Permissions, ResourceScope, Scopes};
pub use token::{Claims, TokenError, Verifier};
