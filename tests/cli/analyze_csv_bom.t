# --csv-bom: streets.csv as UTF-8 with a byte-order mark (EF BB BF) for Excel; --csv-headers zh: Chinese column
# titles, the rows unchanged; without them the file starts with the keys as before
requires sample
$ emscov analyze --csv-bom --csv-headers zh --out $TMP/a $SAMPLE/scenario.ini >/dev/null && emscov analyze --out $TMP/b $SAMPLE/scenario.ini >/dev/null && od -An -tx1 -N3 $TMP/a/streets.csv && od -An -c -N3 $TMP/b/streets.csv && tail -c +4 $TMP/a/streets.csv | head -n 1 | cut -d, -f1-5 && tail -n +2 $TMP/b/streets.csv > $TMP/rows_b && tail -n +2 $TMP/a/streets.csv | cmp - $TMP/rows_b && echo same rows
>  ef bb bf
>    r   e   c
> 记录号,街道（乡镇）编号,代码,名称,区
> same rows
