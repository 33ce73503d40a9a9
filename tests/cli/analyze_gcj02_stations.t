# issue 18: the sample stations shifted into GCJ-02 (as copied from a Chinese web map; the shift is written
# in awk, independently of emscov) and read with [stations] coords = gcj02 give the figures of the original
# WGS 84 stations; read as they are they turn 7 gap sub-districts into 10 and move the mean. The same with
# --coords stations=gcj02 on the command line.
requires sample
$ sh $EMSCOV_SOURCE_DIR/tests/cli/fixtures/gcj02_city.sh $SAMPLE $TMP/c && f='[.targets[] | [.key, (if .value == null then null else (.value * 1000 | round / 1000) end), .verdict]] + [.coverage.covered[].population]' && for s in csv fixed raw; do emscov analyze --out $TMP/c/o-$s $TMP/c/$s.ini >/dev/null 2>&1; jq -c "$f" $TMP/c/o-$s/report.json >$TMP/c/$s.fig; done && emscov analyze --coords stations=gcj02 --out $TMP/c/o-cli $TMP/c/raw.ini >/dev/null 2>&1 && jq -c "$f" $TMP/c/o-cli/report.json >$TMP/c/cli.fig && cmp $TMP/c/csv.fig $TMP/c/fixed.fig && cmp $TMP/c/csv.fig $TMP/c/cli.fig && echo "coords = gcj02: the original figures" && echo "gaps: $(jq '.targets[] | select(.key == "stations_per_subdistrict") | .value' $TMP/c/o-csv/report.json) original, $(jq '.targets[] | select(.key == "stations_per_subdistrict") | .value' $TMP/c/o-raw/report.json) uncorrected"
> coords = gcj02: the original figures
> gaps: 7 original, 10 uncorrected
