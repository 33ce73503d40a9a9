# more new sites asked for than there are candidates: exit 2, nothing written
requires sample
$ printf 'id,lon,lat\nA,116.3500,39.9100\nB,116.3900,39.9050\n' > $TMP/two.csv && emscov sites --candidates $TMP/two.csv --k 5 --out $TMP/out $SAMPLE/scenario.ini
? 2
! --k 5: only 2 candidate sites are left to choose from
= out/sites.json
= out/sites.csv
