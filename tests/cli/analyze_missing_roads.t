# a roads file that does not exist (read on the roads thread): exit 2 naming it, nothing written
requires sample
$ sed "s|^path = |path = $SAMPLE/|; s|roads.shp|noroads.shp|" $SAMPLE/scenario.ini > $TMP/s.ini && emscov analyze --out $TMP/out $TMP/s.ini
? 2
! noroads.shp
= out/report.json
= out/emscov.gpkg
