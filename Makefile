# Two commands for a newcomer: `make demo` and `make test`. Both install what they need first.
SWIFT ?= swift
SCHEMAS ?= schemas
PYTHON ?= python3
CONFIG ?= debug
BIN = .build/$(CONFIG)

.PHONY: deps system-deps python-deps build generate hostile-fixture check api-digester test corpus example update bench bench-generator bench-runtime bench-hardening demo emulator clean \
	schemathesis fuzz sanitize demo-check no-libcurl old-libcurl docs realtime-peer bench-realtime realtime-build-cost tls bench-tls \
	vapor-proxy bench-proxy

## System packages: libcurl's dev headers (the runtime's transport); nginx and openssl for the TLS front
## (scripts/lib/tls-front.sh) that realtime-peer puts before the emulator.
system-deps:
	@if ! [ -f /usr/include/curl/curl.h ] && ! [ -f /usr/include/x86_64-linux-gnu/curl/curl.h ] && ! [ -f /usr/include/aarch64-linux-gnu/curl/curl.h ]; then \
		echo "installing libcurl4-openssl-dev"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get install -y libcurl4-openssl-dev || { $$SUDO apt-get update && $$SUDO apt-get install -y libcurl4-openssl-dev; }; \
	fi
	@if ! command -v nginx >/dev/null 2>&1 && ! [ -x /usr/sbin/nginx ] || ! command -v openssl >/dev/null 2>&1; then \
		echo "installing nginx-light and openssl"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get install -y nginx-light openssl || { $$SUDO apt-get update && $$SUDO apt-get install -y nginx-light openssl; }; \
	fi

## Python packages used by tests and benchmarks as peers and oracles.
python-deps:
	@$(PYTHON) -c "import jsonschema" 2>/dev/null || $(PYTHON) -m pip install --quiet jsonschema
	@$(PYTHON) -c "import fal_client" 2>/dev/null || $(PYTHON) -m pip install --quiet "fal-client==1.0.3"
	@$(PYTHON) -c "import schemathesis" 2>/dev/null || $(PYTHON) -m pip install --quiet "schemathesis==4.32.5"
	@$(PYTHON) -c "import websockets" 2>/dev/null || $(PYTHON) -m pip install --quiet "websockets==17.4"
	@$(PYTHON) -c "import msgpack" 2>/dev/null || $(PYTHON) -m pip install --quiet "msgpack"
	@$(PYTHON) -c "import h2" 2>/dev/null || $(PYTHON) -m pip install --quiet "h2"

deps: system-deps python-deps

build: system-deps
	$(SWIFT) build

## Regenerate Generated/ from schemas/ (with schemas/overlays applied).
generate: system-deps
	$(SWIFT) run fal-codegen generate --overlays $(SCHEMAS)/overlays --output Generated/FalSDK $(SCHEMAS)
	$(SWIFT) run fal-codegen generate --output Tests/CorpusFixtures Tests/Fixtures/openapi
	$(MAKE) hostile-fixture
	$(SWIFT) run fal-codegen platform --tag Models --document $(SCHEMAS)/platform/openapi.json --output Runtime/FalRuntime/Platform/Generated

## Regenerate the compiled hostile-schema fixture (Tests/HostileFixture); HostileSchemaTests golden-checks it.
hostile-fixture: system-deps
	$(SWIFT) run fal-codegen generate --output Tests/HostileFixture Tests/Fixtures/hostile

## Golden check: fails when Generated/ is not what the generator produces from schemas/.
check: system-deps
	$(SWIFT) run fal-codegen generate --check --overlays $(SCHEMAS)/overlays --output Generated/FalSDK $(SCHEMAS)
	$(SWIFT) run fal-codegen generate --check --output Tests/CorpusFixtures Tests/Fixtures/openapi
	$(SWIFT) run fal-codegen platform --check --tag Models --document $(SCHEMAS)/platform/openapi.json --output Runtime/FalRuntime/Platform/Generated

## The change report against swift-api-digester: for each mutation (Tests/Fixtures/diff/api) and fal's legacy documents
## against their restyle and their current twins, the old and new generated modules compiled and diffed by the digester,
## whose findings must be the report's source-breaking declarations, endpoint by endpoint. Part of `make test`.
api-digester: system-deps
	SWIFT=$(SWIFT) PYTHON=$(PYTHON) ./scripts/api-digester-check.sh

## Generate all of ../shared/fal-openapi (legacy twins in a second run), compile it, round-trip every example.
CORPUS ?= ../shared/fal-openapi
corpus: system-deps
	CORPUS=$(CORPUS) SWIFT=$(SWIFT) ./scripts/corpus.sh

## Test suites run in four processes, one after another. The runtime suites assert that cancellation and
## timeouts act within seconds; in one process with the CPU-bound suites (10,000 oracle cases, corpus
## round trips) or the emulator's 2,000-request load test, a 2-core machine's cooperative thread pool is
## saturated and those deadlines measure the neighbours, not the runtime. The load test runs alone for the same reason.
RUNTIME_SUITES = ^FalRuntimeTests\.
## The transport contract tests and the hostile-server cases flood and stall on purpose: each suite in its
## own process, so the peak-memory checks (uploads; hostile cases' growth < 32 MiB) measure what they claim.
CONTRACT_SUITES = ^FalRuntimeTests\.(TransportContractTests|HostileServerTests)
EMULATOR_SUITES = ^(FalEmulatorTests|EndToEndTests)\.
LOAD_SUITES = ^FalEmulatorTests\.LoadTests
## The emulator suites whose tests time what they check (idle timeouts, throttles, token lifetimes, stop's promptness,
## subscribe's timeout, a stalled body's client timeout) run in a process of their own: beside 116 other tests, each starting an emulator, the 2-core
## cooperative pool is queued for seconds and those tests measured the queue (they failed in CI).
EMULATOR_TIMED_SUITES = ^(FalEmulatorTests\.(RealtimeFlowTests|RealtimeControlTests|LifecycleTests|FailureInjectionTests)|EndToEndTests\.(RealtimeAgainstEmulatorTests|RuntimeAgainstEmulatorTests))
## FalProxy (issue 19): its suites in a process of their own, and the 1 GiB upload's peak-RSS check alone in another.
PROXY_SUITES = ^FalProxyTests\.
PROXY_MEMORY_SUITES = ^FalProxyTests\.ProxyMemoryTests
## Run by `make tls` only (they start nginx fronts).
TLS_SUITES = ^FalRuntimeTests\.(TLSTests|HTTP2HostileTests)
## Two pairs run at the same time (scripts/together.sh; each output printed whole after both end), each a stage
## that computes beside one that mostly waits, which on 2 cores cost their whole wall time one after the other:
## Vapor's build (1.6 cores on average) beside schemathesis (its Python waits on the emulator; with BUILT=1 it
## runs the emulator the main build made, as SwiftPM's lock on .build is the Vapor build's), and `make fuzz` beside
## `make demo-check` (make demo paces its queue at 1.5 s a model call).
## The test bundle, run as built: `swift test --skip-build` loads the package graph again before each run (3-4 s,
## eleven times here). On Linux the bundle is an executable that takes the same --filter and --skip.
ifeq ($(shell uname -s),Linux)
TESTS = .build/debug/FalSDKPackageTests.xctest --testing-library swift-testing
else
TESTS = $(SWIFT) test --skip-build
endif
test: deps
	@./scripts/timed.sh --reset
	./scripts/timed.sh build $(SWIFT) build --build-tests
	./scripts/timed.sh other-suites $(TESTS) --skip '$(RUNTIME_SUITES)' --skip '$(EMULATOR_SUITES)' --skip '$(PROXY_SUITES)'
	./scripts/timed.sh runtime-suites $(TESTS) --filter '$(RUNTIME_SUITES)' --skip '$(CONTRACT_SUITES)' --skip '$(TLS_SUITES)'
	./scripts/timed.sh contract-suite $(TESTS) --filter '^FalRuntimeTests\.TransportContractTests'
	./scripts/timed.sh hostile-libcurl $(TESTS) --filter '^FalRuntimeTests\.HostileServerTests'
	./scripts/timed.sh hostile-urlsession env FAL_TEST_TRANSPORT=urlSession $(TESTS) --filter '^FalRuntimeTests\.HostileServerTests'
	./scripts/timed.sh emulator-suites $(TESTS) --filter '$(EMULATOR_SUITES)' --skip '$(LOAD_SUITES)' --skip '$(EMULATOR_TIMED_SUITES)'
	./scripts/timed.sh emulator-timed $(TESTS) --filter '$(EMULATOR_TIMED_SUITES)'
	./scripts/timed.sh load-suite $(TESTS) --filter '$(LOAD_SUITES)'
	./scripts/timed.sh proxy-suites $(TESTS) --filter '$(PROXY_SUITES)' --skip '$(PROXY_MEMORY_SUITES)'
	./scripts/timed.sh proxy-memory $(TESTS) --filter '$(PROXY_MEMORY_SUITES)'
	./scripts/timed.sh vapor-proxy+schemathesis ./scripts/together.sh '$(MAKE) vapor-proxy' '$(MAKE) schemathesis BUILT=1'
	./scripts/timed.sh tls $(MAKE) tls BUILT=1
	./scripts/timed.sh realtime-peer $(MAKE) realtime-peer
	./scripts/timed.sh check $(MAKE) check
	./scripts/timed.sh api-digester $(MAKE) api-digester
	./scripts/timed.sh example $(MAKE) example
	./scripts/timed.sh fuzz+demo-check ./scripts/together.sh '$(MAKE) fuzz BUILT=1' '$(MAKE) demo-check'
	./scripts/timed.sh no-libcurl $(MAKE) no-libcurl
	./scripts/timed.sh old-libcurl $(MAKE) old-libcurl BUILT=1
	./scripts/timed.sh docs $(MAKE) docs
	@./scripts/timed.sh --report

## The runtime end-to-end suite and TLSTests over https:// through nginx TLS fronts (HTTP/2 and HTTP/1.1 by ALPN), both
## transports, the test CA given to the client (URLSession's through a private mount namespace's system store:
## scripts/tls-tests.sh). Certificates for another name or from another CA must be refused. Part of `make test`.
tls: system-deps python-deps
	$(if $(BUILT),,$(SWIFT) build --build-tests)
	SWIFT=$(SWIFT) ./scripts/tls-tests.sh

## The user's-package example (Examples/FalExample): FalCodegenPlugin generates its endpoints at build time; a no-op
## rebuild must run nothing, a broken document must fail the build, and it runs against an emulator it starts.
example: system-deps
	SWIFT=$(SWIFT) ./scripts/example.sh

## Re-fetch schemas/ from fal (or BASE_URL=http://127.0.0.1:PORT for an emulator), regenerate Generated/FalSDK and
## print the change report. FAIL_ON_BREAKING=1 exits 1 on breaking changes. Keeps schemas/fal-codegen.lock (the Swift
## names chosen, which `generate` and `check` honour) so fal's renames and reorders rename nothing.
update: system-deps
	$(SWIFT) run fal-codegen update $(SCHEMAS) --output Generated/FalSDK $(if $(BASE_URL),--base-url $(BASE_URL)) $(if $(FAIL_ON_BREAKING),--fail-on-breaking)

## fal's own Python client (fal-client 1.0.3, its realtime code unmodified) against the emulator's realtime WebSocket,
## through a TLS front (nginx with a throwaway CA, scripts/lib/tls-front.sh): echoes, sync_mode bytes, a validation
## error, a token and a Key-header connection, the idle TIMEOUT. Bounded to 120 s; stops what it started.
realtime-peer: system-deps python-deps
	$(SWIFT) build --product fal-emulator
	$(PYTHON) Tests/Realtime/fal_client_realtime.py --emulator "$$($(SWIFT) build --show-bin-path)/fal-emulator" --schemas $(SCHEMAS)

## Hostile input, found by tools made for it (issue 11), each bounded in time:
## schemathesis against the emulator on every fixture document (about 1.5 min; the emulator must survive),
schemathesis: python-deps
	$(if $(BUILT),,$(SWIFT) build --product fal-emulator)
	$(PYTHON) Tests/Schemathesis/run_schemathesis.py --emulator .build/debug/fal-emulator

## libFuzzer on every parser of network or document bytes, FUZZ_SECONDS each (default 20; crashes are kept
## in .build/fuzz/ to become regression tests),
## In CI (CI=true) the instrumented libraries are built without optimization (FUZZ_OPT=-Onone: about 100 s less
## build; ClientFuzz ran 2,549 inputs in 20 s against 3,724 at -O) and each target runs 10 s, a regression pass
## over the kept corpus and a little search; `make fuzz` elsewhere builds them -O and runs each 20 s.
FUZZ_SECONDS ?= $(if $(CI),10,20)
FUZZ_OPT ?= $(if $(CI),-Onone,-O)
fuzz:
	FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_OPT=$(FUZZ_OPT) FUZZ_REUSE_BUILD=$(BUILT) SWIFTC="$(SWIFT)c" ./scripts/fuzz.sh

## the runtime and emulator suites under AddressSanitizer and ThreadSanitizer (own build folders; long:
## a cold build per sanitizer, so not part of `make test`),
sanitize: system-deps
	SWIFT=$(SWIFT) ./scripts/sanitize.sh

## and `make demo` run as a newcomer runs it, its outputs checked.
demo-check: system-deps
	SWIFT=$(SWIFT) ./scripts/demo-check.sh

## The build iOS gets, checked on Linux: fal-demo and fal-codegen with the LibcurlTransport trait off (their own
## build folder, .build-no-libcurl), nothing of libcurl compiled or linked, the four seed endpoints run over the
## default transport, URLSessionTransport, and fal-codegen's fetch over URLSession (same bytes, 16 MiB cap).
no-libcurl:
	SWIFT=$(SWIFT) ./scripts/no-libcurl.sh

## libcurl 7.68 and newer (Ubuntu 20.04/22.04, Debian 11, RHEL 9): FalRuntime and fal-codegen built against Debian 11's
## libcurl 7.74 headers (downloaded once into .build-old-libcurl, the machine's apt sources untouched), that
## fal-codegen fetching over Debian 11's libcurl.so.4, and the transport contract tests run with it loaded.
old-libcurl: system-deps
	$(if $(BUILT),,$(SWIFT) build --build-tests)
	SWIFT=$(SWIFT) ./scripts/old-libcurl.sh

## DocC for FalCore, FalRuntime and FalSDK: no DocC warning and no undocumented public FalCore/FalRuntime symbol,
## then the combined archive (.build/plugins/Swift-DocC/outputs/FalSDK.doccarchive). Part of `make test`.
docs: system-deps
	SWIFT=$(SWIFT) PYTHON=$(PYTHON) ./scripts/docs.sh

## Benchmarks print a table with the peer measured in the same run.
bench: bench-generator bench-runtime

bench-generator: system-deps
	$(PYTHON) Benchmarks/generator/bench_generator.py

## The fal emulator in the foreground (Ctrl-C stops it): `make emulator PORT=8080`; point clients at http://127.0.0.1:PORT.
emulator:
	$(SWIFT) run fal-emulator --port $(or $(PORT),8080) --schemas $(SCHEMAS)

## The newcomer's tour: builds, starts the fal emulator on a free port, calls the four seed endpoints through
## the generated SDK (queue positions, logs, auto-upload, a local validation error), writes demo-output/,
## stops the emulator. `make demo LIVE=1` runs it against the real fal service (needs FAL_KEY; spends credits).
demo: system-deps
	./scripts/demo.sh $(if $(LIVE),--live)

clean:
	rm -rf .build demo-output .corpus-out

## The Vapor 4 adapter of FalProxy (Integrations/FalProxyVapor): its own package, so Vapor's 2.5-4.5 min cold build
## stays out of the main package's; built once and its end-to-end and hostile-target suite run. Part of `make test`.
## It builds in the main package's build folder, so FalRuntime, swift-nio and swift-crypto are not compiled twice.
vapor-proxy: system-deps
	$(SWIFT) build --product fal-emulator
	cd Integrations/FalProxyVapor && $(SWIFT) build --scratch-path ../../.build --build-tests && \
	    FAL_EMULATOR="$$($(SWIFT) build --package-path ../.. --show-bin-path)/fal-emulator" $(SWIFT) test --scratch-path ../../.build --skip-build

## FalProxy under load (issue 19): N (default 1,000) concurrent subscribes (LATENCY_MS model latency, default 500)
## direct to a release-built emulator and through a FalProxy child process, in the same run; then 300 sequential
## status calls each way. Prints completions, wall time, p50/p99, each process's peak RSS and the added latency.
bench-proxy: system-deps
	$(SWIFT) build -c release --product fal-emulator
	$(SWIFT) build -c release --product fal-bench-proxy
	ulimit -n 8192 2>/dev/null || ulimit -n 4096 2>/dev/null || true; \
		.build/release/fal-bench-proxy .build/release/fal-emulator $(or $(N),1000) $(or $(LATENCY_MS),500)

## Realtime (issue 17): round trips, throughput with throttle 0 and memory over a 60 s stream, against fal-client's
## realtime in the same run, both over wss through the same nginx TLS front to a release-built emulator.
bench-realtime: deps
	SWIFT=$(SWIFT) PYTHON=$(PYTHON) ./scripts/bench-realtime.sh

## What realtime adds to a user's cold build: the SDK's modules built from scratch with and without it (RUNS=3 each).
realtime-build-cost: deps
	SWIFT=$(SWIFT) ./scripts/realtime-build-cost.sh

## Runtime benchmark (issue 4 §9): FalClient vs bare libcurl vs fal-client 1.0.3 against the emulator
## (zero model latency), 64 concurrent subscribes, SSE vs polling, and a 1 GiB upload vs the curl CLI.
bench-runtime: deps
	$(SWIFT) build -c release --product fal-emulator
	$(SWIFT) build -c release --product fal-bench-runtime
	.build/release/fal-bench-runtime --emulator .build/release/fal-emulator --schemas $(SCHEMAS) --python $(PYTHON)

## Issue 18: 1,000 concurrent subscribes over TLS through nginx (2 s model latency): libcurl over HTTP/2 vs HTTP/1.1,
## URLSession, and fal-client 1.0.3's AsyncClient; TCP connections and TLS handshakes from nginx's log, peak RSS, wall time.
bench-tls: system-deps python-deps
	$(SWIFT) build -c release --product fal-emulator
	$(SWIFT) build -c release --product fal-bench-runtime
	ulimit -n 4096 2>/dev/null || true; PYTHON=$(PYTHON) ./scripts/bench-tls.sh

## Issue 11's runs (release builds): 1,000 concurrent subscribes at 2 s model latency under `ulimit -n 1024`, over
## each transport (completions, wall time, peak RSS, peak sockets), then 1,000 subscribes whose submits meet 429,
## ingress 503, a reset or a stall once each in turn (delivered, failed, retries, duplicated submits).
bench-hardening: system-deps
	$(SWIFT) build -c release --product fal-emulator
	$(SWIFT) build -c release --product fal-bench-runtime
	ulimit -n 1024 && .build/release/fal-bench-runtime scale .build/release/fal-emulator 1000 2000 libcurl
	ulimit -n 1024 && .build/release/fal-bench-runtime scale .build/release/fal-emulator 1000 2000 urlsession
	.build/release/fal-bench-runtime faults .build/release/fal-emulator 1000
