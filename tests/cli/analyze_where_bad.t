# a filter on a field the layer lacks names the fields it has; a filter keeping nothing is an error too
$ sh $EMSCOV_SOURCE_DIR/tests/cli/fixtures/mini_city.sh $TMP/m && sed -i 's/^code_field = CODE$/code_field = CODE\nwhere = NAME = A/' $TMP/m/scenario.ini && emscov analyze --out $TMP/m/out $TMP/m/scenario.ini
? 2
! streets.geojson: filter "NAME = A": no field NAME (the fields are: CODE)
= m/out/report.json
