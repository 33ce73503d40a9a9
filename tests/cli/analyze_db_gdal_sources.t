# analyze --db with a GeoPackage table by name (stations) and pg: sources (streets, roads) read from the --db
# database (libpq's environment points nowhere): the run is stored once, its input record checksums the
# GeoPackage file (sha256sum's digest), and all 15 stations and 20 sub-districts were read
requires sample
requires pg
$ mkdir -p $TMP/c && cp $SAMPLE/* $TMP/c/ && rm -f $TMP/c/two.gpkg && ogr2ogr -f GPKG -nln parks $TMP/c/two.gpkg $SAMPLE/parks.geojson && ogr2ogr -update -nln stations $TMP/c/two.gpkg $SAMPLE/stations.shp && emscov import --quiet --db "$PG" --schema $S $SAMPLE/streets_gbk.shp $SAMPLE/roads.shp && sed "s#path = stations.shp#path = two.gpkg:stations#; s#path = streets_gbk.shp#path = pg:$S.streets_gbk#; s#path = roads.shp#path = pg:$S.roads#" $SAMPLE/scenario.ini >$TMP/c/scenario.ini && PGHOST=/nonexistent emscov analyze --db "$PG" --db-schema $S --out $TMP/out $TMP/c/scenario.ini >/dev/null && echo "runs: $(sql "SELECT count(*) FROM $S.run")" && [ "$(sql "SELECT inputs->'stations'->'files'->0->>'sha256' FROM $S.run")" = "$(sha256sum $TMP/c/two.gpkg | cut -c1-64)" ] && echo "checksum: sha256sum's" && echo "read: $(jq '[(.stations | length), (.subdistricts | length)] | map(tostring) | join(" ")' -r $TMP/out/report.json)"
> runs: 1
> checksum: sha256sum's
> read: 15 20
