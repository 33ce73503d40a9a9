#!/bin/sh
# tests/integration/import_sample.sh EMSCOV SAMPLE_DIR TMP: `emscov import` of every sample layer in one command,
# checked table by table against the same files loaded by GDAL (ogr2ogr, its own encoding detection and CRS
# matching) into a second schema:
#  - row counts, SRIDs, every attribute value (joined on record order: our gid = GDAL's ogc_fid), and every
#    geometry (ST_Equals against GDAL's geometry, made valid by PostGIS where GDAL's is not);
#  - all imported geometries valid;
#  - --replace while a reader holds the old table: a query queued behind the swap sees the new table (never
#    "relation does not exist"); the import's session killed while it waits to swap: exit 1, the old table
#    intact, nothing of the new load left.
# Needs EMSCOV_TEST_PG (skips with 77 without it, unless EMSCOV_REQUIRE_PG=1).
set -u
EMSCOV=$1; SAMPLE=$2; TMP=$3
if [ -z "${EMSCOV_TEST_PG:-}" ]; then
  [ "${EMSCOV_REQUIRE_PG:-}" = 1 ] && { echo "EMSCOV_TEST_PG not set"; exit 1; }
  echo "skipped: EMSCOV_TEST_PG not set"; exit 77
fi
fail() { echo "FAIL: $*"; exit 1; }
rm -rf "$TMP" && mkdir -p "$TMP"
PG=$EMSCOV_TEST_PG
PSQL="psql -X -q -v ON_ERROR_STOP=1 -tA"
S=it_import_$$; R=it_import_ref_$$
$PSQL "$PG" -c "SET client_min_messages = warning; DROP SCHEMA IF EXISTS $S CASCADE; DROP SCHEMA IF EXISTS $R CASCADE;
                CREATE SCHEMA $R" || fail "psql"
trap '$PSQL "$PG" -c "SET client_min_messages = warning; DROP SCHEMA IF EXISTS $S CASCADE; DROP SCHEMA IF EXISTS $R CASCADE" >/dev/null 2>&1' EXIT

LAYERS="streets_gbk.shp streets_ldid.shp census.shp stations.shp roads.shp residential.shp parks.geojson"
files=""; for f in $LAYERS; do files="$files $SAMPLE/$f"; done
# shellcheck disable=SC2086
"$EMSCOV" import --db "$PG" --schema "$S" $files "$SAMPLE/stations.csv" --table stations_csv --append \
  >"$TMP/report.txt" 2>"$TMP/stderr.txt" && fail "--table with several files into different tables was accepted"
"$EMSCOV" import --db "$PG" --schema "$S" $files >"$TMP/report.txt" 2>"$TMP/stderr.txt" \
  || { cat "$TMP/stderr.txt"; fail "import exited $?"; }
"$EMSCOV" import --db "$PG" --schema "$S" --table stations_csv "$SAMPLE/stations.csv" >>"$TMP/report.txt" 2>>"$TMP/stderr.txt" \
  || { cat "$TMP/stderr.txt"; fail "import of stations.csv exited $?"; }
grep -q "imported 7 files, 17759 rows into 7 tables of $S in one transaction" "$TMP/report.txt" \
  || { cat "$TMP/report.txt"; fail "summary line"; }

for f in $LAYERS; do
  t=${f%.*}
  ogr2ogr -f PostgreSQL "PG:$PG" "$SAMPLE/$f" -nln "$R.$t" -lco GEOMETRY_NAME=geom -lco FID=ogc_fid -lco SPATIAL_INDEX=NONE \
    -nlt PROMOTE_TO_MULTI || fail "ogr2ogr $f"
done
ogr2ogr -f PostgreSQL "PG:$PG" "$SAMPLE/stations.csv" -nln "$R.stations_csv" -lco GEOMETRY_NAME=geom -lco FID=ogc_fid \
  -oo X_POSSIBLE_NAMES=lon -oo Y_POSSIBLE_NAMES=lat -oo AUTODETECT_TYPE=YES -a_srs EPSG:4326 || fail "ogr2ogr csv"

check() { # name, SQL returning t when the check passes; optional SQL shown on failure
  r=$($PSQL "$PG" -c "$2" 2>"$TMP/sql_err.txt") || { cat "$TMP/sql_err.txt"; fail "$1: SQL error"; }
  [ "$r" = t ] || { echo "$1: got $r; $($PSQL "$PG" -c "${3:-SELECT 1}" 2>&1)"; fail "$1"; }
  echo "ok: $1"
}
for f in $LAYERS stations_csv.csv; do
  t=${f%.*}
  check "$t: row count = GDAL" "SELECT (SELECT count(*) FROM $S.$t) = (SELECT count(*) FROM $R.$t)" \
    "SELECT (SELECT count(*) FROM $S.$t), (SELECT count(*) FROM $R.$t)"
  check "$t: SRID = GDAL's" "SELECT Find_SRID('$S', '$t', 'geom') = Find_SRID('$R', '$t', 'geom')" \
    "SELECT Find_SRID('$S', '$t', 'geom'), Find_SRID('$R', '$t', 'geom')"
  # lines are loaded as they are: the only invalid one is the deliberate zero-length road (ROAD_ID 101)
  ok_invalid="false"; [ "$t" = roads ] && ok_invalid="road_id = 101 AND ST_Length(geom) = 0"
  check "$t: every geometry valid (but the zero-length road)" \
    "SELECT bool_and(ST_IsValid(geom) OR ($ok_invalid)) FROM $S.$t" "SELECT gid FROM $S.$t WHERE NOT ST_IsValid(geom)"
  check "$t: every geometry equal to GDAL's (identical where GDAL's is invalid, or made valid by PostGIS)" \
    "SELECT bool_and(CASE WHEN ST_IsValid(b.geom) THEN ST_Equals(a.geom, b.geom)
                          WHEN ST_OrderingEquals(ST_Multi(a.geom), ST_Multi(b.geom)) THEN true
                          ELSE ST_Equals(a.geom, ST_MakeValid(b.geom)) END) AND count(*) = (SELECT count(*) FROM $S.$t)
     FROM $S.$t a JOIN $R.$t b ON b.ogc_fid = a.gid"
  # every attribute column GDAL made (lowercase, as ours): numbers compared as float8, text as text
  cols=$($PSQL "$PG" -c "SELECT string_agg(format('count(*) FILTER (WHERE a.%1\$I%2\$s IS DISTINCT FROM b.%1\$I%2\$s) AS %1\$I',
           r.column_name, CASE WHEN r.data_type IN ('numeric', 'integer', 'bigint', 'double precision', 'real') THEN '::float8'
                              ELSE '::text' END), ', ')
         FROM information_schema.columns r JOIN information_schema.columns o
           ON o.table_schema = '$S' AND o.table_name = '$t' AND o.column_name = r.column_name
         WHERE r.table_schema = '$R' AND r.table_name = '$t' AND r.column_name NOT IN ('geom', 'ogc_fid')")
  ncols=$($PSQL "$PG" -c "SELECT count(*) FROM information_schema.columns WHERE table_schema = '$R' AND table_name = '$t'
                          AND column_name NOT IN ('geom', 'ogc_fid')")
  [ -n "$cols" ] || fail "$t: no attribute column in common with GDAL's table"
  diffs=$($PSQL "$PG" -F ' ' -c "SELECT $cols FROM $S.$t a JOIN $R.$t b ON b.ogc_fid = a.gid") || fail "$t: SQL"
  n=$(echo "$cols" | grep -o 'FILTER' | wc -l)
  [ "$n" = "$ncols" ] || fail "$t: $n of GDAL's $ncols attribute columns found in the import"
  [ -z "$(echo "$diffs" | tr -d ' 0')" ] || fail "$t: values differing from GDAL per column: $diffs ($cols)"
  echo "ok: $t: all $ncols attribute columns equal to GDAL's"
done
check "census POP total = GDAL's" "SELECT (SELECT sum(pop) FROM $S.census) = (SELECT sum(pop) FROM $R.census)"
check "GBK-only characters arrive (昇 堃 喆)" "SELECT count(*) = 3 FROM $S.streets_ldid WHERE name ~ '[昇堃喆]'"

# --replace while a reader holds the old table. The import loads beside it, then waits to swap; a query that
# arrives meanwhile queues behind the swap and must see the new table.
$PSQL "$PG" -c "CREATE TABLE $S.swap AS SELECT 1 AS marker" || fail "psql"
waiting() { # how many sessions wait for a lock on a statement dropping a table of $S
  $PSQL "$PG" -c "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'
                  AND query LIKE 'DROP TABLE \"$S\".%'"
}
# The holder keeps its lock until release_holder ends its session (not for a fixed time: on a loaded machine,
# or under ASan, the import may need longer than any fixed sleep to reach the swap).
hold() {
  PGAPPNAME=emscov_it_holder_$$ $PSQL "$PG" -c "BEGIN; LOCK TABLE $S.swap IN ACCESS SHARE MODE; SELECT pg_sleep(120); COMMIT" \
    >/dev/null 2>&1 &
  holder=$!
  i=0; while [ "$($PSQL "$PG" -c "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'emscov_it_holder_$$'
                                   AND query LIKE '%pg_sleep%'")" != 1 ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
}
release_holder() {
  $PSQL "$PG" -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'emscov_it_holder_$$'" \
    >/dev/null
  wait $holder || true
}
wait_for_swap() { i=0; while [ "$(waiting)" != 1 ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done; }
hold
"$EMSCOV" import --db "$PG" --schema "$S" --replace --table swap "$SAMPLE/census.shp" >"$TMP/swap.txt" 2>&1 &
importer=$!
wait_for_swap
[ "$(waiting)" = 1 ] || { release_holder; fail "the import did not reach the swap while the reader held the table"; }
$PSQL "$PG" -c "SELECT count(*) FROM $S.swap" >"$TMP/reader.txt" 2>&1 &
reader=$!
sleep 0.3
release_holder; wait $importer || { cat "$TMP/swap.txt"; fail "--replace exited $?"; }
wait $reader || { cat "$TMP/reader.txt"; fail "a reader queued behind --replace failed"; }
[ "$(cat "$TMP/reader.txt")" = 2927 ] || fail "reader queued behind --replace saw $(cat "$TMP/reader.txt"), not the new 2927 rows"
echo "ok: --replace: a reader queued behind the swap sees the new table"

# the same, but the import's session is killed while it waits to swap
$PSQL "$PG" -c "DROP TABLE $S.swap; CREATE TABLE $S.swap AS SELECT 1 AS marker" || fail "psql"
hold
"$EMSCOV" import --db "$PG" --schema "$S" --replace --table swap "$SAMPLE/census.shp" >"$TMP/killed.txt" 2>"$TMP/killed_err.txt" &
importer=$!
wait_for_swap
[ "$(waiting)" = 1 ] || { release_holder; fail "the import did not reach the swap while the reader held the table"; }
$PSQL "$PG" -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE wait_event_type = 'Lock'
                AND query LIKE 'DROP TABLE \"$S\".%'" >/dev/null || fail "psql"
wait $importer; rc=$?
release_holder
[ $rc = 1 ] || { cat "$TMP/killed_err.txt"; fail "killed import exited $rc, not 1"; }
[ "$(wc -l <"$TMP/killed_err.txt")" = 1 ] || { cat "$TMP/killed_err.txt"; fail "killed import: not one line"; }
check "killed --replace: old table intact, no staging table left" \
  "SELECT (SELECT marker FROM $S.swap) = 1 AND NOT EXISTS (SELECT 1 FROM pg_tables WHERE schemaname = '$S'
          AND tablename LIKE 'emscov_import%')"
echo "import of the sample city: every table agrees with GDAL; --replace is atomic for readers and on a kill"
