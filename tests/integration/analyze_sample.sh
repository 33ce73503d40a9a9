#!/bin/sh
# tests/integration/analyze_sample.sh EMSCOV SAMPLE_DIR TMP: `emscov analyze` on the sample city, with every
# headline figure of report.json checked against an independent computation:
#  - the GeoPackage is read by GDAL (ogrinfo, ogr2ogr) and loaded into the test PostGIS;
#  - SQL recomputes the population totals, covered population within 12 min, the population-weighted mean
#    response time (city and per sub-district) from demand_time, and the station counts per sub-district with
#    ST_Covers from the input layers (loaded by ogr2ogr from the source files, not from our output);
#  - report.json is loaded into PostgreSQL as jsonb and compared in SQL.
# Needs EMSCOV_TEST_PG (skips with 77 without it, unless EMSCOV_REQUIRE_PG=1).
set -u
EMSCOV=$1; SAMPLE=$2; TMP=$3
if [ -z "${EMSCOV_TEST_PG:-}" ]; then
  [ "${EMSCOV_REQUIRE_PG:-}" = 1 ] && { echo "EMSCOV_TEST_PG not set"; exit 1; }
  echo "skipped: EMSCOV_TEST_PG not set"; exit 77
fi
fail() { echo "FAIL: $*"; exit 1; }
rm -rf "$TMP" && mkdir -p "$TMP"
"$EMSCOV" analyze --out "$TMP/out" "$SAMPLE/scenario.ini" >"$TMP/summary.txt" 2>"$TMP/stderr.txt" \
  || { cat "$TMP/stderr.txt"; fail "analyze exited $?"; }
for f in report.json streets.csv emscov.gpkg; do [ -s "$TMP/out/$f" ] || fail "missing $f"; done
ls "$TMP/out" | grep -q tmp && fail "temporary file left behind"

# GDAL reads the GeoPackage: five layers, feature counts
ogrinfo -ro -so "$TMP/out/emscov.gpkg" >"$TMP/ogrinfo.txt" 2>&1 || fail "ogrinfo cannot open the GeoPackage"
for l in street_summary demand_time service_area park_service_area station; do
  grep -q "^[0-9]*: $l " "$TMP/ogrinfo.txt" || fail "GeoPackage lacks layer $l"
done
grep -qi "warning\|error" "$TMP/ogrinfo.txt" && { cat "$TMP/ogrinfo.txt"; fail "ogrinfo complains"; }

PSQL="psql -X -q -v ON_ERROR_STOP=1 -tA"
SCHEMA=it_analyze_$$
PGC="PG:$EMSCOV_TEST_PG active_schema=$SCHEMA"
$PSQL "$EMSCOV_TEST_PG" -c "DROP SCHEMA IF EXISTS $SCHEMA CASCADE; CREATE SCHEMA $SCHEMA" || fail "psql"
trap '$PSQL "$EMSCOV_TEST_PG" -c "DROP SCHEMA IF EXISTS $SCHEMA CASCADE" >/dev/null 2>&1' EXIT
ogr2ogr -f PostgreSQL "$PGC" "$TMP/out/emscov.gpkg" demand_time street_summary -lco SCHEMA=$SCHEMA -preserve_fid -lco FID=fid \
  || fail "ogr2ogr gpkg -> PostGIS"
ogr2ogr -f PostgreSQL "$PGC" "$SAMPLE/streets_utf8.shp" -nln src_streets -t_srs EPSG:32650 -lco SCHEMA=$SCHEMA \
  -lco GEOMETRY_NAME=geom || fail "ogr2ogr streets"
ogr2ogr -f PostgreSQL "$PGC" "$SAMPLE/stations.shp" -nln src_stations -t_srs EPSG:32650 -lco SCHEMA=$SCHEMA \
  -lco GEOMETRY_NAME=geom || fail "ogr2ogr stations"
$PSQL "$EMSCOV_TEST_PG" -c "CREATE TABLE $SCHEMA.report(j jsonb)" || fail "psql"
{ printf 'COPY %s.report(j) FROM STDIN;\n' "$SCHEMA"; tr -d '\n' <"$TMP/out/report.json" | sed 's/\\/\\\\/g'; printf '\n\\.\n'; } \
  | $PSQL "$EMSCOV_TEST_PG" || fail "loading report.json"

check() { # name, SQL returning one boolean-ish row: t passes
  r=$($PSQL "$EMSCOV_TEST_PG" -c "SET search_path = $SCHEMA, public; $2") || fail "$1: SQL error"
  [ "$r" = t ] || { echo "$1: $($PSQL "$EMSCOV_TEST_PG" -c "SET search_path = $SCHEMA, public; ${3:-SELECT 1}")"; fail "$1"; }
  echo "ok: $1"
}
check "population conserved (input = allocated = sum of demand points)" \
  "SELECT abs((j->'population'->>'input_total')::float8 - (j->'population'->>'allocated_total')::float8) < 1e-6
      AND abs((SELECT sum(population) FROM demand_time) - (j->'population'->>'allocated_total')::float8) < 1e-3
   FROM report" \
  "SELECT j->'population', (SELECT sum(population) FROM demand_time) FROM report"
check "covered within 12 min (city) = SQL over demand_time" \
  "SELECT abs((SELECT coalesce(sum(population),0) FROM demand_time WHERE time_s <= 720)
              - (j->'coverage'->'covered'->0->>'population')::float8) < 1e-3 FROM report" \
  "SELECT (SELECT sum(population) FROM demand_time WHERE time_s <= 720), j->'coverage'->'covered'->0 FROM report"
check "mean response time (city) = SQL weighted mean" \
  "SELECT abs((SELECT sum(population * time_s) / sum(population) FROM demand_time WHERE time_s IS NOT NULL)
              - (j->'coverage'->>'mean_s')::float8) < 1e-6 FROM report"
check "unreachable population = SQL" \
  "SELECT abs((SELECT coalesce(sum(population),0) FROM demand_time WHERE time_s IS NULL)
              - (j->'coverage'->>'unreachable_population')::float8) < 1e-3 FROM report"
check "per sub-district covered and mean = SQL grouped by sub-district" \
  "SELECT bool_and(abs(s.covered - coalesce(d.cov, 0)) < 1e-3 AND (s.mean_s IS NULL OR abs(s.mean_s - d.mean) < 1e-6))
   FROM street_summary s LEFT JOIN (SELECT subdistrict, sum(population) FILTER (WHERE time_s <= 720) AS cov,
        sum(population * time_s) FILTER (WHERE time_s IS NOT NULL) / nullif(sum(population) FILTER (WHERE time_s IS NOT NULL), 0) AS mean
        FROM demand_time GROUP BY subdistrict) d ON d.subdistrict = s.fid"
check "stations per sub-district = ST_Covers on the source layers (lowest sub-district on a boundary)" \
  "SELECT bool_and(s.stations = coalesce(c.n, 0)) FROM street_summary s
   JOIN src_streets ss ON ss.code = s.code
   LEFT JOIN (SELECT street, count(*) n FROM (SELECT DISTINCT ON (t.ogc_fid) t.ogc_fid, st.code AS street
              FROM src_stations t JOIN src_streets st ON ST_Covers(st.geom, t.geom) ORDER BY t.ogc_fid, st.ogc_fid) x
              GROUP BY street) c ON c.street = s.code"
check "sub-districts without a station = SQL count" \
  "SELECT (SELECT count(*) FROM street_summary WHERE stations = 0) = (j->'gaps'->>'subdistricts_without_station')::int FROM report"
check "ambulances per 30k (city) = SQL from the source stations" \
  "SELECT abs((SELECT sum(ambulances) FROM src_stations) / (j->'population'->>'allocated_total')::float8 * 30000
              - (j->'ambulances'->>'per_standard_residents')::float8) < 1e-9 FROM report"
grep -q "population  input 1800035 = allocated 1800035" "$TMP/summary.txt" || { cat "$TMP/summary.txt"; fail "summary totals"; }
echo "analyze on the sample city: all figures agree with the independent computations"
