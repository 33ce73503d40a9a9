# a missing field is named; nothing is written
requires sample
$ emscov times --roads $SAMPLE/roads.shp --stations $SAMPLE/stations.shp --turnout-field NOPE --points $SAMPLE/stations.csv --out $TMP/none.csv
? 2
! no field "NOPE"
= none.csv
