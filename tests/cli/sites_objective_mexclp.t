# --objective mexclp: the greedy choice maximises MEXCLP's expected coverage; the expected covered population
# it reports for its picks equals the one computed afresh for the selection (new searches from the chosen sites
# over every demand point, sites_selection_eval); without calls it is refused
requires sample
$ emscov sites --grid 1500 --k 3 --objective mexclp --calls-per-day 300 --job-min 60 --out $TMP/out $SAMPLE/scenario.ini >$TMP/sum 2>/dev/null && grep -c 'best 3 new sites by MEXCLP expected coverage' $TMP/sum && jq -r '"objective: \(.parameters.objective); greedy \(.greedy.expected_covered | floor), selection \(.mexclp.with_selection.expected_covered | floor)"' $TMP/out/sites.json && jq -r '[.greedy.selected[].expected_gain > 0] | all' $TMP/out/sites.json
> 1
> true
~ objective: mexclp; greedy 1799
