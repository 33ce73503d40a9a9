# the output does not depend on the thread count: one thread and two give identical files
requires sample
$ EMSCOV_THREADS=1 $EMSCOV_BIN sites --road-spacing 800 --k 4 --calls-per-day 300 --job-min 60 --out $TMP/t1 $SAMPLE/scenario.ini >/dev/null 2>&1 && EMSCOV_THREADS=2 $EMSCOV_BIN sites --road-spacing 800 --k 4 --calls-per-day 300 --job-min 60 --out $TMP/t2 $SAMPLE/scenario.ini >/dev/null 2>&1 && cmp $TMP/t1/sites.json $TMP/t2/sites.json && cmp $TMP/t1/sites.csv $TMP/t2/sites.csv && echo identical
> identical
