#!/usr/bin/env bash
# `make package-check`: proves that profiles/package.tgz loads as a FHIR package. It installs
# the package into a scratch FHIR package cache and compiles, with SUSHI, a small guide that
# depends on zorgplan.kindgezin.r4 and derives from its profiles, binds to its value sets and
# uses its extensions: that only works when the package's layout, package.json and
# .index.json are what FHIR package loaders expect.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
version="$(sed -n 's/^version: *//p' "$root/profiles/sushi-config.yaml")"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

cache="$scratch/home/.fhir/packages"
mkdir -p "$cache/zorgplan.kindgezin.r4#$version"
tar xzf "$root/profiles/package.tgz" -C "$cache/zorgplan.kindgezin.r4#$version"
cp -r "$root/profiles/.fhir-home/.fhir/packages/hl7.fhir.r4.core#4.0.1" "$cache/"

mkdir -p "$scratch/guide/input/fsh"
cat > "$scratch/guide/sushi-config.yaml" <<YAML
canonical: http://example.org/package-check
fhirVersion: 4.0.1
FSHOnly: true
status: draft
version: 0.0.1
dependencies:
  zorgplan.kindgezin.r4: $version
YAML
cat > "$scratch/guide/input/fsh/check.fsh" <<'FSH'
Profile: RegionaalZorgplan
Parent: http://fhir.zorgplankindgezin.nl/StructureDefinition/zorgplan-kind-gezin
Id: regionaal-zorgplan
Description: "Derives from the package's plan profile."
* extension[mks-fase] 1..1

Profile: RegionaalDoel
Parent: http://fhir.zorgplankindgezin.nl/StructureDefinition/doel-kind-gezin
Id: regionaal-doel
Description: "Binds to the package's value set."
* category from http://fhir.zorgplankindgezin.nl/ValueSet/kinderleefdomein (required)
FSH
log="$scratch/sushi.log"
if ! HOME="$scratch/home" "$root/profiles/node_modules/.bin/sushi" build "$scratch/guide" >"$log" 2>&1 \
    || grep -qE '^\s*error ' "$log" \
    || ! grep -q "Loaded zorgplan.kindgezin.r4#$version" "$log"; then
    cat "$log"
    echo "package-check: profiles/package.tgz does not load as a FHIR package" >&2
    exit 1
fi
grep -E "Loaded zorgplan.kindgezin.r4" "$log" | sed 's/^ *//'
echo "package-check: a guide depending on zorgplan.kindgezin.r4#$version compiles"
