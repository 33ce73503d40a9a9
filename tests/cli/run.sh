#!/bin/sh
# tests/cli/run.sh CASE.t TMPDIR: run one CLI golden case.
# A case file holds, one per line:
#   # comment
#   requires shared|sample      skip (exit 77) when ../shared or the generated sample is missing
#   requires pg                 needs the test PostgreSQL: skip (77) when EMSCOV_TEST_PG is unset, fail when
#                               EMSCOV_REQUIRE_PG=1; the command gets $PG (the conninfo), $S (a schema name of
#                               its own, t_cli_<pid>, dropped afterwards; not created) and sql "SQL" (psql -tA)
#   $ emscov ARGS...            the command ($SAMPLE, $SHARED, $TMP are set; `emscov` is the built binary)
#   ? N                         the expected exit code (default 0)
#   > TEXT                      a line stdout must contain exactly (whole line, leading/trailing spaces kept)
#   ~ TEXT                      a substring stdout must contain
#   ! TEXT                      a substring stderr must contain
#   - TEXT                      a substring stdout must NOT contain
#   = FILE                      FILE (relative to $TMP) must not exist afterwards (nothing half-written)
set -u
case_file=$1; TMP=$2
mkdir -p "$TMP"
SAMPLE=${EMSCOV_SAMPLE_DIR:-}; SHARED=${EMSCOV_SHARED_DIR:-}
export SAMPLE SHARED TMP
emscov() { "$EMSCOV_BIN" "$@"; }
sql() { psql -X -q -tA -v ON_ERROR_STOP=1 "$PG" -c "$1"; }
fail=0; cmd=""; want_rc=0
while IFS= read -r line || [ -n "$line" ]; do
  case $line in
    "requires shared") [ -n "$SHARED" ] && [ -d "$SHARED/data/real" ] || { echo "skipped: no shared/"; exit 77; } ;;
    "requires sample") [ -n "$SAMPLE" ] && [ -d "$SAMPLE" ] || { echo "skipped: no sample"; exit 77; } ;;
    "requires pg")
      if [ -z "${EMSCOV_TEST_PG:-}" ]; then
        [ "${EMSCOV_REQUIRE_PG:-}" = 1 ] && { echo "EMSCOV_TEST_PG not set (EMSCOV_REQUIRE_PG=1)"; exit 1; }
        echo "skipped: EMSCOV_TEST_PG not set"; exit 77
      fi
      PG=$EMSCOV_TEST_PG; S=t_cli_$$; export PG S
      trap 'psql -X -q "$PG" -c "SET client_min_messages = warning; DROP SCHEMA IF EXISTS $S CASCADE" >/dev/null 2>&1' EXIT ;;
    '$ '*) cmd=${line#\$ } ;;
    '? '*) want_rc=${line#\? } ;;
  esac
done <"$case_file"
[ -n "$cmd" ] || { echo "$case_file: no command line"; exit 1; }
eval "$cmd" >"$TMP/stdout" 2>"$TMP/stderr"
rc=$?
if [ "$rc" != "$want_rc" ]; then echo "exit $rc, want $want_rc"; fail=1; fi
while IFS= read -r line || [ -n "$line" ]; do
  text=${line#? }
  case $line in
    '> '*) grep -qxF -- "$text" "$TMP/stdout" || { echo "stdout lacks line: $text"; fail=1; } ;;
    '~ '*) grep -qF -- "$text" "$TMP/stdout" || { echo "stdout lacks: $text"; fail=1; } ;;
    '! '*) grep -qF -- "$text" "$TMP/stderr" || { echo "stderr lacks: $text"; fail=1; } ;;
    '- '*) if grep -qF -- "$text" "$TMP/stdout"; then echo "stdout has: $text"; fail=1; fi ;;
    '= '*) if [ -e "$TMP/$text" ]; then echo "left behind: $text"; fail=1; fi ;;
  esac
done <"$case_file"
if [ "$fail" != 0 ]; then
  echo "---- command: $cmd"; echo "---- stdout:"; head -n 60 "$TMP/stdout"; echo "---- stderr:"; cat "$TMP/stderr"
  exit 1
fi
echo "ok: $cmd"
