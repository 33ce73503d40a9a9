#!/bin/sh
# tools/sample.sh: the README's first command. Installs what is missing, builds emscov, generates the sample
# city (build/sample) and runs emscov on it.
set -eu
cd "$(dirname "$0")/.."
tools/setup.sh run
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DEMSCOV_TESTS=OFF >/dev/null
cmake --build build -j"${JOBS:-2}" >/dev/null
S=build/sample
exec build/src/emscov info "$S/streets_gbk.shp" "$S/streets_ldid.shp" "$S/stations.shp" "$S/stations.csv" \
  "$S/roads.shp" "$S/census.shp" "$S/parks.geojson" "$S/residential.shp"
