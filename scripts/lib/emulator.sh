# Sourced by demo.sh, example.sh and no-libcurl.sh: one way to run a fal-emulator in the background.

# start_emulator NAME LOG EMULATOR [ARGUMENTS…]: starts EMULATOR on a free 127.0.0.1 port, its output into LOG,
# and waits at most 30 s for its "listening on" line. Sets EMULATOR_PID and EMULATOR_BASE (http://127.0.0.1:PORT);
# on failure prints why, prefixed with NAME, and returns 1.
start_emulator() {
    local name="$1" log="$2" binary="$3"
    shift 3
    : >"$log"   # exists before the loop reads it: the background job opens it only once it runs
    "$binary" --host 127.0.0.1 --port 0 "$@" >"$log" 2>&1 &
    EMULATOR_PID=$!
    EMULATOR_BASE=""
    for _ in $(seq 1 300); do
        EMULATOR_BASE="$(sed -n 's/^listening on //p' "$log" | head -n 1)"
        [ -n "$EMULATOR_BASE" ] && return 0
        if ! kill -0 "$EMULATOR_PID" 2>/dev/null; then
            echo "$name: the emulator exited:" >&2
            cat "$log" >&2
            return 1
        fi
        sleep 0.1
    done
    echo "$name: the emulator did not start within 30 s" >&2
    cat "$log" >&2
    return 1
}

# stop_emulator: stops what start_emulator started; safe to call again, or when nothing was started.
stop_emulator() {
    [ -n "${EMULATOR_PID:-}" ] || return 0
    kill -TERM "$EMULATOR_PID" 2>/dev/null || true
    wait "$EMULATOR_PID" 2>/dev/null || true
    EMULATOR_PID=""
}
