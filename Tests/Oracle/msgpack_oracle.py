#!/usr/bin/env python3
"""Python's `msgpack` as the oracle for FalCore's MessagePack reader and writer (MessagePackOracleTests).

Both commands build the same values from --seed and --count: first a fixed list of boundary cases (every
format and every length boundary), then random values (nested arrays and maps, integers of every width,
float64 and float32 with NaN payloads, infinities and -0.0, Unicode strings up to the astral plane, bytes,
extension values and timestamps).

    generate --seed S --count N
        One line per value: the bytes `msgpack.packb(value, use_bin_type=True)` writes (hex), a tab, and a
        canonical JSON description Swift builds its expected value from:
          ["nil"] ["bool", b] ["int", "decimal"] ["f64", "16 hex digits"] ["f32", "8 hex digits"]
          ["str", s] ["bin", "hex"] ["arr", [d, ...]] ["map", [[dk, dv], ...]] ["ext", code, "hex"]
        and, for the two long containers of each length boundary, ["arr-range", n] (the integers
        i % 128 for i < n) and ["map-range", n] (keys 0 ..< n, each to nil).
        A value whose floats are all float32 is packed with use_single_float=True (Python packs floats as
        float64 otherwise).

    check --seed S --count N --input FILE
        FILE holds one Base64 line per value, Swift's encoding of each description. Each is read with
        `msgpack.unpackb(..., raw=False, strict_map_key=False)` and compared with the value: types exactly
        (bool is not int, bytes is not str), floats by their bits, maps entry by entry in order. Prints a
        JSON summary {"checked", "mismatches", "failures"}; exit status 1 on any mismatch.

A missing msgpack module exits with status 3 and says to run `make python-deps`.
"""
import argparse
import base64
import json
import random
import struct
import sys

try:
    import msgpack
except ImportError:
    print("msgpack_oracle.py: the Python package `msgpack` is missing; run `make python-deps` "
          "(or `python3 -m pip install msgpack`)", file=sys.stderr)
    sys.exit(3)


class RangeList(list):
    """[i % 128 for i in range(n)], described in short."""


class RangeDict(dict):
    """{i: None for i in range(n)}, described in short."""


class F32(float):
    """A float that is packed as float32 (the whole value is packed with use_single_float=True)."""


def ext(code, data):
    # ExtType refuses negative codes; the packer writes any code, so build the tuple directly.
    return tuple.__new__(msgpack.ExtType, (code, bytes(data)))


def f64(bits):
    return struct.unpack(">d", bits.to_bytes(8, "big"))[0]


def f32(bits):
    return F32(struct.unpack(">f", bits.to_bytes(4, "big"))[0])


INT_BOUNDARIES = [
    0, 1, 31, 32, 126, 127, 128, 129, 254, 255, 256, 257, 65534, 65535, 65536, 65537,
    2**31 - 1, 2**31, 2**32 - 1, 2**32, 2**32 + 1, 2**53, 2**63 - 1, 2**63, 2**63 + 1, 2**64 - 2, 2**64 - 1,
    -1, -31, -32, -33, -127, -128, -129, -255, -256, -32767, -32768, -32769,
    -(2**31) + 1, -(2**31), -(2**31) - 1, -(2**32), -(2**53), -(2**63) + 1, -(2**63),
]
FLOAT_SPECIALS = [0.0, -0.0, 1.0, -1.0, 0.5, 0.1, -2.5, 1e-7, 1e21, 3.141592653589793, 5e-324, -5e-324,
                  2.2250738585072014e-308, 1.7976931348623157e308, -1.7976931348623157e308,
                  float("inf"), float("-inf"), float("nan"), 2.0**53, 2.0**63, 2.0**64, -(2.0**63)]
F32_SPECIAL_BITS = [0x00000000, 0x80000000, 0x3F800000, 0xBF800000, 0x7F800000, 0xFF800000, 0x7FC00000,
                    0xFFC00001, 0x7FFFFFFF, 0x00000001, 0x7F7FFFFF, 0xFF7FFFFF, 0x00800000, 0x3DCCCCCD]
STRING_LENGTHS = [0, 1, 30, 31, 32, 33, 254, 255, 256, 257, 65535, 65536]
BYTE_LENGTHS = [0, 1, 2, 3, 4, 8, 15, 16, 17, 254, 255, 256, 257, 65535, 65536]


def random_codepoint(rng):
    pick = rng.random()
    if pick < 0.5:
        return rng.randrange(0x20, 0x7F)
    if pick < 0.55:
        return rng.randrange(0x00, 0x20)  # controls and NUL
    if pick < 0.7:
        return rng.randrange(0x80, 0x800)
    if pick < 0.85:
        c = rng.randrange(0x800, 0x10000 - 0x800)
        return c if c < 0xD800 else c + 0x800  # no surrogates: they are not UTF-8
    return rng.randrange(0x10000, 0x110000)  # astral plane


def random_string(rng, length):
    return "".join(chr(random_codepoint(rng)) for _ in range(length))


def random_int(rng):
    if rng.random() < 0.3:
        return rng.choice(INT_BOUNDARIES)
    bits = rng.choice([4, 5, 7, 8, 12, 16, 20, 31, 32, 40, 53, 63, 64])
    value = rng.getrandbits(bits)
    if rng.random() < 0.45 and value <= 2**63:
        value = -value
    return value


def random_float(rng, single):
    pick = rng.random()
    if single:
        if pick < 0.3:
            return f32(rng.choice(F32_SPECIAL_BITS))
        bits = rng.getrandbits(32)
        if bits & 0x7F800000 == 0x7F800000 and bits & 0x007FFFFF:
            bits |= 0x00400000  # a quiet NaN: float32 signalling NaNs do not survive Python's float
        return f32(bits)
    if pick < 0.3:
        return rng.choice(FLOAT_SPECIALS)
    if pick < 0.4:  # NaNs with payloads, signalling ones too
        return f64(0x7FF0000000000000 | (rng.getrandbits(1) << 63) | (rng.getrandbits(52) or 1))
    if pick < 0.7:
        return rng.uniform(-1e6, 1e6)
    return f64(rng.getrandbits(64))


def random_scalar(rng, single, big):
    pick = rng.random()
    if pick < 0.05:
        return None
    if pick < 0.1:
        return rng.random() < 0.5
    if pick < 0.35:
        return random_int(rng)
    if pick < 0.5:
        return random_float(rng, single)
    if pick < 0.75:
        length = rng.choice(STRING_LENGTHS if big else STRING_LENGTHS[:9] + [rng.randrange(0, 40)] * 6)
        if big:
            return random_string(rng, 64) * (length // 64) + "x" * (length % 64)
        return random_string(rng, length) if rng.random() < 0.7 else "x" * length
    if pick < 0.87:
        length = rng.choice(BYTE_LENGTHS if big else BYTE_LENGTHS[:13] + [rng.randrange(0, 40)] * 6)
        return bytes(rng.getrandbits(8) for _ in range(length))
    if pick < 0.95:
        length = rng.choice(BYTE_LENGTHS if big else BYTE_LENGTHS[:13])
        code = rng.randrange(-128, 128)
        if code == -1:
            code = 1
        return ext(code, bytes(rng.getrandbits(8) for _ in range(length)))
    return random_timestamp(rng)


def random_timestamp(rng):
    form = rng.randrange(3)
    if form == 0:
        return msgpack.Timestamp(rng.randrange(0, 2**32), 0)
    if form == 1:
        return msgpack.Timestamp(rng.randrange(0, 2**34), rng.randrange(1, 10**9))
    return msgpack.Timestamp(rng.choice([-1, -(2**40), 2**34, 2**62]) + rng.randrange(0, 1000), rng.randrange(0, 10**9))


def random_key(rng, single):
    pick = rng.random()
    if pick < 0.6:
        return random_string(rng, rng.randrange(0, 12))
    if pick < 0.75:
        return random_int(rng)
    if pick < 0.85:
        return bytes(rng.getrandbits(8) for _ in range(rng.randrange(0, 6)))
    if pick < 0.9:
        return rng.random() < 0.5
    if pick < 0.93:
        return None
    value = random_float(rng, single)
    if value != value:  # NaN keys cannot be looked up in a dict
        return F32(0.25) if single else 0.25
    return value


def random_value(rng, depth, single):
    """Containers get rarer with depth, so a value stays small (a few hundred bytes on average)."""
    pick = rng.random() * (2 ** depth)
    if depth < 6 and pick < 0.18:
        length = rng.choice([0, 1, 2, 3, 5, 14, 15, 16, 17]) if rng.random() < 0.3 else rng.randrange(0, 6)
        return [random_value(rng, depth + 1, single) for _ in range(length)]
    if depth < 6 and pick < 0.36:
        length = rng.choice([0, 1, 2, 3, 5, 14, 15, 16, 17]) if rng.random() < 0.3 else rng.randrange(0, 6)
        result = {}
        while len(result) < length:
            key = random_key(rng, single)
            if key not in result:  # Python's dict: 1, 1.0 and True are one key
                result[key] = random_value(rng, depth + 1, single)
        return result
    return random_scalar(rng, single, big=False)


def fixed_cases():
    """Every format and length boundary at least once: (value, single)."""
    cases = [(None, False), (True, False), (False, False)]
    cases += [(value, False) for value in INT_BOUNDARIES]
    cases += [(value, False) for value in FLOAT_SPECIALS]
    cases += [(f32(bits), True) for bits in F32_SPECIAL_BITS]
    cases += [("a" * length, False) for length in STRING_LENGTHS]
    cases += [("é" * 16, False), ("😀" * 8, False), ("€" * 85 + "a", False), ("\u0000", False), ("😀" * 16384, False)]
    cases += [(bytes(range(256)) * (length // 256) + bytes(length % 256), False) for length in BYTE_LENGTHS]
    cases += [(ext(code, bytes(length)), False) for code in (0, 5, 127, -128, -2) for length in BYTE_LENGTHS[:13]]
    cases += [(ext(42, bytes(length)), False) for length in BYTE_LENGTHS[13:]]
    cases += [(msgpack.Timestamp(0, 0), False), (msgpack.Timestamp(2**32 - 1, 0), False),
              (msgpack.Timestamp(2**32, 0), False), (msgpack.Timestamp(2**34 - 1, 999999999), False),
              (msgpack.Timestamp(2**34, 0), False), (msgpack.Timestamp(-1, 500), False)]
    for length in (0, 1, 15, 16, 17, 65535, 65536):
        cases.append((RangeList(i % 128 for i in range(length)), False))
        cases.append((RangeDict((i, None) for i in range(length)), False))
    nested = 7
    for _ in range(100):
        nested = [nested]
    cases.append((nested, False))
    cases.append(({"a": [1, {"b": None, b"c": 2.5}], 1: -1, None: [], False: {}, 2.5: "x"}, False))
    return cases


def values(seed, count):
    rng = random.Random(seed)
    cases = fixed_cases()[:count]
    while len(cases) < count:
        single = rng.random() < 0.1
        big = rng.random() < 0.001  # a string, bytes or extension up to 65,536 bytes
        cases.append((random_scalar(rng, single, big) if big else random_value(rng, 0, single), single))
    return cases


def describe(value):
    if value is None:
        return ["nil"]
    if isinstance(value, bool):
        return ["bool", value]
    if isinstance(value, int):
        return ["int", str(value)]
    if isinstance(value, F32):
        return ["f32", struct.pack(">f", value).hex()]
    if isinstance(value, float):
        return ["f64", struct.pack(">d", value).hex()]
    if isinstance(value, str):
        return ["str", value]
    if isinstance(value, bytes):
        return ["bin", value.hex()]
    if isinstance(value, RangeList):
        return ["arr-range", len(value)]
    if isinstance(value, RangeDict):
        return ["map-range", len(value)]
    if isinstance(value, list):
        return ["arr", [describe(element) for element in value]]
    if isinstance(value, dict):
        return ["map", [[describe(key), describe(element)] for key, element in value.items()]]
    if isinstance(value, msgpack.Timestamp):
        return ["ext", -1, value.to_bytes().hex()]
    if isinstance(value, msgpack.ExtType):
        return ["ext", value.code, value.data.hex()]
    raise TypeError(f"cannot describe {type(value)}")


def pack(value, single):
    return msgpack.packb(value, use_bin_type=True, use_single_float=single)


def same(expected, got):
    """Type for type, floats by bits, maps in order."""
    if isinstance(expected, F32):
        return type(got) is float and struct.pack(">d", float(expected)) == struct.pack(">d", got)
    kind = list if isinstance(expected, list) else dict if isinstance(expected, dict) else type(expected)
    if type(got) is not kind:
        return False
    if isinstance(expected, float):
        return struct.pack(">d", expected) == struct.pack(">d", got)
    if isinstance(expected, list):
        return len(expected) == len(got) and all(same(a, b) for a, b in zip(expected, got))
    if isinstance(expected, dict):
        return len(expected) == len(got) and all(
            same(ka, kb) and same(va, vb) for (ka, va), (kb, vb) in zip(expected.items(), got.items()))
    return expected == got


def generate(args):
    out = sys.stdout
    for value, single in values(args.seed, args.count):
        out.write(pack(value, single).hex())
        out.write("\t")
        out.write(json.dumps(describe(value), separators=(",", ":")))
        out.write("\n")


def check(args):
    with open(args.input) as lines:
        encoded = [line.strip() for line in lines if line.strip()]
    cases = values(args.seed, args.count)
    failures = []
    if len(encoded) != len(cases):
        failures.append(f"{len(encoded)} encodings for {len(cases)} values")
    mismatches = 0
    for index, ((value, single), text) in enumerate(zip(cases, encoded)):
        try:
            got = msgpack.unpackb(base64.b64decode(text, validate=True), raw=False, strict_map_key=False,
                                  ext_hook=lambda code, data: ext(code, data))
            ok = same(value, got)
            problem = f"unpacked {got!r:.200}"
        except Exception as error:  # noqa: BLE001 (any failure to read is a mismatch to report)
            ok, problem = False, f"unpackb raised {error!r}"
        if not ok:
            mismatches += 1
            if len(failures) < 20:
                failures.append(f"#{index}: expected {value!r:.200}; {problem}; Swift wrote {base64.b64decode(text).hex()[:200]}"
                                f" (Python writes {pack(value, single).hex()[:200]})")
    json.dump({"checked": len(encoded), "mismatches": mismatches, "failures": failures}, sys.stdout)
    sys.stdout.write("\n")
    return 1 if failures else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["generate", "check"])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--count", type=int, default=10000)
    parser.add_argument("--input")
    args = parser.parse_args()
    if args.command == "generate":
        generate(args)
        return 0
    if not args.input:
        parser.error("check needs --input")
    return check(args)


if __name__ == "__main__":
    sys.exit(main())
