#!/usr/bin/env bash
# Checks that jrnn's shipped native libraries load on older Linux hosts (glibc 2.34: RHEL 9,
# Amazon Linux 2023, most cluster images): libjrnn.so carries its own C++ runtime, so it needs no
# GLIBCXX_*/CXXABI_* symbol version and no libstdc++.so; neither library needs a GLIBC_* newer
# than 2.34; the JNI glue (compiled by JavaCPP) needs only the oldest libstdc++ versions.
#   scripts/check-native-abi.sh DIR_OR_LIB...   # e.g. target/classes/org/jrnn/linux-x86_64
# Run by scripts/test-jar.sh on the libraries extracted from the jar. Needs objdump (binutils).
set -euo pipefail
MAX_GLIBC=2.34
MAX_GLIBCXX_JNI=3.4.19   # GCC 4.8's libstdc++ (RHEL 7); anything newer is a real requirement
die() { echo "check-native-abi: $*" >&2; exit 1; }
command -v objdump >/dev/null || die "objdump is not installed (apt-get install binutils)"
[ $# -gt 0 ] || die "usage: scripts/check-native-abi.sh DIR_OR_LIB..."

libs=()
for a in "$@"; do
  if [ -d "$a" ]; then
    while IFS= read -r f; do libs+=("$f"); done < <(find "$a" -maxdepth 1 -name 'lib*jrnn.so' | sort)
  else
    libs+=("$a")
  fi
done
[ ${#libs[@]} -gt 0 ] || die "no libjrnn.so / libjnijrnn.so under $*"

# newest version of symbol-version family $1 that library $2 requires (empty when none)
newest() { { objdump -T "$2" | grep -oE "\(${1}_[0-9.]+\)" || true; } | tr -d '()' | sed "s/^${1}_//" | sort -V | tail -1; }
newer_than() { [ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | tail -1)" != "$2" ]; }   # $1 > $2

status=0
for lib in "${libs[@]}"; do
  name=$(basename "$lib")
  glibc=$(newest GLIBC "$lib"); glibcxx=$(newest GLIBCXX "$lib"); cxxabi=$(newest CXXABI "$lib")
  problems=()
  if [ -n "$glibc" ] && newer_than "$glibc" "$MAX_GLIBC"; then
    problems+=("needs GLIBC_$glibc > $MAX_GLIBC ($(objdump -T "$lib" | grep "GLIBC_$glibc" | awk '{print $NF}' | paste -sd, -))")
  fi
  case "$name" in
    libjrnn.so)
      [ -z "$glibcxx" ] || problems+=("needs GLIBCXX_$glibcxx: libstdc++ must be linked statically")
      [ -z "$cxxabi" ] || problems+=("needs CXXABI_$cxxabi: libstdc++ must be linked statically")
      if objdump -p "$lib" | grep -q 'NEEDED.*libstdc++'; then problems+=("links libstdc++.so"); fi ;;
    *)
      if [ -n "$glibcxx" ] && newer_than "$glibcxx" "$MAX_GLIBCXX_JNI"; then
        problems+=("needs GLIBCXX_$glibcxx > $MAX_GLIBCXX_JNI")
      fi ;;
  esac
  if [ ${#problems[@]} -eq 0 ]; then
    echo "check-native-abi: $name ok (GLIBC ${glibc:-none} <= $MAX_GLIBC, GLIBCXX ${glibcxx:-none})"
  else
    for p in "${problems[@]}"; do echo "check-native-abi: $name $p" >&2; done
    status=1
  fi
done
exit $status
