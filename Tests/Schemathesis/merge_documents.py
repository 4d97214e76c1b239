"""Merges fal OpenAPI documents into one for schemathesis, so one run (one Python start-up, which costs
more than testing a small document) covers them all. Each document's components are renamed with a
prefix (`d3_File`) and its `$ref`s rewritten to match; paths are already distinct per endpoint. The
`openapi` header is set to 3.1.0 (fal writes 3.0.4, which schemathesis does not accept as 3.0.x), as the
generator benchmark does for swift-openapi-generator."""

import json
import sys


def _rename_refs(node, prefix):
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and value.startswith("#/components/"):
                parts = value.split("/")
                if len(parts) >= 4:
                    parts[3] = prefix + parts[3]
                    value = "/".join(parts)
            out[key] = _rename_refs(value, prefix)
        return out
    if isinstance(node, list):
        return [_rename_refs(item, prefix) for item in node]
    return node


def merge(paths, server):
    merged = {"openapi": "3.1.0", "info": {"title": "fal fixtures", "version": "1"}, "servers": [{"url": server}],
              "paths": {}, "components": {}}
    for index, path in enumerate(paths):
        with open(path, encoding="utf-8") as handle:
            document = json.load(handle)
        prefix = f"d{index}_"
        document = _rename_refs(document, prefix)
        for route, item in document.get("paths", {}).items():
            if route in merged["paths"]:
                raise SystemExit(f"merge_documents: {route} is in two documents ({path})")
            merged["paths"][route] = item
        for kind, entries in document.get("components", {}).items():
            target = merged["components"].setdefault(kind, {})
            for name, value in entries.items():
                # Security schemes are referenced by name from `security`, not by $ref: keep their names.
                target[name if kind == "securitySchemes" else prefix + name] = value
    return merged


if __name__ == "__main__":
    output, server, *inputs = sys.argv[1:]
    with open(output, "w", encoding="utf-8") as handle:
        json.dump(merge(inputs, server), handle)
