# nearest and backup station for every station point: a station's own point is served by itself, in its
# turn-out delay plus the access legs (station 1: 93 s + 2 x 42.7 m at 15 km/h = 113.5 s); the station
# 1.6 km from any road is reported, not silently dropped
requires sample
$ emscov times --roads $SAMPLE/roads.shp --stations $SAMPLE/stations.shp --turnout-field TURNOUT_S --station-id ID --points $SAMPLE/stations.csv --out $TMP/t.csv && cat $TMP/t.csv
> record,x,y,station_1,time_1_s,station_2,time_2_s,snap_dist_m,component,status
~ 1,444405.601,4418205.397,1,113.5,
! record 14: station is 1622 m from the nearest road
! 15 points: 1 beyond --max-snap
