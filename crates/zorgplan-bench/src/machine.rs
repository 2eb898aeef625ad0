//! The machine the figures were measured on, in one line.

use std::fs;
use std::process::Command;

/// `Machine: 2 CPUs (model), 7.8 GiB memory, rustc 1.95.0 (…)`.
pub fn describe() -> String {
    let cpus =
        std::thread::available_parallelism().map_or_else(|_| "?".to_owned(), |n| n.to_string());
    let model = fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|text| {
            text.lines()
                .find(|line| line.starts_with("model name"))
                .and_then(|line| line.split_once(':'))
                .map(|(_, value)| value.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".to_owned());
    let memory = fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|text| kb_field(&text, "MemTotal:"))
        .map_or_else(
            || "unknown memory".to_owned(),
            |kb| format!("{:.1} GiB memory", kb as f64 / (1024.0 * 1024.0)),
        );
    let rustc = Command::new(std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into()))
        .arg("--version")
        .output()
        .ok()
        .filter(|output| output.status.success())
        .map(|output| String::from_utf8_lossy(&output.stdout).trim().to_owned())
        .unwrap_or_else(|| "rustc unknown".to_owned());
    format!("Machine: nproc {cpus}, {model}, {memory}, {rustc}")
}

/// The value of a `Name:   1234 kB` line of a `/proc` file (meminfo, a process's status).
pub fn kb_field(text: &str, name: &str) -> Option<u64> {
    text.lines()
        .find_map(|line| line.strip_prefix(name))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
}
