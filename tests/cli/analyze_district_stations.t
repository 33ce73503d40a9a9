# Station counts one admin level up (issue 15): with [streets] district_field, report.json gives each district
# the stations counted in its sub-districts. Mini city (tests/cli/fixtures/mini_city.sh) with A and B in 东区 and
# C, D, E in 西区, and a third station in C: 东区 2 stations (x = 100 in A, x = 2500 in B), no gap; 西区 1
# (in C), D and E without a station
$ sh $EMSCOV_SOURCE_DIR/tests/cli/fixtures/mini_city.sh $TMP/c && sed -i 's/"CODE":"\([AB]\)"/"CODE":"\1","DIST":"东区"/g; s/"CODE":"\([CDE]\)"/"CODE":"\1","DIST":"西区"/g' $TMP/c/streets.geojson && printf '3,1500,2500,1\n' >>$TMP/c/stations.csv && sed -i 's/^code_field = CODE$/code_field = CODE\ndistrict_field = DIST/' $TMP/c/scenario.ini && emscov analyze --out $TMP/c/out $TMP/c/scenario.ini >/dev/null && jq -r '.ambulances.districts[] | "district \(.district) subdistricts \(.subdistricts) stations \(.stations) gaps \(.gaps)"' $TMP/c/out/report.json
> district 东区 subdistricts 2 stations 2 gaps 0
> district 西区 subdistricts 3 stations 1 gaps 2
