#!/usr/bin/env bash
# `make sanitize`: the runtime and emulator suites (as `make test` splits them) under AddressSanitizer and
# ThreadSanitizer. Each sanitizer builds into its own scratch folder (.build/sanitize-*) so the normal
# build is not invalidated; a cold build per sanitizer is most of the time (13-16 min each on 2 cores).
# SANITIZERS="address" runs one. Every suite runs even when an earlier one fails; the exit code says
# whether all were clean.
#
# Left out under a sanitizer, because they measure what the sanitizer itself changes:
#   LoadTests, LargeUploadTests  throughput and RSS bounds (ASan's quarantine alone adds hundreds of MiB).
# The tests see the sanitizer's name in FAL_SANITIZER: wall-clock bounds get slack (Sanitizer.timeSlack)
# and peak-RSS bounds under AddressSanitizer are disabled, which Swift Testing reports as skipped.
# Under ThreadSanitizer the build defines FAL_THREAD_SANITIZER, and each module's `Mutex` is then a pthread-
# backed lock (FalCore's ThreadSanitizerVisibleMutex): TSan does not model the futex Synchronization.Mutex
# waits on, and reported every access a Mutex guards as a race.
# LeakSanitizer's report at process exit is off (detect_leaks=0): it lists the generator IR the emulator
# keeps for its whole life (~160 KB, built once per schema folder), and a report turns the exit status of
# every CLI the tests start (fal-emulator, fal-codegen) into a failure. Memory errors still abort.
set -uo pipefail
cd "$(dirname "$0")/.."

SWIFT="${SWIFT:-swift}"
SANITIZERS="${SANITIZERS:-address thread}"
RUNTIME_SUITES='^FalRuntimeTests\.'
EMULATOR_SUITES='^(FalEmulatorTests|EndToEndTests)\.'
UNSANITIZABLE='^FalEmulatorTests\.(LoadTests|LargeUploadTests)'
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0}"

status=0
for sanitizer in $SANITIZERS; do
    scratch=".build/sanitize-$sanitizer"
    export FAL_SANITIZER="$sanitizer"
    flags=(--sanitize="$sanitizer" --scratch-path "$scratch")
    if [ "$sanitizer" = thread ]; then flags+=(-Xswiftc -DFAL_THREAD_SANITIZER); fi
    started=$(date +%s)
    echo "sanitize: building with --sanitize=$sanitizer"
    if ! "$SWIFT" build --build-tests "${flags[@]}"; then
        echo "sanitize: $sanitizer build FAILED" >&2
        status=1
        continue
    fi
    built=$(date +%s)
    failed=""
    "$SWIFT" test --skip-build "${flags[@]}" --filter "$RUNTIME_SUITES" || failed="$failed runtime"
    "$SWIFT" test --skip-build "${flags[@]}" --filter "$EMULATOR_SUITES" --skip "$UNSANITIZABLE" \
        || failed="$failed emulator"
    finished=$(date +%s)
    if [ -n "$failed" ]; then
        echo "sanitize: $sanitizer FAILED in:$failed (build $((built - started)) s, tests $((finished - built)) s)" >&2
        status=1
    else
        echo "sanitize: $sanitizer clean (build $((built - started)) s, tests $((finished - built)) s)"
    fi
done
exit $status
