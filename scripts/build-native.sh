#!/usr/bin/env bash
# Builds libjrnn.so (Release) and installs lib/libjrnn.so + include/jrnn/jrnn.h into INSTALL_DIR.
#   scripts/build-native.sh [INSTALL_DIR]     # default build/install; Maven passes target/native
# Env: JRNN_BUILD_DIR (default build/native), JRNN_CUDA=AUTO|ON|OFF (OFF forces the CUDA stub),
#      JRNN_OPENBLAS_DIR (default: what scripts/fetch-openblas.sh prints), JRNN_JOBS (default 2).
# Idempotent and quick when nothing changed (CMake and make only redo what is out of date).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
INSTALL_DIR=${1:-$ROOT/build/install}
case "$INSTALL_DIR" in /*) ;; *) INSTALL_DIR=$PWD/$INSTALL_DIR ;; esac
BUILD_DIR=${JRNN_BUILD_DIR:-$ROOT/build/native}
JOBS=${JRNN_JOBS:-2}
CUDA_MODE=${JRNN_CUDA:-AUTO}

die() { echo "build-native: ERROR: $*" >&2; exit 1; }
command -v cmake >/dev/null || die "cmake is not installed (apt-get install cmake)"
command -v g++ >/dev/null || die "g++ is not installed (apt-get install g++)"

OPENBLAS_DIR=${JRNN_OPENBLAS_DIR:-}
if [ -z "$OPENBLAS_DIR" ]; then
  OPENBLAS_DIR=$("$ROOT/scripts/fetch-openblas.sh") || die "scripts/fetch-openblas.sh failed (see above)"
fi
[ -f "$OPENBLAS_DIR/include/cblas.h" ] || die "no OpenBLAS headers in $OPENBLAS_DIR"

# Configure only when needed: a fresh build dir, or options that differ from the cache.
cache="$BUILD_DIR/CMakeCache.txt"
want="CMAKE_INSTALL_PREFIX:PATH=$INSTALL_DIR|JRNN_CUDA:STRING=$CUDA_MODE|JRNN_OPENBLAS_DIR:PATH=$OPENBLAS_DIR"  # sorted
have=""
if [ -f "$cache" ]; then
  have=$(grep -E '^(JRNN_CUDA:STRING|JRNN_OPENBLAS_DIR:PATH|CMAKE_INSTALL_PREFIX:PATH)=' "$cache" | sort | paste -sd'|' || true)
fi
if [ ! -f "$cache" ] || [ "$have" != "$want" ]; then
  cmake -S "$ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release -DJRNN_BUILD_TESTS=OFF \
    -DJRNN_CUDA="$CUDA_MODE" -DJRNN_OPENBLAS_DIR="$OPENBLAS_DIR" \
    -DCMAKE_INSTALL_PREFIX="$INSTALL_DIR" >"$BUILD_DIR.configure.log" 2>&1 \
    || { cat "$BUILD_DIR.configure.log" >&2; die "CMake configure failed (log: $BUILD_DIR.configure.log)"; }
  grep -E '^-- jrnn:' "$BUILD_DIR.configure.log" || true
fi
cmake --build "$BUILD_DIR" --target jrnn -j "$JOBS" || die "compiling libjrnn failed (see the errors above)"
cmake --install "$BUILD_DIR" --prefix "$INSTALL_DIR" >/dev/null || die "installing into $INSTALL_DIR failed"
echo "build-native: $INSTALL_DIR/lib/libjrnn.so"
