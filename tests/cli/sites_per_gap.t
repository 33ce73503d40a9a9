# --per-gap 2 on the sample city: for every sub-district below the minimum, sites.json lists its 2 best
# candidates, which must be the first 2 of the what-if table (rank order) lying in it; the fewest-sites answer
# (--target-share) takes each gap's best-ranked candidate (issue 18: it took the lowest index, rank 46 over
# rank 1); sites.csv carries the sub-district's name, code and the candidate's rank in its gap
requires sample
$ emscov sites --grid 1500 --gap-centroids --per-gap 2 --target-share 0.99 --out $TMP/out $SAMPLE/scenario.ini >$TMP/sum 2>/dev/null && jq -r '.per_gap[] | .subdistrict_code as $c | [$c, ([.best[].id] | join(" "))] | join(": ")' $TMP/out/sites.json >$TMP/listed && jq -r '.whatif as $w | .per_gap[] | .subdistrict_code as $c | [$c, ([$w[] | select(.subdistrict_code == $c) | .id][0:2] | join(" "))] | join(": ")' $TMP/out/sites.json >$TMP/want && cmp $TMP/listed $TMP/want && echo "per gap: $(wc -l <$TMP/listed) gaps, best 2 each in rank order" && echo "lscp gap ranks: $(jq -r '.whatif as $w | [.lscp.selected[] as $id | $w[] | select(.id == $id) | .gap_rank] | unique | map(tostring) | join(",")' $TMP/out/sites.json)" && head -1 $TMP/out/sites.csv && grep -c '月坛街道,110102004' $TMP/out/sites.csv && grep -F "best candidates of each sub-district below 1 station(s) (what-if rank)" $TMP/sum && grep -F "月坛街道 110102004" $TMP/sum
> per gap: 7 gaps, best 2 each in rank order
> lscp gap ranks: 1
~ rank,id,origin,x,y,lon,lat,subdistrict,subdistrict_name,subdistrict_code,snap_m,delay_s,new_covered,mean_change_s,fills_gap,gap_rank,backup_gain
~   月坛街道 110102004           gap-110102004 (#
