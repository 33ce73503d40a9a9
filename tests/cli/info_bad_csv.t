# a CSV row with a non-number coordinate names file, line and field
$ printf 'id,lon,lat\n1,116.4,39.9\n2,116.5,abc\n' > $TMP/bad.csv; emscov info $TMP/bad.csv
? 2
! bad.csv: line 3
! lat
