//! Embeds the standard's conformance resources (profiles/fsh-generated/resources: the
//! StructureDefinitions, ValueSets, CodeSystems and SearchParameters of the implementation
//! guide) so that the
//! validator knows the Zorgplan Kind&Gezin profiles without reading files at run time.

use std::fmt::Write;
use std::path::Path;

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../profiles/fsh-generated/resources");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    let name = p.file_name().unwrap().to_string_lossy().into_owned();
                    name.ends_with(".json")
                        && [
                            "StructureDefinition-",
                            "ValueSet-",
                            "CodeSystem-",
                            "SearchParameter-",
                        ]
                        .iter()
                        .any(|prefix| name.starts_with(prefix))
                })
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    let mut out = String::from("/// The standard's conformance resources, as JSON text.\npub static STANDARD: &[&str] = &[\n");
    for file in &files {
        println!("cargo:rerun-if-changed={}", file.display());
        writeln!(out, "    include_str!({:?}),", file.canonicalize().unwrap()).unwrap();
    }
    out.push_str("];\n");
    let target = Path::new(&std::env::var("OUT_DIR").unwrap()).join("standard.rs");
    std::fs::write(target, out).unwrap();
}
