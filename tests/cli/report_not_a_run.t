# --run must be an analyze output directory: a missing one, or one without emscov.gpkg, is refused by name
$ mkdir -p $TMP/empty && emscov report --run $TMP/nothing --out $TMP/a.pdf; echo "rc $?"; emscov report --run $TMP/empty --out $TMP/b.pdf
? 2
> rc 2
! report: 
! nothing is not a directory (give the output directory of emscov analyze)
! empty/emscov.gpkg
= a.pdf
= b.pdf
