#!/usr/bin/env bash
# Unpacks OpenBLAS (headers + libopenblas.so.0 and its runtime libraries) from the
# org.bytedeco:openblas jar, the same one the Java runtime loads, into a folder with include/ and
# lib/. CMake links against it (JRNN_OPENBLAS_DIR).
#   scripts/fetch-openblas.sh               # linux-x86_64 into build/openblas; prints the folder
#   scripts/fetch-openblas.sh linux-arm64   # the linux-arm64 classifier into build/openblas-linux-arm64
# Env: JRNN_OPENBLAS_DIR (the folder to fill instead), JRNN_OPENBLAS_VERSION, MAVEN_REPO.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PLATFORM=${1:-linux-x86_64}
case "$PLATFORM" in
  linux-x86_64) DEFAULT_OUT=$ROOT/build/openblas ;;
  linux-arm64) DEFAULT_OUT=$ROOT/build/openblas-linux-arm64 ;;
  *) echo "fetch-openblas: unknown platform '$PLATFORM' (linux-x86_64 or linux-arm64)" >&2; exit 2 ;;
esac
VERSION=${JRNN_OPENBLAS_VERSION:-0.3.31-1.5.13}
OUT=${JRNN_OPENBLAS_DIR:-$DEFAULT_OUT}
M2=${MAVEN_REPO:-$HOME/.m2/repository}
JAR=$M2/org/bytedeco/openblas/$VERSION/openblas-$VERSION-$PLATFORM.jar
if [ -f "$OUT/.stamp-$PLATFORM-$VERSION" ]; then echo "$OUT"; exit 0; fi
if [ ! -f "$JAR" ]; then
  mvn -q -B dependency:get -Dartifact=org.bytedeco:openblas:$VERSION:jar:$PLATFORM -Dtransitive=false >&2
fi
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
(cd "$TMP" && unzip -q -o "$JAR" "org/bytedeco/openblas/$PLATFORM/*")
SRC=$TMP/org/bytedeco/openblas/$PLATFORM
rm -rf "$OUT"; mkdir -p "$OUT/lib"
cp -r "$SRC/include" "$OUT/include"
cp "$SRC/libopenblas.so.0" "$OUT/lib/"
# its runtime libraries, as the jar has them (linux-arm64 has no libquadmath)
for lib in libgfortran.so.5 libquadmath.so.0 libgcc_s.so.1; do
  if [ -f "$SRC/$lib" ]; then cp "$SRC/$lib" "$OUT/lib/"; fi
done
ln -sf libopenblas.so.0 "$OUT/lib/libopenblas.so"
touch "$OUT/.stamp-$PLATFORM-$VERSION"
echo "$OUT"
