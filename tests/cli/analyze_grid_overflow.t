# two population grid cells of 1.7e308 people: their sum is beyond the largest number, so every figure would be
# NaN (was exit 0 with NaN figures); refused with exit 2 naming file, line, row and column; nothing written
requires sample
$ cp -r $SAMPLE $TMP/s && sed -i '7s/^48 64 /1.7e308 1.7e308 /' $TMP/s/population.asc && emscov analyze --out $TMP/s/out $TMP/s/scenario.ini
? 2
! population.asc: line 7: row 1, column 2: the values add up to more than the largest number (1.8e308) here
= s/out/report.json
= s/out/emscov.gpkg
