# a run refused by the database after the analysis (its working CRS is not the schema's): exit 2, nothing
# stored, and the --out directory the run would have created is removed again, not left empty (issue 14)
requires sample
requires pg
$ rm -rf $TMP/o1 $TMP/o2 && sed "s|^path = |path = $SAMPLE/|" $SAMPLE/scenario.ini > $TMP/a.ini && sed 's|^name = sample-city|name = sample-utm\nworking_epsg = 32650|' $TMP/a.ini > $TMP/utm.ini && emscov analyze --db "$PG" --db-schema $S --out $TMP/o1 $TMP/a.ini >/dev/null 2>&1 && emscov analyze --db "$PG" --db-schema $S --out $TMP/o2 $TMP/utm.ini
? 2
! but this run's working CRS is EPSG:32650
= o2
