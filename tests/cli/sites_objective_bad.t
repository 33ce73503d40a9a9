# --objective: an unknown objective, and mexclp without --calls-per-day / --job-min, are bad input (exit 2)
$ emscov sites --grid 1500 --objective maximal nothing.ini
? 2
! --objective maximal: coverage or mexclp
