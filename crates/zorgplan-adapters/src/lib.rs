//! Exchange with the systems people already use, over FHIR R4 (HTTP only, like any client
//! of the zorgplan server):
//!
//! - [`epd`]: the import at discharge of a child's data from a hospital's EPD;
//! - [`handover`]: handovers by notified pull (a Task on the zorgplan server names the
//!   sender's handover document, which the adapter pulls and stores);
//! - [`mapping`]: how a hospital's resources become the standard's, recognised by business
//!   identifiers so that repeating an exchange changes nothing, with the report of what was
//!   taken and left out;
//! - [`fhir`]: a FHIR client of one server, with SMART Backend Services;
//! - [`cli`]: the commands `zorgplan epd import` and `zorgplan handover`.
//!
//! Notifications to subscribers and the PGO sign-in are the server's own (R4 Subscriptions,
//! the authorisation-code grant); this crate is what runs beside it.

pub mod cli;
pub mod epd;
pub mod fhir;
pub mod handover;
pub mod mapping;

pub use fhir::{Credentials, Failure, FhirClient};
pub use mapping::{Line, Report};
