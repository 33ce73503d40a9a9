# FlatGeobuf and KML (written by ogr2ogr from the sample's layers) read through GDAL: format, CRS from the file,
# feature counts and the values GDAL's ogrinfo gives
requires sample
$ ogr2ogr -f FlatGeobuf $TMP/stations.fgb $SAMPLE/stations.shp && rm -f $TMP/parks.kml && ogr2ogr -f KML $TMP/parks.kml $SAMPLE/parks.geojson && emscov info $TMP/stations.fgb $TMP/parks.kml && echo "ogr: $(ogrinfo -ro -so -al $TMP/stations.fgb | sed -n 's/^Feature Count: //p') $(ogrinfo -ro -so -al $TMP/parks.kml | sed -n 's/^Feature Count: //p')"
> format       FlatGeobuf (GDAL)
> features     15 of 15 records (0 repaired, 0 empty skipped)
> crs          CGCS2000 / 3-degree Gauss-Kruger CM 117E [EPSG:4548] (from layer SRS, GDAL's FlatGeobuf driver)
> encoding     UTF-8 (declared by GDAL's FlatGeobuf driver)
~ format       LIBKML (GDAL)
> features     19 of 19 records (0 repaired, 0 empty skipped)
> crs          WGS 84 [EPSG:4326] (from layer SRS, GDAL's LIBKML driver)
~ 天坛公园
> ogr: 15 19
