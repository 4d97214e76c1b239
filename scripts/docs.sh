#!/usr/bin/env bash
# make docs: builds the combined DocC archive of FalCore, FalRuntime and FalSDK (cross-linked, what a reader
# browses) and fails on any DocC warning or on a public FalCore/FalRuntime symbol without a doc comment.
set -euo pipefail
cd "$(dirname "$0")/.."
SWIFT=${SWIFT:-swift}
PYTHON=${PYTHON:-python3}
log=$(mktemp -d)
trap 'rm -rf "$log"' EXIT
# The plugin extracts symbol graphs under extracted-symbols/<package identity>/, the identity being the checkout's
# folder name (`main`, `fal-swift`, …).
extracted=$($SWIFT build --show-bin-path)/../extracted-symbols

# Fails, printing them, when a DocC log has warnings.
no_warnings() {
    local log="$1" what="$2"
    if grep -q "warning:" "$log"; then
        grep -A8 "warning:" "$log" >&2
        echo "docs: $what has DocC warnings" >&2
        return 1
    fi
}

# One run for the three modules: the combined archive a reader browses. Its log carries every module's DocC
# warnings (each names its file), and it extracts each module's symbol graph for the coverage check. (Three
# runs of one module each, then the combined one, took 91 s; this one takes about a third of that.)
$SWIFT package generate-documentation --target FalCore --target FalRuntime --target FalSDK \
    --enable-experimental-combined-documentation >"$log/combined.log" 2>&1 || { cat "$log/combined.log"; exit 1; }
status=0
no_warnings "$log/combined.log" "FalCore, FalRuntime or FalSDK" || status=1
graphs() { ls -dt "$extracted"/*/"$1" 2>/dev/null | head -1; }
$PYTHON scripts/doc-coverage.py "$(graphs FalCore)" Runtime/FalCore || status=1
$PYTHON scripts/doc-coverage.py "$(graphs FalRuntime)" Runtime/FalRuntime || status=1
[ $status -eq 0 ] || exit $status
echo "docs: FalCore, FalRuntime, FalSDK: no DocC warnings"
archive=$(grep -A1 "Generated combined documentation archive at:" "$log/combined.log" | tail -1 | tr -d ' ')
echo "docs: combined archive (FalCore, FalRuntime, FalSDK): $archive"
echo "docs: browse with: swift package --disable-sandbox preview-documentation --target FalRuntime"
