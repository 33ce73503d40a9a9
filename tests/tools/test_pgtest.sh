#!/bin/sh
# tests/tools/test_pgtest.sh SRC: tools/pgtest.sh start called right after a backend crash (issue 14 item 8).
# A backend killed with SIGKILL makes the postmaster reset every backend and recover; meanwhile it refuses
# connections. `start` then used to wait 10 s, delete the live server's postmaster.pid and start a second
# postmaster (which failed), and the first server shut itself down a minute later on its missing lock file.
# Now start must wait for the live server: same postmaster, its pid file kept, answering queries.
# Uses a throwaway cluster on a free port of its own (from 55000 + pid % 1000), wiped at the end. Skips (77) without
# PostgreSQL 15.
set -u
src=$1
pgbin=/usr/lib/postgresql/15/bin
[ -x "$pgbin/initdb" ] || { echo "skipped: PostgreSQL 15 is not installed"; exit 77; }
# a port nothing listens on (other servers of other tests or users may run on this machine)
in_use() {
  if command -v ss >/dev/null; then [ -n "$(ss -Hltn "sport = :$1" 2>/dev/null)" ]
  else "$pgbin/pg_isready" -q -h 127.0.0.1 -p "$1"; [ $? != 2 ]; fi
}
port=$((55000 + $$ % 1000)); n=0
while in_use "$port" || [ -e "/tmp/emscov-pgtest-selftest-$port" ]; do
  port=$((55000 + (port - 55000 + 7) % 1000)); n=$((n + 1))
  [ $n -lt 200 ] || { echo "FAIL: no free port in 55000..55999"; exit 1; }
done
dir=/tmp/emscov-pgtest-selftest-$port
export PGTEST_PORT=$port PGTEST_DIR=$dir
pgtest() { "$src/tools/pgtest.sh" "$@"; }
fail() { echo "FAIL: $*"; tail -n 20 "$dir/server.log" 2>/dev/null; exit 1; }
trap 'pgtest wipe >/dev/null 2>&1' EXIT INT TERM
ci=$(pgtest start) || fail "first start"
pid1=$(sed -n 1p "$dir/data/postmaster.pid")
# a backend to kill: a session sleeping in the server
"$pgbin/psql" -X -q "$ci" -c "SELECT pg_sleep(120)" >/dev/null 2>&1 &
sleeper=$!
i=0; bpid=
while [ -z "$bpid" ] && [ $i -lt 50 ]; do
  bpid=$("$pgbin/psql" -X -Atq "$ci" -c "SELECT pid FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(120)%'")
  [ -n "$bpid" ] || sleep 0.1; i=$((i + 1))
done
[ -n "$bpid" ] || fail "no sleeping backend found"
kill -9 "$bpid" || fail "kill -9 $bpid"
ci2=$(pgtest start) || fail "start after the backend crash"
[ "$ci2" = "$ci" ] || fail "start printed '$ci2', want '$ci'"
wait "$sleeper" 2>/dev/null
[ -f "$dir/data/postmaster.pid" ] || fail "postmaster.pid of the live server was deleted"
pid2=$(sed -n 1p "$dir/data/postmaster.pid")
[ "$pid2" = "$pid1" ] || fail "postmaster $pid1 replaced by $pid2"
kill -0 "$pid1" 2>/dev/null || fail "postmaster $pid1 is gone"
[ "$("$pgbin/psql" -X -Atq "$ci" -c "SELECT 1")" = 1 ] || fail "the server does not answer"
# a postmaster killed outright leaves a stale pid file: start removes it and starts a new server
kill -9 "$pid1"
ci3=$(pgtest start) || fail "start after the postmaster was killed"
[ "$("$pgbin/psql" -X -Atq "$ci3" -c "SELECT 1")" = 1 ] || fail "the restarted server does not answer"
pid3=$(sed -n 1p "$dir/data/postmaster.pid")
[ "$pid3" != "$pid1" ] || fail "no new postmaster"
echo "ok: pgtest start waits for a recovering server (postmaster $pid1 kept) and restarts a killed one ($pid3)"
