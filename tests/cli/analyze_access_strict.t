# [roads] access = strict: the 59 Monaco ways an access tag closes to ambulances are counted as read and skipped
# in the run's ledger (59 and 1701 are tools/check/count_osm.py's counts, tests/geo/test_network_osm.c)
requires shared
$ sed "s#\.\./\.\./\.\./shared#$SHARED#; s/^\[roads\]$/[roads]\naccess = strict/" $EMSCOV_SOURCE_DIR/data/monaco/scenario.ini >$TMP/s.ini && emscov analyze --out $TMP/out $TMP/s.ini
~ roads              monaco.osm.pbf             1760 roads read: 1701 used, 59 skipped
~ 59 road closed to traffic or without a usable line: not in the graph
