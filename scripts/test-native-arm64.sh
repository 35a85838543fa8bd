#!/usr/bin/env bash
# scripts/test-native-arm64.sh — the native tests for linux-arm64, on this x86-64 machine: cross-
# compiles libjrnn and the tests (native/cmake/aarch64-linux-gnu.cmake, Release as shipped, CUDA
# off, build dir build/native-test-linux-arm64, OpenBLAS from scripts/fetch-openblas.sh
# linux-arm64) and runs them with ctest, every test executable under user-mode QEMU
# (qemu-aarch64; the toolchain file sets CMAKE_CROSSCOMPILING_EMULATOR). Installs the cross
# compiler and QEMU when missing (scripts/prereqs.sh build arm64).
#   scripts/test-native-arm64.sh          # the CPU tests (ctest -LE cuda: the reference gradient
#                                         # checks, CPU vs reference, the PyTorch fixtures, ops,
#                                         # API, threads, the shared library from C): what
#                                         # scripts/test.sh runs; ~1.5 min on 2 cores, build included
#   scripts/test-native-arm64.sh --full   # also the CUDA backend's tests (its logic emulated on
#                                         # the CPU: test_cuda_host, ~45 s more under QEMU; the
#                                         # GPU ones skip); JRNN_ARM64_TESTS=full does the same
#   scripts/test-native-arm64.sh -R ops   # further arguments go to ctest
# Env: JRNN_JOBS (default 2), JRNN_TEST_BUILD_DIR.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${JRNN_TEST_BUILD_DIR:-$ROOT/build/native-test-linux-arm64}
FULL=0
[ "${JRNN_ARM64_TESTS:-}" = full ] && FULL=1
if [ "${1:-}" = --full ]; then FULL=1; shift; fi
die() { echo "test-native-arm64: ERROR: $*" >&2; exit 1; }

"$ROOT/scripts/prereqs.sh" build arm64
OPENBLAS_DIR=$("$ROOT/scripts/fetch-openblas.sh" linux-arm64) || die "scripts/fetch-openblas.sh linux-arm64 failed"
mkdir -p "$(dirname "$BUILD_DIR")"
if [ ! -f "$BUILD_DIR/CMakeCache.txt" ]; then
  cmake -S "$ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release -DJRNN_BUILD_TESTS=ON \
    -DCMAKE_TOOLCHAIN_FILE="$ROOT/native/cmake/aarch64-linux-gnu.cmake" -DJRNN_CUDA=OFF \
    -DJRNN_OPENBLAS_DIR="$OPENBLAS_DIR" >"$BUILD_DIR.configure.log" 2>&1 \
    || { cat "$BUILD_DIR.configure.log" >&2; die "CMake configure failed (log: $BUILD_DIR.configure.log)"; }
fi
# Never run aarch64 programs any other way (a binfmt handler could hide a missing emulator).
grep -q 'qemu-aarch64' "$BUILD_DIR/native/tests/CTestTestfile.cmake" \
  || die "the tests in $BUILD_DIR are not set to run under qemu-aarch64 (remove the folder and retry)"
if [ "$FULL" = 1 ]; then
  cmake --build "$BUILD_DIR" -j "${JRNN_JOBS:-2}" || die "build failed"
  cd "$BUILD_DIR" && ctest --output-on-failure "$@"
else
  cmake --build "$BUILD_DIR" --target jrnn_tests_cpu -j "${JRNN_JOBS:-2}" || die "build failed"
  cd "$BUILD_DIR" && ctest --output-on-failure -LE cuda "$@"
fi
