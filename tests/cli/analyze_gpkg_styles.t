# the result GeoPackages carry QGIS's layer_styles table (read by GDAL as an attribute table): one default
# style named emscov per result layer of emscov.gpkg, and of sites.gpkg's candidate and selected_site
requires sample
$ emscov analyze --quiet --out $TMP/run $SAMPLE/scenario.ini 2>/dev/null && emscov sites --grid 3000 --k 1 --quiet --out $TMP/sites $SAMPLE/scenario.ini 2>/dev/null && ogrinfo -ro -q -sql "SELECT f_table_name || ' ' || f_geometry_column || ' ' || styleName || ' ' || useAsDefault AS s FROM layer_styles ORDER BY f_table_name" $TMP/run/emscov.gpkg | grep "s (String)" && ogrinfo -ro -q -sql "SELECT f_table_name || ' ' || styleName AS s FROM layer_styles ORDER BY f_table_name" $TMP/sites/sites.gpkg | grep "s (String)" && ogrinfo -ro -so $TMP/run/emscov.gpkg | grep layer_styles
>   s (String) = demand_time geom emscov 1
>   s (String) = input_issue geom emscov 1
>   s (String) = park_service_area geom emscov 1
>   s (String) = service_area geom emscov 1
>   s (String) = station geom emscov 1
>   s (String) = street_summary geom emscov 1
>   s (String) = candidate emscov
>   s (String) = selected_site emscov
> 7: layer_styles (None)
