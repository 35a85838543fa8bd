#!/usr/bin/env bash
# The user's view of jrnn as a Maven dependency, tried for real:
#  1. `mvn deploy` of the reactor (with sources and javadoc jars: -Ppublish) into a file repository,
#     target/repo (scripts and the consumer never read jrnn from ~/.m2 or the reactor);
#  2. java/consumer-test, a project outside the reactor that depends on jrnn-platform and
#     jrnn-models as the README says, resolved with a fresh local repository that holds no jrnn
#     (third-party jars are hard-linked from ~/.m2 to spare the download) and -Djavacpp.platform;
#  3. its program (ragged LSTM forward, a few training steps, save, reload, beam search) run from
#     its runtime class path alone on an empty JavaCPP cache; the class path must be <= 40 MB.
#   scripts/test-consumer.sh              # after `mvn verify` (scripts/test.sh), reusing target/native
#                                         # (and target/native-linux-arm64 when `mvn -Djrnn.arm64
#                                         # verify` built it: the deploy then holds both natives jars)
#   JRNN_CONSUMER_DEPLOY=0 scripts/test-consumer.sh   # reuse target/repo as it is
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
log() { echo "[test-consumer $(date -u +%H:%M:%S)] $*"; }
die() { echo "test-consumer: $*" >&2; exit 1; }
PLATFORM=linux-x86_64
REPO=$ROOT/target/repo
MAX_MB=${JRNN_CONSUMER_MAX_MB:-40}

if [ "${JRNN_CONSUMER_DEPLOY:-1}" = 1 ]; then
  log "mvn deploy (sources + javadoc) into $REPO"
  rm -rf "$REPO"
  NATIVE_ARGS=()
  if [ -f java/jrnn-core/target/native/lib/libjrnn.so ]; then
    NATIVE_ARGS=(-Djrnn.skipNative=true)   # the library `mvn verify` just built
    if [ -f java/jrnn-core/target/native-linux-arm64/lib/libjrnn.so ]; then
      NATIVE_ARGS+=(-Djrnn.arm64)          # ... and the linux-arm64 one, cross-built beside it
    fi
  fi
  mvn -B -q -ntp deploy -Ppublish -DskipTests "${NATIVE_ARGS[@]}" \
    -DaltDeploymentRepository="local::file://$REPO" >/dev/null || die "mvn deploy failed"
fi
for a in jrnn-parent jrnn-core jrnn-platform jrnn-train jrnn-models jrnn-caption jrnn-notebook jrnn-cli; do
  [ -d "$REPO/org/jrnn/$a" ] || die "$a was not deployed to $REPO"
done
for a in jrnn-examples jrnn-bench; do
  [ ! -d "$REPO/org/jrnn/$a" ] || die "$a is not to be published but was deployed"
done
for a in jrnn-core jrnn-train jrnn-models jrnn-caption jrnn-notebook jrnn-cli; do
  for kind in sources javadoc; do
    ls "$REPO/org/jrnn/$a"/*/"$a"-*-"$kind".jar >/dev/null 2>&1 || die "no $kind jar of $a in $REPO"
  done
done
ls "$REPO"/org/jrnn/jrnn-core/*/jrnn-core-*-"$PLATFORM".jar >/dev/null 2>&1 \
  || die "no $PLATFORM natives jar of jrnn-core in $REPO"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/jrnn-consumer.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
# a local repository without jrnn: third-party artifacts hard-linked from ~/.m2 (no download)
M2=${MAVEN_REPO:-$HOME/.m2/repository}
mkdir -p "$WORK/m2"
if [ -d "$M2" ]; then
  cp -al "$M2"/. "$WORK/m2"/ 2>/dev/null || cp -a "$M2"/. "$WORK/m2"/
  rm -rf "$WORK/m2/org/jrnn"
fi
cp -a java/consumer-test "$WORK/project"
cd "$WORK/project"
MVN=(mvn -B -q -ntp "-Dmaven.repo.local=$WORK/m2" "-Djrnn.repo=$REPO" "-Djavacpp.platform=$PLATFORM")
log "building the consumer project against $REPO"
"${MVN[@]}" package >/dev/null || { "${MVN[@]}" package; die "the consumer project did not build"; }
"${MVN[@]}" dependency:build-classpath -Dmdep.includeScope=runtime -Dmdep.outputFile="$WORK/cp.txt" >/dev/null \
  || die "resolving the consumer's class path failed"
CP=$WORK/project/target/classes:$(cat "$WORK/cp.txt")
# -Djavacpp.platform picks one platform's natives for jrnn as for JavaCPP and OpenBLAS
others=$(tr ':' '\n' < "$WORK/cp.txt" | grep -E -- '-(linux|macosx|windows|android|ios)-[a-z0-9_]+\.jar$' \
  | grep -v -- "-$PLATFORM\.jar$" || true)
[ -z "$others" ] || die "-Djavacpp.platform=$PLATFORM brought other platforms' natives too: $others"
tr ':' '\n' < "$WORK/cp.txt" | grep -q -- "/jrnn-core-[^/]*-$PLATFORM\.jar$" \
  || die "no jrnn-core $PLATFORM natives jar on the class path"
case ":$CP:" in *"$ROOT/java/"*|*"/.m2/repository/org/jrnn/"*) die "jrnn came from the reactor or ~/.m2: $CP" ;; esac
BYTES=$(tr ':' '\n' < "$WORK/cp.txt" | xargs -r du -cb | tail -1 | cut -f1)
MB=$(( (BYTES + 1048575) / 1048576 ))
log "runtime class path: $(tr ':' '\n' < "$WORK/cp.txt" | wc -l) jars, $MB MB"
[ "$MB" -le "$MAX_MB" ] || die "the runtime class path is $MB MB, over $MAX_MB MB: $(tr ':' ' ' < "$WORK/cp.txt")"

CACHE=$WORK/javacpp-cache
mkdir -p "$CACHE"
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
FLAGS=("-Dorg.bytedeco.javacpp.cachedir=$CACHE")
SPEC=$("$JAVA" -XshowSettings:properties -version 2>&1 | sed -n 's/.*java.specification.version = //p')
if [ "${SPEC%%.*}" -ge 22 ]; then FLAGS+=(--enable-native-access=ALL-UNNAMED); fi
log "running the consumer's program on an empty JavaCPP cache"
OUT=$(cd "$WORK" && env -u LD_LIBRARY_PATH "$JAVA" "${FLAGS[@]}" -cp "$CP" example.Consumer "$WORK/model.safetensors") \
  || die "the consumer's program failed"
echo "$OUT"
echo "$OUT" | grep -q '^consumer: ok' || die "the consumer's program did not finish"
[ -n "$(find "$CACHE" -name 'libjrnn.so' -print -quit)" ] || die "libjrnn.so was not loaded from the jars"
log "ok"
