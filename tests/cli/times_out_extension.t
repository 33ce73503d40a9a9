# times writes CSV: --out t.txt is refused before anything is read (exit 2 naming .txt)
$ emscov times --roads $TMP/none.shp --stations $TMP/none.shp --points $TMP/none.shp --out $TMP/t.txt
? 2
! t.txt: emscov times does not write .txt files (it writes csv)
= t.txt
