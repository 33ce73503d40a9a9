# emscov times --csv-bom --csv-headers zh: the same CSV with a BOM and Chinese titles
requires sample
$ emscov times --roads $SAMPLE/roads.shp --stations $SAMPLE/stations.shp --points $SAMPLE/stations.shp --station-id ID --csv-bom --csv-headers zh --out $TMP/t.csv 2>/dev/null && head -n 1 $TMP/t.csv | od -An -tx1 -N3 && head -n 1 $TMP/t.csv | cut -d, -f4-5
>  ef bb bf
> 最近站点,最近站点时间（秒）
