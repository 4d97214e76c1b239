#!/usr/bin/env bash
# `make no-libcurl` (part of `make test`): the build iOS, tvOS, watchOS and visionOS get, checked on Linux.
# There, FalRuntime has no libcurl and `FalClient()` defaults to `URLSessionTransport`. Without an Apple SDK,
# the nearest check is this package with its `LibcurlTransport` trait off: the same sources, with
# `canImport(CCurlShim)` false. It builds fal-demo and fal-codegen that way into their own build folder, checks
# that nothing of libcurl was compiled or linked into them, runs `make demo`'s four seed endpoints against the
# emulator over the default transport (which the demo prints), and fetches a document with fal-codegen over
# URLSession, which must refuse a body over its 16 MiB cap.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/emulator.sh
SWIFT="${SWIFT:-swift}"
SCRATCH=.build-no-libcurl

start=$(date +%s)
LOG="$(mktemp -t fal-no-libcurl.XXXXXX)"
OUTPUT="$(mktemp -d -t fal-no-libcurl-demo.XXXXXX)"
trap 'rm -rf "$LOG" "$OUTPUT"' EXIT
for product in fal-demo fal-codegen; do
    if ! "$SWIFT" build --scratch-path "$SCRATCH" --disable-default-traits --product "$product" >"$LOG" 2>&1; then
        grep -E "error:" "$LOG" | head -n 20 >&2 || tail -n 40 "$LOG" >&2
        echo "no-libcurl: building $product without the LibcurlTransport trait failed" >&2
        exit 1
    fi
done
BIN="$("$SWIFT" build --scratch-path "$SCRATCH" --disable-default-traits --show-bin-path)"
echo "no-libcurl: fal-demo and fal-codegen built without libcurl in $(( $(date +%s) - start )) s"

# Nothing of libcurl in that build: no shim module compiled, no curl_* symbol referenced, libcurl not linked
# directly (Linux's FoundationNetworking links libcurl for its own URLSession; that is not the SDK's).
if ls "$BIN/CCurlShim.build/"*.o >/dev/null 2>&1; then
    echo "no-libcurl: CCurlShim was compiled although the trait is off" >&2; exit 1
fi
for product in fal-demo fal-codegen; do
    if nm -u "$BIN/$product" | grep -qE '\bcurl_'; then
        echo "no-libcurl: $product references libcurl symbols:" >&2
        nm -u "$BIN/$product" | grep -E '\bcurl_' | head -5 >&2; exit 1
    fi
    if readelf -d "$BIN/$product" | grep -q 'NEEDED.*libcurl'; then
        echo "no-libcurl: $product links libcurl directly" >&2; exit 1
    fi
done

# The regular build's emulator serves both runs below, and its fal-codegen (over libcurl) is fetch's reference.
for product in fal-emulator fal-codegen; do
    "$SWIFT" build --product "$product" >/dev/null 2>&1 || { echo "no-libcurl: building $product failed" >&2; exit 1; }
done
REGULAR_BIN="$("$SWIFT" build --show-bin-path)"
trap 'stop_emulator; rm -rf "$LOG" "$OUTPUT"' EXIT
start_emulator no-libcurl "$OUTPUT/emulator.log" "$REGULAR_BIN/fal-emulator" --schemas schemas --latency-ms 300 || exit 1
BASE="$EMULATOR_BASE"

if ! timeout 300 "$BIN/fal-demo" --base-url "$BASE" --output "$OUTPUT/demo" >"$LOG" 2>&1; then
    cat "$LOG" >&2
    echo "no-libcurl: fal-demo failed over the default transport" >&2; exit 1
fi
grep -q "over URLSessionTransport" "$LOG" || { echo "no-libcurl: fal-demo did not use URLSessionTransport:" >&2; head -3 "$LOG" >&2; exit 1; }
for name in illusion-diffusion fast-sdxl-image-to-image flux-differential-diffusion lora-image-to-image; do
    [ -s "$OUTPUT/demo/$name.json" ] || { cat "$LOG" >&2; echo "no-libcurl: $name.json is missing" >&2; exit 1; }
done
echo "no-libcurl: the four seed endpoints ran over URLSessionTransport, the default without libcurl ($(( $(date +%s) - start )) s in all)"

# fal-codegen fetch over URLSession stores the same bytes as over libcurl (the regular build's fal-codegen), and
# a server answering with 20 MiB is refused at the 16 MiB cap.
"$REGULAR_BIN/fal-codegen" fetch fal-ai/illusion-diffusion --base-url "$BASE" --into "$OUTPUT/over-libcurl" >"$LOG" 2>&1 \
    || { cat "$LOG" >&2; echo "no-libcurl: fal-codegen fetch failed over libcurl" >&2; exit 1; }
"$BIN/fal-codegen" fetch fal-ai/illusion-diffusion --base-url "$BASE" --into "$OUTPUT/over-urlsession" >"$LOG" 2>&1 \
    || { cat "$LOG" >&2; echo "no-libcurl: fal-codegen fetch failed over URLSession" >&2; exit 1; }
cmp -s "$OUTPUT/over-libcurl/fal-ai__illusion-diffusion.json" "$OUTPUT/over-urlsession/fal-ai__illusion-diffusion.json" \
    || { echo "no-libcurl: fetch over URLSession stored other bytes than over libcurl" >&2; exit 1; }
python3 - "$OUTPUT/flood.port" <<'PY' &
import http.server, sys
# Two requests: 20 MiB with a Content-Length (refused at the head), then 20 MiB without one (cut at the cap).
class Flood(http.server.BaseHTTPRequestHandler):
    announced = True
    def do_GET(self):
        size = 20 << 20
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        if Flood.announced:
            self.send_header("Content-Length", str(size))
        self.end_headers()
        Flood.announced = False
        chunk = b" " * (1 << 20)
        try:
            for _ in range(size >> 20):
                self.wfile.write(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass
    def log_message(self, *arguments):
        pass
server = http.server.HTTPServer(("127.0.0.1", 0), Flood)
server.timeout = 60
open(sys.argv[1], "w").write(str(server.server_port))
server.handle_request()
server.handle_request()
PY
FLOOD_PID=$!
for _ in $(seq 1 100); do [ -s "$OUTPUT/flood.port" ] && break; sleep 0.1; done
for body in "with a Content-Length" "without a Content-Length"; do
    if timeout 60 "$BIN/fal-codegen" fetch fal-ai/illusion-diffusion --base-url "http://127.0.0.1:$(cat "$OUTPUT/flood.port")" \
        --into "$OUTPUT/flooded" >"$LOG" 2>&1; then
        echo "no-libcurl: fal-codegen fetch accepted 20 MiB $body" >&2; exit 1
    fi
    grep -q "sent more than 16 MiB" "$LOG" || { cat "$LOG" >&2; echo "no-libcurl: 20 MiB $body did not fail on the size cap" >&2; exit 1; }
done
kill "$FLOOD_PID" 2>/dev/null || true
echo "no-libcurl: fal-codegen fetch works over URLSession (the same bytes as over libcurl) and refuses 20 MiB with and without a Content-Length"
