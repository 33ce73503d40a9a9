# the report of a run stored in PostGIS, found as the latest run of the schema: its id on the cover, the inputs'
# checksums from the run row
requires sample
requires pg
$ emscov analyze --db "$PG" --db-schema $S --out $TMP/out $SAMPLE/scenario.ini >/dev/null 2>&1 && emscov report --db "$PG" --db-schema $S --run latest --out $TMP/r.html && grep -o 'PostGIS run [0-9]* (schema t_cli_[0-9]*)' $TMP/r.html | sed 's/[0-9][0-9]*/N/g' && grep -c "$(sha256sum $SAMPLE/roads.dbf | cut -c1-64)" $TMP/r.html && emscov report --db "$PG" --db-schema $S --run nosuch --out $TMP/x.pdf
? 2
~ wrote 
> PostGIS run N (schema t_cli_N)
> 1
! report: no run named "nosuch" in t_cli_
= x.pdf
