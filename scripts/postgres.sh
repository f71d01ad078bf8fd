#!/usr/bin/env bash
# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# A throw-away PostgreSQL server for the tests of the evidence history on PostgreSQL (issue 19).
#
#   eval "$(scripts/postgres.sh start)"   # prints export lines: CTXLIC_TEST_PG_DSN, CTXLIC_TEST_PG_DIR
#   scripts/postgres.sh stop              # stops the server of $CTXLIC_TEST_PG_DIR and deletes its folder
#
# start installs Debian's postgresql package when no server is installed (needs root and apt, as CI has;
# otherwise it says so and exits 1), creates a cluster in a new temporary folder (initdb), and starts it
# on 127.0.0.1 on a free port with its socket in that folder. PostgreSQL refuses to run as root: when
# started as root the server runs as the unprivileged system user "postgres" (the package creates it;
# created here when missing). The tests connect as role "ctxlic" with a password (scram-sha-256 over
# TCP), to database "ctxlic"; the password is a random throw-away one, in the printed DSN only.
# CTXLIC_SKIP_POSTGRES=1 makes start print nothing (the PostgreSQL tests are then skipped).
set -euo pipefail

pg_bin() {
  local dir
  for dir in /usr/lib/postgresql/*/bin; do
    [ -x "$dir/initdb" ] && { echo "$dir"; return 0; }
  done
  command -v initdb >/dev/null 2>&1 && { dirname "$(command -v initdb)"; return 0; }
  return 1
}

as_server_user() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start() {
  local bin
  if [ "${CTXLIC_SKIP_POSTGRES:-0}" = 1 ]; then
    echo "postgres.sh: CTXLIC_SKIP_POSTGRES=1, no PostgreSQL: its tests are skipped" >&2
    return 0
  fi
  if ! bin=$(pg_bin); then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      echo "postgres.sh: installing postgresql (apt)" >&2
      (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql) >/dev/null 2>&1 \
        || { echo "postgres.sh: apt-get install postgresql failed" >&2; exit 1; }
      bin=$(pg_bin) || { echo "postgres.sh: no initdb after installing postgresql" >&2; exit 1; }
    else
      echo "postgres.sh: PostgreSQL is not installed and cannot be installed here (needs root and apt)" >&2
      exit 1
    fi
  fi
  if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
    useradd --system --no-create-home --shell /usr/sbin/nologin postgres
  fi
  local dir port password
  dir=$(mktemp -d "${TMPDIR:-/tmp}/ctxlic-pg.XXXXXX")
  [ "$(id -u)" = 0 ] && chown postgres: "$dir"
  chmod 700 "$dir"
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  password=$(python3 -c 'import secrets; print("pw" + secrets.token_hex(12))')
  as_server_user "$bin/initdb" -D "$dir/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
    -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
  as_server_user "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c max_connections=200" start >/dev/null \
    || { cat "$dir/server.log" >&2; exit 1; }
  as_server_user "$bin/psql" -h "$dir" -p "$port" -U postgres -d postgres -q -v ON_ERROR_STOP=1 \
    -c "CREATE ROLE ctxlic LOGIN PASSWORD '$password'" -c "CREATE DATABASE ctxlic OWNER ctxlic" >/dev/null
  echo "export CTXLIC_TEST_PG_DIR=$dir"
  echo "export CTXLIC_TEST_PG_DSN=postgresql://ctxlic:$password@127.0.0.1:$port/ctxlic"
  echo "postgres.sh: PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port ($dir)" >&2
}

stop() {
  local dir=${1:-${CTXLIC_TEST_PG_DIR:-}} bin
  [ -n "$dir" ] && [ -d "$dir/data" ] || { echo "postgres.sh: no cluster to stop (set CTXLIC_TEST_PG_DIR)" >&2; return 0; }
  bin=$(pg_bin)
  as_server_user "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}

case "${1:-}" in
  start) start ;;
  stop) stop "${2:-}" ;;
  *) echo "usage: $0 start|stop [dir]" >&2; exit 2 ;;
esac
