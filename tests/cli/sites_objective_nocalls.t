# --objective mexclp needs the call volume that MEXCLP's busy fraction is made of
$ emscov sites --grid 1500 --objective mexclp nothing.ini
? 2
! --objective mexclp needs --job-min (and --calls-per-day without dated [calls])
