#!/usr/bin/env bash
# Builds the native core and its tests (RelWithDebInfo, build dir build/native-test) and runs them
# with ctest. No GPU needed: CUDA tests print "skipped" without a device.
#   scripts/test-native.sh              # the tests
#   scripts/test-native.sh --sanitize   # the same under ASan + UBSan (build/native-test-sanitize)
#   scripts/test-native.sh -R gradcheck # extra arguments go to ctest
# Under --sanitize: ASAN_OPTIONS defaults to detect_leaks=1:protect_shadow_gap=0 (the CUDA driver
# cannot map device memory while ASan protects its shadow gap; without it cudaGetDeviceCount fails
# on GPU machines). If OpenBLAS's thread pool is reported as leaking on some machine, run with
# ASAN_OPTIONS=detect_leaks=0:protect_shadow_gap=0.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SANITIZE=OFF
BUILD_DIR=${JRNN_TEST_BUILD_DIR:-$ROOT/build/native-test}
if [ "${1:-}" = "--sanitize" ]; then
  SANITIZE=ON
  BUILD_DIR=${JRNN_TEST_BUILD_DIR:-$ROOT/build/native-test-sanitize}
  shift
fi
die() { echo "test-native: ERROR: $*" >&2; exit 1; }
OPENBLAS_DIR=${JRNN_OPENBLAS_DIR:-$("$ROOT/scripts/fetch-openblas.sh")} || die "scripts/fetch-openblas.sh failed"
if [ ! -f "$BUILD_DIR/CMakeCache.txt" ]; then
  cmake -S "$ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DJRNN_BUILD_TESTS=ON \
    -DJRNN_SANITIZE=$SANITIZE -DJRNN_CUDA="${JRNN_CUDA:-AUTO}" -DJRNN_OPENBLAS_DIR="$OPENBLAS_DIR" \
    || die "CMake configure failed"
fi
cmake --build "$BUILD_DIR" -j "${JRNN_JOBS:-2}" || die "build failed"
if [ "$SANITIZE" = ON ]; then
  export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:protect_shadow_gap=0}
  export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
fi
cd "$BUILD_DIR"
ctest --output-on-failure "$@"
