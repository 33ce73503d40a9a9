# a standards file with an unknown key is an error naming file and line (exit 2)
$ sh $EMSCOV_SOURCE_DIR/tests/cli/fixtures/mini_city.sh $TMP/m && sed 's/^\[response\]$/[response]\nmean_time_mins = 12/' $EMSCOV_SOURCE_DIR/data/standards/beijing-2022.ini > $TMP/m/std.ini && sed -i 's|^name = mini$|name = mini\nstandards = std.ini|' $TMP/m/scenario.ini && emscov analyze --out $TMP/m/out $TMP/m/scenario.ini
? 2
! std.ini
! mean_time_mins
= m/out/report.json
