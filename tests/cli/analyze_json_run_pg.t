# with --db, --json's "stored_run" holds the PostGIS run id (the id of the run row, from SQL) and where it is;
# then map and report --run latest --json name that run id too
requires sample
requires pg
$ emscov analyze --db "$PG" --db-schema $S --json --out $TMP/run $SAMPLE/scenario.ini >$TMP/a.json 2>/dev/null && id=$(python3 -c 'import json, sys; r = json.load(open(sys.argv[1]))["stored_run"]; print(r["id"], r["where"].startswith(sys.argv[2] + " at "))' $TMP/a.json $S) && echo "json $id sql $(sql "SELECT max(id) FROM $S.run") True" && emscov map --db "$PG" --db-schema $S --run latest --kind gaps --dpi 40 --json --out $TMP/m.png >$TMP/m.json && emscov report --db "$PG" --db-schema $S --run sample-city --json --out $TMP/r.html >$TMP/r.json && python3 -c 'import json, sys; m, r = (json.load(open(p)) for p in sys.argv[1:3]); print("map run", m["run_id"], "report run", r["run_id"], m["files"][0]["path"].endswith("/m.png"), r["format"])' $TMP/m.json $TMP/r.json && sql "SELECT 'sql run ' || max(id) || ' ' || max(id) FROM $S.run"
~ True sql
> map run 1 report run 1 True html
> sql run 1 1
