#!/usr/bin/env python3
"""`make bench-generator`: fal-codegen against apple/swift-openapi-generator 1.14.3, same documents, one run.

Measures
  1. generation time for the 4 seed documents and for the whole corpus (../shared/fal-openapi, current docs);
     swift-openapi-generator (SOG) handles one document per invocation and rejects fal's `openapi: 3.0.4` header
     with 3.1 idioms, so it gets copies with the header set to 3.1.0 (the same reading fal-codegen applies) and
     is timed on the documents it accepts; fal-codegen is timed on exactly that accepted set too.
  2. debug compile time of the generated module for the 4 seeds: ours (one module, depends on FalRuntime)
     vs SOG's output (one module per document, depends on swift-openapi-runtime), dependencies prebuilt.
Both generators are release builds. Times are medians of repeated runs: wall time, and the CPU time of the
measured processes, which stays meaningful when other jobs share the machine.

Environment: FAL_CORPUS (default: the nearest `shared/fal-openapi` above the checkout), SOG_BIN (a release
swift-openapi-generator 1.14.3 binary to use instead of building one), BENCH_RUNS (default 5).
"""
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
WORK = os.path.join(ROOT, ".build-bench")
SOG_SOURCE = os.environ.get("SOG_SOURCE", "/opt/swift-packages/apple/swift-openapi-generator.git")
SOG_VERSION = "1.14.3"
RUNS = int(os.environ.get("BENCH_RUNS", "5"))


def find_corpus():
    """FAL_CORPUS, else `shared/fal-openapi` next to the checkout or any folder above it (worktrees live deeper)."""
    if "FAL_CORPUS" in os.environ:
        candidates = [os.environ["FAL_CORPUS"]]
    else:
        candidates, folder = [], ROOT
        while True:
            parent = os.path.dirname(folder)
            candidates.append(os.path.join(parent, "shared", "fal-openapi"))
            if parent == folder:
                break
            folder = parent
    for candidate in candidates:
        if os.path.isdir(candidate):
            return os.path.abspath(candidate)
    raise SystemExit("fal OpenAPI corpus not found (looked in: " + ", ".join(candidates) + "); set FAL_CORPUS=DIR")


def run(cmd, cwd=None, quiet=True):
    result = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE if quiet else None,
                            stderr=subprocess.STDOUT if quiet else None, text=True)
    if result.returncode != 0:
        sys.stderr.write(f"command failed: {' '.join(cmd)}\n{result.stdout or ''}\n")
        raise SystemExit(1)
    return result.stdout


def children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(fn, runs=RUNS, setup=None):
    """Median wall time and median CPU time (user + sys of the child processes) over `runs` runs.
    CPU time shows the work done when other processes compete for the cores; wall time is the goal's unit."""
    walls, cpus = [], []
    for _ in range(runs):
        if setup:
            setup()
        cpu, start = children_cpu(), time.perf_counter()
        fn()
        walls.append(time.perf_counter() - start)
        cpus.append(children_cpu() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def build_tools():
    print("building fal-codegen (release)…", flush=True)
    run(["swift", "build", "-c", "release", "--product", "fal-codegen"], cwd=ROOT)
    ours = os.path.join(ROOT, ".build", "release", "fal-codegen")
    if os.environ.get("SOG_BIN"):
        # A release binary of the same version built earlier (saves ~10 minutes when iterating).
        print(f"using swift-openapi-generator at {os.environ['SOG_BIN']}", flush=True)
        return ours, os.environ["SOG_BIN"]
    sog_dir = os.path.join(WORK, "swift-openapi-generator")
    if not os.path.isdir(sog_dir):
        run(["git", "clone", "-q", SOG_SOURCE, sog_dir])
        run(["git", "checkout", "-q", SOG_VERSION], cwd=sog_dir)
    print(f"building swift-openapi-generator {SOG_VERSION} (release)…", flush=True)
    run(["swift", "build", "-c", "release", "--product", "swift-openapi-generator"], cwd=sog_dir)
    return ours, os.path.join(sog_dir, ".build", "release", "swift-openapi-generator")


def documents():
    corpus_dir = find_corpus()
    seeds = sorted(os.path.join(ROOT, "schemas", f) for f in os.listdir(os.path.join(ROOT, "schemas")) if f.endswith(".json"))
    corpus = sorted(os.path.join(corpus_dir, f) for f in os.listdir(corpus_dir)
                    if f.endswith(".json") and not f.endswith((".legacy.json", ".schemas-only.json")))
    return seeds, corpus


def sog_inputs(paths, name):
    """Copies with the 3.1 header, one folder per document (SOG reads `openapi.json` + config from a folder)."""
    base = os.path.join(WORK, "sog-input", name)
    shutil.rmtree(base, ignore_errors=True)
    folders = []
    for index, path in enumerate(paths):
        folder = os.path.join(base, f"{index:04d}")
        os.makedirs(folder)
        with open(path) as f:
            document = json.load(f)
        document["openapi"] = "3.1.0"
        with open(os.path.join(folder, "openapi.json"), "w") as f:
            json.dump(document, f)
        with open(os.path.join(folder, "openapi-generator-config.yaml"), "w") as f:
            f.write("generate:\n  - types\n  - client\naccessModifier: public\n")
        folders.append((path, folder))
    return folders


def sog_generate(sog, folders, out_name):
    accepted = []
    for path, folder in folders:
        out = os.path.join(folder, out_name)
        result = subprocess.run([sog, "generate", "--config", os.path.join(folder, "openapi-generator-config.yaml"),
                                 "--output-directory", out, os.path.join(folder, "openapi.json")],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if result.returncode == 0:
            accepted.append((path, folder))
    return accepted


def ours_generate(ours, paths, out):
    run([ours, "generate", "--output", out, *paths])


def compile_time(package_dir, targets):
    """Debug build of `targets` with dependencies already built; the generated sources are touched each run."""
    run(["swift", "build", *sum((["--target", t] for t in targets), [])], cwd=package_dir)

    def once():
        for dirpath, _, files in os.walk(os.path.join(package_dir, "Sources")):
            for name in files:
                os.utime(os.path.join(dirpath, name))
        run(["swift", "build", *sum((["--target", t] for t in targets), [])], cwd=package_dir)
    return timed(once, runs=3)


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def compile_packages(ours, sog, seeds):
    ours_pkg = os.path.join(WORK, "compile-ours")
    shutil.rmtree(os.path.join(ours_pkg, "Sources"), ignore_errors=True)
    run([ours, "generate", "--output", os.path.join(ours_pkg, "Sources", "SeedSDK"), *seeds])
    write(os.path.join(ours_pkg, "Package.swift"), f"""// swift-tools-version: 6.1
import PackageDescription
let package = Package(name: "CompileOurs", platforms: [.macOS(.v15)],
    dependencies: [.package(name: "FalSDK", path: "{ROOT}")],
    targets: [.target(name: "SeedSDK", dependencies: [.product(name: "FalRuntime", package: "FalSDK")])],
    swiftLanguageModes: [.v6])
""")
    sog_pkg = os.path.join(WORK, "compile-sog")
    shutil.rmtree(os.path.join(sog_pkg, "Sources"), ignore_errors=True)
    targets = []
    for index, (path, folder) in enumerate(sog_inputs(seeds, "compile")):
        target = f"Seed{index}"
        out = os.path.join(sog_pkg, "Sources", target)
        run([sog, "generate", "--config", os.path.join(folder, "openapi-generator-config.yaml"),
             "--output-directory", out, os.path.join(folder, "openapi.json")])
        targets.append(target)
    target_list = ",\n        ".join(
        f'.target(name: "{t}", dependencies: [.product(name: "OpenAPIRuntime", package: "swift-openapi-runtime")])'
        for t in targets)
    write(os.path.join(sog_pkg, "Package.swift"), f"""// swift-tools-version: 6.1
import PackageDescription
let package = Package(name: "CompileSOG", platforms: [.macOS(.v15)],
    dependencies: [.package(url: "https://github.com/apple/swift-openapi-runtime", exact: "1.13.4")],
    targets: [
        {target_list}
    ],
    swiftLanguageModes: [.v5])
""")
    print("compiling generated modules (debug)…", flush=True)
    return compile_time(ours_pkg, ["SeedSDK"]), compile_time(sog_pkg, targets)


def main():
    ours, sog = build_tools()
    seeds, corpus = documents()
    print(f"seeds: {len(seeds)} documents, corpus: {len(corpus)} documents; "
          f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}", flush=True)

    seed_folders = sog_inputs(seeds, "seeds")
    corpus_folders = sog_inputs(corpus, "corpus")
    seeds_accepted = sog_generate(sog, seed_folders, "warmup")
    corpus_accepted = sog_generate(sog, corpus_folders, "warmup")
    corpus_paths = [p for p, _ in corpus_accepted]

    out = os.path.join(WORK, "ours-out")
    rows = []
    # fal-codegen leaves unchanged files alone; an empty output folder makes it write every file, like SOG.
    clean = lambda: shutil.rmtree(out, ignore_errors=True)
    t_ours_seeds = timed(lambda: ours_generate(ours, [p for p, _ in seeds_accepted], out), setup=clean)
    t_sog_seeds = timed(lambda: sog_generate(sog, seeds_accepted, "out"))
    rows.append(("generate 4 seeds", len(seeds_accepted), t_ours_seeds, t_sog_seeds))
    t_ours_corpus = timed(lambda: ours_generate(ours, corpus_paths, out), runs=3, setup=clean)
    t_sog_corpus = timed(lambda: sog_generate(sog, corpus_accepted, "out"), runs=1)
    rows.append(("generate corpus (SOG-accepted)", len(corpus_paths), t_ours_corpus, t_sog_corpus))
    t_ours_all = timed(lambda: ours_generate(ours, corpus, out), runs=3, setup=clean)
    rows.append(("generate whole corpus (ours only)", len(corpus), t_ours_all, None))
    compile_ours, compile_sog = compile_packages(ours, sog, seeds)
    rows.append(("debug compile, 4 seeds' module(s)", len(seeds), compile_ours, compile_sog))

    def cell(measured):
        return "—" if measured is None else f"{measured[0]:.3f} s ({measured[1]:.3f} s)"

    print(f"\nwall time, median (CPU time user+sys in parentheses); load average now {os.getloadavg()[0]:.1f}\n")
    print(f"| {'measure':<36} | {'docs':>5} | {'fal-codegen':>20} | {'swift-openapi-generator':>24} | {'ratio':>6} |")
    print(f"|{'-' * 38}|{'-' * 7}|{'-' * 22}|{'-' * 26}|{'-' * 8}|")
    for name, count, a, b in rows:
        ratio = "—" if b is None else f"{a[0] / b[0]:.3f}"
        print(f"| {name:<36} | {count:>5} | {cell(a):>20} | {cell(b):>24} | {ratio:>6} |")
    print(f"\nSOG accepted {len(seeds_accepted)}/{len(seeds)} seeds and {len(corpus_accepted)}/{len(corpus)} corpus documents "
          "(3.1 header). Goals: generation ≤ 0.2× SOG, whole corpus < 1 s, compile ≤ SOG.")


if __name__ == "__main__":
    main()
