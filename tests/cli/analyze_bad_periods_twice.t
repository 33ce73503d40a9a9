# [scenario] periods lists a period twice: bad input
$ sh $EMSCOV_SOURCE_DIR/tests/cli/fixtures/mini_city.sh $TMP/c && sed -i 's/^working_epsg = 32650$/working_epsg = 32650\nperiods = peak,night, peak/' $TMP/c/scenario.ini && emscov analyze --out $TMP/c/out $TMP/c/scenario.ini
? 2
! scenario.ini: [scenario] periods: "peak" is listed twice
