#!/bin/sh
# tools/pgtest.sh: a throwaway PostgreSQL 15 + PostGIS + pgRouting for the tests, on a private port and socket
# directory, started as root without systemd (runuser) or as an ordinary user.
#   tools/pgtest.sh start|stop|status|env|wipe     (idempotent)
# start prints the libpq conninfo of the test database. Env: PGTEST_PORT (54329), PGTEST_DIR, PGTEST_DB.
set -eu
PGBIN=/usr/lib/postgresql/15/bin
PORT=${PGTEST_PORT:-54329}
ROOT=${PGTEST_DIR:-/tmp/emscov-pgtest-$PORT}  # every parent must be traversable by user postgres: not /root
DB=${PGTEST_DB:-emscov_test}
DATA=$ROOT/data; SOCK=$ROOT/sock; LOG=$ROOT/server.log
asp() { if [ "$(id -u)" = 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi; }
psql_() { "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$SOCK" -p "$PORT" -U postgres "$@"; }
ready() { "$PGBIN/pg_isready" -q -h "$SOCK" -p "$PORT"; }
running() { [ -f "$DATA/postmaster.pid" ] && asp "$PGBIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; }
# The postmaster recorded in postmaster.pid is alive: kill -0 as the data directory's owner (a reused pid of
# another user's process does not count) and, where /proc tells, a postgres of this data directory.
alive() {
  pid=$(sed -n 1p "$DATA/postmaster.pid" 2>/dev/null) || return 1
  case $pid in ''|*[!0-9]*) return 1 ;; esac
  asp kill -0 "$pid" 2>/dev/null || return 1
  cmd=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 0
  [ -z "$cmd" ] && return 0   # a zombie postmaster not yet reaped: gone in a moment, wait for it
  case $cmd in *"$DATA"*) return 0 ;; *) return 1 ;; esac
}
conninfo() { echo "host=127.0.0.1 port=$PORT user=postgres dbname=$DB"; }
case "${1:-start}" in
start)
  [ -x "$PGBIN/initdb" ] || { echo "pgtest: PostgreSQL 15 is not installed (tools/setup.sh test)" >&2; exit 2; }
  mkdir -p "$ROOT" "$SOCK"
  if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$ROOT" "$SOCK"; fi
  chmod 700 "$ROOT"
  if [ ! -s "$DATA/PG_VERSION" ]; then
    rm -rf "$DATA"
    asp "$PGBIN/initdb" -D "$DATA" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$ROOT/initdb.log" 2>&1 \
      || { cat "$ROOT/initdb.log" >&2; exit 1; }
    cat >>"$DATA/postgresql.conf" <<CONF
port = $PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '$SOCK'
fsync = off
synchronous_commit = off
full_page_writes = off
shared_buffers = 64MB
max_connections = 40
CONF
  fi
  # A live postmaster that does not accept connections yet is recovering (a backend crashed: every backend is
  # reset) or still starting: wait for it, up to 60 s, and never touch its lock file. Only a postmaster.pid
  # whose postmaster is gone (a killed server; it lingers ~1 s) is stale and removed before starting anew.
  i=0; while ! ready && alive && [ $i -lt 120 ]; do sleep 0.5; i=$((i+1)); done
  if ! ready; then
    if alive; then
      echo "pgtest: the server in $DATA (postmaster $pid) is alive but refuses connections after 60 s; see $LOG" >&2
      exit 1
    fi
    rm -f "$DATA/postmaster.pid"
    # the killed postmaster's backends may hold its shared memory a moment longer: try again, 3 times at most
    n=0; until asp "$PGBIN/pg_ctl" -D "$DATA" -l "$LOG" -w -t 30 start >/dev/null; do
      n=$((n+1)); [ $n -lt 3 ] || { tail -n 20 "$LOG" >&2; exit 1; }
      sleep 1; rm -f "$DATA/postmaster.pid"
    done
    i=0; while ! ready && [ $i -lt 60 ]; do sleep 0.5; i=$((i+1)); done
    ready || { echo "pgtest: the server started but does not accept connections; see $LOG" >&2; exit 1; }
  fi
  psql_ -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='$DB'" | grep -q 1 \
    || psql_ -d postgres -c "CREATE DATABASE $DB"
  psql_ -d "$DB" -c "SET client_min_messages=warning; CREATE EXTENSION IF NOT EXISTS postgis;
                     CREATE EXTENSION IF NOT EXISTS pgrouting;"
  conninfo ;;
stop)   if running; then asp "$PGBIN/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null; fi ;;
status) if ready; then echo running; else echo stopped; exit 3; fi ;;
env)    conninfo ;;
wipe)   "$0" stop; rm -rf "$ROOT" ;;
*)      echo "usage: $0 start|stop|status|env|wipe" >&2; exit 2 ;;
esac
