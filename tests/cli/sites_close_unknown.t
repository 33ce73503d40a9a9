# closing a station that does not exist is an error naming the id and the id field
requires sample
$ emscov sites --grid 2000 --close 9999 --out $TMP/out $SAMPLE/scenario.ini
? 2
! --close 9999: no station has this id (ID of
= out/sites.json
