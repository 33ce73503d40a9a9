# stations.csv (lon/lat) beside stations.shp: the shapefile's projected .prj is not taken for the CSV
requires sample
$ emscov info $SAMPLE/stations.csv
> crs          WGS 84 [EPSG:4326] (from CSV lon/lat columns (assumed WGS 84))
~ .prj ignored, WGS 84 assumed
