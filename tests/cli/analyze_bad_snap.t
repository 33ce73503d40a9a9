# [scenario] snap and length take a fixed set of words; the message names the file and key
$ sh $EMSCOV_SOURCE_DIR/tests/cli/fixtures/mini_city.sh $TMP/m && sed -i 's/^name = mini$/name = mini\nsnap = node/' $TMP/m/scenario.ini && emscov analyze --out $TMP/m/out $TMP/m/scenario.ini
? 2
! scenario.ini: [scenario] snap: "node" is not edge or vertex
