#!/usr/bin/env bash
# Prints the path of a Chromium binary (one line on stdout), for the inspector's browser test
# (test/inspector/inspector-browser.test.ts drives it with playwright-core).
#
# - /usr/bin/chromium (Debian's package) or chromium on PATH: prints it.
# - otherwise, when running as root where apt-get exists (a fresh CI machine): installs the
#   Debian package chromium (apt-get update once, then apt-get install), quietly, and prints the
#   installed binary. apt's output goes to a log that is shown only on failure.
# - otherwise: exits 1 with a message saying what to do.
#
# Harmless to run by hand.
set -euo pipefail

find_chromium() {
  local found
  for found in /usr/bin/chromium /usr/bin/chromium-browser; do
    if [ -x "$found" ]; then
      printf '%s\n' "$found"
      return 0
    fi
  done
  if found="$(command -v chromium 2>/dev/null)" && [ -n "$found" ]; then
    printf '%s\n' "$found"
    return 0
  fi
  return 1
}

fail() {
  printf 'ensure-chromium: %s\n' "$1" >&2
  printf 'ensure-chromium: install the Debian package chromium (apt-get install chromium), as root\n' >&2
  exit 1
}

if find_chromium; then
  exit 0
fi

if [ "$(id -u)" != 0 ]; then
  fail 'no chromium in /usr/bin or on PATH, and not running as root, so it cannot be installed with apt-get'
fi
if ! command -v apt-get >/dev/null 2>&1; then
  fail 'no chromium in /usr/bin or on PATH, and no apt-get to install it with'
fi

log="$(mktemp "${TMPDIR:-/tmp}/ensure-chromium.XXXXXX.log")"
trap 'rm -f "$log"' EXIT
printf 'ensure-chromium: installing the Debian package chromium with apt-get\n' >&2
export DEBIAN_FRONTEND=noninteractive
if ! apt-get update -qq >"$log" 2>&1; then
  tail -n 20 "$log" >&2
  fail 'apt-get update failed'
fi
if ! apt-get install -y -qq --no-install-recommends chromium >>"$log" 2>&1; then
  tail -n 20 "$log" >&2
  fail 'apt-get install chromium failed'
fi
if ! find_chromium; then
  fail 'apt-get installed chromium, but no chromium binary was found afterwards'
fi
