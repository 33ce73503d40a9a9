# real OSM-derived GeoJSON: 13 boundary polygons, WGS 84 by RFC 7946
requires shared
$ emscov info $SHARED/data/real/monaco-osm-2016/derived/subdistricts.geojson
> features     13 of 13 records (0 repaired, 0 empty skipped)
> crs          WGS 84 [EPSG:4326] (from GeoJSON default (RFC 7946: WGS 84))
