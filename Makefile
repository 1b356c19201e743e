# SonoHub: `make run` starts the app with demo data; `make test` runs every check and test.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
export PATH := $(CURDIR)/end2end/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)
export CARGO_TERM_COLOR := never
# CI builds once from clean: incremental caches would only cost disk.
export CARGO_INCREMENTAL := 0
PG_URL_FILE := target/pg-url

.PHONY: run test tools test-tools build lint unit e2e bench clean

## Start SonoHub at http://127.0.0.1:3000 on the embedded database with demo accounts.
run: tools build
	target/release/sonohub serve --demo

## Every check: format, clippy (server and browser builds), unit + integration tests on
## SQLite and PostgreSQL, then the browser suite against a release build. PRUNE_DEBUG=1
## (CI) deletes the debug and clippy builds once the tests have passed, to leave the
## release build the disk.
PRUNE_DEBUG ?= 0
test: test-tools
	@rm -f target/step-times.txt
	@start=$$(date +%s); rc=0; \
	{ .ci/step fmt cargo fmt --all --check && \
	.ci/step clippy-ssr cargo clippy --workspace --all-targets -- -D warnings && \
	.ci/step clippy-hydrate cargo clippy -p app -p sonohub-model -p sonohub-cine --all-targets --features app/hydrate --target wasm32-unknown-unknown -- -D warnings && \
	.ci/step tests $(MAKE) --no-print-directory unit && \
	{ [ "$(PRUNE_DEBUG)" != 1 ] || rm -rf target/debug target/wasm32-unknown-unknown; } && \
	.ci/step build $(MAKE) --no-print-directory build && \
	.ci/step e2e $(MAKE) --no-print-directory e2e; } || rc=$$?; \
	echo; echo "step             time  result"; cat target/step-times.txt; \
	echo "total            $$(( $$(date +%s) - start ))s"; df -h . | tail -1; exit $$rc

tools:
	.ci/tools build

test-tools:
	.ci/tools test

## Release build of the server and the wasm bundle (target/release/sonohub, target/site).
## The bundle is remade only when what it is built from changed (app/, style/, public/, the
## workspace manifest and lock file, cargo-leptos itself): a change to the server or the
## domain rebuilds the server alone, with the environment cargo-leptos gives it.
LEPTOS_ENV := LEPTOS_OUTPUT_NAME=sonohub LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_PKG_DIR=pkg \
	LEPTOS_SITE_ADDR=127.0.0.1:3000 LEPTOS_RELOAD_PORT=3001 LEPTOS_LIB_DIR=app LEPTOS_BIN_DIR=server \
	LEPTOS_JS_MINIFY=true LEPTOS_HASH_FILES=true LEPTOS_HASH_FILE_NAME=hash.txt
SERVER_BUILD := env $(LEPTOS_ENV) cargo build --package=server --bin=sonohub --no-default-features \
	--features=ssr --release
build:
	@stamp=$$( { git ls-files -co --exclude-standard -z -- app style public Cargo.toml Cargo.lock \
		| xargs -0 sha256sum; cargo leptos --version; } | sha256sum | cut -c1-16 ); \
	if [ -f "target/site/.bundle-$$stamp" ] && [ -f target/release/hash.txt ]; then \
		echo "the browser bundle is up to date ($$stamp): building the server only"; \
		$(SERVER_BUILD); \
	else \
		echo "building the server beside the browser bundle (whose link, wasm-bindgen and wasm-opt use one core)"; \
		$(SERVER_BUILD) & server=$$!; \
		cargo leptos build --release || { kill $$server 2>/dev/null; wait $$server; exit 1; }; \
		wait $$server && rm -f target/site/.bundle-* && touch "target/site/.bundle-$$stamp"; \
	fi

## Rust tests: all of them on SQLite with the repository tests also on PostgreSQL, the decoder
## compared with dcmtk (and Pillow for JPEG 2000) on synthetic and pydicom's real files, then
## the HTTP integration suites again with PostgreSQL behind the server (`--workspace`, so the
## first pass's test binary is reused rather than rebuilt with other features).
unit: export SONOHUB_REQUIRE_TOOLS := 1
unit: export SONOHUB_DICOM_SAMPLES := $(CURDIR)/target/dicom-samples
unit: export SONOHUB_DICOM_CORPUS := $(CURDIR)/target/dicom-corpus
unit: export SONOHUB_PYTHONPATH := $(CURDIR)/target/pylib
unit:
	@url=$$(.ci/postgres start); trap '.ci/postgres stop' EXIT; \
	SONOHUB_TEST_POSTGRES_URL=$$url SONOHUB_REQUIRE_POSTGRES=1 cargo test --workspace && \
	SONOHUB_TEST_POSTGRES_URL=$$url SONOHUB_TEST_BACKEND=postgres cargo test --workspace --test integration -- auth:: people:: pages:: archive:: imports:: quarantine:: courses:: cases:: replays:: guidance:: competency:: dicomweb:: --skip demo_cases::

## Playwright in Debian's Chromium against target/release/sonohub with fresh demo data.
e2e:
	cd end2end && npx playwright test

## Speed against peers, measured in the same run; rewrites the tables in BENCHMARKS.md.
bench: test-tools build
	cd end2end && node bench/bench.mjs
	cd end2end && node bench/anonymize.mjs
	cd end2end && node bench/import.mjs
	cd end2end && node bench/quarantine.mjs
	cd end2end && node bench/guidance.mjs
	@url=$$(.ci/postgres start); trap '.ci/postgres stop' EXIT; \
	SONOHUB_BENCH_POSTGRES_URL=$$url SONOHUB_BENCH_WRITE=1 cargo bench -p sonohub-domain --bench grid

clean:
	cargo clean
	rm -rf end2end/node_modules data
