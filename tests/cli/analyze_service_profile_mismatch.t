# a walking service driven: the health circle with the ambulance speed profile is bad input naming both files
$ sh $EMSCOV_SOURCE_DIR/tests/cli/fixtures/mini_city.sh $TMP/m && sed -i 's/^name = mini$/name = mini\nstandards = health-15min\nspeed_profile = default/' $TMP/m/scenario.ini && emscov analyze --out $TMP/m/out $TMP/m/scenario.ini
? 2
! scenario.ini: the service 15-minute community health service circle (
! health-15min.ini) is reached on foot, but the speed profile
! default.ini drives (set [service] mode or [profile] mode to match, or name another speed_profile)
= m/out
