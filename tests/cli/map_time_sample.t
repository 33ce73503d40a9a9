# the response-time map of the sample city: a PNG of A4 at 100 dpi (1169 x 827 px), twice byte-identical
requires sample
$ emscov analyze --out $TMP/out $SAMPLE/scenario.ini >/dev/null && emscov map --gpkg $TMP/out/emscov.gpkg --kind time --dpi 100 --out $TMP/a.png && emscov map --gpkg $TMP/out/emscov.gpkg --kind time --dpi 100 --out $TMP/b.png >/dev/null && cmp $TMP/a.png $TMP/b.png && od -An -tu1 -j16 -N8 $TMP/a.png | tr -s ' ' && ls $TMP
~ /a.png
>  0 0 4 145 0 0 3 59
> a.png
- a.png.tmp
