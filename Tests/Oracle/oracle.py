#!/usr/bin/env python3
"""Oracle for the generated validators: random inputs for the seed endpoints' Input schemas, each judged by
Python's `jsonschema` (Draft 2020-12) against the document with its overlay applied.

Prints one JSON line per case: {"endpoint": id, "input": {...}, "input_text": "...", "valid": bool, "errors": [...]}
(`input_text` is the exact JSON text that was judged, so number spellings like `1.0` reach the Swift side unchanged).
The Swift side decodes each input into the generated Input type, runs validate(), and requires the same verdict.
Inputs lean on boundaries (min-1, min, max, max+1, multiples of 8 ± 1, enum outsiders, missing required,
wrong types, explicit nulls, integers spelled `8.0` or `-0.0`, unknown extra keys, astral and combining
characters whose code-point count differs from their UTF-16 or grapheme count) so disagreements show up
quickly. Deterministic for a given --seed.
"""
import argparse
import copy
import json
import os
import random
import sys

try:
    import jsonschema
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012
except ImportError as error:
    sys.stderr.write(f"oracle.py needs the Python package `jsonschema` (>= 4.18): {error}. "
                     "Install it with `python3 -m pip install jsonschema` (`make test` does this).\n")
    sys.exit(3)


def apply_overlay(document, overlay):
    """Overlay 1.0 `update` actions with plain `$.a.b.c` targets (the subset schemas/overlays uses)."""
    for action in overlay.get("actions", []):
        target = action["target"]
        assert target.startswith("$."), target
        node = document
        for key in target[2:].split("."):
            node = node[key]
        if action.get("remove"):
            raise SystemExit("remove actions are not used by schemas/overlays")
        node.update(copy.deepcopy(action.get("update", {})))


def load(schemas_dir, overlays_dir):
    endpoints = []
    for name in sorted(os.listdir(schemas_dir)):
        if not name.endswith(".json"):
            continue
        with open(os.path.join(schemas_dir, name)) as f:
            document = json.load(f)
        overlay_path = os.path.join(overlays_dir, name[: -len(".json")] + ".overlay.json")
        if os.path.exists(overlay_path):
            with open(overlay_path) as f:
                apply_overlay(document, json.load(f))
        endpoint_id = document["info"]["x-fal-metadata"]["endpointId"]
        submit = document["paths"]["/" + endpoint_id]["post"]
        input_ref = submit["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        endpoints.append((endpoint_id, document, input_ref))
    return endpoints


class Generator:
    def __init__(self, document, rnd):
        self.components = document["components"]["schemas"]
        self.rnd = rnd
        # Half the cases aim to be valid, so both verdicts are well represented; the others break rules
        # at a small per-field rate, so most invalid cases have one or two violations, not dozens.
        self.hostility = 0.0

    def instance(self, ref):
        self.hostility = 0.0 if self.rnd.random() < 0.5 else self.rnd.choice([0.02, 0.05, 0.15])
        return self.value({"$ref": ref})

    def hostile(self):
        return self.rnd.random() < self.hostility

    def resolve(self, schema):
        while "$ref" in schema:
            schema = self.components[schema["$ref"].split("/")[-1]]
        return schema

    def wrong_type(self, schema):
        # `None` is wrong unless the field is nullable; jsonschema decides, like for every other value.
        return self.rnd.choice(["text", 3, 2.5, True, [1], {"x": 1}, None, 8.0])

    def value(self, schema, depth=0):
        rnd = self.rnd
        schema = self.resolve(schema)
        if self.hostile():
            return self.wrong_type(schema)
        for key in ("anyOf", "oneOf"):
            if key in schema:
                return self.value(rnd.choice(schema[key]), depth)
        if "allOf" in schema:
            return self.value(schema["allOf"][0], depth)
        if "enum" in schema:
            if self.hostile():
                member = str(rnd.choice(schema["enum"]))
                return rnd.choice(["Bogus", "euler", "", member.upper(), member.lower(), member + " ", 3])
            return rnd.choice(schema["enum"])
        if "const" in schema:
            return "not-the-const" if self.hostile() else schema["const"]
        kind = schema.get("type")
        if kind == "null":
            return None
        if kind == "boolean":
            return rnd.random() < 0.5
        if kind in ("integer", "number"):
            return self.number(schema, kind == "integer")
        if kind == "string":
            return self.string(schema)
        if kind == "array":
            return self.array(schema, depth)
        if kind == "object" or "properties" in schema:
            return self.object(schema, depth)
        return rnd.choice([1, "x", None, {"a": 1}])

    def number(self, schema, integral):
        rnd = self.rnd
        candidates = []
        for key in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
            if key in schema:
                bound = schema[key]
                step = 1 if integral else rnd.choice([1, 0.5, 0.001])
                candidates += [bound - step, bound, bound + step]
        if "multipleOf" in schema:
            m = schema["multipleOf"]
            base = m * rnd.randint(1, 200)
            candidates += [base, base + 1, base - 1]
        candidates += [rnd.randint(-5, 100), rnd.randint(0, 20000)]
        if not integral:
            candidates += [round(rnd.uniform(-2, 60), 3), rnd.random()]
        if not self.hostile():
            candidates = [c for c in candidates if self.within(schema, c)] or [self.inside(schema, integral)]
        value = rnd.choice(candidates)
        if integral and float(value).is_integer():
            # JSON Schema integers are numbers with a zero fractional part, however they are spelled.
            spelling = rnd.random()
            if spelling < 0.1:
                return float(value)
            if spelling < 0.12 and value == 0:
                return -0.0
            return int(value)
        return value

    @staticmethod
    def within(schema, value):
        if "minimum" in schema and value < schema["minimum"]: return False
        if "maximum" in schema and value > schema["maximum"]: return False
        if "exclusiveMinimum" in schema and value <= schema["exclusiveMinimum"]: return False
        if "exclusiveMaximum" in schema and value >= schema["exclusiveMaximum"]: return False
        if "multipleOf" in schema and (value / schema["multipleOf"]) != int(value / schema["multipleOf"]): return False
        return True

    def inside(self, schema, integral):
        low = schema.get("minimum", schema.get("exclusiveMinimum", 0))
        high = schema.get("maximum", schema.get("exclusiveMaximum", low + 100))
        step = schema.get("multipleOf", 1)
        for _ in range(50):
            value = low + step * self.rnd.randint(0, max(0, int((high - low) / step)))
            if not integral and step == 1:
                value = round(self.rnd.uniform(low, high), 3)
            if self.within(schema, value):
                return value
        return low

    def string(self, schema):
        rnd = self.rnd
        lengths = [rnd.randint(0, 12)]
        for key in ("minLength", "maxLength"):
            if key in schema:
                lengths += [max(0, schema[key] - 1), schema[key], schema[key] + 1]
        if not self.hostile():
            lengths = [n for n in lengths if schema.get("minLength", 0) <= n <= schema.get("maxLength", n)] or [schema.get("minLength", 0)]
        length = rnd.choice(lengths)
        if "pattern" in schema and rnd.random() < 0.85:
            # Random text almost never matches a pattern; the fixtures' patterns are digit runs
            # (`^[0-9]{6}$`), so digits of lengths around the usual ones give both verdicts.
            return "".join(rnd.choice("0123456789") for _ in range(rnd.choice([5, 6, 6, 6, 6, 7])))
        # One entry is one code point (what JSON Schema counts): an astral emoji is two UTF-16 units, and a
        # combining accent after a letter makes one grapheme of two code points.
        alphabet = ["a", "b", "c", "X", "Y", "Z", " ", "0", "1", "9", "_", "-", "é", "漢", "🎨", "\u0301", "\"", "\\", "\n"]
        return "".join(rnd.choice(alphabet) for _ in range(length))

    def array(self, schema, depth):
        rnd = self.rnd
        lengths = [rnd.randint(0, 3)]
        for key in ("minItems", "maxItems"):
            if key in schema:
                lengths += [max(0, schema[key] - 1), schema[key], schema[key] + 1]
        if not self.hostile():
            lengths = [n for n in lengths if schema.get("minItems", 0) <= n <= schema.get("maxItems", n)] or [schema.get("minItems", 0)]
        items = schema.get("items", {})
        count = rnd.choice(lengths) if depth <= 3 else schema.get("minItems", 0)
        return [self.value(items, depth + 1) for _ in range(count)]

    def object(self, schema, depth):
        rnd = self.rnd
        required = set(schema.get("required", []))
        result = {}
        for name, property_schema in schema.get("properties", {}).items():
            keep = (not self.hostile()) if name in required else rnd.random() < 0.45
            if keep:
                result[name] = self.value(property_schema, depth + 1)
        if rnd.random() < 0.05:
            # Keys the schema does not name are allowed unless `additionalProperties` says otherwise.
            result["x_unknown_key"] = rnd.choice([1, "extra", None])
        return result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--schemas", default="schemas")
    parser.add_argument("--overlays", default="schemas/overlays")
    parser.add_argument("--count", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=20261123)
    args = parser.parse_args()

    rnd = random.Random(args.seed)
    endpoints = load(args.schemas, args.overlays)
    validators = []
    for endpoint_id, document, input_ref in endpoints:
        resource = Resource.from_contents(document, default_specification=DRAFT202012)
        registry = Registry().with_resource("urn:fal:document", resource)
        validator = jsonschema.Draft202012Validator({"$ref": "urn:fal:document" + input_ref}, registry=registry)
        validators.append((endpoint_id, validator, Generator(document, rnd), document, input_ref))

    out = sys.stdout
    for index in range(args.count):
        endpoint_id, validator, generator, document, input_ref = validators[index % len(validators)]
        instance = generator.instance(input_ref)
        errors = sorted(
            ("/".join(str(p) for p in error.absolute_path) + ": " + error.message)
            for error in validator.iter_errors(instance)
        )
        text = json.dumps(instance, ensure_ascii=False)
        out.write(json.dumps({"endpoint": endpoint_id, "input": instance, "input_text": text, "valid": not errors,
                              "errors": errors}, ensure_ascii=False, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
