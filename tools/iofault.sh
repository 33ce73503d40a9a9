#!/bin/sh
# tools/iofault.sh [short|long]: the I/O-fault loop of issue 14. An output set is written into OUT by a first
# run; then a second run that would write a different set (other thresholds) is repeated with one I/O call
# under OUT failed: each open, write, fsync and rename it makes there in turn (the LD_PRELOAD shim
# tests/faults/iofault.c: EACCES, ENOSPC, EIO, EIO). After every faulted run:
#   - exit 1 with a message, OUT holds the first run's set byte for byte and nothing else (no staging, old or
#     commit directory, no temporary file); or
#   - exit 0 when the failed call was on a directory (its fsync, or the open for that fsync or for the lock,
#     are not errors by design: docs/reliability.md), with the whole new set in place and nothing else; when
#     it was the flush of OUT after the swap, with a warning that says so.
# Anything else (exit 2, a crash, a mixed set, a leftover) fails. short (the ctest case faults_io): analyze on
# the mini city (tests/cli/fixtures/mini_city.sh); long: also analyze --report html and sites.
# Environment: EMSCOV_BIN (default build/src/emscov), EMSCOV_IOFAULT_LIB (the shim; default: built here with
# cc), EMSCOV_SOURCE_DIR (default: this checkout), IOFAULT_TMP (kept when given).
set -u
mode=${1:-short}
case $mode in short|long) ;; *) echo "usage: tools/iofault.sh [short|long]" >&2; exit 2 ;; esac
src=${EMSCOV_SOURCE_DIR:-$(cd "$(dirname "$0")/.." && pwd)}
bin=${EMSCOV_BIN:-$src/build/src/emscov}
tmp=${IOFAULT_TMP:-$(mktemp -d "${TMPDIR:-/tmp}/emscov-iofault.XXXXXX")}
rm -rf "$tmp" && mkdir -p "$tmp" && tmp=$(cd "$tmp" && pwd)
lib=${EMSCOV_IOFAULT_LIB:-}
if [ -z "$lib" ]; then
  lib=$tmp/iofault.so
  cc -O1 -shared -fPIC -o "$lib" "$src/tests/faults/iofault.c" -ldl || exit 1
fi
# an ASan build must accept a preloaded library ahead of its runtime
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}:verify_asan_link_order=0:exitcode=86"
city=$tmp/city
sh "$src/tests/cli/fixtures/mini_city.sh" "$city" || exit 1
sed 's/^name = mini$/&\nthresholds_min = 9, 15/' "$city/scenario.ini" > "$city/b.ini"
out=$tmp/out
fail=0

# listing DIR: its entries (hidden ones too) with checksums of the files
listing() { (cd "$1" && for f in $(ls -A | sort); do if [ -f "$f" ]; then sha256sum "$f"; else echo "not a file: $f"; fi; done); }

# loop NAME FIRST_ARGS -- SECOND_ARGS: OUT gets FIRST's set, then each fault of SECOND
loop() {
  name=$1; shift
  first=""; while [ "$1" != "--" ]; do first="$first $1"; shift; done; shift
  rm -rf "$out" "$tmp/pristine"
  # shellcheck disable=SC2086
  "$bin" $first --out "$out" >/dev/null 2>"$tmp/stderr" || { echo "$name: the first run failed"; cat "$tmp/stderr"; fail=$((fail + 1)); return; }
  cp -a "$out" "$tmp/pristine"
  listing "$out" > "$tmp/old"
  rm -f "$tmp/log"
  EMSCOV_IOFAULT_DIR=$out EMSCOV_IOFAULT_LOG=$tmp/log LD_PRELOAD=$lib "$bin" "$@" --out "$out" >/dev/null 2>"$tmp/stderr" ||
    { echo "$name: the second run failed"; cat "$tmp/stderr"; fail=$((fail + 1)); return; }
  listing "$out" > "$tmp/new"
  first_json=$(sed -n 's/^[0-9a-f]*  \(.*\.json\)$/\1/p' "$tmp/old" | head -n 1)
  if cmp -s "$tmp/old" "$tmp/new"; then echo "$name: the second run writes the same set: no test"; fail=$((fail + 1)); return; fi
  counts=$(cat "$tmp/log")
  case $counts in *"rename=0"*) echo "$name: the shim saw no rename under OUT ($counts): not preloaded?"; fail=$((fail + 1)); return ;; esac
  runs=0 bad=0 tolerated=""
  for op in open write fsync rename; do
    total=$(echo "$counts" | sed -n "s/.*$op=\([0-9]*\).*/\1/p")
    n=1
    while [ "$n" -le "$total" ]; do
      runs=$((runs + 1))
      rm -rf "$out" && cp -a "$tmp/pristine" "$out"
      rm -f "$tmp/log"
      EMSCOV_IOFAULT=$op:$n EMSCOV_IOFAULT_DIR=$out EMSCOV_IOFAULT_LOG=$tmp/log LD_PRELOAD=$lib "$bin" "$@" --out "$out" \
        >/dev/null 2>"$tmp/stderr"
      rc=$?
      failed=$(sed -n "s|^iofault: failing [a-z]* #[0-9]*: ||p" "$tmp/stderr")
      listing "$out" > "$tmp/now"
      why=""
      if ! grep -q "fired=1" "$tmp/log" 2>/dev/null; then why="the fault was not reached"
      elif [ "$rc" = 1 ]; then
        grep -q "^emscov: [^w]" "$tmp/stderr" || why="exit 1 without a message"
        cmp -s "$tmp/old" "$tmp/now" || why="exit 1, but OUT no longer holds the old set: $(diff "$tmp/old" "$tmp/now" | tr '\n' ' ')"
      elif [ "$rc" = 0 ]; then
        case ${failed#"$out"} in
          ""|/.emscov-staging-*-??????|/.emscov-old-*-??????|/.emscov-commit-*-??????) ;;
          *) why="exit 0 after a failed $op on a file: $failed" ;;
        esac
        # the new set's names, nothing else (a GeoPackage differs from run to run: its bytes are not compared)
        [ -z "$why" ] && [ "$(sed 's/^[^ ]* *//' "$tmp/new")" != "$(sed 's/^[^ ]* *//' "$tmp/now")" ] &&
          why="exit 0, but OUT does not hold exactly the new set: $(ls -A "$out" | tr '\n' ' ')"
        [ -z "$why" ] && grep -qx "$(grep "[ ]$first_json\$" "$tmp/old")" "$tmp/now" && why="exit 0, but $first_json is still the old one"
        # the last flush of OUT comes after the swap: the new set is in place, and its failure must be said
        [ -z "$why" ] && [ "$op" = fsync ] && [ "$n" = "$total" ] && [ "$failed" = "$out" ] &&
          ! grep -q "the new output set is in place, but the directory could not be flushed" "$tmp/stderr" &&
          why="exit 0 after the flush of $out failed, without a warning"
        [ -z "$why" ] && tolerated="$tolerated $op:$n"
      else why="exit $rc"
      fi
      if [ -n "$why" ]; then
        bad=$((bad + 1))
        echo "  $name $op:$n: $why"
        grep -v "warning:" "$tmp/stderr" | head -n 8 | sed 's/^/    /'
      fi
      n=$((n + 1))
    done
  done
  echo "$name: $counts" | sed 's/ fired=.*//'
  echo "$name: $runs faulted runs, $bad failed; exit 0 after a failed call on a directory:${tolerated:- none}"
  fail=$((fail + bad))
}

c=$city
loop analyze analyze "$c/scenario.ini" -- analyze "$c/b.ini"
if [ "$mode" = long ]; then
  loop "analyze --report html" analyze --report html "$c/scenario.ini" -- analyze --report html "$c/b.ini"
  loop sites sites --grid 500 --k 1 "$c/scenario.ini" -- sites --grid 500 --k 2 "$c/scenario.ini"
fi
[ -z "${IOFAULT_TMP:-}" ] && rm -rf "$tmp"
[ "$fail" = 0 ] && echo "iofault: every faulted run left the old set (exit 1) or the new one (exit 0, a directory's fsync)" ||
  echo "iofault: $fail failed"
[ "$fail" = 0 ]
