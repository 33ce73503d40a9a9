# Calls drive the MEXCLP busy fraction, hand-worked on the mini city (3 ambulances: 1 + 2): 6 calls (weights
# 3, 2, 1) dated 2024-03-01 and 2024-03-02 span 2 days (first to last date, both counted): 6 / 2 = 3 calls a
# day; with --job-min 60, q = 3 x 60 / (1440 x 3) = 0.041667.
$ sh $EMSCOV_SOURCE_DIR/tests/cli/fixtures/mini_city.sh $TMP/m && printf 'id,x,y,n,t\n1,500,500,3,2024-03-01 08:15\n2,1500,1500,2,2024-03-02 17:40:00\n3,2500,2500,1,2024-03-02T23:05\n' > $TMP/m/calls.csv && printf '[calls]\npath = calls.csv\nsrs = EPSG:32650\nweight_field = n\ntime_field = t\n' >> $TMP/m/scenario.ini && emscov sites --grid 500 --k 1 --job-min 60 --out $TMP/o $TMP/m/scenario.ini && jq -r '.mexclp | "\(.calls_per_day_from) \(.calls_per_day) over \(.call_days) days, q = \(.busy_fraction * 1e6 | round)e-6"' $TMP/o/sites.json
> busy ambulances (MEXCLP, Daskin 1983): 3 calls/day x 60 min over 3 ambulances
~ calls per day from the [calls] layer: 6 calls over 2 days (first to last date)
~   busy fraction q = 0.0417; 
> calls 3 over 2 days, q = 41667e-6
