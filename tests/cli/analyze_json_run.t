# --json prints report.json with "stored_run" added: null for a file run; every other member is report.json's
requires sample
$ emscov analyze --json --out $TMP/run $SAMPLE/scenario.ini >$TMP/a.json 2>/dev/null && python3 -c 'import json, sys; a = json.load(open(sys.argv[1])); b = json.load(open(sys.argv[2])); print("stored_run", a.pop("stored_run", "absent")); print("rest equal", a == b)' $TMP/a.json $TMP/run/report.json
> stored_run None
> rest equal True
