# a choropleth of a field street_summary does not have: exit 2 naming layer and field
requires sample
$ emscov analyze --out $TMP/out $SAMPLE/scenario.ini >/dev/null && emscov map --gpkg $TMP/out/emscov.gpkg --kind choropleth --field nope --out $TMP/x.png
? 2
! map: layer street_summary: no field nope
= x.png
