# sites --json: sites.json with "stored_run": null added (the rest is the file's); --quiet: nothing on stdout
requires sample
$ emscov sites --grid 3000 --k 1 --json --out $TMP/s $SAMPLE/scenario.ini >$TMP/s.json 2>/dev/null && python3 -c 'import json, sys; a = json.load(open(sys.argv[1])); b = json.load(open(sys.argv[2])); print("stored_run", a.pop("stored_run", "absent")); print("rest equal", a == b)' $TMP/s.json $TMP/s/sites.json && emscov sites --grid 3000 --k 1 --quiet --out $TMP/s2 $SAMPLE/scenario.ini >$TMP/q.out 2>/dev/null && echo "quiet bytes $(wc -c <$TMP/q.out)" && ls $TMP/s2
> stored_run None
> rest equal True
> quiet bytes 0
> sites.json
