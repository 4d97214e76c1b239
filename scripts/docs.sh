#!/usr/bin/env bash
# make docs: builds the DocC documentation of FalCore, FalRuntime and FalSDK and fails on any DocC warning
# or on a public FalCore/FalRuntime symbol without a doc comment; then builds the combined archive
# (all three modules, cross-linked) that a reader browses.
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

status=0
for target in FalCore FalRuntime FalSDK; do
    if ! $SWIFT package generate-documentation --target "$target" >"$log/$target.log" 2>&1; then
        cat "$log/$target.log"
        echo "docs: generate-documentation --target $target failed" >&2
        exit 1
    fi
    if no_warnings "$log/$target.log" "$target"; then echo "docs: $target: no DocC warnings"; else status=1; fi
done
# Every public symbol of the runtime (and of FalCore, which it re-exports) has a doc comment of its own.
graphs() { ls -dt "$extracted"/*/"$1" 2>/dev/null | head -1; }
$PYTHON scripts/doc-coverage.py "$(graphs FalCore)" Runtime/FalCore || status=1
$PYTHON scripts/doc-coverage.py "$(graphs FalRuntime)" Runtime/FalRuntime || status=1
[ $status -eq 0 ] || exit $status

$SWIFT package generate-documentation --target FalCore --target FalRuntime --target FalSDK \
    --enable-experimental-combined-documentation >"$log/combined.log" 2>&1 || { cat "$log/combined.log"; exit 1; }
no_warnings "$log/combined.log" "the combined archive" || exit 1
archive=$(grep -A1 "Generated combined documentation archive at:" "$log/combined.log" | tail -1 | tr -d ' ')
echo "docs: combined archive (FalCore, FalRuntime, FalSDK): $archive"
echo "docs: browse with: swift package --disable-sandbox preview-documentation --target FalRuntime"
