# the gaps map with the sites run's proposed sites (sites.gpkg, layer selected_site) drawn over it: A4 at
# 100 dpi (1169 x 827 px), and not the same picture as without the sites
requires sample
$ emscov analyze --out $TMP/o $SAMPLE/scenario.ini >/dev/null 2>&1 && emscov sites --grid 1000 --gap-centroids --k 5 --out $TMP/s $SAMPLE/scenario.ini >/dev/null 2>&1 && emscov map --gpkg $TMP/o/emscov.gpkg --kind gaps --sites $TMP/s/sites.gpkg --page A4 --dpi 100 --out $TMP/with.png && emscov map --gpkg $TMP/o/emscov.gpkg --kind gaps --page A4 --dpi 100 --out $TMP/without.png && od -An -tu1 -j16 -N8 $TMP/with.png | tr -s ' ' && if cmp -s $TMP/with.png $TMP/without.png; then echo same; else echo differ; fi
~ wrote
>  0 0 4 145 0 0 3 59
> differ
