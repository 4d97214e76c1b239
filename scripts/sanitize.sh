#!/usr/bin/env bash
# `make sanitize`: the runtime and emulator suites (as `make test` splits them) under AddressSanitizer and
# ThreadSanitizer. Each sanitizer builds into its own scratch folder (.build/sanitize-*) so the normal
# build is not invalidated; a cold build per sanitizer is most of the time. SANITIZERS="address" runs one.
set -euo pipefail
cd "$(dirname "$0")/.."

SWIFT="${SWIFT:-swift}"
SANITIZERS="${SANITIZERS:-address thread}"
RUNTIME_SUITES='^FalRuntimeTests\.'
EMULATOR_SUITES='^(FalEmulatorTests|EndToEndTests)\.'
# The 2,000-request load test measures throughput, which a sanitizer slows many times over.
LOAD_SUITES='^FalEmulatorTests\.LoadTests'

for sanitizer in $SANITIZERS; do
    scratch=".build/sanitize-$sanitizer"
    started=$(date +%s)
    echo "sanitize: building with --sanitize=$sanitizer"
    "$SWIFT" build --build-tests --sanitize="$sanitizer" --scratch-path "$scratch"
    built=$(date +%s)
    "$SWIFT" test --skip-build --sanitize="$sanitizer" --scratch-path "$scratch" --filter "$RUNTIME_SUITES"
    "$SWIFT" test --skip-build --sanitize="$sanitizer" --scratch-path "$scratch" --filter "$EMULATOR_SUITES" --skip "$LOAD_SUITES"
    finished=$(date +%s)
    echo "sanitize: $sanitizer clean: build $((built - started)) s, tests $((finished - built)) s"
done
