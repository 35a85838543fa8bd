#!/usr/bin/env bash
# The one test command (README, .ci/run): installs what is missing, then builds everything from
# source and runs every native and Java test, then proves the packaged jar loads on its own.
#   scripts/test.sh              # all tests (CPU; CUDA tests run only where a GPU exists)
#   JRNN_SANITIZE=1 scripts/test.sh   # also the native tests under ASan+UBSan (CI does this)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
log() { echo "[test $(date -u +%H:%M:%S)] $*"; }

# ---- prerequisites (a fresh Debian machine of this project's kind has most of them)
need=()
command -v cmake >/dev/null || need+=(cmake)
command -v g++ >/dev/null || need+=(g++)
command -v mvn >/dev/null || need+=(maven)
command -v javac >/dev/null || need+=(openjdk-17-jdk-headless)
command -v unzip >/dev/null || need+=(unzip)
/usr/bin/python3 -c 'import torch, numpy' 2>/dev/null || need+=(python3-torch python3-numpy)
if [ ${#need[@]} -gt 0 ]; then
  log "installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=600 "${need[@]}"
fi

# ---- native tests (reference gradient checks, CPU kernels vs reference, API validation)
log "native tests"
scripts/test-native.sh
if [ "${JRNN_SANITIZE:-0}" = 1 ]; then
  log "native tests under AddressSanitizer + UndefinedBehaviorSanitizer"
  scripts/test-native.sh --sanitize
fi

# ---- Java: builds libjrnn + the JNI glue through Maven, runs all Java tests, packs the jar
log "maven verify"
mvn -B -ntp verify

# ---- the packaged jar alone, with an empty JavaCPP cache (a machine that never built it)
log "jar load test"
scripts/test-jar.sh
log "all tests passed"
