#!/usr/bin/env python3
"""Writes the parts of openapi.yaml that come from the standard's profiles.

For each profile of a resource type in profiles/fsh-generated (the compiled implementation
guide), a JSON Schema of the resource as the profile constrains it (its elements, their
cardinality, which are required, and their JSON types, from the profile's snapshot), and
`POST /{Type}` and `PUT /{Type}/{id}` with that schema as their request body. The rest of
openapi.yaml is written by hand; the generated parts sit between marker comments. Needs only
Python's standard library. `make openapi`; CI fails when the committed file differs.
"""

import glob
import json
import os
import re
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
SPEC = os.path.join(ROOT, "openapi.yaml")
PROFILES = os.path.join(ROOT, "profiles", "fsh-generated", "resources")

STRINGS = {"string", "code", "uri", "url", "canonical", "id", "markdown", "date", "dateTime",
           "instant", "time", "oid", "uuid", "base64Binary", "xhtml",
           "http://hl7.org/fhirpath/System.String"}
INTEGERS = {"integer", "positiveInt", "unsignedInt"}


def value_schema(codes):
    """The JSON schema of a value of one of these FHIR types."""
    kinds = []
    for code in codes:
        if code in STRINGS:
            kinds.append({"type": "string"})
        elif code == "boolean":
            kinds.append({"type": "boolean"})
        elif code in INTEGERS:
            kinds.append({"type": "integer"})
        elif code == "decimal":
            kinds.append({"type": "number"})
        else:
            kinds.append({"type": "object"})
    unique = []
    for kind in kinds:
        if kind not in unique:
            unique.append(kind)
    return unique[0] if len(unique) == 1 else {"anyOf": unique}


def schema_of(sd):
    """The schema of a profiled resource: its top-level elements from the snapshot."""
    root = sd["type"]
    properties = {"resourceType": {"const": root}}
    required = ["resourceType"]
    for element in sd["snapshot"]["element"]:
        path = element["path"]
        if element.get("sliceName") or path.count(".") != 1:
            continue
        name = path.split(".", 1)[1]
        if element.get("max") == "0":
            continue
        codes = [t["code"] for t in element.get("type", [])]
        repeats = element.get("max") not in ("0", "1")
        names = ([(name[:-3] + c[0].upper() + c[1:], [c]) for c in codes]
                 if name.endswith("[x]") else [(name, codes)])
        for json_name, types in names:
            value = value_schema(types)
            if repeats:
                value = {"type": "array", "items": value}
                if element.get("min", 0) > 0:
                    value["minItems"] = element["min"]
            if element.get("short"):
                value["description"] = element["short"]
            properties[json_name] = value
        if element.get("min", 0) > 0 and not name.endswith("[x]"):
            required.append(name)
    return {
        "type": "object",
        "description": f"{sd.get('title', sd['name'])} ({sd['url']}), from the profile's snapshot",
        "required": required,
        "properties": properties,
        "additionalProperties": True,
    }


def profiles():
    found = []
    for path in sorted(glob.glob(os.path.join(PROFILES, "StructureDefinition-*.json"))):
        with open(path, encoding="utf-8") as f:
            sd = json.load(f)
        if sd.get("kind") == "resource" and sd.get("derivation") == "constraint":
            found.append(sd)
    return sorted(found, key=lambda sd: sd["type"])


def flow(value):
    """A value as one line of YAML flow style (JSON is YAML)."""
    return json.dumps(value, ensure_ascii=False)


def paths_part(sds):
    lines = []
    for sd in sds:
        t = sd["type"]
        body = flow({"required": True, "content": {
            "application/fhir+json": {"schema": {"$ref": f"#/components/schemas/{t}Profiled"}},
            "application/fhir+xml": {"schema": {"type": "string", "description": "FHIR XML"}}}})
        lines += [
            f"  /{t}:",
            "    post:",
            "      tags: [type]",
            f"      summary: create a {t} ({sd['url']})",
            f"      operationId: create{t}",
            f"      requestBody: {body}",
            "      responses:",
            "        default: { $ref: '#/components/responses/Error' }",
            "        '201': { $ref: '#/components/responses/Written' }",
            "        '200': { $ref: '#/components/responses/Written' }",
            f"  /{t}/{{id}}:",
            "    parameters: [{ $ref: '#/components/parameters/id' }]",
            "    put:",
            "      tags: [instance]",
            f"      summary: update a {t} ({sd['url']})",
            f"      operationId: update{t}",
            "      parameters: [{ $ref: '#/components/parameters/If-Match' }, { $ref: '#/components/parameters/Prefer' }]",
            f"      requestBody: {body}",
            "      responses:",
            "        default: { $ref: '#/components/responses/Error' }",
            "        '200': { $ref: '#/components/responses/Written' }",
            "        '201': { $ref: '#/components/responses/Written' }",
        ]
    return lines


def schemas_part(sds):
    return [f"    {sd['type']}Profiled: {flow(schema_of(sd))}" for sd in sds]


def replace(text, marker, indent, lines):
    begin = f"{indent}# {marker}: begin (scripts/gen-openapi.py; do not edit)"
    end = f"{indent}# {marker}: end"
    pattern = re.compile(re.escape(begin) + r"\n.*?" + re.escape(end), re.S)
    if not pattern.search(text):
        sys.exit(f"openapi.yaml: the markers '{marker}' are missing")
    return pattern.sub(lambda _: "\n".join([begin, *lines, end]), text)


def main():
    sds = profiles()
    with open(SPEC, encoding="utf-8") as f:
        text = f.read()
    text = replace(text, "profile paths", "  ", paths_part(sds))
    text = replace(text, "profile schemas", "    ", schemas_part(sds))
    with open(SPEC, "w", encoding="utf-8") as f:
        f.write(text)
    print(f"openapi.yaml: {len(sds)} profiles")


if __name__ == "__main__":
    main()
