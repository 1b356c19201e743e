# SonoHub: `make run` starts the app with demo data; `make test` runs every check and test.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
export PATH := $(CURDIR)/end2end/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)
export CARGO_TERM_COLOR := never
# CI builds once from clean: incremental caches would only cost disk.
export CARGO_INCREMENTAL := 0
PG_URL_FILE := target/pg-url

.PHONY: run test tools test-tools build bundle lint unit e2e bench clean

## Start SonoHub at http://127.0.0.1:3000 on the embedded database with demo accounts.
run: tools build
	target/release/sonohub serve --demo

## Every check: the tools (installed where missing), format, clippy (server and browser
## builds), unit + integration tests on SQLite and PostgreSQL, then the browser suite against
## the release bundle, which .ci/test builds in the background from the start, served by the
## server binary the tests built. PRUNE_DEBUG=1 (CI) deletes the checks' build
## (target/checks) once the Rust tests have passed, to leave the bundle's build the disk.
PRUNE_DEBUG ?= 0
test:
	PRUNE_DEBUG=$(PRUNE_DEBUG) .ci/test

tools:
	.ci/tools build

test-tools:
	.ci/tools test

## Release build of the server and the wasm bundle (target/release/sonohub, target/site).
## The bundle is remade only when what it is built from changed (app/, style/, public/, the
## workspace manifest and lock file, cargo-leptos, rustc and the bundle's build command): a
## change to the server or the domain rebuilds the server alone, with the environment
## cargo-leptos gives it.
LEPTOS_ENV := LEPTOS_OUTPUT_NAME=sonohub LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_PKG_DIR=pkg \
	LEPTOS_SITE_ADDR=127.0.0.1:3000 LEPTOS_RELOAD_PORT=3001 LEPTOS_LIB_DIR=app LEPTOS_BIN_DIR=server \
	LEPTOS_JS_MINIFY=true LEPTOS_HASH_FILES=true LEPTOS_HASH_FILE_NAME=hash.txt
SERVER_BUILD := env $(LEPTOS_ENV) cargo build --package=server --bin=sonohub --no-default-features \
	--features=ssr --release
build:
	@stamp=$$( { git ls-files -co --exclude-standard -z -- app style public Cargo.toml Cargo.lock .cargo \
		| xargs -0 sha256sum; cargo leptos --version; rustc --version; echo '$(BUNDLE_BUILD)'; } \
		| sha256sum | cut -c1-16 ); \
	if [ -f "target/site/.bundle-$$stamp" ] && [ -f target/release/hash.txt ]; then \
		echo "the browser bundle is up to date ($$stamp): building the server only"; \
		$(SERVER_BUILD); \
	else \
		echo "building the server beside the browser bundle (whose link, wasm-bindgen and wasm-opt use one core)"; \
		$(SERVER_BUILD) & server=$$!; \
		$(BUNDLE_BUILD) || { kill $$server 2>/dev/null; wait $$server; exit 1; }; \
		wait $$server && rm -f target/site/.bundle-* && touch "target/site/.bundle-$$stamp"; \
	fi

## The release browser bundle alone (target/site, and target/release/hash.txt naming its
## fingerprinted files): what the browser suite needs beside a server binary. Split: the main
## module, and one module per page group of app/src/split.rs plus the code groups share.
##
## The bundle rebuilds Rust's standard library with the app (-Zbuild-std, from rustup's
## rust-src), so that it too is optimised for size and only what the app calls is kept, and
## panics abort at once (-Cpanic=immediate-abort: no message formatting, no source locations;
## a panic in the browser ends the page's wasm with or without them, as panic = "abort" did).
## These are unstable options of the stable compiler, enabled for this build alone with
## RUSTC_BOOTSTRAP=1; the checks and the server build without them. BUNDLE_STD=0 builds with
## the precompiled standard library and panic messages instead (the main module 27 KB gzip
## larger: 323 against 296 KB when this was measured).
BUNDLE_STD ?= 1
BUNDLE_BUILD := cargo leptos build --release --split --frontend-only
ifeq ($(BUNDLE_STD),1)
BUNDLE_BUILD := RUSTC_BOOTSTRAP=1 \
	RUSTFLAGS="--cfg erase_components -Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none" \
	$(BUNDLE_BUILD) --lib-cargo-args=-Zbuild-std=std,panic_abort
endif
bundle:
	$(BUNDLE_BUILD)

## Rust tests: all of them on SQLite with the repository tests also on PostgreSQL, the decoder
## compared with dcmtk (and Pillow for JPEG 2000) on synthetic and pydicom's real files, then
## the HTTP integration suites again with PostgreSQL behind the server (`--workspace`, so the
## first pass's test binary is reused rather than rebuilt with other features), with the
## multi-node test (two servers, moto's S3, nginx) that runs only in that pass. Every target
## (benchmarks too) is built first, so that make test's clippy, which lints inside this build,
## sees them all.
unit: export SONOHUB_REQUIRE_TOOLS := 1
unit: export SONOHUB_DICOM_SAMPLES := $(CURDIR)/target/dicom-samples
unit: export SONOHUB_DICOM_CORPUS := $(CURDIR)/target/dicom-corpus
unit: export SONOHUB_PYTHONPATH := $(CURDIR)/target/pylib
unit:
	cargo test --workspace --all-targets --no-run
	@url=$$(.ci/postgres start); trap '.ci/postgres stop' EXIT; \
	SONOHUB_TEST_POSTGRES_URL=$$url SONOHUB_REQUIRE_POSTGRES=1 cargo test --workspace && \
	SONOHUB_TEST_POSTGRES_URL=$$url SONOHUB_TEST_BACKEND=postgres cargo test --workspace --test integration -- auth:: people:: pages:: archive:: imports:: quarantine:: courses:: cases:: replays:: guidance:: competency:: dicomweb:: multinode:: --skip demo_cases::

## Playwright in Debian's Chromium against target/release/sonohub (or SONOHUB_E2E_SERVER, a
## server binary beside a copy of the bundle's hash.txt) with fresh demo data.
e2e:
	cd end2end && npx playwright test

## Speed against peers, measured in the same run; rewrites the tables in BENCHMARKS.md.
bench: test-tools build
	cd end2end && node bench/bench.mjs
	cd end2end && node bench/anonymize.mjs
	cd end2end && node bench/import.mjs
	cd end2end && node bench/quarantine.mjs
	cd end2end && node bench/guidance.mjs
	cd end2end && node bench/slow-link.mjs
	@url=$$(.ci/postgres start); trap '.ci/postgres stop' EXIT; \
	SONOHUB_BENCH_POSTGRES_URL=$$url SONOHUB_BENCH_WRITE=1 cargo bench -p sonohub-domain --bench grid && \
	cd end2end && SONOHUB_BENCH_POSTGRES_URL=$$url node bench/load.mjs

clean:
	cargo clean
	rm -rf end2end/node_modules data

## Coverage-guided fuzzing (cargo fuzz, nightly) of the readers untrusted bytes reach: ingest,
## frame decoding, JPEG masking, the C-STORE receiver's PDUs and command sets, QIDO-RS queries,
## uploaded zips and replay packages (server/fuzz). One target after another, FUZZ_SECONDS each,
## from seeds that server/fuzz/seeds.py gathers (committed seeds, saved regressions, and the
## DICOM samples `make test-tools` downloads, when present). A finding is written to
## server/fuzz/artifacts/<target>/ beside the target's log; minimise it with `cargo +nightly
## fuzz tmin` and save it under server/fuzz/regressions/<target>/, which `make unit` replays.
## `fuzz-smoke` runs each target for 20 s.
FUZZ_SECONDS ?= 600
# target:max_len in bytes (DICOM files up to 1 MiB; PDUs, zips and queries smaller).
FUZZ_TARGETS := ingest:1048576 frames:1048576 jpeg_mask:262144 store_pdu:131072 \
	dimse_command:16384 upload_zip:131072 replay_package:131072 qido_query:4096
.PHONY: fuzz fuzz-smoke
fuzz:
	@cargo +nightly fuzz --version >/dev/null 2>&1 || cargo install cargo-fuzz --locked
	python3 server/fuzz/seeds.py corpus target/dicom-samples target/dicom-corpus
	cd server/fuzz && cargo +nightly fuzz build
	@cd server/fuzz && rc=0 && summary="" && \
	for spec in $(FUZZ_TARGETS); do \
		IFS=: read -r t len <<<"$$spec"; log=artifacts/$$t.log; \
		mkdir -p artifacts/$$t; start=$$(date +%s); \
		echo "fuzzing $$t for $(FUZZ_SECONDS) s (log: server/fuzz/$$log)"; \
		cargo +nightly fuzz run $$t corpus/$$t -- \
			-max_total_time=$(FUZZ_SECONDS) -max_len=$$len -rss_limit_mb=2048 -timeout=60 \
			-print_final_stats=1 \
			>$$log 2>&1 || { rc=1; echo "$$t: FINDING, see server/fuzz/$$log"; }; \
		runs=$$(grep -o 'number_of_executed_units: *[0-9]*' $$log | grep -o '[0-9]*$$' | tail -1 || true); \
		cov=$$(grep -o 'cov: [0-9]*' $$log | tail -1 | grep -o '[0-9]*$$' || true); \
		summary+=$$(printf '%-16s %6ss %12s %9s' $$t $$(( $$(date +%s) - start )) "$${runs:-?}" "$${cov:-?}")$$'\n'; \
	done; \
	printf '\ntarget             time   executions  coverage\n%s' "$$summary"; exit $$rc

fuzz-smoke:
	@$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=20
