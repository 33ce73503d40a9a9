# --to-srs and --srid reproject: stations.csv (WGS 84, 6 decimals) lands within 0.1 m of stations.shp (the
# same stations written in EPSG:4548 by the generator)
requires sample
requires pg
$ emscov import --db "$PG" --schema $S --table a --to-srs EPSG:4548 $SAMPLE/stations.csv && emscov import --db "$PG" --schema $S --table b --srid 4548 $SAMPLE/stations.csv >/dev/null && emscov import --db "$PG" --schema $S $SAMPLE/stations.shp >/dev/null && for t in a b; do echo "$t: srid $(sql "SELECT Find_SRID('$S', '$t', 'geom')"), within 0.1 m of the shapefile: $(sql "SELECT count(*) FROM $S.$t x JOIN $S.stations s ON s.id = x.id WHERE ST_Distance(x.geom, s.geom) < 0.1")"; done
> a: srid 4548, within 0.1 m of the shapefile: 15
> b: srid 4548, within 0.1 m of the shapefile: 15
~ (from CSV lon/lat columns (assumed WGS 84)), reprojected to CGCS2000 / 3-degree Gauss-Kruger CM 117E [EPSG:4548], SRID 4548
