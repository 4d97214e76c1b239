#!/usr/bin/env bash
# `scripts/timed.sh NAME COMMAND…`: runs one stage of `make test` and appends its wall time and exit status to
# $STAGE_LOG (default .build/make-test-stages.txt). CI shows the end of the log, so a failing stage prints the
# table of the stages so far, and `make test` prints it at the end (scripts/timed.sh --report).
set -uo pipefail
log="${STAGE_LOG:-.build/make-test-stages.txt}"
report() {
    [ -f "$log" ] || return 0
    echo "make test stages (wall seconds, exit status):"
    awk '{ printf "  %-28s %6d s  exit %s\n", $1, $2, $3; total += $2 } END { printf "  %-28s %6d s\n", "total", total }' "$log"
}
case "${1:-}" in
    --reset) mkdir -p "$(dirname "$log")"; rm -f "$log"; exit 0 ;;
    --report) report; exit 0 ;;
esac
name="$1"; shift
started=$(date +%s)
"$@"
status=$?
echo "$name $(( $(date +%s) - started )) $status" >>"$log"
[ "$status" -eq 0 ] || report
exit "$status"
