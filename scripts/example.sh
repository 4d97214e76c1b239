#!/usr/bin/env bash
# `make example`: builds Examples/FalExample (a user's package that generates its endpoints with FalCodegenPlugin),
# checks that a no-op rebuild generates and compiles nothing, and runs it against a fal emulator serving the
# example's documents. Exits non-zero when any step fails.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/emulator.sh
SWIFT="${SWIFT:-swift}"
EXAMPLE=Examples/FalExample
# The example builds in this package's own build folder: a user's package compiles the SDK's modules once, and so
# does `make test` (a folder of its own compiled FalRuntime, swift-crypto and the plugin's tool again: about 150 s
# of a clean CI run). EXAMPLE_SCRATCH=Examples/FalExample/.build builds it apart, as a user's package would be.
SHARED=(--scratch-path "${EXAMPLE_SCRATCH:-$PWD/.build}")

"$SWIFT" build --product fal-emulator >/dev/null 2>&1 || { echo "example: building fal-emulator failed" >&2; exit 1; }
EMULATOR="$("$SWIFT" build --show-bin-path)/fal-emulator"

start=$(date +%s)
(cd "$EXAMPLE" && "$SWIFT" build "${SHARED[@]}") > "$EXAMPLE/.build-log" 2>&1 || { grep -E "error" -A3 "$EXAMPLE/.build-log" | head -40; exit 1; }
echo "example: built in $(( $(date +%s) - start )) s"
# Rebuilds with nothing changed. SwiftPM relinks a build plugin's tool once, on the build after a package's first
# build (seen with SwiftPM 6.3; every later build keeps it), and a changed tool reruns the generator, which rewrites
# no file whose text is unchanged: so that build must compile nothing of the user's, and every build after it must
# run nothing at all. (SwiftPM prints "Compiling plugin …" on every build; those are cached and not counted.)
user_work() { grep -E "Compiling (FalExample|VideoUpscaling)|Linking FalExample|Emitting module (FalExample|VideoUpscaling)" || true; }
second=$( (cd "$EXAMPLE" && "$SWIFT" build "${SHARED[@]}") 2>&1 )
if [ -n "$(user_work <<<"$second")" ]; then
    echo "example: a rebuild with nothing changed recompiled the user's code:" >&2
    user_work <<<"$second" | head -5 >&2
    exit 1
fi
noop=$( (cd "$EXAMPLE" && "$SWIFT" build "${SHARED[@]}") 2>&1 )
if grep -E "Generating |Compiling |Linking " <<<"$noop" | grep -qv "Compiling plugin"; then
    echo "example: a no-op rebuild generated or compiled something:" >&2
    grep -E "Generating |Compiling |Linking " <<<"$noop" | grep -v "Compiling plugin" | head -5 >&2
    exit 1
fi
if grep -q "warning:" "$EXAMPLE/.build-log"; then
    echo "example: the build printed warnings:" >&2
    grep "warning:" "$EXAMPLE/.build-log" | sort -u | head -10 >&2
    exit 1
fi
generated=$(find "$EXAMPLE/Sources" -name '*.swift' | wc -l)
[ "$generated" = 2 ] || { echo "example: generated code leaked into the example's sources" >&2; exit 1; }
echo "example: no-op rebuild ran nothing"

# A document the generator rejects fails the build, naming the file and the JSON path.
BROKEN="$EXAMPLE/Sources/VideoUpscaling/fal-openapi/broken.json"
trap 'rm -f "$BROKEN"' EXIT
sed -e "s/\"type\": \"object\"/\"type\": 7/" -e "s|fal-ai/video-upscaler|test/broken|g" "$EXAMPLE/Sources/VideoUpscaling/fal-openapi/fal-ai__video-upscaler.json" > "$BROKEN"
if broken=$( (cd "$EXAMPLE" && "$SWIFT" build "${SHARED[@]}") 2>&1 ); then
    echo "example: a broken document did not fail the build" >&2; exit 1
fi
grep -qE "error: .*broken.json at \\$\.[a-zA-Z]" <<<"$broken" || { echo "example: the build error does not name the file and JSON path:" >&2; grep -i error <<<"$broken" | head -5 >&2; exit 1; }
echo "example: a broken document fails the build: $(grep -oE "error: .*broken.json at [^:]*" <<<"$broken" | head -1 | sed "s|$(pwd)/||")"
rm -f "$BROKEN"
(cd "$EXAMPLE" && "$SWIFT" build "${SHARED[@]}") >/dev/null 2>&1 || { echo "example: the build did not recover after removing the broken document" >&2; exit 1; }

DOCUMENTS="$(mktemp -d -t fal-example-schemas.XXXXXX)"
LOG="$DOCUMENTS/emulator.log"
cp "$EXAMPLE"/Sources/*/fal-openapi/*.json "$DOCUMENTS/"
cleanup() { stop_emulator; rm -rf "$DOCUMENTS"; }
trap cleanup EXIT
start_emulator example "$LOG" "$EMULATOR" --schemas "$DOCUMENTS" --latency-ms 200 || exit 1
BASE="$EMULATOR_BASE"

BIN="$(cd "$EXAMPLE" && "$SWIFT" build "${SHARED[@]}" --show-bin-path)"
OUTPUT="$(FAL_BASE_URL="$BASE" FAL_KEY="example-key" timeout 120 "$BIN/FalExample")"
echo "$OUTPUT"
for line in "image: " "video: " "upscaled: "; do
    grep -q "^$line$BASE" <<<"$OUTPUT" || { echo "example: missing '$line…' from the emulator" >&2; exit 1; }
done
grep -qE '^realtime: [0-9]+ answers for 30 frames, the last for "a cat 29", throttled$' <<<"$OUTPUT" \
    || { echo "example: the realtime step did not get the last frame answered, throttled" >&2; exit 1; }
echo "example: ran against the emulator"

# The command plugin: fetch into a target's fal-openapi/ and update it, against the emulator's /api/openapi.
PLUGIN=(swift package "${SHARED[@]}" --allow-network-connections all --allow-writing-to-package-directory fal-codegen)
DOCUMENT="$EXAMPLE/Sources/FalExample/fal-openapi/fal-ai__luma-photon.json"
cp "$DOCUMENT" "$DOCUMENTS/luma-photon.before"
(cd "$EXAMPLE" && "${PLUGIN[@]}" fetch fal-ai/luma-photon --target FalExample --base-url "$BASE") >/dev/null 2>&1 \
    || { echo "example: swift package fal-codegen fetch failed" >&2; exit 1; }
cmp -s "$DOCUMENT" "$DOCUMENTS/luma-photon.before" || { echo "example: fetch changed a normalized document" >&2; exit 1; }
report=$( (cd "$EXAMPLE" && "${PLUGIN[@]}" update --target VideoUpscaling --base-url "$BASE" --fail-on-breaking) 2>&1 ) \
    || { echo "example: swift package fal-codegen update failed:" >&2; echo "$report" | tail -5 >&2; exit 1; }
grep -q "No changes to the Swift API." <<<"$report" || { echo "example: unexpected update report:" >&2; echo "$report" | tail -5 >&2; exit 1; }

# fal publishes a newer version (the emulator's PUT /_emulator/openapi control): `update` rewrites the document and
# its names lock and reports the change in Swift terms, failing under --fail-on-breaking. Both are restored after.
UPSCALER="$EXAMPLE/Sources/VideoUpscaling/fal-openapi/fal-ai__video-upscaler.json"
UPSCALER_LOCK="$EXAMPLE/Sources/VideoUpscaling/fal-openapi/fal-codegen.lock"
cp "$UPSCALER" "$DOCUMENTS/upscaler.before"
cp "$UPSCALER_LOCK" "$DOCUMENTS/upscaler-lock.before"
trap 'cp "$DOCUMENTS/upscaler.before" "$UPSCALER"; cp "$DOCUMENTS/upscaler-lock.before" "$UPSCALER_LOCK"; cleanup' EXIT
python3 - "$UPSCALER" "$DOCUMENTS/upscaler.newer" <<'PY'
import json, sys
document = json.load(open(sys.argv[1]))
schema = document["components"]["schemas"]["VideoUpscalerInput"]
del schema["properties"]["scale"]   # an input field removed: source-breaking
schema["x-fal-order-properties"] = [name for name in schema["x-fal-order-properties"] if name != "scale"]
json.dump(document, open(sys.argv[2], "w"), indent=2)
PY
curl -fsS -X PUT -H "Authorization: Key example-key" -H "Content-Type: application/json" \
    --data-binary @"$DOCUMENTS/upscaler.newer" "$BASE/_emulator/openapi?endpoint_id=fal-ai/video-upscaler" >/dev/null
if report=$( (cd "$EXAMPLE" && "${PLUGIN[@]}" update --target VideoUpscaling --base-url "$BASE" --fail-on-breaking --format json) 2>/dev/null ); then
    echo "example: update did not fail on a breaking change" >&2; exit 1
fi
grep -q '"kind": "source-breaking"' <<<"$report" && grep -q '"symbol": "VideoUpscaler.Input.scale"' <<<"$report" \
    || { echo "example: the update report misses the removed field:" >&2; echo "$report" >&2; exit 1; }
! grep -q '"scale"' "$UPSCALER" || { echo "example: update did not rewrite the document" >&2; exit 1; }
cmp -s "$UPSCALER_LOCK" "$DOCUMENTS/upscaler-lock.before" && { echo "example: update did not rewrite the names lock" >&2; exit 1; }
cp "$DOCUMENTS/upscaler.before" "$UPSCALER"
cp "$DOCUMENTS/upscaler-lock.before" "$UPSCALER_LOCK"
echo "example: swift package fal-codegen fetch and update work against the emulator (a removed field is reported source-breaking)"

# `add` (the command plugin, into a target's fal-openapi/) and `search`, through the emulator's Platform API: both
# documents come in ONE `GET /v1/models?endpoint_id=…&endpoint_id=…&expand=openapi-3.0`, stored as `fetch` stores them.
platform_requests() {
    curl -fsS -H "Authorization: Key example-key" "$BASE/_emulator/requests" \
        | python3 -c 'import json, sys; print(json.load(sys.stdin)["by_operation"].get("platform", 0))'
}
PHOTON_BEFORE="$DOCUMENTS/luma-photon.before"
MINIMAX="$EXAMPLE/Sources/FalExample/fal-openapi/fal-ai__minimax__video-01__image-to-video.json"
cp "$MINIMAX" "$DOCUMENTS/minimax.before"
trap 'cp "$DOCUMENTS/upscaler.before" "$UPSCALER"; cp "$DOCUMENTS/upscaler-lock.before" "$UPSCALER_LOCK"; cp "$PHOTON_BEFORE" "$DOCUMENT"; cp "$DOCUMENTS/minimax.before" "$MINIMAX"; cleanup' EXIT
before=$(platform_requests)
(cd "$EXAMPLE" && "${PLUGIN[@]}" add fal-ai/luma-photon fal-ai/minimax/video-01/image-to-video --target FalExample --base-url "$BASE") >/dev/null 2>&1 \
    || { echo "example: swift package fal-codegen add failed" >&2; exit 1; }
[ "$(( $(platform_requests) - before ))" = 1 ] || { echo "example: add did not fetch both documents in one Platform API request" >&2; exit 1; }
cmp -s "$DOCUMENT" "$PHOTON_BEFORE" && cmp -s "$MINIMAX" "$DOCUMENTS/minimax.before" \
    || { echo "example: add stored a document differently from fetch" >&2; exit 1; }
(cd "$EXAMPLE" && "$SWIFT" build "${SHARED[@]}") >/dev/null 2>&1 || { echo "example: the package did not build after add" >&2; exit 1; }
found=$( (cd "$EXAMPLE" && "${PLUGIN[@]}" search photon --base-url "$BASE") 2>&1 ) || { echo "example: search failed: $found" >&2; exit 1; }
grep -q "^fal-ai/luma-photon " <<<"$found" || { echo "example: search did not list fal-ai/luma-photon:" >&2; echo "$found" >&2; exit 1; }
echo "example: swift package fal-codegen add (2 documents, 1 Platform API request) and search work against the emulator"
