#!/usr/bin/python3
"""make_fixtures.py: PyTorch reference fixtures for jrnn (forward, backward, state-dict import).

Run it with Debian's PyTorch (no pip packages needed; safetensors is written by hand here):

    /usr/bin/python3 scripts/make_fixtures.py            # writes java/jrnn-core/src/test/resources/fixtures/
    /usr/bin/python3 scripts/make_fixtures.py --check    # regenerates in a temp dir, compares bytes
    /usr/bin/python3 scripts/make_fixtures.py --torch-forward DIR   # used by the Java round-trip test

--torch-forward: for every folder in DIR holding model.safetensors (a jrnn model file: state dict plus
the config in __metadata__) and in.safetensors (x, lengths, optional h0/c0), builds the torch module,
load_state_dict(strict=True), runs it in float64 and writes torch_out.safetensors (y, hn, cn) and
torch_state.safetensors (the module's own state_dict, float32), so Java can check that an exported
model loads into PyTorch and computes the same function.

The output is deterministic (fixed seeds, float64 maths, sorted headers), so rerunning it changes no
committed file. Each case is a folder fixtures/<name>/ with:

    config.json            {"mode","input_size","hidden_size","num_layers","bidirectional","bias"}
    state.safetensors      the torch.nn.RNN/LSTM/GRU state_dict (F32)
    in.safetensors         x [T,N,I] F32, lengths [N] (I64, or I32 in some cases), optionally h0, c0,
                           and, for gradient cases, dy [T,N,D*H], optionally dhn, dcn
    expected.safetensors   y [T,N,D*H], hn [L*D,N,H], cn (LSTM); with dy also dx, dh0, dc0 (LSTM) and
                           grad.<param> for every state-dict entry

fixtures/index.json lists the cases (class-path resources cannot be listed from a jar).

How the expected values are made: weights and inputs are drawn in float32 (so what is stored is exactly
what was used), the module and the inputs are then cast to float64, and PyTorch runs
pack_padded_sequence(x, lengths, enforce_sorted=False) -> module -> pad_packed_sequence(total_length=T)
and autograd of sum(y*dy) + sum(hn*dhn) + sum(cn*dcn) in float64. Results are rounded to F32 once,
so they are exact to float32 rounding. Gradients for h0/c0 are taken at zeros when h0/c0 are absent.
"""
import argparse
import filecmp
import json
import os
import struct
import sys
import tempfile

import numpy as np
import torch
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_DIR = os.path.join(ROOT, "java", "src", "test", "resources", "fixtures")

# ------------------------------------------------------------------ safetensors, by hand

_DTYPES = {
    np.dtype("<f4"): "F32", np.dtype("<f8"): "F64", np.dtype("<f2"): "F16",
    np.dtype("<i4"): "I32", np.dtype("<i8"): "I64",
}


def write_safetensors(path, tensors, metadata=None):
    """Writes {name: numpy array} as safetensors: u64 LE header size, JSON header, raw LE data.

    Tensors are laid out in name order; the header is space-padded to a multiple of 8 bytes (as the
    reference implementation does), so every tensor starts 8-byte aligned."""
    header = {}
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in sorted(metadata.items())}
    blobs = []
    offset = 0
    for name in sorted(tensors):
        a = np.ascontiguousarray(tensors[name])
        a = a.astype(a.dtype.newbyteorder("<"), copy=False)
        if a.dtype not in _DTYPES:
            raise ValueError("unsupported dtype %s for %s" % (a.dtype, name))
        raw = a.tobytes(order="C")
        header[name] = {"dtype": _DTYPES[a.dtype], "shape": list(a.shape),
                        "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":"), sort_keys=False).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for raw in blobs:
            f.write(raw)


def read_metadata(path):
    """The __metadata__ dict of a safetensors file ({} when absent)."""
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        return json.loads(f.read(n).decode("utf-8")).get("__metadata__", {})


def read_safetensors(path):
    """Reads a safetensors file into {name: numpy array} (F32/F64/F16/I32/I64/BF16->F32)."""
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n].decode("utf-8"))
    base = 8 + n
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        b, e = info["data_offsets"]
        raw = data[base + b:base + e]
        if info["dtype"] == "BF16":
            u = np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16
            arr = u.view(np.float32)
        else:
            dt = {v: k for k, v in _DTYPES.items()}[info["dtype"]]
            arr = np.frombuffer(raw, dtype=dt)
        out[name] = arr.reshape(info["shape"])
    return out


# ------------------------------------------------------------------ cases

MODES = {
    "RNN_TANH": lambda **kw: torch.nn.RNN(nonlinearity="tanh", **kw),
    "RNN_RELU": lambda **kw: torch.nn.RNN(nonlinearity="relu", **kw),
    "LSTM": lambda **kw: torch.nn.LSTM(**kw),
    "GRU": lambda **kw: torch.nn.GRU(**kw),
}


def case_list():
    """The cases: every mode x direction x bias, layers 1..3, ragged unsorted lengths with 1 and T,
    h0/c0 given in about half, plus forward-only, I32-lengths, N=1 and a 200-step case."""
    cases = []
    k = 0
    for mode in ["RNN_TANH", "RNN_RELU", "LSTM", "GRU"]:
        for bidirectional in [False, True]:
            for bias in [True, False]:
                layers = 1 + (k % 3)
                name = "%s_%s_l%d_%s" % (mode.lower(), "bi" if bidirectional else "uni", layers,
                                         "bias" if bias else "nobias")
                cases.append(dict(name=name, mode=mode, bidirectional=bidirectional, bias=bias,
                                  layers=layers, T=5, N=4, I=3, H=4,
                                  lengths=[3, 5, 1, 4] if k % 2 == 0 else [1, 2, 5, 5],
                                  h0=(k % 4) in (1, 2), dhn=(k % 5) != 3, grads=True,
                                  lengths_dtype="I64", seed=1000 + k))
                k += 1
    # Forward only (no dy): expected has y, hn, cn only.
    cases.append(dict(name="lstm_bi_l2_forward_only", mode="LSTM", bidirectional=True, bias=True,
                      layers=2, T=6, N=3, I=2, H=3, lengths=[6, 1, 4], h0=True, dhn=False,
                      grads=False, lengths_dtype="I64", seed=2001))
    # I32 lengths, all sequences of full length, wider input.
    cases.append(dict(name="gru_uni_l1_full_lengths_i32", mode="GRU", bidirectional=False, bias=True,
                      layers=1, T=4, N=3, I=7, H=5, lengths=[4, 4, 4], h0=False, dhn=True,
                      grads=True, lengths_dtype="I32", seed=2002))
    # A single sequence; no lengths tensor at all (default: all T).
    cases.append(dict(name="rnn_tanh_bi_l2_n1_no_lengths", mode="RNN_TANH", bidirectional=True,
                      bias=True, layers=2, T=7, N=1, I=3, H=2, lengths=None, h0=True, dhn=True,
                      grads=True, lengths_dtype="I64", seed=2003))
    # The long case: 200 steps, ragged, bidirectional two-layer LSTM.
    cases.append(dict(name="lstm_bi_l2_long200", mode="LSTM", bidirectional=True, bias=True,
                      layers=2, T=200, N=3, I=4, H=6, lengths=[137, 200, 1], h0=True, dhn=True,
                      grads=True, lengths_dtype="I64", seed=2004))
    return cases


def f32(t):
    return t.detach().to(torch.float32).cpu().numpy()


def make_case(c, out_dir):
    torch.manual_seed(c["seed"])
    mode, T, N, I, H, L = c["mode"], c["T"], c["N"], c["I"], c["H"], c["layers"]
    D = 2 if c["bidirectional"] else 1
    module = MODES[mode](input_size=I, hidden_size=H, num_layers=L, bias=c["bias"],
                         bidirectional=c["bidirectional"])  # float32 init, PyTorch's default
    state32 = {k: v.detach().clone() for k, v in module.state_dict().items()}
    module = module.double()

    x32 = torch.randn(T, N, I, dtype=torch.float32)
    lengths = c["lengths"] if c["lengths"] is not None else [T] * N
    h032 = torch.randn(L * D, N, H, dtype=torch.float32) * 0.5 if c["h0"] else None
    c032 = (torch.randn(L * D, N, H, dtype=torch.float32) * 0.5
            if c["h0"] and mode == "LSTM" else None)
    dy32 = torch.randn(T, N, D * H, dtype=torch.float32) if c["grads"] else None
    dhn32 = torch.randn(L * D, N, H, dtype=torch.float32) if c["grads"] and c["dhn"] else None
    dcn32 = (torch.randn(L * D, N, H, dtype=torch.float32)
             if c["grads"] and c["dhn"] and mode == "LSTM" else None)

    x = x32.double().requires_grad_(True)
    h0 = (h032.double() if h032 is not None else torch.zeros(L * D, N, H, dtype=torch.float64))
    h0.requires_grad_(True)
    c0 = None
    if mode == "LSTM":
        c0 = (c032.double() if c032 is not None else torch.zeros(L * D, N, H, dtype=torch.float64))
        c0.requires_grad_(True)

    packed = pack_padded_sequence(x, torch.tensor(lengths, dtype=torch.int64), enforce_sorted=False)
    if mode == "LSTM":
        out, (hn, cn) = module(packed, (h0, c0))
    else:
        out, hn = module(packed, h0)
        cn = None
    y, _ = pad_packed_sequence(out, total_length=T)

    expected = {"y": f32(y), "hn": f32(hn)}
    if cn is not None:
        expected["cn"] = f32(cn)
    if c["grads"]:
        loss = (y * dy32.double()).sum()
        if dhn32 is not None:
            loss = loss + (hn * dhn32.double()).sum()
        if dcn32 is not None:
            loss = loss + (cn * dcn32.double()).sum()
        loss.backward()
        expected["dx"] = f32(x.grad)
        expected["dh0"] = f32(h0.grad)
        if c0 is not None:
            expected["dc0"] = f32(c0.grad)
        for name, p in module.named_parameters():
            expected["grad." + name] = f32(p.grad)

    inputs = {"x": x32.numpy()}
    if c["lengths"] is not None:
        inputs["lengths"] = np.array(lengths, dtype=np.int64 if c["lengths_dtype"] == "I64"
                                     else np.int32)
    for key, t in [("h0", h032), ("c0", c032), ("dy", dy32), ("dhn", dhn32), ("dcn", dcn32)]:
        if t is not None:
            inputs[key] = t.numpy()

    config = {"mode": mode, "input_size": I, "hidden_size": H, "num_layers": L,
              "bidirectional": c["bidirectional"], "bias": c["bias"]}
    case_dir = os.path.join(out_dir, c["name"])
    os.makedirs(case_dir, exist_ok=True)
    with open(os.path.join(case_dir, "config.json"), "w") as f:
        json.dump(config, f)
        f.write("\n")
    write_safetensors(os.path.join(case_dir, "state.safetensors"),
                      {k: v.numpy() for k, v in state32.items()}, {"format": "pt"})
    write_safetensors(os.path.join(case_dir, "in.safetensors"), inputs)
    write_safetensors(os.path.join(case_dir, "expected.safetensors"), expected)
    return config


# ------------------------------------------------------------------ independent self-check

def _sigmoid(v):
    return 1.0 / (1.0 + np.exp(-v))


def reference_forward(config, state, x, lengths, h0=None, c0=None):
    """jrnn.h's semantics in plain numpy float64 loops (no PyTorch): per layer and direction, state
    carried past each length, y zero there, reverse direction from lengths[n]-1 down to 0."""
    mode, H, L = config["mode"], config["hidden_size"], config["num_layers"]
    D = 2 if config["bidirectional"] else 1
    T, N, _ = x.shape
    h0 = np.zeros((L * D, N, H)) if h0 is None else h0.astype(np.float64)
    c0 = np.zeros((L * D, N, H)) if c0 is None else c0.astype(np.float64)
    hn, cn = np.zeros((L * D, N, H)), np.zeros((L * D, N, H))
    inp = x.astype(np.float64)
    for l in range(L):
        out = np.zeros((T, N, D * H))
        for d in range(D):
            sfx = "_l%d%s" % (l, "_reverse" if d else "")
            wih = state["weight_ih" + sfx].astype(np.float64)
            whh = state["weight_hh" + sfx].astype(np.float64)
            bih = state["bias_ih" + sfx].astype(np.float64) if config["bias"] else 0.0
            bhh = state["bias_hh" + sfx].astype(np.float64) if config["bias"] else 0.0
            for n in range(N):
                h, c = h0[l * D + d, n].copy(), c0[l * D + d, n].copy()
                steps = range(lengths[n]) if d == 0 else range(lengths[n] - 1, -1, -1)
                for t in steps:
                    gi, gh = wih @ inp[t, n] + bih, whh @ h + bhh
                    if mode == "RNN_TANH":
                        h = np.tanh(gi + gh)
                    elif mode == "RNN_RELU":
                        h = np.maximum(gi + gh, 0.0)
                    elif mode == "LSTM":
                        g = gi + gh
                        i, f = _sigmoid(g[:H]), _sigmoid(g[H:2 * H])
                        gg, o = np.tanh(g[2 * H:3 * H]), _sigmoid(g[3 * H:])
                        c = f * c + i * gg
                        h = o * np.tanh(c)
                    else:
                        r = _sigmoid(gi[:H] + gh[:H])
                        z = _sigmoid(gi[H:2 * H] + gh[H:2 * H])
                        nn_ = np.tanh(gi[2 * H:] + r * gh[2 * H:])
                        h = (1 - z) * nn_ + z * h
                    out[t, n, d * H:(d + 1) * H] = h
                hn[l * D + d, n], cn[l * D + d, n] = h, c
        inp = out
    return inp, hn, (cn if mode == "LSTM" else None)


def self_check(out_dir, names):
    """Checks every case's expected y/hn/cn against reference_forward; returns the worst error."""
    worst = 0.0
    for name in names:
        d = os.path.join(out_dir, name)
        with open(os.path.join(d, "config.json")) as f:
            config = json.load(f)
        state = read_safetensors(os.path.join(d, "state.safetensors"))
        inp = read_safetensors(os.path.join(d, "in.safetensors"))
        exp = read_safetensors(os.path.join(d, "expected.safetensors"))
        T, N = inp["x"].shape[:2]
        lengths = [int(v) for v in inp["lengths"]] if "lengths" in inp else [T] * N
        y, hn, cn = reference_forward(config, state, inp["x"], lengths, inp.get("h0"), inp.get("c0"))
        for key, ref in [("y", y), ("hn", hn), ("cn", cn)]:
            if ref is None:
                continue
            err = np.linalg.norm(ref - exp[key]) / max(np.linalg.norm(ref), 1e-30)
            worst = max(worst, err)
            if err > 1e-6:
                raise SystemExit("self-check failed: %s %s relative error %.3g" % (name, key, err))
    return worst


def generate(out_dir):
    torch.set_num_threads(1)
    os.makedirs(out_dir, exist_ok=True)
    names = []
    for c in case_list():
        make_case(c, out_dir)
        names.append(c["name"])
    with open(os.path.join(out_dir, "index.json"), "w") as f:
        json.dump({"cases": names,
                   "generator": "scripts/make_fixtures.py",
                   "torch": torch.__version__.split("+")[0].split("a")[0]}, f, indent=1)
        f.write("\n")
    # Self-check: what was written reads back, and the sizes stay small.
    total = 0
    for name in names:
        for fn in ["state", "in", "expected"]:
            p = os.path.join(out_dir, name, fn + ".safetensors")
            read_safetensors(p)
            total += os.path.getsize(p)
    worst = self_check(out_dir, names)
    return names, total, worst


def torch_forward(root):
    """See --torch-forward in the module comment."""
    torch.set_num_threads(1)
    done = 0
    for name in sorted(os.listdir(root)):
        d = os.path.join(root, name)
        if not os.path.isfile(os.path.join(d, "model.safetensors")):
            continue
        meta = read_metadata(os.path.join(d, "model.safetensors"))
        state = read_safetensors(os.path.join(d, "model.safetensors"))
        inp = read_safetensors(os.path.join(d, "in.safetensors"))
        mode = meta["mode"]
        module = MODES[mode](input_size=int(meta["input_size"]), hidden_size=int(meta["hidden_size"]),
                             num_layers=int(meta["num_layers"]),
                             bias=meta["bias"] == "true", bidirectional=meta["bidirectional"] == "true")
        module.load_state_dict({k: torch.from_numpy(np.array(v)) for k, v in state.items()}, strict=True)
        write_safetensors(os.path.join(d, "torch_state.safetensors"),
                          {k: v.detach().numpy() for k, v in module.state_dict().items()}, {"format": "pt"})
        module = module.double()
        x = torch.from_numpy(np.array(inp["x"])).double()
        T = x.shape[0]
        lengths = torch.from_numpy(np.array(inp["lengths"])).long()
        packed = pack_padded_sequence(x, lengths, enforce_sorted=False)
        h0 = torch.from_numpy(np.array(inp["h0"])).double() if "h0" in inp else None
        with torch.no_grad():
            if mode == "LSTM":
                c0 = torch.from_numpy(np.array(inp["c0"])).double() if "c0" in inp else None
                out, (hn, cn) = module(packed, None if h0 is None else (h0, c0))
            else:
                out, hn = module(packed, h0)
                cn = None
            y, _ = pad_packed_sequence(out, total_length=T)
        res = {"y": f32(y), "hn": f32(hn)}
        if cn is not None:
            res["cn"] = f32(cn)
        write_safetensors(os.path.join(d, "torch_out.safetensors"), res)
        done += 1
    print("torch forward: %d models" % done)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=OUT_DIR, help="output folder (default: %(default)s)")
    ap.add_argument("--check", action="store_true",
                    help="regenerate into a temp folder and compare with --out byte for byte")
    ap.add_argument("--torch-forward", metavar="DIR",
                    help="run jrnn model files in DIR/*/ through PyTorch (see the module comment)")
    args = ap.parse_args()
    if args.torch_forward:
        torch_forward(args.torch_forward)
        return
    if args.check:
        with tempfile.TemporaryDirectory() as tmp:
            names, _, _ = generate(tmp)
            bad = []
            for name in names:
                for fn in ["config.json", "state.safetensors", "in.safetensors",
                           "expected.safetensors"]:
                    a, b = os.path.join(tmp, name, fn), os.path.join(args.out, name, fn)
                    if not os.path.exists(b) or not filecmp.cmp(a, b, shallow=False):
                        bad.append(os.path.join(name, fn))
            if bad:
                print("fixtures differ from a fresh run: " + ", ".join(bad), file=sys.stderr)
                sys.exit(1)
            print("fixtures up to date (%d cases)" % len(names))
        return
    names, total, worst = generate(args.out)
    print("wrote %d cases to %s (%.1f KiB of safetensors); numpy reference agrees with PyTorch "
          "to %.2g" % (len(names), args.out, total / 1024, worst))


if __name__ == "__main__":
    main()
