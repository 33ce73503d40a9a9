# --objective mexclp with --job-min alone takes calls a day from the dated calls; the span crosses the leap
# day: 2024-02-28, 2024-02-29, 2024-03-01 = 3 days, 6 calls / 3 = 2 a day, q = 2 x 30 / (1440 x 3) = 0.013889.
$ sh $EMSCOV_SOURCE_DIR/tests/cli/fixtures/mini_city.sh $TMP/m && printf 'id,x,y,n,t\n1,500,500,3,2024-02-28 08:15\n2,1500,1500,2,2024-02-29 17:40:00\n3,2500,2500,1,2024-03-01T23:05\n' > $TMP/m/calls.csv && printf '[calls]\npath = calls.csv\nsrs = EPSG:32650\nweight_field = n\ntime_field = t\n' >> $TMP/m/scenario.ini && emscov sites --grid 500 --k 1 --objective mexclp --job-min 30 --out $TMP/o $TMP/m/scenario.ini && jq -r '.mexclp | "\(.calls_per_day_from) \(.calls_per_day) over \(.call_days) days, q = \(.busy_fraction * 1e6 | round)e-6"' $TMP/o/sites.json
~ best 1 new sites by MEXCLP expected coverage
> calls 2 over 3 days, q = 13889e-6
