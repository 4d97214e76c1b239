#!/usr/bin/env bash
# make corpus: generate every document of the fal corpus (current documents, then the .legacy.json twins in a
# second run), compile the results as modules of a scratch package that depends on this package's FalRuntime,
# and round-trip every documented input example. Prints per-step pass counts; exits 1 on any failure that is not
# listed, with its reason, in scripts/corpus/known-failures.txt (and on a listed one that no longer fails).
set -euo pipefail
STAGE_START=$(date +%s)
CORPUS="${CORPUS:-../shared/fal-openapi}"
OUT=.corpus-out
SWIFT="${SWIFT:-swift}"
[ -d "$CORPUS" ] || { echo "corpus directory $CORPUS not found (set CORPUS=...)"; exit 1; }

mkdir -p "$OUT/inputs"
rm -rf "$OUT/inputs/current" "$OUT/inputs/legacy" "$OUT/inputs/schemas-only"
mkdir -p "$OUT/inputs/current" "$OUT/inputs/legacy" "$OUT/inputs/schemas-only"
for file in "$CORPUS"/*.json; do
  case "$file" in
    *.legacy.json) cp "$file" "$OUT/inputs/legacy/" ;;
    *.schemas-only.json) cp "$file" "$OUT/inputs/schemas-only/" ;;
    *) cp "$file" "$OUT/inputs/current/" ;;
  esac
done
cp scripts/corpus/Package.swift "$OUT/Package.swift"
mkdir -p "$OUT/Sources"
rm -rf "$OUT/Sources/CorpusCheck" "$OUT/Sources/check-current" "$OUT/Sources/check-legacy"
cp -R scripts/corpus/Sources/CorpusCheck scripts/corpus/Sources/check-current scripts/corpus/Sources/check-legacy "$OUT/Sources/"

# Debug by default: `make test` has built it already (CI); CODEGEN_CONFIG=release to time generation.
CODEGEN_CONFIG="${CODEGEN_CONFIG:-debug}"
$SWIFT build -c "$CODEGEN_CONFIG" --product fal-codegen > "$OUT/build-codegen.log" 2>&1 || { grep -E "error" -A3 "$OUT/build-codegen.log"; exit 1; }
CODEGEN="$($SWIFT build -c "$CODEGEN_CONFIG" --show-bin-path)/fal-codegen"

status=0
echo "== step 1: generate"
start=$(date +%s.%N)
"$CODEGEN" generate --output "$OUT/Sources/Corpus" "$OUT/inputs/current" 2>"$OUT/current.diagnostics" || status=1
"$CODEGEN" generate --output "$OUT/Sources/CorpusLegacy" "$OUT/inputs/legacy" 2>"$OUT/legacy.diagnostics" || status=1
end=$(date +%s.%N)
echo "generated $(ls "$OUT/Sources/Corpus" | wc -l) + $(ls "$OUT/Sources/CorpusLegacy" | wc -l) files in $(echo "$end - $start" | bc) s;" \
  "$(grep -c '^warning' "$OUT/current.diagnostics" "$OUT/legacy.diagnostics" | paste -sd' ') warnings (see $OUT/*.diagnostics)"
for file in "$OUT"/inputs/schemas-only/*.json; do
  if "$CODEGEN" generate --check --output "$OUT/schemas-only-out" "$file" >/dev/null 2>"$OUT/schemas-only.err"; then
    echo "unexpected: $file generated"; status=1
  else
    echo "schemas-only (not a full OpenAPI document, reported not generated): $(head -1 "$OUT/schemas-only.err")"
  fi
done

# In this package's build folder: FalRuntime, FalCodegen and their dependencies are then compiled once (make test
# has built them), not again in a folder of the corpus package's own (about 180 s of a clean CI run).
SHARED=(--scratch-path "$(pwd)/.build")
echo "== step 2: compile (debug)"
start=$(date +%s)
if (cd "$OUT" && $SWIFT build "${SHARED[@]}" --product check-current && $SWIFT build "${SHARED[@]}" --product check-legacy) > "$OUT/compile.log" 2>&1; then
  echo "compiled both modules in $(( $(date +%s) - start )) s"
else
  grep -E "error:" "$OUT/compile.log" | head -40
  echo "compile failed: files with errors: $(grep -E '^/.*error:' "$OUT/compile.log" | cut -d: -f1 | sort -u | wc -l)"
  exit 1
fi

echo "== step 3: parse, compiled type, example round-trips"
BIN="$(cd "$OUT" && $SWIFT build "${SHARED[@]}" --show-bin-path)"
KNOWN="$(pwd)/scripts/corpus/known-failures.txt"
"$BIN/check-current" "$OUT/inputs/current" "$KNOWN" || status=1
"$BIN/check-legacy" "$OUT/inputs/legacy" "$KNOWN" || status=1
echo "corpus stage: $(( $(date +%s) - STAGE_START )) s, $([ $status = 0 ] && echo passed || echo FAILED)"
exit $status
