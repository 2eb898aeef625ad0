//! `zorgplan load`: sends the steps of scenarios (fixtures) to a FHIR server, in order.
//!
//! A scenario is a folder of steps, `01-….json`, `02-….json`, …, each a transaction (or
//! batch) Bundle sent as `POST [base]`; a single Bundle file is one step. Every file is read
//! and checked before anything is sent, so a folder that holds something else sends
//! nothing. The steps depend on each other, so the first that fails stops the load, with the
//! server's OperationOutcome.

use serde_json::Value;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

#[derive(clap::Args)]
pub struct LoadArgs {
    /// Scenario folders (their `*.json` steps in name order) or single Bundle files, loaded in
    /// the order given.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// The FHIR base URL of the server to load into.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    url: String,
    /// A bearer token to send (for a server that requires access tokens).
    #[arg(long, env = "ZORGPLAN_TOKEN", hide_env_values = true)]
    token: Option<String>,
    /// Seconds to wait for the answer to one step.
    #[arg(long, default_value_t = 60)]
    timeout: u64,
}

/// One step: a Bundle read from a file.
struct Step {
    name: String,
    bundle: Vec<u8>,
    entries: usize,
}

/// What the server answered to one step.
#[derive(Default)]
struct Outcome {
    created: usize,
    updated: usize,
    failed: usize,
    millis: u128,
}

pub fn load(args: LoadArgs) -> Result<(), String> {
    let mut steps = Vec::new();
    for path in &args.paths {
        steps.extend(steps_of(path)?);
    }
    if steps.is_empty() {
        return Err("no steps to load: the folders hold no .json files".into());
    }
    let client = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(args.timeout))
        .build()
        .map_err(|e| format!("the HTTP client: {e}"))?;
    let base = args.url.trim_end_matches('/').to_owned();
    let progress = Progress::new(steps.len());
    let started = Instant::now();
    let mut done: Vec<(&Step, Outcome)> = Vec::new();
    for (n, step) in steps.iter().enumerate() {
        progress.show(n, &step.name);
        let result = send(&client, &base, args.token.as_deref(), step);
        progress.clear();
        match result {
            Ok(outcome) => done.push((step, outcome)),
            Err(why) => {
                summary(&done, started.elapsed());
                return Err(format!(
                    "step {} of {} failed: {}\n{why}",
                    n + 1,
                    steps.len(),
                    step.name
                ));
            }
        }
    }
    summary(&done, started.elapsed());
    let failed: usize = done.iter().map(|(_, o)| o.failed).sum();
    if failed > 0 {
        return Err(format!("{failed} batch entries failed (see above)"));
    }
    Ok(())
}

/// The steps of a folder (its `*.json` files in name order) or of one file.
fn steps_of(path: &Path) -> Result<Vec<Step>, String> {
    let folder = path.is_dir();
    let files = if folder {
        let mut files: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(|e| format!("{}: {e}", path.display()))?
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        files.sort();
        files
    } else {
        vec![path.to_owned()]
    };
    let folder_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    files
        .into_iter()
        .map(|file| {
            let bytes = std::fs::read(&file).map_err(|e| format!("{}: {e}", file.display()))?;
            let bundle: Value = serde_json::from_slice(&bytes)
                .map_err(|e| format!("{}: not JSON: {e}", file.display()))?;
            let kind = bundle.get("type").and_then(Value::as_str);
            if bundle.get("resourceType").and_then(Value::as_str) != Some("Bundle")
                || !matches!(kind, Some("transaction" | "batch"))
            {
                return Err(format!(
                    "{}: a step must be a transaction or batch Bundle; nothing was sent",
                    file.display()
                ));
            }
            let name = if folder {
                let file_name = file.file_name().unwrap_or_default().to_string_lossy();
                format!("{folder_name}/{file_name}")
            } else {
                file.display().to_string()
            };
            Ok(Step {
                name,
                entries: bundle
                    .get("entry")
                    .and_then(Value::as_array)
                    .map_or(0, Vec::len),
                bundle: bytes,
            })
        })
        .collect()
}

/// Sends one step; the counts of its answer, or why it failed.
fn send(
    client: &reqwest::blocking::Client,
    base: &str,
    token: Option<&str>,
    step: &Step,
) -> Result<Outcome, String> {
    let started = Instant::now();
    let mut request = client
        .post(base)
        .header("Content-Type", "application/fhir+json")
        .header("Accept", "application/fhir+json")
        .header("Prefer", "return=minimal")
        .body(step.bundle.clone());
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().map_err(|e| format!("  {base}: {e}"))?;
    let status = response.status();
    let text = response
        .text()
        .map_err(|e| format!("  reading the answer: {e}"))?;
    let body: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    if !status.is_success() {
        return Err(format!("  HTTP {status}\n{}", issues(&body, &text)));
    }
    let mut outcome = Outcome {
        millis: started.elapsed().as_millis(),
        ..Outcome::default()
    };
    for entry in body
        .get("entry")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let status = entry["response"]["status"].as_str().unwrap_or_default();
        match status.split_whitespace().next() {
            Some("201") => outcome.created += 1,
            Some(code) if code.starts_with('2') || code == "304" => outcome.updated += 1,
            _ => {
                outcome.failed += 1;
                eprintln!(
                    "{}: entry answered {status}\n{}",
                    step.name,
                    issues(&entry["response"]["outcome"], "")
                );
            }
        }
    }
    Ok(outcome)
}

/// The issues of an OperationOutcome, one per line (else the text as it came).
fn issues(outcome: &Value, text: &str) -> String {
    let lines: Vec<String> = outcome
        .get("issue")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|issue| {
            let field = |name: &str| issue.get(name).and_then(Value::as_str).unwrap_or("");
            let place = issue
                .get("expression")
                .and_then(Value::as_array)
                .and_then(|e| e.first())
                .and_then(Value::as_str)
                .map(|e| format!(" at {e}"))
                .unwrap_or_default();
            format!(
                "  {} {}{place}: {}",
                field("severity"),
                field("code"),
                field("diagnostics")
            )
        })
        .collect();
    if lines.is_empty() {
        format!("  {}", text.chars().take(2000).collect::<String>())
    } else {
        lines.join("\n")
    }
}

/// The table of what each step did, and the totals.
fn summary(done: &[(&Step, Outcome)], elapsed: Duration) {
    if done.is_empty() {
        return;
    }
    let width = done.iter().map(|(s, _)| s.name.len()).max().unwrap_or(4);
    println!(
        "{:width$}  {:>7}  {:>7}  {:>7}  {:>6}  {:>7}",
        "step", "entries", "created", "updated", "failed", "ms"
    );
    let mut totals = (0, 0, 0, 0);
    for (step, o) in done {
        println!(
            "{:width$}  {:>7}  {:>7}  {:>7}  {:>6}  {:>7}",
            step.name, step.entries, o.created, o.updated, o.failed, o.millis
        );
        totals.0 += step.entries;
        totals.1 += o.created;
        totals.2 += o.updated;
        totals.3 += o.failed;
    }
    println!(
        "{} steps, {} entries: {} created, {} updated or unchanged, {} failed, in {:.1} s",
        done.len(),
        totals.0,
        totals.1,
        totals.2,
        totals.3,
        elapsed.as_secs_f64()
    );
}

/// A progress bar on a terminal (standard error); nothing otherwise.
struct Progress {
    steps: usize,
    terminal: bool,
}

impl Progress {
    fn new(steps: usize) -> Progress {
        Progress {
            steps,
            terminal: std::io::stderr().is_terminal(),
        }
    }

    fn show(&self, done: usize, name: &str) {
        if !self.terminal {
            return;
        }
        const WIDTH: usize = 30;
        let filled = WIDTH * done / self.steps.max(1);
        eprint!(
            "\r[{}{}] {}/{} {name}\x1b[K",
            "#".repeat(filled),
            "-".repeat(WIDTH - filled),
            done + 1,
            self.steps
        );
        let _ = std::io::stderr().flush();
    }

    fn clear(&self) {
        if self.terminal {
            eprint!("\r\x1b[K");
        }
    }
}
