# --run latest is the run stored last (the highest id): it draws what --run <that id> draws; once a later
# run row is added (a copy with no result rows), latest names that one, and finds no features there
requires sample
requires pg
$ emscov analyze --db "$PG" --db-schema $S --out $TMP/out $SAMPLE/scenario.ini >/dev/null 2>&1 && R=$(sql "SELECT max(id) FROM $S.run") && emscov map --db "$PG" --db-schema $S --run latest --kind gaps --dpi 60 --out $TMP/latest.png && emscov map --db "$PG" --db-schema $S --run $R --kind gaps --dpi 60 --out $TMP/id.png >/dev/null && cmp $TMP/latest.png $TMP/id.png && sql "CREATE TEMP TABLE x AS SELECT * FROM $S.run; UPDATE x SET id = id + 100, name = 'later'; INSERT INTO $S.run SELECT * FROM x" && emscov map --db "$PG" --db-schema $S --run latest --kind gaps --out $TMP/x.png 2>$TMP/err; echo rc=$? later run: $(grep -c "run_id+%3D+$((R + 100)): no features" $TMP/err)
~ /latest.png
> rc=2 later run: 1
= x.png
