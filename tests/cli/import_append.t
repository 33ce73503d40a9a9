# --append: rows land in the existing table's SRID (stations.shp is EPSG:4548, the table 4326), fields map to
# columns case-insensitively; the appended points agree with the lon/lat of stations.csv (6 decimals) to
# 1e-6 degrees. A file with a field the table lacks is refused (exit 2) and the table keeps its 30 rows.
requires sample
requires pg
$ emscov import --db "$PG" --schema $S --to-srs EPSG:4326 $SAMPLE/stations.shp >/dev/null && emscov import --db "$PG" --schema $S --append $SAMPLE/stations.shp >$TMP/append.txt && emscov import --db "$PG" --schema $S --table csv $SAMPLE/stations.csv >/dev/null 2>&1 && echo "rows $(sql "SELECT count(*) || ' srid ' || Find_SRID('$S', 'stations', 'geom') FROM $S.stations")" && echo "appended within 1e-6 deg of the CSV: $(sql "SELECT count(*) FROM $S.stations s JOIN $S.csv c ON c.id = s.id WHERE s.gid > 15 AND ST_Distance(s.geom, c.geom) < 1e-6")" && cat $TMP/append.txt && emscov import --db "$PG" --schema $S --append --table stations $SAMPLE/stations.csv; rc=$?; echo "after the refused append: $(sql "SELECT count(*) FROM $S.stations")"; (exit $rc)
? 2
> rows 30 srid 4326
> appended within 1e-6 deg of the CSV: 15
~ stations.shp -> t_cli_
~ .stations (appended)
~ CGCS2000 / 3-degree Gauss-Kruger CM 117E [EPSG:4548] (from .prj), reprojected to WGS 84 [EPSG:4326], SRID 4326
! stations.csv: field lon: table t_cli_
! has no such column
> after the refused append: 30
