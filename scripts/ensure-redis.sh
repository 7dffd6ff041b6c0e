#!/usr/bin/env bash
# Prints the path of a redis-server binary (one line on stdout), for the Redis store tests.
#
# - redis-server on PATH (or in /usr/bin, /usr/sbin, /usr/local/bin): prints it.
# - otherwise, when running as root where apt-get exists (a fresh CI machine): installs the
#   Debian package redis-server (apt-get update once, then apt-get install), quietly, and
#   prints the installed binary. apt's output goes to a log that is shown only on failure.
# - otherwise: exits 1 with a message saying what to do.
#
# Used by test/setup/redis-global-setup.ts; harmless to run by hand.
set -euo pipefail

find_redis_server() {
  local found
  if found="$(command -v redis-server 2>/dev/null)" && [ -n "$found" ]; then
    printf '%s\n' "$found"
    return 0
  fi
  for found in /usr/bin/redis-server /usr/sbin/redis-server /usr/local/bin/redis-server; do
    if [ -x "$found" ]; then
      printf '%s\n' "$found"
      return 0
    fi
  done
  return 1
}

fail() {
  printf 'ensure-redis: %s\n' "$1" >&2
  printf 'ensure-redis: install redis-server or set REDIS_URL (e.g. REDIS_URL=redis://127.0.0.1:6379/0)\n' >&2
  exit 1
}

if find_redis_server; then
  exit 0
fi

if [ "$(id -u)" != 0 ]; then
  fail 'no redis-server on PATH, and not running as root, so it cannot be installed with apt-get'
fi
if ! command -v apt-get >/dev/null 2>&1; then
  fail 'no redis-server on PATH, and no apt-get to install it with'
fi

log="$(mktemp "${TMPDIR:-/tmp}/ensure-redis.XXXXXX.log")"
trap 'rm -f "$log"' EXIT
printf 'ensure-redis: installing the Debian package redis-server with apt-get\n' >&2
export DEBIAN_FRONTEND=noninteractive
if ! apt-get update -qq >"$log" 2>&1; then
  tail -n 20 "$log" >&2
  fail 'apt-get update failed'
fi
if ! apt-get install -y -qq --no-install-recommends redis-server >>"$log" 2>&1; then
  tail -n 20 "$log" >&2
  fail 'apt-get install redis-server failed'
fi
if ! find_redis_server; then
  fail 'apt-get installed redis-server, but no redis-server binary was found afterwards'
fi
