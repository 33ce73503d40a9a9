# [calls] time_field: a time of day that is none: exit 2 naming file, record and field
$ sh $EMSCOV_SOURCE_DIR/tests/cli/fixtures/mini_city.sh $TMP/b && printf 'id,x,y,t\n1,500,500,noon\n' > $TMP/b/calls.csv && printf '[calls]\npath = calls.csv\nsrs = EPSG:32650\ntime_field = t\n' >> $TMP/b/scenario.ini && emscov analyze --out $TMP/b/out $TMP/b/scenario.ini
? 2
! calls.csv: record 1: field t: "noon" is not a time of day (HH:MM, or a date and time)
