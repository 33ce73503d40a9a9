# every candidate inside an exclusion polygon (here: the sub-districts themselves): exit 2, counts explained
requires sample
$ emscov sites --grid 2000 --exclude $SAMPLE/streets_utf8.shp --out $TMP/out $SAMPLE/scenario.ini
? 2
! no candidate site left:
! inside the exclusion polygons, 0 farther than max_snap_m = 1000 m from a road
= out/sites.csv
