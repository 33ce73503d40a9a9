# census POP sum and row count, stations count and the SRID, each against GDAL reading the source files; the
# polygons go into a MultiPolygon column (promoted, as shp2pgsql does), the points stay Point
requires sample
requires pg
$ emscov import --db "$PG" --schema $S $SAMPLE/census.shp $SAMPLE/stations.shp >$TMP/report.txt && echo "census pg: $(sql "SELECT sum(pop) || ' ' || count(*) FROM $S.census") ogr: $(ogrinfo -ro -q -sql 'SELECT SUM(POP) AS s, COUNT(*) AS n FROM census' $SAMPLE/census.shp | sed -n 's/^  [sn] ([A-Za-z0-9]*) = //p' | tr '\n' ' ')" && echo "stations pg: $(sql "SELECT count(*) FROM $S.stations") ogr: $(ogrinfo -ro -so -al $SAMPLE/stations.shp | sed -n 's/^Feature Count: //p')" && echo "srid pg: $(sql "SELECT Find_SRID('$S', 'census', 'geom') || ' ' || Find_SRID('$S', 'stations', 'geom')") gdalsrsinfo: $(gdalsrsinfo -o epsg $SAMPLE/census.prj | grep EPSG) $(gdalsrsinfo -o epsg $SAMPLE/stations.prj | grep EPSG)"; cat $TMP/report.txt
> census pg: 1800035 2927 ogr: 1800035 2927 
> stations pg: 15 ogr: 15
> srid pg: 4548 4548 gdalsrsinfo: EPSG:4548 EPSG:4548
~   rows       2927 loaded of 2927 records (0 repaired, 0 empty skipped)
~   crs        CGCS2000 / 3-degree Gauss-Kruger CM 117E [EPSG:4548] (from .prj), SRID 4548
~   column     geom geometry(MultiPolygon,4548), key gid
