# a language other than zh or en: refused before anything runs, on the command line and in the scenario
requires sample
$ emscov analyze --lang fr --out $TMP/a $SAMPLE/scenario.ini; echo "rc $?"; sed "s|^path = |path = $SAMPLE/|; s|^name = sample-city|name = sample-city\nlang = fr|" $SAMPLE/scenario.ini > $TMP/s.ini && emscov analyze --out $TMP/b $TMP/s.ini
? 2
> rc 2
! emscov: --lang fr: use zh or en
! s.ini: [scenario] lang must be zh or en, not "fr"
= a
= b
