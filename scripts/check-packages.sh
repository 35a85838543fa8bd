#!/usr/bin/env bash
# The module graph drawn from the code: jdeps over every module's compiled classes, then checks that
# (1) no two packages depend on each other, directly or around a loop (no package cycles), and
# (2) every dependency between modules points down the order in docs/ARCHITECTURE.md:
#     core <- train <- models <- caption; notebook, cli, examples, bench above them.
# Prints the package graph; exits non-zero naming the cycle or the upward edge.
#   scripts/check-packages.sh        # after `mvn compile` (scripts/test.sh runs it after mvn verify)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
for m in java/jrnn-*/; do
  name=$(basename "$m"); name=${name#jrnn-}
  [ -d "$m/target/classes/org" ] || continue
  mkdir -p "$WORK/$name"
  # module-info.class is left out: jdeps would then want every module on a module path
  cp -r "$m/target/classes/org" "$WORK/$name/"
done
[ -n "$(ls "$WORK")" ] || { echo "check-packages: no compiled classes (run mvn compile)" >&2; exit 1; }
: > "$WORK/edges.txt"
for d in "$WORK"/*/; do
  jdeps -verbose:package -filter:none -e 'org\.jrnn.*' "$d" 2>/dev/null \
    | awk -v mod="$(basename "$d")" '/->/ && $3 ~ /^org\.jrnn/ {print mod, $1, $3}' >> "$WORK/edges.txt"
  (cd "$d" && find org -name '*.class' | sed 's#/[^/]*$##; s#/#.#g' | sort -u | sed "s/^/$(basename "$d") /") >> "$WORK/packages.txt"
done
python3 - "$WORK/edges.txt" "$WORK/packages.txt" <<'PY'
import sys, collections
order = ["core", "platform", "train", "models", "caption", "notebook", "cli", "examples", "bench"]
below = {  # the modules each module may use (itself included)
    "core": {"core"}, "train": {"core", "train"}, "models": {"core", "train", "models"},
    "caption": {"core", "train", "models", "caption"},
    "notebook": {"core", "train", "models", "notebook"},
    "cli": {"core", "train", "models", "caption", "cli"},
    "examples": {"core", "train", "models", "caption", "notebook", "cli", "examples"},
    "bench": {"core", "train", "models", "caption", "cli", "examples", "bench"},
}
module_of = {}
for line in open(sys.argv[2]):
    mod, pkg = line.split()
    if pkg in module_of and module_of[pkg] != mod:
        sys.exit(f"check-packages: package {pkg} is split between jrnn-{module_of[pkg]} and jrnn-{mod}")
    module_of[pkg] = mod
graph = collections.defaultdict(set)
bad = []
for line in open(sys.argv[1]):
    mod, a, b = line.split()
    if a == b or b not in module_of:
        continue
    graph[a].add(b)
    if module_of[b] not in below[module_of[a]]:
        bad.append(f"{a} (jrnn-{module_of[a]}) -> {b} (jrnn-{module_of[b]})")
for a in sorted(graph):
    print(f"{a:24s} -> {', '.join(sorted(graph[a]))}")
# Tarjan's strongly connected components: any with more than one package is a cycle
index, low, stack, on, sccs, n = {}, {}, [], set(), [], [0]
def visit(v):
    index[v] = low[v] = n[0]; n[0] += 1; stack.append(v); on.add(v)
    for w in graph.get(v, ()):
        if w not in index:
            visit(w); low[v] = min(low[v], low[w])
        elif w in on:
            low[v] = min(low[v], index[w])
    if low[v] == index[v]:
        comp = []
        while True:
            w = stack.pop(); on.discard(w); comp.append(w)
            if w == v: break
        if len(comp) > 1: sccs.append(sorted(comp))
sys.setrecursionlimit(10000)
for v in list(module_of):
    if v not in index: visit(v)
for c in sccs:
    print("check-packages: package cycle: " + " <-> ".join(c), file=sys.stderr)
for e in bad:
    print("check-packages: upward module dependency: " + e, file=sys.stderr)
if sccs or bad:
    sys.exit(1)
print(f"check-packages: ok ({len(module_of)} packages in {len(set(module_of.values()))} modules, no cycles, every module edge points down)")
PY
