#!/usr/bin/env bash
# Unpacks OpenBLAS (headers + libopenblas.so.0) from the org.bytedeco:openblas jar, the same one the
# Java runtime loads, into build/openblas/{include,lib}. CMake links against it (JRNN_OPENBLAS_DIR).
#   scripts/fetch-openblas.sh            # prints the directory
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VERSION=${JRNN_OPENBLAS_VERSION:-0.3.31-1.5.13}
OUT=${JRNN_OPENBLAS_DIR:-$ROOT/build/openblas}
M2=${MAVEN_REPO:-$HOME/.m2/repository}
JAR=$M2/org/bytedeco/openblas/$VERSION/openblas-$VERSION-linux-x86_64.jar
if [ -f "$OUT/.stamp-$VERSION" ]; then echo "$OUT"; exit 0; fi
if [ ! -f "$JAR" ]; then
  mvn -q -B dependency:get -Dartifact=org.bytedeco:openblas:$VERSION:jar:linux-x86_64 -Dtransitive=false >&2
fi
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
(cd "$TMP" && unzip -q -o "$JAR" 'org/bytedeco/openblas/linux-x86_64/*')
rm -rf "$OUT"; mkdir -p "$OUT/lib"
cp -r "$TMP/org/bytedeco/openblas/linux-x86_64/include" "$OUT/include"
cp "$TMP/org/bytedeco/openblas/linux-x86_64/libopenblas.so.0" "$TMP/org/bytedeco/openblas/linux-x86_64/"lib{gfortran.so.5,quadmath.so.0,gcc_s.so.1} "$OUT/lib/"
ln -sf libopenblas.so.0 "$OUT/lib/libopenblas.so"
touch "$OUT/.stamp-$VERSION"
echo "$OUT"
