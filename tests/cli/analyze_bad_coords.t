# [stations] coords must be wgs84, gcj02 or bd09 (exit 2, naming file and section)
requires sample
$ mkdir -p $TMP/c && cp $SAMPLE/* $TMP/c/ && sed -i 's/^path = stations.shp$/path = stations.shp\ncoords = mars/' $TMP/c/scenario.ini && emscov analyze --out $TMP/c/out $TMP/c/scenario.ini
? 2
! scenario.ini: [stations] coords = mars: use wgs84, gcj02 or bd09
