#!/usr/bin/env bash
# `make demo`: build, start the fal emulator in the background on a free port, run fal-demo against it
# (four seed endpoints through the generated SDK, outputs into demo-output/), stop the emulator.
# `./scripts/demo.sh --live` runs the same demo against the real fal service (needs FAL_KEY; spends credits).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/emulator.sh

LIVE=0
for argument in "$@"; do
    case "$argument" in
        --live) LIVE=1 ;;
        -h|--help) echo "usage: scripts/demo.sh [--live]"; exit 0 ;;
        *) echo "demo.sh: unknown argument $argument" >&2; exit 2 ;;
    esac
done

SWIFT="${SWIFT:-swift}"
OUTPUT="${DEMO_OUTPUT:-demo-output}"

if ! command -v "$SWIFT" >/dev/null 2>&1; then
    echo "demo.sh: Swift 6.1 or newer is required (https://www.swift.org/install/); '$SWIFT' was not found" >&2
    exit 1
fi
# libcurl's headers are the runtime's one system dependency; `make demo` installs them first, this covers direct runs.
if ! [ -f /usr/include/curl/curl.h ] && ! ls /usr/include/*/curl/curl.h >/dev/null 2>&1 && [ "$(uname)" = Linux ]; then
    echo "demo.sh: installing libcurl4-openssl-dev"
    SUDO=$( [ "$(id -u)" = 0 ] || echo sudo )
    $SUDO apt-get install -y libcurl4-openssl-dev || { $SUDO apt-get update && $SUDO apt-get install -y libcurl4-openssl-dev; }
fi

BUILD_LOG="$(mktemp -t fal-demo-build.XXXXXX)"
echo "Building fal-demo and fal-emulator (first build takes a few minutes; log: $BUILD_LOG)..."
for product in fal-demo fal-emulator; do
    if ! "$SWIFT" build --product "$product" >>"$BUILD_LOG" 2>&1; then
        echo "demo.sh: building $product failed:" >&2
        grep -E "error:" "$BUILD_LOG" | head -n 20 >&2 || tail -n 40 "$BUILD_LOG" >&2
        exit 1
    fi
done
rm -f "$BUILD_LOG"
BIN="$("$SWIFT" build --show-bin-path)"
rm -rf "$OUTPUT"

if [ "$LIVE" = 1 ]; then
    if [ -z "${FAL_KEY:-}" ] && [ -z "${FAL_KEY_ID:-}" ]; then
        echo "demo.sh: --live needs FAL_KEY in the environment" >&2
        exit 2
    fi
    exec "$BIN/fal-demo" --live --output "$OUTPUT"
fi

LOG="$(mktemp -t fal-emulator.XXXXXX)"
cleanup() { stop_emulator; rm -f "$LOG"; }
trap cleanup EXIT
# Visible queue positions and logs: 3 positions, then 1.5 s of "inference".
start_emulator demo.sh "$LOG" "$BIN/fal-emulator" --schemas schemas --queue-depth 3 --latency-ms 1500 || exit 1
BASE="$EMULATOR_BASE"
echo "fal emulator listening on $BASE"

"$BIN/fal-demo" --base-url "$BASE" --output "$OUTPUT"
