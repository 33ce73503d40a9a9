# --coords LAYER=C: an unknown layer, and coords on a population grid (read in its own CRS), are bad input
requires sample
$ emscov analyze --coords population=gcj02 --out $TMP/out $SAMPLE/scenario.ini; echo "rc $?"; emscov analyze --coords towers=gcj02 --out $TMP/out $SAMPLE/scenario.ini
? 2
> rc 2
! --coords: [population] coords: a grid is read in its own CRS; coords applies to point and polygon layers
! --coords towers=gcj02: give LAYER=wgs84|gcj02|bd09, LAYER one of streets
