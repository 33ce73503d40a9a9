# a misspelt scenario key is an error naming file and line; nothing is written
requires sample
$ sed "s|^path = |path = $SAMPLE/|; s|^turnout_field|turnuot_field|" $SAMPLE/scenario.ini > $TMP/s.ini && emscov analyze --out $TMP/out $TMP/s.ini
? 2
! s.ini: line 27: [stations] turnuot_field: unknown key (did you mean turnout_field?)
= out
