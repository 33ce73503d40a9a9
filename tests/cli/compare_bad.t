# emscov compare: a directory without an analyze run, and a wrong number of runs, are bad input (exit 2)
$ mkdir -p $TMP/empty && emscov compare $TMP/empty $TMP/empty; echo "rc $?"; emscov compare $TMP/empty
? 2
> rc 2
! compare: give two runs A and B
