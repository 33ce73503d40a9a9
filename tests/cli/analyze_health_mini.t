# the 15-minute community health circle (data/standards/health-15min.ini), hand-worked on the mini city: walked
# at 4.8 km/h = 80 m a minute (data/speed/walk.ini, the service's own profile; the road's class speed of 50 km/h
# does not apply). Centres at (100,500) and (2500,500) on the road y = 500. People: 100 at (500,500): 400 m, 5 min;
# 50 at (950,500): 850 m, 10.625 min; 70 at (1500,1500): 1000 m to the road (walked, 12.5 min) + 1000 m, 25 min;
# 30 at (2500,2500): 2000 m from the road, beyond max_snap_m: unreachable. Within 15 min 150 of 250 = 60.0 %,
# within 10 min 100 = 40.0 %; mean over the 220 reached = (500 + 531.25 + 1750) / 220 = 12.64 min (not judged:
# the standard sets no mean time). Centres lie in A and B only: C, D and E are gaps. No ambulance figures.
$ sh $EMSCOV_SOURCE_DIR/tests/cli/fixtures/mini_city.sh $TMP/m && sed -i 's/^name = mini$/name = mini\nstandards = health-15min\nthresholds_min = 10/' $TMP/m/scenario.ini && emscov analyze --out $TMP/m/out $TMP/m/scenario.ini && grep -o '"key": "health_circle"\|"mode": "walk"\|"vehicles": false\|"mean_s": 758.52[0-9]*' $TMP/m/out/report.json
> service:    15-minute community health service circle; facilities: community health centres; reached on foot
~ sub-districts without a community health centre (gaps) 3              >= 1 community health centre in every sub-district FAIL
~ residents within 15 min of a community health centre 60.0 %         >= 100 %                             FAIL
> population within 15 min                           150 (60.0 %)
> population within 10 min                           100 (40.0 %)
> population unreachable (no road or station)        30 (12.00 %)
> sub-districts without a community health centre (3): C, D, E
> "key": "health_circle"
> "mode": "walk"
> "vehicles": false
~ "mean_s": 758.52
- ambulances per
- shortfall
- mean response time
- call satisfaction
- park
