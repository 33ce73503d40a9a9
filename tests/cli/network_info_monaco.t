# a real OSM extract read directly from .osm.pbf, with the default network rules: the 59 access-restricted
# ways are roads usable only at a route's start or end (2346 nodes; 2265 when they are dropped, access strict:
# counts from tools/check/count_osm.py, tests/geo/test_network_osm.c), the 27 restriction relations (all via a
# node) are applied
requires shared
$ emscov network info $SHARED/data/real/monaco-osm-2016/monaco.osm.pbf
> nodes                  2346
> network rules          method emscov: access ends, maxspeed use, turn restrictions on, area=yes skip, oneway=reversible skip
~ access-restricted      59 roads: 0 dropped, 0 used like any road, 71 links
~ turn restrictions      27 read: 27 applied
~ residential
