#!/bin/sh
# tests/integration/sites_pg.sh EMSCOV SAMPLE_DIR TMP: `emscov sites --db` on the sample city against the test
# PostGIS, checked with SQL against the files written beside it:
#  - sites.json loaded as jsonb (lib.sh load_report), sites.csv loaded with psql \copy, and the GeoPackage layer
#    `candidate` loaded by ogr2ogr: the sites_run row (name, report, parameters, candidate count), site_candidate's
#    row count, ranks, ids, every what-if gain and the selected flags, site_selected in greedy order, the SRIDs
#    and the WGS 84 views;
#  - --replace NAME keeps only the newest sites run of NAME;
#  - server down (wrong port, a password in the conninfo): exit 1, one line, no password, nothing in --out.
# Needs EMSCOV_TEST_PG (skips with 77 without it, unless EMSCOV_REQUIRE_PG=1).
set -u
EMSCOV=$1; SAMPLE=$2; TMP=$3
. "$(dirname "$0")/lib.sh"
require_pg
rm -rf "$TMP" && mkdir -p "$TMP"
pg_schema it_sites   # the store migrates this (empty) schema; sites.json goes into it too
DB=$EMSCOV_TEST_PG
sql() { $PSQL "$DB" -c "$1"; }
run_id_of() { sed -n 's/^stored sites run \([0-9]*\) in .*/\1/p' "$1"; }
ARGS="--grid 1000 --gap-centroids --k 5"

# ---- one run, every stored value against the files ---------------------------------------------------------
# shellcheck disable=SC2086
"$EMSCOV" sites --db "$DB" --db-schema "$SCHEMA" $ARGS --out "$TMP/out" "$SAMPLE/scenario.ini" >"$TMP/stdout.txt" \
  2>"$TMP/stderr.txt" || { cat "$TMP/stderr.txt"; fail "sites --db exited $?"; }
ID=$(run_id_of "$TMP/stdout.txt")
[ -n "$ID" ] || { cat "$TMP/stdout.txt"; fail "no 'stored sites run N' line"; }
grep -q "^stored sites run $ID in $SCHEMA at host=.* dbname=" "$TMP/stdout.txt" || fail "stored line"
for f in sites.json sites.csv sites.gpkg; do [ -s "$TMP/out/$f" ] || fail "missing $f"; done
ls "$TMP/out" | grep -q -e tmp -e pending && fail "temporary file left behind"
load_report "$TMP/out/sites.json"
sql "CREATE TABLE $SCHEMA.csv (rank int, id text, origin text, x float8, y float8, lon float8, lat float8,
     subdistrict text, subdistrict_name text, subdistrict_code text, snap_m float8, delay_s float8, new_covered float8,
     mean_change_s float8, fills_gap text, gap_rank int, backup_gain float8, mexclp_gain float8, covered float8,
     selected text, selected_order int)" \
  || fail "psql"
$PSQL "$DB" -c "\\copy $SCHEMA.csv FROM '$TMP/out/sites.csv' WITH (FORMAT csv, HEADER true)" || fail "loading sites.csv"
ogr2ogr -f PostgreSQL "$PGC" "$TMP/out/sites.gpkg" candidate -nln gpkg_candidate -lco GEOMETRY_NAME=geom \
  || fail "ogr2ogr sites.gpkg"

check "layout versions 1 to 4 recorded" "SELECT string_agg(version::text, ',' ORDER BY version) = '1,2,3,4' FROM schema_version"
check "sites_run row: name, status, report = sites.json, parameters, candidates, k, SRID of the tables" \
  "SELECT r.name = j->>'scenario' AND r.status = 'complete' AND r.report = j AND r.parameters = j->'parameters'
          AND r.candidates = (j->'candidates'->>'evaluated')::int AND r.k = (j->'greedy'->>'k')::int
          AND r.baseline_covered = (j->'baseline'->>'covered')::float8
          AND r.selected_covered = (j->'greedy'->>'covered')::float8
          AND r.working_srid = Find_SRID('$SCHEMA', 'site_candidate', 'geom')
          AND r.working_srid = Find_SRID('$SCHEMA', 'gpkg_candidate', 'geom')
          AND r.finished >= r.started AND r.scenario LIKE '%scenario.ini'
   FROM sites_run r, report WHERE r.id = $ID"
check "site_candidate rows = sites.csv rows = sites.json what-if entries = GeoPackage candidates" \
  "SELECT (SELECT count(*) FROM site_candidate WHERE sites_run_id = $ID) = (SELECT count(*) FROM csv)
      AND (SELECT count(*) FROM csv) = jsonb_array_length(j->'whatif')
      AND (SELECT count(*) FROM csv) = (SELECT count(*) FROM gpkg_candidate)
      AND (SELECT count(*) FROM csv) > 10 FROM report"
check "ranked gains = sites.csv (its decimals): id, origin, x, y, new covered, mean change, gap, backup, covered, selected, sub-district code, rank in its gap" \
  "SELECT count(*) = (SELECT count(*) FROM csv) AND bool_and(c.id = s.id AND c.origin = s.origin
        AND abs(ST_X(s.geom) - c.x) <= 0.005 AND abs(ST_Y(s.geom) - c.y) <= 0.005
        AND abs(s.new_covered - c.new_covered) <= 0.05 AND abs(s.mean_change_s - c.mean_change_s) <= 0.005
        AND s.fills_gap = (c.fills_gap = 'yes') AND abs(s.backup_gain - c.backup_gain) <= 0.05
        AND abs(s.covered - c.covered) <= 0.05 AND s.selected = (c.selected = 'yes')
        AND (s.mexclp_gain IS NULL) = (c.mexclp_gain IS NULL) AND coalesce(s.subdistrict, '') = coalesce(c.subdistrict, '')
        AND coalesce(s.subdistrict_code, '') = coalesce(c.subdistrict_code, '')
        AND s.gap_rank IS NOT DISTINCT FROM c.gap_rank)
   FROM site_candidate s JOIN csv c ON c.rank = s.rank WHERE s.sites_run_id = $ID" \
  "SELECT s.rank, s.id, c.id, s.new_covered, c.new_covered FROM site_candidate s JOIN csv c USING (rank) LIMIT 5"
check "ranked gains = sites.json what-if (full precision)" \
  "SELECT count(*) = jsonb_array_length((SELECT j->'whatif' FROM report)) AND bool_and(s.id = e->>'id'
        AND abs(s.new_covered - (e->>'new_covered')::float8) <= 1e-9 * greatest(1, abs(s.new_covered))
        AND abs(s.mean_change_s - (e->>'mean_change_s')::float8) <= 1e-9 * greatest(1, abs(s.mean_change_s))
        AND abs(s.backup_gain - (e->>'backup_gain')::float8) <= 1e-9 * greatest(1, s.backup_gain)
        AND abs(s.covered - (e->>'covered')::float8) <= 1e-9 * greatest(1, s.covered)
        AND abs(s.snap_m - (e->>'snap_m')::float8) <= 1e-9 * greatest(1, s.snap_m)
        AND s.fills_gap = (e->>'fills_gap')::boolean)
   FROM site_candidate s JOIN (SELECT jsonb_array_elements(j->'whatif') e FROM report) x
        ON (x.e->>'rank')::int = s.rank WHERE s.sites_run_id = $ID"
# GDAL passes doubles to PostgreSQL with 15 significant digits: compare to 1e-12 relative
near() { echo "(s.$1 IS NULL AND g.$1 IS NULL OR abs(s.$1 - g.$1) <= 1e-12 * greatest(1, abs(s.$1)))"; }
check "site_candidate = GeoPackage layer candidate (read by GDAL): every field and point" \
  "SELECT count(*) = (SELECT count(*) FROM gpkg_candidate) AND bool_and(s.id = g.id AND s.origin = g.origin
        AND s.subdistrict IS NOT DISTINCT FROM g.subdistrict AND $(near snap_m) AND $(near delay_s)
        AND $(near new_covered) AND $(near mean_change_s) AND s.fills_gap = g.fills_gap AND $(near backup_gain)
        AND $(near mexclp_gain) AND $(near covered) AND s.selected = g.selected
        AND s.selected_order IS NOT DISTINCT FROM g.selected_order AND ST_Equals(s.geom, g.geom))
   FROM site_candidate s JOIN gpkg_candidate g ON g.rank = s.rank WHERE s.sites_run_id = $ID"
check "candidates: lon/lat = PostGIS ST_Transform of the point to EPSG:4326 (1e-7 degrees)" \
  "SELECT bool_and(abs(ST_X(ST_Transform(s.geom, 4326)) - c.lon) < 2e-7 AND abs(ST_Y(ST_Transform(s.geom, 4326)) - c.lat) < 2e-7)
   FROM site_candidate s JOIN csv c ON c.rank = s.rank WHERE s.sites_run_id = $ID"
check "selected sites: each pick's newly covered adds up to the selection's covered population" \
  "SELECT abs((j->'baseline'->>'covered')::float8 + (SELECT sum((e->>'new_covered')::float8)
              FROM jsonb_array_elements(j->'greedy'->'selected') e) - (j->'greedy'->>'covered')::float8) < 1e-6
   FROM report"
check "site_selected = sites.json greedy selection, in order, and the selected flags of site_candidate" \
  "SELECT (SELECT array_agg(id ORDER BY selected_order) FROM site_selected WHERE sites_run_id = $ID)
          = (SELECT array_agg(e->>'id' ORDER BY (e->>'order')::int) FROM jsonb_array_elements(j->'greedy'->'selected') e)
      AND (SELECT count(*) FROM site_selected WHERE sites_run_id = $ID) = (j->'greedy'->>'k')::int
      AND (SELECT array_agg(id ORDER BY selected_order) FROM site_candidate WHERE sites_run_id = $ID AND selected)
          = (SELECT array_agg(id ORDER BY selected_order) FROM site_selected WHERE sites_run_id = $ID)
   FROM report"
check "geometry_columns: the two tables in the working SRID, the views in 4326; WGS 84 view = ST_Transform" \
  "SELECT (SELECT count(*) FROM geometry_columns WHERE f_table_schema = '$SCHEMA' AND f_table_name LIKE 'site\_%'
           AND f_table_name NOT LIKE '%wgs84' AND srid = (SELECT working_srid FROM sites_run WHERE id = $ID)) = 2
      AND (SELECT count(*) FROM geometry_columns WHERE f_table_schema = '$SCHEMA' AND f_table_name LIKE 'site\_%wgs84'
           AND srid = 4326) = 2
      AND (SELECT bool_and(ST_DWithin(v.geom, ST_Transform(t.geom, 4326), 1e-9)) FROM site_selected_wgs84 v
           JOIN site_selected t USING (gid))"

# ---- --replace ------------------------------------------------------------------------------------------------
for i in 1 2; do
  # shellcheck disable=SC2086
  "$EMSCOV" sites --db "$DB" --db-schema "$SCHEMA" --replace plan $ARGS --out "$TMP/r$i" "$SAMPLE/scenario.ini" \
    >"$TMP/r$i.txt" 2>"$TMP/r$i.err" || { cat "$TMP/r$i.err"; fail "sites --replace plan ($i)"; }
done
R1=$(run_id_of "$TMP/r1.txt"); R2=$(run_id_of "$TMP/r2.txt")
check "--replace: only the newest sites run of the name remains, with all its rows; the first run stays" \
  "SELECT (SELECT array_agg(id) FROM sites_run WHERE name = 'plan') = ARRAY[$R2::bigint]
      AND NOT EXISTS (SELECT 1 FROM site_candidate WHERE sites_run_id = $R1)
      AND (SELECT count(*) FROM site_candidate WHERE sites_run_id = $R2) = (SELECT candidates FROM sites_run WHERE id = $R2)
      AND EXISTS (SELECT 1 FROM sites_run WHERE id = $ID)"

# ---- server down -------------------------------------------------------------------------------------------
# shellcheck disable=SC2086
"$EMSCOV" sites --db "host=127.0.0.1 port=1 dbname=x user=postgres password=s3cr3t-pw" $ARGS --out "$TMP/down" \
  "$SAMPLE/scenario.ini" >"$TMP/down.txt" 2>"$TMP/down.err"; rc=$?
[ $rc = 1 ] || { cat "$TMP/down.err"; fail "server down: exit $rc, not 1"; }
[ "$(wc -l <"$TMP/down.err")" = 1 ] || { cat "$TMP/down.err"; fail "server down: not one line"; }
grep -q "s3cr3t" "$TMP/down.err" "$TMP/down.txt" && fail "server down: the password was printed"
[ -e "$TMP/down" ] && fail "server down: --out was created"
echo "ok: server down: $(cat "$TMP/down.err")"
"$EMSCOV" sites --replace x $ARGS --out "$TMP/nodb" "$SAMPLE/scenario.ini" >/dev/null 2>"$TMP/nodb.err"; rc=$?
[ $rc = 2 ] && grep -q -- "--replace needs --db" "$TMP/nodb.err" || { cat "$TMP/nodb.err"; fail "--replace without --db"; }
echo "sites --db on the sample city: every stored value agrees with sites.csv, sites.json and sites.gpkg"
