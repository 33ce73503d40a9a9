# a real OSM extract read directly from .osm.pbf
requires shared
$ emscov network info $SHARED/data/real/monaco-osm-2016/monaco.osm.pbf
> nodes                  2265
~ residential
