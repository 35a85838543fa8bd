#!/usr/bin/env bash
# Races close() against calls on other threads (org.jrnn.CloseRace, the program behind
# CloseRaceTest) in a JVM whose libjrnn is built with AddressSanitizer + UBSan and jrnn's CPU block
# cache off, so a call that touches a freed block is reported even when it happens to read the
# right values. Fails on any ASan/UBSan report, a wrong result or an exception other than CLOSED.
#   scripts/test-asan-race.sh            # race for 20 s
#   scripts/test-asan-race.sh 60         # race for 60 s
# First a self-check reads a freed block on purpose and must be reported (so a silent run means
# something, not a JVM that loaded the plain library).
# Builds: libjrnn with -DJRNN_SANITIZE=ON in build/native-asan (about 2.5 min on 2 cores the first
# time, seconds after), and the Java classes, test classes and JNI glue with Maven (test-compile;
# JRNN_MVN_ARGS adds arguments, e.g. "-Djrnn.skipNative=true -Djrnn.native.dir=DIR" to reuse a
# built plain libjrnn for the glue). The glue is the Maven one: it links libjrnn.so by soname, so
# next to the sanitized libjrnn.so (in build/asan-race/classpath, first on the class path) it
# binds to that one. Under 3 minutes once built.
# The JVM runs with LD_PRELOAD=libasan (the sanitized library needs the ASan runtime first) and
# ASAN_OPTIONS=detect_leaks=0:handle_segv=0:allow_user_segv_handler=1:use_sigaltstack=0: the JVM
# itself "leaks" at exit and uses SIGSEGV (and its own signal stacks) for null checks and
# safepoints, which ASan must leave to it. Log: build/asan-race/race.log.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
SECONDS_TO_RACE=${1:-20}
OUT=$ROOT/build/asan-race
BUILD_DIR=$ROOT/build/native-asan
die() { echo "test-asan-race: FAILED: $*" >&2; exit 1; }

LIBASAN=$(g++ -print-file-name=libasan.so)
[ -f "$LIBASAN" ] || die "no libasan.so for g++ (apt-get install libasan8)"
OPENBLAS_DIR=${JRNN_OPENBLAS_DIR:-$("$ROOT/scripts/fetch-openblas.sh")} || die "scripts/fetch-openblas.sh failed"

echo "test-asan-race: building libjrnn with AddressSanitizer + UBSan ($BUILD_DIR)"
mkdir -p "$OUT"
if [ ! -f "$BUILD_DIR/CMakeCache.txt" ]; then
  cmake -S "$ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DJRNN_BUILD_TESTS=OFF \
    -DJRNN_SANITIZE=ON -DJRNN_CUDA=OFF -DJRNN_OPENBLAS_DIR="$OPENBLAS_DIR" >"$OUT/configure.log" 2>&1 \
    || { cat "$OUT/configure.log" >&2; die "CMake configure failed"; }
fi
cmake --build "$BUILD_DIR" --target jrnn -j "${JRNN_JOBS:-2}" >"$OUT/build.log" 2>&1 \
  || { tail -40 "$OUT/build.log" >&2; die "building the sanitized libjrnn failed"; }

echo "test-asan-race: compiling the Java classes, tests and JNI glue (mvn test-compile)"
# shellcheck disable=SC2086
# org.jrnn.CloseRace is a jrnn-models test; one reactor run resolves core to its target/ folders
mvn -B -q -ntp -Dstyle.color=never ${JRNN_MVN_ARGS:-} -pl java/jrnn-models -am test-compile \
  dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$OUT/runtime-classpath.txt" \
  >/dev/null || die "mvn test-compile failed"
PLATFORM_DIR=org/jrnn/linux-x86_64
GLUE=java/jrnn-core/target/classes/$PLATFORM_DIR/libjnijrnn.so
[ -f "$GLUE" ] || die "$GLUE is missing after mvn test-compile"
rm -rf "$OUT/classpath"
mkdir -p "$OUT/classpath/$PLATFORM_DIR"
cp "$BUILD_DIR/libjrnn.so" "$GLUE" "$OUT/classpath/$PLATFORM_DIR/"
CP=$OUT/classpath:$ROOT/java/jrnn-models/target/classes:$ROOT/java/jrnn-models/target/test-classes:$(cat "$OUT/runtime-classpath.txt")

run_jvm() {
  env LD_PRELOAD="$LIBASAN" \
    ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:handle_segv=0:allow_user_segv_handler=1:use_sigaltstack=0} \
    UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
    JRNN_CPU_CACHE_MB=0 \
    java -Xmx1g -Djava.awt.headless=true -cp "$CP" org.jrnn.CloseRace "$@"
}

echo "test-asan-race: self-check (a deliberate use after free must be reported)"
set +e
run_jvm --use-after-free >"$OUT/self-check.log" 2>&1
set -e
grep -q "ERROR: AddressSanitizer: heap-use-after-free" "$OUT/self-check.log" \
  || { cat "$OUT/self-check.log" >&2; die "ASan did not report a deliberate use after free: is the sanitized libjrnn loaded?"; }

echo "test-asan-race: racing close() against calls for ${SECONDS_TO_RACE} s"
set +e
run_jvm "$SECONDS_TO_RACE" >"$OUT/race.log" 2>&1
rc=$?
set -e
grep -E "^CloseRace:" "$OUT/race.log" || true
if grep -qE "ERROR: AddressSanitizer|runtime error:" "$OUT/race.log"; then
  grep -E -A30 "ERROR: AddressSanitizer|runtime error:" "$OUT/race.log" | head -60 >&2
  die "a sanitizer report (log: $OUT/race.log)"
fi
[ "$rc" = 0 ] || { tail -40 "$OUT/race.log" >&2; die "CloseRace exited with $rc (log: $OUT/race.log)"; }
echo "test-asan-race: OK (no sanitizer report)"
