# a [streets] name_field the layer lacks is refused (exit 2) with the fields the layer has, never "record N"
$ sh $EMSCOV_SOURCE_DIR/tests/cli/fixtures/ledger_city.sh $TMP/c && sed -i 's/^name_field = NAME$/name_field = NAMEX/' $TMP/c/scenario.ini && emscov analyze --out $TMP/c/out $TMP/c/scenario.ini
? 2
! streets.geojson: no field "NAMEX" (scenario key [streets] name_field); the fields are: CODE, NAME
= c/out
