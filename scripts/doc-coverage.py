#!/usr/bin/env python3
"""Fails when a public symbol declared in the given source folders has no doc comment of its own.

Reads the symbol graphs that `swift package generate-documentation` extracted (`make docs` runs it
first). A symbol counts as ours when its declaration lies under one of the folders; a doc comment
inherited from a protocol in another module (`docComment.module` set to that module) does not count,
and neither does one inherited from a protocol requirement of ours with no text of its own.

    scripts/doc-coverage.py SYMBOL_GRAPH_DIR SOURCE_DIR...
"""
import glob
import json
import os
import sys


def main() -> int:
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    graph_dir, sources = sys.argv[1], [os.path.abspath(p) + os.sep for p in sys.argv[2:]]
    files = sorted(glob.glob(os.path.join(graph_dir, "*.symbols.json")))
    if not files:
        print(f"doc-coverage: no symbol graphs in {graph_dir}", file=sys.stderr)
        return 2
    module = None
    missing, total = [], 0
    for path in files:
        graph = json.load(open(path))
        module = module or graph["module"]["name"]
        for symbol in graph["symbols"]:
            uri = symbol.get("location", {}).get("uri", "")
            file = uri.removeprefix("file://")
            if symbol.get("accessLevel") not in ("public", "open") or not any(file.startswith(s) for s in sources):
                continue
            if symbol["kind"]["identifier"] == "swift.extension":
                continue  # an extension block is not a symbol a reader looks up
            total += 1
            doc = symbol.get("docComment") or {}
            own = doc.get("lines") and doc.get("module") in (None, module) and \
                os.path.abspath(doc.get("uri", uri).removeprefix("file://")) == os.path.abspath(file)
            if not own:
                line = symbol["location"]["position"]["line"] + 1
                missing.append(f"{os.path.relpath(file)}:{line}: {'.'.join(symbol['pathComponents'])}")
    for entry in sorted(set(missing)):
        print(f"undocumented: {entry}")
    print(f"doc-coverage {module}: {total - len(missing)}/{total} public symbols documented")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
