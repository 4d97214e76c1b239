#!/usr/bin/env python3
"""`make bench-generator`: fal-codegen against apple/swift-openapi-generator 1.14.3, same documents, one run.

Measures
  1. generation time for the 4 seed documents and for the whole corpus (../shared/fal-openapi, current docs);
     swift-openapi-generator (SOG) handles one document per invocation and rejects fal's `openapi: 3.0.4` header
     with 3.1 idioms, so it gets copies with the header set to 3.1.0 (the same reading fal-codegen applies) and
     is timed on the documents it accepts; fal-codegen is timed on exactly that accepted set too.
  2. debug compile time of the generated module for the 4 seeds: ours (one module, depends on FalRuntime)
     vs SOG's output (one module per document, depends on swift-openapi-runtime), dependencies prebuilt.
Both generators are release builds. Times are medians of repeated runs.
"""
import json
import os
import shutil
import statistics
import subprocess
import sys
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
WORK = os.path.join(ROOT, ".build-bench")
CORPUS = os.environ.get("FAL_CORPUS", os.path.join(ROOT, "..", "shared", "fal-openapi"))
SOG_SOURCE = os.environ.get("SOG_SOURCE", "/opt/swift-packages/apple/swift-openapi-generator.git")
SOG_VERSION = "1.14.3"
RUNS = int(os.environ.get("BENCH_RUNS", "5"))


def run(cmd, cwd=None, quiet=True):
    result = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE if quiet else None,
                            stderr=subprocess.STDOUT if quiet else None, text=True)
    if result.returncode != 0:
        sys.stderr.write(f"command failed: {' '.join(cmd)}\n{result.stdout or ''}\n")
        raise SystemExit(1)
    return result.stdout


def timed(fn, runs=RUNS):
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def build_tools():
    print("building fal-codegen (release)…", flush=True)
    run(["swift", "build", "-c", "release", "--product", "fal-codegen"], cwd=ROOT)
    ours = os.path.join(ROOT, ".build", "release", "fal-codegen")
    sog_dir = os.path.join(WORK, "swift-openapi-generator")
    if not os.path.isdir(sog_dir):
        run(["git", "clone", "-q", SOG_SOURCE, sog_dir])
        run(["git", "checkout", "-q", SOG_VERSION], cwd=sog_dir)
    print(f"building swift-openapi-generator {SOG_VERSION} (release)…", flush=True)
    run(["swift", "build", "-c", "release", "--product", "swift-openapi-generator"], cwd=sog_dir)
    return ours, os.path.join(sog_dir, ".build", "release", "swift-openapi-generator")


def documents():
    seeds = sorted(os.path.join(ROOT, "schemas", f) for f in os.listdir(os.path.join(ROOT, "schemas")) if f.endswith(".json"))
    corpus = sorted(os.path.join(CORPUS, f) for f in os.listdir(CORPUS)
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
    shutil.rmtree(out, ignore_errors=True)
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
    ours_generate(ours, seeds, os.path.join(ours_pkg, "Sources", "SeedSDK"))
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
    print(f"seeds: {len(seeds)} documents, corpus: {len(corpus)} documents", flush=True)

    seed_folders = sog_inputs(seeds, "seeds")
    corpus_folders = sog_inputs(corpus, "corpus")
    seeds_accepted = sog_generate(sog, seed_folders, "warmup")
    corpus_accepted = sog_generate(sog, corpus_folders, "warmup")
    corpus_paths = [p for p, _ in corpus_accepted]

    out = os.path.join(WORK, "ours-out")
    rows = []
    t_ours_seeds = timed(lambda: ours_generate(ours, [p for p, _ in seeds_accepted], out))
    t_sog_seeds = timed(lambda: sog_generate(sog, seeds_accepted, "out"))
    rows.append(("generate 4 seeds", len(seeds_accepted), t_ours_seeds, t_sog_seeds))
    t_ours_corpus = timed(lambda: ours_generate(ours, corpus_paths, out), runs=3)
    t_sog_corpus = timed(lambda: sog_generate(sog, corpus_accepted, "out"), runs=1)
    rows.append(("generate corpus (SOG-accepted)", len(corpus_paths), t_ours_corpus, t_sog_corpus))
    t_ours_all = timed(lambda: ours_generate(ours, corpus, out), runs=3)
    rows.append(("generate whole corpus (ours only)", len(corpus), t_ours_all, float("nan")))
    compile_ours, compile_sog = compile_packages(ours, sog, seeds)
    rows.append(("debug compile, 4 seeds' module(s)", len(seeds), compile_ours, compile_sog))

    print()
    print(f"| {'measure':<36} | {'docs':>5} | {'fal-codegen':>12} | {'swift-openapi-generator':>24} | {'ratio':>6} |")
    print(f"|{'-' * 38}|{'-' * 7}|{'-' * 14}|{'-' * 26}|{'-' * 8}|")
    for name, count, a, b in rows:
        ratio = f"{a / b:.3f}" if b == b else "—"
        b_text = f"{b:.3f} s" if b == b else "—"
        print(f"| {name:<36} | {count:>5} | {a:>10.3f} s | {b_text:>24} | {ratio:>6} |")
    print(f"\nSOG accepted {len(seeds_accepted)}/{len(seeds)} seeds and {len(corpus_accepted)}/{len(corpus)} corpus documents "
          "(3.1 header). Goals: generation ≤ 0.2× SOG, whole corpus < 1 s, compile ≤ SOG.")


if __name__ == "__main__":
    main()
