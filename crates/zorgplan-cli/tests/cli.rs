//! The `zorgplan` binary itself: its help, and `serve` on a fresh SQLite database with both
//! log formats, over HTTPS and mutual TLS.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_zorgplan");

fn run(args: &[&str]) -> String {
    let out = Command::new(BIN).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn help_documents_every_command_and_option() {
    let help = run(&["--help"]);
    assert!(
        help.contains("serve") && help.contains("validate"),
        "{help}"
    );
    let validate = run(&["validate", "--help"]);
    assert!(validate.contains("OperationOutcome"), "{validate}");
    let serve = run(&["serve", "--help"]);
    for option in [
        "--database-url",
        "--listen",
        "--base-url",
        "--max-body-bytes",
        "--max-bundle-entries",
        "--max-json-depth",
        "--allow-dangling-references",
        "--default-count",
        "--max-count",
        "--db-pool-size",
        "--workers",
        "--log-format",
        "--log",
        "--tls-cert",
        "--tls-key",
        "--tls-client-ca",
        "ZORGPLAN_DATABASE_URL",
    ] {
        assert!(
            serve.contains(option),
            "serve --help lacks {option}:\n{serve}"
        );
    }
    let load = run(&["load", "--help"]);
    for option in ["--url", "--token", "ZORGPLAN_TOKEN", "--timeout"] {
        assert!(load.contains(option), "load --help lacks {option}:\n{load}");
    }
    let conformance = run(&["conformance", "--help"]);
    for option in [
        "--url", "--cases", "--only", "--junit", "--token", "--tokens", "skipped",
    ] {
        assert!(
            conformance.contains(option),
            "conformance --help lacks {option}:\n{conformance}"
        );
    }
    assert!(run(&["--version"]).starts_with("zorgplan "));
}

struct Server {
    child: Child,
    dir: std::path::PathBuf,
    addr: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn start(log_format: &str) -> Server {
    let dir = std::env::temp_dir().join(format!(
        "zorgplan-cli-test-{}-{log_format}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    let (child, addr) = spawn(
        dir.join("nested/zorgplan.db").as_os_str(),
        &["--log-format", log_format],
    );
    Server { child, dir, addr }
}

/// Starts `zorgplan serve` on the database `db` with `args`; answers once it listens.
fn spawn(db: &std::ffi::OsStr, args: &[&str]) -> (Child, String) {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr = format!("127.0.0.1:{port}");
    // Development mode unless the test configures access itself.
    let dev: &[&str] = if args.contains(&"--clients") {
        &[]
    } else {
        &["--dev"]
    };
    let child = Command::new(BIN)
        .args(["serve", "--listen", &addr, "--workers", "1"])
        .args(dev)
        .args(args)
        .arg("--database-url")
        .arg(db)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while TcpStream::connect(&addr).is_err() {
        assert!(Instant::now() < deadline, "the server did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    (child, addr)
}

/// A POST of a JSON body over a plain socket; answers the raw response (empty when the
/// connection broke off).
fn post(addr: &str, path: &str, body: &str) -> String {
    let mut stream = TcpStream::connect(addr).unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/fhir+json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    if stream.write_all(head.as_bytes()).is_err() || stream.write_all(body.as_bytes()).is_err() {
        return String::new();
    }
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    response
}

/// The `total` of a search's JSON response.
fn total(response: &str) -> u64 {
    let body = response.split("\r\n\r\n").nth(1).unwrap_or_default();
    let bundle: serde_json::Value =
        serde_json::from_str(body).unwrap_or_else(|e| panic!("not a Bundle ({e}): {response}"));
    bundle["total"].as_u64().unwrap()
}

/// A server killed while it writes a large transaction has written none of it: after a
/// restart the database holds nothing of the transaction, and it can be sent again whole. On
/// SQLite, and on PostgreSQL when `ZORGPLAN_TEST_POSTGRES_URL` is set (a database of its own,
/// made and dropped with psql).
#[test]
fn a_killed_server_leaves_no_part_of_a_transaction() {
    let dir = std::env::temp_dir().join(format!("zorgplan-cli-kill-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    kill_mid_transaction(dir.join("zorgplan.db").as_os_str());
    let _ = std::fs::remove_dir_all(&dir);
    let Ok(url) = std::env::var("ZORGPLAN_TEST_POSTGRES_URL") else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI must run the PostgreSQL tests: set ZORGPLAN_TEST_POSTGRES_URL"
        );
        eprintln!("ZORGPLAN_TEST_POSTGRES_URL is not set: the PostgreSQL run is skipped");
        return;
    };
    let name = format!("zorgplan_kill_{}", std::process::id());
    let psql = |sql: &str| {
        let status = Command::new("psql")
            .args([url.as_str(), "-v", "ON_ERROR_STOP=1", "-qc", sql])
            .env("PGOPTIONS", "--client-min-messages=warning")
            .status()
            .expect("psql runs");
        assert!(status.success(), "psql {sql}");
    };
    psql(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
    psql(&format!("CREATE DATABASE {name}"));
    let (server, _) = url.rsplit_once('/').expect("a database URL");
    kill_mid_transaction(std::ffi::OsStr::new(&format!("{server}/{name}")));
    psql(&format!("DROP DATABASE {name} WITH (FORCE)"));
}

fn kill_mid_transaction(db: &std::ffi::OsStr) {
    let system = "http://fhir.zorgplankindgezin.nl/fixtures/patient";
    let entries: Vec<serde_json::Value> = (0..1000)
        .map(|i| {
            serde_json::json!({
                "fullUrl": format!("urn:uuid:00000000-0000-0000-0000-{i:012}"),
                "resource": {"resourceType": "Patient",
                    "identifier": [{"system": system, "value": format!("k{i}")}]},
                "request": {"method": "POST", "url": "Patient",
                    "ifNoneExist": format!("identifier={system}|k{i}")}})
        })
        .collect();
    let bundle =
        serde_json::json!({"resourceType": "Bundle", "type": "transaction", "entry": entries})
            .to_string();

    let (mut child, addr) = spawn(db, &["--log", "info,zorgplan_store=debug"]);
    let sender = {
        let (addr, bundle) = (addr.clone(), bundle.clone());
        std::thread::spawn(move || post(&addr, "/", &bundle))
    };
    // Killed as soon as the transaction starts writing.
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let started = lines.any(|line| line.is_ok_and(|l| l.contains("transaction writing")));
    assert!(started, "the server never started writing the transaction");
    child.kill().unwrap();
    child.wait().unwrap();
    let cut_off = sender.join().unwrap();
    assert!(!cut_off.starts_with("HTTP/1.1 200"), "{cut_off}");

    let (mut child, addr) = spawn(db, &[]);
    let count = total(&get(&addr, "/Patient?_summary=count", "after-kill"));
    assert_eq!(count, 0, "a killed transaction left {count} patients");
    let response = post(&addr, "/", &bundle);
    assert!(
        response.starts_with("HTTP/1.1 200"),
        "{}",
        &response[..response.len().min(2000)]
    );
    assert_eq!(
        total(&get(&addr, "/Patient?_summary=count", "after-retry")),
        1000
    );
    child.kill().unwrap();
    child.wait().unwrap();
}

/// A GET over a plain socket; answers the raw response.
fn get(addr: &str, path: &str, request_id: &str) -> String {
    let mut stream = TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nX-Request-Id: {request_id}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
}

/// Stops the server and answers what it logged.
fn logs(mut server: Server) -> String {
    server.child.kill().unwrap();
    let _ = server.child.wait();
    let mut out = String::new();
    server
        .child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    out
}

#[test]
fn serve_with_text_logs() {
    let server = start("text");
    let response = get(&server.addr, "/metadata", "cli-test-1");
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.contains("\"CapabilityStatement\""));
    assert!(response
        .to_ascii_lowercase()
        .contains("x-request-id: cli-test-1"));
    assert!(
        server.dir.join("nested/zorgplan.db").exists(),
        "the database file is created"
    );
    let log = logs(server);
    assert!(
        log.contains("PLAIN HTTP"),
        "without TLS it says so loudly:\n{log}"
    );
    let line = log
        .lines()
        .find(|l| l.contains("cli-test-1"))
        .unwrap_or_else(|| panic!("no log line with the request id:\n{log}"));
    assert!(line.contains("/metadata") && line.contains("200"), "{line}");
    assert!(
        !line.contains('\u{1b}'),
        "no colour codes when not on a terminal"
    );
}

#[test]
fn serve_with_json_logs() {
    let server = start("json");
    let response = get(&server.addr, "/Patient/nobody", "cli-test-2");
    assert!(response.starts_with("HTTP/1.1 404"), "{response}");
    let log = logs(server);
    let mut found = false;
    for line in BufReader::new(log.as_bytes()).lines() {
        let line = line.unwrap();
        let record: serde_json::Value = serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("not a JSON log line ({e}): {line}"));
        if record["span"]["request_id"] == "cli-test-2" {
            assert_eq!(record["fields"]["status"], 404, "{line}");
            found = true;
        }
    }
    assert!(found, "no JSON log record with the request id:\n{log}");
}

#[test]
fn serve_refuses_a_bad_database_url() {
    let out = Command::new(BIN)
        .args([
            "serve",
            "--dev",
            "--database-url",
            "postgres://nobody@127.0.0.1:1/none",
            "--listen",
            "127.0.0.1:0",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot open the database"));
}

/// Where the errors of an OperationOutcome are (warnings such as dom-6, narrative, aside).
fn error_locations(outcome: &serde_json::Value) -> Vec<&str> {
    outcome["issue"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["severity"] == "error")
        .map(|i| i["expression"][0].as_str().unwrap())
        .collect()
}

#[test]
fn validate_reports_an_operation_outcome_per_file() {
    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let valid = repo.join("profiles/fsh-generated/resources/Patient-voorbeeld-kind.json");
    let out = Command::new(BIN)
        .arg("validate")
        .arg(&valid)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let outcome: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(outcome["resourceType"], "OperationOutcome");
    assert_eq!(outcome["issue"][0]["severity"], "information");

    let dir = std::env::temp_dir().join(format!("zorgplan-validate-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let invalid = dir.join("invalid.json");
    std::fs::write(
        &invalid,
        r#"{"resourceType":"Patient","gender":"banana","birthDate":"2015-02-30x"}"#,
    )
    .unwrap();
    let broken = dir.join("broken.json");
    std::fs::write(&broken, "{not json").unwrap();
    let invalid_xml = dir.join("invalid.xml");
    std::fs::write(
        &invalid_xml,
        "<?xml version=\"1.0\"?>\n<Patient xmlns=\"http://hl7.org/fhir\"><gender value=\"banana\"/></Patient>",
    )
    .unwrap();
    let out = Command::new(BIN)
        .arg("validate")
        .args([&valid, &invalid, &broken, &invalid_xml])
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(out.status.code(), Some(1));
    let lines: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 4, "one OperationOutcome per file");
    assert_eq!(
        error_locations(&lines[1]),
        ["Patient.gender", "Patient.birthDate"]
    );
    assert_eq!(lines[2]["issue"][0]["code"], "structure");
    assert_eq!(error_locations(&lines[3]), ["Patient.gender"]);
}

#[test]
fn validate_loads_other_guides_and_profiles() {
    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    // A partner's profile: the standard's KindPatient, with gender required.
    let mut sd: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            repo.join("profiles/fsh-generated/resources/StructureDefinition-kind-patient.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let url = "http://example.org/StructureDefinition/partner-patient";
    sd["url"] = url.into();
    sd["id"] = "partner-patient".into();
    for element in sd["snapshot"]["element"].as_array_mut().unwrap() {
        if element["id"] == "Patient.gender" {
            element["min"] = 1.into();
        }
    }
    let dir = std::env::temp_dir().join(format!("zorgplan-ig-{}", std::process::id()));
    let package = dir.join("guide/package");
    std::fs::create_dir_all(&package).unwrap();
    std::fs::write(
        package.join("StructureDefinition-partner-patient.json"),
        sd.to_string(),
    )
    .unwrap();
    let patient = dir.join("patient.json");
    std::fs::write(
        &patient,
        r#"{"resourceType":"Patient","birthDate":"2015-03-01"}"#,
    )
    .unwrap();
    let tgz = dir.join("partner.tgz");
    let packed = Command::new("tar")
        .arg("czf")
        .arg(&tgz)
        .arg("-C")
        .arg(dir.join("guide"))
        .arg("package")
        .status()
        .unwrap();
    assert!(packed.success());

    let validate = |extra: &[&std::ffi::OsStr]| {
        Command::new(BIN)
            .arg("validate")
            .args(extra)
            .arg(&patient)
            .output()
            .unwrap()
    };
    // Without the guide the profile is unknown.
    let unknown = validate(&["--profile".as_ref(), url.as_ref()]);
    assert_eq!(unknown.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("not known"));
    // From a folder, and from a package: gender is missing.
    for ig in [dir.join("guide"), tgz.clone()] {
        let out = validate(&[
            "--ig".as_ref(),
            ig.as_os_str(),
            "--profile".as_ref(),
            url.as_ref(),
        ]);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let outcome: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(error_locations(&outcome), ["Patient.gender"], "{outcome}");
    }
    // The profile is only applied when asked for.
    let plain = validate(&["--ig".as_ref(), tgz.as_os_str()]);
    assert!(plain.status.success());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn reindex_indexes_every_stored_resource() {
    let dir = std::env::temp_dir().join(format!("zorgplan-reindex-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("z.db");
    let out = Command::new(BIN)
        .args(["reindex", "--batch", "10", "--database-url"])
        .arg(&db)
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "indexed 0 resources"
    );
}

#[test]
fn generate_stores_a_population_and_updates_it_when_run_again() {
    let dir = std::env::temp_dir().join(format!("zorgplan-generate-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("z.db");
    let db = db.to_str().unwrap();
    let first = run(&[
        "generate",
        "--children",
        "6",
        "--batch",
        "4",
        "--database-url",
        db,
    ]);
    let stored: usize = first
        .split_once(": ")
        .and_then(|(_, rest)| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{first}"));
    assert!(first.starts_with("stored 6 children"), "{first}");
    assert!((6 * 24..=6 * 56 + 20).contains(&stored), "{first}");
    // The same ids again: new versions, no new resources.
    let second = run(&["generate", "--children", "6", "--database-url", db]);
    assert!(
        second.contains(&format!(": {stored} resources")),
        "{second}"
    );
    let reindexed = run(&["reindex", "--database-url", db]);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(reindexed.trim(), format!("indexed {stored} resources"));
}

/// Certificates made for a test, as PEM files in `dir`: a CA (`ca.pem`), the server's
/// certificate for 127.0.0.1 (`server.pem`, `server.key`) and a client's (`client.pem`,
/// `client.key`) that it issued, and a client certificate of another CA (`stranger.pem`,
/// `stranger.key`).
mod pki {
    use openssl::asn1::Asn1Time;
    use openssl::bn::{BigNum, MsbOption};
    use openssl::ec::{EcGroup, EcKey};
    use openssl::hash::MessageDigest;
    use openssl::nid::Nid;
    use openssl::pkey::{PKey, Private};
    use openssl::x509::extension::{BasicConstraints, KeyUsage, SubjectAlternativeName};
    use openssl::x509::{X509Name, X509};
    use std::path::Path;

    fn key() -> PKey<Private> {
        let group = EcGroup::from_curve_name(Nid::X9_62_PRIME256V1).unwrap();
        PKey::from_ec_key(EcKey::generate(&group).unwrap()).unwrap()
    }

    /// A certificate for `name` with `key`, signed by `issuer` (itself when `None`).
    fn certificate(
        name: &str,
        key: &PKey<Private>,
        issuer: Option<(&X509, &PKey<Private>)>,
        ca: bool,
    ) -> X509 {
        let mut subject = X509Name::builder().unwrap();
        subject.append_entry_by_text("CN", name).unwrap();
        let subject = subject.build();
        let mut builder = X509::builder().unwrap();
        builder.set_version(2).unwrap();
        let mut serial = BigNum::new().unwrap();
        serial.rand(64, MsbOption::MAYBE_ZERO, false).unwrap();
        builder
            .set_serial_number(&serial.to_asn1_integer().unwrap())
            .unwrap();
        builder.set_subject_name(&subject).unwrap();
        builder
            .set_issuer_name(issuer.map_or(&subject, |(cert, _)| cert.subject_name()))
            .unwrap();
        builder.set_pubkey(key).unwrap();
        builder
            .set_not_before(&Asn1Time::days_from_now(0).unwrap())
            .unwrap();
        builder
            .set_not_after(&Asn1Time::days_from_now(1).unwrap())
            .unwrap();
        if ca {
            builder
                .append_extension(BasicConstraints::new().critical().ca().build().unwrap())
                .unwrap();
            builder
                .append_extension(KeyUsage::new().key_cert_sign().build().unwrap())
                .unwrap();
        } else {
            let san = SubjectAlternativeName::new()
                .ip("127.0.0.1")
                .build(&builder.x509v3_context(issuer.map(|(cert, _)| &**cert), None))
                .unwrap();
            builder.append_extension(san).unwrap();
        }
        let signer = issuer.map_or(key, |(_, key)| key);
        builder.sign(signer, MessageDigest::sha256()).unwrap();
        builder.build()
    }

    fn write(dir: &Path, name: &str, cert: &X509, key: &PKey<Private>) {
        std::fs::write(dir.join(format!("{name}.pem")), cert.to_pem().unwrap()).unwrap();
        std::fs::write(
            dir.join(format!("{name}.key")),
            key.private_key_to_pem_pkcs8().unwrap(),
        )
        .unwrap();
    }

    pub fn make(dir: &Path) {
        std::fs::create_dir_all(dir).unwrap();
        let ca_key = key();
        let ca = certificate("Test CA", &ca_key, None, true);
        std::fs::write(dir.join("ca.pem"), ca.to_pem().unwrap()).unwrap();
        for name in ["server", "client"] {
            let key = key();
            write(
                dir,
                name,
                &certificate(name, &key, Some((&ca, &ca_key)), false),
                &key,
            );
        }
        let other_key = key();
        let other = certificate("Other CA", &other_key, None, true);
        let key = key();
        write(
            dir,
            "stranger",
            &certificate("stranger", &key, Some((&other, &other_key)), false),
            &key,
        );
    }
}

/// `GET /metadata` over TLS, trusting `dir/ca.pem`, presenting `dir/<client>.pem` when given:
/// the raw response, or what failed.
fn get_over_tls(addr: &str, dir: &std::path::Path, client: Option<&str>) -> String {
    get_path_over_tls(addr, dir, client, "/metadata")
}

/// `GET path` over TLS, as [`get_over_tls`].
fn get_path_over_tls(
    addr: &str,
    dir: &std::path::Path,
    client: Option<&str>,
    path: &str,
) -> String {
    use openssl::ssl::{SslConnector, SslFiletype, SslMethod};
    let mut connector = SslConnector::builder(SslMethod::tls_client()).unwrap();
    connector.set_ca_file(dir.join("ca.pem")).unwrap();
    if let Some(client) = client {
        connector
            .set_certificate_chain_file(dir.join(format!("{client}.pem")))
            .unwrap();
        connector
            .set_private_key_file(dir.join(format!("{client}.key")), SslFiletype::PEM)
            .unwrap();
    }
    let stream = TcpStream::connect(addr).unwrap();
    let mut tls = match connector.build().connect("127.0.0.1", stream) {
        Ok(tls) => tls,
        Err(e) => return format!("handshake failed: {e}"),
    };
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    if let Err(e) = tls.write_all(request.as_bytes()) {
        return format!("write failed: {e}");
    }
    let mut response = Vec::new();
    let read = tls.read_to_end(&mut response);
    if response.is_empty() {
        return format!("no answer: {read:?}");
    }
    String::from_utf8_lossy(&response).into_owned()
}

/// HTTPS, and mutual TLS: with --tls-cert and --tls-key the server speaks TLS only; with
/// --tls-client-ca too, only to clients with a certificate that CA issued.
#[test]
fn serve_over_tls_and_mutual_tls() {
    let dir = std::env::temp_dir().join(format!("zorgplan-cli-test-{}-tls", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    pki::make(&dir);
    let path = |name: &str| dir.join(name).display().to_string();
    let tls = [
        "--tls-cert",
        &path("server.pem"),
        "--tls-key",
        &path("server.key"),
    ];

    let (child, addr) = spawn(dir.join("tls.db").as_os_str(), &tls);
    let server = Server {
        child,
        dir: dir.join("tls-server"),
        addr,
    };
    let response = get_over_tls(&server.addr, &dir, None);
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.contains("\"CapabilityStatement\""), "{response}");
    // Plain HTTP to the TLS port gets no HTTP answer.
    let mut plain = TcpStream::connect(&server.addr).unwrap();
    plain
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let _ = write!(
        plain,
        "GET /metadata HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    );
    let mut answer = String::new();
    let _ = plain.read_to_string(&mut answer);
    assert!(!answer.contains("CapabilityStatement"), "{answer}");
    let log = logs(server);
    assert!(log.contains("over HTTPS"), "{log}");

    let client_ca = path("ca.pem");
    let mutual = [tls.as_slice(), &["--tls-client-ca", &client_ca]].concat();
    let (child, addr) = spawn(dir.join("mtls.db").as_os_str(), &mutual);
    let server = Server {
        child,
        dir: dir.join("mtls-server"),
        addr,
    };
    let response = get_over_tls(&server.addr, &dir, Some("client"));
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    for client in [None, Some("stranger")] {
        let response = get_over_tls(&server.addr, &dir, client);
        assert!(!response.starts_with("HTTP/1.1"), "{client:?}: {response}");
    }
    drop(server);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Mutual TLS without tokens: the certificate of a registered client (by its SHA-256
/// fingerprint in --clients) stands for that client, with its registered scopes; another
/// certificate of the same CA gets 401.
#[test]
fn serve_maps_client_certificates_to_registered_clients() {
    use openssl::hash::MessageDigest;
    use openssl::x509::X509;
    let dir = std::env::temp_dir().join(format!(
        "zorgplan-cli-test-{}-mtls-clients",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    pki::make(&dir);
    let path = |name: &str| dir.join(name).display().to_string();
    let certificate = X509::from_pem(&std::fs::read(dir.join("client.pem")).unwrap()).unwrap();
    let fingerprint: Vec<String> = certificate
        .digest(MessageDigest::sha256())
        .unwrap()
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect();
    let clients = serde_json::json!([{"client_id": "epd", "ura": "12345678",
        "scope": "system/Patient.rs", "certificate_sha256": fingerprint.join(":")}]);
    std::fs::write(dir.join("clients.json"), clients.to_string()).unwrap();
    let (clients, ca) = (path("clients.json"), path("ca.pem"));
    let args = [
        "--tls-cert",
        &path("server.pem"),
        "--tls-key",
        &path("server.key"),
        "--tls-client-ca",
        &ca,
        "--clients",
        &clients,
        "--base-url",
        "https://zorgplan.test",
    ];
    let (child, addr) = spawn(dir.join("clients.db").as_os_str(), &args);
    let server = Server {
        child,
        dir: dir.join("clients-server"),
        addr,
    };
    let response = get_path_over_tls(&server.addr, &dir, Some("client"), "/Patient");
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.contains("\"searchset\""), "{response}");
    // Its registration covers Patient reads only.
    let response = get_path_over_tls(&server.addr, &dir, Some("client"), "/CarePlan");
    assert!(response.starts_with("HTTP/1.1 403"), "{response}");
    // The CA's other certificate is no registered client.
    let response = get_path_over_tls(&server.addr, &dir, Some("server"), "/Patient");
    assert!(response.starts_with("HTTP/1.1 401"), "{response}");
    drop(server);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// --tls-key without --tls-cert (and the other way round) is refused before anything starts.
#[test]
fn serve_refuses_half_a_tls_configuration() {
    for args in [
        ["--tls-cert", "server.pem"],
        ["--tls-key", "server.key"],
        ["--tls-client-ca", "ca.pem"],
    ] {
        let out = Command::new(BIN).arg("serve").args(args).output().unwrap();
        assert!(!out.status.success(), "{args:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("required"),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// Without --dev the server needs an issuer of access tokens, and with one its keys: it never
/// starts open by accident.
#[test]
fn serve_needs_an_issuer_or_dev_mode() {
    let run = |args: &[&str]| {
        let out = Command::new(BIN)
            .arg("serve")
            .args(args)
            .args(["--listen", "127.0.0.1:0", "--database-url", ":memory:"])
            .env_remove("ZORGPLAN_DEV")
            .env_remove("ZORGPLAN_AUTH_ISSUER")
            .output()
            .unwrap();
        assert!(!out.status.success(), "{args:?}");
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let none = run(&[]);
    assert!(none.contains("--auth-issuer"), "{none}");
    let no_keys = run(&[
        "--auth-issuer",
        "https://auth.example.org",
        "--auth-audience",
        "https://zorgplan.example.org/fhir",
    ]);
    assert!(no_keys.contains("--auth-key"), "{no_keys}");
    let both = run(&["--dev", "--auth-issuer", "https://auth.example.org"]);
    assert!(both.contains("cannot be used with"), "{both}");
}

/// `zorgplan load` of `paths` into the server at `addr`: its exit status, standard output
/// and standard error.
fn load(addr: &str, paths: &[&std::path::Path]) -> (bool, String, String) {
    let out = Command::new(BIN)
        .arg("load")
        .args(paths)
        .args(["--url", &format!("http://{addr}")])
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn fixtures(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../../fixtures/{name}"))
}

/// A server in development mode on a fresh SQLite database of its own.
fn start_dev(name: &str) -> Server {
    let dir = std::env::temp_dir().join(format!("zorgplan-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let (child, addr) = spawn(dir.join("zorgplan.db").as_os_str(), &[]);
    Server { child, dir, addr }
}

#[test]
fn load_sends_a_scenario_in_order_and_again_changes_nothing() {
    let server = start_dev("load");
    let (ok, out, err) = load(&server.addr, &[&fixtures("S1")]);
    assert!(ok, "{out}\n{err}");
    // Seven steps; the first creates the child, its family and network (26 entries).
    assert!(
        out.contains("S1/01-ontslag-kind-gezin-netwerk.json"),
        "{out}"
    );
    let last = out.lines().last().unwrap();
    assert!(last.starts_with("7 steps, 82 entries: "), "{out}");
    assert!(!last.contains(" 0 created"), "{out}");
    let patients = get(
        &server.addr,
        "/Patient?_total=accurate&_summary=count",
        "load-1",
    );
    assert!(total(&patients) >= 1, "{patients}");
    // Loading it again leaves the same end state: nothing new.
    let (ok, again, err) = load(&server.addr, &[&fixtures("S1")]);
    assert!(ok, "{again}\n{err}");
    assert!(
        again
            .lines()
            .last()
            .unwrap()
            .contains(" 0 created, 82 updated or unchanged, 0 failed"),
        "{again}"
    );
    let after = get(
        &server.addr,
        "/Patient?_total=accurate&_summary=count",
        "load-2",
    );
    assert_eq!(total(&after), total(&patients));
}

#[test]
fn load_sends_nothing_from_a_folder_of_other_files_and_stops_at_a_refused_step() {
    let server = start_dev("load-refused");
    // A folder of single resources (not Bundles): refused before anything is sent.
    let (ok, out, err) = load(&server.addr, &[&fixtures("invalid")]);
    assert!(!ok, "{out}");
    assert!(err.contains("nothing was sent"), "{err}");
    let none = get(
        &server.addr,
        "/Goal?_total=accurate&_summary=count",
        "load-3",
    );
    assert_eq!(total(&none), 0, "{none}");
    // Three steps, of which the second holds a goal without a life domain: the first is
    // stored, the load stops at the second with the server's issue, the third is not sent.
    let dir = server.dir.join("scenario");
    std::fs::create_dir_all(&dir).unwrap();
    let step = |resource: serde_json::Value| {
        let (t, id) = (&resource["resourceType"], &resource["id"]);
        let url = format!("{}/{}", t.as_str().unwrap(), id.as_str().unwrap());
        serde_json::json!({"resourceType": "Bundle", "type": "transaction", "entry": [{
            "resource": resource, "request": {"method": "PUT", "url": url}}]})
    };
    let basic = |id: &str| {
        serde_json::json!({"resourceType": "Basic", "id": id, "code": {"text": id},
            "text": {"status": "generated",
                     "div": format!("<div xmlns=\"http://www.w3.org/1999/xhtml\">{id}</div>")}})
    };
    let invalid: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(fixtures("invalid/doel-zonder-kinderleefdomein.json")).unwrap(),
    )
    .unwrap();
    for (file, bundle) in [
        ("01-eerste.json", step(basic("eerste"))),
        ("02-ongeldig.json", step(invalid)),
        ("03-derde.json", step(basic("derde"))),
    ] {
        std::fs::write(dir.join(file), bundle.to_string()).unwrap();
    }
    let (ok, out, err) = load(&server.addr, &[&dir]);
    assert!(!ok, "{out}");
    assert!(
        err.contains("step 2 of 3 failed: scenario/02-ongeldig.json"),
        "{err}"
    );
    assert!(err.contains("HTTP 4") && err.contains("error"), "{err}");
    assert!(out.contains("scenario/01-eerste.json"), "{out}");
    let stored = get(
        &server.addr,
        "/Basic?_total=accurate&_summary=count",
        "load-4",
    );
    assert_eq!(total(&stored), 1, "{stored}");
    let goals = get(
        &server.addr,
        "/Goal?_total=accurate&_summary=count",
        "load-5",
    );
    assert_eq!(total(&goals), 0, "{goals}");
}

#[test]
fn conformance_reports_a_table_and_junit_and_fails_on_a_failed_case() {
    let server = start_dev("conformance");
    let junit = server.dir.join("junit.xml");
    let cases =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../conformance-tests/cases");
    let run = |cases: &std::path::Path, only: &str| {
        Command::new(BIN)
            .arg("conformance")
            .args(["--url", &format!("http://{}", server.addr), "--only", only])
            .arg("--cases")
            .arg(cases)
            .arg("--junit")
            .arg(&junit)
            .output()
            .unwrap()
    };
    let out = run(&cases, "rest/");
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{table}");
    assert!(table.contains("pass  rest/if-match"), "{table}");
    assert!(
        table
            .lines()
            .last()
            .unwrap()
            .ends_with("0 failed, 0 skipped"),
        "{table}"
    );
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(
        xml.contains("<testcase classname=\"rest\" name=\"if-match\""),
        "{xml}"
    );
    assert!(xml.contains("failures=\"0\""), "{xml}");
    // A case that fails: exit status 1, and the failure in the table and the XML.
    let own = server.dir.join("cases");
    std::fs::create_dir_all(&own).unwrap();
    std::fs::write(
        own.join("wrong.json"),
        r#"{"steps": [{"request": {"method": "GET", "url": "metadata"},
                       "expect": {"assert": ["CapabilityStatement.fhirVersion = '5.0.0'"]}}]}"#,
    )
    .unwrap();
    let out = run(&own, "wrong");
    let table = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{table}");
    assert!(table.contains("FAIL  wrong"), "{table}");
    assert!(std::fs::read_to_string(&junit)
        .unwrap()
        .contains("<failure message="));
    // A case acting as a role runs with that role's token from --tokens, and is skipped
    // without one; a tokens file that is not a JSON object of tokens is an error.
    std::fs::write(
        own.join("role.json"),
        r#"{"roles": {"ouder": "a parent"},
            "steps": [{"as": "ouder", "request": {"method": "GET", "url": "metadata"},
                       "expect": {"status": 200}}]}"#,
    )
    .unwrap();
    let with_tokens = |file: &std::path::Path| {
        Command::new(BIN)
            .arg("conformance")
            .args([
                "--url",
                &format!("http://{}", server.addr),
                "--only",
                "role",
            ])
            .arg("--cases")
            .arg(&own)
            .arg("--tokens")
            .arg(file)
            .output()
            .unwrap()
    };
    let tokens = server.dir.join("roles.json");
    std::fs::write(&tokens, r#"{"ouder": "eyJ.a.b"}"#).unwrap();
    let out = with_tokens(&tokens);
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && table.contains("pass  role"),
        "{table}"
    );
    let out = run(&own, "role");
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && table.contains("skip  role") && table.contains("'ouder'"),
        "{table}"
    );
    std::fs::write(&tokens, r#"["eyJ.a.b"]"#).unwrap();
    let out = with_tokens(&tokens);
    let error = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{error}");
    assert!(error.contains("not a JSON object"), "{error}");
}
