#!/bin/sh
# tools/bench/store.sh [BJ_DIR]: the PostGIS store of `emscov analyze --db` at Beijing scale. Runs analyze on
# BJ_DIR/scenario.ini twice into a fresh schema of the test PostgreSQL (the first run creates the tables, the
# second adds to them) and prints, from analyze's own timings, the store step (checksums of the inputs, the
# run row, COPY of every result layer, COMMIT) in seconds and rows/s beside writing the same layers to the
# GeoPackage; then sha256sum over the same input files, for the share of the store step that is checksums.
# Not a test; record the figures in docs/performance.md ("PostGIS store").
# Env: BUILD (build dir, default build-bench, Release; built here), EMSCOV_TEST_PG (default: tools/pgtest.sh start).
set -eu
cd "$(dirname "$0")/../.."
BJ=${1:-/tmp/bj}
BUILD=${BUILD:-build-bench}
if [ ! -x "$BUILD/src/emscov" ] || [ -z "${NO_BUILD:-}" ]; then
  cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DEMSCOV_TESTS=OFF >/dev/null
  cmake --build "$BUILD" -j"${JOBS:-2}" --target emscov >/dev/null
fi
EMSCOV=$BUILD/src/emscov
if [ ! -s "$BJ/scenario.ini" ]; then
  cmake --build "$BUILD" -j"${JOBS:-2}" --target emscov-gencity >/dev/null
  "$BUILD/tools/gencity/emscov-gencity" --preset beijing "$BJ"
fi
PG=${EMSCOV_TEST_PG:-$(tools/pgtest.sh start)}
PSQL="psql -X -q -v ON_ERROR_STOP=1 -tA"
S=bench_store_$$
OUT=$(mktemp -d)
trap '$PSQL "$PG" -c "SET client_min_messages = warning; DROP SCHEMA IF EXISTS $S CASCADE" >/dev/null 2>&1;
      rm -rf "$OUT"' EXIT

timing() { # step name from the summary's "timings:" line
  sed -n 's/^timings:.*; '"$2"' \([0-9.]*\) s;.*/\1/p' "$1"
}
printf '%-6s %9s %12s %10s %10s %14s\n' run rows "pg store s" "rows/s" "gpkg s" "gpkg rows/s"
for i in 1 2; do
  "$EMSCOV" analyze --db "$PG" --db-schema "$S" --out "$OUT/run$i" "$BJ/scenario.ini" >"$OUT/run$i.txt" 2>/dev/null
  line=$(grep '^stored run ' "$OUT/run$i.txt")
  rows=$(echo "$line" | sed 's/.*(\([0-9]*\) rows, .*/\1/')
  tpg=$(timing "$OUT/run$i.txt" "pg store")
  tgp=$(timing "$OUT/run$i.txt" "gpkg")
  printf '%-6s %9s %12s %10.0f %10s %14.0f\n' "$i" "$rows" "$tpg" "$(echo "$rows / $tpg" | bc -l)" "$tgp" \
    "$(echo "$rows / $tgp" | bc -l)"
done
echo "rows per table (run 2):"
$PSQL "$PG" -c "SELECT format('  %-18s %9s', t, n) FROM (VALUES
  ('street_summary', (SELECT count(*) FROM $S.street_summary WHERE run_id = 2)),
  ('demand_time', (SELECT count(*) FROM $S.demand_time WHERE run_id = 2)),
  ('service_area', (SELECT count(*) FROM $S.service_area WHERE run_id = 2)),
  ('park_service_area', (SELECT count(*) FROM $S.park_service_area WHERE run_id = 2)),
  ('station', (SELECT count(*) FROM $S.station WHERE run_id = 2))) v(t, n)"
echo "service_area vertices (run 2): $($PSQL "$PG" -c "SELECT sum(ST_NPoints(geom)) FROM $S.service_area
  WHERE run_id = 2")"
# the checksummed inputs: every file of the scenario's layers
files=$($PSQL "$PG" -c "SELECT string_agg(f->>'path', ' ') FROM $S.run, jsonb_each(inputs) i,
  jsonb_array_elements(i.value->'files') f WHERE id = 2")
t0=$(date +%s.%N); sha256sum $files >/dev/null; t1=$(date +%s.%N)
printf 'sha256sum of the %s input files (%s MB): %.2f s\n' "$(echo $files | wc -w)" \
  "$(du -cm $files | tail -1 | cut -f1)" "$(echo "$t1 - $t0" | bc -l)"
