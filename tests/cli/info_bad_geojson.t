# a GeoJSON syntax error names the file, line and column
$ printf '{"type": "FeatureCollection",\n "features": [ {"type": ]}' > $TMP/bad.geojson; emscov info $TMP/bad.geojson
? 2
! bad.geojson: JSON syntax error at line 2
