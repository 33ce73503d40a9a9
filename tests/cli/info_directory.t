# a directory given as a layer path: exit 2 naming it (was exit 1 "read error" or "no such file"); both
# commands must exit 2 (the subshell exits 99 when they differ)
$ mkdir -p $TMP/roads.shp $TMP/parks.geojson && (emscov info $TMP/roads.shp; r1=$?; emscov info $TMP/parks.geojson; r2=$?; [ $r1 = $r2 ] && exit $r2; exit 99)
? 2
! roads.shp: is a directory, not a file
! parks.geojson: is a directory, not a file
