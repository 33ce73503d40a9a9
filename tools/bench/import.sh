#!/bin/sh
# tools/bench/import.sh [BJ_DIR]: `emscov import` against `shp2pgsql | psql` on the Beijing-scale layers
# (roads, census, streets_gbk, stations), each tool loading the same files into a fresh schema of the test
# PostgreSQL. Peers: shp2pgsql in its default INSERT mode and in dump (-D, COPY) mode, both with -I (GiST index,
# as emscov makes) and -W for the file's encoding (GBK for streets_gbk), -s 4548. Prints the wall time of each
# load and the ratios, all measured in this run. Not a test; record the figures in docs/performance.md.
# Env: BUILD (Release build dir, default build-bench; built here), EMSCOV_TEST_PG (default: tools/pgtest.sh start).
set -eu
cd "$(dirname "$0")/../.."
BJ=${1:-/tmp/bj}
BUILD=${BUILD:-build-bench}
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DEMSCOV_TESTS=OFF >/dev/null
cmake --build "$BUILD" -j"${JOBS:-2}" --target emscov >/dev/null
EMSCOV=$BUILD/src/emscov
if [ ! -s "$BJ/index.txt" ]; then
  cmake --build "$BUILD" -j"${JOBS:-2}" --target emscov-gencity >/dev/null
  "$BUILD/tools/gencity/emscov-gencity" --preset beijing "$BJ"
fi
PG=${EMSCOV_TEST_PG:-$(tools/pgtest.sh start)}
PSQL="psql -X -q -v ON_ERROR_STOP=1 -tA"
LAYERS="roads census streets_gbk stations"
S=bench_import_$$
$PSQL "$PG" -c "SET client_min_messages = warning; DROP SCHEMA IF EXISTS ${S}_e CASCADE;
                DROP SCHEMA IF EXISTS ${S}_i CASCADE; DROP SCHEMA IF EXISTS ${S}_d CASCADE;
                CREATE SCHEMA ${S}_e; CREATE SCHEMA ${S}_i; CREATE SCHEMA ${S}_d"
trap '$PSQL "$PG" -c "SET client_min_messages = warning; DROP SCHEMA IF EXISTS ${S}_e CASCADE;
      DROP SCHEMA IF EXISTS ${S}_i CASCADE; DROP SCHEMA IF EXISTS ${S}_d CASCADE" >/dev/null 2>&1' EXIT

now() { date +%s.%N; }
el() { echo "$2 - $1" | bc; }
enc() { if [ "$(cat "$BJ/$1.cpg" 2>/dev/null)" = GBK ]; then echo GBK; else echo UTF-8; fi; }

printf '%-12s %9s %10s %10s %10s %8s %8s\n' layer rows emscov shp2pgsql "shp2pgsql-D" "x INSERT" "x -D"
te_all=0; ti_all=0; td_all=0
for l in $LAYERS; do
  f=$BJ/$l.shp
  $PSQL "$PG" -c "CHECKPOINT" >/dev/null
  t0=$(now); "$EMSCOV" import --quiet --db "$PG" --schema "${S}_e" "$f"; t1=$(now)
  $PSQL "$PG" -c "CHECKPOINT" >/dev/null
  t2=$(now); shp2pgsql -s 4548 -W "$(enc "$l")" -I "$f" "${S}_i.$l" 2>/dev/null | $PSQL "$PG" >/dev/null; t3=$(now)
  $PSQL "$PG" -c "CHECKPOINT" >/dev/null
  t4=$(now); shp2pgsql -D -s 4548 -W "$(enc "$l")" -I "$f" "${S}_d.$l" 2>/dev/null | $PSQL "$PG" >/dev/null; t5=$(now)
  te=$(el "$t0" "$t1"); ti=$(el "$t2" "$t3"); td=$(el "$t4" "$t5")
  rows=$($PSQL "$PG" -c "SELECT count(*) FROM ${S}_e.$l")
  for s in i d; do
    n=$($PSQL "$PG" -c "SELECT count(*) FROM ${S}_$s.$l")
    [ "$n" = "$rows" ] || { echo "$l: shp2pgsql ($s) loaded $n rows, emscov $rows" >&2; exit 1; }
  done
  printf '%-12s %9s %9.2fs %9.2fs %9.2fs %7.1fx %7.1fx\n' "$l" "$rows" "$te" "$ti" "$td" \
    "$(echo "$ti / $te" | bc -l)" "$(echo "$td / $te" | bc -l)"
  te_all=$(echo "$te_all + $te" | bc); ti_all=$(echo "$ti_all + $ti" | bc); td_all=$(echo "$td_all + $td" | bc)
done
printf '%-12s %9s %9.2fs %9.2fs %9.2fs %7.1fx %7.1fx\n' total "" "$te_all" "$ti_all" "$td_all" \
  "$(echo "$ti_all / $te_all" | bc -l)" "$(echo "$td_all / $te_all" | bc -l)"
# the four layers in one emscov command (one transaction), as GIS staff would run it
$PSQL "$PG" -c "SET client_min_messages = warning; DROP SCHEMA ${S}_e CASCADE"
files=""; for l in $LAYERS; do files="$files $BJ/$l.shp"; done
t0=$(now)
# shellcheck disable=SC2086
"$EMSCOV" import --quiet --db "$PG" --schema "${S}_e" $files
t1=$(now)
printf 'one emscov command, 4 layers, one transaction: %.2f s\n' "$(el "$t0" "$t1")"
