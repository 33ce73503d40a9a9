# [roads] access = strict: the 59 Monaco ways an access tag closes to ambulances are counted as read and skipped
# in the run's ledger, beside the 3 drivable ways with fewer than 2 nodes and the 1 area=yes way (1764 drivable
# ways: 1701 roads + 59 + 3 + 1; tools/check/count_osm.py's counts, tests/geo/test_network_osm.c)
requires shared
$ sed "s#\.\./\.\./\.\./shared#$SHARED#; s/^\[roads\]$/[roads]\naccess = strict/" $EMSCOV_SOURCE_DIR/data/monaco/scenario.ini >$TMP/s.ini && emscov analyze --out $TMP/out $TMP/s.ini
~ roads              monaco.osm.pbf             1764 roads read: 1701 used, 63 skipped
~ 62 road closed to traffic or without a usable line: not in the graph
~ 1 OSM area=yes highway (a square or yard drawn as a polygon): not in the graph (area = skip)
