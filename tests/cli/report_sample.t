# the report of the sample city from its output directory: a PDF in English, an HTML in Chinese with the sites
# run's best candidate for each gap; both written through a temporary name (none left), no tofu warning
requires sample
$ emscov analyze --out $TMP/out $SAMPLE/scenario.ini >/dev/null 2>&1 && emscov sites --gap-centroids --k 3 --out $TMP/sites $SAMPLE/scenario.ini >/dev/null 2>&1 && emscov report --run $TMP/out --out $TMP/r.pdf && emscov report --lang zh --run $TMP/out --sites $TMP/sites --out $TMP/r.html && head -c 5 $TMP/r.pdf && echo && grep -c '<svg ' $TMP/r.html && grep -o 'gap-110105003（排名[^<]*' $TMP/r.html | head -1 && ls $TMP
~ wrote 
~ pages, 4 maps, 
~ 已写入 
~ （4 幅地图，
> %PDF-
> 4
> gap-110105003（排名 1，第 1 选）
- .tmp-
- no glyph
