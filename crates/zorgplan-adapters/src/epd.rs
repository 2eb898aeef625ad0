//! Import at discharge: a child's data from the hospital's EPD (a FHIR R4 endpoint) into
//! the zorgplan server, in one transaction (`zorgplan epd import`).
//!
//! Read from the EPD: the child's Patient (by an identifier, its BSN), its RelatedPersons,
//! Conditions and active CareTeams (the discharge team), and the Practitioners,
//! PractitionerRoles and Organizations they refer to (with the practitioners and
//! organisations of those roles). Everything is read before anything is written; the
//! transaction is all or nothing, and repeating the import changes nothing ([`mapping`]).
//! With `since`, only RelatedPersons, Conditions and CareTeams changed since then are read
//! again (the child and whom they name always).
//!
//! [`mapping`]: crate::mapping

use crate::fhir::{Failure, FhirClient};
use crate::mapping::{self, Report};
use serde_json::Value;
use std::collections::BTreeMap;

/// The types whose resources are read when something refers to them.
const FOLLOWED: [&str; 3] = ["Practitioner", "PractitionerRole", "Organization"];

/// What the import reads of the EPD, by source `Type/id`, in the order read.
#[derive(Default)]
pub struct Gathered {
    pub resources: Vec<(String, Value)>,
}

impl Gathered {
    fn has(&self, key: &str) -> bool {
        self.resources.iter().any(|(k, _)| k == key)
    }

    fn add(&mut self, resource: Value) -> Result<(), Failure> {
        let key = key_of(&resource)?;
        if !self.has(&key) {
            self.resources.push((key, resource));
        }
        Ok(())
    }

    /// Reads the resources of [`FOLLOWED`] types that what was gathered refers to, until
    /// none is missing.
    pub fn follow(&mut self, source: &FhirClient) -> Result<(), Failure> {
        let mut next = 0;
        while next < self.resources.len() {
            let mut wanted = Vec::new();
            references(&self.resources[next].1, &mut wanted);
            next += 1;
            for reference in wanted {
                // On this server (relative, or absolute to it), as `Type/id`.
                let Some(key) = mapping::source_key(&reference, &source.base) else {
                    continue;
                };
                let t = key.split('/').next().unwrap_or_default();
                if FOLLOWED.contains(&t) && !self.has(&key) {
                    let resource = source.get(&key)?;
                    self.add(resource)?;
                }
            }
        }
        Ok(())
    }
}

/// `Type/id` of a resource as read.
fn key_of(resource: &Value) -> Result<String, Failure> {
    match (
        resource.get("resourceType").and_then(Value::as_str),
        resource.get("id").and_then(Value::as_str),
    ) {
        (Some(t), Some(id)) => Ok(format!("{t}/{id}")),
        _ => Err(Failure::Invalid(
            "a resource without resourceType or id".into(),
        )),
    }
}

/// Every `reference` in `value`.
fn references(value: &Value, found: &mut Vec<String>) {
    match value {
        Value::Object(object) => {
            if let Some(Value::String(r)) = object.get("reference") {
                found.push(r.clone());
            }
            for child in object.values() {
                references(child, found);
            }
        }
        Value::Array(items) => {
            for item in items {
                references(item, found);
            }
        }
        _ => {}
    }
}

/// Reads the child's data from `source`: the child with `patient` (`system|value`), and
/// what belongs to it (changed since `since`, when given).
pub fn gather(
    source: &FhirClient,
    patient: &str,
    since: Option<&str>,
) -> Result<Gathered, Failure> {
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("identifier", patient)
        .finish();
    let children = source.search(&format!("Patient?{query}"))?;
    let child = match children.as_slice() {
        [one] => one.clone(),
        [] => {
            return Err(Failure::Invalid(format!(
                "the EPD has no Patient with identifier {patient}"
            )))
        }
        _ => {
            return Err(Failure::Invalid(format!(
                "the EPD has {} Patients with identifier {patient}",
                children.len()
            )))
        }
    };
    let mut gathered = Gathered::default();
    let id = key_of(&child)?;
    gathered.add(child)?;
    let since = since
        .map(|s| {
            url::form_urlencoded::Serializer::new(String::new())
                .append_pair("_lastUpdated", &format!("ge{s}"))
                .finish()
        })
        .map_or(String::new(), |q| format!("&{q}"));
    for search in [
        format!("RelatedPerson?patient={id}{since}"),
        format!("Condition?patient={id}{since}"),
        format!("CareTeam?patient={id}&status=active{since}"),
    ] {
        for resource in source.search(&search)? {
            gathered.add(resource)?;
        }
    }
    gathered.follow(source)?;
    Ok(gathered)
}

/// Imports the child with `patient` from `source` into `target`: the report of what was
/// taken, written and left out; with `failure` set, nothing was written.
pub fn import(
    source: &FhirClient,
    target: &FhirClient,
    patient: &str,
    since: Option<&str>,
) -> Report {
    let mut report = Report::default();
    let gathered = match gather(source, patient, since) {
        Ok(gathered) => gathered,
        Err(e) => {
            report.failure = Some(format!("reading the EPD: {e}"));
            return report;
        }
    };
    write(&source.base, target, &gathered.resources, &mut report);
    report
}

/// Writes `resources` of `source` to `target` in one transaction; the outcome of each in
/// the report. The transaction response: the entries' outcomes, by source `Type/id`.
pub fn write(
    source: &str,
    target: &FhirClient,
    resources: &[(String, Value)],
    report: &mut Report,
) -> BTreeMap<String, String> {
    let mut locations = BTreeMap::new();
    let Some(bundle) = mapping::transaction(source, resources, report) else {
        report.failure = Some("nothing to take".into());
        return locations;
    };
    match target.transaction(&bundle) {
        Ok(response) => {
            let entries = response
                .get("entry")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            for (line, entry) in report.taken.iter_mut().zip(&entries) {
                let status = entry["response"]["status"].as_str().unwrap_or("?");
                let location = entry["response"]["location"].as_str().unwrap_or_default();
                let written = location.split("/_history").next().unwrap_or(location);
                line.why = format!("{}: {status} {written}", line.why);
                locations.insert(line.what.clone(), written.to_owned());
            }
        }
        Err(e) => {
            report.failure = Some(format!("writing to the zorgplan server: {e}"));
        }
    }
    locations
}
