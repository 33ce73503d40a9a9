# the result GeoPackages carry a QGIS project in QGIS's qgis_projects table (content: the .qgz as hexadecimal
# text, a zip of one .qgs), read here by Python's sqlite3/zipfile/XML: the layers top first (stations above
# the sub-districts, the layers under the opaque sub-districts unticked), each read from the GeoPackage itself
requires sample
$ emscov analyze --quiet --out $TMP/run $SAMPLE/scenario.ini 2>/dev/null && emscov sites --grid 3000 --k 1 --quiet --out $TMP/sites $SAMPLE/scenario.ini 2>/dev/null && python3 $EMSCOV_SOURCE_DIR/tests/cli/fixtures/gpkg_qgis_project.py $TMP/run/emscov.gpkg && python3 $EMSCOV_SOURCE_DIR/tests/cli/fixtures/gpkg_qgis_project.py $TMP/sites/sites.gpkg
> project emscov (content str)
> metadata last_modified_time last_modified_user
> archive emscov.qgs: ok
> layer input_issue Qt::Checked ./emscov.gpkg|layername=input_issue
> layer station Qt::Checked ./emscov.gpkg|layername=station
> layer street_summary Qt::Checked ./emscov.gpkg|layername=street_summary
> layer park_service_area Qt::Unchecked ./emscov.gpkg|layername=park_service_area
> layer service_area Qt::Unchecked ./emscov.gpkg|layername=service_area
> layer demand_time Qt::Unchecked ./emscov.gpkg|layername=demand_time
> layer selected_site Qt::Checked ./sites.gpkg|layername=selected_site
> layer candidate Qt::Checked ./sites.gpkg|layername=candidate
