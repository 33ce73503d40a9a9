# emscov times: a turn-out of 1e300 s is exit 2 naming file, record and field (issue 14 item 7); a
# --working-srs far from the data (UTM 18N for Beijing) is warned about; a geographic one is refused
requires sample
$ sed 's/^1,\(.*\),93$/1,\1,1e300/' $SAMPLE/stations.csv > $TMP/st.csv && emscov times --roads $SAMPLE/roads.shp --stations $TMP/st.csv --turnout-field turnout_s --points $SAMPLE/stations.csv --out $TMP/t.csv; echo "rc $?"; emscov times --roads $SAMPLE/roads.shp --stations $SAMPLE/stations.csv --turnout-field turnout_s --points $SAMPLE/stations.csv --working-srs EPSG:32618 --out $TMP/far.csv; echo "rc $?"; emscov times --roads $SAMPLE/roads.shp --stations $SAMPLE/stations.csv --points $SAMPLE/stations.csv --working-srs EPSG:4326 --out $TMP/geo.csv; echo "rc $?"
> rc 2
> rc 0
> rc 2
! st.csv: record 1: field turnout_s: turn-out time (s) 1e+300 is out of range: need a number from 0 to 3600
! emscov: warning: --working-srs EPSG:32618: working CRS WGS 84 / UTM zone 18N [EPSG:32618]: the data's centre
! --working-srs EPSG:4326: WGS 84 is not a projected CRS in metres
