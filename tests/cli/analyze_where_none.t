# a filter that keeps no feature is an error (most likely a misspelt value), exit 2
$ sh $EMSCOV_SOURCE_DIR/tests/cli/fixtures/mini_city.sh $TMP/m && sed -i 's/^ambulances_field = amb$/ambulances_field = amb\nwhere = amb > 5/' $TMP/m/scenario.ini && emscov analyze --out $TMP/m/out $TMP/m/scenario.ini
? 2
! stations.csv: [stations] where = amb > 5: none of the 2 features matches
= m/out/report.json
