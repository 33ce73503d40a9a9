# --quiet: nothing on stdout (0 bytes), the output set written all the same; --quiet with --json: exit 2
requires sample
$ emscov analyze --quiet --out $TMP/run $SAMPLE/scenario.ini >$TMP/q.out 2>/dev/null && echo "stdout bytes $(wc -c <$TMP/q.out)" && ls $TMP/run && emscov analyze --quiet --json --out $TMP/run2 $SAMPLE/scenario.ini; echo "rc $?"
> stdout bytes 0
> report.json
> streets.csv
> emscov.gpkg
> rc 2
! analyze: --quiet and --json exclude each other
= run2
