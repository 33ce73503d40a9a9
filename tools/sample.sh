#!/bin/sh
# tools/sample.sh: the README's first command. Installs what is missing, builds emscov, generates the sample
# city (build/sample) and runs the main job on it: `emscov analyze`, writing report.json, streets.csv and a
# GeoPackage into build/sample/emscov-out (no server needed).
set -eu
cd "$(dirname "$0")/.."
tools/setup.sh run
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DEMSCOV_TESTS=OFF >/dev/null
cmake --build build -j"${JOBS:-2}" >/dev/null
exec build/src/emscov analyze --out build/sample/emscov-out build/sample/scenario.ini
