# report: --run and --out are required, the format must be known (from --format, else an extension report
# writes: .docx is refused, as is an extension --format contradicts), --db-schema needs --db; nothing written
$ emscov report --out $TMP/r.pdf; echo "rc $?"; emscov report --run $TMP; echo "rc $?"; emscov report --run $TMP --out $TMP/r.docx; echo "rc $?"; emscov report --run $TMP --format odt --out $TMP/r.pdf; echo "rc $?"; emscov report --run $TMP --out $TMP/r; echo "rc $?"; emscov report --run $TMP --format html --out $TMP/r.pdf; echo "rc $?"; emscov report --run 1 --db-schema x --out $TMP/r.pdf
? 2
> rc 2
! report: --run is required
! report: --out FILE is required
! r.docx: emscov report does not write .docx files (it writes pdf or html)
! report: give --format pdf or html (--out
! r.pdf has the extension .pdf, but --format is html
! report: unknown --format odt (pdf or html)
! report: --db-schema needs --db CONNINFO
= r.pdf
= r.docx
= r
