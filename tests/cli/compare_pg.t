# emscov compare --db: two runs stored in PostGIS (the second with GCJ-02 stations uncorrected), by id and by
# "latest"; the change of the gap count from the run rows (SQL) is the one compare prints
requires sample
requires pg
$ sh $EMSCOV_SOURCE_DIR/tests/cli/fixtures/gcj02_city.sh $SAMPLE $TMP/c && emscov analyze --db "$PG" --db-schema $S --out $TMP/c/a $TMP/c/csv.ini >/dev/null 2>&1 && emscov analyze --db "$PG" --db-schema $S --out $TMP/c/b $TMP/c/raw.ini >/dev/null 2>&1 && first=$(sql "SELECT min(id) FROM $S.run") && emscov compare --db "$PG" --db-schema $S --json $first latest >$TMP/c/cmp.json && echo "sql change: $(sql "SELECT (SELECT (report->'gaps'->>'subdistricts_without_station')::int FROM $S.run ORDER BY id DESC LIMIT 1) - (SELECT (report->'gaps'->>'subdistricts_without_station')::int FROM $S.run ORDER BY id LIMIT 1)")" && echo "compare change: $(jq '.figures[] | select(.name == "gaps.subdistricts_without_station") | .change' $TMP/c/cmp.json)"
> sql change: 3
> compare change: 3
