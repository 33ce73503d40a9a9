# emscov compare: the sample city with its stations as they are (A) and shifted by GCJ-02 uncorrected (B).
# Every change (B - A) in --json equals the difference of the two report.json files computed by jq, for each
# target and each sub-district's mean time; the table shows the gap count 7 -> 10 with its verdict, in English
# and in Chinese (the plans' words, no machine keys such as stations_per_subdistrict or coverage.mean_s)
requires sample
$ sh $EMSCOV_SOURCE_DIR/tests/cli/fixtures/gcj02_city.sh $SAMPLE $TMP/c && emscov analyze --out $TMP/c/a $TMP/c/csv.ini >/dev/null 2>&1 && emscov analyze --out $TMP/c/b $TMP/c/raw.ini >/dev/null 2>&1 && emscov compare $TMP/c/a $TMP/c/b >$TMP/c/table && emscov compare --json $TMP/c/a $TMP/c/b >$TMP/c/cmp.json && jq -r --slurpfile a $TMP/c/a/report.json --slurpfile b $TMP/c/b/report.json '[.figures[] | select(.verdict_a) | .name as $k | ($a[0].targets[] | select(.key == $k) | .value) as $va | ($b[0].targets[] | select(.key == $k) | .value) as $vb | if $va == null or $vb == null then (.change == null) else ((.change - ($vb - $va)) | fabs < 1e-9) end] | all' $TMP/c/cmp.json && jq -r --slurpfile a $TMP/c/a/report.json --slurpfile b $TMP/c/b/report.json '[.subdistricts[] | .id as $i | ((.mean_s_change - (($b[0].subdistricts[] | select(.id == $i) | .coverage.mean_s) - ($a[0].subdistricts[] | select(.id == $i) | .coverage.mean_s))) | fabs < 1e-9)] | all' $TMP/c/cmp.json && grep -o 'sub-districts without a station (gaps) *7 *10 *+3  FAIL -> FAIL' $TMP/c/table && grep -c 'now a gap' $TMP/c/table && emscov compare --lang zh $TMP/c/a $TMP/c/b >$TMP/c/zh && grep -o '无标准化急救工作站的街道（乡镇）数 *7 *10 *+3  未达标 -> 未达标' $TMP/c/zh && grep -o '平均反应时间 (秒)' $TMP/c/zh && echo "machine keys: $(sed 1,3d $TMP/c/zh | grep -c -E '_[a-z]|coverage[.]|gaps[.]|ambulances[.]|pass|fail|persons')"
> true
> true
> sub-districts without a station (gaps)                                7             10             +3  FAIL -> FAIL
> 3
> 无标准化急救工作站的街道（乡镇）数                                    7             10             +3  未达标 -> 未达标
> 平均反应时间 (秒)
> machine keys: 0
