#!/bin/sh
# tests/cli/run.sh CASE.t TMPDIR: run one CLI golden case.
# A case file holds, one per line:
#   # comment
#   requires shared|sample      skip (exit 77) when ../shared or the generated sample is missing
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
fail=0; cmd=""; want_rc=0
while IFS= read -r line || [ -n "$line" ]; do
  case $line in
    "requires shared") [ -n "$SHARED" ] && [ -d "$SHARED/data/real" ] || { echo "skipped: no shared/"; exit 77; } ;;
    "requires sample") [ -n "$SAMPLE" ] && [ -d "$SAMPLE" ] || { echo "skipped: no sample"; exit 77; } ;;
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
