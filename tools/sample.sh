#!/bin/sh
# tools/sample.sh: the README's first command. Installs what is missing, builds emscov, generates the sample
# city (build/sample) and runs the main job on it: `emscov analyze --report pdf,html`, writing report.json,
# streets.csv, a GeoPackage and the planner's report (report.pdf, report.html) into build/sample/emscov-out as
# one output set (no server needed). Chinese under a Chinese locale (LC_ALL / LC_MESSAGES / LANG zh*), else
# English; `--lang zh` or `--lang en` after this script's name chooses.
set -eu
cd "$(dirname "$0")/.."
tools/setup.sh run
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DEMSCOV_TESTS=OFF >/dev/null
cmake --build build -j"${JOBS:-2}" >/dev/null
exec build/src/emscov analyze --report pdf,html "$@" --out build/sample/emscov-out build/sample/scenario.ini
