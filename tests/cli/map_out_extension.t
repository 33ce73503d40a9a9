# the output format must match the --out extension: x.jpg is refused naming .jpg and what map writes, an
# extension that contradicts --format is refused, an unknown --format too; nothing is written (exit 2)
requires sample
$ emscov analyze --quiet --out $TMP/run $SAMPLE/scenario.ini 2>/dev/null && { emscov map --gpkg $TMP/run/emscov.gpkg --kind time --out $TMP/x.jpg; echo "rc $?"; emscov map --gpkg $TMP/run/emscov.gpkg --kind time --format svg --out $TMP/y.png; echo "rc $?"; emscov map --gpkg $TMP/run/emscov.gpkg --kind time --format gif --out $TMP/z.gif; echo "rc $?"; }
> rc 2
- rc 0
- rc 1
! x.jpg: emscov map does not write .jpg files (it writes png, svg or pdf)
! y.png has the extension .png, but --format is svg
! map: unknown --format gif (png, svg or pdf)
= x.jpg
= y.png
= z.gif
