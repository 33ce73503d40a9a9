# a run read back from the PostGIS store draws the same pixels as its GeoPackage (same data date: today's)
requires sample
requires pg
$ emscov analyze --db "$PG" --db-schema $S --out $TMP/out $SAMPLE/scenario.ini >/dev/null 2>&1 && R=$(sql "SELECT max(id) FROM $S.run") && emscov map --db "$PG" --db-schema $S --run $R --kind gaps --dpi 80 --out $TMP/pg.png && emscov map --gpkg $TMP/out/emscov.gpkg --kind gaps --dpi 80 --out $TMP/gp.png >/dev/null && cmp $TMP/pg.png $TMP/gp.png && emscov map --db "$PG" --db-schema $S --run 999999 --kind gaps --out $TMP/x.png; echo rc=$?
~ /pg.png
> rc=2
! map: run 999999 is not in
= x.png
