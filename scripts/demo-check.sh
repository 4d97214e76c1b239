#!/usr/bin/env bash
# `make demo-check` (part of `make test`): runs `make demo`'s script exactly as a newcomer would (it starts
# its own emulator on a free port), into a temporary folder, and checks what it left there: the four seed
# endpoints' outputs as JSON and their images as PNG files. Keeps the newcomer's path from rotting.
set -euo pipefail
cd "$(dirname "$0")/.."

OUTPUT="$(mktemp -d -t fal-demo-check.XXXXXX)"
LOG="$OUTPUT.log"
trap 'rm -rf "$OUTPUT" "$LOG"' EXIT

if ! DEMO_OUTPUT="$OUTPUT" timeout 600 ./scripts/demo.sh >"$LOG" 2>&1; then
    cat "$LOG" >&2
    echo "demo-check: scripts/demo.sh failed" >&2
    exit 1
fi
failed=0
for name in illusion-diffusion fast-sdxl-image-to-image flux-differential-diffusion lora-image-to-image; do
    if ! python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$OUTPUT/$name.json" 2>/dev/null; then
        echo "demo-check: $name.json is missing or not JSON" >&2
        failed=1
    fi
    images=$(ls "$OUTPUT" | grep -E "^$name(-[0-9]+)?\.png$" || true)
    if [ -z "$images" ]; then
        echo "demo-check: no image was downloaded for $name" >&2
        failed=1
    fi
    for image in $images; do
        if [ "$(head -c 8 "$OUTPUT/$image" | od -An -tx1 | tr -d ' \n')" != "89504e470d0a1a0a" ]; then
            echo "demo-check: $image is not a PNG" >&2
            failed=1
        fi
    done
done
# The realtime scene: 60 frames, each answered (the demo fails itself on a missing or mismatched answer).
if ! grep -qE "^   60 frames answered in .* frames per second, latency p50" "$LOG"; then
    echo "demo-check: the realtime scene did not report 60 answered frames" >&2
    failed=1
fi
if [ "$failed" = 1 ]; then
    cat "$LOG" >&2
    exit 1
fi
echo "demo-check: make demo works ($(ls "$OUTPUT" | wc -l) files written)"
