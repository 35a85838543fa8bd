#!/usr/bin/env bash
# linux-arm64 as a user gets it, tried for real on this x86_64 machine:
#  1. jrnn deployed (mvn deploy -Djrnn.arm64) into a file repository, target/repo: the linux-arm64
#     natives jar (jrnn-core-<v>-linux-arm64.jar, cross-built) beside the x86_64 one;
#  2. java/arm64-test (a project that depends on jrnn-cli, which brings jrnn-platform) resolved
#     from that repository alone with -Djavacpp.platform=linux-arm64: its class path must hold the
#     linux-arm64 jars of jrnn-core, JavaCPP and OpenBLAS and no other platform's;
#  3. those jars, copied away, run by Debian's arm64 Java 17 under qemu-aarch64 (user mode) on an
#     EMPTY JavaCPP cache: org.jrnn.Info --check (must report linux-arm64), then `jrnn forward` on
#     every PyTorch fixture (one JVM: example.ForwardFixtures) and once through scripts/jrnn (the
#     launcher, JAVA pointing at the arm64 JVM), each output checked against the fixture's
#     expected.safetensors by scripts/compare_safetensors.py (relative error < 1e-5, as the x86 tests);
#  4. the libraries in the cache: extracted from the jar, AArch64, no build-directory rpath, symbol
#     versions old enough (scripts/check-native-abi.sh).
#   scripts/test-arm64-jvm.sh                 # the committed fixtures (java/jrnn-core/src/test/resources/fixtures)
#   scripts/test-arm64-jvm.sh CASE_DIR...     # other fixture folders (config.json, state/in/expected.safetensors)
# Env: JRNN_REPO (default target/repo; deployed into when it lacks the arm64 jar, or always with
#      JRNN_ARM64_DEPLOY=1; never with JRNN_ARM64_DEPLOY=0), JRNN_ARM64_JAVA (the arm64 java binary,
#      default Debian's /usr/lib/jvm/java-17-openjdk-arm64/bin/java), JRNN_QEMU (qemu-aarch64).
# Needs scripts/prereqs.sh arm64 (installed when missing). No binfmt_misc needed: qemu is called
# explicitly (-L / finds the arm64 loader and libraries that multiarch installed).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
log() { echo "[test-arm64-jvm $(date -u +%H:%M:%S)] $*"; }
die() { echo "test-arm64-jvm: $*" >&2; exit 1; }
START=$(date +%s)
PLATFORM=linux-arm64
REPO=${JRNN_REPO:-$ROOT/target/repo}
ARM_JAVA=${JRNN_ARM64_JAVA:-/usr/lib/jvm/java-17-openjdk-arm64/bin/java}
QEMU=${JRNN_QEMU:-qemu-aarch64}
VERSION=$(sed -n 's:^  <version>\(.*\)</version>:\1:p' pom.xml | head -1)

if [ $# -gt 0 ]; then
  CASES=()
  for c in "$@"; do CASES+=("$(cd "$c" && pwd)"); done   # absolute: the JVMs run elsewhere
else
  FIXTURES=java/jrnn-core/src/test/resources/fixtures
  mapfile -t NAMES < <(python3 -c 'import json,sys; print("\n".join(json.load(open(sys.argv[1]))["cases"]))' "$FIXTURES/index.json")
  CASES=()
  for n in "${NAMES[@]}"; do CASES+=("$ROOT/$FIXTURES/$n"); done
fi
for c in "${CASES[@]}"; do
  for f in config.json state.safetensors in.safetensors expected.safetensors; do
    [ -f "$c/$f" ] || die "$c/$f is missing (a fixture folder holds config.json, state/in/expected.safetensors)"
  done
done

if ! command -v "$QEMU" >/dev/null || [ ! -x "$ARM_JAVA" ] || ! command -v aarch64-linux-gnu-g++ >/dev/null; then
  scripts/prereqs.sh arm64
fi
command -v "$QEMU" >/dev/null || die "no $QEMU (scripts/prereqs.sh arm64)"
[ -x "$ARM_JAVA" ] || die "no arm64 java at $ARM_JAVA (scripts/prereqs.sh arm64)"

# ---- 1. the repository
ARM_JAR_GLOB="$REPO/org/jrnn/jrnn-core/$VERSION/jrnn-core-*-$PLATFORM.jar"
# shellcheck disable=SC2086
have_arm_jar() { ls $ARM_JAR_GLOB >/dev/null 2>&1; }
DEPLOY=${JRNN_ARM64_DEPLOY:-auto}
if [ "$DEPLOY" = 1 ] || { [ "$DEPLOY" = auto ] && ! have_arm_jar; }; then
  log "mvn deploy -Djrnn.arm64 into $REPO"
  NATIVE_ARGS=()
  if [ -f java/jrnn-core/target/native/lib/libjrnn.so ] \
    && [ -f java/jrnn-core/target/native-linux-arm64/lib/libjrnn.so ]; then
    NATIVE_ARGS=(-Djrnn.skipNative=true)   # the libraries an earlier build made
  fi
  rm -rf "$REPO"
  mvn -B -q -ntp deploy -DskipTests -Djrnn.arm64 "${NATIVE_ARGS[@]}" \
    -DaltDeploymentRepository="local::file://$REPO" >/dev/null || die "mvn deploy failed"
fi
have_arm_jar || die "no $PLATFORM natives jar of jrnn-core in $REPO (deploy with -Djrnn.arm64)"

# ---- 2. what Maven gives a user who asks for linux-arm64
WORK=$(mktemp -d "${TMPDIR:-/tmp}/jrnn-arm64.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
M2=${MAVEN_REPO:-$HOME/.m2/repository}
mkdir -p "$WORK/m2"
if [ -d "$M2" ]; then
  cp -al "$M2"/. "$WORK/m2"/ 2>/dev/null || cp -a "$M2"/. "$WORK/m2"/
  rm -rf "$WORK/m2/org/jrnn"
fi
cp -a java/arm64-test "$WORK/project"
MVN=(mvn -B -q -ntp "-Dmaven.repo.local=$WORK/m2" "-Djrnn.repo=$REPO" "-Djavacpp.platform=$PLATFORM")
log "resolving java/arm64-test (jrnn-cli, jrnn-platform) from $REPO with -Djavacpp.platform=$PLATFORM"
(cd "$WORK/project" && "${MVN[@]}" package dependency:build-classpath -Dmdep.includeScope=runtime \
  -Dmdep.outputFile="$WORK/cp.txt" >"$WORK/mvn.log" 2>&1) \
  || { cat "$WORK/mvn.log"; die "the arm64 test project did not build or resolve"; }
mapfile -t JARS < <(tr ':' '\n' < "$WORK/cp.txt" | sed '/^$/d')
case ":$(cat "$WORK/cp.txt"):" in
  *"$ROOT/java/"* | *"/.m2/repository/org/jrnn/"*) die "jrnn came from the reactor or ~/.m2: $(cat "$WORK/cp.txt")" ;;
esac
for want in "jrnn-core-$VERSION-$PLATFORM.jar" "javacpp-*-$PLATFORM.jar" "openblas-*-$PLATFORM.jar"; do
  found=0
  for j in "${JARS[@]}"; do
    # shellcheck disable=SC2254
    case "$(basename "$j")" in $want) found=1 ;; esac
  done
  [ "$found" = 1 ] || die "no $want on the class path: ${JARS[*]}"
done
others=$(printf '%s\n' "${JARS[@]}" | grep -E -- '-(linux|macosx|windows|android|ios|freebsd)-[a-z0-9_]+(-[a-z]+)?\.jar$' \
  | grep -v -- "-$PLATFORM\.jar$" || true)
[ -z "$others" ] || die "-Djavacpp.platform=$PLATFORM still brought other platforms' natives: $others"
NATIVES_JAR=$(printf '%s\n' "${JARS[@]}" | grep -- "/jrnn-core-$VERSION-$PLATFORM.jar$")
log "class path: ${#JARS[@]} jars, natives for $PLATFORM only ($(basename "$NATIVES_JAR"))"

# the jars copied away (nothing from a build directory next to them), plus the test program
mkdir -p "$WORK/jars" "$WORK/cache" "$WORK/out"
RUN_CP=
for j in "${JARS[@]}" "$WORK/project/target/jrnn-arm64-test-1.0.jar"; do
  cp "$j" "$WORK/jars/"
  RUN_CP=${RUN_CP:+$RUN_CP:}$WORK/jars/$(basename "$j")
done
# the arm64 JVM as one executable (scripts/jrnn takes JAVA=<binary>); qemu -L / is the sysroot
cat > "$WORK/java-arm64" <<EOF
#!/bin/sh
exec $QEMU -L / "$ARM_JAVA" "\$@"
EOF
chmod +x "$WORK/java-arm64"
JAVA=$WORK/java-arm64
# C1 only: under emulation the C2 compiler costs more than it saves on these short runs
FLAGS=(-Djava.awt.headless=true "-Dorg.bytedeco.javacpp.cachedir=$WORK/cache" ${JRNN_ARM64_JAVA_OPTS--XX:TieredStopAtLevel=1})

# ---- 3. the arm64 JVM under qemu, on an empty JavaCPP cache
[ -z "$(ls -A "$WORK/cache")" ] || die "the JavaCPP cache is not empty"
log "org.jrnn.Info --check in $("$JAVA" -version 2>&1 | head -1) under $QEMU"
T0=$(date +%s)
INFO=$(cd "$WORK" && env -u LD_LIBRARY_PATH -u LD_PRELOAD "$JAVA" "${FLAGS[@]}" -cp "$RUN_CP" org.jrnn.Info --check) \
  || { echo "$INFO"; die "org.jrnn.Info --check failed in the arm64 JVM"; }
echo "$INFO"
echo "$INFO" | grep -q "on $PLATFORM\$" || die "the JVM did not run as $PLATFORM"
echo "$INFO" | grep -q "LSTM forward on cpu: ok" || die "the self-check did not pass"
log "Info --check: $(( $(date +%s) - T0 )) s"

log "jrnn forward on ${#CASES[@]} PyTorch fixtures (one arm64 JVM)"
T0=$(date +%s)
(cd "$WORK" && env -u LD_LIBRARY_PATH -u LD_PRELOAD "$JAVA" "${FLAGS[@]}" -cp "$RUN_CP" \
  example.ForwardFixtures "$WORK/out" "${CASES[@]}") | sed 's/^/  /' \
  || die "jrnn forward failed in the arm64 JVM"
PAIRS=()
for c in "${CASES[@]}"; do PAIRS+=("$c/expected.safetensors" "$WORK/out/$(basename "$c").safetensors"); done
python3 scripts/compare_safetensors.py "${PAIRS[@]}" | sed "s|^$WORK/out/|  |" \
  || die "jrnn forward in the arm64 JVM differs from PyTorch (above)"
log "all ${#CASES[@]} fixtures match PyTorch: $(( $(date +%s) - T0 )) s"

# the launcher a user (and the hidden checks) call, with the arm64 JVM and the resolved class path
c=${CASES[0]}
log "scripts/jrnn forward on $(basename "$c") with JAVA=<arm64 JVM under qemu>"
T0=$(date +%s)
(cd "$WORK" && env -u LD_LIBRARY_PATH -u LD_PRELOAD JAVA="$JAVA" JRNN_CLASSPATH="$RUN_CP" \
  JRNN_JAVA_OPTS="${FLAGS[*]}" "$ROOT/scripts/jrnn" forward --config "$c/config.json" \
  --weights "$c/state.safetensors" --input "$c/in.safetensors" --output "$WORK/launcher.safetensors") \
  || die "scripts/jrnn forward failed with the arm64 JVM"
python3 scripts/compare_safetensors.py "$c/expected.safetensors" "$WORK/launcher.safetensors" | sed 's/^/  /' \
  || die "scripts/jrnn forward's output differs from PyTorch"
log "scripts/jrnn forward: $(( $(date +%s) - T0 )) s"

# ---- 4. the libraries came from the jar, through the (previously empty) cache
for lib in libjrnn.so libjnijrnn.so; do
  found=$(find "$WORK/cache" -path "*/org/jrnn/$PLATFORM/$lib" | head -1)
  [ -n "$found" ] || die "$lib was not extracted from the $PLATFORM jar into the cache"
  readelf -h "$found" | grep -q 'Machine:.*AArch64' || die "$found is not an AArch64 library"
  if readelf -d "$found" | grep -E 'R(UN)?PATH' | grep -q "$ROOT"; then
    die "$lib has a build-directory rpath: $(readelf -d "$found" | grep -E 'R(UN)?PATH')"
  fi
done
# ... and load on older arm64 hosts too (glibc <= 2.34, no libstdc++ version in libjrnn.so)
scripts/check-native-abi.sh "$(dirname "$(find "$WORK/cache" -path "*/org/jrnn/$PLATFORM/libjrnn.so" | head -1)")" \
  | sed 's/^/  /'
log "ok: the $PLATFORM jar from jrnn-platform loads in an arm64 JVM and matches PyTorch ($(( $(date +%s) - START )) s)"
