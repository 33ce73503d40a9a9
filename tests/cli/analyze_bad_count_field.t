# a [population] count_field the layer lacks is refused (exit 2) with the fields the layer has
$ sh $EMSCOV_SOURCE_DIR/tests/cli/fixtures/ledger_city.sh $TMP/c && sed -i 's/^count_field = pop$/count_field = popx/' $TMP/c/scenario.ini && emscov analyze --out $TMP/c/out $TMP/c/scenario.ini
? 2
! people.csv: no field "popx" (scenario key [population] count_field); the fields are: id, x, y, pop
= c/out
