# A truncated GeoTIFF population grid is bad input (exit 2) naming the file, and nothing is written
requires sample
$ mkdir -p $TMP/c && cp $SAMPLE/* $TMP/c/ && gdal_translate -q $SAMPLE/population.asc $TMP/c/full.tif && head -c 20000 $TMP/c/full.tif >$TMP/c/pop.tif && sed 's/population.asc/pop.tif/' $SAMPLE/scenario.ini >$TMP/c/scenario.ini && emscov analyze --out $TMP/out $TMP/c/scenario.ini
? 2
! pop.tif: reading the cells: GDAL: 
= out/report.json
