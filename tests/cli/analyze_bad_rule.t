# [roads] rule keys and [scenario] method take a fixed set of words; the message names the file and key
$ sh $EMSCOV_SOURCE_DIR/tests/cli/fixtures/mini_city.sh $TMP/m && sed -i 's/^\[roads\]$/[roads]\nmaxspeed = limit/' $TMP/m/scenario.ini && emscov analyze --out $TMP/m/out $TMP/m/scenario.ini
? 2
! scenario.ini: [roads] maxspeed: "limit" is not use, ignore or cap
