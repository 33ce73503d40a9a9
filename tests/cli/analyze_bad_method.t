# [scenario] method is emscov or pgrouting; the message names the file and key
$ sh $EMSCOV_SOURCE_DIR/tests/cli/fixtures/mini_city.sh $TMP/m && sed -i 's/^name = mini$/name = mini\nmethod = osrm/' $TMP/m/scenario.ini && emscov analyze --out $TMP/m/out $TMP/m/scenario.ini
? 2
! scenario.ini: [scenario] method: "osrm" is not emscov or pgrouting
