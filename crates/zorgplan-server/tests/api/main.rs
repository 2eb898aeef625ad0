//! HTTP tests of the FHIR REST API against a real server, on SQLite and PostgreSQL.

mod common;

mod adapters;
mod audit;
mod authorisation;
mod capabilities;
mod concurrency;
mod conditional;
mod conformance;
mod crud;
mod errors;
mod guide;
mod history;
mod negotiation;
mod openapi;
mod patch;
mod pgo;
mod references;
mod search;
mod search_params;
mod subscriptions;
mod terminology;
mod transaction;
mod validate;
mod zorgplan;
