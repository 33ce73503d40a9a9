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
. "$(dirname "$0")/lib.sh"
require_pg
rm -rf "$TMP" && mkdir -p "$TMP"
"$EMSCOV" analyze --out "$TMP/out" "$SAMPLE/scenario.ini" >"$TMP/summary.txt" 2>"$TMP/stderr.txt" \
  || { cat "$TMP/stderr.txt"; fail "analyze exited $?"; }
for f in report.json streets.csv emscov.gpkg; do [ -s "$TMP/out/$f" ] || fail "missing $f"; done
ls "$TMP/out" | grep -q tmp && fail "temporary file left behind"

check_gpkg "$TMP/out/emscov.gpkg"
pg_schema it_analyze
ogr2ogr -f PostgreSQL "$PGC" "$TMP/out/emscov.gpkg" demand_time street_summary station input_issue -lco SCHEMA=$SCHEMA \
  -preserve_fid -lco FID=fid \
  || fail "ogr2ogr gpkg -> PostGIS"
ogr2ogr -f PostgreSQL "$PGC" "$SAMPLE/streets_utf8.shp" -nln src_streets -t_srs EPSG:32650 -lco SCHEMA=$SCHEMA \
  -lco GEOMETRY_NAME=geom || fail "ogr2ogr streets"
ogr2ogr -f PostgreSQL "$PGC" "$SAMPLE/stations.shp" -nln src_stations -t_srs EPSG:32650 -lco SCHEMA=$SCHEMA \
  -lco GEOMETRY_NAME=geom || fail "ogr2ogr stations"
load_report "$TMP/out/report.json"
check_coverage_figures
check "stations per sub-district = ST_Covers on the source layers (lowest sub-district on a boundary)" \
  "SELECT bool_and(s.stations = coalesce(c.n, 0)) FROM street_summary s
   JOIN src_streets ss ON ss.code = s.code
   LEFT JOIN (SELECT street, count(*) n FROM (SELECT DISTINCT ON (t.ogc_fid) t.ogc_fid, st.code AS street
              FROM src_stations t JOIN src_streets st ON ST_Covers(st.geom, t.geom) ORDER BY t.ogc_fid, st.ogc_fid) x
              GROUP BY street) c ON c.street = s.code"
check "ambulances per 30k (city) = SQL from the source stations" \
  "SELECT abs((SELECT sum(ambulances) FROM src_stations) / (j->'population'->>'allocated_total')::float8 * 30000
              - (j->'ambulances'->>'per_standard_residents')::float8) < 1e-9 FROM report"
check "stations: id, name and ambulances of every source station, by record (GDAL's fid = record)" \
  "SELECT count(*) = (SELECT count(*) FROM src_stations) AND bool_and(s.station_id = t.id::text AND s.name = t.name
          AND s.ambulances = t.ambulances)
   FROM station s JOIN src_stations t ON t.ogc_fid = s.record"
check "stations: sub-district id = the code of the sub-district covering it (ST_Covers, lowest first), NULL outside" \
  "SELECT bool_and(s.subdistrict_id IS NOT DISTINCT FROM c.code) FROM station s JOIN src_stations t ON t.ogc_fid = s.record
   LEFT JOIN (SELECT DISTINCT ON (t.ogc_fid) t.ogc_fid, st.code FROM src_stations t
              JOIN src_streets st ON ST_Covers(st.geom, t.geom) ORDER BY t.ogc_fid, st.ogc_fid) c ON c.ogc_fid = t.ogc_fid"
check "gap verdict = no station covered by the sub-district (SQL)" \
  "SELECT bool_and(s.gap = NOT EXISTS (SELECT 1 FROM src_stations t WHERE ST_Covers(ss.geom, t.geom)))
   FROM street_summary s JOIN src_streets ss ON ss.code = s.code"
check "ledger: the station outside every sub-district and off the road network is named (id 14)" \
  "SELECT count(*) = 2 AND bool_and(i.source_name = t.name) FROM input_issue i JOIN src_stations t ON t.ogc_fid = i.record
   WHERE i.layer = 'stations' AND i.reason IN ('outside', 'off_network') AND i.source_id = '14'"
check "ledger: the unreachable population = the unreached and off-network rows of the population layer" \
  "SELECT abs((SELECT sum(population) FROM input_issue WHERE layer = 'population' AND reason IN ('unreached', 'off_network'))
              - (j->'coverage'->>'unreachable_population')::float8) < 1e-6 FROM report"
grep -q "population  input 1800035 = allocated 1800035" "$TMP/summary.txt" || { cat "$TMP/summary.txt"; fail "summary totals"; }
grep -q "sub-districts without a station (7): " "$TMP/summary.txt" || { cat "$TMP/summary.txt"; fail "gap names"; }
# the parallel step (snapping and timing demand points) gives the same report with one thread or several
for t in 1 3; do
  EMSCOV_THREADS=$t "$EMSCOV" analyze --json --out "$TMP/out$t" "$SAMPLE/scenario.ini" >"$TMP/report$t.json" 2>/dev/null \
    || fail "analyze with EMSCOV_THREADS=$t"
done
cmp -s "$TMP/report1.json" "$TMP/report3.json" || fail "report.json differs between 1 and 3 threads"
cmp -s "$TMP/out/report.json" "$TMP/out1/report.json" || fail "report.json differs between the default threads and 1"
echo "ok: identical report.json with 1, 3 and the default number of threads"
# ... and the same GeoPackage rows, every table (with 1 thread the steps run in order; with several, the service
# areas are computed while the other tables are written): GDAL reads both files
for t in 1 3; do
  # (the QGIS styles' update_time is the time of writing)
  ogrinfo -ro -al -q "$TMP/out$t/emscov.gpkg" | sed -e "s#$TMP/out$t/##" -e '/update_time (DateTime) = /d' \
    >"$TMP/gpkg$t.txt" || fail "ogrinfo out$t"
done
[ "$(grep -c '^OGRFeature(' "$TMP/gpkg1.txt")" -gt 17000 ] || fail "ogrinfo read too few features"
cmp -s "$TMP/gpkg1.txt" "$TMP/gpkg3.txt" || { diff "$TMP/gpkg1.txt" "$TMP/gpkg3.txt" | head; fail "GeoPackage rows differ between 1 and 3 threads"; }
echo "ok: identical GeoPackage rows with 1 and 3 threads"
echo "analyze on the sample city: all figures agree with the independent computations"
