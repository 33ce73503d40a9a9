# [calls] beside the residents, hand-worked on the mini city (one road y = 500 at 50 km/h, access legs at 15 km/h,
# stations at (100,500) and (2500,500), no delays): 3 calls at (500,500): 400 m driven = 28.8 s; 2 calls at
# (1500,1500): 1000 m access (240 s) + 1000 m driven (72 s) = 312 s = 5.20 min; 1 call at (2500,2500): 2000 m
# from the road, beyond max_snap_m: unreachable. Within 12 min 5 of 6 = 83.3 %; mean over the 5 reached
# (3 x 28.8 + 2 x 312) / 5 = 142.08 s = 2.37 min, median 28.8 s = 0.48 min. By hour: 08h 3 all within, 17h 2,
# 23h 1 none. The ambulance ratio stays on the residents (3 ambulances for 250 residents: 1 required).
$ sh $EMSCOV_SOURCE_DIR/tests/cli/fixtures/mini_city.sh $TMP/m && printf 'id,x,y,n,t\n1,500,500,3,08:15\n2,1500,1500,2,2024-03-01 17:40:00\n3,2500,2500,1,23\n' > $TMP/m/calls.csv && printf '[calls]\npath = calls.csv\nsrs = EPSG:32650\nweight_field = n\ntime_field = t\n' >> $TMP/m/scenario.ini && emscov analyze --out $TMP/m/out $TMP/m/scenario.ini && grep -o '"mean_s": 142.08\|"unreachable_calls": 1' $TMP/m/out/report.json
> calls (call-weighted figures)                      6 calls at 3 points
> calls within 12 min                                5 (83.3 %)
> mean / median / p90 / max response time, calls     2.37 / 0.48 / 5.20 / 5.20 min
> calls unreachable (no road or station)             1 (16.67 %)
> calls by hour, within 12 min                       08h 3 (100 %), 17h 2 (100 %), 23h 1 (0 %)
> ambulances                                         3 of 1 required (shortfall 0)
> "mean_s": 142.08
> "unreachable_calls": 1
