# compare --map needs a file name ending in .png, .svg or .pdf; nothing is drawn otherwise
requires sample
$ sed "s#^path = #path = $SAMPLE/#" $SAMPLE/scenario.ini > $TMP/a.ini && emscov analyze --out $TMP/A $TMP/a.ini >/dev/null 2>&1 && emscov compare --map $TMP/m.gif $TMP/A $TMP/A
? 2
! --map
! the file name ends in .png, .svg or .pdf
= m.gif
