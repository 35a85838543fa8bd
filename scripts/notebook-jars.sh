#!/usr/bin/env bash
# notebook-jars: jrnn's jar and every runtime dependency jar (javacpp, openblas for this platform,
# xchart) copied into ONE folder, so a Java notebook adds jrnn with one line:
#   JJava:  %classpath /path/to/jrnn/target/notebook-jars/*.jar
#   IJava:  %jars /path/to/jrnn/target/notebook-jars/*.jar
#
#   scripts/notebook-jars.sh             # builds the jar first when missing or older than the sources
#   scripts/notebook-jars.sh --no-build  # only copies (as the notebook tests run it after `package`)
#   scripts/notebook-jars.sh --print     # ... then prints the %classpath line for this checkout
# The native libraries are inside the jrnn and openblas jars and load on first use: nothing to set.
set -euo pipefail
ROOT=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
cd "$ROOT"
BUILD=1 PRINT=0
for a in "$@"; do
  case "$a" in
    --no-build) BUILD=0 ;;
    --print) PRINT=1 ;;
    -h | --help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "notebook-jars: unknown argument $a (see --help)" >&2; exit 2 ;;
  esac
done
VERSION=$(sed -n 's:^  <version>\(.*\)</version>:\1:p' pom.xml | head -1)
JAR=target/jrnn-$VERSION.jar
CP_FILE=target/runtime-classpath.txt   # written by `mvn package` (maven-dependency-plugin)
OUT=target/notebook-jars

stale() {
  [ -f "$JAR" ] && [ -f "$CP_FILE" ] || return 0
  local p
  for p in pom.xml CMakeLists.txt java/src/main native/src native/include scripts/build-native.sh; do
    [ -e "$p" ] || continue
    [ -z "$(find "$p" -newer "$JAR" -type f -print -quit 2>/dev/null)" ] || return 0
  done
  return 1
}
if [ "$BUILD" = 1 ] && stale; then
  echo "notebook-jars: building the jar (mvn -B -q -DskipTests package) ..." >&2
  mvn -B -q -DskipTests package >&2
fi
for f in "$JAR" "$CP_FILE"; do
  [ -f "$f" ] || { echo "notebook-jars: $f is missing (run mvn -B -DskipTests package)" >&2; exit 1; }
done

rm -rf "$OUT.tmp" && mkdir -p "$OUT.tmp"
cp "$JAR" "$OUT.tmp/"
IFS=: read -r -a DEPS < "$CP_FILE" || true   # the file has no final newline
for d in "${DEPS[@]}"; do
  [ -n "$d" ] || continue
  case "$d" in *.jar) ;; *) echo "notebook-jars: $d in $CP_FILE is not a jar" >&2; exit 1 ;; esac
  [ -f "$d" ] || { echo "notebook-jars: $d is missing (mvn -B dependency:resolve)" >&2; exit 1; }
  cp "$d" "$OUT.tmp/"
done
rm -rf "$OUT" && mv "$OUT.tmp" "$OUT"
echo "notebook-jars: $(ls "$OUT" | wc -l) jars in $ROOT/$OUT" >&2
if [ "$PRINT" = 1 ]; then
  echo "%classpath $ROOT/$OUT/*.jar"
fi
