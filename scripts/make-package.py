#!/usr/bin/env python3
"""`make package`: the FHIR NPM package zorgplan.kindgezin.r4 from profiles/fsh-generated.

Writes profiles/package.tgz laid out as the FHIR package specification describes, so that
the HL7 Java validator, Firely and HAPI can load it:

    package/package.json          name, version, canonical, fhirVersions, dependencies
    package/.index.json           one row per resource (filename, resourceType, id, url, …)
    package/<Type>-<id>.json      each conformance resource
    package/example/...           the example instances, with their own .index.json

The archive is reproducible: sorted entries, fixed timestamps and owners.
"""
import gzip
import io
import json
import pathlib
import sys
import tarfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
GENERATED = ROOT / "profiles" / "fsh-generated" / "resources"
OUTPUT = ROOT / "profiles" / "package.tgz"
NAME = "zorgplan.kindgezin.r4"
CANONICAL = "http://fhir.zorgplankindgezin.nl"
CONFORMANCE = {
    "StructureDefinition", "ValueSet", "CodeSystem", "SearchParameter", "OperationDefinition",
    "CapabilityStatement", "ConceptMap", "NamingSystem", "ImplementationGuide",
    "CompartmentDefinition", "StructureMap", "GraphDefinition", "MessageDefinition",
}
INDEXED = ("url", "version", "kind", "type", "supplements")


def config_version():
    for line in (ROOT / "profiles" / "sushi-config.yaml").read_text().splitlines():
        if line.startswith("version:"):
            return line.split(":", 1)[1].strip().strip("'\"")
    sys.exit("no version in profiles/sushi-config.yaml")


def index_row(filename, resource):
    row = {"filename": filename, "resourceType": resource["resourceType"], "id": resource["id"]}
    row.update({k: resource[k] for k in INDEXED if k in resource})
    return row


def add(tar, name, data):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = 0
    info.mode = 0o644
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    tar.addfile(info, io.BytesIO(data))


def main():
    files = sorted(GENERATED.glob("*.json"))
    if not files:
        sys.exit("profiles/fsh-generated/resources is empty: run `make profiles` first")
    version = config_version()
    members = {}
    index, example_index = [], []
    for path in files:
        resource = json.loads(path.read_text())
        filename = f"{resource['resourceType']}-{resource['id']}.json"
        body = (json.dumps(resource, indent=2, ensure_ascii=False) + "\n").encode()
        if resource["resourceType"] in CONFORMANCE:
            members[f"package/{filename}"] = body
            index.append(index_row(filename, resource))
        else:
            members[f"package/example/{filename}"] = body
            example_index.append(index_row(filename, resource))
    manifest = {
        "name": NAME,
        "version": version,
        "description": "Informatiestandaard Zorgplan Kind&Gezin: one overarching care plan per "
        "seriously or chronically ill child and family (FHIR R4).",
        "canonical": CANONICAL,
        "url": CANONICAL,
        "fhirVersions": ["4.0.1"],
        "type": "IG",
        "license": "CC0-1.0",
        "author": "Zorgplan Kind&Gezin",
        "dependencies": {"hl7.fhir.r4.core": "4.0.1"},
        "directories": {"lib": "package", "example": "example"},
    }
    members["package/package.json"] = (json.dumps(manifest, indent=2) + "\n").encode()
    members["package/.index.json"] = json.dumps({"index-version": 1, "files": index}, indent=1).encode()
    if example_index:
        members["package/example/.index.json"] = json.dumps(
            {"index-version": 1, "files": example_index}, indent=1
        ).encode()
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for name in sorted(members):
            add(tar, name, members[name])
    with open(OUTPUT, "wb") as out:
        with gzip.GzipFile(fileobj=out, mode="wb", mtime=0, filename="") as gz:
            gz.write(raw.getvalue())
    print(f"package: {OUTPUT.relative_to(ROOT)} ({NAME}#{version}: {len(index)} resources, "
          f"{len(example_index)} examples)")


if __name__ == "__main__":
    main()
