#!/usr/bin/env bash
# scripts/prereqs.sh — installs (Debian apt) what jrnn's scripts need and this machine lacks.
#   scripts/prereqs.sh          # build and tests: cmake, g++, Maven, JDK 17, unzip, PyTorch and
#                               # numpy (the reference oracle), Jupyter (the notebook tests),
#                               # clang-format (the C++ format check)
#   scripts/prereqs.sh bench    # also what the peer harness (../shared/peers) runs with
#   scripts/prereqs.sh build    # only what building the jar needs (scripts/jrnn on a fresh machine)
#   scripts/prereqs.sh arm64    # also the linux-arm64 cross build and its tests: Debian's cross
#                               # compiler (g++-aarch64-linux-gnu), user-mode QEMU (qemu-user) and
#                               # Debian's arm64 Java 17 (multiarch: adds arm64 to dpkg) for
#                               # scripts/test-arm64-jvm.sh
#   scripts/prereqs.sh build arm64   # the build's part and the arm64 toolchain and QEMU
#                                    # (scripts/build-native.sh with JRNN_ARCH=arm64,
#                                    # scripts/test-native-arm64.sh)
# Called by scripts/test.sh, scripts/bench and scripts/jrnn; a no-op when everything is there.
set -euo pipefail
MODE=all
ARM64=0
for arg in "$@"; do
  case "$arg" in
    build | bench) MODE=$arg ;;
    arm64) ARM64=1 ;;
    *) echo "prereqs: unknown argument '$arg' (build, bench, arm64)" >&2; exit 2 ;;
  esac
done
need=()
command -v cmake >/dev/null || need+=(cmake)
command -v g++ >/dev/null || need+=(g++)
command -v mvn >/dev/null || need+=(maven)
command -v javac >/dev/null || need+=(openjdk-17-jdk-headless)
command -v unzip >/dev/null || need+=(unzip)
command -v objdump >/dev/null || need+=(binutils)
if [ "$MODE" != build ]; then
  /usr/bin/python3 -c 'import torch, numpy' 2>/dev/null || need+=(python3-torch python3-numpy)
  # the notebook tests execute notebooks/ through a Java kernel with Debian's Jupyter (no pip)
  command -v jupyter-nbconvert >/dev/null || need+=(jupyter-nbconvert jupyter-client)
  # the C++ formatter the tests check native/ with (scripts/check-format.sh)
  command -v clang-format >/dev/null || need+=(clang-format)
fi
if [ "$MODE" = bench ]; then
  /usr/bin/python3 -c 'import threadpoolctl' 2>/dev/null || need+=(python3-threadpoolctl)
  # Debian's numpy and PyTorch call whatever libblas.so.3 is: with only the reference BLAS
  # (what a fresh image pulls in with python3-numpy) they run ~25x slower than with OpenBLAS,
  # and the peers' numbers would be meaningless (seen on 2026-11-27: sgemm at 7 GFLOP/s).
  dpkg -s libopenblas0-pthread >/dev/null 2>&1 || need+=(libopenblas0-pthread)
fi
SUDO=""
if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null; then SUDO=sudo; fi
if [ "$ARM64" = 1 ]; then
  command -v aarch64-linux-gnu-g++ >/dev/null || need+=(g++-aarch64-linux-gnu)
  # the native tests run under qemu-aarch64 (scripts/test-native-arm64.sh)
  command -v qemu-aarch64 >/dev/null || need+=(qemu-user)
  # the arm64 JVM that scripts/test-arm64-jvm.sh runs under qemu (with its arm64 libc and the
  # loader that `qemu-aarch64 -L /` finds); the amd64 JDK keeps the higher alternatives priority
  if [ "$MODE" != build ] && [ ! -x /usr/lib/jvm/java-17-openjdk-arm64/bin/java ]; then
    need+=(openjdk-17-jre-headless:arm64)
    if ! dpkg --print-foreign-architectures | grep -qx arm64; then
      echo "[prereqs] adding the arm64 architecture to dpkg (multiarch)" >&2
      $SUDO dpkg --add-architecture arm64
    fi
  fi
fi
if [ ${#need[@]} -gt 0 ]; then
  echo "[prereqs] installing ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq -o DPkg::Lock::Timeout=600
  $SUDO apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=600 "${need[@]}"
fi
