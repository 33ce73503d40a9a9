# a [stations] name_field the layer lacks is refused (exit 2) with the fields the layer has
$ sh $EMSCOV_SOURCE_DIR/tests/cli/fixtures/ledger_city.sh $TMP/c && sed -i 's/^name_field = name$/name_field = nom/' $TMP/c/scenario.ini && emscov analyze --out $TMP/c/out $TMP/c/scenario.ini
? 2
! stations.csv: no field "nom" (scenario key [stations] name_field); the fields are: id, name, x, y, amb
= c/out
