# A truncated FlatGeobuf is bad input (exit 2) naming the file and the last record read, never a crash
requires sample
$ ogr2ogr -f FlatGeobuf -lco SPATIAL_INDEX=NO $TMP/roads.fgb $SAMPLE/roads.shp && head -c 500000 $TMP/roads.fgb >$TMP/cut.fgb && emscov info $TMP/cut.fgb
? 2
! cut.fgb: after record
! GDAL: 
