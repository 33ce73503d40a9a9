# a layer file that does not exist: exit 2 naming it
requires sample
$ sed "s|^path = |path = $SAMPLE/|; s|streets_gbk.shp|nothere.shp|" $SAMPLE/scenario.ini > $TMP/s.ini && emscov analyze --out $TMP/out $TMP/s.ini
? 2
! nothere.shp
= out/report.json
