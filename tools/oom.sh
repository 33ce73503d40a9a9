#!/bin/sh
# tools/oom.sh [short|long]: the allocation-failure loop of issue 14 over the emscov command itself. On a small
# hand-made city (tests/cli/fixtures/mini_city.sh) it runs `emscov info`, `emscov analyze` and `emscov sites`
# once to count their allocations (EMSCOV_FAULT_ALLOC=0), then once per allocation n with the n-th one failed
# (EMSCOV_FAULT_ALLOC=n, src/cli/main.c; geo/ctx_test.h). Every faulted run must
#   - exit 1 with "out of memory" in its message (not 0, not 2, not a crash or a sanitizer report),
#   - have reached its fault (the allocations of a run are deterministic),
#   - leave nothing behind: the --out it would have created does not exist afterwards.
# With the ASan + UBSan build (EMSCOV_BIN=build-asan/src/emscov) a leak or a memory error fails the run too
# (LeakSanitizer's report, exit 86). long: every n of each command; short (the ctest case faults_oom_cli): of each
# command the first 25, then every OOM_STRIDE-th (default 29) and the last, so the loop stays under a minute
# (about 140 runs; twice that time in the ASan build). Prints one line per command: allocations, runs, failures. Exit 0 only when none failed.
# Environment: EMSCOV_BIN (default build/src/emscov), EMSCOV_SOURCE_DIR (default: this checkout), OOM_TMP.
set -u
mode=${1:-short}
case $mode in short|long) ;; *) echo "usage: tools/oom.sh [short|long]" >&2; exit 2 ;; esac
src=${EMSCOV_SOURCE_DIR:-$(cd "$(dirname "$0")/.." && pwd)}
bin=${EMSCOV_BIN:-$src/build/src/emscov}
stride=${OOM_STRIDE:-29}
tmp=${OOM_TMP:-$(mktemp -d "${TMPDIR:-/tmp}/emscov-oom.XXXXXX")}
mkdir -p "$tmp"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}:exitcode=86" LSAN_OPTIONS="${LSAN_OPTIONS:-}:exitcode=86"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1}:halt_on_error=1:exitcode=86"
city=$tmp/city
rm -rf "$city" && sh "$src/tests/cli/fixtures/mini_city.sh" "$city" || exit 1
c=$city
fail=0

# one_run N OUT ARGS...: run emscov with allocation N failed; print nothing when the run behaved
one_run() {
  n=$1 out=$2; shift 2
  rm -rf "$out"
  EMSCOV_FAULT_ALLOC=$n "$bin" "$@" >"$tmp/stdout" 2>"$tmp/stderr"
  rc=$?
  why=""
  if [ "$rc" != 1 ]; then why="exit $rc"
  elif ! grep -q "out of memory" "$tmp/stderr"; then why="no \"out of memory\" message"
  elif ! grep -q "the fault fired" "$tmp/stderr"; then why="the fault was not reached"
  elif grep -q "Sanitizer\|runtime error" "$tmp/stderr"; then why="sanitizer report"
  elif [ -n "$out" ] && [ -e "$out" ]; then why="left $out behind"
  fi
  [ -z "$why" ] && return 0
  echo "  n=$n: $why"
  grep -v "warning:" "$tmp/stderr" | head -n 12 | sed 's/^/    /'
  return 1
}

# loop NAME OUT ARGS...
loop() {
  name=$1 out=$2; shift 2
  rm -rf "$out"
  EMSCOV_FAULT_ALLOC=0 "$bin" "$@" >"$tmp/stdout" 2>"$tmp/stderr"
  rc=$?
  total=$(sed -n 's/^emscov: EMSCOV_FAULT_ALLOC=0: \([0-9]*\) allocations.*/\1/p' "$tmp/stderr")
  if [ "$rc" != 0 ] || [ -z "$total" ]; then
    echo "$name: the clean run failed (exit $rc)"; cat "$tmp/stderr"; fail=$((fail + 1)); return
  fi
  runs=0 bad=0 n=1
  while [ "$n" -le "$total" ]; do
    runs=$((runs + 1))
    one_run "$n" "$out" "$@" || bad=$((bad + 1))
    if [ "$mode" = long ] || [ "$n" -lt 25 ]; then n=$((n + 1)); else n=$((n + stride)); fi
  done
  # the last allocation is always failed once
  if [ "$mode" = short ] && [ "$total" -ge 25 ] && [ $((n - stride)) -ne "$total" ]; then
    runs=$((runs + 1)); one_run "$total" "$out" "$@" || bad=$((bad + 1))
  fi
  echo "$name: $total allocations, $runs faulted runs, $bad failed"
  fail=$((fail + bad))
}

loop info "" info --srs EPSG:32650 "$c/streets.geojson" "$c/stations.csv" "$c/people.csv" "$c/roads.geojson"
loop analyze "$c/out-a" analyze --out "$c/out-a" "$c/scenario.ini"
loop sites "$c/out-s" sites --grid 500 --k 2 --out "$c/out-s" "$c/scenario.ini"
[ -z "${OOM_TMP:-}" ] && rm -rf "$tmp"
[ "$fail" = 0 ] && echo "oom: all faulted runs exited 1 with a message and left nothing" || echo "oom: $fail failed"
[ "$fail" = 0 ]
