#!/usr/bin/env bash
# Proves a change leaves the site as it was: builds the lessons at REF (default HEAD) in a
# throwaway worktree and in the working tree, and compares the two sites byte for byte.
#   scripts/same-site.sh [REF]
set -euo pipefail
cd "$(dirname "$0")/.."
ref=${1:-HEAD}
tmp=$(mktemp -d)
trap 'git worktree remove --force "$tmp/ref" >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
git worktree add --detach -q "$tmp/ref" "$ref"
ln -s "$PWD/node_modules" "$tmp/ref/node_modules"
# Each tree builds with its own CLI (its location moved once: src/cli.ts → bin/chainbook.js).
cli() { if [ -f "$1/bin/chainbook.js" ]; then echo "$1/bin/chainbook.js"; else echo "--import tsx $1/src/cli.ts"; fi; }
(cd "$tmp/ref" && node $(cli "$tmp/ref") build --out "$tmp/before" >/dev/null 2>"$tmp/ref.log") || { cat "$tmp/ref.log"; exit 1; }
node $(cli "$PWD") build --out "$tmp/after" >/dev/null 2>"$tmp/now.log" || { cat "$tmp/now.log"; exit 1; }
# Which files differ (a diff of the minified live script would be one line of megabytes).
if diff -rq "$tmp/before" "$tmp/after"; then echo "the site is byte-identical to $ref's"; else echo "the site differs from $ref's"; exit 1; fi
