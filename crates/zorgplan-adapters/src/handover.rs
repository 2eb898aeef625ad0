//! Handovers by notified pull (the eOverdracht pattern on R4): the sending EPD announces a
//! handover with a Task on the zorgplan server (TaakKindGezin, code `overdracht`, status
//! `requested`) whose `input` refers to its handover document — a Composition on the
//! sender's own FHIR endpoint, by absolute URL. The adapter (`zorgplan handover`):
//!
//! 1. takes the Task (`in-progress`, with `If-Match`: of two adapters one takes it);
//! 2. pulls the Composition and what it refers to from the sender (with SMART Backend
//!    Services there), and stores it in one transaction, mapped as the import maps
//!    ([`crate::mapping`]: conditional, so a retry stores nothing twice);
//! 3. completes the Task with the stored Composition as its `output`; or, when anything
//!    fails, sets it to `failed` with the reason in `statusReason` and an OperationOutcome
//!    (contained, named by an `output`). A failed Task set back to `requested` is tried
//!    again; one left `in-progress` by an adapter that stopped is taken again after
//!    [`STALE`].

use crate::epd::{write, Gathered};
use crate::fhir::{Failure, FhirClient};
use crate::mapping::Report;
use serde_json::{json, Value};

/// The task type of a handover.
pub const TASK_TYPE: &str = "http://fhir.zorgplankindgezin.nl/CodeSystem/taak-type";

/// How long after its last change a Task still `in-progress` counts as abandoned (by an
/// adapter that stopped), and is taken again.
pub const STALE: std::time::Duration = std::time::Duration::from_secs(600);

/// What became of one handover Task.
#[derive(Debug)]
pub struct Handled {
    /// `Task/id`.
    pub task: String,
    /// `completed` or `failed`; `skipped` when another adapter took it first.
    pub status: &'static str,
    pub report: Report,
}

/// The handover Tasks on `target` waiting for a Composition of `sender`, each handled:
/// those `requested`, and those `in-progress` unchanged for `stale` ([`STALE`]).
pub fn run(
    target: &FhirClient,
    sender: &FhirClient,
    stale: std::time::Duration,
) -> Result<Vec<Handled>, Failure> {
    let stale = instant_ago(stale);
    let mut tasks = target.search(&format!(
        "Task?code={TASK_TYPE}|overdracht&status=requested"
    ))?;
    tasks.extend(target.search(&format!(
        "Task?code={TASK_TYPE}|overdracht&status=in-progress&_lastUpdated=lt{stale}"
    ))?);
    let mut handled = Vec::new();
    for task in tasks {
        if let Some(document) = document_of(&task, &sender.base) {
            handled.push(handle(target, sender, task, &document)?);
        }
    }
    Ok(handled)
}

/// The sender's Composition a handover Task names as input (an absolute URL at `sender`).
fn document_of(task: &Value, sender: &str) -> Option<String> {
    task.get("input")?
        .as_array()?
        .iter()
        .filter_map(|i| i.get("valueReference")?.get("reference")?.as_str())
        .find(|r| r.starts_with(&format!("{sender}/Composition/")))
        .map(str::to_owned)
}

/// The instant `ago` before now, as FHIR writes it (UTC, milliseconds).
fn instant_ago(ago: std::time::Duration) -> String {
    (chrono::Utc::now() - chrono::Duration::from_std(ago).unwrap_or_default())
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}

fn version_of(resource: &Value) -> Option<String> {
    resource["meta"]["versionId"].as_str().map(str::to_owned)
}

/// One Task: taken, pulled, stored, finished.
fn handle(
    target: &FhirClient,
    sender: &FhirClient,
    mut task: Value,
    document: &str,
) -> Result<Handled, Failure> {
    let id = task["id"].as_str().unwrap_or_default().to_owned();
    let path = format!("Task/{id}");
    task["status"] = json!("in-progress");
    if let Some(object) = task.as_object_mut() {
        object.shift_remove("statusReason");
        object.shift_remove("contained");
        object.shift_remove("output");
    }
    let version = version_of(&task);
    let mut task = match target.update(&path, &task, version.as_deref()) {
        Ok(taken) => taken,
        Err(Failure::Status { status: 412, .. }) => {
            return Ok(Handled {
                task: path,
                status: "skipped",
                report: Report::default(),
            })
        }
        Err(e) => return Err(e),
    };
    let mut report = Report::default();
    let stored = match pull(sender, document) {
        Ok(gathered) => {
            let locations = write(&sender.base, target, &gathered.resources, &mut report);
            let key = document
                .strip_prefix(&format!("{}/", sender.base))
                .unwrap_or(document)
                .to_owned();
            // As a reference on the server: `Composition/id`.
            locations.get(&key).map(|location| {
                location
                    .strip_prefix(&format!("{}/", target.base))
                    .unwrap_or(location)
                    .to_owned()
            })
        }
        Err(e) => {
            report.failure = Some(format!("pulling {document}: {e}"));
            None
        }
    };
    let status = match (&report.failure, stored) {
        (None, Some(composition)) => {
            task["status"] = json!("completed");
            task["output"] = json!([{
                "type": {"text": "Overgedragen document"},
                "valueReference": {"reference": composition, "type": "Composition"}}]);
            "completed"
        }
        (failure, _) => {
            let why = failure
                .clone()
                .unwrap_or_else(|| "the Composition was not stored".into());
            task["status"] = json!("failed");
            task["statusReason"] = json!({"text": format!("Overdracht niet gelukt: {why}")});
            task["contained"] = json!([{
                "resourceType": "OperationOutcome", "id": "uitkomst",
                "issue": [{"severity": "error", "code": "exception", "diagnostics": why}]}]);
            task["output"] = json!([{
                "type": {"text": "Uitkomst"},
                "valueReference": {"reference": "#uitkomst", "type": "OperationOutcome"}}]);
            "failed"
        }
    };
    let version = version_of(&task);
    target.update(&path, &task, version.as_deref())?;
    Ok(Handled {
        task: path,
        status,
        report,
    })
}

/// The handover document at `document` and what it refers to on the sender: its subject,
/// authors, custodian and section entries, and the practitioners and organisations those
/// name.
fn pull(sender: &FhirClient, document: &str) -> Result<Gathered, Failure> {
    let composition = sender.get(document)?;
    if composition.get("resourceType").and_then(Value::as_str) != Some("Composition") {
        return Err(Failure::Invalid(format!("{document} is not a Composition")));
    }
    let mut wanted = Vec::new();
    for element in ["subject", "custodian"] {
        if let Some(r) = composition[element]["reference"].as_str() {
            wanted.push(r.to_owned());
        }
    }
    for author in composition["author"].as_array().into_iter().flatten() {
        if let Some(r) = author["reference"].as_str() {
            wanted.push(r.to_owned());
        }
    }
    collect_entries(&composition["section"], &mut wanted);
    let mut gathered = Gathered::default();
    gathered.resources.push((
        format!(
            "Composition/{}",
            composition["id"].as_str().unwrap_or_default()
        ),
        composition.clone(),
    ));
    for reference in wanted {
        let relative = reference
            .strip_prefix(&format!("{}/", sender.base))
            .unwrap_or(&reference);
        if relative.contains("://") || relative.starts_with('#') {
            continue;
        }
        let resource = sender.get(relative)?;
        let key = format!(
            "{}/{}",
            resource["resourceType"].as_str().unwrap_or_default(),
            resource["id"].as_str().unwrap_or_default()
        );
        if !gathered.resources.iter().any(|(k, _)| *k == key) {
            gathered.resources.push((key, resource));
        }
    }
    gathered.follow(sender)?;
    Ok(gathered)
}

fn collect_entries(sections: &Value, wanted: &mut Vec<String>) {
    for section in sections.as_array().into_iter().flatten() {
        for entry in section["entry"].as_array().into_iter().flatten() {
            if let Some(r) = entry["reference"].as_str() {
                wanted.push(r.to_owned());
            }
        }
        collect_entries(&section["section"], wanted);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn instants_are_written_in_utc() {
        let text = super::instant_ago(std::time::Duration::ZERO);
        assert_eq!(text.len(), 24, "{text}");
        assert!(text.ends_with('Z') && text.as_bytes()[10] == b'T', "{text}");
    }
}
