#!/usr/bin/env bash
# `scripts/together.sh 'COMMAND' 'COMMAND'…`: runs the commands at the same time, each writing to a file of its
# own, then prints each one's output in the order given; exits 1, naming every command that failed.
# For a stage of `make test` that mostly waits (make demo's paced queue: 1.5 s model latency) beside one that
# computes: on 2 cores the waiting one costs its wall time for nothing when they run one after the other.
set -uo pipefail
work="$(mktemp -d -t fal-together.XXXXXX)"
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT
pids=()
for index in $(seq 0 $(($# - 1))); do
    command="${@:index+1:1}"
    bash -c "$command" >"$work/$index.log" 2>&1 &
    pids+=($!)
done
failed=()
for index in "${!pids[@]}"; do
    wait "${pids[$index]}" || failed+=("${@:index+1:1}")
done
for index in "${!pids[@]}"; do
    echo "== ${@:index+1:1}"
    cat "$work/$index.log"
done
if [ ${#failed[@]} -gt 0 ]; then
    printf 'together: failed: %s\n' "${failed[@]}" >&2
    exit 1
fi
