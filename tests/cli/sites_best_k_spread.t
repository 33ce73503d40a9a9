# issue 18: on the sample city every person a new site can reach is 1063 people in one place, so from the
# second pick on nothing adds coverage; the best 7 then stacked 3 sites in 望京, 3 in 月坛 and 1 in 朝外. The
# objective ladder (newly covered, then gaps filled, then backup, then mean time) puts one site in each of the
# 7 sub-districts analyze reports as gaps (its report.json: "gap": true), and the summary says so
requires sample
$ emscov analyze --out $TMP/a $SAMPLE/scenario.ini >/dev/null 2>&1; emscov sites --grid 1500 --gap-centroids --k 7 --out $TMP/out $SAMPLE/scenario.ini 2>/dev/null | grep -F 'the picks follow the rest of the objective ladder'; jq -r '.greedy.selected[].subdistrict_code' $TMP/out/sites.json | sort >$TMP/picked && jq -r '.subdistricts[] | select(.gap) | .code' $TMP/a/report.json | sort >$TMP/gaps && cmp $TMP/picked $TMP/gaps && echo "one site in each of $(wc -l <$TMP/gaps) gaps"
> one site in each of 7 gaps
- the picks follow the rest of the objective ladder
