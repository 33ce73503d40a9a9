# people in one population grid cell are bounded (geo/limits.h: 1e7, ten times the densest square kilometre):
# 2e7 is exit 2 naming file, row and column; nothing is written (issue 14 item 7)
requires sample
$ rm -rf $TMP/s && cp -r $SAMPLE $TMP/s && sed -i '8s/^49 50 /49 2e7 /' $TMP/s/population.asc && emscov analyze --out $TMP/s/out $TMP/s/scenario.ini
? 2
! population.asc: row 2, column 2: people 20000000 is out of range: need a number from 0 to 10000000
= s/out/report.json
= s/out/emscov.gpkg
