#!/usr/bin/env bash
# `make fuzz`: builds one libFuzzer target per parser that reads bytes from the network or a document
# (swiftc -sanitize=fuzzer,address; the sources under test are compiled in, so no package-wide
# instrumented build is needed) and runs each for FUZZ_SECONDS (default 20). Any crash, trap, sanitizer
# report or failed invariant stops the run; the input is kept under .build/fuzz/ for a regression test.
#   JSONTape   FalCore's JSONTapeDecoder / JSONTapeObject      (every fal answer, every emulator body)
#   OrderedJSON  FalCodegen's OrderedJSONReader               (every OpenAPI document)
#   ServerSentEvents  FalRuntime's ServerSentEventParser       (status and run streams)
#   EmulatorBody  the emulator's JSONBodyParser + JSONCoding   (every JSON request body)
#   MessagePack  FalCore's MessagePackReader + MessagePackDecoder (every realtime WebSocket frame)
set -euo pipefail
cd "$(dirname "$0")/.."

SWIFTC="${SWIFTC:-swiftc}"
SECONDS_EACH="${FUZZ_SECONDS:-20}"
OUT=.build/fuzz
TARGETS=("$@")
[ ${#TARGETS[@]} -eq 0 ] && TARGETS=(JSONTape OrderedJSON ServerSentEvents EmulatorBody MessagePack)
mkdir -p "$OUT"

FLAGS=(-sanitize=fuzzer,address -O -parse-as-library -package-name FalSDK -swift-version 6)
# The linker warns about every ASan symbol it cannot export; only errors matter.
quiet() { "$@" 2> >(grep -v "Cannot export local symbol" >&2); }

# FalCore as a module of its own, testable so the JSON target can reach the tape's internals.
if [ ! -f "$OUT/FalCore.swiftmodule" ] || [ -n "$(find Runtime/FalCore -newer "$OUT/FalCore.swiftmodule" -name '*.swift' | head -n 1)" ]; then
    echo "fuzz: building FalCore with coverage and AddressSanitizer"
    quiet "$SWIFTC" "${FLAGS[@]}" -enable-testing -module-name FalCore -emit-library -static -emit-module \
        -emit-module-path "$OUT/FalCore.swiftmodule" -o "$OUT/libFalCore.a" $(find Runtime/FalCore -name '*.swift' | sort)
fi

sources() {
    case "$1" in
        JSONTape) echo Tests/Fuzz/JSONTapeFuzz.swift ;;
        OrderedJSON) echo Tests/Fuzz/OrderedJSONFuzz.swift Generator/FalCodegen/Parse/OrderedJSON.swift \
            Generator/FalCodegen/Parse/OrderedJSONReader.swift Generator/FalCodegen/Parse/OrderedJSONWriter.swift ;;
        ServerSentEvents)
            # The parser without its stream glue (the rest of the transport is not compiled in).
            { echo "import FalCore"; sed '/^struct ServerSentEventStream/,$d' Runtime/FalRuntime/Queue/ServerSentEvents.swift; } >"$OUT/ServerSentEventParser.swift"
            echo Tests/Fuzz/ServerSentEventsFuzz.swift "$OUT/ServerSentEventParser.swift" ;;
        EmulatorBody) echo Tests/Fuzz/EmulatorBodyFuzz.swift Emulator/FalEmulator/Server/JSONBodyParser.swift \
            Emulator/FalEmulator/Support/JSONCoding.swift ;;
        MessagePack) echo Tests/Fuzz/MessagePackFuzz.swift ;;
        *) echo "fuzz: unknown target $1" >&2; exit 2 ;;
    esac
}
corpus() {
    case "$1" in
        JSONTape) echo json ;; OrderedJSON) echo openapi ;; ServerSentEvents) echo sse ;; EmulatorBody) echo body ;;
        MessagePack) echo msgpack ;;
    esac
}

for target in "${TARGETS[@]}"; do
    binary="$OUT/fuzz-$target"
    echo "fuzz: building $target"
    # shellcheck disable=SC2046
    quiet "$SWIFTC" "${FLAGS[@]}" -module-name "Fuzz$target" -I "$OUT" -L "$OUT" -lFalCore $(sources "$target") -o "$binary"
    work="$OUT/corpus-$target"
    mkdir -p "$work"
    cp -n Tests/Fuzz/corpus/"$(corpus "$target")"/* "$work"/ 2>/dev/null || true
    echo "fuzz: running $target for ${SECONDS_EACH}s"
    log="$OUT/fuzz-$target.log"
    if ! "$binary" "$work" -max_total_time="$SECONDS_EACH" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$OUT/crash-$target-" >"$log" 2>&1; then
        tail -n 60 "$log" >&2
        echo "fuzz: $target FAILED; the input is in $OUT/crash-$target-* (add it as a regression test)" >&2
        exit 1
    fi
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    echo "fuzz: $target clean: ${runs:-?} inputs in ${SECONDS_EACH}s, corpus $(ls "$work" | wc -l) files"
done
