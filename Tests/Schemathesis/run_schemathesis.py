"""`make schemathesis`: schemathesis against the fal emulator, on every fixture document.

For each document folder (Tests/Fixtures/openapi, schemas/ with its overlays) it starts `fal-emulator`
(zero latency, a required key), merges the folder's documents into one (merge_documents.py: one
schemathesis start-up instead of one per document, `openapi` patched to 3.1.0) and runs two passes:

  queue  every documented operation on /queue (submit, status, result, cancel): `not_a_server_error`.
  run    every submit on /run, where fal validates synchronously and the emulator fabricates an output
         from whatever was accepted: `not_a_server_error` and `negative_data_rejection` (a body that breaks
         the schema must be refused). The queue accepts such bodies and fails the request later, as fal does,
         so that check applies to /run only.
  platform  (schemas/ only) fal's Platform API document, Models group, on /v1: `not_a_server_error`.

Afterwards the emulator must still answer and must not have printed a fatal error. Prints the number of
cases and failures per pass; exits non-zero on any failure. Bounded: `--max-examples` per operation and
per-request timeouts; the five passes run at once (`--jobs`), about 1.5 minutes on 2 cores with a debug emulator.
"""

import argparse
import concurrent.futures
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
from merge_documents import merge  # noqa: E402

KEY = "schemathesis-key"

# Submits left out of `negative_data_rejection`, each for a documented reason (they still get
# `not_a_server_error` in the queue pass):
KNOWN_DEVIATIONS = [
    # `TextVoice.voice` has both `enum` (no null) and `anyOf: [string, null]` at one level. JSON Schema
    # requires both, so null is invalid; the generator's IR (which the emulator validates with, as the SDK
    # does) reads it as an optional enum that may be null, as fal's pydantic model means it.
    "/fal-ai/heygen/avatar3/digital-twin",
]


def start_emulator(binary, schemas, log_path):
    log = open(log_path, "w")
    process = subprocess.Popen(
        [binary, "--host", "127.0.0.1", "--port", "0", "--schemas", schemas, "--key", KEY, "--latency-ms", "0", "--queue-depth", "0"],
        stdout=log, stderr=subprocess.STDOUT)
    deadline = time.time() + 120
    while time.time() < deadline:
        with open(log_path) as handle:
            for line in handle:
                if line.startswith("listening on "):
                    return process, line.split("listening on ", 1)[1].strip()
        if process.poll() is not None:
            raise SystemExit(f"schemathesis: the emulator exited at start:\n{open(log_path).read()}")
        time.sleep(0.1)
    process.kill()
    raise SystemExit("schemathesis: the emulator did not start within 120 s")


def alive(base):
    request = urllib.request.Request(f"{base}/_emulator/requests", headers={"Authorization": f"Key {KEY}"})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status == 200, json.load(answer).get("total", 0)
    except Exception as error:  # noqa: BLE001 - any failure means the emulator is not answering
        return False, str(error)


def run_pass(name, document, url, checks, max_examples, phases, report, extra, work):
    # One worker: with two, hypothesis describes filter lambdas with `ast.parse` on both threads at once, and
    # CPython 3.11's parser keeps its recursion depth per process, not per thread: "SystemError: AST
    # constructor recursion depth mismatch" ended a CI run's coverage phase (seen 1 in 18 runs here).
    command = [
        sys.executable, "-m", "schemathesis.cli", "run", document, "--url", url,
        "-H", f"Authorization: Key {KEY}", "--checks", ",".join(checks), "--max-examples", str(max_examples),
        "--phases", phases, "--workers", "1", "--request-timeout", "30", "--seed", "11", "--no-color",
        "--generation-database", "none", "--warnings", "off", "--report", "json", "--report-json-path", report, *extra,
    ]
    started = time.time()
    # In the scratch folder: schemathesis keeps a `.schemathesis/` cache in its working directory.
    completed = subprocess.run(command, capture_output=True, text=True, cwd=work)
    elapsed = time.time() - started
    try:
        with open(report) as handle:
            summary = json.load(handle)
    except (OSError, json.JSONDecodeError):
        lines = [completed.stdout[-6000:], completed.stderr[-3000:],
                 f"schemathesis: {name} produced no report (exit {completed.returncode})"]
        return 0, 1, False, lines
    cases = summary["test_cases"]
    failures = cases["with_failures"]
    errored = cases["errored"]
    lines = [f"schemathesis: {name}: {cases['generated']} cases, {failures} with failures, {errored} errored, "
             f"{summary['operations']['tested']} operations, {elapsed:.0f} s"]
    if failures or errored or completed.returncode != 0 or summary.get("errors"):
        lines.append(completed.stdout[-12000:])
        # CI shows the end of the log: say again, last, what went wrong.
        for error in summary.get("errors", []):
            lines.append(f"schemathesis: {name}: error: {error.get('title')} x{error.get('count')}")
        lines.append(f"schemathesis: {name}: {cases['generated']} cases, {failures} with failures, {errored} errored, exit "
                     f"{completed.returncode} (the errors' details are above)")
    return cases["generated"], failures + errored, completed.returncode == 0, lines


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--emulator", default=os.path.join(ROOT, ".build/debug/fal-emulator"))
    parser.add_argument("--max-examples", type=int, default=int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "10")))
    parser.add_argument("--jobs", type=int, default=int(os.environ.get("SCHEMATHESIS_JOBS", "5")))
    arguments = parser.parse_args()

    folders = [os.path.join(ROOT, "Tests/Fixtures/openapi"), os.path.join(ROOT, "schemas")]
    total_cases = total_failures = 0
    ok = True
    with tempfile.TemporaryDirectory(prefix="fal-schemathesis-") as work:
        emulators = []  # (label, process, base, log path)
        passes = []  # run_pass's arguments, in the order their results are printed
        try:
            for index, folder in enumerate(folders):
                label = os.path.relpath(folder, ROOT)
                documents = sorted(os.path.join(folder, name) for name in os.listdir(folder) if name.endswith(".json"))
                log_path = os.path.join(work, f"emulator-{index}.log")
                process, base = start_emulator(arguments.emulator, folder, log_path)
                emulators.append((label, process, base, log_path))
                merged = os.path.join(work, f"merged-{index}.json")
                with open(merged, "w") as handle:
                    json.dump(merge(documents, base + "/queue"), handle)
                print(f"schemathesis: {label}: {len(documents)} documents, emulator at {base}")
                for name, document, url, checks, phases, extra in [
                    # The bodies' boundary cases (coverage phase) are sent once, in the run pass.
                    ("queue", merged, base + "/queue", ["not_a_server_error"], "examples,fuzzing", []),
                    ("run", merged, base + "/run", ["not_a_server_error", "negative_data_rejection"], "examples,coverage,fuzzing",
                     ["--include-method", "POST", *[option for path in KNOWN_DEVIATIONS for option in ("--exclude-path", path)]]),
                    # fal's Platform API, Models group (`/v1/models…`), on the emulator serving schemas/.
                    ("platform", os.path.join(folder, "platform", "openapi.json"), base + "/v1", ["not_a_server_error"],
                     "examples,coverage,fuzzing", ["--include-tag", "Models"]),
                ]:
                    if not os.path.exists(document):
                        continue
                    # Each pass in a folder of its own: schemathesis keeps a `.schemathesis/` cache in its working directory.
                    scratch = os.path.join(work, f"{index}-{name}")
                    os.mkdir(scratch)
                    passes.append((f"{label} {name}", document, url, checks, arguments.max_examples, phases,
                                   os.path.join(scratch, "report.json"), extra, scratch))
            # The passes are separate schemathesis processes (one worker each, see run_pass), all five at once by default:
            # each waits on its emulator's answers much of the time, so one at a time left the 2 cores half idle.
            # Measured here: 207 s one at a time, 129 s two at a time, 77 s all at once.
            with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, arguments.jobs)) as pool:
                for cases, failures, passed, lines in pool.map(lambda job: run_pass(*job), passes):
                    print("\n".join(lines), flush=True)
                    total_cases += cases
                    total_failures += failures
                    ok = ok and passed
            for label, process, base, _ in emulators:
                answering, detail = alive(base)
                if not answering or process.poll() is not None:
                    ok = False
                    print(f"schemathesis: {label}: the emulator is DOWN after the run ({detail})")
                else:
                    print(f"schemathesis: {label}: emulator still answering after {detail} requests")
        finally:
            for _, process, _, _ in emulators:
                process.terminate()
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
        for label, _, _, log_path in emulators:
            output = open(log_path).read()
            if "Fatal error" in output or "Program crashed" in output:
                ok = False
                print(f"schemathesis: {label}: the emulator reported a crash:\n{output[-4000:]}")
    print(f"schemathesis: {total_cases} cases in all, {total_failures} failing")
    return 0 if ok and total_failures == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
