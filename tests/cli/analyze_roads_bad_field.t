# a road field the layer lacks is named, with the file, from the roads thread; exit 2, one run serial too
requires sample
$ sed "s|^path = |path = $SAMPLE/|; s|^speed_field = SPEED|speed_field = VMAX|" $SAMPLE/scenario.ini > $TMP/s.ini && emscov analyze --out $TMP/out $TMP/s.ini; echo "rc $?"; EMSCOV_THREADS=1 emscov analyze --out $TMP/out $TMP/s.ini
? 2
> rc 2
! roads.shp
! no field "VMAX" (scenario key [roads] speed_field); the fields are: 
= out/report.json
