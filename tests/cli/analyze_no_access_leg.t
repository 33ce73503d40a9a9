# access_kmh = 0 in the speed profile: no off-network time (a reference study without access legs). Hand-worked:
# one person at (500, 900), 400 m off the road; station 1 at (100, 500) on it; 400 m along a 主干路 at 50 km/h =
# 28.8 s = 0.48 min, and nothing for the 400 m off the road (at the default 15 km/h it would be 96 s more)
$ sh $EMSCOV_SOURCE_DIR/tests/cli/fixtures/mini_city.sh $TMP/m && printf 'id,x,y,pop\n1,500,900,10\n' >$TMP/m/people.csv && sed 's/^access_kmh = 15$/access_kmh = 0/' $EMSCOV_SOURCE_DIR/data/speed/default.ini >$TMP/m/noaccess.ini && sed -i 's/^working_epsg = 32650$/working_epsg = 32650\nspeed_profile = noaccess.ini/' $TMP/m/scenario.ini && emscov analyze --out $TMP/m/out $TMP/m/scenario.ini
~ mean response time (population-weighted), min      0.48 
