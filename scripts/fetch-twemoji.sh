#!/usr/bin/env bash
# fetch-twemoji.sh: the Twemoji captioning data (1,911 64x64 emoji PNGs + skin-tone variants, each
# with its Unicode name) from npm emoji-datasource-twitter@16.0.0, checked by SHA-256; only
# package/emoji.json and package/img/twitter/64 are kept (18 MB; the tgz is 62 MB). Not committed.
#   scripts/fetch-twemoji.sh [DEST]        # default DEST: target/twemoji
# Environment: TWEMOJI_TGZ=path/to/emoji-datasource-twitter-16.0.0.tgz uses that file (no network).
# Afterwards DEST holds emoji.json and img/twitter/64/*.png; running again does nothing.
# Licence: package MIT (Cal Henderson); Twemoji graphics CC BY 4.0 (Twitter, Inc. and contributors).
set -euo pipefail

ROOT=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
PKG=emoji-datasource-twitter
VERSION=16.0.0
SHA256=f64a530c63bca463bd8317fdc4615ce63a53a0c65018e4ce2d848aaba7a28877
DEST=${1:-$ROOT/target/twemoji}

if [ -f "$DEST/.complete" ] && [ "$(cat "$DEST/.complete")" = "$SHA256" ]; then
  echo "fetch-twemoji: $DEST is up to date" >&2
  exit 0
fi

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
TGZ=$TMP/$PKG-$VERSION.tgz
if [ -n "${TWEMOJI_TGZ:-}" ]; then
  cp "$TWEMOJI_TGZ" "$TGZ"
else
  command -v npm >/dev/null || { echo "fetch-twemoji: npm is not installed (or set TWEMOJI_TGZ)" >&2; exit 1; }
  (cd "$TMP" && npm pack --silent "$PKG@$VERSION" >/dev/null)
fi
echo "$SHA256  $TGZ" | sha256sum -c --quiet - || {
  echo "fetch-twemoji: SHA-256 mismatch for $PKG-$VERSION.tgz (expected $SHA256)" >&2
  exit 1
}
tar xzf "$TGZ" -C "$TMP" package/emoji.json package/img/twitter/64
mkdir -p "$DEST"
rm -rf "$DEST/img" "$DEST/emoji.json"
mv "$TMP/package/emoji.json" "$DEST/emoji.json"
mkdir -p "$DEST/img/twitter"
mv "$TMP/package/img/twitter/64" "$DEST/img/twitter/64"
echo "$SHA256" >"$DEST/.complete"
echo "fetch-twemoji: $(ls "$DEST/img/twitter/64" | wc -l) images and emoji.json in $DEST" >&2
