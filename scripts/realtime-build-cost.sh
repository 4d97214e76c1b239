#!/usr/bin/env bash
# What realtime costs a user's cold build (issue 17): the SDK's own modules (FalCore, CCurlShim, FalRuntime and the
# generated FalSDK) built from scratch twice, from two copies of this commit, one with realtime taken out
# (Runtime/FalRuntime/Realtime, FalCore's MessagePack and WebSocket folders, the C shim's WebSocket calls and the
# client's connector property). Dependencies (swift-crypto, swift-log) are built first and not timed: a user's
# package builds them with or without realtime. Each side is timed RUNS times (default 3); the table gives wall
# and CPU (user+sys) seconds, the median of each. CPU seconds are what a busy machine distorts least.
set -euo pipefail
cd "$(dirname "$0")/.."
SWIFT="${SWIFT:-swift}"
RUNS="${RUNS:-3}"
WORK="$(mktemp -d -t fal-realtime-cost.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT

copy() {
    mkdir -p "$WORK/$1"
    git archive HEAD | tar -x -C "$WORK/$1"
}
copy with
copy without
(
    cd "$WORK/without"
    rm -rf Runtime/FalRuntime/Realtime Runtime/FalCore/MessagePack Runtime/FalCore/WebSocket Runtime/CCurlShim/websocket.c \
        Runtime/CCurlShim/include/CCurlShimWebSocket.h Runtime/FalRuntime/FalRuntime.docc/RealtimeConnections.md
    sed -i '/CCurlShimWebSocket.h/d' Runtime/CCurlShim/include/CCurlShim.h
    # The connector property and the package initializer that sets it (FalClient.swift) are realtime's only hooks.
    python3 - Runtime/FalRuntime/Client/FalClient.swift <<'PY'
import re, sys
path = sys.argv[1]
text = open(path).read()
text = re.sub(r"    /// What realtime connections open.*?\n    let webSocketConnector: any WebSocketConnecting\n", "", text, flags=re.S)
text = text.replace("        self.webSocketConnector = defaultWebSocketConnector()\n", "")
text = re.sub(r"    /// A client whose realtime connections use.*?\n    }\n\n", "", text, flags=re.S)
open(path, "w").write(text)
PY
)

SIDE_TARGETS=(FalCore CCurlShim FalRuntime FalSDK)
measure() {  # side -> prints "wall cpu" per run
    local dir="$WORK/$1"
    "$SWIFT" build --package-path "$dir" --target Crypto >/dev/null
    "$SWIFT" build --package-path "$dir" --target Logging >/dev/null
    for _ in $(seq "$RUNS"); do
        rm -rf "$dir"/.build/debug/{FalCore,CCurlShim,FalRuntime,FalSDK}.build "$dir"/.build/debug/Modules/{FalCore,FalRuntime,FalSDK}.*
        local start end times
        start=$(date +%s.%N)
        times=$( { /usr/bin/time -f "%U %S" "$SWIFT" build --package-path "$dir" --target FalSDK >/dev/null; } 2>&1 | tail -n 1)
        end=$(date +%s.%N)
        echo "$(echo "$end - $start" | bc) $(echo "$times" | awk '{print $1 + $2}')"
    done
}
echo "realtime-build-cost: $RUNS cold builds of FalCore, CCurlShim, FalRuntime and FalSDK per side (dependencies prebuilt)" >&2
WITH="$(measure with)"
WITHOUT="$(measure without)"
python3 - "$WITH" "$WITHOUT" <<'PY'
import statistics, sys
def parse(block):
    rows = [tuple(map(float, line.split())) for line in block.strip().splitlines()]
    return statistics.median(r[0] for r in rows), statistics.median(r[1] for r in rows)
with_wall, with_cpu = parse(sys.argv[1])
without_wall, without_cpu = parse(sys.argv[2])
print("\n| SDK modules, cold debug build | wall (s) | CPU user+sys (s) |")
print("|---|---|---|")
print(f"| without realtime | {without_wall:.1f} | {without_cpu:.1f} |")
print(f"| with realtime | {with_wall:.1f} | {with_cpu:.1f} |")
print(f"| realtime adds | {with_wall - without_wall:+.1f} | {with_cpu - without_cpu:+.1f} |")
PY
