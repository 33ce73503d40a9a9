#!/bin/sh
# tests/integration/analyze_monaco.sh EMSCOV SOURCE_DIR TMP: `emscov analyze` on real OpenStreetMap data
# (../shared/data/real/monaco-osm-2016, scenario data/monaco/scenario.ini: 9 quartiers, fire stations and
# hospitals, buildings weighted by area x max(levels, 1) spreading 38,000 residents, OSM roads, parks), with
# every figure recomputed independently: the source files are loaded into PostGIS by GDAL (ogr2ogr) and SQL
# recomputes population per quartier, stations per quartier (ST_Covers), ambulances per 30,000, the park
# population share (ST_Union(ST_Buffer(park, 500, 'quad_segs=8'))), and the coverage figures from the
# GeoPackage's demand_time. Travel times themselves are checked against pgRouting on this network in
# tests/geo/test_route_pgrouting.c. Skips (77) without shared/ data or EMSCOV_TEST_PG.
set -u
EMSCOV=$1; SRC=$2; TMP=$3
. "$(dirname "$0")/lib.sh"
SHARED=${EMSCOV_SHARED_DIR:-$SRC/../shared}
REAL=$SHARED/data/real/monaco-osm-2016
[ -f "$REAL/monaco.osm.pbf" ] || { echo "skipped: shared/ data not available"; exit 77; }
require_pg
rm -rf "$TMP" && mkdir -p "$TMP"
sed "s#\.\./\.\./\.\./shared#$SHARED#" "$SRC/data/monaco/scenario.ini" >"$TMP/scenario.ini"
"$EMSCOV" analyze --out "$TMP/out" "$TMP/scenario.ini" >"$TMP/summary.txt" 2>"$TMP/stderr.txt" \
  || { cat "$TMP/stderr.txt"; fail "analyze exited $?"; }
cat "$TMP/summary.txt"
# the roads are read on their own thread: their warning reaches stderr
grep -q "monaco.osm.pbf: 3 drivable ways with fewer than 2 nodes" "$TMP/stderr.txt" || { cat "$TMP/stderr.txt"; fail "roads warning lost"; }
check_gpkg "$TMP/out/emscov.gpkg"
pg_schema it_monaco
ogr2ogr -f PostgreSQL "$PGC" "$TMP/out/emscov.gpkg" demand_time street_summary -lco SCHEMA=$SCHEMA -preserve_fid \
  -lco FID=fid || fail "ogr2ogr gpkg -> PostGIS"
U="-t_srs EPSG:32632 -lco SCHEMA=$SCHEMA -lco GEOMETRY_NAME=geom"
ogr2ogr -f PostgreSQL "$PGC" "$REAL/derived/subdistricts.geojson" -nln src_quartiers $U -where "admin_level = '10'" \
  || fail "ogr2ogr quartiers"
ogr2ogr -f PostgreSQL "$PGC" "$REAL/derived/stations.geojson" -nln src_stations $U \
  -where "kind IN ('fire_station', 'hospital', 'ambulance_station')" || fail "ogr2ogr stations"
ogr2ogr -f PostgreSQL "$PGC" "$REAL/derived/parks.geojson" -nln src_parks $U || fail "ogr2ogr parks"
ogr2ogr -f PostgreSQL "$PGC" "$REAL/derived/buildings.csv" -nln src_buildings $U -s_srs EPSG:4326 \
  -oo X_POSSIBLE_NAMES=lon -oo Y_POSSIBLE_NAMES=lat -oo AUTODETECT_TYPE=YES || fail "ogr2ogr buildings"
load_report "$TMP/out/report.json"

check "9 quartiers and 8 stations read (GDAL counts the same filter)" \
  "SELECT (SELECT count(*) FROM street_summary) = (SELECT count(*) FROM src_quartiers)
      AND (j->'gaps'->>'stations')::int = (SELECT count(*) FROM src_stations) FROM report"
check_coverage_figures
check "population per quartier = 38000 x building weight share (SQL, ST_Covers)" \
  "WITH b AS (SELECT geom, area_m2 * greatest(coalesce(levels, 1), 1) AS w FROM src_buildings),
        q AS (SELECT q.osm_id::text AS code, 38000 * sum(b.w) / (SELECT sum(w) FROM b) AS pop
              FROM src_quartiers q JOIN b ON ST_Covers(q.geom, b.geom) GROUP BY q.osm_id)
   SELECT bool_and(abs(s.population - q.pop) < 1e-6 * 38000) FROM street_summary s JOIN q ON q.code = s.code" \
  "WITH b AS (SELECT geom, area_m2 * greatest(coalesce(levels, 1), 1) AS w FROM src_buildings)
   SELECT s.code, s.population, 38000 * sum(b.w) / (SELECT sum(w) FROM b) FROM street_summary s
   JOIN src_quartiers q ON q.osm_id::text = s.code JOIN b ON ST_Covers(q.geom, b.geom) GROUP BY s.code, s.population"
check "outside population = 38000 - sum over quartiers" \
  "SELECT abs((j->'population'->>'outside_subdistricts')::float8 + (SELECT sum(population) FROM street_summary)
              - 38000) < 1e-3 FROM report"
check "stations per quartier = ST_Covers on the source layers" \
  "SELECT bool_and(s.stations = (SELECT count(*) FROM src_stations t JOIN src_quartiers q ON ST_Covers(q.geom, t.geom)
                                 WHERE q.osm_id::text = s.code)) FROM street_summary s"
check "ambulances per 30,000 = 8 stations x 1 / 38000 x 30000" \
  "SELECT abs((SELECT count(*) FROM src_stations) / 38000.0 * 30000
              - (j->'ambulances'->>'per_standard_residents')::float8) < 1e-9 FROM report"
check "park population share = SQL over ST_Union(ST_Buffer(parks, 500))" \
  "WITH u AS (SELECT ST_Union(ST_Buffer(geom, 500, 'quad_segs=8')) g FROM src_parks)
   SELECT abs((SELECT sum(population) FILTER (WHERE ST_Covers(u.g, d.geom)) / sum(population) FROM demand_time d, u)
              - (j->'parks'->>'population_share')::float8) < 1e-9 FROM report" \
  "WITH u AS (SELECT ST_Union(ST_Buffer(geom, 500, 'quad_segs=8')) g FROM src_parks)
   SELECT (SELECT sum(population) FILTER (WHERE ST_Covers(u.g, d.geom)) / sum(population) FROM demand_time d, u),
          j->'parks'->'population_share' FROM report"
grep -q "population  input 38000 = allocated 38000" "$TMP/summary.txt" || fail "summary totals"
echo "analyze on Monaco (real OSM data): all figures agree with the independent computations"
