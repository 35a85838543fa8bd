"""Turns one scripts/bench run directory into the Markdown report on stdout: machine, commit,
versions and thread settings, then ONE table (jrnn through the Java API against the native C API
and every peer), then the issue's targets checked against it, contention and provenance.

Run dir (target/bench/<run-id>/): meta.txt, jrnn-*.out, windows.tsv, load.txt, and peers/ (the
.out files, windows.tsv, load.txt and meta.txt of ../shared/peers/run_peers.sh for the same run).
RESULT lines: RESULT peer cell shape mode N T C H ms,... other-cores,... k (tools/benchutil.py).

FLOPs count GEMM work only: forward = 2*T*N*G*H*(C+H) (G = 4 LSTM, 3 GRU, 1 RNN); train =
forward + weight gradients 2*T*N*G*H*(C+H) + recurrent gradient 2*T*N*G*H*H (no input gradient,
as the peers' steps: 2.5x forward when C = H; the peers' own report counts 3x); sgemm = 2*M*N*K.

jrnn runs in two rounds of processes (scripts/bench): jrnn-java / jrnn-native, then jrnn-java#2 /
jrnn-native#2. The jrnn column is the first Java process (one process, like each peer); the
Java-overhead column compares the faster process of each API (a process draws a fast or slow
mode from the machine at random). Medians use the clean samples (other processes below
BENCH_CLEAN_CORES cores) when there are >= 5 of them, else all samples (marked *).
"""
import os
import statistics
import sys

GATES = {"lstm": 4, "gru": 3, "rnn": 1}
CELL_ORDER = {"lstm": 0, "gru": 1, "rnn": 2}
SHAPE_ORDER = {"S1": 1, "S2": 2, "S3": 3, "S4": 4}
CLEAN = float(os.environ.get("BENCH_CLEAN_CORES", "0.25"))
MIN_CLEAN = int(os.environ.get("REPORT_MIN_CLEAN", "5"))
JAVA, NATIVE = "jrnn-java", "jrnn-native"
# peer columns, in this order when present (others are appended)
PEER_ORDER = ["djl-pytorch", "pytorch", "pytorch[1 omp thread]", "pytorch[omp-passive]", "dl4j",
              "dl4j-onednn-avx512", "dl4j[omp-passive]"]
PEER_LABEL = {"djl-pytorch": "libtorch 2.7.1 (DJL)", "pytorch": "PyTorch 1.13 (Debian)",
              "pytorch[1 omp thread]": "PyTorch, 1 OMP thread", "pytorch[omp-passive]":
              "PyTorch, OMP passive", "dl4j": "DL4J M2.1", "dl4j-onednn-avx512": "DL4J onednn-avx512",
              "dl4j[omp-passive]": "DL4J, OMP passive"}


def read_dir(d, rows, infos):
    if not os.path.isdir(d):
        return
    for fn in sorted(os.listdir(d)):
        if not fn.endswith(".out"):
            continue
        with open(os.path.join(d, fn)) as f:
            for line in f:
                p = line.rstrip("\n").split("\t")
                if p[0] == "RESULT" and len(p) >= 10:
                    ms = [float(x) for x in p[9].split(",") if x]
                    other = [float(x) for x in p[10].split(",") if x] if len(p) > 10 else [0.0] * len(ms)
                    rows.append(dict(peer=p[1], cell=p[2], shape=p[3], mode=p[4], B=int(p[5]),
                                     T=int(p[6]), I=int(p[7]), H=int(p[8]), ms=ms, other=other,
                                     k=int(p[11]) if len(p) > 11 else 1))
                elif p[0] == "INFO" and len(p) >= 3:
                    infos.setdefault(p[1], []).append(p[2])


def read_meta(path):
    meta = {}
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                if "=" in line:
                    k, v = line.rstrip("\n").split("=", 1)
                    meta[k] = v
    return meta


def flops(r):
    if r["cell"] == "sgemm":
        return 2.0 * r["B"] * r["I"] * r["H"]
    unit = 2.0 * r["T"] * r["B"] * GATES[r["cell"]] * r["H"]
    fwd = unit * (r["I"] + r["H"])
    return fwd if r["mode"] != "train" else 2 * fwd + unit * r["H"]


def best_process(med, name, cell, shape, mode):
    """The key of the fastest of jrnn's processes named name, name#2, ... for one case."""
    keys = [k for k in med if (k[0] == name or k[0].startswith(name + "#")) and k[1:] == (cell, shape, mode)]
    return min(keys, key=lambda k: med[k]) if keys else (name, cell, shape, mode)


def rstats(r):
    """median, iqr, n_used, n_all, n_clean, flag ('*' when not enough clean samples)."""
    pairs = list(zip(r["ms"], r["other"]))
    cl = [p for p in pairs if p[1] < CLEAN]
    use = cl if len(cl) >= MIN_CLEAN else pairs
    s = sorted(p[0] for p in use)
    med = statistics.median(s)
    if len(s) >= 4:
        q = statistics.quantiles(s, n=4)
        iqr = q[2] - q[0]
    else:
        iqr = s[-1] - s[0]
    return med, iqr, len(use), len(pairs), len(cl), "" if len(cl) >= MIN_CLEAN else "*"


def fmt(x):
    if x >= 100:
        return "%.0f" % x
    if x >= 10:
        return "%.1f" % x
    return "%.2f" % x


def peak_of(rows, peer):
    best = 0.0
    for r in rows:
        if r["cell"] == "sgemm" and r["mode"] == "peak" and r["peer"] == peer:
            best = max(best, flops(r) / (rstats(r)[0] / 1e3) / 1e9)
    return best


def load_windows(d):
    wins, samples = [], []
    p = os.path.join(d, "windows.tsv")
    if os.path.exists(p):
        with open(p) as f:
            for line in f:
                q = line.rstrip("\n").split("\t")
                if len(q) >= 3:
                    wins.append((q[0], float(q[1]), float(q[2]), q[3] if len(q) > 3 else ""))
    p = os.path.join(d, "load.txt")
    if os.path.exists(p):
        with open(p) as f:
            for line in f:
                q = line.split()
                if len(q) == 3:
                    samples.append((float(q[0]), float(q[1]), float(q[2])))
    return wins, samples


def main(run):
    rows, infos = [], {}
    read_dir(run, rows, infos)
    read_dir(os.path.join(run, "peers"), rows, infos)
    meta = read_meta(os.path.join(run, "meta.txt"))
    pmeta = read_meta(os.path.join(run, "peers", "meta.txt"))
    med = {}
    stats = {}
    for r in rows:
        if r["cell"] == "sgemm":
            continue
        key = (r["peer"], r["cell"], r["shape"], r["mode"])
        stats[key] = rstats(r)
        med[key] = stats[key][0]
    peak = peak_of(rows, "openblas-numpy")
    avx512 = max(peak_of(rows, "openblas-numpy[CORETYPE unset]"),
                 peak_of(rows, "openblas-bytedeco[CORETYPE unset]"))
    peers = sorted({k[0] for k in med if not k[0].startswith("jrnn-")},
                   key=lambda p: (PEER_ORDER.index(p) if p in PEER_ORDER else 99, p))
    cases = sorted({(k[1], k[2], k[3]) for k in med if k[0] in (JAVA, NATIVE)},
                   key=lambda c: (CELL_ORDER.get(c[0], 9), SHAPE_ORDER.get(c[1], 9), c[2]))
    shape_of = {(r["cell"], r["shape"], r["mode"]): r for r in rows if r["cell"] != "sgemm"}

    out = []
    w = out.append
    w("# jrnn CPU benchmark: jrnn against libtorch, PyTorch and Deeplearning4j, side by side")
    w("")
    w("Generated by `scripts/bench` (bench/cpu/report.py) from run `%s` (%s mode)." % (
        meta.get("run_id", "?"), meta.get("mode", "?")))
    w("")
    w("## Machine, commit, versions, threads")
    w("")
    for k in ["date", "commit", "machine", "cpu_caches", "cpu_flags", "kernel", "compiler", "java", "jrnn",
              "jrnn_isa", "threads", "OPENBLAS_CORETYPE", "timing", "shapes"]:
        if k in meta:
            w("- **%s**: %s" % (k, meta[k]))
    for k in ["python", "threads_policy"]:
        if k in pmeta:
            w("- **peers %s**: %s" % (k, pmeta[k]))
    if peak:
        w("- **sgemm rate** (OpenBLAS 2048^3, 2 threads, `openblas-numpy`, OPENBLAS_CORETYPE as found): "
          "%.1f GFLOP/s" % peak)
    if avx512:
        w("- **AVX-512 sgemm rate** (same, OPENBLAS_CORETYPE unset in that command only, the `coretype` "
          "peer): %.1f GFLOP/s" % avx512)
    w("")
    w("## The table")
    w("")
    w("`jrnn` = the public Java API (`org.jrnn.bench.JrnnBench`: `Recurrent.forward`; training step = "
      "zero gradients + `forwardTrain` + MSE gradient + `backward` without the input gradient, as the peers' inputs need none + SGD update). `native` = the same "
      "work through the C API without a JVM (`native/bench/bench_rnn`); `Java ovh` = Java API / C API - 1, "
      "each the faster of its two processes (jrnn runs twice; a process draws a fast or slow mode from "
      "the machine at random), while the jrnn column is the first Java process, like each peer's single one. "
      "Times are medians in ms; `spread` = interquartile range / median and clean/all samples; `*` = "
      "fewer than %d clean samples (the machine was busy, the median uses all samples). tokens/s = "
      "N*T/time. GFLOP/s counts GEMM work only (forward 2*T*N*G*H*(C+H); train adds the weight gradients "
      "(as much again) and the recurrent gradient 2*T*N*G*H*H, no input gradient: 2.5x forward at C = H). `%% sgemm` / "
      "`%% AVX-512` = that rate over the sgemm rates above. Peer columns: the peer's median ms and "
      "(in parentheses) peer time / jrnn time, so > 1x means jrnn is faster. `vs best` = the fastest "
      "peer's time / jrnn's." % MIN_CLEAN)
    w("")
    head = ["cell", "shape", "pass", "jrnn ms", "spread", "tokens/s", "GFLOP/s", "% sgemm", "% AVX-512",
            "native ms", "Java ovh"] + [PEER_LABEL.get(p, p) for p in peers] + ["best peer", "vs best"]
    w("| " + " | ".join(head) + " |")
    w("|" + "---|" * 3 + "---:|" * (len(head) - 3))
    verdicts = []
    for (cell, shape, mode) in cases:
        r = shape_of[(cell, shape, mode)]
        main_peer = JAVA if (JAVA, cell, shape, mode) in med else NATIVE
        m, iqr, nu, na, nc, flag = stats[(main_peer, cell, shape, mode)]
        g = flops(r) / (m / 1e3) / 1e9
        tok = r["B"] * r["T"] / (m / 1e3)
        nat_key = best_process(med, NATIVE, cell, shape, mode)
        java_key = best_process(med, JAVA, cell, shape, mode)
        nat = med.get(nat_key)
        ovh = ("%+.1f%%" % (100 * (med[java_key] / nat - 1))
               if nat and java_key in med and main_peer == JAVA else "-")
        cells = [cell.upper() if cell != "rnn" else "RNN tanh", shape, mode,
                 ("%s%s" % (fmt(m), flag)) + ("" if main_peer == JAVA else " (native)"),
                 "%.0f%% (%d/%d)" % (100 * iqr / m, nc, na), "{:,.0f}".format(tok), "%.1f" % g,
                 "%.0f%%" % (100 * g / peak) if peak else "-",
                 "%.0f%%" % (100 * g / avx512) if avx512 else "-",
                 ("%s%s" % (fmt(nat), stats[nat_key][5])) if nat else "-", ovh]
        best = None
        for p in peers:
            v = med.get((p, cell, shape, mode))
            if v is None:
                cells.append("-")
                continue
            cells.append("%s%s (%.2fx)" % (fmt(v), stats[(p, cell, shape, mode)][5], v / m))
            if best is None or v < best[1]:
                best = (p, v)
        if best:
            cells += [PEER_LABEL.get(best[0], best[0]), "**%.2fx**" % (best[1] / m)]
        else:
            cells += ["-", "-"]
        w("| " + " | ".join(cells) + " |")
        verdicts.append(dict(cell=cell, shape=shape, mode=mode, ms=m, gflops=g, best=best,
                             native=nat, java_best=med.get(java_key), java=main_peer == JAVA,
                             djl=med.get(("djl-pytorch", cell, shape, mode))))
    w("")

    # ---------------------------------------------------------------- targets
    w("## The issue's targets, checked against this run")
    w("")
    w("| target | case | measured | status |")
    w("|---|---|---|---|")

    def row(target, case, measured, ok):
        w("| %s | %s | %s | %s |" % (target, case, measured, "met" if ok else "**not met**"))

    for v in verdicts:
        name = "%s %s %s" % (v["cell"].upper(), v["shape"], v["mode"])
        if v["mode"] == "train" and v["best"] and v["shape"] in ("S1", "S2", "S4"):
            need = 1.5 if v["shape"] == "S4" else 2.0
            x = v["best"][1] / v["ms"]
            row("train >= %.1fx best peer" % need, name, "%.2fx (best: %s %s ms)" % (
                x, PEER_LABEL.get(v["best"][0], v["best"][0]), fmt(v["best"][1])), x >= need)
    for v in verdicts:
        name = "%s %s %s" % (v["cell"].upper(), v["shape"], v["mode"])
        if v["mode"] == "fwd" and v["best"]:
            x = v["best"][1] / v["ms"]
            row("fwd >= best peer", name, "%.2fx (best: %s %s ms)" % (
                x, PEER_LABEL.get(v["best"][0], v["best"][0]), fmt(v["best"][1])), x >= 1.0)
    for v in verdicts:
        if v["cell"] == "lstm" and v["mode"] == "fwd" and v["shape"] in ("S1", "S2", "S4") and avx512:
            f = v["gflops"] / avx512
            row(">= 80% of AVX-512 sgemm", "LSTM %s fwd" % v["shape"], "%.0f%% (%.1f of %.1f GFLOP/s)" % (
                100 * f, v["gflops"], avx512), f >= 0.8)
    for v in verdicts:
        if v["shape"] == "S3" and v["djl"]:
            x = v["djl"] / v["ms"]
            row("S3 >= 2x libtorch", "%s S3 fwd" % v["cell"].upper(), "%.2fx (libtorch %s ms)" % (
                x, fmt(v["djl"])), x >= 2.0)
    for v in verdicts:
        if v["java"] and v["native"] and v["java_best"]:
            o = v["java_best"] / v["native"] - 1
            row("Java overhead <= 5%", "%s %s %s" % (v["cell"].upper(), v["shape"], v["mode"]),
                "%+.1f%%" % (100 * o), o <= 0.05)
    w("")
    fixed = [t.split("=", 1)[1].split()[0] for t in infos.get(JAVA, []) if t.startswith("fixed_cost_us=")]
    if fixed and verdicts:
        us = float(fixed[0])
        quickest = min(v["ms"] for v in verdicts)
        w("The Java API's fixed cost per call, measured directly (`Recurrent.forward` of one step, one "
          "sequence, one unit, native call included): **%.2f us**, %.2f%% of the quickest call in the table "
          "(%s ms). The process-vs-process comparison above also compares where the machine placed two "
          "processes: two runs of the same binary differ by up to 10-20%% on some cases (raw data: each "
          "process's medians)." % (us, 100 * us / 1e3 / quickest, fmt(quickest)))
        w("")

    # ---------------------------------------------------------------- contention, provenance
    w("## Contention during each process (other tenants' CPU use)")
    w("")
    w("| process | duration s | other cores mean | other cores p90 | quiet gate |")
    w("|---|---:|---:|---:|---|")
    for d in (run, os.path.join(run, "peers")):
        wins, samples = load_windows(d)
        for (name, a, b, q) in wins:
            other = [max(0.0, t - o) for (ts, t, o) in samples if a <= ts <= b]
            if other:
                so = sorted(other)
                w("| %s | %.0f | %.2f | %.2f | %s |" % (name, b - a, sum(other) / len(other),
                                                      so[min(len(so) - 1, int(0.9 * len(so)))], q))
            else:
                w("| %s | %.0f | n/a | n/a | %s |" % (name, b - a, q))
    w("")
    w("## Versions and settings as each process reported them")
    w("")
    for p in sorted(infos):
        w("- **%s**" % p)
        for t in infos[p]:
            if t.startswith("nd4j.env=") or t.startswith("config "):
                continue
            w("  - %s" % t)
    w("")
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
