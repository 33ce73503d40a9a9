# a write error on stdout is exit 1 with the reason (issue 14 item 4): sites --json and the summary to /dev/full
requires sample
$ emscov sites --json --grid 2000 --k 1 --out $TMP/out $SAMPLE/scenario.ini >/dev/full; echo "json rc $?"; emscov sites --grid 2000 --k 1 --out $TMP/out $SAMPLE/scenario.ini >/dev/full; echo "summary rc $?"
> json rc 1
> summary rc 1
! emscov: cannot write to standard output: No space left on device
