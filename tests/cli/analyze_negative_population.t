# a negative population count is an error naming file, record and field (exit 2); nothing is written
$ sh $EMSCOV_SOURCE_DIR/tests/cli/fixtures/mini_city.sh $TMP/m && sed -i 's/^2,950,500,50$/2,950,500,-50/' $TMP/m/people.csv && emscov analyze --out $TMP/m/out $TMP/m/scenario.ini
? 2
! people.csv: record 2: field pop: negative count -50
= m/out/report.json
= m/out/emscov.gpkg
