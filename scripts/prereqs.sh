#!/usr/bin/env bash
# scripts/prereqs.sh — installs (Debian apt) what jrnn's scripts need and this machine lacks.
#   scripts/prereqs.sh          # build and tests: cmake, g++, Maven, JDK 17, unzip, PyTorch and
#                               # numpy (the reference oracle), Jupyter (the notebook tests),
#                               # clang-format (the C++ format check)
#   scripts/prereqs.sh bench    # also what the peer harness (../shared/peers) runs with
#   scripts/prereqs.sh build    # only what building the jar needs (scripts/jrnn on a fresh machine)
#   scripts/prereqs.sh arm64    # also linux-arm64 on this x86_64 machine: the cross compiler, qemu
#                               # (user mode) and Debian's arm64 Java 17 (multiarch: adds the arm64
#                               # architecture to dpkg), for mvn -Djrnn.arm64 and
#                               # scripts/test-arm64-jvm.sh
# Called by scripts/test.sh, scripts/bench and scripts/jrnn; a no-op when everything is there.
set -euo pipefail
need=()
command -v cmake >/dev/null || need+=(cmake)
command -v g++ >/dev/null || need+=(g++)
command -v mvn >/dev/null || need+=(maven)
command -v javac >/dev/null || need+=(openjdk-17-jdk-headless)
command -v unzip >/dev/null || need+=(unzip)
command -v objdump >/dev/null || need+=(binutils)
if [ "${1:-}" != build ]; then
  /usr/bin/python3 -c 'import torch, numpy' 2>/dev/null || need+=(python3-torch python3-numpy)
  # the notebook tests execute notebooks/ through a Java kernel with Debian's Jupyter (no pip)
  command -v jupyter-nbconvert >/dev/null || need+=(jupyter-nbconvert jupyter-client)
  # the C++ formatter the tests check native/ with (scripts/check-format.sh)
  command -v clang-format >/dev/null || need+=(clang-format)
fi
if [ "${1:-}" = bench ]; then
  /usr/bin/python3 -c 'import threadpoolctl' 2>/dev/null || need+=(python3-threadpoolctl)
  # Debian's numpy and PyTorch call whatever libblas.so.3 is: with only the reference BLAS
  # (what a fresh image pulls in with python3-numpy) they run ~25x slower than with OpenBLAS,
  # and the peers' numbers would be meaningless (seen on 2026-11-27: sgemm at 7 GFLOP/s).
  dpkg -s libopenblas0-pthread >/dev/null 2>&1 || need+=(libopenblas0-pthread)
fi
SUDO=""
if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null; then SUDO=sudo; fi
if [ "${1:-}" = arm64 ]; then
  command -v aarch64-linux-gnu-g++ >/dev/null || need+=(g++-aarch64-linux-gnu)
  command -v qemu-aarch64 >/dev/null || need+=(qemu-user)
  # the arm64 JVM the smoke test runs under qemu (with its arm64 libc, the dynamic loader that
  # `qemu-aarch64 -L /` finds, and libstdc++); the amd64 JDK keeps the higher alternatives priority
  if [ ! -x /usr/lib/jvm/java-17-openjdk-arm64/bin/java ]; then
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
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=600 "${need[@]}"
fi
