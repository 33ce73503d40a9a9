# --sites must be a sites output directory or its sites.json: another file is refused by name
requires sample
$ emscov analyze --out $TMP/out $SAMPLE/scenario.ini >/dev/null 2>&1 && emscov report --run $TMP/out --sites $TMP/none --out $TMP/a.pdf; echo "rc $?"; emscov report --run $TMP/out --sites $TMP/out/report.json --out $TMP/b.pdf
? 2
> rc 2
! none: cannot read the sites run
! report.json: schema "emscov-report-2", not emscov-sites/2
= a.pdf
= b.pdf
