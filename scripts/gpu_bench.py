#!/usr/bin/env python3
"""gpu_bench.py — jrnn's CUDA recurrent stack against cuDNN (through PyTorch's nn.LSTM/GRU/RNN)
on the same weights and inputs, in one process: jrnn is called through its C API (ctypes) on
PyTorch's device pointers (tensor.data_ptr()), with a jrnn CUDA context on the same device.

  python3 scripts/gpu_bench.py --lib build/gpu/libjrnn.so            # on a GPU machine
  python3 scripts/gpu_bench.py --lib build/native-test/libjrnn.so --device cpu --quick
                                          # dry run of the plumbing on the CPU (tiny shapes)

For every shape and mode it prints and writes one table row (bench/gpu/<card>-<date>.md):
  shape, pass (inference | training = forward + backward with dx and all weight gradients |
  step), mode (fp32: both strict; tf32: both allowed TF32), jrnn ms, cuDNN ms, speedup
  (cuDNN ms / jrnn ms, > 1: jrnn faster), jrnn's achieved TFLOP/s (GEMM FLOPs: forward
  2·T·N·G·H·(C+H), training 3x that), and the max relative error of jrnn's outputs (and, for
  training, dx and dw) against PyTorch's on those weights: max|a - b| / max|b|.
Timing: after warm-up, `iters` back-to-back calls between two CUDA events on PyTorch's stream,
each side ended by synchronising its own stream (jrnn runs on its context's stream, PyTorch on
its current stream; each call includes its host overhead: Python, ctypes or nn.Module). Median of
`repeats` such runs.
Streams: jrnn's stream does not order with PyTorch's, so data made by PyTorch is synchronised
(torch.cuda.synchronize) before jrnn reads it, and jrnn_context_synchronize runs before PyTorch
reads jrnn's outputs.
Strict fp32: torch.backends.cuda.matmul.allow_tf32 = torch.backends.cudnn.allow_tf32 = False;
jrnn's fp32 context. TF32: both True; a jrnn context created with JRNN_CUDA_TF32=1.
"""
import argparse
import ctypes
import datetime
import os
import statistics
import sys
import time
import traceback

import torch

c_int, c_int64, c_size_t, c_void_p, c_char_p, c_float = (
    ctypes.c_int, ctypes.c_int64, ctypes.c_size_t, ctypes.c_void_p, ctypes.c_char_p, ctypes.c_float)

CELLS = {"RNN_TANH": 0, "RNN_RELU": 1, "LSTM": 2, "GRU": 3}
GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}
PASSES = {"inference": 0, "training": 1, "backward": 2, "step": 3}


class Jrnn:
    """The few jrnn.h functions this benchmark needs."""

    def __init__(self, path):
        lib = ctypes.CDLL(path)
        sig = {
            "jrnn_last_error": (c_char_p, []),
            "jrnn_version": (c_char_p, []),
            "jrnn_cuda_device_count": (c_int, []),
            "jrnn_context_create": (c_void_p, [c_int, c_int, c_int]),
            "jrnn_context_destroy": (None, [c_void_p]),
            "jrnn_context_synchronize": (c_int, [c_void_p]),
            "jrnn_rnn_desc_create": (c_void_p, [c_int, c_int64, c_int64, c_int, c_int, c_int]),
            "jrnn_rnn_desc_destroy": (None, [c_void_p]),
            "jrnn_rnn_weights_count": (c_int64, [c_void_p]),
            "jrnn_rnn_param_count": (c_int, [c_void_p]),
            "jrnn_rnn_param_name": (c_char_p, [c_void_p, c_int]),
            "jrnn_rnn_param_offset": (c_int64, [c_void_p, c_int]),
            "jrnn_rnn_reserve_bytes": (c_size_t, [c_void_p, c_void_p, c_int64, c_int64]),
            "jrnn_rnn_scratch_bytes": (c_size_t, [c_void_p, c_void_p, c_int64, c_int64, c_int]),
            "jrnn_rnn_forward": (c_int, [c_void_p, c_void_p, c_int64, c_int64, c_void_p] + [c_void_p] * 9),
            "jrnn_rnn_backward": (c_int, [c_void_p, c_void_p, c_int64, c_int64, c_void_p] + [c_void_p] * 13),
            "jrnn_rnn_step": (c_int, [c_void_p, c_void_p, c_int64] + [c_void_p] * 8),
        }
        for name, (res, args) in sig.items():
            fn = getattr(lib, name)
            fn.restype, fn.argtypes = res, args
            setattr(self, name[5:], fn)
        self.lib = lib

    def check(self, status, what):
        if status != 0:
            raise RuntimeError(f"{what}: jrnn status {status}: {self.last_error().decode()}")


def ptr(t):
    return None if t is None else c_void_p(t.data_ptr())


def torch_module(cell, C, H, device):
    if cell == "LSTM":
        m = torch.nn.LSTM(C, H)
    elif cell == "GRU":
        m = torch.nn.GRU(C, H)
    else:
        m = torch.nn.RNN(C, H, nonlinearity="tanh" if cell == "RNN_TANH" else "relu")
    return m.to(device)


def flat_weights(jr, desc, module):
    """PyTorch's _flat_weights, concatenated in jrnn's flat order (checked name by name)."""
    params = dict(module.named_parameters())
    parts, offset = [], 0
    for i in range(jr.rnn_param_count(desc)):
        name = jr.rnn_param_name(desc, i).decode()
        assert jr.rnn_param_offset(desc, i) == offset, f"offset of {name}"
        p = params[name].detach().reshape(-1)
        parts.append(p)
        offset += p.numel()
    assert offset == jr.rnn_weights_count(desc)
    return torch.cat(parts).contiguous()


def rel_err(a, b):
    b = b.detach().float()
    den = b.abs().max().item()
    return (a.detach().float() - b).abs().max().item() / (den if den > 0 else 1.0)


def sync(jr, ctx, device):
    jr.check(jr.context_synchronize(ctx), "jrnn_context_synchronize")
    if device == "cuda":
        torch.cuda.synchronize()


def timed(fn, finish, device, warmup, iters, repeats):
    """Median ms per call of fn() over `repeats` runs of `iters` calls, each run ended by finish()."""
    for _ in range(warmup):
        fn()
    finish()
    runs = []
    for _ in range(repeats):
        if device == "cuda":
            start, stop = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            start.record()
            for _ in range(iters):
                fn()
            finish()
            stop.record()
            stop.synchronize()
            runs.append(start.elapsed_time(stop) / iters)
        else:
            t0 = time.perf_counter()
            for _ in range(iters):
                fn()
            finish()
            runs.append((time.perf_counter() - t0) * 1e3 / iters)
    return statistics.median(runs)


def bench_shape(jr, ctx, device, cell, T, N, C, H, pas, mode, args):
    """One table row (dict)."""
    torch.manual_seed(T * 7 + N * 13 + H)
    G = GATES[cell]
    lstm = cell == "LSTM"
    module = torch_module(cell, C, H, device)
    desc = jr.rnn_desc_create(CELLS[cell], C, H, 1, 0, 1)
    if not desc:
        raise RuntimeError(jr.last_error().decode())
    try:
        w = flat_weights(jr, desc, module)
        Teff = 1 if pas == "step" else T
        x = torch.randn(Teff, N, C, device=device)
        h0 = torch.randn(1, N, H, device=device) * 0.5
        c0 = torch.randn(1, N, H, device=device) * 0.5 if lstm else None
        y = torch.empty(Teff, N, H, device=device)
        hy = torch.empty(1, N, H, device=device)
        cy = torch.empty(1, N, H, device=device) if lstm else None
        training = pas == "training"
        sbytes = jr.rnn_scratch_bytes(ctx, desc, T, N, PASSES["step" if pas == "step" else
                                                              "training" if training else "inference"])
        scratch = torch.empty(max(int(sbytes), 1), dtype=torch.uint8, device=device)
        reserve = None
        if training:
            reserve = torch.empty(int(jr.rnn_reserve_bytes(ctx, desc, T, N)), dtype=torch.uint8,
                                  device=device)
            bscratch = torch.empty(max(int(jr.rnn_scratch_bytes(ctx, desc, T, N, 2)), 1),
                                   dtype=torch.uint8, device=device)
            dy = torch.randn(T, N, H, device=device)
            dx = torch.empty_like(x)
            dh0 = torch.empty_like(h0)
            dc0 = torch.empty_like(c0) if lstm else None
            dw = torch.zeros_like(w)
        if device == "cuda":
            torch.cuda.synchronize()  # inputs made on PyTorch's stream, read on jrnn's

        def j_forward():
            if pas == "step":
                jr.check(jr.rnn_step(ctx, desc, N, ptr(x), ptr(h0), ptr(c0), ptr(w), ptr(y),
                                     ptr(hy), ptr(cy), ptr(scratch)), "jrnn_rnn_step")
                return
            jr.check(jr.rnn_forward(ctx, desc, T, N, None, ptr(x), ptr(h0), ptr(c0), ptr(w),
                                    ptr(y), ptr(hy), ptr(cy), ptr(reserve), ptr(scratch)),
                     "jrnn_rnn_forward")

        def j_call():
            j_forward()
            if training:
                jr.check(jr.rnn_backward(ctx, desc, T, N, None, ptr(x), ptr(h0), ptr(c0), ptr(w),
                                         ptr(dy), None, None, ptr(dx), ptr(dh0), ptr(dc0),
                                         ptr(dw), ptr(reserve), ptr(bscratch)),
                         "jrnn_rnn_backward")

        state = (h0, c0) if lstm else h0
        params = list(module.parameters())
        xg = x.clone().requires_grad_(training)

        def t_call():
            if training:
                out, _ = module(xg, state)
                torch.autograd.grad(out, [xg] + params, dy)
            else:
                with torch.no_grad():
                    module(x, state)

        # correctness on these weights
        j_forward()
        if training:
            jr.check(jr.context_synchronize(ctx), "sync")
            dw.zero_()
            j_call()
        sync(jr, ctx, device)
        with torch.no_grad() if not training else torch.enable_grad():
            out, st = module(xg if training else x, state)
        errs = [rel_err(y, out)]
        hn = st[0] if lstm else st
        errs.append(rel_err(hy, hn))
        if lstm:
            errs.append(rel_err(cy, st[1]))
        if training:
            grads = torch.autograd.grad(out, [xg] + params, dy)
            errs.append(rel_err(dx, grads[0]))
            tw = torch.cat([g.reshape(-1) for g in grads[1:]])  # named_parameters order == flat
            errs.append(rel_err(dw, tw))
        err = max(errs)
        if device == "cuda":
            torch.cuda.synchronize()

        jr_ms = timed(j_call, lambda: jr.check(jr.context_synchronize(ctx), "sync"), device,
                      args.warmup, args.iters, args.repeats)
        tc_ms = timed(t_call, (lambda: torch.cuda.synchronize()) if device == "cuda" else (lambda: None),
                      device, args.warmup, args.iters, args.repeats)
        flops = 2.0 * Teff * N * G * H * (C + H) * (3 if training else 1)
        return dict(shape=f"{cell} H={H} N={N} T={Teff} C={C}", pas=pas, mode=mode, jrnn_ms=jr_ms,
                    cudnn_ms=tc_ms, speedup=tc_ms / jr_ms, tflops=flops / (jr_ms * 1e-3) / 1e12,
                    err=err)
    finally:
        jr.rnn_desc_destroy(desc)


def shapes(quick, device):
    if device == "cpu":  # plumbing dry run
        return [("LSTM", 5, 3, 4, 6, "inference"), ("LSTM", 5, 3, 4, 6, "training"),
                ("GRU", 4, 2, 3, 5, "training"), ("RNN_TANH", 4, 2, 3, 5, "inference"),
                ("LSTM", 5, 1, 4, 6, "step")]
    rows = [("LSTM", 100, 64, 1024, 1024, "training"), ("LSTM", 100, 64, 1024, 1024, "inference"),
            ("GRU", 100, 64, 1024, 1024, "training"), ("GRU", 100, 64, 1024, 1024, "inference"),
            ("LSTM", 100, 1, 1024, 1024, "inference"), ("LSTM", 1, 1, 1024, 1024, "step"),
            ("GRU", 1, 1, 1024, 1024, "step")]
    deepbench = [(H, N) for H in (512, 1024, 2048) for N in (16, 64, 128)]
    if quick:
        deepbench = [(1024, 64)]
    rows += [("LSTM", 25, N, H, H, "training") for H, N in deepbench]
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lib", required=True, help="path to libjrnn.so (built with CUDA)")
    ap.add_argument("--device", default="cuda", choices=["cuda", "cpu"])
    ap.add_argument("--out", default=None, help="markdown file (default bench/gpu/<card>-<date>.md)")
    ap.add_argument("--modes", default="fp32,tf32")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--iters", type=int, default=10)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--budget", type=float, default=240.0, help="seconds; later rows are skipped")
    args = ap.parse_args()
    t_start = time.time()

    jr = Jrnn(args.lib)
    if args.device == "cuda":
        if not torch.cuda.is_available():
            sys.exit("gpu_bench: PyTorch sees no CUDA device")
        if jr.cuda_device_count() < 1:
            sys.exit("gpu_bench: libjrnn sees no CUDA device (built without CUDA?): "
                     + jr.last_error().decode())
        card = torch.cuda.get_device_name(0)
        torch.backends.cudnn.benchmark = False
    else:
        card = "cpu-dry-run"
    print(f"gpu_bench: jrnn {jr.version().decode()}, torch {torch.__version__}, "
          f"cuDNN {torch.backends.cudnn.version() if args.device == 'cuda' else '-'}, {card}", flush=True)

    rows = []
    modes = [m for m in args.modes.split(",") if m]
    contexts = {}
    for mode in modes:  # one jrnn context per mode: JRNN_CUDA_TF32 is read when it is created
        if mode == "tf32":
            os.environ["JRNN_CUDA_TF32"] = "1"
        else:
            os.environ.pop("JRNN_CUDA_TF32", None)
        ctx = jr.context_create(1 if args.device == "cuda" else 0, 0, 0)
        os.environ.pop("JRNN_CUDA_TF32", None)
        if not ctx:
            sys.exit("gpu_bench: jrnn_context_create: " + jr.last_error().decode())
        contexts[mode] = ctx
    try:
        for cell, T, N, C, H, pas in shapes(args.quick, args.device):
            for mode in modes:  # fp32 and TF32 rows side by side: a budget cut drops shapes, not modes
                tf32 = mode == "tf32"
                if args.device == "cuda":
                    torch.backends.cuda.matmul.allow_tf32 = tf32
                    torch.backends.cudnn.allow_tf32 = tf32
                label = f"{cell} H={H} N={N} T={1 if pas == 'step' else T}"
                if time.time() - t_start > args.budget:
                    rows.append(dict(shape=label, pas=pas, mode=mode, skipped="time budget"))
                    continue
                try:
                    r = bench_shape(jr, contexts[mode], args.device, cell, T, N, C, H, pas, mode, args)
                except Exception as e:  # report and go on with the next shape
                    traceback.print_exc()
                    r = dict(shape=label, pas=pas, mode=mode, skipped=f"error: {e}")
                    if args.device == "cuda":
                        try:
                            torch.cuda.synchronize()
                        except Exception:
                            pass
                rows.append(r)
                print(format_row(r), flush=True)
    finally:
        for ctx in contexts.values():
            jr.context_destroy(ctx)

    table = ["| shape | pass | mode | jrnn ms | cuDNN ms | speedup | jrnn TFLOP/s | max rel err |",
             "|---|---|---|---:|---:|---:|---:|---:|"] + [format_row(r) for r in rows]
    print("\n".join(table))
    date = datetime.date.today().isoformat()
    safe_card = "".join(ch if ch.isalnum() or ch in "._-" else "-" for ch in card)
    out = args.out or os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "bench", "gpu",
                                   f"{safe_card}-{date}.md")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w") as f:
        f.write(f"# jrnn vs cuDNN on {card}, {date}\n\n")
        f.write(f"jrnn {jr.version().decode()}; PyTorch {torch.__version__}; cuDNN "
                f"{torch.backends.cudnn.version() if args.device == 'cuda' else '-'}. "
                "Produced by scripts/gpu_bench.py (see its docstring for what is timed): median of "
                f"{args.repeats} runs of {args.iters} calls after {args.warmup} warm-up calls. "
                "speedup = cuDNN ms / jrnn ms (> 1: jrnn faster). One layer, unidirectional, "
                "C = H, bias, h0 (and c0) given.\n\n")
        f.write("\n".join(table) + "\n")
    print(f"gpu_bench: wrote {out}")
    failed = [r for r in rows if "skipped" not in r and not r["err"] < (2e-2 if r["mode"] == "tf32" else 1e-3)]
    errors = [r for r in rows if r.get("skipped", "").startswith("error")]
    if failed or errors:
        print(f"gpu_bench: {len(failed)} rows over the error tolerance, {len(errors)} errors")
        sys.exit(1)


def format_row(r):
    if "skipped" in r:
        return f"| {r['shape']} | {r['pas']} | {r['mode']} | {r['skipped']} | | | | |"
    return (f"| {r['shape']} | {r['pas']} | {r['mode']} | {r['jrnn_ms']:.3f} | {r['cudnn_ms']:.3f} | "
            f"{r['speedup']:.2f} | {r['tflops']:.2f} | {r['err']:.2e} |")


if __name__ == "__main__":
    main()
