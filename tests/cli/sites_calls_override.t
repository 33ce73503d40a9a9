# --calls-per-day overrides the [calls] estimate and says so: 10 x 60 / (1440 x 3) = 0.138889; the estimate
# (6 calls over 2 days = 3 a day) is still reported beside it.
$ sh $EMSCOV_SOURCE_DIR/tests/cli/fixtures/mini_city.sh $TMP/m && printf 'id,x,y,n,t\n1,500,500,3,2024-03-01 08:15\n2,1500,1500,2,2024-03-02 17:40:00\n3,2500,2500,1,2024-03-02T23:05\n' > $TMP/m/calls.csv && printf '[calls]\npath = calls.csv\nsrs = EPSG:32650\nweight_field = n\ntime_field = t\n' >> $TMP/m/scenario.ini && emscov sites --grid 500 --k 1 --job-min 60 --calls-per-day 10 --out $TMP/o $TMP/m/scenario.ini && jq -r '.mexclp | "\(.calls_per_day_from) \(.calls_per_day), estimate \(.calls_estimate), q = \(.busy_fraction * 1e6 | round)e-6"' $TMP/o/sites.json
> busy ambulances (MEXCLP, Daskin 1983): 10 calls/day x 60 min over 3 ambulances
>   calls per day given (--calls-per-day): overrides 3 from the [calls] layer (2 days)
> option 10, estimate 3, q = 138889e-6
