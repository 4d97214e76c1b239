#!/usr/bin/env python3
"""The change report against Swift's own oracle (issue 20 §1).

For each case (an old and a new set of fal documents), generate both (the old side writing a names lock that the new
side honours, as `fal-codegen update` regenerates, and as `fal-codegen diff` names NEW), compile each as a Swift
module against the debug build's FalRuntime, let swift-api-digester list what the new module's public API lost or changed, and check
that `fal-codegen diff`'s source-breaking list names exactly those declarations. Exit 1, with the difference
printed case by case, when they disagree.

Where the report knowingly differs from the digester, the report says so itself by the change's `rule`; these
findings of the digester must then appear in the report with one of these rules, classed non-breaking:
- `initializer-grew`: the digester compares symbols, so `init(prompt:)` → `init(prompt:seed:)` is a removed
  constructor to it; every call still compiles because the new parameter has a default.
- `input-case-added`: the digester lists every case added to an enum of a non-resilient module; a case added to
  an enum only inputs use breaks no code a user writes (they build these values, they do not switch over them).
- `validate-default`: `validate(at:into:)` removed where it no longer checks anything; `Validatable`'s default
  stands in, so calls still compile.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

EXCUSED_RULES = {"initializer-grew", "input-case-added", "validate-default"}
BREAKING_RULES = {"removed", "changed", "output-case-added"}
MODULE = "FalAPICheck"


def run(command, **kwargs):
    result = subprocess.run(command, capture_output=True, text=True, **kwargs)
    if result.returncode != 0:
        sys.exit(f"failed ({result.returncode}): {' '.join(command)}\n{result.stdout}{result.stderr}")
    return result.stdout


class Toolchain:
    def __init__(self, args):
        self.codegen = args.codegen
        self.digester = args.digester
        self.swiftc = args.swiftc
        self.compile_flags = ["-I", args.modules] + sum((["-Xcc", f"-fmodule-map-file={m}"] for m in args.module_maps), []) \
            + sum((["-Xcc", f"-I{i}"] for i in args.c_includes), [])

    def generate(self, documents, output, lock, write_lock):
        """Both sides with one names lock, as `update` regenerates: the old side writes it, the new side keeps its names."""
        run([self.codegen, "generate", "--output", output, "--lock", lock] + (["--write-lock"] if write_lock else []) + [documents])

    def dump(self, sources, folder):
        """Compiles the generated files as one module and dumps its public API (swift-api-digester -dump-sdk)."""
        module_dir = os.path.join(folder, "module")
        os.makedirs(module_dir, exist_ok=True)
        files = sorted(os.path.join(sources, f) for f in os.listdir(sources) if f.endswith(".swift"))
        run([self.swiftc, "-emit-module", "-parse-as-library", "-module-name", MODULE, "-swift-version", "6",
             "-emit-module-path", os.path.join(module_dir, MODULE + ".swiftmodule")] + self.compile_flags + files)
        dump = os.path.join(folder, "api.json")
        run([self.digester, "-dump-sdk", "-module", MODULE, "-I", module_dir, "-o", dump, "-avoid-location"] + self.compile_flags)
        return dump

    def diagnose(self, old_dump, new_dump):
        # The findings go to stderr, the section headers to stdout.
        result = subprocess.run([self.digester, "-diagnose-sdk", "--input-paths", old_dump, "--input-paths", new_dump],
                                capture_output=True, text=True)
        if result.returncode != 0:
            sys.exit(f"swift-api-digester -diagnose-sdk failed ({result.returncode}):\n{result.stdout}{result.stderr}")
        return result.stderr


DECLARATION = re.compile(r"^(\w+) ([^ ]+) (has |is |now )")
ACCESSOR = re.compile(r"\.(Get|Set|Modify|Read|_modify|_read)\(\)$")


def digester_findings(text):
    """Declarations the digester says were removed or changed (or got a case), by name: `X.Input.init(a:b:)`."""
    found = {}
    for line in text.splitlines():
        if not line or line.startswith("/*"):
            continue
        match = DECLARATION.match(line)
        if not match:
            sys.exit(f"unrecognised swift-api-digester line: {line}")
        kind, name = match.group(1), match.group(2)
        if kind == "Accessor":  # a property's getter or setter changed with the property itself
            name = ACCESSOR.sub("", name)
        found.setdefault(name, []).append(line)
    # A type the digester says was renamed (`File` → `RestyledFile`, matched by shape) takes its members' findings with
    # it (their `init(from:)` now returns the other type): the report lists the old type as removed, once.
    renamed = [name for name, lines in found.items() if any(" has been renamed to " in line for line in lines)]
    for name in list(found):
        parent = next((type_name for type_name in renamed if name.startswith(type_name + ".")), None)
        if parent:
            found[parent] += found.pop(name)
    return found


def endpoint_names(sources):
    """Generated type name and FalClient accessor → endpoint id, read from the generated files."""
    names = {}
    for file in os.listdir(sources):
        text = open(os.path.join(sources, file), encoding="utf-8").read()
        enum = re.search(r"public enum (\w+): FalEndpoint", text)
        ident = re.search(r'public static let id = "([^"]+)"', text)
        accessor = re.search(r"public var (\w+): EndpointClient<", text)
        if enum and ident:
            names[enum.group(1)] = ident.group(1)
            names["FalClient." + accessor.group(1)] = ident.group(1)
    return names


def owner(name, names):
    if name.startswith("FalClient."):
        return names.get(name.split("(")[0])
    return names.get(name.split(".")[0])


def check_case(tools, name, old_docs, new_docs, work):
    folder = os.path.join(work, name)
    shutil.rmtree(folder, ignore_errors=True)
    sides = {}
    lock = os.path.join(folder, "fal-codegen.lock")
    for side, documents in (("old", old_docs), ("new", new_docs)):
        sources = os.path.join(folder, side, "Sources")
        tools.generate(documents, sources, lock, write_lock=side == "old")
        sides[side] = sources
    with ThreadPoolExecutor(max_workers=2) as pool:
        dumps = list(pool.map(lambda side: tools.dump(sides[side], os.path.join(folder, side)), ["old", "new"]))
    digester = digester_findings(tools.diagnose(*dumps))
    report = json.loads(run([tools.codegen, "diff", "--format", "json", old_docs, new_docs]))
    names = {**endpoint_names(sides["old"]), **endpoint_names(sides["new"])}

    # Per endpoint: the digester's declarations against the report's source-breaking ones.
    cases = {}
    for declaration, lines in digester.items():
        ident = owner(declaration, names)
        if ident is None:
            sys.exit(f"{name}: the digester names {declaration}, which belongs to no generated endpoint:\n" + "\n".join(lines))
        cases.setdefault(ident, {"digester": {}, "breaking": {}, "excused": {}})["digester"][declaration] = lines
    for endpoint in report["endpoints"]:
        entry = cases.setdefault(endpoint["id"], {"digester": {}, "breaking": {}, "excused": {}})
        for change in endpoint["changes"]:
            if change["kind"] == "source-breaking":
                entry["breaking"][change["symbol"]] = change
            elif change["rule"] in EXCUSED_RULES:
                entry["excused"][change["symbol"]] = change
    for ident in names.values():  # endpoints without any finding are cases too: both sides must say nothing
        cases.setdefault(ident, {"digester": {}, "breaking": {}, "excused": {}})
    return cases


def compare(label, cases, expectations):
    failures = 0
    for ident in sorted(cases):
        entry = cases[ident]
        digester, breaking, excused = set(entry["digester"]), set(entry["breaking"]), set(entry["excused"])
        unexplained = digester - breaking - excused
        extra = breaking - digester
        expected = expectations.get(ident)
        verdict = "agree"
        problems = []
        if unexplained:
            problems.append("the digester found, the report does not class source-breaking:\n" + "\n".join(
                f"      {line}" for d in sorted(unexplained) for line in entry["digester"][d]))
        if extra:
            problems.append("the report calls source-breaking, the digester found nothing:\n" + "\n".join(
                f"      {s}: {entry['breaking'][s]['message']}" for s in sorted(extra)))
        if expected is not None and expected != bool(breaking):
            problems.append(f"expected {'a source-breaking change' if expected else 'no source-breaking change'} for this mutation")
        if problems:
            verdict = "DISAGREE"
            failures += 1
        notes = f"{len(breaking)} source-breaking" + (f", {len(digester & excused)} excused by rule" if digester & excused else "")
        print(f"  {verdict:8} {label}: {ident}: digester {len(digester)}, report {notes}")
        for problem in problems:
            print("    " + problem)
        for symbol in sorted(digester & excused):
            print(f"             excused ({entry['excused'][symbol]['rule']}): {symbol}")
    return failures


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--codegen", required=True)
    parser.add_argument("--digester", required=True)
    parser.add_argument("--swiftc", required=True)
    parser.add_argument("--modules", required=True, help="the debug build's Modules folder (FalRuntime, FalCore)")
    parser.add_argument("--module-map", dest="module_maps", action="append", default=[])
    parser.add_argument("--c-include", dest="c_includes", action="append", default=[])
    parser.add_argument("--fixtures", required=True, help="Tests/Fixtures/diff")
    parser.add_argument("--work", required=True)
    args = parser.parse_args()
    tools = Toolchain(args)
    start = time.time()
    os.makedirs(args.work, exist_ok=True)

    # The mutations: one endpoint id per mutation, the base document on the old side, each mutation on the new.
    base = open(os.path.join(args.fixtures, "api", "base.json"), encoding="utf-8").read()
    mutations = json.load(open(os.path.join(args.fixtures, "api", "mutations.json"), encoding="utf-8"))
    inputs = os.path.join(args.work, "inputs")
    shutil.rmtree(inputs, ignore_errors=True)
    expectations = {}
    for side in ("old", "new"):
        os.makedirs(os.path.join(inputs, "mutations", side))
    for mutation in mutations:
        ident = "test/" + mutation["name"]
        changed = base
        for find, replace in mutation["edits"]:
            if changed.count(find) != 1:
                sys.exit(f"mutation {mutation['name']}: {find!r} occurs {changed.count(find)} times in base.json")
            changed = changed.replace(find, replace)
        file = mutation["name"] + ".json"
        open(os.path.join(inputs, "mutations", "old", file), "w").write(base.replace("{id}", ident))
        open(os.path.join(inputs, "mutations", "new", file), "w").write(changed.replace("{id}", ident))
        expectations[ident] = mutation["sourceBreaking"]

    # fal's legacy documents: against fal's restyle of them (no source-breaking change anywhere: the restyle leaves the
    # wire contract as it was, and the names lock keeps every name), and against their current twins.
    legacy = os.path.join(args.fixtures, "legacy")
    os.makedirs(os.path.join(inputs, "legacy"))
    os.makedirs(os.path.join(inputs, "twins", "old"))
    os.makedirs(os.path.join(inputs, "twins", "new"))
    for file in sorted(os.listdir(legacy)):
        if file.endswith(".legacy.json"):
            shutil.copy(os.path.join(legacy, file), os.path.join(inputs, "legacy", file.replace(".legacy", "")))
            twin = os.path.join(legacy, file.replace(".legacy", ""))
            if os.path.exists(twin):
                shutil.copy(os.path.join(legacy, file), os.path.join(inputs, "twins", "old", os.path.basename(twin)))
                shutil.copy(twin, os.path.join(inputs, "twins", "new", os.path.basename(twin)))
    restyled = os.path.join(args.fixtures, "restyled")
    restyle_expectations = {}
    for file in sorted(os.listdir(restyled)):
        text = open(os.path.join(restyled, file), encoding="utf-8").read()
        restyle_expectations[re.search(r'"endpointId": "([^"]+)"', text).group(1)] = False

    failures = 0
    print("swift-api-digester against fal-codegen diff, case by case:")
    groups = [
        ("mutation", os.path.join(inputs, "mutations", "old"), os.path.join(inputs, "mutations", "new"), expectations),
        ("restyle", os.path.join(inputs, "legacy"), restyled, restyle_expectations),
        ("legacy→current", os.path.join(inputs, "twins", "old"), os.path.join(inputs, "twins", "new"), {}),
    ]
    total = 0
    for label, old, new, expected in groups:
        cases = check_case(tools, label.replace("→", "-"), old, new, args.work)
        for ident in expected:
            cases.setdefault(ident, {"digester": {}, "breaking": {}, "excused": {}})
        total += len(cases)
        failures += compare(label, cases, expected)
    print(f"{total - failures} of {total} cases agree ({time.time() - start:.0f} s)")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
