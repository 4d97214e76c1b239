#!/usr/bin/env bash
# `make bench-realtime`: fal's realtime protocol, this SDK against fal-client 1.0.3 in the same run, both over
# wss through the same nginx TLS front (scripts/lib/tls-front.sh) to the same release-built emulator, with a
# 40 KB JPEG-sized input, the emulator's own latency set to zero, and two kinds of answer: the PNG as bytes
# (sync_mode, 768 KiB a result) and the PNG named by URL (a few hundred bytes).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/tls-front.sh
SWIFT="${SWIFT:-swift}"; PYTHON="${PYTHON:-python3}"
ITERATIONS="${ITERATIONS:-500}"; SUSTAINED="${SUSTAINED:-1000}"; SECONDS_STREAMED="${SECONDS_STREAMED:-60}"
KEY=bench-realtime-key
"$SWIFT" build -c release --product fal-emulator >/dev/null
"$SWIFT" build -c release --product fal-bench-runtime >/dev/null
BIN="$("$SWIFT" build -c release --show-bin-path)"
DIR="$(mktemp -d -t fal-bench-realtime.XXXXXX)"
EMULATOR_LOG="$DIR/emulator.log"
"$BIN/fal-emulator" --host 127.0.0.1 --port 0 --schemas schemas --key "$KEY" --realtime-latency-ms 0 --latency-ms 0 >"$EMULATOR_LOG" 2>&1 &
EMULATOR=$!
trap 'tls_front_stop "$DIR" >/dev/null 2>&1 || true; kill $EMULATOR 2>/dev/null || true; rm -rf "$DIR"' EXIT
for _ in $(seq 100); do grep -q "^listening on " "$EMULATOR_LOG" && break; sleep 0.1; done
BASE="$(sed -n 's/^listening on //p' "$EMULATOR_LOG" | head -n 1)"
[ -n "$BASE" ] || { cat "$EMULATOR_LOG" >&2; echo "bench-realtime: the emulator did not start" >&2; exit 1; }
TLS_FRONT_PROXY_BUFFER="${TLS_FRONT_PROXY_BUFFER:-64k}"  # nginx relays the 768 KiB answers in 64 KiB chunks, not 4 KiB pages
tls_front_make_ca "$DIR" && tls_front_make_cert "$DIR" && tls_front_start "$DIR" "${BASE#http://}"
FRONT="127.0.0.1:$(cat "$DIR/port")"
echo "bench-realtime: emulator $BASE behind https://$FRONT; $ITERATIONS round trips, $SUSTAINED pipelined, ${SECONDS_STREAMED} s at 40/s"

SWIFT_JSON="$(timeout 900 "$BIN/fal-bench-runtime" realtime "https://$FRONT/run" "$DIR/ca.pem" "$KEY" "$ITERATIONS" "$SUSTAINED" "$SECONDS_STREAMED")"
PEER_JSON="$(FAL_KEY="$KEY" FAL_RUN_HOST="$FRONT/run" SSL_CERT_FILE="$DIR/ca.pem" \
    timeout 600 "$PYTHON" Benchmarks/runtime/peers/fal_client_realtime_peer.py "$ITERATIONS" "$SUSTAINED")"
"$PYTHON" - "$SWIFT_JSON" "$PEER_JSON" <<'PY'
import json, sys
swift, peer = json.loads(sys.argv[1]), json.loads(sys.argv[2])
titles = {
    "bytes": "a 512×512 PNG (768 KiB, stored) as bytes in each result (sync_mode)",
    "url": "the image named by URL in each result (about 300 bytes)",
}
for name, title in titles.items():
    s, p = swift[name], peer[name]
    print(f"\n### Realtime over wss (TLS front), 40 KB input, {title}, emulator latency 0\n")
    print("| client | round trip p50 (ms) | p99 (ms) | p50 vs fal-client | results/s, throttle 0 | vs fal-client | client CPU per result (ms) |")
    print("|---|---|---|---|---|---|---|")
    print(f"| FalRuntime realtime (libcurl WebSocket) | {s['roundTripP50']:.2f} | {s['roundTripP99']:.2f} | "
          f"{s['roundTripP50'] / p['roundTripP50']:.2f}x | {s['sustainedResultsPerSecond']:.0f} | "
          f"{s['sustainedResultsPerSecond'] / p['sustainedResultsPerSecond']:.1f}x | {s['cpuPerResultMs']:.3f} |")
    print(f"| same socket, frame encoded once (floor) | {s['bareP50']:.2f} | {s['bareP99']:.2f} | | | | |")
    print(f"| fal-client 1.0.3 realtime (Python) | {p['roundTripP50']:.2f} | {p['roundTripP99']:.2f} | 1.00x | "
          f"{p['sustainedResultsPerSecond']:.0f} | 1.0x | {p['cpuPerResultMs']:.3f} |")
    print(f"\nSDK overhead per round trip (p50, SDK minus floor): {s['overheadP50']:.3f} ms")
rss = swift["residentMiB"]
if rss:
    print(f"Resident memory while streaming 40 inputs/s (bytes) for {len(rss)} s: first {rss[0]:.1f} MiB, "
          f"min {min(rss):.1f}, max {max(rss):.1f}, last {rss[-1]:.1f} MiB")
PY
