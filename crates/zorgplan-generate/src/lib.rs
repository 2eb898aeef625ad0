//! Realistic, reproducible test data for the server: the small child Patients of the HTTP
//! load test ([`people`]) and whole populations of families with their care plans
//! ([`family`]) for `zorgplan generate` and the search benchmark.

pub mod family;
pub mod people;

pub use family::Population;
pub use people::Rng;
