# --csv-headers takes keys or zh
requires sample
$ emscov analyze --csv-headers fr --out $TMP/a $SAMPLE/scenario.ini
? 2
! --csv-headers fr: use keys or zh
= a
