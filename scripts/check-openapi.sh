#!/usr/bin/env bash
# Runs schemathesis (property-based API tests, from PyPI, pinned, in a virtualenv of its own
# under target/) against a server started on a fresh SQLite database, with openapi.yaml: no
# answer may be a server error (5xx), and every answer must have a status, a content type and
# a body the document allows. Bounded by MAX_EXAMPLES per operation.
#
#   scripts/check-openapi.sh [path/to/zorgplan]   (default: target/debug/zorgplan)
set -euo pipefail
cd "$(dirname "$0")/.."

bin="${1:-target/debug/zorgplan}"
max_examples="${MAX_EXAMPLES:-25}"
venv="target/schemathesis-venv"
version="4.32.5"

if [ ! -x "$venv/bin/schemathesis" ] || ! "$venv/bin/schemathesis" --version | grep -q "$version"; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet "schemathesis==$version"
fi
[ -x "$bin" ] || { echo "no server binary at $bin (cargo build --bin zorgplan)" >&2; exit 1; }

dir="$(mktemp -d)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
"$bin" serve --dev --listen "127.0.0.1:$port" --database-url "$dir/zorgplan.db" --log warn \
    >"$dir/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -rf "$dir"' EXIT
for _ in $(seq 1 100); do
    python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 1)" 2>/dev/null && break
    sleep 0.1
done

"$venv/bin/schemathesis" run openapi.yaml --url "http://127.0.0.1:$port" \
    --max-examples "$max_examples" --seed 1 --phases examples,fuzzing \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance
