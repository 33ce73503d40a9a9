# the ambulance choropleth reads the run's generic ratio column (amb_per_n, per the standard's N residents)
requires sample
$ emscov analyze --out $TMP/out $SAMPLE/scenario.ini >/dev/null 2>&1 && emscov map --gpkg $TMP/out/emscov.gpkg --kind choropleth --field amb_per_n --out $TMP/amb.png && test -s $TMP/amb.png && echo drawn
> drawn
