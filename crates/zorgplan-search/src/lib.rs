//! FHIR search parameters and the index values they extract.
//!
//! - [`params`]: the registry — every R4 search parameter of every resource type (1,700) and
//!   the common ones of every resource (generated from the core definitions into
//!   `definitions/r4.json` by `make definitions`), plus SearchParameter resources given at
//!   start-up (the standard's), each with its FHIRPath expression compiled once;
//! - [`extract`]: what a parameter indexes of a resource, by the parameter's own expression:
//!   tokens, normalised strings, references, date ranges, numbers, quantities and URIs.
//!
//! The store is to keep these values in its index tables in the same transaction as the
//! resource, and searches to compare against them.
//!
//! A parameter whose expression reads another resource's content through `resolve()` (the
//! standard's `care-team-member`: `CarePlan.careTeam.resolve().participant.member`) cannot be
//! indexed with the resource — the other resource changes on its own — and is answered as a
//! chain at search time; during extraction `resolve()` knows only a reference's type, which
//! is what R4's `subject.where(resolve() is Patient)` needs.

pub mod extract;
pub mod params;
pub mod text;

pub use extract::{composite_key, extract, extract_composite, IndexValue};
pub use params::{Component, Kind, Param, Registry};
