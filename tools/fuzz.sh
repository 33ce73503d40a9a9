#!/bin/sh
# tools/fuzz.sh: build and run the libFuzzer targets of tests/fuzz (clang, ASan + UBSan, leak detection).
#   tools/fuzz.sh build                  configure + build the fuzz build ($EMSCOV_FUZZ_BUILD, default build-fuzz)
#   tools/fuzz.sh smoke [TARGET...]      every target (or those named) for $FUZZ_SMOKE_S seconds (default 3) on a
#                                        scratch copy of its seeds: what tools/test.sh and the smoke_* ctest cases run
#   tools/fuzz.sh run [TARGET...]        the long run: $FUZZ_TIME seconds per target (default 600), or $FUZZ_RUNS
#                                        executions when set, growing the corpus in $FUZZ_CORPUS/<target>
#                                        (default $EMSCOV_FUZZ_BUILD/corpus); findings go to $FUZZ_ARTIFACTS
#                                        (default $EMSCOV_FUZZ_BUILD/findings)
#   tools/fuzz.sh campaign [TARGET...]   the campaign towards issue 14's 10 M executions per target: each target
#                                        in chunks of $FUZZ_CHUNK seconds (default 600), niced, until its total in
#                                        $EMSCOV_FUZZ_BUILD/totals/<target> reaches $FUZZ_GOAL (default 10000000);
#                                        a chunk stopped by SIGINT or SIGTERM still counts (stop and resume at
#                                        will: benchmarks want the machine quiet); a finding stops that target.
#                                        One line per chunk: "fuzz_x: +N = TOTAL executions (chunk: exec/s, ...)"
# Each run prints one line per target: "fuzz_x: N execs in S s (E exec/s), corpus C, findings F" and the script
# exits 1 when any target found a crash, a leak, a timeout or an out-of-memory. Targets: the fuzz_* binaries;
# seeds in tests/fuzz/seed/<name>, dictionaries tests/fuzz/<name>.dict (name = the target without fuzz_).
set -u
cd "$(dirname "$0")/.."
BUILD=${EMSCOV_FUZZ_BUILD:-build-fuzz}
JOBS=${JOBS:-2}
mode=${1:-smoke}
[ $# -gt 0 ] && shift
all="fuzz_layer fuzz_osm fuzz_osm_pbf fuzz_osm_xml fuzz_grid fuzz_gpkg fuzz_crs fuzz_cpg fuzz_ini fuzz_filter"
targets=${*:-$all}

build() {
  command -v clang >/dev/null || { echo "fuzz: clang is not installed (tools/setup.sh test)" >&2; exit 2; }
  # no -Werror here: clang warns about things gcc (the build of record, tools/test.sh) does not
  CC=clang cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DEMSCOV_FUZZ=ON -DEMSCOV_TESTS=ON \
    -DCMAKE_COMPILE_WARNING_AS_ERROR=OFF >/dev/null || exit 1
  # shellcheck disable=SC2086
  cmake --build "$BUILD" -j"$JOBS" --target $all || exit 1
}

# max_len per target: a GeoPackage is SQLite pages (4 KiB each, a dozen tables); the others are small texts
max_len() { case $1 in fuzz_gpkg) echo 262144 ;; fuzz_osm | fuzz_osm_xml | fuzz_ini) echo 8192 ;; fuzz_osm_pbf) echo 16384 ;; *) echo 4096 ;; esac; }

# run_one TARGET SECONDS RUNS CORPUS ARTIFACTS: prints the summary line; returns 1 on a finding
run_one() {
  t=$1 secs=$2 runs=$3 corpus=$4 art=$5
  name=${t#fuzz_}
  case $name in osm_*) name=osm ;; esac   # the OSM reader targets share the OSM seeds and dictionary
  bin=$BUILD/tests/fuzz/$t
  [ -x "$bin" ] || { echo "fuzz: $bin is not built (tools/fuzz.sh build)" >&2; return 1; }
  mkdir -p "$corpus" "$art"
  dict=""; [ -f "tests/fuzz/$name.dict" ] && dict="-dict=tests/fuzz/$name.dict"
  seeds=""; [ -d "tests/fuzz/seed/$name" ] && seeds="tests/fuzz/seed/$name"
  limit="-max_total_time=$secs"; [ -n "$runs" ] && limit="-runs=$runs"
  log=$art/$t.log
  before=$(ls "$art" | grep -c -E '^(crash|leak|timeout|oom|slow-unit)-' || true)
  # shellcheck disable=SC2086
  ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1} UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1} \
    "$bin" $limit $dict -max_len="$(max_len "$t")" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$art/" "$corpus" $seeds >"$log" 2>&1
  rc=$?
  after=$(ls "$art" | grep -c -E '^(crash|leak|timeout|oom|slow-unit)-' || true)
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
  took=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -n 1)
  size=$(ls "$corpus" | wc -l)
  echo "$t: ${execs:-?} execs in ${took:-?} s (${rate:-?} exec/s), corpus $size, findings $((after - before))"
  if [ "$rc" != 0 ] || [ "$after" != "$before" ]; then
    echo "$t: FINDING (exit $rc); log: $log" >&2
    grep -E "ERROR|SUMMARY|Test unit written" "$log" | head -n 10 >&2
    return 1
  fi
  return 0
}

case $mode in
build) build ;;
smoke)
  [ -d "$BUILD/tests/fuzz" ] || build
  scratch=$(mktemp -d "${TMPDIR:-/tmp}/emscov-fuzz-smoke.XXXXXX")
  trap 'rm -rf "$scratch"' EXIT INT TERM
  fail=0
  for t in $targets; do
    run_one "$t" "${FUZZ_SMOKE_S:-3}" "" "$scratch/corpus/$t" "$scratch/findings" || fail=1
  done
  [ $fail = 0 ] || { cp -r "$scratch/findings" "$BUILD/smoke-findings-$$" 2>/dev/null
                     echo "fuzz: findings kept in $BUILD/smoke-findings-$$" >&2; }
  exit $fail ;;
run)
  [ -d "$BUILD/tests/fuzz" ] || build
  fail=0
  for t in $targets; do
    run_one "$t" "${FUZZ_TIME:-600}" "${FUZZ_RUNS:-}" "${FUZZ_CORPUS:-$BUILD/corpus}/$t" \
      "${FUZZ_ARTIFACTS:-$BUILD/findings}" || fail=1
  done
  exit $fail ;;
campaign)
  [ -d "$BUILD/tests/fuzz" ] || build
  goal=${FUZZ_GOAL:-10000000}
  art=${FUZZ_ARTIFACTS:-$BUILD/findings}
  mkdir -p "$BUILD/totals" "$art"
  renice -n "${FUZZ_NICE:-19}" $$ >/dev/null 2>&1 || true # the fuzzers inherit it
  stop=0
  trap 'stop=1' INT TERM # the fuzzer gets the signal too, prints its statistics and exits: its chunk counts
  fail=0
  for t in $targets; do
    while [ $stop = 0 ]; do
      total=$(cat "$BUILD/totals/$t" 2>/dev/null || echo 0)
      [ "$total" -ge "$goal" ] && { echo "$t: $total executions: done"; break; }
      before=$(ls "$art" | grep -c -E '^(crash|leak|timeout|oom|slow-unit)-' || true)
      run_one "$t" "${FUZZ_CHUNK:-600}" "" "${FUZZ_CORPUS:-$BUILD/corpus}/$t" "$art" >"$BUILD/totals/.$t.last" 2>/dev/null
      after=$(ls "$art" | grep -c -E '^(crash|leak|timeout|oom|slow-unit)-' || true)
      n=$(sed -n 's/^[^:]*: \([0-9]*\) execs.*/\1/p' "$BUILD/totals/.$t.last")
      echo $((total + ${n:-0})) >"$BUILD/totals/$t"
      echo "$t: +${n:-0} = $((total + ${n:-0})) executions (chunk: $(sed -n 's/^[^:]*: [0-9?]* execs //p' "$BUILD/totals/.$t.last"))"
      if [ "$after" != "$before" ]; then
        echo "$t: FINDING; log: $art/$t.log" >&2
        fail=1
        break
      fi
    done
  done
  exit $fail ;;
*) echo "usage: tools/fuzz.sh build | smoke [TARGET...] | run [TARGET...] | campaign [TARGET...]" >&2; exit 2 ;;
esac
