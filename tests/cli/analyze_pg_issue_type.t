# input_issue keeps one geometry type (Point) whether or not a run's issues have a location: a run whose only
# issue has no location (a person without coordinates), then the ledger city (located issues), in one schema
requires pg
$ sh $EMSCOV_SOURCE_DIR/tests/cli/fixtures/ledger_city.sh $TMP/c && mkdir -p $TMP/one && cp $TMP/c/roads.geojson $TMP/one/ && sed 's/,{"type":"Feature","properties":{"CODE":"B".*\]}$/]}/' $TMP/c/streets.geojson >$TMP/one/streets.geojson && printf 'id,name,x,y,amb\n1,东站,100,500,1\n' >$TMP/one/stations.csv && printf 'id,x,y,pop\n1,500,500,100\n2,,,5\n' >$TMP/one/people.csv && cp $TMP/c/scenario.ini $TMP/one/ && emscov analyze --db "$PG" --db-schema $S --out $TMP/one/out $TMP/one/scenario.ini >/dev/null && emscov analyze --db "$PG" --db-schema $S --out $TMP/c/out $TMP/c/scenario.ini >/dev/null && sql "SELECT 'type=' || type FROM geometry_columns WHERE f_table_schema = '$S' AND f_table_name = 'input_issue'" && sql "SELECT 'first=' || string_agg(reason, ',') FROM $S.input_issue WHERE run_id = (SELECT min(id) FROM $S.run)"
> type=POINT
> first=null_geometry
