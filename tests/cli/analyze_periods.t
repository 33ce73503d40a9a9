# [scenario] periods: the city-wide response-time figures of several periods side by side (issue 15), worked by
# hand on the mini city (tests/cli/fixtures/mini_city.sh: one 主干路 road, 50 km/h x the default profile's
# offpeak 1.0 / peak 0.6 / night 1.15; stations at x = 100 and 2500; people 100 at 400 m from a station, 50 at
# 850 m, 70 at 1000 m from the road (240 s of access leg at 15 km/h) and 1000 m along it, 30 off the network).
# Times offpeak 28.8, 61.2, 312 s: mean 27780 / 220 = 126.27 s; peak 48, 102, 360: 159.55 s; night 25.04,
# 53.22, 302.61: 119.76 s. Within 5.1 min (306 s): 150 offpeak and peak, 220 at night. The run's period
# (offpeak, marked *) keeps every other figure.
$ sh $EMSCOV_SOURCE_DIR/tests/cli/fixtures/mini_city.sh $TMP/c && sed -i 's/^working_epsg = 32650$/working_epsg = 32650\nthresholds_min = 5.1\nperiods = offpeak, peak night/' $TMP/c/scenario.ini && emscov analyze --out $TMP/c/out $TMP/c/scenario.ini && jq -r '.periods[] | "json \(.period) \(.run_period) mean \(.mean_s * 100 | round / 100) within \(.covered[1].within_s) \(.covered[1].population) \(.covered[1].share) max \(.max_s * 100 | round / 100) unreachable \(.unreachable_population) \(.mean_response_time)"' $TMP/c/out/report.json
> population within 5.1 min                          150 (60.0 %)
> offpeak *    2.10 PASS        220 (88.0 %)                 150 (60.0 %)                 1.02 / 5.20 / 5.20
> peak         2.66 PASS        220 (88.0 %)                 150 (60.0 %)                 1.70 / 6.00 / 6.00
> night        2.00 PASS        220 (88.0 %)                 220 (88.0 %)                 0.89 / 5.04 / 5.04
> json offpeak true mean 126.27 within 306 150 0.6 max 312 unreachable 30 pass
> json peak false mean 159.55 within 306 150 0.6 max 360 unreachable 30 pass
> json night false mean 119.76 within 306 220 0.88 max 302.61 unreachable 30 pass
