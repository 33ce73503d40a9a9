# report: --run and --out are required, the format must be known, --db-schema needs --db; nothing is written
$ emscov report --out $TMP/r.pdf; echo "rc $?"; emscov report --run $TMP; echo "rc $?"; emscov report --run $TMP --out $TMP/r.docx; echo "rc $?"; emscov report --run $TMP --format odt --out $TMP/r.pdf; echo "rc $?"; emscov report --run 1 --db-schema x --out $TMP/r.pdf
? 2
> rc 2
! report: --run is required
! report: --out FILE is required
! report: give --format pdf or html (--out
! report: unknown --format odt (pdf, html)
! report: --db-schema needs --db CONNINFO
= r.pdf
= r.docx
