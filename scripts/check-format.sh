#!/usr/bin/env bash
# One format for the code: google-java-format for Java (the Spotless Maven plugin, configured in
# pom.xml) and clang-format (.clang-format) for C++/CUDA under native/.
#   scripts/check-format.sh         # fails, naming the files, when something is not formatted
#   scripts/check-format.sh --fix   # formats everything in place
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
FIX=0
[ "${1:-}" = --fix ] && FIX=1
command -v clang-format >/dev/null || "$ROOT/scripts/prereqs.sh" >&2
mapfile -t NATIVE < <(git ls-files 'native/*.h' 'native/*.cc' 'native/*.cu' 'native/*.cuh' 'native/*.cpp')
if [ "$FIX" = 1 ]; then
  clang-format -i "${NATIVE[@]}"
  mvn -B -q -o spotless:apply >/dev/null 2>&1 || mvn -B -q -ntp spotless:apply
  echo "check-format: formatted ${#NATIVE[@]} C++ files and the Java sources"
  exit 0
fi
bad=()
for f in "${NATIVE[@]}"; do
  clang-format --dry-run --Werror "$f" >/dev/null 2>&1 || bad+=("$f")
done
if [ ${#bad[@]} -gt 0 ]; then
  echo "check-format: not clang-formatted: ${bad[*]} (scripts/check-format.sh --fix)" >&2
  exit 1
fi
if ! mvn -B -q -o spotless:check >/dev/null 2>&1 && ! mvn -B -q -ntp spotless:check; then
  echo "check-format: Java sources not google-java-formatted (scripts/check-format.sh --fix)" >&2
  exit 1
fi
echo "check-format: ok (${#NATIVE[@]} C++ files, Java sources)"
