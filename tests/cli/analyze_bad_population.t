# a population count that is text, or negative, is an error naming file, record and field (exit 2); nothing
# is written
$ sh $EMSCOV_SOURCE_DIR/tests/cli/fixtures/mini_city.sh $TMP/m && sed -i 's/^3,1500,1500,70$/3,1500,1500,seventy/' $TMP/m/people.csv && emscov analyze --out $TMP/m/out $TMP/m/scenario.ini
? 2
! people.csv: record 3: field pop: "seventy" is not a number
= m/out/report.json
= m/out/emscov.gpkg
