#!/usr/bin/env bash
# Builds the native tests with ThreadSanitizer (build/native-tsan, -DJRNN_SANITIZE_THREAD=ON) and
# runs those that drive jrnn's threaded CPU code: the worker pool (cpu/threads.cc) with 1-3
# threads per context and several contexts at once, and the block cache (cpu/host_memory.cc):
#   test_cpu_threads  four threads with their own 2- and 3-thread contexts (overlapping regions)
#                     plus two threads sharing one block cache; results bit-identical to 1 thread
#   test_cpu_isa      every kernel variant on 1-, 2- and 3-thread contexts; a forked child's pool
#   test_cpu_vs_ref   2-thread contexts (and OpenBLAS threads) against the reference
#   test_api          the block cache through the C API, last-error per thread
#   test_cpu_gemm     (with --full: 3 min more) the blocked GEMM on 1, 2 and 3 threads
#   scripts/test-tsan.sh            # about 2 min once built (first build: about 4 min on 2 cores)
#   scripts/test-tsan.sh --full     # also test_cpu_gemm
# Fails on any ThreadSanitizer report. native/tests/tsan.supp suppresses OpenBLAS internals only
# (why: see that file); TSAN_OPTIONS adds to the defaults below. die_after_fork=0: test_cpu_isa
# checks that a forked child starts its own pool, which TSan refuses by default after a fork of a
# multi-threaded process. The tests run with ASLR off (setarch -R): GCC 12's TSan cannot map its
# shadow memory on kernels with more random mmap bits.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${JRNN_TSAN_BUILD_DIR:-$ROOT/build/native-tsan}
TESTS=(test_cpu_threads test_cpu_isa test_cpu_vs_ref test_api)
if [ "${1:-}" = "--full" ]; then TESTS+=(test_cpu_gemm); shift; fi
die() { echo "test-tsan: FAILED: $*" >&2; exit 1; }

OPENBLAS_DIR=${JRNN_OPENBLAS_DIR:-$("$ROOT/scripts/fetch-openblas.sh")} || die "scripts/fetch-openblas.sh failed"
if [ ! -f "$BUILD_DIR/CMakeCache.txt" ]; then
  cmake -S "$ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DJRNN_BUILD_TESTS=ON \
    -DJRNN_SANITIZE_THREAD=ON -DJRNN_CUDA=OFF -DJRNN_OPENBLAS_DIR="$OPENBLAS_DIR" \
    || die "CMake configure failed"
fi
cmake --build "$BUILD_DIR" --target "${TESTS[@]}" -j "${JRNN_JOBS:-2}" || die "build failed"

export TSAN_OPTIONS="suppressions=$ROOT/native/tests/tsan.supp print_suppressions=1 die_after_fork=0 ${TSAN_OPTIONS:-}"
NO_ASLR=()
if command -v setarch >/dev/null && setarch "$(uname -m)" -R true 2>/dev/null; then
  NO_ASLR=(setarch "$(uname -m)" -R)
fi
regex="^($(IFS='|'; echo "${TESTS[*]}"))\$"
cd "$BUILD_DIR"
# ctest fails a test on TSan's exit status (66 after any report).
"${NO_ASLR[@]}" ctest --output-on-failure --timeout 900 -R "$regex" "$@" || die "a test failed or TSan reported a race (see above)"
echo "test-tsan: OK (${TESTS[*]}: no ThreadSanitizer report)"
