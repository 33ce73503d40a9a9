# a write error on stdout is exit 1 with the reason (issue 14 item 4; was exit 0 with a truncated report):
# analyze --json and the summary, each to /dev/full; the output set in --out is still whole
requires sample
$ emscov analyze --json --out $TMP/out $SAMPLE/scenario.ini >/dev/full; echo "json rc $?"; emscov analyze --out $TMP/out $SAMPLE/scenario.ini >/dev/full; echo "summary rc $?"; ls $TMP/out
> json rc 1
> summary rc 1
> report.json
! emscov: cannot write to standard output: No space left on device
