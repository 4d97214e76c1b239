#!/usr/bin/env bash
# `make old-libcurl` (part of `make test`): the runtime and fal-codegen on the libcurl of older Swift server
# images. Swift's jammy images ship libcurl 7.81 (Ubuntu 22.04) and rhel-ubi9 7.76; Debian 11 has 7.74, older
# than both, and has no CURLOPT_PROTOCOLS_STR (7.85). Debian 11's libcurl packages are downloaded with a private
# apt configuration (the machine's sources are not touched) and unpacked under .build-old-libcurl, then:
#   1. fal-codegen (with the C shim) is built against its 7.74 headers and libcurl.so.4, and FalRuntime's
#      sources are type-checked against those headers;
#   2. that fal-codegen, run with Debian 11's libcurl.so.4 loaded, fetches a document from a local server;
#   3. the transport contract tests of the regular build (7.88 headers) run with Debian 11's libcurl.so.4 loaded
#      through LD_LIBRARY_PATH: both transports (URLSession's FoundationNetworking loads the same libcurl), and
#      the run-time fallback from CURLOPT_PROTOCOLS_STR to the CURLOPT_PROTOCOLS bit mask; and the WebSocket
#      client against the websockets peer, ws and wss (TLS read-ahead found in that libcurl's OpenSSL 1.1).
set -euo pipefail
cd "$(dirname "$0")/.."
SWIFT="${SWIFT:-swift}"
WORK="$PWD/.build-old-libcurl"
ROOT="$WORK/root"
ARCH="$(dpkg --print-architecture)"
TRIPLET="$(gcc -dumpmachine 2>/dev/null || echo x86_64-linux-gnu)"
LIBDIR="$ROOT/usr/lib/$TRIPLET"
PACKAGES=(libcurl4 libcurl4-openssl-dev libssl1.1 libldap-2.4-2)

start=$(date +%s)
if [ ! -f "$LIBDIR/libcurl.so.4" ] || [ ! -f "$ROOT/usr/include/$TRIPLET/curl/curl.h" ]; then
    echo "old-libcurl: downloading Debian 11's libcurl 7.74 (${PACKAGES[*]})"
    rm -rf "$WORK/apt" "$WORK/debs" "$ROOT"
    mkdir -p "$WORK/apt/lists/partial" "$WORK/apt/cache/archives/partial" "$WORK/debs" "$ROOT"
    cat >"$WORK/apt/sources.list" <<SOURCES
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bullseye main
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian-security bullseye-security main
SOURCES
    APT=(-o "Dir::Etc::SourceList=$WORK/apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
         -o "Dir::State::Lists=$WORK/apt/lists" -o "Dir::Cache=$WORK/apt/cache" -o APT::Sandbox::User=root)
    apt-get "${APT[@]}" update -qq >"$WORK/apt.log" 2>&1 || { tail -n 20 "$WORK/apt.log" >&2; echo "old-libcurl: apt-get update (bullseye) failed" >&2; exit 1; }
    (cd "$WORK/debs" && apt-get "${APT[@]}" download "${PACKAGES[@]/%//bullseye}" >>"$WORK/apt.log" 2>&1) \
        || { tail -n 20 "$WORK/apt.log" >&2; echo "old-libcurl: apt-get download failed" >&2; exit 1; }
    for deb in "$WORK"/debs/*_"$ARCH".deb; do dpkg-deb -x "$deb" "$ROOT"; done
fi
VERSION="$(sed -n 's/^#define LIBCURL_VERSION "\(.*\)"/\1/p' "$ROOT/usr/include/$TRIPLET/curl/curlver.h")"
[ "$VERSION" = "7.74.0" ] || { echo "old-libcurl: expected libcurl 7.74.0 headers, found '$VERSION'" >&2; exit 1; }

# libcurl.pc pointing into the unpacked root; the linker also needs Debian 11's libssl1.1 and libldap 2.4 there.
mkdir -p "$WORK/pkgconfig"
sed -e "s|^prefix=.*|prefix=$ROOT/usr|" -e "s|^includedir=/usr|includedir=$ROOT/usr|" \
    "$LIBDIR/pkgconfig/libcurl.pc" >"$WORK/pkgconfig/libcurl.pc"
LOG="$WORK/build.log"
# fal-codegen with SwiftPM (the C shim compiled, the tool linked against Debian 11's libcurl.so.4)...
if ! PKG_CONFIG_PATH="$WORK/pkgconfig" "$SWIFT" build -v --scratch-path "$WORK/build" --product fal-codegen \
    -Xlinker -rpath-link -Xlinker "$LIBDIR" >"$LOG" 2>&1; then
    grep -E "error:" "$LOG" | head -n 20 >&2 || tail -n 40 "$LOG" >&2
    echo "old-libcurl: building fal-codegen against libcurl $VERSION's headers failed" >&2
    exit 1
fi
BIN="$(PKG_CONFIG_PATH="$WORK/pkgconfig" "$SWIFT" build --scratch-path "$WORK/build" --show-bin-path)"
# The shim's dependency file names the curl.h it was compiled with.
grep -q "$ROOT/usr/include/$TRIPLET/curl/curl.h" "$BIN/CCurlShim.build/shim.c.d" \
    || { echo "old-libcurl: the C shim was not compiled against libcurl $VERSION's headers" >&2; exit 1; }
# ...and FalRuntime's sources type-checked against the same headers, with the modules of the regular build
# (FalCore, swift-crypto, swift-log): a second cold build of swift-crypto would cost minutes and check nothing more.
REGULAR="$("$SWIFT" build --show-bin-path)"
[ -d "$REGULAR/Modules" ] || { echo "old-libcurl: run 'swift build --build-tests' first" >&2; exit 1; }
MAPS=()
for map in "$REGULAR"/*.build/module.modulemap; do
    case "$map" in *-tool.build/*) ;; *) MAPS+=(-Xcc "-fmodule-map-file=$map") ;; esac
done
IDENTITY="$(basename "$PWD" | tr '[:upper:]' '[:lower:]')"
rm -rf "$WORK/module-cache"
if ! "${SWIFT}c" -typecheck -module-name FalRuntime -package-name "$IDENTITY" -swift-version 6 \
    -module-cache-path "$WORK/module-cache" -I "$REGULAR/Modules" "${MAPS[@]}" \
    -Xcc -fmodule-map-file=Runtime/CCurl/module.modulemap -Xcc "-I$ROOT/usr/include/$TRIPLET" \
    $(find Runtime/FalRuntime -name '*.swift' | sort) >"$WORK/typecheck.log" 2>&1; then
    grep -E "error:" "$WORK/typecheck.log" | head -n 20 >&2 || tail -n 40 "$WORK/typecheck.log" >&2
    echo "old-libcurl: FalRuntime does not compile against libcurl $VERSION's headers" >&2
    exit 1
fi
echo "old-libcurl: fal-codegen built and FalRuntime type-checked against libcurl $VERSION's headers ($(( $(date +%s) - start )) s)"

# fal-codegen from that build, on Debian 11's libcurl.so.4, fetches a document from a local server.
export LD_LIBRARY_PATH="$LIBDIR"
LOADED="$(ldd "$BIN/fal-codegen" | awk '/libcurl.so.4/ {print $3}')"
[ "$LOADED" = "$LIBDIR/libcurl.so.4" ] || { echo "old-libcurl: fal-codegen loads $LOADED, not Debian 11's libcurl" >&2; exit 1; }
SERVED="$(mktemp -d)"; OUT="$(mktemp -d)"
trap 'rm -rf "$SERVED" "$OUT"; [ -n "${SERVER:-}" ] && kill "$SERVER" 2>/dev/null || true' EXIT
mkdir -p "$SERVED/api/openapi/queue"
cp schemas/fal-ai__illusion-diffusion.json "$SERVED/api/openapi/queue/openapi.json"
PORT=$(( 20000 + RANDOM % 30000 ))
env -u LD_LIBRARY_PATH python3 -m http.server "$PORT" --bind 127.0.0.1 --directory "$SERVED" >/dev/null 2>&1 &
SERVER=$!
for _ in $(seq 50); do
    "$BIN/fal-codegen" fetch fal-ai/illusion-diffusion --base-url "http://127.0.0.1:$PORT" --into "$OUT" >/dev/null 2>&1 && break
    sleep 0.1
done
cmp -s <(python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1])), sort_keys=True))' "$OUT/fal-ai__illusion-diffusion.json") \
       <(python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1])), sort_keys=True))' schemas/fal-ai__illusion-diffusion.json) \
    || { echo "old-libcurl: fal-codegen fetch on libcurl $VERSION did not store the served document" >&2; exit 1; }
echo "old-libcurl: fal-codegen fetched a document with Debian 11's libcurl.so.4 loaded"

# The regular build's transport contract and WebSocket peer tests, with Debian 11's libcurl.so.4 loaded at run time.
TESTS="$(env -u LD_LIBRARY_PATH "$SWIFT" build --show-bin-path)/FalSDKPackageTests.xctest"
[ -x "$TESTS" ] || { echo "old-libcurl: run 'swift build --build-tests' first ($TESTS is missing)" >&2; exit 1; }
LOADED="$(ldd "$TESTS" | awk '/libcurl.so.4/ {print $3}')"
[ "$LOADED" = "$LIBDIR/libcurl.so.4" ] || { echo "old-libcurl: the tests load $LOADED, not Debian 11's libcurl" >&2; exit 1; }
if ! "$TESTS" --testing-library swift-testing --filter 'FalRuntimeTests.TransportContractTests|FalRuntimeTests.WebSocketPeerTests' >"$WORK/tests.log" 2>&1; then
    grep -E "✘|error|failed" "$WORK/tests.log" | head -n 30 >&2 || tail -n 40 "$WORK/tests.log" >&2
    echo "old-libcurl: the transport contract or WebSocket peer tests failed on libcurl $VERSION" >&2
    exit 1
fi
passed="$(grep -oE 'Test run with [0-9]+ tests? (in [0-9]+ suites? )?passed' "$WORK/tests.log" | tail -n 1)"
[ -n "$passed" ] || { tail -n 20 "$WORK/tests.log" >&2; echo "old-libcurl: no passing test run found in the log" >&2; exit 1; }
echo "old-libcurl: transport contract and WebSocket peer tests on libcurl $VERSION: $passed ($(( $(date +%s) - start )) s in all)"
