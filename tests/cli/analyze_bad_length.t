# [scenario] length: planar or ellipsoidal only
$ sh $EMSCOV_SOURCE_DIR/tests/cli/fixtures/mini_city.sh $TMP/m && sed -i 's/^name = mini$/name = mini\nlength = geodesic/' $TMP/m/scenario.ini && emscov analyze --out $TMP/m/out $TMP/m/scenario.ini
? 2
! scenario.ini: [scenario] length: "geodesic" is not planar or ellipsoidal
