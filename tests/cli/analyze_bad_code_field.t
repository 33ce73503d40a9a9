# a [streets] code_field the layer lacks is refused (exit 2) with the fields the layer has
$ sh $EMSCOV_SOURCE_DIR/tests/cli/fixtures/ledger_city.sh $TMP/c && sed -i 's/^code_field = CODE$/code_field = CODEX/' $TMP/c/scenario.ini && emscov analyze --out $TMP/c/out $TMP/c/scenario.ini
? 2
! streets.geojson: no field "CODEX" (scenario key [streets] code_field); the fields are: CODE, NAME
= c/out
