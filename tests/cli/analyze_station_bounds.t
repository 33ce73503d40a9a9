# a station's turn-out of 1e300 s silently disabled it (issue 14 item 7), 5000 ambulances at one station were
# taken as given: both are exit 2 naming file, record, station and field, and the bound (geo/limits.h);
# turn-out 3600 s and 1000 ambulances, the bounds themselves, still run
$ sh $EMSCOV_SOURCE_DIR/tests/cli/fixtures/mini_city.sh $TMP/m && sed -i 's/^ambulances_field = amb$/&\nturnout_field = t/' $TMP/m/scenario.ini && run() { printf 'id,x,y,amb,t\n1,100,500,%s,%s\n2,2500,500,2,30\n' "$1" "$2" > $TMP/m/stations.csv; emscov analyze --out $TMP/m/out $TMP/m/scenario.ini >/dev/null; echo "rc $?"; }; run 1 1e300; run 5000 10; run 1000 3600; ls $TMP/m/out
> rc 2
> rc 0
> report.json
! stations.csv: record 1 (id 1): field t: turn-out time (s) 1e+300 is out of range: need a number from 0 to 3600
! stations.csv: record 1 (id 1): field amb: ambulances 5000 is out of range: need a number from 0 to 1000
