# a GeoPackage without the result layers (a plain layer written by ogr2ogr): exit 2 naming the table
requires sample
$ command -v ogr2ogr >/dev/null || exit 77; ogr2ogr -f GPKG $TMP/s.gpkg $SAMPLE/streets_utf8.shp && emscov map --gpkg $TMP/s.gpkg --kind time --out $TMP/x.png
? 2
! no feature table "street_summary" (feature tables: streets_utf8)
= x.png
