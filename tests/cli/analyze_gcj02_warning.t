# issue 18: a lon/lat station layer that fits the roads markedly better after the GCJ-02 correction is
# warned about. The sample's generated stations lie at random distances from the roads (median 39 m as read,
# what any point gets between its dense streets), so no road fit can tell their shift; stations on the
# roads can: the sample's own road junctions (sites --road-spacing, lon/lat in sites.csv) as stations,
# shifted into GCJ-02, read as they are -> the warning (median 20 m from a road instead of 0 m); read with
# coords = gcj02, or unshifted -> none
requires sample
$ sh $EMSCOV_SOURCE_DIR/tests/cli/fixtures/gcj02_city.sh $SAMPLE $TMP/c && cd $TMP/c && emscov sites --road-spacing 2500 --k 1 --out sj csv.ini >/dev/null 2>&1 && awk -F, 'NR == 1 {print "id,name,lon,lat,ambulances,turnout_s"; next} {print NR - 1 ",junction " NR - 1 "," $6 "," $7 ",2,90"}' sj/sites.csv >junctions.csv && awk -F, -f $EMSCOV_SOURCE_DIR/tests/cli/fixtures/wgs84_to_gcj02.awk junctions.csv >junctions_gcj02.csv && sed 's#^path = stations.csv#path = junctions.csv#' csv.ini >j.ini && sed 's#^path = stations_gcj02.csv#path = junctions_gcj02.csv#' raw.ini >jraw.ini && sed 's#^path = stations_gcj02.csv#path = junctions_gcj02.csv#' fixed.ini >jfix.ini && for s in j jraw jfix; do echo "$s: $(emscov analyze --out o-$s $s.ini 2>&1 >/dev/null | grep -c 'closer to the roads when read as GCJ-02')"; done; emscov analyze --out o-jraw jraw.ini 2>&1 >/dev/null | grep -o 'junctions_gcj02.csv: the points lie much closer to the roads when read as GCJ-02 (median 0 m from a road instead of [0-9]* m, 31 points): coordinates from a Chinese web map? Set coords = gcj02 in \[stations\]'
> j: 0
> jraw: 1
> jfix: 0
~ junctions_gcj02.csv: the points lie much closer to the roads when read as GCJ-02 (median 0 m from a road instead of 20 m, 31 points)
