# --replace with a bad second file: the whole command rolls back, the old table is intact and nothing else
# is left in the schema (no staging table); then a good --replace swaps in the new table with its indexes
requires sample
requires pg
$ printf '{"type": "FeatureCollection",\n "features": [ {"type": ]}' >$TMP/bad.geojson; sql "CREATE SCHEMA $S; CREATE TABLE $S.census AS SELECT 42 AS marker" && emscov import --db "$PG" --schema $S --replace $SAMPLE/census.shp $TMP/bad.geojson >/dev/null; rc=$?; echo "old table kept: marker $(sql "SELECT marker FROM $S.census"), relations $(sql "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = '$S'")"; emscov import --db "$PG" --schema $S --replace $SAMPLE/census.shp >/dev/null && echo "replaced: $(sql "SELECT count(*) || ' rows, ' || sum(pop) FROM $S.census"), relations: $(sql "SELECT string_agg(c.relname, ' ' ORDER BY c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = '$S'")"; (exit $rc)
? 2
! bad.geojson: JSON syntax error
! rolled back: nothing was imported
> old table kept: marker 42, relations 1
> replaced: 2927 rows, 1800035, relations: census census_geom_idx census_gid_seq census_pkey
