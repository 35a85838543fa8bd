#!/usr/bin/env bash
# Executes every notebooks/*.ipynb top to bottom, headless, through a Java kernel (the test kernel
# org.jrnn.notebook.kernel.TestKernel, on JJava's kernel library), and checks their outputs (no
# error cells, expected text, images): the JUnit test org.jrnn.notebook.NotebooksIT. The executed
# notebooks and their HTML renderings are left in target/notebooks/ (open the .html in a browser).
#   scripts/test-notebooks.sh                 # installs Jupyter if missing, builds, runs (~3-4 min)
#   scripts/test-notebooks.sh --install-only  # only installs jupyter-nbconvert + jupyter-client
#   scripts/test-notebooks.sh --commit        # ... then copies the executed notebooks over notebooks/
#                                             # (they are committed executed, so GitHub shows the plots)
# `mvn verify` runs the same test (integration-test phase) when Jupyter is installed, and reports it
# skipped, with the reason, when it is not; -Djrnn.skipNotebooks=true leaves it out.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
log() { echo "[test-notebooks $(date -u +%H:%M:%S)] $*"; }

if ! jupyter nbconvert --version >/dev/null 2>&1; then
  log "installing jupyter-nbconvert jupyter-client (Debian)"
  SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=600 \
    jupyter-nbconvert jupyter-client
fi
log "jupyter nbconvert $(jupyter nbconvert --version)"
[ "${1:-}" = --install-only ] && exit 0

log "building the jar and the test classes (mvn -DskipTests package)"
mvn -B -q -ntp -DskipTests package
log "executing notebooks/*.ipynb (NotebooksIT)"
COMMIT_ARGS=()
# --commit: the committed copies are about to be replaced, so their own check waits for the next run
[ "${1:-}" = --commit ] && COMMIT_ARGS=(-Djrnn.notebooks.committing=true)
mvn -B -ntp -pl java/jrnn-examples surefire:test@notebooks "${COMMIT_ARGS[@]}"
log "notebooks passed; executed copies and HTML in $ROOT/target/notebooks/"
if [ "${1:-}" = --commit ]; then
  for nb in notebooks/*.ipynb; do
    cp "target/notebooks/$(basename "$nb")" "$nb"
  done
  log "copied the executed notebooks over notebooks/ (review with git diff, then commit)"
fi
