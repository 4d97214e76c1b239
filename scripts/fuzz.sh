#!/usr/bin/env bash
# `make fuzz`: builds one libFuzzer target per parser that reads bytes from the network or a document
# (swiftc -sanitize=fuzzer,address; the sources under test are compiled in, so no package-wide
# instrumented build is needed) and runs each for FUZZ_SECONDS (default 20). Any crash, trap, sanitizer
# report or failed invariant stops the run; the input is kept under .build/fuzz/ for a regression test.
# `./scripts/fuzz.sh ClientFuzz` runs one target; FUZZ_SECONDS=0 only builds (replay: the binary, then the input).
#   JSONTape   FalCore's JSONTapeDecoder / JSONTapeObject      (every fal answer, every emulator body)
#   OrderedJSON  FalCodegen's OrderedJSONReader               (every OpenAPI document)
#   ServerSentEvents  FalRuntime's ServerSentEventParser       (status and run streams)
#   EmulatorBody  the emulator's JSONBodyParser + JSONCoding   (every JSON request body)
#   ClientFuzz  the whole FalClient over a transport scripted by the fuzzer (every answer fal or a network can
#               give; every public call); no trap, no hang, no request left running, no key off fal's hosts
#   OpenAPIDocument  fal-codegen's input path (load, check, IR, generate, diff) on documents mutated as bytes
#   OpenAPIMutation  the same path on real documents mutated as JSON trees (structure-aware)
# FalCore, FalCodegen and FalRuntime are compiled with coverage and ASan once and kept under .build/fuzz until
# their sources change. FalRuntime needs swift-crypto and swift-log: their modules and objects come uninstrumented
# from the regular debug build (`swift build --target FalRuntime`, a no-op after `swift build --build-tests`).
#   MessagePack  FalCore's MessagePackReader + MessagePackDecoder (every realtime WebSocket frame)
#   WebSocketFrames  FalCore's WebSocket frame parser, message assembler, UTF-8 and handshake readers (realtime)
set -euo pipefail
cd "$(dirname "$0")/.."

SWIFTC="${SWIFTC:-swiftc}"
SWIFT="${SWIFT:-${SWIFTC%c}}"
SECONDS_EACH="${FUZZ_SECONDS:-20}"
# FUZZ_OPT=-Onone (CI) builds the instrumented libraries unoptimized, a quarter of the -O build time (FalCodegen:
# 20 s against 80 s); each input then runs slower, so a run of FUZZ_SECONDS tries fewer. Builds of each kind are
# kept apart.
OPT="${FUZZ_OPT:--O}"
case "$OPT" in -O) OUT=.build/fuzz ;; -Onone) OUT=.build/fuzz-onone ;; *) echo "fuzz: FUZZ_OPT is -O or -Onone" >&2; exit 2 ;; esac
TARGETS=("$@")
[ ${#TARGETS[@]} -eq 0 ] && TARGETS=(JSONTape OrderedJSON ServerSentEvents EmulatorBody ClientFuzz OpenAPIDocument OpenAPIMutation MessagePack WebSocketFrames)
mkdir -p "$OUT"

# Swift's own crash handler would run before libFuzzer's and read memory ASan then reports instead of the trap.
export SWIFT_BACKTRACE=enable=no
FLAGS=(-sanitize=fuzzer,address "$OPT" -parse-as-library -package-name FalSDK -swift-version 6)
# The linker warns about every ASan symbol it cannot export; only errors matter.
quiet() { "$@" 2> >(grep -v "Cannot export local symbol" >&2); }

# FalCore as a module of its own, testable so the JSON target can reach the tape's internals.
# The libraries are the stamps: swiftc leaves a .swiftmodule untouched when only function bodies changed.
if [ ! -f "$OUT/libFalCore.a" ] || [ -n "$(find Runtime/FalCore -newer "$OUT/libFalCore.a" -name '*.swift' | head -n 1)" ]; then
    echo "fuzz: building FalCore with coverage and AddressSanitizer"
    quiet "$SWIFTC" "${FLAGS[@]}" -enable-testing -module-name FalCore -emit-library -static -emit-module \
        -emit-module-path "$OUT/FalCore.swiftmodule" -o "$OUT/libFalCore.a" $(find Runtime/FalCore -name '*.swift' | sort)
fi

# Whether a build product is missing or older than any Swift source under the given folders.
stale() {
    local product="$1"; shift
    [ ! -f "$product" ] || [ -n "$(find "$@" -newer "$product" -name '*.swift' | head -n 1)" ]
}

# FalCodegen as a module of its own (the OpenAPI targets go through its public API, as fal-codegen does).
codegen() {
    if stale "$OUT/libFalCodegen.a" Generator/FalCodegen Runtime/FalCore; then
        echo "fuzz: building FalCodegen with coverage and AddressSanitizer"
        local started=$SECONDS
        quiet "$SWIFTC" "${FLAGS[@]}" -module-name FalCodegen -emit-library -static -emit-module -I "$OUT" \
            -emit-module-path "$OUT/FalCodegen.swiftmodule" -o "$OUT/libFalCodegen.a" $(find Generator/FalCodegen -name '*.swift' | sort)
        echo "fuzz: FalCodegen built in $((SECONDS - started)) s"
    fi
}

# FalRuntime as a module of its own, without libcurl (CCurlShim's module map is not given, so the sources'
# `canImport(CCurlShim)` is false: the URLSession transport and the Transport protocol remain). swift-crypto and
# swift-log are the regular debug build's, uninstrumented: their modules are linked into $OUT/deps (nothing else of
# that folder, so `import FalCore` finds the instrumented FalCore) and their objects archived in libFuzzDeps.a.
runtime() {
    local bin="$PWD/.build/debug"  # SwiftPM's link to the debug products; `swift build --show-bin-path` would wait for its lock
    # Inside `make test` (BUILT=1) the main build made them: not asking SwiftPM saves its re-planning and never
    # waits on its lock for a stage that builds beside this one (make test runs demo-check beside it).
    if [ -z "${FUZZ_REUSE_BUILD:-}" ] || ! [ -f "$bin/Modules/Crypto.swiftmodule" ] || ! [ -f "$bin/Modules/Logging.swiftmodule" ]; then
        echo "fuzz: swift build --target FalRuntime (swift-crypto and swift-log for FalRuntime)"
        quiet "$SWIFT" build --target FalRuntime >"$OUT/swift-build.log" || { tail -n 40 "$OUT/swift-build.log" >&2; exit 1; }
    fi
    if [ ! -f "$OUT/libFuzzDeps.a" ] || [ -n "$(find "$bin"/{Crypto,CryptoBoringWrapper,CCryptoBoringSSL,CCryptoBoringSSLShims,Logging}.build -newer "$OUT/libFuzzDeps.a" -name '*.o' | head -n 1)" ]; then
        rm -rf "$OUT/deps" "$OUT/libFuzzDeps.a"
        mkdir -p "$OUT/deps"
        for module in Crypto CryptoBoringWrapper Logging; do
            ln -s "$bin/Modules/$module.swiftmodule" "$OUT/deps/$module.swiftmodule"
        done
        find "$bin"/{Crypto,CryptoBoringWrapper,CCryptoBoringSSL,CCryptoBoringSSLShims,Logging}.build -name '*.o' -print0 \
            | xargs -0 ar rcs "$OUT/libFuzzDeps.a"
    fi
    local crypto=.build/checkouts/swift-crypto/Sources
    DEPS=(-I "$OUT/deps" -Xcc "-fmodule-map-file=$crypto/CCryptoBoringSSL/include/module.modulemap"
          -Xcc "-fmodule-map-file=$crypto/CCryptoBoringSSLShims/include/module.modulemap")
    if stale "$OUT/libFalRuntime.a" Runtime/FalRuntime Runtime/FalCore || [ "$OUT/libFuzzDeps.a" -nt "$OUT/libFalRuntime.a" ]; then
        echo "fuzz: building FalRuntime with coverage and AddressSanitizer"
        local started=$SECONDS
        quiet "$SWIFTC" "${FLAGS[@]}" -module-name FalRuntime -emit-library -static -emit-module -I "$OUT" "${DEPS[@]}" \
            -emit-module-path "$OUT/FalRuntime.swiftmodule" -o "$OUT/libFalRuntime.a" $(find Runtime/FalRuntime -name '*.swift' | sort)
        echo "fuzz: FalRuntime built in $((SECONDS - started)) s"
    fi
}

sources() {
    case "$1" in
        JSONTape) echo Tests/Fuzz/JSONTapeFuzz.swift ;;
        OrderedJSON) echo Tests/Fuzz/OrderedJSONFuzz.swift Generator/FalCodegen/Parse/OrderedJSON.swift \
            Generator/FalCodegen/Parse/OrderedJSONReader.swift Generator/FalCodegen/Parse/OrderedJSONWriter.swift ;;
        ServerSentEvents)
            # The parser without its stream glue (the rest of the transport is not compiled in).
            # Rewritten only when it changed, so the fuzzer is not relinked for nothing.
            { echo "import FalCore"; sed '/^struct ServerSentEventStream/,$d' Runtime/FalRuntime/Queue/ServerSentEvents.swift; } >"$OUT/ServerSentEventParser.new"
            if cmp -s "$OUT/ServerSentEventParser.new" "$OUT/ServerSentEventParser.swift"; then rm "$OUT/ServerSentEventParser.new"
            else mv "$OUT/ServerSentEventParser.new" "$OUT/ServerSentEventParser.swift"; fi
            echo Tests/Fuzz/ServerSentEventsFuzz.swift "$OUT/ServerSentEventParser.swift" ;;
        EmulatorBody) echo Tests/Fuzz/EmulatorBodyFuzz.swift Emulator/FalEmulator/Server/JSONBodyParser.swift \
            Emulator/FalEmulator/Support/JSONCoding.swift ;;
        ClientFuzz) echo Tests/Fuzz/ClientFuzz.swift Tests/Fuzz/ClientFuzzSupport.swift Tests/Fuzz/FuzzScript.swift ;;
        OpenAPIDocument) echo Tests/Fuzz/OpenAPIDocumentFuzz.swift Tests/Fuzz/OpenAPIFuzzSupport.swift ;;
        OpenAPIMutation) echo Tests/Fuzz/OpenAPIMutationFuzz.swift Tests/Fuzz/OpenAPIFuzzSupport.swift Tests/Fuzz/FuzzScript.swift ;;
        MessagePack) echo Tests/Fuzz/MessagePackFuzz.swift ;;
        WebSocketFrames) echo Tests/Fuzz/WebSocketFramesFuzz.swift ;;
        *) echo "fuzz: unknown target $1" >&2; exit 2 ;;
    esac
}
corpus() {
    case "$1" in
        JSONTape) echo json ;; OrderedJSON) echo openapi ;; ServerSentEvents) echo sse ;; EmulatorBody) echo body ;;
        MessagePack) echo msgpack ;; WebSocketFrames) echo websocket ;;
        ClientFuzz) echo client ;; OpenAPIDocument) echo openapi-documents ;; OpenAPIMutation) echo openapi-mutations ;;
    esac
}
# What a target links, the products it is rebuilt after, and its libFuzzer options.
libraries() {
    case "$1" in
        ClientFuzz) echo -lFalRuntime "${DEPS[@]}" -lFuzzDeps -lFoundationNetworking -lstdc++ ;;
        OpenAPIDocument | OpenAPIMutation) echo -lFalCodegen ;;
    esac
}
products() {
    case "$1" in
        ClientFuzz) echo "$OUT/libFalCore.a" "$OUT/libFalRuntime.a" "$OUT/libFuzzDeps.a" ;;
        OpenAPIDocument | OpenAPIMutation) echo "$OUT/libFalCore.a" "$OUT/libFalCodegen.a" ;;
        *) echo "$OUT/libFalCore.a" ;;
    esac
}
options() {
    case "$1" in
        # Every input is bounded by the client's own deadlines; the target's watchdog fails one running past 2 s.
        # Memory is bounded by -rss_limit_mb and -malloc_limit_mb. LeakSanitizer is off for this target and the
        # next two: it cannot follow pointers Swift keeps in enum payloads with tag bits (Data, indirect enums), so
        # long-lived values (the signing key, the parsed seed documents, Foundation's caches) show as leaks.
        ClientFuzz) echo -max_len=4096 -timeout=10 -malloc_limit_mb=1024 -detect_leaks=0 ;;
        OpenAPIDocument) echo -max_len=204800 -timeout=20 -detect_leaks=0 ;;
        OpenAPIMutation) echo -max_len=256 -timeout=20 -detect_leaks=0 ;;
        *) echo -max_len=65536 -timeout=10 ;;
    esac
}

# The instrumented libraries the chosen targets need: FalCodegen's -O build runs beside FalRuntime's (each is one
# mostly single-threaded whole-module compile, and there are 2 cores).
needs() {  # needs NAME…: whether any chosen target is one of them
    local target name
    for target in "${TARGETS[@]}"; do for name in "$@"; do [ "$target" = "$name" ] && return 0; done; done
    return 1
}
codegen_job=""
if needs OpenAPIDocument OpenAPIMutation; then codegen & codegen_job=$!; fi
if needs ClientFuzz; then runtime; fi
if [ -n "$codegen_job" ]; then wait "$codegen_job" || { echo "fuzz: building FalCodegen failed" >&2; exit 1; }; fi

# Build every target first, then run them two at a time: each libFuzzer run is one thread, so two share the 2 cores
# and each still gets FUZZ_SECONDS of its own.
for target in "${TARGETS[@]}"; do
    binary="$OUT/fuzz-$target"
    libs="$(libraries "$target")"
    # The fuzzer is rebuilt when its sources or the libraries it links changed since it was linked.
    rebuild=$([ -f "$binary" ] || echo yes)
    for input in $(sources "$target") $(products "$target"); do [ "$input" -nt "$binary" ] && rebuild=yes; done
    if [ -n "$rebuild" ]; then
        echo "fuzz: building $target"
        started=$SECONDS
        # shellcheck disable=SC2046,SC2086
        quiet "$SWIFTC" "${FLAGS[@]}" -module-name "Fuzz$target" -I "$OUT" -L "$OUT" $(sources "$target") $libs -lFalCore -o "$binary"
        echo "fuzz: $target built in $((SECONDS - started)) s"
    fi
done
[ "$SECONDS_EACH" = 0 ] && exit 0  # FUZZ_SECONDS=0: build only (e.g. to replay a crash input)

# run TARGET: one fuzzing run; its summary line, or its log's end and the crash's place, on failure (exit 1).
run() {
    local target="$1" binary="$OUT/fuzz-$1" work="$OUT/corpus-$1" log="$OUT/fuzz-$1.log" asan="${ASAN_OPTIONS:-}" runs
    mkdir -p "$work"
    cp -n Tests/Fuzz/corpus/"$(corpus "$target")"/* "$work"/ 2>/dev/null || true
    # Without libFuzzer's leak check, ASan's own at exit is off too (it would fail the run for the same values).
    case "$(options "$target")" in *-detect_leaks=0*) asan="$asan:detect_leaks=0" ;; esac
    # shellcheck disable=SC2046
    if ! ASAN_OPTIONS="$asan" "$binary" "$work" -max_total_time="$SECONDS_EACH" $(options "$target") -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$OUT/crash-$target-" >"$log" 2>&1; then
        tail -n 60 "$log" >&2
        echo "fuzz: $target FAILED; the input is in $OUT/crash-$target-* (add it as a regression test)" >&2
        return 1
    fi
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    echo "fuzz: $target clean: ${runs:-?} inputs in ${SECONDS_EACH}s, corpus $(ls "$work" | wc -l) files"
}
failed=0
for ((index = 0; index < ${#TARGETS[@]}; index += 2)); do
    pair=("${TARGETS[@]:index:2}")
    echo "fuzz: running ${pair[*]} for ${SECONDS_EACH}s"
    jobs=()
    for target in "${pair[@]}"; do run "$target" & jobs+=($!); done
    for job in "${jobs[@]}"; do wait "$job" || failed=1; done
    [ "$failed" = 0 ] || exit 1
done
