# a coverage target no set of candidates can reach: exit 2 with the most that is reachable
requires sample
$ emscov sites --grid 2000 --target-share 1 --out $TMP/out $SAMPLE/scenario.ini
? 2
! --target-share 1: unreachable: with every one of the
! residents (99.
= out/sites.json
= out/sites.gpkg
