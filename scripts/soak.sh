#!/usr/bin/env bash
# soak.sh: the reliability probes of org.jrnn.reliability at 10x-100x their test sizes, one after the
# other (about an hour on the 2-core dev machine with the defaults), on the test class path; writes
# bench/reliability/soak-<date>-<commit>.md (machine, commit, each probe's figures, RSS, wall time) and
# exits non-zero when any probe failed (or is missing without being skipped).
#   scripts/soak.sh                                    # build, then everything at full size
#   SOAK_SCALE=0.01 scripts/soak.sh                    # a quick check of the script itself
#   SOAK_SKIP=fuzzer,leak scripts/soak.sh              # leave probes out (fuzzer, leak, concurrency, kill, cli)
#   scripts/soak.sh --native-dir /path/to/native       # use a prebuilt libjrnn (-Djrnn.skipNative)
#   scripts/soak.sh --no-build                         # use target/ as it is (after an earlier build)
# Environment (sizes; each default is multiplied by SOAK_SCALE, default 1, and is at least 1):
#   SOAK_FUZZER_CALLS (1000000)       ApiFuzzer --calls
#   SOAK_LEAK_ITERATIONS (1000000)    LeakProbe --iterations
#   SOAK_CONCURRENCY_ITERATIONS (4000) ConcurrencyProbe --iterations (16 threads; the test runs 40)
#   SOAK_CONCURRENCY_TRAIN_STEPS (120) ConcurrencyProbe --train-steps (the test runs 12)
#   SOAK_KILLS (150)                  KillProbe --kills (the test makes 10)
#   SOAK_SEED (1)                     --seed of every probe
#   SOAK_CLI_MAIN                     main class of a standalone CLI bad-input matrix (run with --seed);
#                                     without it that part is reported as not run
#   SOAK_OUT                          the report (default bench/reliability/soak-<date>-<commit>.md)
#   JRNN_NATIVE_DIR                   same as --native-dir
set -euo pipefail

ROOT=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
cd "$ROOT"

NATIVE_DIR=${JRNN_NATIVE_DIR:-}
BUILD=1
while [ $# -gt 0 ]; do
  case "$1" in
    --native-dir) NATIVE_DIR=${2:?--native-dir needs a folder}; shift 2 ;;
    --native-dir=*) NATIVE_DIR=${1#*=}; shift ;;
    --no-build) BUILD=0; shift ;;
    -h|--help) sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "soak.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done

SCALE=${SOAK_SCALE:-1}
SEED=${SOAK_SEED:-1}
SKIP=",${SOAK_SKIP:-},"
SKIP_LIST=${SOAK_SKIP:-}
for s in ${SKIP_LIST//,/ }; do
  case "$s" in
    fuzzer|leak|concurrency|kill|cli) ;;
    *) echo "soak.sh: SOAK_SKIP: unknown probe '$s' (fuzzer, leak, concurrency, kill, cli)" >&2; exit 2 ;;
  esac
done

# scaled DEFAULT [OVERRIDE]: OVERRIDE as given, else DEFAULT x SOAK_SCALE rounded, at least 1
scaled() {
  if [ -n "${2:-}" ]; then echo "$2"; return; fi
  awk -v d="$1" -v s="$SCALE" 'BEGIN { v = int(d * s + 0.5); if (v < 1) v = 1; print v }'
}
FUZZER_CALLS=$(scaled 1000000 "${SOAK_FUZZER_CALLS:-}")
LEAK_ITERATIONS=$(scaled 1000000 "${SOAK_LEAK_ITERATIONS:-}")
CONC_ITERATIONS=$(scaled 4000 "${SOAK_CONCURRENCY_ITERATIONS:-}")
CONC_TRAIN_STEPS=$(scaled 120 "${SOAK_CONCURRENCY_TRAIN_STEPS:-}")
KILLS=$(scaled 150 "${SOAK_KILLS:-}")

# ------------------------------------------------------------------ build and class path
MVN_ARGS=(-B -ntp -q)
if [ -n "$NATIVE_DIR" ]; then
  [ -f "$NATIVE_DIR/lib/libjrnn.so" ] || { echo "soak.sh: $NATIVE_DIR/lib/libjrnn.so does not exist" >&2; exit 2; }
  MVN_ARGS+=(-Djrnn.skipNative=true "-Djrnn.native.dir=$NATIVE_DIR")
fi
CP_FILE=target/soak-classpath.txt
if [ "$BUILD" = 1 ]; then
  echo "== building the test classes" >&2
  # the probes are jrnn-caption's and jrnn-cli's tests (org.jrnn.reliability); one reactor run resolves the
  # modules below it to their target/classes and target/test-classes
  mkdir -p target
  mvn "${MVN_ARGS[@]}" -pl java/jrnn-cli -am test-compile dependency:build-classpath \
    -Dmdep.includeScope=test "-Dmdep.outputFile=$ROOT/$CP_FILE" >/dev/null
fi
PROBES=java/jrnn-cli/target
[ -d $PROBES/test-classes ] && [ -f "$CP_FILE" ] \
  || { echo "soak.sh: no $PROBES/test-classes or $CP_FILE (run without --no-build first)" >&2; exit 2; }
CLASSPATH_ALL="$ROOT/$PROBES/test-classes:$ROOT/$PROBES/classes:$(cat "$CP_FILE")"

JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
JAVA_OPTS=(-Xss4m -Djava.awt.headless=true)
if [ "$("$JAVA" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}')" -ge 22 ] 2>/dev/null; then
  JAVA_OPTS+=(--enable-native-access=ALL-UNNAMED)
fi

class_exists() { compgen -G "java/*/target/*classes/${1//.//}.class" >/dev/null; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/jrnn-soak.XXXXXX")
KEEP_WORK=0
trap '[ "$KEEP_WORK" = 1 ] || rm -rf "$WORK"' EXIT

# ------------------------------------------------------------------ running one probe
declare -a ORDER
declare -A STATUS WALL RSS_FIRST RSS_LAST RSS_PEAK FIGURES ARGS_OF
FAILED=0

kib_to_mib() { awk -v k="$1" 'BEGIN { if (k == "") print "-"; else printf "%.0f", k / 1024 }'; }

# probe NAME CLASS ARGS...: runs CLASS's main, sampling the JVM's resident memory every 2 s
probe() {
  local name=$1 class=$2
  shift 2
  ORDER+=("$name")
  ARGS_OF[$name]="$*"
  if [[ "$SKIP" == *",$name,"* ]]; then
    STATUS[$name]="skipped (SOAK_SKIP)"
    return
  fi
  if ! class_exists "$class"; then
    STATUS[$name]="FAIL: $class is not on the test class path (set SOAK_SKIP=$name to leave it out)"
    FAILED=1
    return
  fi
  echo "== $name: $class $*" >&2
  local log="$WORK/$name.log" rss="$WORK/$name.rss" start end rc=0
  : >"$rss"
  start=$(date +%s.%N)
  # shellcheck disable=SC2086 # JVM_OF holds space-separated JVM flags
  "$JAVA" "${JAVA_OPTS[@]}" ${JVM_OF[$name]:-} -cp "$CLASSPATH_ALL" "$class" "$@" >"$log" 2>&1 &
  local pid=$!
  # the first sample 2 s in (after the JVM and the native library have started), then every 2 s
  while kill -0 "$pid" 2>/dev/null; do
    sleep 2 &
    wait $! 2>/dev/null || true
    awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null >>"$rss" || true
  done
  wait "$pid" || rc=$?
  end=$(date +%s.%N)
  WALL[$name]=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.0f", b - a }')
  RSS_FIRST[$name]=$(kib_to_mib "$(grep -m1 . "$rss" || true)")
  RSS_LAST[$name]=$(kib_to_mib "$(grep . "$rss" | tail -n1 || true)")
  RSS_PEAK[$name]=$(kib_to_mib "$(sort -n "$rss" | tail -n1 || true)")
  # the figures: the probe's RESULT lines, else its last lines
  if grep -qE '^RESULT|^[A-Za-z]+ summary:' "$log"; then
    FIGURES[$name]=$(grep -E '^RESULT|^[A-Za-z]+ summary:' "$log" | sed 's/^RESULT //')
  else
    FIGURES[$name]=$(grep -v '^\s*at ' "$log" | tail -n 3 | tr '\n' ' ')
  fi
  if [ "$rc" = 0 ]; then
    STATUS[$name]=PASS
  else
    STATUS[$name]="FAIL (exit $rc)"
    FAILED=1
  fi
  tail -n 2 "$log" >&2
}

# ------------------------------------------------------------------ the probes
T0=$(date +%s)
# The JVM flags their tests use: a bounded heap for the fuzzer; for the leak probe a fixed,
# pre-touched heap, so that the RSS it judges holds no heap growth.
declare -A JVM_OF=([fuzzer]="-Xmx1g" [leak]="-Xms256m -Xmx256m -XX:+AlwaysPreTouch")
probe fuzzer org.jrnn.reliability.ApiFuzzer --calls "$FUZZER_CALLS" --seed "$SEED"
probe leak org.jrnn.reliability.LeakProbe --iterations "$LEAK_ITERATIONS" --seed "$SEED"
probe concurrency org.jrnn.reliability.ConcurrencyProbe --threads 16 --iterations "$CONC_ITERATIONS" \
  --seed "$SEED" --trainers 8 --train-steps "$CONC_TRAIN_STEPS"
KILL_DIR="$WORK/kill"
probe kill org.jrnn.reliability.KillProbe --kills "$KILLS" --seed "$SEED" --dir "$KILL_DIR"
if [ -n "${SOAK_CLI_MAIN:-}" ]; then
  probe cli "$SOAK_CLI_MAIN" --seed "$SEED"
else
  ORDER+=(cli)
  ARGS_OF[cli]=""
  if [[ "$SKIP" == *",cli,"* ]]; then
    STATUS[cli]="skipped (SOAK_SKIP)"
  else
    STATUS[cli]="not run: the CLI bad-input matrix is a JUnit test, not a standalone main (SOAK_CLI_MAIN=class runs one)"
  fi
fi
T1=$(date +%s)

# ------------------------------------------------------------------ the report
COMMIT=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
DIRTY=$(git status --porcelain --untracked-files=no 2>/dev/null | grep -q . && echo " (with uncommitted changes)" || true)
DATE=$(date +%Y-%m-%d)
OUT=${SOAK_OUT:-bench/reliability/soak-$DATE-$COMMIT.md}
mkdir -p "$(dirname "$OUT")"
MODEL=$(lscpu 2>/dev/null | awk -F: '/^Model name/ {gsub(/^[ \t]+/, "", $2); print $2; exit}')
CORES=$(nproc 2>/dev/null || echo "?")
FLAGS=$(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null | tr ' ' '\n' | grep -E '^(avx2|avx512f|avx512bw|avx512vl|avx512_vnni|fma)$' | sort -u | tr '\n' ' ' || true)
JAVA_VERSION=$("$JAVA" -version 2>&1 | head -n1)

{
  echo "# Reliability soak, $DATE, commit $COMMIT$DIRTY"
  echo
  echo "Written by \`scripts/soak.sh\` (SOAK_SCALE=$SCALE, seed $SEED). Result: **$([ "$FAILED" = 0 ] && echo PASS || echo FAIL)**,"
  echo "wall time of the probes $((T1 - T0)) s."
  echo
  echo "- machine: ${MODEL:-unknown CPU}, $CORES cores, flags: ${FLAGS:-none of avx2/avx512}"
  echo "- $JAVA_VERSION; native library: ${NATIVE_DIR:-built from this commit}"
  echo "- load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
  echo "| probe | arguments | status | wall s | RSS first / last / peak MiB |"
  echo "|---|---|---|---:|---|"
  for n in "${ORDER[@]}"; do
    echo "| $n | \`${ARGS_OF[$n]:-}\` | ${STATUS[$n]} | ${WALL[$n]:--} | ${RSS_FIRST[$n]:--} / ${RSS_LAST[$n]:--} / ${RSS_PEAK[$n]:--} |"
  done
  echo
  echo "RSS is the probe JVM's VmRSS, sampled every 2 s from 2 s in (KillProbe's children are not included)."
  echo
  echo "## Figures"
  for n in "${ORDER[@]}"; do
    [ -n "${FIGURES[$n]:-}" ] || continue
    echo
    echo "**$n**"
    echo
    echo '```'
    echo "${FIGURES[$n]}"
    if [ -f "$WORK/$n.log" ]; then
      grep -E '^(ROUND|PROBLEM) ' "$WORK/$n.log" | head -n 40 || true
    fi
    echo '```'
  done
} >"$OUT"
echo "== wrote $OUT" >&2

if [ "$FAILED" != 0 ]; then
  KEEP_WORK=1
  echo "soak.sh: a probe failed; logs and the kill rounds are in $WORK" >&2
  exit 1
fi
