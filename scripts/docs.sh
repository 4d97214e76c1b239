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

status=0
for target in FalCore FalRuntime FalSDK; do
    if ! $SWIFT package generate-documentation --target "$target" >"$log/$target.log" 2>&1; then
        cat "$log/$target.log"
        echo "docs: generate-documentation --target $target failed" >&2
        exit 1
    fi
    if grep -q "warning:" "$log/$target.log"; then
        grep -A8 "warning:" "$log/$target.log" >&2
        echo "docs: $target has DocC warnings" >&2
        status=1
    else
        echo "docs: $target: no DocC warnings"
    fi
done
# Every public symbol of the runtime (and of FalCore, which it re-exports) has a doc comment of its own.
graphs() { ls -dt "$extracted"/*/"$1" 2>/dev/null | head -1; }
$PYTHON scripts/doc-coverage.py "$(graphs FalCore)" Runtime/FalCore || status=1
$PYTHON scripts/doc-coverage.py "$(graphs FalRuntime)" Runtime/FalRuntime || status=1
[ $status -eq 0 ] || exit $status

$SWIFT package generate-documentation --target FalCore --target FalRuntime --target FalSDK \
    --enable-experimental-combined-documentation >"$log/combined.log" 2>&1 || { cat "$log/combined.log"; exit 1; }
if grep -q "warning:" "$log/combined.log"; then
    grep -A8 "warning:" "$log/combined.log" >&2
    echo "docs: the combined archive has DocC warnings" >&2
    exit 1
fi
archive=$(grep -A1 "Generated combined documentation archive at:" "$log/combined.log" | tail -1 | tr -d ' ')
echo "docs: combined archive (FalCore, FalRuntime, FalSDK): $archive"
echo "docs: browse with: swift package --disable-sandbox preview-documentation --target FalRuntime"
