$ emscov info --frobnicate x.shp
? 2
! unknown option --frobnicate
