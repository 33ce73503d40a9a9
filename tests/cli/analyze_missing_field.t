# a field the layer does not have is named; no output directory contents
requires sample
$ sed "s|^path = |path = $SAMPLE/|; s|^ambulances_field = AMBULANCES|ambulances_field = AMB|" $SAMPLE/scenario.ini > $TMP/s.ini && emscov analyze --out $TMP/out $TMP/s.ini
? 2
! no field "AMB"
= out/report.json
= out/emscov.gpkg
