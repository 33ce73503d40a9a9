# a valid layer with no features is reported, not refused (was exit 2 "no features in any layer"): 0 features,
# no working CRS to choose
$ printf '{"type":"FeatureCollection","features":[]}' > $TMP/none.geojson && emscov info $TMP/none.geojson
~ working crs  none (no features in any layer)
~ features     0 of 0 records (0 repaired, 0 empty skipped)
~ extent       (empty)
