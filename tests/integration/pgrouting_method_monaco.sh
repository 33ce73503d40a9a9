#!/bin/sh
# tests/integration/pgrouting_method_monaco.sh EMSCOV SOURCE_DIR TMP: `method = pgrouting` reproduces a plain
# osm2pgrouting + pgr_drivingDistance study (issue 15; the method: shared/PGROUTING-METHOD.md beside the checkout)
# on the Monaco OSM extract.
#
# The reference is built without emscov, step by step as that method says: osmium reduces the file to the
# drivable classes, osm2pgrouting 2.3.8 imports it with shared/data/real/mapconfig_ems.xml (its class speeds),
# SQL recomputes each edge's time from its geodesic length, the class speed and the way's own oneway /
# junction / highway tags, the 8 stations (fire stations, hospitals) go to their nearest vertex in UTM 32N
# (ties: the lowest id), pgr_drivingDistance (equicost => false; min over stations) gives every vertex's time,
# and each building (weight area x max(levels, 1), scaled to 38,000 residents) takes its nearest vertex's time.
#
# emscov: `emscov times --method pgrouting` at every osm2pgrouting vertex (its lon/lat as a point) and
# `emscov analyze` of data/monaco/scenario.ini with `method = pgrouting` and thresholds 2, 4, 6, 8 (+ 12).
# Pass: every vertex's time within 1 s + 0.5 % of the reference (reached by both or by neither), and the
# covered shares at 2/4/6/8/12 min within +-0.005. Skips (77) without shared/ data, EMSCOV_TEST_PG, osmium or
# osm2pgrouting (tools/setup.sh test installs them).
set -u
EMSCOV=$1; SRC=$2; TMP=$3
. "$(dirname "$0")/lib.sh"
SHARED=${EMSCOV_SHARED_DIR:-$SRC/../shared}
REAL=$SHARED/data/real/monaco-osm-2016
PBF=$REAL/monaco.osm.pbf
[ -f "$PBF" ] || { echo "skipped: shared/ data not available"; exit 77; }
require_pg
for t in osmium osm2pgrouting ogr2ogr; do
  command -v $t >/dev/null || { echo "skipped: $t not installed (tools/setup.sh test)"; exit 77; }
done
rm -rf "$TMP" && mkdir -p "$TMP"
pg_schema it_pgr
# conninfo fields for osm2pgrouting, which takes them as options
field() { printf '%s\n' "$EMSCOV_TEST_PG" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
HOST=$(field host); PORT=$(field port); USER_=$(field user); DB=$(field dbname)

# ---- the reference study -------------------------------------------------------------------------------------
CLASSES=motorway,motorway_link,trunk,trunk_link,primary,primary_link,secondary,secondary_link,tertiary,tertiary_link,unclassified,residential,living_street,service
osmium tags-filter -O -f osm "$PBF" "w/highway=$CLASSES" -o "$TMP/drivable.osm" || fail "osmium tags-filter"
$PSQL "$EMSCOV_TEST_PG" -c "SET client_min_messages = warning; CREATE EXTENSION IF NOT EXISTS hstore" || fail "hstore"
osm2pgrouting -f "$TMP/drivable.osm" -c "$SHARED/data/real/mapconfig_ems.xml" --schema "$SCHEMA" --addnodes --tags \
  --clean -d "$DB" -U "$USER_" -h "${HOST:-localhost}" -p "${PORT:-5432}" >"$TMP/osm2pgrouting.log" 2>&1 \
  || { tail -20 "$TMP/osm2pgrouting.log"; fail "osm2pgrouting"; }
U="-t_srs EPSG:32632 -lco SCHEMA=$SCHEMA -lco GEOMETRY_NAME=geom"
ogr2ogr -f PostgreSQL "$PGC" "$REAL/derived/stations.geojson" -nln src_stations $U \
  -where "kind IN ('fire_station', 'hospital', 'ambulance_station')" || fail "ogr2ogr stations"
ogr2ogr -f PostgreSQL "$PGC" "$REAL/derived/buildings.csv" -nln src_buildings $U -s_srs EPSG:4326 \
  -oo X_POSSIBLE_NAMES=lon -oo Y_POSSIBLE_NAMES=lat -oo AUTODETECT_TYPE=YES || fail "ogr2ogr buildings"
$PSQL "$EMSCOV_TEST_PG" >/dev/null <<SQL || fail "reference SQL"
SET search_path = $SCHEMA, public;
-- edge time = geodesic length / class speed; direction from the way's own tags (PGROUTING-METHOD.md section 2)
CREATE TABLE e AS
SELECT w.gid AS id, w.source, w.target, ST_Length(w.the_geom::geography, true) / (c.maxspeed / 3.6) AS t,
       CASE WHEN lower(o.tags->'oneway') IN ('yes', 'true', '1') THEN 'f'
            WHEN lower(o.tags->'oneway') IN ('-1', 'reverse') THEN 'b'
            WHEN lower(o.tags->'oneway') IN ('no', 'false', '0') THEN 'both'
            WHEN lower(o.tags->'junction') IN ('roundabout', 'circular') THEN 'f'
            WHEN c.tag_value IN ('motorway', 'motorway_link') THEN 'f' ELSE 'both' END AS dir
FROM ways w JOIN configuration c USING (tag_id) JOIN osm_ways o ON o.osm_id = w.osm_id;
CREATE TABLE edges AS SELECT id, source, target, CASE WHEN dir = 'b' THEN -1 ELSE t END AS cost,
                             CASE WHEN dir = 'f' THEN -1 ELSE t END AS reverse_cost FROM e;
CREATE TABLE v AS SELECT id, osm_id, ST_Transform(the_geom, 32632) AS g FROM ways_vertices_pgr;
CREATE INDEX ON v USING gist (g);
CREATE TABLE sv AS SELECT s.osm_id AS station,
       (SELECT id FROM v ORDER BY ST_Distance(v.g, s.geom), id LIMIT 1) AS vid FROM src_stations s;
CREATE TABLE vt AS SELECT DISTINCT ON (node) node, agg_cost AS t FROM pgr_drivingDistance(
  'SELECT id, source, target, cost, reverse_cost FROM edges', (SELECT array_agg(DISTINCT vid) FROM sv), 1e15,
  directed => true, equicost => false) ORDER BY node, agg_cost, from_v;
-- demand: each building at its nearest vertex (ties: the lowest id), weights scaled to 38,000
CREATE TABLE b AS SELECT ogc_fid, geom, area_m2 * greatest(coalesce(levels, 1), 1) AS w FROM src_buildings;
CREATE TABLE bv AS SELECT b.ogc_fid, 38000 * b.w / (SELECT sum(w) FROM b) AS pop, vt.t
  FROM b CROSS JOIN LATERAL (SELECT id FROM v ORDER BY v.g <-> b.geom, id LIMIT 1) n LEFT JOIN vt ON vt.node = n.id;
\copy (SELECT id, ST_X(the_geom) AS lon, ST_Y(the_geom) AS lat FROM ways_vertices_pgr ORDER BY id) TO '$TMP/vertices.csv' CSV HEADER
SQL
check "8 stations, every one at a vertex" "SELECT count(*) = 8 AND bool_and(vid IS NOT NULL) FROM sv"

# ---- emscov ----------------------------------------------------------------------------------------------------
ogr2ogr -f GeoJSON "$TMP/stations.geojson" "$REAL/derived/stations.geojson" \
  -where "kind IN ('fire_station', 'hospital', 'ambulance_station')" || fail "ogr2ogr stations.geojson"
"$EMSCOV" times --method pgrouting --roads "$PBF" --stations "$TMP/stations.geojson" --station-id osm_id \
  --points "$TMP/vertices.csv" --out "$TMP/times.csv" 2>"$TMP/times.err" \
  || { cat "$TMP/times.err"; fail "emscov times"; }
sed "s#\.\./\.\./\.\./shared#$SHARED#; s/^thresholds_min = 4, 8$/thresholds_min = 2, 4, 6, 8\nmethod = pgrouting/" \
  "$SRC/data/monaco/scenario.ini" >"$TMP/scenario.ini"
grep -q "^method = pgrouting" "$TMP/scenario.ini" || fail "scenario: method not set"
"$EMSCOV" analyze --out "$TMP/out" "$TMP/scenario.ini" >"$TMP/summary.txt" 2>"$TMP/stderr.txt" \
  || { cat "$TMP/stderr.txt"; fail "analyze exited $?"; }
$PSQL "$EMSCOV_TEST_PG" -c "CREATE TABLE $SCHEMA.et(record bigint, x float8, y float8, station text, time_s float8,
  station2 text, time2_s float8, snap_dist_m float8, component int, status text)" || fail "psql"
{ printf 'COPY %s.et FROM STDIN CSV HEADER;\n' "$SCHEMA"; cat "$TMP/times.csv"; printf '\\.\n'; } \
  | $PSQL "$EMSCOV_TEST_PG" || fail "loading times.csv"
load_report "$TMP/out/report.json"

# ---- the comparison ------------------------------------------------------------------------------------------
# the k-th row of vertices.csv is record k of the times
check "every vertex is one point of emscov times" \
  "SELECT (SELECT count(*) FROM et) = (SELECT count(*) FROM v) AND (SELECT max(snap_dist_m) FROM et) < 0.01"
check "per vertex: emscov = pgRouting within 1 s + 0.5 %, reached by both or by neither" \
  "WITH r AS (SELECT row_number() OVER (ORDER BY id) AS record, id FROM v),
        c AS (SELECT r.id, vt.t AS ref, et.time_s AS ours FROM r JOIN et USING (record) LEFT JOIN vt ON vt.node = r.id)
   SELECT bool_and(CASE WHEN ref IS NULL THEN ours IS NULL WHEN ours IS NULL THEN false
                        ELSE abs(ours - ref) <= 1 + 0.005 * ref END) FROM c" \
  "WITH r AS (SELECT row_number() OVER (ORDER BY id) AS record, id FROM v),
        c AS (SELECT r.id, vt.t AS ref, et.time_s AS ours FROM r JOIN et USING (record) LEFT JOIN vt ON vt.node = r.id)
   SELECT count(*) FILTER (WHERE ref IS NOT NULL) || ' reached by pgRouting, ' || count(*) FILTER (WHERE ours IS NOT NULL)
          || ' by emscov; outside tolerance: ' || coalesce(string_agg(id || ': ' || coalesce(ours::text, 'none') || ' vs '
          || coalesce(round(ref::numeric, 1)::text, 'none'), '; ') FILTER (WHERE NOT coalesce(abs(ours - ref) <= 1 + 0.005 * ref,
          ref IS NULL AND ours IS NULL)), '') FROM c"
$PSQL "$EMSCOV_TEST_PG" -c "SET search_path = $SCHEMA, public;
  WITH r AS (SELECT row_number() OVER (ORDER BY id) AS record, id FROM v),
       c AS (SELECT vt.t AS ref, et.time_s AS ours FROM r JOIN et USING (record) JOIN vt ON vt.node = r.id)
  SELECT 'vertices reached: ' || count(*) || ', worst difference ' || round(max(abs(ours - ref))::numeric, 3) || ' s' FROM c"
for T in 2 4 6 8 12; do
  check "covered share at $T min: emscov = reference within 0.005" \
    "SELECT abs((SELECT coalesce(sum(pop), 0) FROM bv WHERE t <= 60 * $T) / 38000
                - (SELECT (x->>'share')::float8 FROM report, jsonb_array_elements(j->'coverage'->'covered') x
                   WHERE (x->>'within_s')::float8 = 60 * $T)) <= 0.005" \
    "SELECT (SELECT coalesce(sum(pop), 0) FROM bv WHERE t <= 60 * $T) / 38000,
            (SELECT x->>'share' FROM report, jsonb_array_elements(j->'coverage'->'covered') x WHERE (x->>'within_s')::float8 = 60 * $T)"
done
echo "method = pgrouting on Monaco: every vertex and the covered shares agree with osm2pgrouting + pgr_drivingDistance"
