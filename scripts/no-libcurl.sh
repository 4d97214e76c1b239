#!/usr/bin/env bash
# `make no-libcurl` (part of `make test`): the build iOS, tvOS, watchOS and visionOS get, checked on Linux.
# There, FalRuntime has no libcurl and `FalClient()` defaults to `URLSessionTransport`. Without an Apple SDK,
# the nearest check is this package with its `LibcurlTransport` trait off: the same sources, with
# `canImport(CCurlShim)` false. It builds fal-demo that way into its own build folder, checks that nothing
# of libcurl was compiled or linked into it, and runs `make demo`'s four seed endpoints against the emulator
# over the default transport (which the demo prints).
set -euo pipefail
cd "$(dirname "$0")/.."
SWIFT="${SWIFT:-swift}"
SCRATCH=.build-no-libcurl

start=$(date +%s)
LOG="$(mktemp -t fal-no-libcurl.XXXXXX)"
OUTPUT="$(mktemp -d -t fal-no-libcurl-demo.XXXXXX)"
trap 'rm -rf "$LOG" "$OUTPUT"' EXIT
if ! "$SWIFT" build --scratch-path "$SCRATCH" --disable-default-traits --product fal-demo >"$LOG" 2>&1; then
    grep -E "error:" "$LOG" | head -n 20 >&2 || tail -n 40 "$LOG" >&2
    echo "no-libcurl: building fal-demo without the LibcurlTransport trait failed" >&2
    exit 1
fi
BIN="$("$SWIFT" build --scratch-path "$SCRATCH" --disable-default-traits --show-bin-path)"
echo "no-libcurl: fal-demo built without libcurl in $(( $(date +%s) - start )) s"

# Nothing of libcurl in that build: no shim module compiled, no curl_* symbol referenced, libcurl not linked
# directly (Linux's FoundationNetworking links libcurl for its own URLSession; that is not the SDK's).
if ls "$BIN/CCurlShim.build/"*.o >/dev/null 2>&1; then
    echo "no-libcurl: CCurlShim was compiled although the trait is off" >&2; exit 1
fi
if nm -u "$BIN/fal-demo" | grep -qE '\bcurl_'; then
    echo "no-libcurl: fal-demo references libcurl symbols:" >&2
    nm -u "$BIN/fal-demo" | grep -E '\bcurl_' | head -5 >&2; exit 1
fi
if readelf -d "$BIN/fal-demo" | grep -q 'NEEDED.*libcurl'; then
    echo "no-libcurl: fal-demo links libcurl directly" >&2; exit 1
fi

"$SWIFT" build --product fal-emulator >/dev/null 2>&1 || { echo "no-libcurl: building fal-emulator failed" >&2; exit 1; }
EMULATOR_LOG="$OUTPUT/emulator.log"
: >"$EMULATOR_LOG"   # exists before the loop below reads it (the background job opens it later)
"$("$SWIFT" build --show-bin-path)/fal-emulator" --host 127.0.0.1 --port 0 --schemas schemas --latency-ms 300 >"$EMULATOR_LOG" 2>&1 &
EMULATOR_PID=$!
trap 'kill -TERM "$EMULATOR_PID" 2>/dev/null || true; wait "$EMULATOR_PID" 2>/dev/null || true; rm -rf "$LOG" "$OUTPUT"' EXIT
BASE=""
for _ in $(seq 1 300); do
    BASE="$(sed -n 's/^listening on //p' "$EMULATOR_LOG" | head -n 1)"
    [ -n "$BASE" ] && break
    kill -0 "$EMULATOR_PID" 2>/dev/null || { cat "$EMULATOR_LOG" >&2; exit 1; }
    sleep 0.1
done
[ -n "$BASE" ] || { echo "no-libcurl: the emulator did not start within 30 s" >&2; exit 1; }

if ! timeout 300 "$BIN/fal-demo" --base-url "$BASE" --output "$OUTPUT/demo" >"$LOG" 2>&1; then
    cat "$LOG" >&2
    echo "no-libcurl: fal-demo failed over the default transport" >&2; exit 1
fi
grep -q "over URLSessionTransport" "$LOG" || { echo "no-libcurl: fal-demo did not use URLSessionTransport:" >&2; head -3 "$LOG" >&2; exit 1; }
for name in illusion-diffusion fast-sdxl-image-to-image flux-differential-diffusion lora-image-to-image; do
    [ -s "$OUTPUT/demo/$name.json" ] || { cat "$LOG" >&2; echo "no-libcurl: $name.json is missing" >&2; exit 1; }
done
echo "no-libcurl: the four seed endpoints ran over URLSessionTransport, the default without libcurl ($(( $(date +%s) - start )) s in all)"
