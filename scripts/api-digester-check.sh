#!/usr/bin/env bash
# make api-digester: the change report's source-breaking list against swift-api-digester, case by case (issue 20 §1).
# Needs the debug build (`swift build`, done by `make test` first): the generated modules are compiled against its
# FalRuntime. See scripts/api-digester/check.py for the cases and the rules where the report knowingly differs.
set -euo pipefail
SWIFT="${SWIFT:-swift}"
PYTHON="${PYTHON:-python3}"
TOOLCHAIN_BIN="$(dirname "$(command -v "$SWIFT")")"
DIGESTER="${DIGESTER:-$TOOLCHAIN_BIN/swift-api-digester}"
[ -x "$DIGESTER" ] || DIGESTER=/opt/swift/usr/bin/swift-api-digester
[ -x "$DIGESTER" ] || { echo "swift-api-digester not found beside $SWIFT (set DIGESTER=...)"; exit 1; }
$SWIFT build --product fal-codegen >/dev/null
$SWIFT build --target FalRuntime >/dev/null
BIN="$($SWIFT build --show-bin-path)"
WORK="${WORK:-.build/api-digester}"
# FalRuntime's module imports the libcurl shim's C module: the compiler needs its module map to load it.
exec timeout 300 "$PYTHON" scripts/api-digester/check.py \
  --codegen "$BIN/fal-codegen" --digester "$DIGESTER" --swiftc "$TOOLCHAIN_BIN/swiftc" --modules "$BIN/Modules" \
  --module-map Runtime/CCurl/module.modulemap --module-map "$BIN/CCurlShim.build/module.modulemap" \
  --c-include Runtime/CCurlShim/include --fixtures Tests/Fixtures/diff --work "$WORK"
