# The two commands of the README are `make run` and `make test`; everything else is for
# developers and CI.

CARGO ?= cargo

.PHONY: deps run test lint fmt bench openapi openapi-check definitions definitions-check profiles profiles-check package package-check ci clean

## System packages the build needs (installed with apt-get when missing).
deps:
	@bash scripts/install-deps.sh

## Run the server on SQLite (./data/zorgplan.db) at http://127.0.0.1:8080.
run: deps
	$(CARGO) run --release --bin zorgplan -- serve --dev

## Run every test. PostgreSQL tests run too when ZORGPLAN_TEST_POSTGRES_URL is set
## (.ci/run sets it up).
test: deps
	$(CARGO) test --workspace --all-targets
	$(CARGO) test --workspace --doc

## Write the parts of openapi.yaml that come from the profiles (profiles/fsh-generated).
openapi:
	python3 scripts/gen-openapi.py

## Fail when openapi.yaml differs from a fresh generation; then schemathesis (PyPI, in a
## virtualenv under target/) against the server with it: no server error, and every answer
## as the document describes it.
openapi-check: deps openapi
	git diff --exit-code -- openapi.yaml
	$(CARGO) build --bin zorgplan
	bash scripts/check-openapi.sh target/debug/zorgplan

## Clippy with warnings as errors, and the formatting check.
lint: deps
	$(CARGO) clippy --workspace --all-targets -- -D warnings
	$(CARGO) fmt --all --check

fmt:
	$(CARGO) fmt --all

## Children of the search benchmark's population (stored once, then reused).
BENCH_CHILDREN ?= 100000

## Release build, then the HTTP benchmark on SQLite and PostgreSQL, the search benchmark on a
## stored population (generated on the first run: see docs/performance.md), and the validation
## and FHIRPath benchmarks (criterion) — figures for docs/performance.md.
bench: deps
	$(CARGO) build --release --bin zorgplan --bin zorgplan-bench
	./target/release/zorgplan-bench $(BENCH_ARGS)
	./target/release/zorgplan-bench --search-children $(BENCH_CHILDREN)
	$(CARGO) bench -p zorgplan-validator
	$(CARGO) bench -p zorgplan-fhirpath --bench fhirpath

## Regenerate what the crates need from the FHIR R4 core definitions (needs npm).
definitions:
	python3 scripts/gen-definitions.py

## Fail when the committed generated definitions differ from a fresh generation.
definitions-check: definitions
	git diff --exit-code -- crates/zorgplan-fhir/src/r4/generated.rs crates/zorgplan-fhir/definitions crates/zorgplan-search/definitions

## Compile the implementation guide (profiles/input/fsh) with SUSHI, offline (needs npm),
## and generate the profile pages (profiles/docs).
profiles:
	bash scripts/build-profiles.sh

## Fail when the committed profiles/fsh-generated or profiles/docs differ from a fresh build.
profiles-check: profiles
	git diff --exit-code -- profiles/fsh-generated profiles/docs
	@test -z "$$(git status --porcelain -- profiles/fsh-generated profiles/docs)" || { git status --short -- profiles/fsh-generated profiles/docs; exit 1; }

## The FHIR package zorgplan.kindgezin.r4 (profiles/package.tgz) from profiles/fsh-generated.
package:
	python3 scripts/make-package.py

## Prove that the package loads as a dependency of another guide (needs npm).
package-check: package
	bash scripts/check-package.sh

## What CI runs.
ci:
	bash .ci/run

clean:
	$(CARGO) clean
