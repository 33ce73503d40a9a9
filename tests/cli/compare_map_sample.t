# emscov compare --map: the sample city as it is (A) and with station 2 left out by a `where` in a copy of the
# scenario (B). The map's per-sub-district values (--json map_values) equal B − A of the two street_summary
# tables computed by sqlite3 on the two GeoPackages (covered_share and mean_s, matched by subdistrict_id); 3
# sub-districts are more than 3 s (0.05 min, the "no change" class) slower by SQL; the PNG is written.
requires sample
$ sed "s#^path = #path = $SAMPLE/#" $SAMPLE/scenario.ini > $TMP/a.ini && sed '/^\[stations\]/a where = ID <> 2' $TMP/a.ini > $TMP/b.ini && emscov analyze --out $TMP/A $TMP/a.ini >/dev/null 2>&1 && emscov analyze --out $TMP/B $TMP/b.ini >/dev/null 2>&1 && emscov compare --json --map-field mean --map $TMP/m.png $TMP/A $TMP/B > $TMP/c.json && sqlite3 -separator ' ' $TMP/B/emscov.gpkg "attach '$TMP/A/emscov.gpkg' as a; select b.subdistrict_id, b.covered_share - x.covered_share, b.mean_s - x.mean_s from street_summary b join a.street_summary x using (subdistrict_id) order by 1" > $TMP/sql && jq -r '.map_values[] | "\(.id) \(.covered_share_change) \(.mean_s_change)"' $TMP/c.json | sort > $TMP/map && awk 'NR == FNR { s[$1] = $2; m[$1] = $3; next } { d = $2 - s[$1]; e = $3 - m[$1]; if (d < 0) d = -d; if (e < 0) e = -e; if (!($1 in s) || d > 1e-9 || e > 1e-9) bad++; n++ } END { print n " sub-districts, " bad + 0 " differ" }' $TMP/sql $TMP/map && awk '$3 > 3 { n++ } END { print n + 0 " slower" }' $TMP/sql && file $TMP/m.png | grep -o 'PNG image data, 1754 x 1240'
> 20 sub-districts, 0 differ
> 3 slower
> PNG image data, 1754 x 1240
