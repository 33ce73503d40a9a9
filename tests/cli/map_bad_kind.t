# an unknown map kind: exit 2, nothing written
requires sample
$ emscov map --gpkg $SAMPLE/emscov-out/emscov.gpkg --kind heat --out $TMP/x.png
? 2
! unknown --kind heat (time, choropleth, gaps, parks)
= x.png
