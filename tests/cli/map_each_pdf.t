# one PDF page per district (the sample has 4), deterministic across runs (PDF dates from the data date)
requires sample
$ emscov analyze --out $TMP/out $SAMPLE/scenario.ini >/dev/null && emscov map --gpkg $TMP/out/emscov.gpkg --kind choropleth --field mean_s --each district --out $TMP/d.pdf && cp $TMP/d.pdf $TMP/e.pdf && emscov map --gpkg $TMP/out/emscov.gpkg --kind choropleth --field mean_s --each district --out $TMP/d.pdf >/dev/null && cmp $TMP/d.pdf $TMP/e.pdf && echo pages $(grep -a -c "/Type /Page$\|/Type /Page[^s]" $TMP/d.pdf)
~ (4 pages, one per district)
> pages 4
