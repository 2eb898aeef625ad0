//! The adapters' commands: `zorgplan epd import` and `zorgplan handover`.

use crate::fhir::{Credentials, FhirClient};
use crate::{epd, handover};
use std::path::PathBuf;
use std::time::Duration;

/// How the adapter authenticates (SMART Backend Services, at both ends: it is a registered
/// client of the EPD and of the zorgplan server). Without `--client-id`, no tokens are sent
/// (for servers in development mode).
#[derive(clap::Args, Clone)]
pub struct ClientArgs {
    /// The adapter's client_id, registered at both servers.
    #[arg(long, env = "ZORGPLAN_ADAPTER_CLIENT_ID", requires = "key")]
    client_id: Option<String>,
    /// The private key (PEM, RSA or P-256) its client assertions are signed with.
    #[arg(long, env = "ZORGPLAN_ADAPTER_KEY")]
    key: Option<PathBuf>,
    /// The key's `kid` in the client's registered JWKS.
    #[arg(long, env = "ZORGPLAN_ADAPTER_KID")]
    kid: Option<String>,
    /// The scopes asked for.
    #[arg(long, default_value = "system/*.cruds")]
    scope: String,
    /// Seconds an answer of either server may take.
    #[arg(long, default_value_t = 30)]
    timeout: u64,
}

impl ClientArgs {
    fn client(&self, base: &str) -> Result<FhirClient, String> {
        let credentials = match &self.client_id {
            None => None,
            Some(client_id) => {
                let path = self.key.as_ref().ok_or("--client-id needs --key")?;
                Some(Credentials {
                    client_id: client_id.clone(),
                    private_key: std::fs::read(path)
                        .map_err(|e| format!("cannot read {}: {e}", path.display()))?,
                    kid: self.kid.clone(),
                    scope: self.scope.clone(),
                })
            }
        };
        FhirClient::new(base, credentials, Duration::from_secs(self.timeout.max(1)))
            .map_err(|e| e.to_string())
    }
}

#[derive(clap::Subcommand)]
pub enum EpdCommand {
    /// Import a child's data from a hospital EPD (FHIR R4) into the zorgplan server at
    /// discharge: the child, its family, diagnoses and discharge team, and the
    /// practitioners and organisations they name, in the standard's profiles, in one
    /// transaction; importing again changes nothing. Prints the report (what was taken, with
    /// what became of it, and what was left out and why) and exits with status 1 when
    /// nothing could be written.
    Import(ImportArgs),
}

#[derive(clap::Args)]
pub struct ImportArgs {
    /// The EPD's FHIR base URL.
    #[arg(long)]
    source: String,
    /// The zorgplan server's FHIR base URL.
    #[arg(long)]
    target: String,
    /// The child, by identifier: `http://fhir.nl/fhir/NamingSystem/bsn|…`.
    #[arg(long)]
    patient: String,
    /// Only what changed since this instant (the child and whom the data names are read
    /// anyway).
    #[arg(long)]
    since: Option<String>,
    /// Also write the report as JSON to this file.
    #[arg(long)]
    report: Option<PathBuf>,
    #[command(flatten)]
    client: ClientArgs,
}

#[derive(clap::Args)]
pub struct HandoverArgs {
    /// The zorgplan server's FHIR base URL, where the handover Tasks are.
    #[arg(long)]
    target: String,
    /// The sending EPD's FHIR base URL: Tasks whose document is there are handled.
    #[arg(long)]
    sender: String,
    #[command(flatten)]
    client: ClientArgs,
}

fn write_report(path: Option<&PathBuf>, report: &serde_json::Value) -> Result<(), String> {
    match path {
        Some(path) => std::fs::write(path, format!("{report:#}\n"))
            .map_err(|e| format!("cannot write {}: {e}", path.display())),
        None => Ok(()),
    }
}

/// `zorgplan epd …`: `Ok(false)` when the import wrote nothing.
pub fn epd(command: EpdCommand) -> Result<bool, String> {
    let EpdCommand::Import(args) = command;
    let source = args.client.client(&args.source)?;
    let target = args.client.client(&args.target)?;
    let report = epd::import(&source, &target, &args.patient, args.since.as_deref());
    print!("{report}");
    write_report(args.report.as_ref(), &report.to_json())?;
    Ok(report.failure.is_none())
}

/// `zorgplan handover`: `Ok(false)` when a handover failed.
pub fn handover(args: HandoverArgs) -> Result<bool, String> {
    let target = args.client.client(&args.target)?;
    let sender = args.client.client(&args.sender)?;
    let handled = handover::run(&target, &sender, handover::STALE).map_err(|e| e.to_string())?;
    if handled.is_empty() {
        println!("no handover waits for a document of {}", args.sender);
    }
    for done in &handled {
        println!("{}: {}", done.task, done.status);
        print!("{}", done.report);
    }
    Ok(handled.iter().all(|h| h.status != "failed"))
}
