# the pgRouting-study options: stations and points snapped to the nearest network node, no access leg
# (access_kmh = 0). A station's own point is then served by itself in exactly its turn-out delay
# (station 1: 93 s; 113.5 s with edge snapping and 15 km/h access legs, see times_sample.t)
requires sample
$ sed 's/^access_kmh = 15$/access_kmh = 0/' $EMSCOV_SOURCE_DIR/data/speed/default.ini > $TMP/p.ini && emscov times --roads $SAMPLE/roads.shp --stations $SAMPLE/stations.shp --turnout-field TURNOUT_S --station-id ID --points $SAMPLE/stations.csv --speed $TMP/p.ini --snap vertex --out $TMP/t.csv && cat $TMP/t.csv
> record,x,y,station_1,time_1_s,station_2,time_2_s,snap_dist_m,component,status
~ 1,444405.601,4418205.397,1,93.0,
