# no candidate source given
requires sample
$ emscov sites --out $TMP/out $SAMPLE/scenario.ini
? 2
! no candidates: give --candidates FILE, --grid M, --road-spacing M or --gap-centroids
