#!/usr/bin/env bash
# gpu-check.sh — the one script a lent GPU machine (H100/H200: nvcc, CMake, PyTorch with cuDNN, no
# network, probably no JDK) runs on a copy of this working tree. Stages, each time-boxed, each
# failure reported while later stages still run where they can:
#   build      configure + build libjrnn with CUDA (sm_90 + PTX) and the native tests (Release)
#   test_cuda  the CUDA tests: the CPU tests' cases, larger shapes, ops, TF32, PyTorch's values
#              (native/tests/test_cuda.cc, test_cuda_torch_parity.cc)
#   bench      scripts/gpu_bench.py: jrnn vs cuDNN (PyTorch) on the same weights, fp32 and TF32,
#              table to bench/gpu/<card>-<date>.md
#   ctest      every other native test (CPU path, test_cuda_host) on this machine
#   workshop   native/cuda-dev: each kernel's versions validated and timed (built with the rest)
#   sanitizer  compute-sanitizer memcheck on a quick test_cuda run (where the runtime allows it)
# Everything lands in $OUT (the device tool's folder; default build/gpu-check): summary.txt,
# build.log, test_cuda.log, bench.log, the bench table, ctest.log, workshop.log, sanitizer.log.
#
# BLAS for the CPU path: a carried build/openblas (scripts/fetch-openblas.sh's folder, 41 MB) is
# used when present; otherwise the CPU path builds against the plain-loop fallback
# (-DJRNN_BLAS=OFF): correct and slow, enough for the CPU-side tests. The GPU path never uses it.
#
# Usage (device tool):  run  command="bash scripts/gpu-check.sh"  timeout_s=560
#                       (optionally carry=["build/openblas"]); locally: scripts/gpu-check.sh
# Env: GPU_CHECK_BUDGET (seconds for all stages, default 450), GPU_CHECK_STAGES (default
#      "build test_cuda bench ctest workshop sanitizer"), GPU_CHECK_BENCH_ARGS (extra arguments
#      for gpu_bench.py, e.g. "--quick").
set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
OUTDIR=${OUT:-$ROOT/build/gpu-check}
mkdir -p "$OUTDIR"
BUILD=$ROOT/build/gpu
START=$(date +%s)
DEADLINE=$((START + ${GPU_CHECK_BUDGET:-450}))
STAGES=${GPU_CHECK_STAGES:-"build test_cuda bench ctest workshop sanitizer"}
JOBS=$(nproc 2>/dev/null || echo 8)
SUMMARY=$OUTDIR/summary.txt
: >"$SUMMARY"
FAILED=0
export PYTHONUNBUFFERED=1

note() { echo "gpu-check: $*" | tee -a "$SUMMARY"; }
wanted() { case " $STAGES " in *" $1 "*) return 0 ;; esac; return 1; }

# stage NAME MIN_SECONDS MAX_SECONDS LOG 'SHELL COMMAND': runs the command with bash under
# `timeout` (at most MAX_SECONDS, at most what is left of the budget), output appended to LOG,
# its tail echoed on failure.
stage() {
  local name=$1 min=$2 max=$3 log=$4 cmd=$5
  if ! wanted "$name"; then return 0; fi
  local now left limit t0 rc
  now=$(date +%s)
  left=$((DEADLINE - now))
  if [ "$left" -lt "$min" ]; then
    note "$(printf '%-10s SKIPPED (%ds left, needs %ds)' "$name" "$left" "$min")"
    return 0
  fi
  limit=$((left < max ? left : max))
  echo "=== $name (limit ${limit}s): $cmd" >>"$log"
  t0=$(date +%s)
  timeout --kill-after=10 "$limit" bash -c "$cmd" >>"$log" 2>&1
  rc=$?
  local took=$(($(date +%s) - t0))
  if [ $rc -eq 0 ]; then
    note "$(printf '%-10s ok      %4ds' "$name" "$took")"
  else
    FAILED=1
    if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
      note "$(printf '%-10s TIMEOUT %4ds (limit %ds)  log: %s' "$name" "$took" "$limit" "$(basename "$log")")"
    else
      note "$(printf '%-10s FAILED  %4ds (exit %d)  log: %s' "$name" "$took" "$rc" "$(basename "$log")")"
    fi
    tail -n 25 "$log" | sed 's/^/    | /'
  fi
  return $rc
}

# ---- machine
{
  echo "=== machine"
  nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.sm,clocks.max.sm --format=csv 2>&1
  nvcc --version 2>&1 | tail -2
  cmake --version 2>&1 | head -1
  python3 -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda, "cudnn", torch.backends.cudnn.version(), "gpu", torch.cuda.is_available() and torch.cuda.get_device_name(0))' 2>&1
  echo "cores: $JOBS"
} >"$OUTDIR/build.log" 2>&1
grep -E "NVIDIA|torch|release" "$OUTDIR/build.log" | sed 's/^/gpu-check: /' | tee -a "$SUMMARY"

# ---- build
BLAS_ARGS="-DJRNN_BLAS=OFF"
if [ -f "$ROOT/build/openblas/include/cblas.h" ]; then
  BLAS_ARGS="-DJRNN_BLAS=ON -DJRNN_OPENBLAS_DIR=$ROOT/build/openblas"
  note "CPU path: carried OpenBLAS in build/openblas"
else
  note "CPU path: plain-loop fallback sgemm (no build/openblas carried)"
fi
GEN="Unix Makefiles"
if command -v ninja >/dev/null 2>&1; then GEN=Ninja; fi
if [ -f "$BUILD/CMakeCache.txt" ] && ! grep -qx "CMAKE_GENERATOR:INTERNAL=$GEN" "$BUILD/CMakeCache.txt"; then
  rm -rf "$BUILD"  # a carried build folder made with another generator
fi
stage build 60 300 "$OUTDIR/build.log" \
  "cmake -S '$ROOT' -B '$BUILD' -G '$GEN' -DCMAKE_BUILD_TYPE=Release -DJRNN_CUDA=ON \
     -DJRNN_BUILD_TESTS=ON -DJRNN_BUILD_CUDA_DEV=ON $BLAS_ARGS && cmake --build '$BUILD' -j $JOBS"

# ---- tests on the GPU
if [ -x "$BUILD/native/tests/test_cuda" ]; then
  stage test_cuda 20 200 "$OUTDIR/test_cuda.log" \
    "'$BUILD/native/tests/test_cuda'; a=\$?; '$BUILD/native/tests/test_cuda_torch_parity'; b=\$?; exit \$((a | b))"
  grep -E "^test_cuda" "$OUTDIR/test_cuda.log" | tail -9 | sed 's/^/    /' | tee -a "$SUMMARY"
else
  wanted test_cuda && { note "test_cuda  not built"; FAILED=1; }
fi

# ---- jrnn vs cuDNN
if [ -f "$BUILD/libjrnn.so" ]; then
  left=$((DEADLINE - $(date +%s)))
  bench_budget=$((left > 200 ? left - 140 : left / 2))  # leave time for the later stages
  stage bench 40 300 "$OUTDIR/bench.log" \
    "python3 '$ROOT/scripts/gpu_bench.py' --lib '$BUILD/libjrnn.so' --budget $bench_budget ${GPU_CHECK_BENCH_ARGS:-}"
  table=$(grep -o "wrote .*\.md" "$OUTDIR/bench.log" | tail -1 | cut -c7-)
  if [ -n "$table" ] && [ -f "$table" ]; then
    cp "$table" "$OUTDIR/$(basename "$table")"
    cat "$table" | tee -a "$SUMMARY"
  fi
else
  wanted bench && { note "bench      no libjrnn.so"; FAILED=1; }
fi

# ---- the other native tests
if [ -f "$BUILD/CTestTestfile.cmake" ] || [ -d "$BUILD/native/tests" ]; then
  stage ctest 20 90 "$OUTDIR/ctest.log" \
    "cd '$BUILD' && ctest --output-on-failure -E '^test_cuda(_torch_parity)?\$' -j 4"
  grep -E "tests passed|tests failed" "$OUTDIR/ctest.log" | sed 's/^/    /' | tee -a "$SUMMARY"
fi

# ---- kernel workshop
# (built by the build stage: -DJRNN_BUILD_CUDA_DEV=ON; `make -C native/cuda-dev run` also works)
stage workshop 30 120 "$OUTDIR/workshop.log" \
  "'$BUILD/native/cuda-dev/gemm' && '$BUILD/native/cuda-dev/lstm_step'"
grep -E "^(gemm|lstm)[a-z_]*:" "$OUTDIR/workshop.log" 2>/dev/null | tail -30 | sed 's/^/    /' | tee -a "$SUMMARY"

# ---- memory checker on a quick run
if command -v compute-sanitizer >/dev/null 2>&1 && [ -x "$BUILD/native/tests/test_cuda" ]; then
  failed_before=$FAILED
  stage sanitizer 45 240 "$OUTDIR/sanitizer.log" \
    "JRNN_TEST_QUICK=1 compute-sanitizer --tool memcheck --leak-check no --error-exitcode 3 '$BUILD/native/tests/test_cuda'"
  grep -E "ERROR SUMMARY|test_cuda:" "$OUTDIR/sanitizer.log" | tail -3 | sed 's/^/    /' | tee -a "$SUMMARY"
  found=$(grep -cE "^========= (Invalid|Program hit|Race|Uninitialized|Barrier|Out-of-range)" "$OUTDIR/sanitizer.log" 2>/dev/null)
  if grep -qE "Device not supported|LibraryNotLoaded|Unable to find injection" "$OUTDIR/sanitizer.log"; then
    FAILED=$failed_before
    note "sanitizer  unavailable on this machine's runtime (not counted as a failure)"
  elif ! grep -q "ERROR SUMMARY" "$OUTDIR/sanitizer.log" && [ "${found:-0}" -eq 0 ]; then
    FAILED=$failed_before  # cut by the time box before the end, nothing found so far
    note "sanitizer  incomplete (time box), no memcheck errors found before the cut"
  fi
else
  wanted sanitizer && note "sanitizer  compute-sanitizer not found: skipped"
fi

note "total $(($(date +%s) - START))s; $([ $FAILED -eq 0 ] && echo 'all stages passed' || echo 'SOME STAGES FAILED')"
exit $FAILED
