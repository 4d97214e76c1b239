#!/usr/bin/env bash
# make tls: the runtime end-to-end suite (RuntimeEndToEndTests) and TLSTests over https:// only, each test's
# emulator behind its own nginx TLS front (scripts/lib/tls-front.sh: TLS 1.2/1.3, ALPN h2 and http/1.1), in one
# test process, over both transports. HTTPTransport is given the test CA (TLSOptions.trustedCertificatesPath).
# Linux's FoundationNetworking trusts the system store only, so that process runs in a private mount namespace
# where /etc/ssl/certs/ca-certificates.crt is that bundle plus the test CA: nothing outside it changes. Where no
# mount namespace can be made, URLSession's refusal cases still run, and its trusted-front cases are skipped
# (said so). Every front stops when its test ends, or when the test process ends.
set -euo pipefail
SWIFT="${SWIFT:-swift}"
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
dir="$(mktemp -d "${TMPDIR:-/tmp}/fal-tls-tests.XXXXXX")"
trap 'rm -rf "$dir"' EXIT
# shellcheck source=lib/tls-front.sh
source scripts/lib/tls-front.sh
tls_front_make_test_set "$dir"

suites='^FalRuntimeTests\.(RuntimeEndToEndTests|TLSTests|HTTP2HostileTests)'
system_bundle=/etc/ssl/certs/ca-certificates.crt
export FAL_TEST_TLS=1 FAL_TEST_TLS_DIR="$dir"

namespace=""
if [ -f "$system_bundle" ]; then
    if unshare -m true 2>/dev/null; then namespace="unshare -m"
    elif unshare -rm true 2>/dev/null; then namespace="unshare -rm"; fi
fi

start=$(date +%s)
if [ -n "$namespace" ]; then
    cat "$system_bundle" "$dir/ca.pem" >"$dir/system-and-test-ca.pem"
    # shellcheck disable=SC2086
    $namespace bash -c 'mount --bind "$1" "$2" && shift 2 && FAL_TEST_TLS_SYSTEM_TRUST=1 exec "$@"' tls \
        "$dir/system-and-test-ca.pem" "$system_bundle" "$SWIFT" test --skip-build --filter "$suites"
else
    echo "tls: no private mount namespace here (unshare): URLSession's trusted-front cases are skipped; its refusal cases run" >&2
    FAL_TEST_TRANSPORT=libcurl "$SWIFT" test --skip-build --filter "$suites"
    FAL_TEST_TRANSPORT=urlSession "$SWIFT" test --skip-build --filter '^FalRuntimeTests\.TLSTests'
fi
# The per-host connection cap, in fresh processes (the cap is per process and lifts for good): 1,000 concurrent
# subscribes over HTTP/2 on a few connections, and through a front without h2 all of them, unqueued.
CHECK=1 CONFIG=debug N=1000 ./scripts/bench-tls.sh
echo "tls: done in $(( $(date +%s) - start )) s"
