# --job-min without --calls-per-day needs dated calls: a [calls] layer holding times of day only is refused
$ sh $EMSCOV_SOURCE_DIR/tests/cli/fixtures/mini_city.sh $TMP/m && printf 'id,x,y,n,t\n1,500,500,3,08:15\n2,1500,1500,2,17:40:00\n3,2500,2500,1,23:05\n' > $TMP/m/calls.csv && printf '[calls]\npath = calls.csv\nsrs = EPSG:32650\nweight_field = n\ntime_field = t\n' >> $TMP/m/scenario.ini && emscov sites --grid 500 --k 1 --job-min 60 --out $TMP/o $TMP/m/scenario.ini
? 2
! --job-min 60: no calls per day: give --calls-per-day N, or a [calls] layer whose time_field holds dates
= o/sites.json
