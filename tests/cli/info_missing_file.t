# a missing shapefile: one line naming the file, exit 2
$ emscov info $TMP/nothere.shp
? 2
! nothere.shp
