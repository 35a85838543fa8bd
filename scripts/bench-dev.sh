#!/usr/bin/env bash
# scripts/bench-dev.sh — quick development timings of the C API (native/bench/bench_rnn), one
# compact line per case, for comparing kernel changes (bench/cpu/NOTES.md). Not the official
# numbers: those come from scripts/bench.
#   scripts/bench-dev.sh [bench_rnn flags...]          e.g. --threads 1 --shapes S1 --cells lstm
# Env: BENCH_BIN (default build/native-bench/native/bench/bench_rnn), DEV_CPU_CLOCK=1 (time by
#      process CPU time: with --threads 1 this stays meaningful while other tenants are busy),
#      JRNN_CPU_ISA, BENCH_* sampling knobs (defaults here: short).
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN=${BENCH_BIN:-$ROOT/build/native-bench/native/bench/bench_rnn}
export BENCH_REPS=${BENCH_REPS:-3} BENCH_MIN_SEC=${BENCH_MIN_SEC:-0.3} BENCH_MAX_SEC=${BENCH_MAX_SEC:-3}
export BENCH_WARMUP=${BENCH_WARMUP:-1} BENCH_WARMUP_SEC=${BENCH_WARMUP_SEC:-0.2}
if [ "${DEV_CPU_CLOCK:-0}" = 1 ]; then export BENCH_CLOCK=cpu BENCH_CLEAN_CORES=99; fi
"$BIN" "$@" 2>/dev/null | /usr/bin/python3 -c '
import sys, statistics
G = {"lstm": 4, "gru": 3, "rnn": 1}
for line in sys.stdin:
    p = line.rstrip("\n").split("\t")
    if p[0] != "RESULT":
        continue
    ms = [float(x) for x in p[9].split(",")]
    other = [float(x) for x in p[10].split(",")]
    med = statistics.median(ms)
    N, T, C, H = (int(x) for x in p[5:9])
    # as bench/cpu/report.py: a training step has no input gradient, 2*T*N*G*H*(2C+3H)
    fl = 2.0 * T * N * G[p[2]] * H * ((2 * C + 3 * H) if p[4] == "train" else (C + H))
    print("%-5s %-3s %-5s %9.3f ms  min %9.3f  %6.1f GFLOP/s  others %.2f cores" % (
        p[2], p[3], p[4], med, min(ms), fl / med / 1e6, statistics.mean(other)), flush=True)
'
