# tests/integration/lib.sh: shared by the integration scripts (sourced): the test database, a scratch schema
# dropped on exit, report.json loaded as jsonb, and `check NAME SQL [SQL-to-show-on-failure]`.
# Needs EMSCOV_TEST_PG (the caller exits 77 without it, unless EMSCOV_REQUIRE_PG=1).
require_pg() {
  if [ -z "${EMSCOV_TEST_PG:-}" ]; then
    [ "${EMSCOV_REQUIRE_PG:-}" = 1 ] && { echo "EMSCOV_TEST_PG not set"; exit 1; }
    echo "skipped: EMSCOV_TEST_PG not set"; exit 77
  fi
}
fail() { echo "FAIL: $*"; exit 1; }
PSQL="psql -X -q -v ON_ERROR_STOP=1 -tA"
# pg_schema NAME: a fresh schema for this run, dropped on exit unless EMSCOV_KEEP_SCHEMA is set (debugging);
# sets SCHEMA and PGC (GDAL's connection string)
pg_schema() {
  SCHEMA=$1_$$
  PGC="PG:$EMSCOV_TEST_PG active_schema=$SCHEMA"
  # ${SCHEMA}_part: the store's schema of the runs' partitions (docs/postgis.md, layout 4)
  $PSQL "$EMSCOV_TEST_PG" -c "DROP SCHEMA IF EXISTS $SCHEMA CASCADE; DROP SCHEMA IF EXISTS ${SCHEMA}_part CASCADE;
                              CREATE SCHEMA $SCHEMA" || fail "psql"
  [ -n "${EMSCOV_KEEP_SCHEMA:-}" ] || trap '$PSQL "$EMSCOV_TEST_PG" -c "DROP SCHEMA IF EXISTS $SCHEMA CASCADE;
    DROP SCHEMA IF EXISTS ${SCHEMA}_part CASCADE" >/dev/null 2>&1' EXIT
}
# load_report FILE: report.json into $SCHEMA.report(j jsonb)
load_report() {
  $PSQL "$EMSCOV_TEST_PG" -c "CREATE TABLE $SCHEMA.report(j jsonb)" || fail "psql"
  { printf 'COPY %s.report(j) FROM STDIN;\n' "$SCHEMA"; tr -d '\n' <"$1" | sed 's/\\/\\\\/g'; printf '\n\\.\n'; } \
    | $PSQL "$EMSCOV_TEST_PG" || fail "loading report.json"
}
check() { # name, SQL returning one boolean-ish row: t passes
  r=$($PSQL "$EMSCOV_TEST_PG" -c "SET search_path = $SCHEMA, public; $2") || fail "$1: SQL error"
  [ "$r" = t ] || { echo "$1: $($PSQL "$EMSCOV_TEST_PG" -c "SET search_path = $SCHEMA, public; ${3:-SELECT 1}")"; fail "$1"; }
  echo "ok: $1"
}
# check_gpkg FILE: GDAL opens the GeoPackage, finds the five layers, and does not complain
check_gpkg() {
  ogrinfo -ro -so "$1" >"$TMP/ogrinfo.txt" 2>&1 || fail "ogrinfo cannot open the GeoPackage"
  for l in street_summary demand_time service_area park_service_area station input_issue; do
    grep -q "^[0-9]*: $l " "$TMP/ogrinfo.txt" || fail "GeoPackage lacks layer $l"
  done
  grep -qi "warning\|error" "$TMP/ogrinfo.txt" && { cat "$TMP/ogrinfo.txt"; fail "ogrinfo complains"; }
  return 0
}
# The figures every run must get right, from demand_time (loaded from the GeoPackage by GDAL) and the report.
check_coverage_figures() {
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
     FROM street_summary s LEFT JOIN (SELECT subdistrict_id, sum(population) FILTER (WHERE time_s <= 720) AS cov,
          sum(population * time_s) FILTER (WHERE time_s IS NOT NULL) / nullif(sum(population) FILTER (WHERE time_s IS NOT NULL), 0) AS mean
          FROM demand_time GROUP BY subdistrict_id) d ON d.subdistrict_id = s.subdistrict_id"
  check "per sub-district mean-time verdict = SQL (weighted mean from demand_time < the standard's mean)" \
    "SELECT bool_and(s.mean_met IS NOT DISTINCT FROM CASE WHEN s.population > 0 THEN coalesce(d.mean < 720, false) END)
     FROM street_summary s LEFT JOIN (SELECT subdistrict_id,
          sum(population * time_s) FILTER (WHERE time_s IS NOT NULL) / nullif(sum(population) FILTER (WHERE time_s IS NOT NULL), 0) AS mean
          FROM demand_time GROUP BY subdistrict_id) d ON d.subdistrict_id = s.subdistrict_id"
  check "sub-districts without a station = SQL count" \
    "SELECT (SELECT count(*) FROM street_summary WHERE stations = 0) = (j->'gaps'->>'subdistricts_without_station')::int FROM report"
  check "population account: input = allocated + every dropped amount (report.json ledger)" \
    "SELECT abs((j->'population'->>'input_total')::float8 - (j->'population'->>'allocated_total')::float8
                - (j->'population'->>'dropped_total')::float8) < 1e-6 * (j->'population'->>'input_total')::float8 FROM report"
}
