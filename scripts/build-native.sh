#!/usr/bin/env bash
# Builds libjrnn.so (Release) and installs lib/libjrnn.so + include/jrnn/jrnn.h into INSTALL_DIR.
#   scripts/build-native.sh [INSTALL_DIR]     # default build/install; Maven passes target/native
#   JRNN_ARCH=arm64 scripts/build-native.sh   # linux-arm64 into build/install-linux-arm64
# Env: JRNN_BUILD_DIR (default build/native), JRNN_CUDA=AUTO|ON|OFF (OFF forces the CUDA stub),
#      JRNN_OPENBLAS_DIR (default: what scripts/fetch-openblas.sh prints), JRNN_JOBS (default 2),
#      JRNN_ARCH=x86_64|arm64 (default: this machine's). arm64 on an x86-64 machine cross-compiles
#      with Debian's g++-aarch64-linux-gnu (installed here through scripts/prereqs.sh build arm64)
#      and native/cmake/aarch64-linux-gnu.cmake, CUDA off, against the linux-arm64 OpenBLAS
#      (scripts/fetch-openblas.sh linux-arm64); its defaults are build/native-linux-arm64 (build)
#      and build/install-linux-arm64 (lib/libjrnn.so, include/jrnn/jrnn.h).
# Idempotent and quick when nothing changed (CMake and make only redo what is out of date).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
die() { echo "build-native: ERROR: $*" >&2; exit 1; }

case "$(uname -m)" in aarch64 | arm64) HOST_ARCH=arm64 ;; *) HOST_ARCH=x86_64 ;; esac
case "${JRNN_ARCH:-$HOST_ARCH}" in
  x86_64 | amd64) ARCH=x86_64 ;;
  arm64 | aarch64) ARCH=arm64 ;;
  *) die "JRNN_ARCH=${JRNN_ARCH} is not x86_64 or arm64" ;;
esac
CROSS_ARGS=()
if [ "$ARCH" = x86_64 ]; then
  INSTALL_DIR=${1:-$ROOT/build/install}
  BUILD_DIR=${JRNN_BUILD_DIR:-$ROOT/build/native}
  [ "$HOST_ARCH" = x86_64 ] || die "building for x86_64 on $(uname -m) is not supported"
else
  INSTALL_DIR=${1:-$ROOT/build/install-linux-arm64}
  BUILD_DIR=${JRNN_BUILD_DIR:-$ROOT/build/native-linux-arm64}
  if [ "$HOST_ARCH" != arm64 ]; then
    [ "${JRNN_CUDA:-OFF}" != ON ] || die "JRNN_CUDA=ON: the linux-arm64 cross build has no CUDA"
    JRNN_CUDA=OFF
    command -v aarch64-linux-gnu-g++ >/dev/null || "$ROOT/scripts/prereqs.sh" build arm64 >&2
    CROSS_ARGS=(-DCMAKE_TOOLCHAIN_FILE="$ROOT/native/cmake/aarch64-linux-gnu.cmake")
  fi
fi
case "$INSTALL_DIR" in /*) ;; *) INSTALL_DIR=$PWD/$INSTALL_DIR ;; esac
JOBS=${JRNN_JOBS:-2}
CUDA_MODE=${JRNN_CUDA:-AUTO}

command -v cmake >/dev/null || die "cmake is not installed (apt-get install cmake)"
if [ ${#CROSS_ARGS[@]} -gt 0 ]; then
  command -v aarch64-linux-gnu-g++ >/dev/null || die "no aarch64-linux-gnu-g++ (scripts/prereqs.sh build arm64)"
else
  command -v g++ >/dev/null || die "g++ is not installed (apt-get install g++)"
fi

OPENBLAS_DIR=${JRNN_OPENBLAS_DIR:-}
if [ -z "$OPENBLAS_DIR" ]; then
  OPENBLAS_DIR=$("$ROOT/scripts/fetch-openblas.sh" "linux-$ARCH") || die "scripts/fetch-openblas.sh failed (see above)"
fi
[ -f "$OPENBLAS_DIR/include/cblas.h" ] || die "no OpenBLAS headers in $OPENBLAS_DIR"

# Configure only when needed: a fresh build dir, or options that differ from the cache.
mkdir -p "$(dirname "$BUILD_DIR")"
cache="$BUILD_DIR/CMakeCache.txt"
want="CMAKE_INSTALL_PREFIX:PATH=$INSTALL_DIR|JRNN_CUDA:STRING=$CUDA_MODE|JRNN_OPENBLAS_DIR:PATH=$OPENBLAS_DIR"  # sorted
have=""
if [ -f "$cache" ]; then
  have=$(grep -E '^(JRNN_CUDA:STRING|JRNN_OPENBLAS_DIR:PATH|CMAKE_INSTALL_PREFIX:PATH)=' "$cache" | sort | paste -sd'|' || true)
  # a build dir configured for the other architecture (cross or not) starts over
  cross_cache=0; grep -q '^CMAKE_TOOLCHAIN_FILE:' "$cache" && cross_cache=1
  if [ "$cross_cache" != "$((${#CROSS_ARGS[@]} > 0))" ]; then rm -rf "$BUILD_DIR"; have=""; fi
fi
if [ ! -f "$cache" ] || [ "$have" != "$want" ]; then
  cmake -S "$ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release -DJRNN_BUILD_TESTS=OFF \
    "${CROSS_ARGS[@]}" -DJRNN_CUDA="$CUDA_MODE" -DJRNN_OPENBLAS_DIR="$OPENBLAS_DIR" \
    -DCMAKE_INSTALL_PREFIX="$INSTALL_DIR" >"$BUILD_DIR.configure.log" 2>&1 \
    || { cat "$BUILD_DIR.configure.log" >&2; die "CMake configure failed (log: $BUILD_DIR.configure.log)"; }
  grep -E '^-- jrnn:' "$BUILD_DIR.configure.log" || true
fi
cmake --build "$BUILD_DIR" --target jrnn -j "$JOBS" || die "compiling libjrnn failed (see the errors above)"
cmake --install "$BUILD_DIR" --prefix "$INSTALL_DIR" >/dev/null || die "installing into $INSTALL_DIR failed"
echo "build-native: $INSTALL_DIR/lib/libjrnn.so"
