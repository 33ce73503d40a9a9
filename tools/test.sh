#!/bin/sh
# tools/test.sh: the README's test command. Installs what is missing, builds emscov twice (warnings as errors;
# then with AddressSanitizer + UndefinedBehaviorSanitizer), starts a throwaway PostgreSQL 15 + PostGIS 3 +
# pgRouting (tools/pgtest.sh), runs the whole ctest suite in both builds, runs the unit tests under valgrind,
# builds the fuzz targets with clang (build-fuzz) and runs each a few seconds on its seeds (tools/fuzz.sh smoke),
# and stops the server whatever happens. Exit 0 only when every step passed.
set -eu
cd "$(dirname "$0")/.."
tools/setup.sh test
JOBS=${JOBS:-2}

cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DEMSCOV_TESTS=ON -DCMAKE_COMPILE_WARNING_AS_ERROR=ON >/dev/null
cmake --build build -j"$JOBS"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DEMSCOV_SANITIZE=ON -DEMSCOV_TESTS=ON -DCMAKE_COMPILE_WARNING_AS_ERROR=ON >/dev/null
cmake --build build-asan -j"$JOBS"

# The server's port: PGTEST_PORT if set, else the first of 54329... that nothing on this machine listens on
# (perl-base is in every Debian; another checkout's test run may hold 54329).
if [ -z "${PGTEST_PORT:-}" ]; then
  PGTEST_PORT=$(perl -MIO::Socket::INET -e 'for my $p (54329 .. 54428) {
      if (IO::Socket::INET->new(LocalAddr => "127.0.0.1", LocalPort => $p, Proto => "tcp", Listen => 1)) {
          print $p; exit 0 } } exit 1') || { echo "tools/test.sh: no free port in 54329-54428" >&2; exit 1; }
fi
export PGTEST_PORT
conninfo=$(tools/pgtest.sh start)
trap 'tools/pgtest.sh stop' EXIT INT TERM
export EMSCOV_TEST_PG="$conninfo" EMSCOV_REQUIRE_PG=1

rc=0
echo "== ctest: normal build"
ctest --test-dir build --output-on-failure --no-tests=error -j"$JOBS" || rc=1
echo "== ctest: ASan + UBSan build"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:strict_string_checks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --test-dir build-asan --output-on-failure --no-tests=error -j"$JOBS" || rc=1
echo "== valgrind: unit tests"
vg_fail=0
for t in build/tests/test_*; do
  [ -x "$t" ] && [ -f "$t" ] || continue
  name=$(basename "$t")
  st=0
  env EMSCOV_SHARED_DIR="$(pwd)/../shared" EMSCOV_SAMPLE_DIR="$(pwd)/build/sample" EMSCOV_SOURCE_DIR="$(pwd)" \
      EMSCOV_LOCALEDIR="$(pwd)/build/locale" \
      EMSCOV_BIN="$(pwd)/build/src/emscov" EMSCOV_TEST_TMP="$(pwd)/build/tests/tmp/$name" \
      valgrind -q --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=9 \
        --suppressions=tests/valgrind.supp "$t" \
      >"build/tests/$name.valgrind.log" 2>&1 || st=$?
  case $st in
    0|77) ;;
    *) echo "valgrind: $name failed (exit $st); log: build/tests/$name.valgrind.log"
       tail -n 30 "build/tests/$name.valgrind.log"; vg_fail=$((vg_fail + 1)) ;;
  esac
done
[ "$vg_fail" = 0 ] && echo "valgrind: all unit tests clean" || rc=1
echo "== fuzz smoke: every libFuzzer target for a few seconds on its seeds (clang, ASan + UBSan; tools/fuzz.sh)"
EMSCOV_FUZZ_BUILD=build-fuzz tools/fuzz.sh build >/dev/null || rc=1
EMSCOV_FUZZ_BUILD=build-fuzz FUZZ_SMOKE_S=${FUZZ_SMOKE_S:-3} tools/fuzz.sh smoke || rc=1
exit $rc
