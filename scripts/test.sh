#!/usr/bin/env bash
# The one test command (README, .ci/run): installs what is missing, then builds everything from
# source and runs every native and Java test, then proves the packaged jar loads on its own.
#   scripts/test.sh              # all tests (CPU; CUDA tests run only where a GPU exists)
#   JRNN_SANITIZE=1 scripts/test.sh   # also the sanitizer runs (on by default in CI, CI=true): native
#                                     # tests under ASan+UBSan, the close race on an ASan libjrnn,
#                                     # the thread pool under TSan
#   JRNN_ARM64=0 scripts/test.sh      # without linux-arm64 (on by default: the cross-built natives
#                                     # native tests and jar, deployed with the x86_64 one, run under
#                                     # qemu: ctest and an arm64 JVM on every PyTorch fixture; about
#                                     # 3 minutes more)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
log() { echo "[test $(date -u +%H:%M:%S)] $*"; }

ARM64=${JRNN_ARM64:-1}
# ---- prerequisites (a fresh Debian machine of this project's kind has most of them)
if [ "$ARM64" = 1 ]; then scripts/prereqs.sh arm64; else scripts/prereqs.sh; fi

log "format (google-java-format, clang-format)"
scripts/check-format.sh

# ---- native tests (reference gradient checks, CPU kernels vs reference, API validation)
log "native tests"
scripts/test-native.sh
if [ "${JRNN_SANITIZE:-0}" = 1 ] || [ "${CI:-}" = true ]; then
  log "native tests under AddressSanitizer + UndefinedBehaviorSanitizer"
  scripts/test-native.sh --sanitize
fi
# linux-arm64: libjrnn and the CPU tests cross-compiled, run under qemu-aarch64 (~1-2 min; --full
# adds the CUDA host tests)
if [ "$ARM64" = 1 ]; then
  log "native tests for linux-arm64 under qemu-aarch64"
  scripts/test-native-arm64.sh
fi

# ---- Java: builds libjrnn + the JNI glue through Maven, runs all Java tests, packs the jar, then
#      (integration-test phase) loads the jar from an empty JavaCPP cache and executes the notebooks
MVN_ARM64=()
if [ "$ARM64" = 1 ]; then MVN_ARM64=(-Djrnn.arm64); fi
log "maven verify${MVN_ARM64:+ (and the linux-arm64 natives jar, cross-built)}"
mvn -B -ntp verify "${MVN_ARM64[@]}"
log "module graph: no package cycles, module edges point down"
scripts/check-packages.sh >/dev/null
log "a user's project: mvn deploy to a file repository, then a consumer build and run"
scripts/test-consumer.sh
if [ "$ARM64" = 1 ]; then
  log "linux-arm64: jrnn-platform's arm64 jar in an arm64 JVM under qemu, every PyTorch fixture"
  JRNN_ARM64_DEPLOY=0 scripts/test-arm64-jvm.sh   # the repository test-consumer.sh deployed
fi
if [ "${JRNN_SANITIZE:-0}" = 1 ] || [ "${CI:-}" = true ]; then
  # close() racing calls in a JVM on an ASan libjrnn with the block cache off; the thread pool and
  # block cache under ThreadSanitizer (the plain libjrnn Maven just built serves the JNI glue)
  log "close-while-calling race under AddressSanitizer"
  JRNN_MVN_ARGS="-Djrnn.skipNative=true" scripts/test-asan-race.sh
  log "native threaded code under ThreadSanitizer"
  scripts/test-tsan.sh
fi
log "all tests passed"
