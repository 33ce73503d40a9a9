# emscov map --lang zh: the same map with Chinese title, legend, scale-bar unit and north arrow (the PNG differs
# from the English one; both are A4 at 100 dpi)
requires sample
$ emscov analyze --out $TMP/out $SAMPLE/scenario.ini >/dev/null 2>&1 && emscov map --lang zh --gpkg $TMP/out/emscov.gpkg --kind gaps --dpi 100 --out $TMP/zh.png && emscov map --gpkg $TMP/out/emscov.gpkg --kind gaps --dpi 100 --out $TMP/en.png && od -An -tu1 -j16 -N8 $TMP/zh.png | tr -s ' ' && (cmp -s $TMP/zh.png $TMP/en.png || echo differ)
~ 已写入 
>  0 0 4 145 0 0 3 59
> differ
