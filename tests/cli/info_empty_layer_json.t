# the same in JSON: working_crs is null, the layer has 0 features
$ printf '{"type":"FeatureCollection","features":[]}' > $TMP/none.geojson && emscov info --json $TMP/none.geojson
~ "working_crs": null,
~ "features": 0,
