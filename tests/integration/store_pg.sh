#!/bin/sh
# tests/integration/store_pg.sh EMSCOV SAMPLE_DIR TMP: `emscov analyze --db` on the sample city against the test
# PostGIS, checked with SQL against report.json (loaded as jsonb, lib.sh):
#  - the run row's figures, every table's row count, every sub-district's area (column and ST_Area), population
#    and covered population, SRIDs in geometry_columns, the WGS 84 views; the coverage figures of lib.sh;
#  - kill tests: demand_time locked by another session, `analyze [--replace NAME]` waits on the lock (in the
#    DELETE of the old run, or in COPY after street_summary's COPY), its backend is terminated: exit 1 with one
#    line, the previous run of NAME intact, no part of the new run, no local file;
#  - 8 `analyze --db` at once: 8 complete runs, row counts exact;
#  - a working CRS other than the schema's: exit 2 naming both, nothing written;
#  - server down (wrong port, a password in the conninfo): exit 1, one line, no password, nothing in --out.
# Needs EMSCOV_TEST_PG (skips with 77 without it, unless EMSCOV_REQUIRE_PG=1).
set -u
EMSCOV=$1; SAMPLE=$2; TMP=$3
. "$(dirname "$0")/lib.sh"
require_pg
rm -rf "$TMP" && mkdir -p "$TMP"
pg_schema it_store   # the store migrates this (empty) schema; report.json goes into it too
DB=$EMSCOV_TEST_PG
sql() { $PSQL "$DB" -c "$1"; }
run_id_of() { sed -n 's/^stored run \([0-9]*\) in .*/\1/p' "$1"; }

# ---- one run, every figure against report.json ---------------------------------------------------------
"$EMSCOV" analyze --db "$DB" --db-schema "$SCHEMA" --out "$TMP/out" "$SAMPLE/scenario.ini" >"$TMP/stdout.txt" \
  2>"$TMP/stderr.txt" || { cat "$TMP/stderr.txt"; fail "analyze --db exited $?"; }
ID=$(run_id_of "$TMP/stdout.txt")
[ -n "$ID" ] || { cat "$TMP/stdout.txt"; fail "no 'stored run N' line"; }
grep -q "^stored run $ID in $SCHEMA at host=.* dbname=" "$TMP/stdout.txt" || fail "stored line"
for f in report.json streets.csv emscov.gpkg; do [ -s "$TMP/out/$f" ] || fail "missing $f"; done
ls "$TMP/out" | grep -q -e tmp -e pending && fail "temporary file left behind"
load_report "$TMP/out/report.json"
check "layout versions 1 to 4 recorded" "SELECT string_agg(version::text, ',' ORDER BY version) = '1,2,3,4' FROM schema_version"
check "run row: name, status, SRID, standards, parameters = report.json" \
  "SELECT r.name = j->>'scenario' AND r.status = 'complete' AND r.working_srid = (j->'parameters'->>'working_epsg')::int
          AND r.standards = j->'standards'->>'name' AND r.parameters = j->'parameters' AND r.report = j
          AND r.finished >= r.started AND r.scenario LIKE '%scenario.ini'
   FROM run r, report WHERE r.id = $ID"
check "run row: headline figures = report.json" \
  "SELECT r.population_input = (j->'population'->>'input_total')::float8
      AND r.population_allocated = (j->'population'->>'allocated_total')::float8
      AND r.demand_points = (j->'population'->>'demand_points')::bigint
      AND r.mean_response_s = (j->'coverage'->>'mean_s')::float8
      AND r.covered_population = (j->'coverage'->'covered'->0->>'population')::float8
      AND r.covered_share = (j->'coverage'->'covered'->0->>'share')::float8
      AND r.gaps = (j->'gaps'->>'subdistricts_without_station')::int
      AND r.stations = (j->'gaps'->>'stations')::int
      AND r.ambulances_per_n = (j->'ambulances'->>'per_standard_residents')::float8
      AND r.residents_per_ambulance = (j->'standards'->>'residents_per_ambulance')::float8
      AND r.mean_verdict = (SELECT t->>'verdict' FROM jsonb_array_elements(j->'targets') t WHERE t->>'key' = 'mean_response_time')
      AND r.stations_verdict = 'fail' AND r.ambulances_verdict = 'fail' AND r.satisfaction_verdict = 'n/a'
      AND r.population_dropped = (j->'population'->>'dropped_total')::float8
      AND r.input_issues = jsonb_array_length(j->'ledger'->'issues')
      AND (SELECT count(*) FROM input_issue WHERE run_id = $ID) = r.input_issues
      AND r.park_share = (j->'parks'->>'share')::float8
      AND r.subdistricts = jsonb_array_length(j->'subdistricts')
   FROM run r, report WHERE r.id = $ID"
sha=$(sha256sum "$SAMPLE/roads.dbf" | cut -c1-64)
check "inputs: checksums = sha256sum" \
  "SELECT (SELECT f->>'sha256' FROM jsonb_array_elements(inputs->'roads'->'files') f WHERE f->>'path' LIKE '%roads.dbf')
          = '$sha' AND jsonb_array_length(inputs->'roads'->'files') = 5 FROM run WHERE id = $ID" \
  "SELECT inputs->'roads' FROM run WHERE id = $ID"
check "row counts = report.json (sub-districts, demand points, stations, one park service area)" \
  "SELECT (SELECT count(*) FROM street_summary WHERE run_id = $ID) = jsonb_array_length(j->'subdistricts')
      AND (SELECT count(*) FROM demand_time WHERE run_id = $ID) = (j->'population'->>'demand_points')::int
      AND (SELECT count(*) FROM station WHERE run_id = $ID) = (j->'gaps'->>'stations')::int
      AND (SELECT count(*) FROM park_service_area WHERE run_id = $ID) = 1
      AND (SELECT count(*) FROM service_area WHERE run_id = $ID) > 0 FROM report"
check "every sub-district: area (column and ST_Area), population, covered, stations = report.json" \
  "SELECT count(*) = jsonb_array_length((SELECT j->'subdistricts' FROM report)) AND bool_and(
            abs(s.area_m2 - (e->>'area_m2')::float8) <= 1e-9 * s.area_m2
        AND abs(ST_Area(s.geom) - (e->>'area_m2')::float8) <= 1e-6 * s.area_m2
        AND abs(s.population - (e->'coverage'->>'population')::float8) < 1e-6
        AND abs(s.covered - (e->'coverage'->'covered'->0->>'population')::float8) < 1e-6
        AND s.stations = (e->>'stations')::int AND s.district = e->>'district')
   FROM street_summary s JOIN (SELECT jsonb_array_elements(j->'subdistricts') e FROM report) x ON x.e->>'code' = s.code
   WHERE s.run_id = $ID"
check "total area stored = sum of the report's areas (report.json has 10 significant digits)" \
  "SELECT abs(a - b) <= 1e-9 * b FROM (SELECT (SELECT sum(ST_Area(geom)) FROM street_summary WHERE run_id = $ID) a,
          (SELECT sum((e->>'area_m2')::float8) FROM report, jsonb_array_elements(j->'subdistricts') e) b) x"
check "service areas and the park service area: area_m2 = ST_Area(geom)" \
  "SELECT bool_and(abs(area_m2 - ST_Area(geom)) <= 1e-6 * area_m2) FROM (SELECT area_m2, geom FROM service_area
   WHERE run_id = $ID UNION ALL SELECT area_m2, geom FROM park_service_area WHERE run_id = $ID) a"
check "demand points: population = allocated total" \
  "SELECT abs((SELECT sum(population) FROM demand_time WHERE run_id = $ID)
              - (j->'population'->>'allocated_total')::float8) < 1e-3 FROM report"
check_coverage_figures   # lib.sh: SQL over demand_time and street_summary (one run so far)
check "station table: the scenario's id and name of every station (= report.json stations[]), sub-district ids of street_summary" \
  "SELECT count(*) = jsonb_array_length((SELECT j->'stations' FROM report)) AND bool_and(s.station_id = e->>'id'
          AND s.name = e->>'name' AND s.subdistrict_id IS NOT DISTINCT FROM e->>'subdistrict_id'
          AND (s.subdistrict_id IS NULL OR EXISTS (SELECT 1 FROM street_summary t WHERE t.run_id = $ID
                                                    AND t.subdistrict_id = s.subdistrict_id)))
   FROM station s JOIN (SELECT jsonb_array_elements(j->'stations') e FROM report) x ON (x.e->>'record')::bigint = s.record
   WHERE s.run_id = $ID"
check "input_issue: the off-network station named by id and name, with its location" \
  "SELECT count(*) = 1 AND bool_and(source_name IS NOT NULL AND geom IS NOT NULL) FROM input_issue
   WHERE run_id = $ID AND layer = 'stations' AND reason = 'off_network' AND source_id = '14'"
check "geometry_columns: the six tables and their latest_ views in the working SRID, the wgs84 views in 4326" \
  "SELECT count(*) FILTER (WHERE f_table_name NOT LIKE '%wgs84' AND f_table_name NOT LIKE 'latest\_%'
                           AND srid = (j->'parameters'->>'working_epsg')::int) = 6
      AND count(*) FILTER (WHERE f_table_name LIKE 'latest\_%' AND srid = (j->'parameters'->>'working_epsg')::int) = 6
      AND count(*) FILTER (WHERE f_table_name LIKE '%\_wgs84' AND srid = 4326) = 6
   FROM geometry_columns, report WHERE f_table_schema = '$SCHEMA' GROUP BY j"
check "WGS 84 view = ST_Transform of the table" \
  "SELECT (SELECT count(*) FROM street_summary_wgs84) = (SELECT count(*) FROM street_summary)
      AND (SELECT bool_and(ST_Equals(ST_SnapToGrid(v.geom, 1e-9), ST_SnapToGrid(ST_Transform(t.geom, 4326), 1e-9)))
           FROM station_wgs84 v JOIN station t USING (gid))"

# ---- --replace: a second run of the name replaces the first; the kill test -----------------------------
"$EMSCOV" analyze --db "$DB" --db-schema "$SCHEMA" --replace nightly --out "$TMP/r1" "$SAMPLE/scenario.ini" \
  >"$TMP/r1.txt" 2>"$TMP/r1.err" || { cat "$TMP/r1.err"; fail "analyze --replace nightly"; }
R1=$(run_id_of "$TMP/r1.txt")
"$EMSCOV" analyze --db "$DB" --db-schema "$SCHEMA" --replace nightly --out "$TMP/r2" "$SAMPLE/scenario.ini" \
  >"$TMP/r2.txt" 2>"$TMP/r2.err" || { cat "$TMP/r2.err"; fail "analyze --replace nightly (2)"; }
R2=$(run_id_of "$TMP/r2.txt")
check "--replace: only the newest run of the name remains, with all its rows" \
  "SELECT (SELECT array_agg(id) FROM run WHERE name = 'nightly') = ARRAY[$R2::bigint]
      AND NOT EXISTS (SELECT 1 FROM demand_time WHERE run_id = $R1)
      AND (SELECT count(*) FROM demand_time WHERE run_id = $R2) = (SELECT demand_points FROM run WHERE id = $R2)"
check "latest_ views: per run name the rows of its last run (nightly: run $R2), named by run_name" \
  "SELECT (SELECT array_agg(DISTINCT run_id) FROM latest_street_summary WHERE run_name = 'nightly') = ARRAY[$R2::bigint]
      AND (SELECT count(*) FROM latest_demand_time WHERE run_name = 'nightly') = (SELECT demand_points FROM run WHERE id = $R2)
      AND (SELECT count(DISTINCT run_name) FROM latest_station) = (SELECT count(DISTINCT name) FROM run)
      AND (SELECT max(run_id) FROM latest_street_summary WHERE run_name <> 'nightly')
          = (SELECT max(id) FROM run WHERE name <> 'nightly')"
check "comments: every table, latest_ view and column of the six result tables is described" \
  "SELECT bool_and(col_description(c.oid, a.attnum) IS NOT NULL) AND bool_and(obj_description(c.oid) IS NOT NULL)
      AND count(DISTINCT c.relname) = 6
   FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_attribute a ON a.attrelid = c.oid
   WHERE n.nspname = '$SCHEMA' AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
     AND c.relname IN ('street_summary', 'demand_time', 'service_area', 'station', 'park_service_area', 'input_issue')"
check "comments: the latest_ views" \
  "SELECT count(*) = 6 AND bool_and(obj_description(c.oid) LIKE '%latest run of each run name%')
   FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE n.nspname = '$SCHEMA' AND c.relkind = 'v' AND c.relname LIKE 'latest\_%'"
check "QGIS styles: one default emscov style per table and latest_ view, QML with the YlGnBu bands (xml column)" \
  "SELECT count(*) = 12 AND bool_and(useasdefault AND stylename = 'emscov' AND f_geometry_column = 'geom'
                                     AND f_table_schema = '$SCHEMA' AND f_table_catalog = current_database())
      AND bool_or(f_table_name = 'latest_demand_time' AND styleqml::text LIKE '%v=\"255,255,204,255\"%')
      AND bool_or(f_table_name = 'street_summary' AND styleqml::text LIKE '%253,174,97,255%')
   FROM layer_styles"
# kill_test ARGS...: demand_time locked by another session, analyze ARGS started; once its backend waits on the
# lock it is terminated and the lock released: exit 1, one error line, no local file. The caller checks the DB.
kill_test() {
  rm -rf "$TMP/kill"
  PGAPPNAME=emscov_locker_$$ $PSQL "$DB" -c "BEGIN; LOCK TABLE $SCHEMA.demand_time IN ACCESS EXCLUSIVE MODE;
    SELECT pg_sleep(120); COMMIT" >/dev/null 2>&1 &
  LOCKER=$!
  n=0
  until [ "$(sql "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'emscov_locker_$$'
                 AND query LIKE '%pg_sleep%'")" = 1 ]; do
    n=$((n + 1)); [ $n -lt 200 ] || fail "the locking session did not start"; sleep 0.1
  done
  "$EMSCOV" analyze --db "$DB" --db-schema "$SCHEMA" "$@" --out "$TMP/kill" "$SAMPLE/scenario.ini" \
    >"$TMP/kill.txt" 2>"$TMP/kill.err" &
  VICTIM=$!
  n=0
  until [ "$(sql "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'emscov' AND wait_event_type = 'Lock'
                 AND query LIKE '%$SCHEMA%'")" = 1 ]; do
    n=$((n + 1)); [ $n -lt 600 ] || { kill $VICTIM $LOCKER; fail "analyze never waited on the lock"; }; sleep 0.1
  done
  WAITED=$(sql "SELECT left(query, 60) FROM pg_stat_activity WHERE application_name = 'emscov'
                AND wait_event_type = 'Lock' AND query LIKE '%$SCHEMA%'")
  [ "$(sql "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'emscov'
            AND wait_event_type = 'Lock' AND query LIKE '%$SCHEMA%'")" = 1 ] || fail "terminate"
  sql "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE application_name = 'emscov_locker_$$'" >/dev/null
  wait $VICTIM; rc=$?
  wait $LOCKER
  [ $rc = 1 ] || { cat "$TMP/kill.err"; fail "killed analyze exited $rc, not 1"; }
  grep -v "^emscov: warning: " "$TMP/kill.err" >"$TMP/kill.msg"   # the sample has a station far from the roads
  [ "$(wc -l <"$TMP/kill.msg")" = 1 ] || { cat "$TMP/kill.err"; fail "killed analyze: not one error line"; }
  grep -q "^emscov: .*connection lost" "$TMP/kill.msg" || { cat "$TMP/kill.err"; fail "killed analyze: message"; }
  echo "ok: killed while waiting in \"$WAITED...\", analyze said: $(cat "$TMP/kill.msg")"
  [ -z "$(ls -A "$TMP/kill" 2>/dev/null)" ] || { ls -la "$TMP/kill"; fail "killed analyze left local files"; }
}
kill_test --replace nightly   # waits in the DELETE of the old run (ON DELETE CASCADE into demand_time)
check "kill during --replace: the previous run of the name is intact, no part of the new one" \
  "SELECT (SELECT array_agg(id) FROM run WHERE name = 'nightly') = ARRAY[$R2::bigint]
      AND (SELECT max(id) FROM run) = $R2
      AND (SELECT count(*) FROM demand_time WHERE run_id = $R2) = (SELECT demand_points FROM run WHERE id = $R2)
      AND (SELECT count(*) FROM street_summary WHERE run_id = $R2) = (SELECT subdistricts FROM run WHERE id = $R2)
      AND NOT EXISTS (SELECT 1 FROM demand_time WHERE run_id > $R2)"
kill_test   # waits in COPY into demand_time, after street_summary's COPY in the same transaction
check "kill during COPY: no part of the new run (no run row, no street_summary rows)" \
  "SELECT (SELECT max(id) FROM run) = $R2 AND NOT EXISTS (SELECT 1 FROM street_summary WHERE run_id > $R2)
      AND NOT EXISTS (SELECT 1 FROM demand_time WHERE run_id > $R2)"

# ---- 8 runs at once ----------------------------------------------------------------------------------------
BEFORE=$(sql "SELECT count(*) FROM $SCHEMA.run")
pids=""
for i in 1 2 3 4 5 6 7 8; do
  EMSCOV_THREADS=1 "$EMSCOV" analyze --db "$DB" --db-schema "$SCHEMA" --out "$TMP/par$i" "$SAMPLE/scenario.ini" \
    >"$TMP/par$i.txt" 2>"$TMP/par$i.err" &
  pids="$pids $!"
done
for p in $pids; do wait $p || { cat "$TMP"/par*.err; fail "a concurrent analyze failed"; }; done
check "8 concurrent runs: 8 new complete runs, every row count exact" \
  "SELECT count(*) = 8 AND bool_and(status = 'complete'
          AND (SELECT count(*) FROM demand_time d WHERE d.run_id = r.id) = r.demand_points
          AND (SELECT count(*) FROM street_summary s WHERE s.run_id = r.id) = r.subdistricts
          AND (SELECT count(*) FROM station s WHERE s.run_id = r.id) = r.stations
          AND (SELECT count(*) FROM park_service_area s WHERE s.run_id = r.id) = 1
          AND (SELECT count(*) FROM service_area s WHERE s.run_id = r.id)
              = (SELECT count(*) FROM service_area WHERE run_id = $ID))
   FROM run r WHERE r.id NOT IN (SELECT id FROM run ORDER BY id LIMIT $BEFORE)"
for i in 1 2 3 4 5 6 7 8; do cmp -s "$TMP/out/report.json" "$TMP/par$i/report.json" || fail "par$i report differs"; done

# ---- another working CRS: refused before anything is written ----------------------------------------------
sed -e "s|^path = |path = $SAMPLE/|" -e 's|^name = sample-city|name = sample-utm\nworking_epsg = 32650|' \
  "$SAMPLE/scenario.ini" >"$TMP/utm.ini"
N=$(sql "SELECT count(*) FROM $SCHEMA.run")
"$EMSCOV" analyze --db "$DB" --db-schema "$SCHEMA" --out "$TMP/utm" "$TMP/utm.ini" >/dev/null 2>"$TMP/utm.err"; rc=$?
[ $rc = 2 ] || { cat "$TMP/utm.err"; fail "other CRS: exit $rc, not 2"; }
grep -v "^emscov: warning: " "$TMP/utm.err" >"$TMP/utm.msg"
[ "$(wc -l <"$TMP/utm.msg")" = 1 ] || { cat "$TMP/utm.err"; fail "other CRS: not one error line"; }
grep -q "EPSG:4548.*EPSG:32650.*--db-schema" "$TMP/utm.msg" || { cat "$TMP/utm.err"; fail "other CRS: message"; }
[ -z "$(ls -A "$TMP/utm" 2>/dev/null)" ] || fail "other CRS: local files written"
[ "$(sql "SELECT count(*) FROM $SCHEMA.run")" = "$N" ] || fail "other CRS: a run was stored"
echo "ok: other CRS refused: $(cat "$TMP/utm.msg")"

# ---- server down -------------------------------------------------------------------------------------------
"$EMSCOV" analyze --db "host=127.0.0.1 port=1 dbname=x user=postgres password=s3cr3t-pw" --out "$TMP/down" \
  "$SAMPLE/scenario.ini" >"$TMP/down.txt" 2>"$TMP/down.err"; rc=$?
[ $rc = 1 ] || { cat "$TMP/down.err"; fail "server down: exit $rc, not 1"; }
[ "$(wc -l <"$TMP/down.err")" = 1 ] || { cat "$TMP/down.err"; fail "server down: not one line"; }
grep -q "s3cr3t" "$TMP/down.err" "$TMP/down.txt" && fail "server down: the password was printed"
[ -e "$TMP/down" ] && fail "server down: --out was created"
echo "ok: server down: $(cat "$TMP/down.err")"
echo "analyze --db on the sample city: every stored figure agrees with report.json"
