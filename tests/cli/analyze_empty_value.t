# an empty value (`path =`) is an error naming file, line, section and key (exit 2), not "out of memory";
# nothing is written
$ sh $EMSCOV_SOURCE_DIR/tests/cli/fixtures/mini_city.sh $TMP/m && sed -i 's|^path = roads.geojson$|path =|' $TMP/m/scenario.ini && emscov analyze --out $TMP/m/out $TMP/m/scenario.ini
? 2
! m/scenario.ini: line 18: [roads] path: empty value
= m/out/report.json
