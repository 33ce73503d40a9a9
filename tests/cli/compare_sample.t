# emscov compare: the sample city with its stations as they are (A) and shifted by GCJ-02 uncorrected (B).
# Every change (B - A) in --json equals the difference of the two report.json files computed by jq, for each
# target and each sub-district's mean time; the table shows the gap count 7 -> 10 with its verdict
requires sample
$ sh $EMSCOV_SOURCE_DIR/tests/cli/fixtures/gcj02_city.sh $SAMPLE $TMP/c && emscov analyze --out $TMP/c/a $TMP/c/csv.ini >/dev/null 2>&1 && emscov analyze --out $TMP/c/b $TMP/c/raw.ini >/dev/null 2>&1 && emscov compare $TMP/c/a $TMP/c/b >$TMP/c/table && emscov compare --json $TMP/c/a $TMP/c/b >$TMP/c/cmp.json && jq -r --slurpfile a $TMP/c/a/report.json --slurpfile b $TMP/c/b/report.json '[.figures[] | select(.verdict_a) | .name as $k | ($a[0].targets[] | select(.key == $k) | .value) as $va | ($b[0].targets[] | select(.key == $k) | .value) as $vb | if $va == null or $vb == null then (.change == null) else ((.change - ($vb - $va)) | fabs < 1e-9) end] | all' $TMP/c/cmp.json && jq -r --slurpfile a $TMP/c/a/report.json --slurpfile b $TMP/c/b/report.json '[.subdistricts[] | .id as $i | ((.mean_s_change - (($b[0].subdistricts[] | select(.id == $i) | .coverage.mean_s) - ($a[0].subdistricts[] | select(.id == $i) | .coverage.mean_s))) | fabs < 1e-9)] | all' $TMP/c/cmp.json && grep -o 'stations_per_subdistrict (sub-districts) *7 *10 *+3  fail -> fail' $TMP/c/table && grep -c 'now a gap' $TMP/c/table
> true
> true
> stations_per_subdistrict (sub-districts)                              7             10             +3  fail -> fail
> 3
