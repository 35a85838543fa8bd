#!/usr/bin/env bash
# bench-caption.sh: batch-captioning throughput on the CPU, jrnn vs the same decoder loop in PyTorch
# (scripts/torch_caption_bench.py) on the same weights and inputs, one thread each: captions/second
# for greedy and beam 5 at batch 1 and 64 (bench/caption/RESULTS.md).
#   scripts/bench-caption.sh [MODEL.safetensors]     # default target/caption/twemoji.safetensors
# Environment: IMAGES (default 256), REPEATS (3, best of), BATCHES (1,64), BEAMS (1,5), THREADS (1),
# PYTHON (/usr/bin/python3, with torch), OPENBLAS (a libopenblas.so.0; default build/openblas/lib's).
# Debian's python3-torch calls the system libblas.so.3, which is the slow reference BLAS unless
# OpenBLAS is installed: PyTorch runs twice, as installed and with libblas.so.3 pointed at OpenBLAS
# (LD_LIBRARY_PATH, this process only), and both rows are reported. Needs the Twemoji data (scripts/fetch-twemoji.sh) and a
# trained captioner (trained here with org.jrnn.examples.TwemojiExperiment when MODEL is missing).
# Writes target/caption/bench/{features.safetensors,jrnn.json,torch.json} and prints a table.
set -euo pipefail

ROOT=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
MODEL=${1:-$ROOT/target/caption/twemoji.safetensors}
OUT=$ROOT/target/caption/bench
PYTHON=${PYTHON:-/usr/bin/python3}
THREADS=${THREADS:-1}

"$ROOT/scripts/fetch-twemoji.sh" "$ROOT/target/twemoji"

BENCH_TARGET=$ROOT/java/jrnn-bench/target   # jrnn-bench: CaptionBench; the experiment via jrnn-examples
JAR=$(ls "$BENCH_TARGET"/jrnn-bench-*.jar 2>/dev/null | grep -v -e sources -e javadoc -e tests | head -n1 || true)
if [ -z "$JAR" ] || [ ! -s "$BENCH_TARGET/runtime-classpath.txt" ]; then
  (cd "$ROOT" && mvn -B -q -DskipTests package >&2)
  JAR=$(ls "$BENCH_TARGET"/jrnn-bench-*.jar | grep -v -e sources -e javadoc -e tests | head -n1)
fi
CP=$JAR:$(cat "$BENCH_TARGET/runtime-classpath.txt")
mkdir -p "$OUT"

if [ ! -f "$MODEL" ]; then
  # the model of bench/caption/RESULTS.md (a few minutes on one core)
  echo "bench-caption: training $MODEL (org.jrnn.examples.TwemojiExperiment)" >&2
  java -Djrnn.cpu.threads="$THREADS" -cp "$CP" org.jrnn.examples.TwemojiExperiment --data "$ROOT/target/twemoji" \
    --epochs 150 --image-size 16 --pixels rgb+std --augment shift=2,recolor=1,regions=0.7,noise=0.05 \
    --model "$MODEL" --report "$ROOT/target/caption/twemoji-results.json" >&2
fi

java -Djrnn.cpu.threads="$THREADS" -cp "$CP" org.jrnn.bench.CaptionBench --model "$MODEL" \
  --data "$ROOT/target/twemoji" --images "${IMAGES:-256}" --repeats "${REPEATS:-3}" \
  --batches "${BATCHES:-1,64}" --beams "${BEAMS:-1,5}" --out "$OUT"
TORCH_ARGS=(--model "$MODEL" --features "$OUT/features.safetensors" --threads "$THREADS" --repeats "${REPEATS:-3}"
  --batches "${BATCHES:-1,64}" --beams "${BEAMS:-1,5}")
echo "PyTorch with the system BLAS:"
"$PYTHON" "$ROOT/scripts/torch_caption_bench.py" "${TORCH_ARGS[@]}" --out "$OUT/torch.json"
OPENBLAS=${OPENBLAS:-$ROOT/build/openblas/lib/libopenblas.so.0}
if [ -f "$OPENBLAS" ]; then
  BLASDIR=$OUT/openblas-as-libblas
  mkdir -p "$BLASDIR"
  ln -sf "$OPENBLAS" "$BLASDIR/libblas.so.3"
  ln -sf "$OPENBLAS" "$BLASDIR/liblapack.so.3"
  echo "PyTorch with OpenBLAS ($OPENBLAS):"
  LD_LIBRARY_PATH=$BLASDIR:$(dirname "$OPENBLAS")${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH} OPENBLAS_NUM_THREADS=$THREADS \
    "$PYTHON" "$ROOT/scripts/torch_caption_bench.py" "${TORCH_ARGS[@]}" --out "$OUT/torch-openblas.json"
fi

"$PYTHON" - "$OUT" <<'PY'
import json, os, sys
out = sys.argv[1]
jd = json.load(open(out + "/jrnn.json"))
j = {(r["beam"], r["batch"]): r for r in jd["runs"]}
t = {(r["beam"], r["batch"]): r for r in json.load(open(out + "/torch.json"))["runs"]}
ob = {}
if os.path.exists(out + "/torch-openblas.json"):
    ob = {(r["beam"], r["batch"]): r for r in json.load(open(out + "/torch-openblas.json"))["runs"]}
n = jd["images"]
print(f"\n{n} images, {jd['cpu']}, jrnn threads {jd['threads']}")
print("| decoding | batch | jrnn captions/s | PyTorch (system BLAS) | ratio | PyTorch (OpenBLAS) | ratio | same captions |")
print("|---|---|---|---|---|---|---|---|")
for k in j:
    jr = j[k]["captions_per_second"]
    name = "greedy" if k[0] == 1 else f"beam {k[0]}"
    a = t.get(k, {}).get("captions_per_second")
    b = ob.get(k, {}).get("captions_per_second")
    same = (ob.get(k) or t.get(k) or {}).get("same_captions_as_jrnn", "?")
    fmt = lambda x: "-" if x is None else f"{x:.1f}"
    rat = lambda x: "-" if x is None else f"{jr / x:.2f}x"
    print(f"| {name} | {k[1]} | {jr:.1f} | {fmt(a)} | {rat(a)} | {fmt(b)} | {rat(b)} | {same}/{n} |")
PY
