# --run NAME is the last run stored under that name: the analyze run by its scenario name draws what its id
# draws; after two later copies of the run row (one named other, then one named sample-city again, neither
# with result rows), the name resolves to the newest sample-city row and finds no features there
requires sample
requires pg
$ emscov analyze --db "$PG" --db-schema $S --out $TMP/out $SAMPLE/scenario.ini >/dev/null 2>&1 && R=$(sql "SELECT max(id) FROM $S.run") && emscov map --db "$PG" --db-schema $S --run sample-city --kind gaps --dpi 60 --out $TMP/name.png && emscov map --db "$PG" --db-schema $S --run $R --kind gaps --dpi 60 --out $TMP/id.png >/dev/null && cmp $TMP/name.png $TMP/id.png && sql "CREATE TEMP TABLE x AS SELECT * FROM $S.run; UPDATE x SET id = id + 100, name = 'other'; INSERT INTO $S.run SELECT * FROM x; UPDATE x SET id = id + 100, name = 'sample-city'; INSERT INTO $S.run SELECT * FROM x" && emscov map --db "$PG" --db-schema $S --run sample-city --kind gaps --out $TMP/x.png 2>$TMP/err; echo rc=$? newest: $(grep -c "run_id+%3D+$((R + 200)): no features" $TMP/err)
~ /name.png
> rc=2 newest: 1
= x.png
