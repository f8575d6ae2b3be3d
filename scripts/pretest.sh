#!/usr/bin/env bash
# npm's pretest: the browser tests need Chromium ($CHROMIUM, or Debian's at /usr/bin/chromium).
# Where it is missing, install it when we may (root, apt-get), or stop with the command to run:
# a browser test never skips.
set -euo pipefail
chromium=${CHROMIUM:-/usr/bin/chromium}
if [ -x "$chromium" ]; then exit 0; fi
if [ -n "${CHROMIUM:-}" ]; then
  echo "pretest: CHROMIUM=$CHROMIUM is not an executable; point it at Chromium, or unset it to use /usr/bin/chromium" >&2
  exit 1
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "pretest: no Chromium at /usr/bin/chromium; installing it: apt-get update && apt-get install -y chromium" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >&2
  [ -x /usr/bin/chromium ] || { echo "pretest: apt-get installed chromium, but /usr/bin/chromium is still missing" >&2; exit 1; }
  exit 0
fi
echo "pretest: the browser tests need Chromium and there is none at /usr/bin/chromium. Install it with" >&2
echo "  sudo apt-get update && sudo apt-get install -y chromium" >&2
echo "or set CHROMIUM to a Chromium executable." >&2
exit 1
