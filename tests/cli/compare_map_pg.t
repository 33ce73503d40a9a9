# emscov compare --db --map: two sample-city runs stored in PostGIS, the second without station 2 (a `where` in
# a copy of the scenario); the map's values (--json map_values) equal B − A of the runs' street_summary rows
# by PostGIS SQL (mean_s, matched by subdistrict_id)
requires sample
requires pg
$ sed "s#^path = #path = $SAMPLE/#" $SAMPLE/scenario.ini > $TMP/a.ini && sed '/^\[stations\]/a where = ID <> 2' $TMP/a.ini > $TMP/b.ini && emscov analyze --db "$PG" --db-schema $S --out $TMP/A $TMP/a.ini >/dev/null 2>&1 && emscov analyze --db "$PG" --db-schema $S --out $TMP/B $TMP/b.ini >/dev/null 2>&1 && first=$(sql "SELECT min(id) FROM $S.run") && emscov compare --db "$PG" --db-schema $S --json --map-field mean --map $TMP/m.svg $first latest > $TMP/c.json && sql "SELECT b.subdistrict_id || ' ' || round((b.mean_s - a.mean_s)::numeric, 6) FROM $S.street_summary b JOIN $S.street_summary a USING (subdistrict_id) WHERE a.run_id = $first AND b.run_id = (SELECT max(id) FROM $S.run) ORDER BY 1" > $TMP/sql && jq -r '.map_values[] | "\(.id) \(.mean_s_change * 1e6 | round / 1e6)"' $TMP/c.json | sort > $TMP/map && awk 'NR == FNR { m[$1] = $2; next } { e = $2 - m[$1]; if (e < 0) e = -e; if (!($1 in m) || e > 2e-6) bad++; n++ } END { print n " sub-districts, " bad + 0 " differ" }' $TMP/sql $TMP/map && grep -c '<svg' $TMP/m.svg
> 20 sub-districts, 0 differ
> 1
