# [scenario] periods names a period the speed profile does not have, or one twice: bad input naming the key
$ sh $EMSCOV_SOURCE_DIR/tests/cli/fixtures/mini_city.sh $TMP/c && sed -i 's/^working_epsg = 32650$/working_epsg = 32650\nperiods = peak, rush/' $TMP/c/scenario.ini && emscov analyze --out $TMP/c/out $TMP/c/scenario.ini
? 2
! scenario.ini: [scenario] periods: speed profile
! unknown period "rush" (known: offpeak, peak, night)
= c/out/report.json
