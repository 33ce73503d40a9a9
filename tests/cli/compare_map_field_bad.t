# compare --map-field takes share or mean
$ emscov compare --map-field median --map m.png a b
? 2
! --map-field median: share or mean
