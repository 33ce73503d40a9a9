# Polygons and lines are promoted to Multi by default, so a multipart feature can be --appended later (as with
# shp2pgsql); --keep-single keeps Polygon / LineString columns. Column types as PostGIS reports them.
requires sample
requires pg
$ emscov import --quiet --db "$PG" --schema $S $SAMPLE/census.shp $SAMPLE/roads.shp && emscov import --quiet --keep-single --db "$PG" --schema $S --table census_single $SAMPLE/census.shp && ogr2ogr -f GeoJSON $TMP/multi.geojson $SAMPLE/census.shp -sql "SELECT * FROM census WHERE FID < 2" -nlt MULTIPOLYGON && emscov import --quiet --append --db "$PG" --schema $S --table census $TMP/multi.geojson && echo "types: $(sql "SELECT string_agg(f_table_name || ' ' || type, ', ' ORDER BY f_table_name) FROM geometry_columns WHERE f_table_schema = '$S'")" && echo "census rows: $(sql "SELECT count(*) FROM $S.census")" && echo "parts: $(sql "SELECT min(ST_NumGeometries(geom)) || '-' || max(ST_NumGeometries(geom)) FROM $S.census")"
> types: census MULTIPOLYGON, census_single POLYGON, roads MULTILINESTRING
> census rows: 2929
> parts: 1-1
