# one PNG per district into a directory, named by the district (UTF-8 kept) and the kind
requires sample
$ emscov analyze --out $TMP/out $SAMPLE/scenario.ini >/dev/null && emscov map --gpkg $TMP/out/emscov.gpkg --kind gaps --each district --dpi 60 --out $TMP/maps >/dev/null && ls $TMP/maps
> 东城区-gaps.png
> 西城区-gaps.png
> 朝阳区-gaps.png
> 海淀区-gaps.png
