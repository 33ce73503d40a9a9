# a write error on stdout is exit 1 (issue 14 item 4): emscov report writes its document, then cannot print
# the line that says so
requires sample
$ emscov analyze --out $TMP/out $SAMPLE/scenario.ini >/dev/null 2>&1 && emscov report --run $TMP/out --out $TMP/r.html >/dev/full; echo "rc $?"
> rc 1
! emscov: cannot write to standard output: No space left on device
