#!/usr/bin/env bash
# Proves the packaged jar works on a machine that never built it: runs `org.jrnn.Info --check` (an
# LSTM forward pass, checked for shape, finiteness and padding) from ONLY the jar and its runtime
# dependency jars (javacpp, openblas), with an empty JavaCPP cache and no build directories
# on any library path, then checks the extracted libraries' symbol versions
# (scripts/check-native-abi.sh). Exits non-zero on failure.
#   scripts/test-jar.sh             # builds the jar first if missing (mvn -B -q -DskipTests package)
#   scripts/test-jar.sh --no-build  # as run by `mvn verify` (integration-test phase)
# JAVA_HOME selects the JVM (JDK 17+; 22+ gets --enable-native-access).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
VERSION=$(sed -n 's:^  <version>\(.*\)</version>:\1:p' pom.xml | head -1)
JAR=target/jrnn-$VERSION.jar
CP_FILE=target/runtime-classpath.txt
if [ "${1:-}" != "--no-build" ] && { [ ! -f "$JAR" ] || [ ! -f "$CP_FILE" ]; }; then
  mvn -B -q -DskipTests package
fi
for f in "$JAR" "$CP_FILE"; do
  [ -f "$f" ] || { echo "test-jar: $f is missing (run mvn -DskipTests package)" >&2; exit 1; }
done
PLATFORM_DIR=org/jrnn/internal/linux-x86_64
for lib in libjrnn.so libjnijrnn.so; do
  if ! unzip -l "$JAR" "$PLATFORM_DIR/$lib" >/dev/null 2>&1; then
    echo "test-jar: $JAR lacks $PLATFORM_DIR/$lib" >&2; exit 1
  fi
done

WORK=$(mktemp -d); CACHE=$(mktemp -d)
trap 'rm -rf "$WORK" "$CACHE"' EXIT
cp "$JAR" "$WORK/jrnn.jar"   # nothing next to it, nothing from target/classes
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
SPEC=$("$JAVA" -XshowSettings:properties -version 2>&1 | sed -n 's/.*java.specification.version = //p')
FLAGS=(-Djava.awt.headless=true "-Dorg.bytedeco.javacpp.cachedir=$CACHE")
if [ "${SPEC%%.*}" -ge 22 ]; then FLAGS+=(--enable-native-access=ALL-UNNAMED); fi

cd "$WORK"
env -u LD_LIBRARY_PATH -u LD_PRELOAD "$JAVA" "${FLAGS[@]}" \
  -cp "$WORK/jrnn.jar:$(cat "$ROOT/$CP_FILE")" org.jrnn.Info --check

# The libraries must have come from the jar, through the (previously empty) cache.
for lib in libjrnn.so libjnijrnn.so; do
  found=$(find "$CACHE" -name "$lib" | head -1)
  [ -n "$found" ] || { echo "test-jar: $lib was not extracted from the jar into the cache" >&2; exit 1; }
  if command -v readelf >/dev/null && readelf -d "$found" | grep -E 'R(UN)?PATH' | grep -q "$ROOT"; then
    echo "test-jar: $lib has a build-directory rpath: $(readelf -d "$found" | grep -E 'R(UN)?PATH')" >&2
    exit 1
  fi
done
# ... and must load on older hosts too (no libstdc++ version, glibc <= 2.34)
"$ROOT/scripts/check-native-abi.sh" "$(dirname "$(find "$CACHE" -name libjrnn.so | head -1)")"
echo "test-jar: ok ($JAR loads from an empty JavaCPP cache, Java $SPEC)"
