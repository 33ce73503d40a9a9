# A GeoPackage with two tables: each by name (x.gpkg:TABLE), natively and through GDAL (--format gdal)
requires sample
$ rm -f $TMP/two.gpkg && ogr2ogr -f GPKG -nln parks $TMP/two.gpkg $SAMPLE/parks.geojson && ogr2ogr -update -nln stations $TMP/two.gpkg $SAMPLE/stations.shp && emscov info $TMP/two.gpkg:stations && emscov info --format gdal $TMP/two.gpkg:parks && emscov info --format gdal $TMP/two.gpkg:nope
? 2
~ two.gpkg:stations
> format       GPKG
> features     15 of 15 records (0 repaired, 0 empty skipped)
> format       GPKG (GDAL)
> features     19 of 19 records (0 repaired, 0 empty skipped)
! no layer "nope"; the layers are: parks, stations
