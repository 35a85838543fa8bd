#!/usr/bin/env python3
"""Compares a `jrnn forward` output with a PyTorch fixture's expected.safetensors, the way the Java
tests do (org.jrnn.interop.Fixtures.assertClose, ForwardCommandTest.assertMatches): the same tensor
names, every output tensor F32, equal shapes, and a relative error of norms |a - e| / |e| (the
absolute error where |e| is 0) below 1e-5 for each tensor. Reads safetensors by hand (numpy only).

  scripts/compare_safetensors.py EXPECTED.safetensors ACTUAL.safetensors [EXPECTED ACTUAL]...
exits 0 when every pair matches (one line per pair on stdout; each problem on stderr).
"""
import json
import struct
import sys

import numpy as np

TOLERANCE = 1e-5  # Fixtures.TOLERANCE: do not widen it to pass
DTYPES = {"F64": np.float64, "F32": np.float32, "F16": np.float16, "I64": np.int64, "I32": np.int32}


def read(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    header.pop("__metadata__", None)
    body = data[8 + n:]
    out = {}
    for name, info in header.items():
        begin, end = info["data_offsets"]
        arr = np.frombuffer(body[begin:end], dtype=DTYPES[info["dtype"]])
        out[name] = (info["dtype"], tuple(info["shape"]), arr.reshape(info["shape"]))
    return out


def compare(expected_path, actual_path):
    expected, actual = read(expected_path), read(actual_path)
    problems = []
    if sorted(expected) != sorted(actual):
        problems.append("tensor names: expected %s, got %s" % (sorted(expected), sorted(actual)))
    worst = 0.0
    for name in sorted(set(expected) & set(actual)):
        _, eshape, e = expected[name]
        adtype, ashape, a = actual[name]
        if adtype != "F32":
            problems.append("%s: dtype %s, expected F32" % (name, adtype))
        if eshape != ashape:
            problems.append("%s: shape %s, expected %s" % (name, list(ashape), list(eshape)))
            continue
        e64, a64 = e.astype(np.float64), a.astype(np.float64)
        num = float(np.sqrt(np.sum((a64 - e64) ** 2)))
        den = float(np.sqrt(np.sum(e64 ** 2)))
        err = num if den == 0 else num / den
        worst = max(worst, err)
        if not err < TOLERANCE:
            problems.append("%s: relative error %.3g >= %.0e" % (name, err, TOLERANCE))
    for p in problems:
        print("compare_safetensors: %s: %s" % (actual_path, p), file=sys.stderr)
    if not problems:
        print("%s: %d tensors match (worst relative error %.2g)" % (actual_path, len(expected), worst))
    return not problems


def main(argv):
    if len(argv) < 3 or len(argv) % 2 == 0:
        print(__doc__.strip().splitlines()[-2], file=sys.stderr)
        return 2
    ok = True
    for i in range(1, len(argv), 2):
        ok = compare(argv[i], argv[i + 1]) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
