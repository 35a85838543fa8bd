#!/usr/bin/env bash
# train-real-data.sh: one `jrnn train` + `jrnn eval` run per task on the real data under data/, with the
# defaults a new user gets (no model or tokenizer options), one after the other; writes bench/tasks/RESULTS.md
# (the commands, what train printed about the data, the eval metrics, times, machine, commit). The README's
# training section quotes it.
#   scripts/train-real-data.sh                 # every task (about 15 minutes on the 2-core dev machine)
#   scripts/train-real-data.sh tag seq2seq-g2p # some of them
# Tasks: classify, lm, tag, seq2seq-g2p, seq2seq-text, digits.
# Environment: OUT (default bench/tasks/RESULTS.md), JRNN (the launcher, default scripts/jrnn),
# LM_BUDGET (training time of the language model, default 3m).
set -euo pipefail

ROOT=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
cd "$ROOT"
OUT=${OUT:-bench/tasks/RESULTS.md}
JRNN=${JRNN:-scripts/jrnn}
LM_BUDGET=${LM_BUDGET:-3m}
TASKS=("$@")
[ ${#TASKS[@]} -gt 0 ] || TASKS=(classify lm tag seq2seq-g2p seq2seq-text digits)

WORK=$(mktemp -d "${TMPDIR:-/tmp}/jrnn-real-data.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
"$JRNN" --version >/dev/null # build once, before any timing
export JRNN_NO_BUILD=1

# The novel split by lines: the language model validates on a text it never trained on.
total=$(wc -l <data/moby-dick.txt)
head -n $((total * 9 / 10)) data/moby-dick.txt >"$WORK/moby-train.txt"
tail -n +$((total * 9 / 10 + 1)) data/moby-dick.txt >"$WORK/moby-valid.txt"

declare -A TRAIN EVAL WHAT
WHAT[classify]="reviews (UCI sentences): train on Yelp, evaluate on Amazon"
TRAIN[classify]="--task classify --data data/sentiment/yelp.json"
EVAL[classify]="--data data/sentiment/amazon.json"
WHAT[lm]="Moby-Dick, character level: train on the first 90% of the lines, validate and evaluate on the rest"
TRAIN[lm]="--task lm --data $WORK/moby-train.txt --valid $WORK/moby-valid.txt --time-budget $LM_BUDGET"
EVAL[lm]="--data $WORK/moby-valid.txt"
WHAT[tag]="part-of-speech tags: 154 WSJ sentences, evaluated on 120 other sentences"
TRAIN[tag]="--task tag --data data/real/treebank-train.conll"
EVAL[tag]="--data data/real/treebank-test.conll"
WHAT[seq2seq-g2p]="pronunciation (CMUDICT): 1,000 spelled words to phonemes, evaluated on 150 others"
TRAIN[seq2seq-g2p]="--task seq2seq --data data/real/cmudict-train.tsv"
EVAL[seq2seq-g2p]="--data data/real/cmudict-test.tsv"
WHAT[seq2seq-text]="translation: 600 short Bible verses English to Spanish, evaluated on 71 others"
TRAIN[seq2seq-text]="--task seq2seq --data data/real/kjv-sparv-train.tsv"
EVAL[seq2seq-text]="--data data/real/kjv-sparv-test.tsv"
WHAT[digits]="UCI digits to their spelled names; evaluated on all 1,797 images, 90% of them seen in training (no separate test file)"
TRAIN[digits]="--task digits --data data/digits.csv.gz"
EVAL[digits]="--data data/digits.csv.gz"

isa=$(grep -o -w -m1 'avx512f' /proc/cpuinfo || grep -o -w -m1 'avx2' /proc/cpuinfo || echo none)
{
  echo "# One run per task on real data, defaults of a new user"
  echo
  echo "$(date -u +%Y-%m-%d), commit $(git rev-parse --short=12 HEAD), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), widest ISA $isa."
  echo "Made by scripts/train-real-data.sh: \`jrnn train\` with no model or tokenizer option, then \`jrnn eval\`."
  echo
} >"$WORK/results.md"

for t in "${TASKS[@]}"; do
  [ -n "${TRAIN[$t]:-}" ] || { echo "train-real-data: unknown task $t" >&2; exit 2; }
  echo "== $t" >&2
  model="$WORK/$t.safetensors"
  start=$(date +%s.%N)
  # shellcheck disable=SC2086
  "$JRNN" train ${TRAIN[$t]} --out "$model" >"$WORK/$t.train" 2>"$WORK/$t.err" ||
    { cat "$WORK/$t.train" "$WORK/$t.err" >&2; exit 1; }
  secs=$(echo "$(date +%s.%N) - $start" | bc)
  # shellcheck disable=SC2086
  "$JRNN" eval --model "$model" ${EVAL[$t]} >"$WORK/$t.eval"
  {
    echo "## $t: ${WHAT[$t]}"
    echo
    echo '```'
    echo "jrnn train ${TRAIN[$t]//$WORK\//} --out $t.safetensors"
    { grep -E '^(data|model) ' "$WORK/$t.train" || true; tail -n 1 "$WORK/$t.train"; } | sed "s|$WORK/||g"
    printf 'train wall-clock %.0f s\n' "$secs"
    echo "jrnn eval --model $t.safetensors ${EVAL[$t]//$WORK\//}"
    sed "s|$WORK/||g" "$WORK/$t.eval"
    echo '```'
    echo
  } >>"$WORK/results.md"
done
mkdir -p "$(dirname "$OUT")"
cp "$WORK/results.md" "$OUT"
echo "wrote $OUT" >&2
